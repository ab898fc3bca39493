"""Runs the load benchmark: each server in its own process, the same load against each, one JSON.

Per target (the baseline, chargebridge on SQLite, chargebridge on PostgreSQL):

1. start the server; read its RSS; connect ``idle_stations`` stations (BootNotification +
   StatusNotification each) -> connect rate and RSS per connected idle station;
2. the first ``stations`` start a transaction; a sweep of MeterValues load levels (messages/s in
   total, evenly phased over those stations) -> CALL round-trip percentiles per level and server
   CPU-seconds per 1,000 MeterValues from /proc; the level ``stations x rate`` is the fixed load;
3. chargebridge only: REST remote-start round trips while the fixed load runs in the background;
4. a reconnect storm: a simulated fleet (charging) connects, the server is killed (SIGKILL) and
   restarted on the same port and database, and the time until every station is back is
   measured; chargebridge's transactions are then reconciled with the simulator's ledger.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from bench.loadgen import percentile, raise_fd_limit
from bench.procstat import cpu_seconds, machine_info, postgres_cpu_seconds, rss_bytes, start_profile

PG_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
TARGETS = ("baseline", "lean", "lean-picows", "chargebridge-sqlite", "chargebridge-postgresql")
REFERENCES = ("baseline", "lean", "lean-picows")  # servers that store nothing
# MeterValues of the load generator carry this many sampled values (bench/loadgen.py METER)
SAMPLED_VALUES_PER_METER_VALUES = 3


@dataclass(slots=True)
class BenchConfig:
    stations: int = 1000  # stations under the fixed MeterValues load
    rate: float = 1.0  # messages per second per station at the fixed load
    duration_s: float = 15.0  # measured window per load level
    warmup_s: float = 3.0
    idle_stations: int = 1000  # stations connected for the RSS figure (>= stations)
    levels: list[float] = field(default_factory=list)  # total messages/s; default derived from stations x rate
    connect_concurrency: int = 100
    rest_requests: int = 200
    rest_interval_s: float = 0.05
    storm_stations: int = 1000
    storm_back_timeout_s: float = 120.0
    db: str = "both"  # sqlite | postgresql | both
    baseline: bool = True
    lean: bool = True  # the lean no-storage reference (bench/lean_csms.py)
    lean_picows: bool = False  # the same reference on picows instead of websockets (the transport's share)
    sampled_values: int = SAMPLED_VALUES_PER_METER_VALUES  # per MeterValues (1-10)
    saturation: bool = False  # closed loop on one pinned core after the sweep
    saturation_stations: int = 200  # stations sending back to back in the closed loop
    dashboard_clients: int = 0  # the fixed level again with this many live-event (SSE) streams open
    profile_dir: str | None = None  # py-spy of each chargebridge server over the fixed level's window
    storm: bool = True
    pg_url: str = PG_DEFAULT
    settle_s: float = 3.0  # pauses between phases (let commits settle, let sessions run)

    def load_levels(self) -> list[float]:
        fixed = self.stations * self.rate
        if self.levels:
            return sorted(set([*self.levels, fixed]))
        return sorted({round(fixed * f, 3) for f in (0.25, 0.5, 1.0, 1.5)})

    def targets(self) -> list[str]:
        chosen = ["baseline"] if self.baseline else []
        if self.lean:
            chosen.append("lean")
        if self.lean_picows:
            chosen.append("lean-picows")
        if self.db in ("sqlite", "both"):
            chosen.append("chargebridge-sqlite")
        if self.db in ("postgresql", "both"):
            chosen.append("chargebridge-postgresql")
        return chosen


QUICK = {
    "stations": 50,
    "idle_stations": 100,
    "duration_s": 3.0,
    "warmup_s": 1.0,
    "rest_requests": 20,
    "storm_stations": 50,
    "storm_back_timeout_s": 60.0,
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class JsonLinesProcess:
    """A child process spoken to with JSON lines on stdin/stdout."""

    def __init__(self, proc: asyncio.subprocess.Process, name: str):
        self.proc = proc
        self.name = name

    @classmethod
    async def start(cls, name: str, *args: str, log: Path | None = None) -> JsonLinesProcess:
        stderr = log.open("ab") if log is not None else None
        try:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=stderr,
                limit=1 << 22,
            )
        finally:
            if stderr is not None:
                stderr.close()
        return cls(proc, name)

    @property
    def pid(self) -> int:
        return self.proc.pid

    async def send(self, obj: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write((json.dumps(obj) + "\n").encode())
        await self.proc.stdin.drain()

    async def next_event(self, wait_s: float = 600.0) -> dict[str, Any]:
        assert self.proc.stdout is not None
        while True:
            line = await asyncio.wait_for(self.proc.stdout.readline(), wait_s)
            if not line:
                raise RuntimeError(f"{self.name} exited (code {await self.proc.wait()})")
            with contextlib.suppress(json.JSONDecodeError):
                event: dict[str, Any] = json.loads(line)
                return event

    async def request(self, obj: dict[str, Any], wait_s: float = 600.0) -> dict[str, Any]:
        await self.send(obj)
        while True:
            event = await self.next_event(wait_s)
            if event.get("event") == "result":
                if "error" in event:
                    raise RuntimeError(f"{self.name}: {event['error']}")
                return event

    async def stop(self) -> None:
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError, BrokenPipeError, ConnectionResetError):
                if self.proc.stdin is not None:
                    self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


class Server:
    """One server under test, in its own process."""

    def __init__(self, target: str, workdir: Path, pg_url: str):
        self.target = target
        self.workdir = workdir
        self.ocpp_port = free_port()
        self.http_port = free_port()
        self.proc: asyncio.subprocess.Process | None = None
        self.schema: str | None = None
        self.database_url: str | None = None
        self.data_dir = workdir / "data"
        self.token: str | None = None
        self._pg_url = pg_url
        if target == "chargebridge-postgresql":
            self.schema = f"bench_{uuid.uuid4().hex[:12]}"
            self.database_url = f"{pg_url}?schema={self.schema}"

    @property
    def is_chargebridge(self) -> bool:
        return self.target not in REFERENCES

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/api/v1"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def _db_args(self) -> list[str]:
        args = ["--data-dir", str(self.data_dir)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return args

    async def prepare(self) -> None:
        if not self.is_chargebridge:
            return
        if self.schema is not None:
            await _pg_execute(self._pg_url, f'CREATE SCHEMA "{self.schema}"')
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "chargebridge",
            "token",
            "create",
            "--role",
            "admin",
            "--name",
            "bench",
            *self._db_args(),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"token create failed: {err.decode()[-2000:]}")
        self.token = out.decode().strip().splitlines()[-1].split()[-1]

    async def start(self) -> None:
        if self.is_chargebridge:
            args = [
                "-m",
                "chargebridge",
                "serve",
                *self._db_args(),
                "--ocpp-port",
                str(self.ocpp_port),
                "--http-port",
                str(self.http_port),
                "--auto-register",
                "--log-level",
                "warning",
            ]
            ready = "OCPP gateway"
        elif self.target in ("lean", "lean-picows"):
            args = ["-m", "bench.lean_csms", "--port", str(self.ocpp_port)]
            if self.target == "lean-picows":
                args += ["--transport", "picows"]
            ready = "listening on"
        else:
            args = ["-m", "bench.baseline_csms", "--port", str(self.ocpp_port)]
            ready = "listening on"
        log = (self.workdir / f"server-{self.target}.log").open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1", "COLUMNS": "200"},
        )
        log.close()
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = await asyncio.wait_for(self.proc.stdout.readline(), 60)
            if not line:
                raise RuntimeError(f"{self.target} exited during start; see {self.workdir}")
            if ready in line.decode():
                break
        await _wait_port(self.ocpp_port)
        if self.is_chargebridge:
            await _wait_port(self.http_port)
        # keep the pipe drained
        stdout = self.proc.stdout
        asyncio.get_running_loop().create_task(_drain(stdout))

    async def kill(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
            await self.proc.wait()

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 60)
            except TimeoutError:
                await self.kill()

    async def cleanup(self) -> None:
        await self.stop()
        if self.schema is not None:
            with contextlib.suppress(Exception):
                await _pg_execute(self._pg_url, f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    async def count_meter_samples(self) -> int:
        """Rows in meter_samples of the benchmark's stations, read from the database itself."""
        query = "SELECT count(*) FROM meter_samples WHERE station_id LIKE 'BENCH-%'"
        if self.schema is not None:
            import asyncpg  # type: ignore[import-untyped]

            dsn = self._pg_url.replace("postgresql+asyncpg://", "postgresql://", 1)
            conn = await asyncpg.connect(dsn, server_settings={"search_path": self.schema})
            try:
                return int(await conn.fetchval(query))
            finally:
                await conn.close()
        import sqlite3

        def count() -> int:
            db = sqlite3.connect(self.data_dir / "chargebridge.db")
            try:
                return int(db.execute(query).fetchone()[0])
            finally:
                db.close()

        return await asyncio.to_thread(count)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.readline():
        pass


async def _wait_port(port: int, wait_s: float = 30.0) -> None:
    deadline = time.monotonic() + wait_s
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.05)
        else:
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()
            return


async def _pg_execute(sqlalchemy_url: str, statement: str) -> None:
    import asyncpg  # type: ignore[import-untyped]

    dsn = sqlalchemy_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


def pg_available(url: str) -> bool:
    rest = url.split("@", 1)[-1]
    hostport = rest.split("/", 1)[0]
    host, _, port = hostport.partition(":")
    try:
        with socket.create_connection((host, int(port or 5432)), timeout=1.0):
            return True
    except OSError:
        return False


Step = Callable[[str], None]


async def wait_until_quiet(pid: int, below: float = 0.05, timeout_s: float = 180.0) -> float:
    """Seconds until ``pid`` used less than ``below`` of a core over one second (at most ``timeout_s``)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        before = cpu_seconds(pid)
        await asyncio.sleep(1.0)
        if cpu_seconds(pid) - before < below:
            break
    return time.monotonic() - started


def _pin(pid: int, cpus: set[int]) -> None:
    """Every thread of ``pid`` to ``cpus`` (the database reader threads too, not only the main one)."""
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError, ValueError):
            os.sched_setaffinity(int(task.name), cpus)


class Bench:
    def __init__(self, config: BenchConfig, console: Console, workdir: Path):
        self.config = config
        self.console = console
        self.workdir = workdir

    async def run(self, step: Step) -> dict[str, Any]:
        results: dict[str, Any] = {}
        for target in self.config.targets():
            if target == "chargebridge-postgresql" and not pg_available(self.config.pg_url):
                results[target] = {"skipped": "PostgreSQL is not reachable"}
                continue
            results[target] = await self.run_target(target, step)
        return results

    async def run_target(self, target: str, step: Step) -> dict[str, Any]:
        config = self.config
        workdir = self.workdir / target
        workdir.mkdir(parents=True, exist_ok=True)
        server = Server(target, workdir, config.pg_url)
        out: dict[str, Any] = {}
        try:
            await server.prepare()
            await server.start()
            if server.is_chargebridge:
                await self.put_id_tokens(server, ["BENCH", *[f"STORM-TAG-{i}" for i in range(10)]])
            gen = await JsonLinesProcess.start("loadgen", "-m", "bench.loadgen")
            try:
                await gen.next_event(60)
                out.update(await self.idle_and_connect(server, gen, step))
                step(f"{target}: start transactions")
                await gen.request({"op": "start_tx", "stations": config.stations})
                out["sweep"] = []
                for level in config.load_levels():
                    step(f"{target}: load {level:g} msg/s")
                    out["sweep"].append(await self.load_level(server, gen, level))
                fixed = config.stations * config.rate
                out["fixed"] = next(r for r in out["sweep"] if r["offered_rate"] == fixed)
                if config.dashboard_clients and server.is_chargebridge:
                    step(f"{target}: load {fixed:g} msg/s with {config.dashboard_clients} live-event streams")
                    out["fixed_dashboard"] = await self.with_dashboards(server, gen, fixed)
                if config.saturation:
                    step(f"{target}: closed loop on one core ({config.saturation_stations} stations)")
                    out["saturation"] = await self.saturate(server, gen)
                if server.is_chargebridge:
                    step(f"{target}: REST commands under {fixed:g} msg/s")
                    out["rest"] = await self.rest_probe(server, gen, fixed)
                step(f"{target}: close")
                out["closed"] = await gen.request({"op": "close"})
                if server.is_chargebridge:
                    # The benchmark stays honest: every MeterValues answered is in the database.
                    await asyncio.sleep(1.0)
                    out["stored"] = {
                        "meter_values_answered": out["closed"].get("meter_values_answered"),
                        "sampled_values_per_message": config.sampled_values,
                        "meter_samples_stored": await server.count_meter_samples(),
                    }
            finally:
                await gen.stop()
            if config.storm:
                step(f"{target}: reconnect storm ({config.storm_stations} stations)")
                out["storm"] = await self.storm(server)
        finally:
            await server.cleanup()
        return out

    async def put_id_tokens(self, server: Server, tokens: list[str]) -> None:
        async with httpx.AsyncClient(headers=server.headers(), timeout=30) as client:
            for token in tokens:
                response = await client.put(f"{server.api}/id-tokens/{token}", json={"status": "Accepted"})
                response.raise_for_status()

    async def idle_and_connect(self, server: Server, gen: JsonLinesProcess, step: Step) -> dict[str, Any]:
        config = self.config
        await asyncio.sleep(min(1.0, config.settle_s))
        rss0 = rss_bytes(server.pid)
        cpu0 = cpu_seconds(server.pid)
        step(f"{server.target}: connect {config.idle_stations} stations")
        connected = await gen.request(
            {
                "op": "connect",
                "url": server.url,
                "prefix": "BENCH-",
                "count": config.idle_stations,
                "concurrency": config.connect_concurrency,
            },
            wait_s=1800,
        )
        cpu_connect = cpu_seconds(server.pid) - cpu0
        await asyncio.sleep(config.settle_s)  # let group commits and last-seen flushes settle
        # Then wait for what the boots set off in the background (bus consumers: the local list's
        # eligibility, firmware boot sightings, energy...) to finish, so that the load windows
        # measure messages and not a backlog of thousands of boots.
        quiet_after_s = await wait_until_quiet(server.pid)
        rss1 = rss_bytes(server.pid)
        n = max(1, connected["connected"])
        return {
            "connect": {
                "stations": connected["connected"],
                "failed": connected["failed"],
                "elapsed_s": connected["elapsed_s"],
                "rate_per_s": connected["connected"] / connected["elapsed_s"] if connected["elapsed_s"] else None,
                "server_cpu_ms_per_connect": cpu_connect / n * 1000,
            },
            "idle": {
                "quiet_after_s": quiet_after_s,
                "stations": connected["connected"],
                "rss_before_mib": rss0 / 2**20,
                "rss_after_mib": rss1 / 2**20,
                "rss_per_station_kib": (rss1 - rss0) / n / 1024,
            },
        }

    async def load_level(self, server: Server, gen: JsonLinesProcess, level: float) -> dict[str, Any]:
        config = self.config
        await gen.send(
            {
                "op": "load",
                "stations": config.stations,
                "rate": level,
                "warmup_s": config.warmup_s,
                "duration_s": config.duration_s,
                "sampled": config.sampled_values,
            }
        )
        profile = None
        if config.profile_dir and server.is_chargebridge and level == config.stations * config.rate:
            profile = (server.pid, Path(config.profile_dir) / f"{server.target}-profile.txt")
        return await self._window(server, gen, profile)

    async def with_dashboards(self, server: Server, gen: JsonLinesProcess, level: float) -> dict[str, Any]:
        """The fixed level measured again with live-event streams open, as dashboards keep them
        (every kind, every station): what watching the fleet costs the node per message."""
        counts = [0] * self.config.dashboard_clients
        opened = asyncio.Event()

        async def watch(index: int) -> None:
            async with (
                httpx.AsyncClient(headers=server.headers(), timeout=None) as client,
                client.stream("GET", f"{server.api}/events/stream") as response,
            ):
                response.raise_for_status()
                opened.set()
                async for line in response.aiter_lines():
                    if line.startswith("event: meter.sampled"):
                        counts[index] += 1

        watchers = [asyncio.create_task(watch(i)) for i in range(self.config.dashboard_clients)]
        try:
            await asyncio.wait_for(opened.wait(), 30)
            await asyncio.sleep(0.5)
            result = await self.load_level(server, gen, level)
        finally:
            for task in watchers:
                task.cancel()
            await asyncio.gather(*watchers, return_exceptions=True)
        result["dashboard_clients"] = self.config.dashboard_clients
        result["meter_events_streamed"] = sum(counts)
        return result

    async def _window(
        self, server: Server, gen: JsonLinesProcess, profile: tuple[int, Path] | None = None
    ) -> dict[str, Any]:
        """Server CPU (and PostgreSQL's, for the PostgreSQL target) over the window the generator
        reports; with ``profile``, a py-spy record of that process over the window."""
        config = self.config
        spy: asyncio.subprocess.Process | None = None
        on_pg = server.target == "chargebridge-postgresql"
        cpu_start = cpu_end = pg_start = pg_end = 0.0
        wall_start = wall_end = 0.0
        while True:
            event = await gen.next_event(config.duration_s + config.warmup_s + 120)
            kind = event.get("event")
            if kind == "window_start":
                cpu_start, wall_start = cpu_seconds(server.pid), time.monotonic()
                pg_start = postgres_cpu_seconds() if on_pg else 0.0
                if profile is not None:
                    spy = await start_profile(*profile, config.duration_s)
            elif kind == "window_end":
                cpu_end, wall_end = cpu_seconds(server.pid), time.monotonic()
                pg_end = postgres_cpu_seconds() if on_pg else 0.0
            elif kind == "result":
                if "error" in event:
                    raise RuntimeError(event["error"])
                break
        if spy is not None:
            await asyncio.wait_for(spy.wait(), 60)
        cpu = cpu_end - cpu_start
        answered = max(1, event["answered"])
        out = {
            **{k: v for k, v in event.items() if k not in ("event", "op")},
            "sampled_values": config.sampled_values,
            "server_cpu_s": cpu,
            "server_cpu_share": cpu / (wall_end - wall_start) if wall_end > wall_start else None,
            "server_cpu_s_per_1000": cpu / answered * 1000,
        }
        if on_pg:
            pg = pg_end - pg_start
            out["postgres_cpu_s_per_1000"] = pg / answered * 1000
            out["server_and_postgres_cpu_s_per_1000"] = (cpu + pg) / answered * 1000
        return out

    async def saturate(self, server: Server, gen: JsonLinesProcess) -> dict[str, Any]:
        """Closed loop with the server pinned to CPU 0 and the generator to CPU 1 (where the machine
        has two): the messages/s one core sustains, and the CPU per message at saturation."""
        config = self.config
        cpus = sorted(os.sched_getaffinity(0))
        pinned = len(cpus) >= 2
        if pinned:
            _pin(server.pid, {cpus[0]})
            _pin(gen.pid, set(cpus[1:]))
        try:
            await gen.send(
                {
                    "op": "saturate",
                    "stations": min(config.saturation_stations, config.stations),
                    "warmup_s": config.warmup_s,
                    "duration_s": config.duration_s,
                    "sampled": config.sampled_values,
                }
            )
            result = await self._window(server, gen)
        finally:
            if pinned:
                _pin(server.pid, set(cpus))
                _pin(gen.pid, set(cpus))
        return {**result, "pinned_to_one_core": pinned}

    async def rest_probe(self, server: Server, gen: JsonLinesProcess, level: float) -> dict[str, Any]:
        config = self.config
        window = config.rest_requests * config.rest_interval_s + 2.0
        await gen.send(
            {
                "op": "load",
                "stations": config.stations,
                "rate": level,
                "warmup_s": 2.0,
                "duration_s": window,
                "sampled": config.sampled_values,  # the same messages as every other window
            }
        )
        while (await gen.next_event(120)).get("event") != "window_start":
            pass
        rng = random.Random(7)
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        async with httpx.AsyncClient(headers=server.headers(), timeout=35) as client:
            for _ in range(config.rest_requests):
                station = f"BENCH-{rng.randrange(config.idle_stations):06d}"
                started = time.perf_counter()
                response = await client.post(
                    f"{server.api}/stations/{station}/commands/remote-start",
                    json={"id_token": "BENCH", "connector_id": 1},
                )
                elapsed = (time.perf_counter() - started) * 1000
                key = str(response.status_code)
                if response.status_code == 200:
                    key = f"200 {response.json().get('status')}"
                    latencies.append(elapsed)
                statuses[key] = statuses.get(key, 0) + 1
                await asyncio.sleep(max(0.0, config.rest_interval_s - elapsed / 1000))
        background: dict[str, Any] = {}
        while True:
            event = await gen.next_event(120)
            if event.get("event") == "result":
                background = event
                break
        latencies.sort()
        return {
            "requests": config.rest_requests,
            "connected_stations": config.idle_stations,
            "background_rate": background.get("achieved_rate"),
            "statuses": statuses,
            "p50_ms": percentile(latencies, 0.5),
            "p99_ms": percentile(latencies, 0.99),
            "max_ms": latencies[-1] if latencies else None,
        }

    async def storm(self, server: Server) -> dict[str, Any]:
        config = self.config
        ledger = server.workdir / "storm-ledger.jsonl"
        ledger.unlink(missing_ok=True)
        options = {
            "url": server.url,
            "stations": config.storm_stations,
            "ledger": str(ledger),
            "id_tokens": [f"STORM-TAG-{i}" for i in range(10)],
            "back_timeout_s": config.storm_back_timeout_s,
        }
        fleet = await JsonLinesProcess.start(
            "storm", "-m", "bench.storm", json.dumps(options), log=server.workdir / "storm.log"
        )
        result: dict[str, Any] = {"stations": config.storm_stations}
        try:
            ready = await fleet.next_event(600)
            result["ready"] = ready
            await asyncio.sleep(config.settle_s)  # sessions running, meter values flowing
            killed_at = time.monotonic()
            await server.kill()
            await server.start()
            restarted_at = time.monotonic()
            await fleet.send({"op": "restarted", "at": restarted_at})
            back = await fleet.next_event(config.storm_back_timeout_s + 120)
            result.update(
                {
                    "all_back": back["ok"],
                    "back": back["booted"],
                    "restart_s": restarted_at - killed_at,
                    "all_back_after_restart_s": back["at"] - restarted_at,
                    "all_back_after_kill_s": back["at"] - killed_at,
                }
            )
            await asyncio.sleep(config.settle_s)  # replayed and new transaction messages after the storm
            await fleet.send({"op": "finish"})
            final = await fleet.next_event(300)
            result["fleet"] = {k: v for k, v in final.items() if k not in ("event", "ledger")}
        finally:
            await fleet.stop()
        if server.is_chargebridge:
            await asyncio.sleep(1.0)
            result["reconcile"] = await self.reconcile(server, ledger)
        return result

    async def reconcile(self, server: Server, ledger: Path) -> dict[str, Any]:
        from chargebridge.sim.ledger import read_ledger, reconcile

        entries = await asyncio.to_thread(lambda: read_ledger(ledger) if ledger.exists() else [])
        transactions: list[dict[str, Any]] = []
        async with httpx.AsyncClient(headers=server.headers(), timeout=60) as client:
            offset: int | None = 0
            while offset is not None:
                response = await client.get(f"{server.api}/transactions", params={"limit": 1000, "offset": offset})
                response.raise_for_status()
                page = response.json()
                transactions.extend(page["items"])
                offset = page["next_offset"]
        storm_transactions = [t for t in transactions if str(t["station_id"]).startswith("STORM-")]
        mismatches = reconcile(entries, storm_transactions)
        kinds: dict[str, int] = {}
        for mismatch in mismatches:
            kinds[mismatch.kind] = kinds.get(mismatch.kind, 0) + 1
        keys = [(t["station_id"], t["id"]) for t in storm_transactions]
        return {
            "ledger_transactions": len(entries),
            "acknowledged": sum(1 for e in entries if e.acknowledged),
            "server_transactions": len(storm_transactions),
            "server_still_active": sum(1 for t in storm_transactions if t["active"]),
            "duplicate_ids": len(keys) - len(set(keys)),
            "lost": kinds.get("missing_on_server", 0),
            "double_counted": kinds.get("missing_in_ledger", 0),
            "energy_mismatches": sum(v for k, v in kinds.items() if k.endswith("_wh")),
            "mismatch_kinds": kinds,
            "examples": [asdict(m) for m in mismatches[:5]],
        }


def ratios(results: dict[str, Any]) -> dict[str, Any]:
    base = results.get("baseline") or {}
    out: dict[str, Any] = {}
    if "fixed" not in base:
        return out

    def ratio(a: Any, b: Any) -> float | None:
        return round(a / b, 4) if isinstance(a, int | float) and isinstance(b, int | float) and b else None

    for target, result in results.items():
        if target == "baseline" or "fixed" not in result:
            continue
        out[target] = {
            "cpu_per_meter_values": ratio(
                result["fixed"]["server_cpu_s_per_1000"], base["fixed"]["server_cpu_s_per_1000"]
            ),
            "p50": ratio(result["fixed"]["p50_ms"], base["fixed"]["p50_ms"]),
            "p95": ratio(result["fixed"]["p95_ms"], base["fixed"]["p95_ms"]),
            "p99": ratio(result["fixed"]["p99_ms"], base["fixed"]["p99_ms"]),
            "connect_rate": ratio(result["connect"]["rate_per_s"], base["connect"]["rate_per_s"]),
            "rss_per_station": ratio(result["idle"]["rss_per_station_kib"], base["idle"]["rss_per_station_kib"]),
        }
        lean = results.get("lean") or {}
        if target != "lean" and "fixed" in lean:  # the price of persistence (and the rest) over a lean server
            out[target]["cpu_vs_lean"] = ratio(
                result["fixed"]["server_cpu_s_per_1000"], lean["fixed"]["server_cpu_s_per_1000"]
            )
        if "storm" in result and "storm" in base:
            out[target]["storm_all_back"] = ratio(
                result["storm"].get("all_back_after_restart_s"), base["storm"].get("all_back_after_restart_s")
            )
    return out


async def run_bench(config: BenchConfig, console: Console, command: str) -> dict[str, Any]:
    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="chargebridge-bench-"))
    started = time.monotonic()
    targets = config.targets()
    steps_per_target = 4 + len(config.load_levels()) + (1 if config.storm else 0) + (1 if config.saturation else 0)
    try:
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=False,
        ) as progress:
            task = progress.add_task("starting", total=steps_per_target * len(targets))

            def step(text: str) -> None:
                progress.update(task, description=text, advance=1)

            results = await Bench(config, console, workdir).run(step)
            progress.update(task, description="done", completed=steps_per_target * len(targets))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(),
        "config": asdict(config),
        "wall_s": time.monotonic() - started,
        "results": results,
        "ratios": ratios(results),
    }
