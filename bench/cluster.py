"""``python -m bench cluster``: one node vs three (cluster mode), on this machine.

Every node is a ``chargebridge serve`` process on one PostgreSQL schema; cluster mode adds the
NATS JetStream server (``--nats-url``). Phases, each bounded:

1. **throughput and CPU**, for three set-ups in the same run: one node in single-node mode (no
   NATS), one node in cluster mode, three nodes in cluster mode. The load generator
   (``bench.loadgen``) spreads its stations evenly over the nodes, starts a transaction on
   each and sends MeterValues at ``rate_per_node`` x nodes in total. Per set-up: total answered
   messages/s, CALL round-trip percentiles, each node's CPU share and CPU-ms per message (so
   "messages/s at a fixed per-node CPU" and the per-node cost of clustering are read off the
   same numbers), and the NATS server's CPU per message;
2. **REST commands** on the three-node cluster under that load: remote-start sent to a node
   that does not hold the station (routed over NATS) and to the one that does;
3. **failover**: ``failover_stations`` simulated stations (``bench.storm``) behind a TCP
   balancer (``bench.balancer``) on the three nodes; the node holding the most stations is
   killed with SIGKILL; measured: the time until every station is connected and booted again
   (on the other two), until the dead node's stations are released in the database, and the
   ledger reconciliation (lost / double counted) against a survivor's API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench.loadgen import percentile, raise_fd_limit
from bench.orchestrator import PG_DEFAULT, JsonLinesProcess, _pg_execute, free_port, pg_available
from bench.procstat import cpu_seconds, machine_info

NATS_DEFAULT = "nats://127.0.0.1:4222"


@dataclass(slots=True)
class ClusterBenchConfig:
    stations_per_node: int = 300
    rate_per_node: float = 150.0  # MeterValues/s per node (each station every 2 s)
    duration_s: float = 15.0
    warmup_s: float = 3.0
    rest_requests: int = 150
    rest_interval_s: float = 0.04
    failover_stations: int = 5000
    failover_back_timeout_s: float = 180.0
    node_ttl_s: float = 6.0
    pg_url: str = PG_DEFAULT
    nats_url: str = NATS_DEFAULT
    failover: bool = True


QUICK = {
    "stations_per_node": 50,
    "rate_per_node": 50.0,
    "duration_s": 4.0,
    "warmup_s": 1.0,
    "rest_requests": 30,
    "failover_stations": 300,
    "failover_back_timeout_s": 90.0,
}


def nats_server_pid(url: str) -> int | None:
    """The local nats-server's pid (for its CPU), when it runs on this machine."""
    port = url.rsplit(":", 1)[-1].split("/")[0]
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            if cmdline and cmdline[0].endswith(b"nats-server") and port.encode() in b" ".join(cmdline):
                return int(entry.name)
    return None


class Node:
    def __init__(self, name: str, workdir: Path, database_url: str, data_dir: Path, cluster: dict[str, str] | None):
        self.name = name
        self.workdir = workdir
        self.database_url = database_url
        self.data_dir = data_dir
        self.cluster = cluster
        self.ocpp_port = free_port()
        self.http_port = free_port()
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.ocpp_port}/ocpp"

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        args = [
            "-m",
            "chargebridge",
            "serve",
            "--data-dir",
            str(self.data_dir),
            "--database-url",
            self.database_url,
            "--ocpp-port",
            str(self.ocpp_port),
            "--http-port",
            str(self.http_port),
            "--auto-register",
            "--log-level",
            "warning",
        ]
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        if self.cluster is not None:
            args += ["--nats-url", self.cluster["nats_url"], "--node-id", self.name]
            env["CHARGEBRIDGE_CLUSTER_PREFIX"] = self.cluster["prefix"]
            env["CHARGEBRIDGE_CLUSTER_NODE_TTL_S"] = self.cluster["node_ttl_s"]
        log = (self.workdir / f"node-{self.name}.log").open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, *args, stdout=log, stderr=log, env=env, start_new_session=True
        )
        log.close()
        deadline = time.monotonic() + 90
        async with httpx.AsyncClient(timeout=2) as http:
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise RuntimeError(f"node {self.name} exited; see {self.workdir}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get(f"{self.api}/readyz")).status_code == 200:
                        return
                await asyncio.sleep(0.2)
        raise RuntimeError(f"node {self.name} not ready; see {self.workdir}")

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


class ClusterBench:
    def __init__(self, config: ClusterBenchConfig, console: Console, workdir: Path):
        self.config = config
        self.console = console
        self.workdir = workdir
        self.token = ""
        self.nats_pid = nats_server_pid(config.nats_url)

    def say(self, text: str) -> None:
        self.console.print(f"[bold]{text}[/bold]")

    # -- a fresh database for each set-up --------------------------------------------------

    async def database(self) -> tuple[str, str]:
        schema = f"bench_{uuid.uuid4().hex[:12]}"
        await _pg_execute(self.config.pg_url, f'CREATE SCHEMA "{schema}"')
        url = f"{self.config.pg_url}?schema={schema}"
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
            "--database-url",
            url,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"token create failed: {err.decode()[-2000:]}")
        self.token = out.decode().strip().splitlines()[-1].split()[-1]
        return schema, url

    async def drop(self, schema: str, prefix: str | None) -> None:
        with contextlib.suppress(Exception):
            await _pg_execute(self.config.pg_url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
        if prefix is not None:
            with contextlib.suppress(Exception):
                await purge_network(self.config.nats_url, prefix)

    async def nodes(self, count: int, clustered: bool, url: str, tag: str) -> tuple[list[Node], str | None]:
        prefix = f"bench{uuid.uuid4().hex[:8]}" if clustered else None
        cluster = (
            {"nats_url": self.config.nats_url, "prefix": prefix, "node_ttl_s": str(self.config.node_ttl_s)}
            if prefix is not None
            else None
        )
        workdir = self.workdir / tag
        workdir.mkdir(parents=True, exist_ok=True)
        nodes = [Node(f"n{i + 1}", workdir, url, workdir / "data", cluster) for i in range(count)]
        await nodes[0].start()  # the first one creates the shared firmware keys
        await asyncio.gather(*(node.start() for node in nodes[1:]))
        async with httpx.AsyncClient(headers=self.headers(), timeout=30) as http:
            response = await http.put(f"{nodes[0].api}/api/v1/id-tokens/BENCH", json={"status": "Accepted"})
            response.raise_for_status()
            for i in range(10):
                await http.put(f"{nodes[0].api}/api/v1/id-tokens/STORM-TAG-{i}", json={"status": "Accepted"})
        return nodes, prefix

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    # -- phase 1 and 2 ---------------------------------------------------------------------

    async def setup(self, name: str, count: int, clustered: bool, rest: bool) -> dict[str, Any]:
        config = self.config
        self.say(f"{name}: {count} node(s), {'cluster mode' if clustered else 'single-node mode'}")
        schema, url = await self.database()
        nodes, prefix = await self.nodes(count, clustered, url, name)
        out: dict[str, Any] = {"nodes": count, "clustered": clustered}
        gen = await JsonLinesProcess.start("loadgen", "-m", "bench.loadgen", log=self.workdir / f"{name}-loadgen.log")
        try:
            await gen.next_event(60)
            for i, node in enumerate(nodes):
                connected = await gen.request(
                    {
                        "op": "connect",
                        "url": node.url,
                        "prefix": f"N{i + 1}-",
                        "count": config.stations_per_node,
                        "concurrency": 50,
                    },
                    wait_s=600,
                )
                if connected["failed"]:
                    raise RuntimeError(f"{connected['failed']} stations could not connect to {node.name}")
            total = config.stations_per_node * count
            await gen.request({"op": "start_tx", "stations": total}, wait_s=600)
            await asyncio.sleep(2.0)
            out["load"] = await self.load(nodes, gen, total, config.rate_per_node * count)
            if rest:
                out["rest"] = await self.rest(nodes, gen, total, config.rate_per_node * count)
            await gen.request({"op": "close"})
        finally:
            await gen.stop()
            for node in nodes:
                await node.stop()
            await self.drop(schema, prefix)
        return out

    async def load(self, nodes: list[Node], gen: JsonLinesProcess, stations: int, rate: float) -> dict[str, Any]:
        config = self.config
        await gen.send(
            {
                "op": "load",
                "stations": stations,
                "rate": rate,
                "warmup_s": config.warmup_s,
                "duration_s": config.duration_s,
            }
        )
        cpu_start: dict[str, float] = {}
        cpu: dict[str, float] = {}
        wall = 0.0
        started = 0.0
        while True:
            event = await gen.next_event(config.duration_s + config.warmup_s + 120)
            if event.get("event") == "window_start":
                started = time.monotonic()
                cpu_start = {node.name: cpu_seconds(node.pid) for node in nodes}
                if self.nats_pid:
                    cpu_start["nats"] = cpu_seconds(self.nats_pid)
            elif event.get("event") == "window_end":
                wall = time.monotonic() - started
                cpu = {node.name: cpu_seconds(node.pid) - cpu_start[node.name] for node in nodes}
                if self.nats_pid and "nats" in cpu_start:
                    cpu["nats"] = cpu_seconds(self.nats_pid) - cpu_start["nats"]
            elif event.get("event") == "result":
                break
        answered = max(1, int(event["answered"]))
        node_cpu = sum(v for k, v in cpu.items() if k != "nats")
        return {
            "offered_rate": rate,
            "answered": event["answered"],
            "errors": event["errors"],
            "skipped_busy": event["skipped_busy"],
            "achieved_rate": event["achieved_rate"],
            "p50_ms": event["p50_ms"],
            "p95_ms": event["p95_ms"],
            "p99_ms": event["p99_ms"],
            "node_cpu_share": {k: round(v / wall, 3) for k, v in cpu.items() if k != "nats"},
            "node_cpu_ms_per_message": round(node_cpu / answered * 1000, 4),
            "nats_cpu_ms_per_message": round(cpu["nats"] / answered * 1000, 4) if "nats" in cpu else None,
            "messages_per_node_cpu_second": round(answered / node_cpu, 1) if node_cpu else None,
        }

    async def rest(self, nodes: list[Node], gen: JsonLinesProcess, stations: int, rate: float) -> dict[str, Any]:
        """remote-start through a node that does not hold the station, and through the one that does."""
        config = self.config
        window = config.rest_requests * 2 * config.rest_interval_s + 4.0
        await gen.send({"op": "load", "stations": stations, "rate": rate, "warmup_s": 2.0, "duration_s": window})
        while (await gen.next_event(120)).get("event") != "window_start":
            pass
        rng = random.Random(11)
        latencies: dict[str, list[float]] = {"cross_node": [], "same_node": []}
        statuses: dict[str, dict[str, int]] = {"cross_node": {}, "same_node": {}}
        async with httpx.AsyncClient(headers=self.headers(), timeout=35) as http:
            for i in range(config.rest_requests * 2):
                kind = "cross_node" if i % 2 == 0 else "same_node"
                holder = rng.randrange(len(nodes))
                via = nodes[(holder + 1) % len(nodes)] if kind == "cross_node" else nodes[holder]
                station = (
                    f"N{holder + 1}-{holder * config.stations_per_node + rng.randrange(config.stations_per_node):06d}"
                )
                started = time.perf_counter()
                response = await http.post(
                    f"{via.api}/api/v1/stations/{station}/commands/remote-start",
                    json={"id_token": "BENCH", "connector_id": 1},
                )
                elapsed = (time.perf_counter() - started) * 1000
                key = str(response.status_code)
                if response.status_code == 200:
                    latencies[kind].append(elapsed)
                statuses[kind][key] = statuses[kind].get(key, 0) + 1
                await asyncio.sleep(max(0.0, config.rest_interval_s - elapsed / 1000))
        while (await gen.next_event(120)).get("event") != "result":
            pass
        out: dict[str, Any] = {"background_rate": rate}
        for kind, values in latencies.items():
            values.sort()
            out[kind] = {
                "requests": config.rest_requests,
                "statuses": statuses[kind],
                "p50_ms": percentile(values, 0.5),
                "p99_ms": percentile(values, 0.99),
                "max_ms": values[-1] if values else None,
            }
        return out

    # -- phase 3 ---------------------------------------------------------------------------

    async def failover(self) -> dict[str, Any]:
        config = self.config
        self.say(f"failover: {config.failover_stations} stations on 3 nodes, one killed with SIGKILL")
        schema, url = await self.database()
        nodes, prefix = await self.nodes(3, True, url, "failover")
        lb_port = free_port()
        balancer = await JsonLinesProcess.start(
            "balancer",
            "-m",
            "bench.balancer",
            str(lb_port),
            *(f"127.0.0.1:{node.ocpp_port}" for node in nodes),
            log=self.workdir / "balancer.log",
        )
        ledger = self.workdir / "failover-ledger.jsonl"
        options = {
            "url": f"ws://127.0.0.1:{lb_port}/ocpp",
            "stations": config.failover_stations,
            "ledger": str(ledger),
            "id_tokens": [f"STORM-TAG-{i}" for i in range(10)],
            "back_timeout_s": config.failover_back_timeout_s,
            "time_scale": 1.0,
            "ramp_rate": 250.0,
            "prefix": "STORM-",
        }
        result: dict[str, Any] = {"stations": config.failover_stations, "node_ttl_s": config.node_ttl_s}
        fleet = await JsonLinesProcess.start(
            "storm", "-m", "bench.storm", json.dumps(options), log=self.workdir / "failover-fleet.log"
        )
        try:
            with contextlib.suppress(Exception):
                await _wait_port(lb_port)
            ready = await fleet.next_event(900)
            result["ready"] = ready
            await asyncio.sleep(5.0)  # sessions running, meter values flowing
            async with httpx.AsyncClient(headers=self.headers(), timeout=30) as http:
                status = (await http.get(f"{nodes[0].api}/api/v1/status")).json()["cluster"]
                per_node = {n["node_id"]: n.get("stations") or 0 for n in status["nodes"]}
                result["per_node_before"] = per_node
                result["max_heartbeat_gap_s"] = status["presence"].get("max_heartbeat_gap_s")
                victim = max(nodes, key=lambda n: per_node.get(n.name, 0))
                result["killed"] = {"node": victim.name, "stations": per_node.get(victim.name, 0)}
                killed_at = time.monotonic()
                await victim.kill()
                await fleet.send({"op": "restarted", "at": killed_at})
                survivor = next(n for n in nodes if n is not victim)
                released_at = None
                back_task = asyncio.create_task(fleet.next_event(config.failover_back_timeout_s + 120))
                while not back_task.done():
                    if released_at is None and await _held_by(config.pg_url, url, victim.name) == 0:
                        released_at = time.monotonic()
                    await asyncio.sleep(0.2)
                back = back_task.result()
                deadline = time.monotonic() + 60.0  # the database rows trail the sockets by a commit
                while released_at is None and time.monotonic() < deadline:
                    if await _held_by(config.pg_url, url, victim.name) == 0:
                        released_at = time.monotonic()
                    else:
                        await asyncio.sleep(0.2)
                result.update(
                    {
                        "all_back": back["ok"],
                        "back": back["booted"],
                        "all_back_after_kill_s": round(back["at"] - killed_at, 2),
                        "dead_node_rows_released_after_kill_s": round(released_at - killed_at, 2)
                        if released_at
                        else None,
                    }
                )
                await asyncio.sleep(5.0)
                status = (await http.get(f"{survivor.api}/api/v1/status")).json()["cluster"]
                result["per_node_after"] = {n["node_id"]: n.get("stations") for n in status["nodes"] if n["alive"]}
            await fleet.send({"op": "finish"})
            final = await fleet.next_event(600)
            result["fleet"] = {k: v for k, v in final.items() if k not in ("event", "ledger")}
            await asyncio.sleep(2.0)
            result["reconcile"] = await self.reconcile(survivor, ledger)
        finally:
            await fleet.stop()
            await balancer.stop()
            for node in nodes:
                await node.stop()
            await self.drop(schema, prefix)
        return result

    async def reconcile(self, node: Node, ledger: Path) -> dict[str, Any]:
        from chargebridge.sim.ledger import read_ledger, reconcile

        entries = await asyncio.to_thread(lambda: read_ledger(ledger) if ledger.exists() else [])
        transactions: list[dict[str, Any]] = []
        async with httpx.AsyncClient(headers=self.headers(), timeout=60) as http:
            offset: int | None = 0
            while offset is not None:
                page = (
                    await http.get(f"{node.api}/api/v1/transactions", params={"limit": 1000, "offset": offset})
                ).json()
                transactions.extend(page["items"])
                offset = page["next_offset"]
        mismatches = reconcile(entries, transactions)
        kinds: dict[str, int] = {}
        for mismatch in mismatches:
            kinds[mismatch.kind] = kinds.get(mismatch.kind, 0) + 1
        keys = [(t["station_id"], t["id"]) for t in transactions]
        return {
            "ledger_transactions": len(entries),
            "acknowledged": sum(1 for e in entries if e.acknowledged),
            "server_transactions": len(transactions),
            "duplicate_ids": len(keys) - len(set(keys)),
            "lost": kinds.get("missing_on_server", 0),
            "double_counted": kinds.get("missing_in_ledger", 0),
            "energy_mismatches": sum(v for k, v in kinds.items() if k.endswith("_wh")),
        }


async def _held_by(pg_url: str, url: str, node: str) -> int:
    import asyncpg  # type: ignore[import-untyped]

    schema = url.split("schema=", 1)[1]
    dsn = pg_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    conn = await asyncpg.connect(dsn)
    try:
        return int(
            await conn.fetchval(f'SELECT count(*) FROM "{schema}".stations WHERE connected AND node_id = $1', node)
        )
    finally:
        await conn.close()


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
            return


async def purge_network(nats_url: str, prefix: str) -> None:
    import nats

    nc = await nats.connect(nats_url, connect_timeout=2, max_reconnect_attempts=0)
    try:
        js = nc.jetstream()
        for info in await js.streams_info():
            name = info.config.name or ""
            if name.startswith((f"{prefix}-", f"KV_{prefix}-")):
                with contextlib.suppress(Exception):
                    await js.delete_stream(name)
    finally:
        await nc.close()


async def run_cluster_bench(config: ClusterBenchConfig, console: Console, command: str) -> dict[str, Any]:
    raise_fd_limit()
    if not pg_available(config.pg_url):
        raise RuntimeError(f"PostgreSQL is not reachable at {config.pg_url}")
    workdir = Path(tempfile.mkdtemp(prefix="chargebridge-cluster-bench-"))
    started = time.monotonic()
    bench = ClusterBench(config, console, workdir)
    results: dict[str, Any] = {}
    try:
        results["single"] = await bench.setup("single", 1, False, rest=False)
        results["cluster-1"] = await bench.setup("cluster-1", 1, True, rest=False)
        results["cluster-3"] = await bench.setup("cluster-3", 3, True, rest=True)
        if config.failover:
            results["failover"] = await bench.failover()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    single = results["single"]["load"]
    one = results["cluster-1"]["load"]
    three = results["cluster-3"]["load"]
    summary = {
        "clustering_cpu_cost": round(one["node_cpu_ms_per_message"] / single["node_cpu_ms_per_message"] - 1, 3),
        "three_node_cpu_cost": round(three["node_cpu_ms_per_message"] / single["node_cpu_ms_per_message"] - 1, 3),
        "throughput_3_vs_1": round(three["achieved_rate"] / one["achieved_rate"], 2),
    }
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(),
        "config": asdict(config),
        "wall_s": round(time.monotonic() - started, 1),
        "results": results,
        "summary": summary,
    }


START = "<!-- bench:cluster:start -->"
END = "<!-- bench:cluster:end -->"


def _f(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(data: dict[str, Any]) -> str:
    r = data["results"]
    c = data["config"]
    m = data["machine"]
    lines = [
        f"Run {data['date']} on {m['cpu_model']} ({m['cpus']} CPUs, {m['memory_gib']} GiB), Python {m['python']}; "
        f"`{data['command']}` ({data['wall_s']:.0f} s). Every node, the load generator, PostgreSQL and NATS share "
        "this one machine.",
        "",
        f"**Throughput and CPU** ({c['stations_per_node']} stations and {c['rate_per_node']:g} MeterValues/s per node, "
        f"{c['duration_s']:g} s window):",
        "",
        "| set-up | offered msg/s | answered msg/s | p50 ms | p99 ms | node CPU ms/msg | msg per node CPU-s "
        "| CPU share per node | NATS CPU ms/msg |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for name in ("single", "cluster-1", "cluster-3"):
        if name not in r:
            continue
        load = r[name]["load"]
        shares = ", ".join(f"{v:.0%}" for v in load["node_cpu_share"].values())
        lines.append(
            f"| {name} | {_f(load['offered_rate'], 0)} | {_f(load['achieved_rate'], 0)} | {_f(load['p50_ms'], 2)} "
            f"| {_f(load['p99_ms'], 2)} | {_f(load['node_cpu_ms_per_message'], 3)} "
            f"| {_f(load['messages_per_node_cpu_second'], 0)} | {shares} | {_f(load['nats_cpu_ms_per_message'], 3)} |"
        )
    s = data["summary"]
    lines += [
        "",
        f"Per-node cost of clustering (CPU per message, cluster mode vs single-node mode, same run): "
        f"**{s['clustering_cpu_cost']:+.0%}** on one node, **{s['three_node_cpu_cost']:+.0%}** per node with three "
        f"(each node also receives the other nodes' events). Three nodes answered {s['throughput_3_vs_1']}x "
        "the messages of one cluster node at the same per-node load.",
    ]
    rest = r.get("cluster-3", {}).get("rest")
    if rest:
        lines += [
            "",
            f"**REST commands** on three nodes under {rest['background_rate']:g} msg/s (remote-start, answered by the "
            "station):",
            "",
            "| path | requests | statuses | p50 ms | p99 ms | max ms |",
            "|---|---:|---|---:|---:|---:|",
        ]
        for kind, label in (("same_node", "node holding the station"), ("cross_node", "another node (NATS)")):
            x = rest[kind]
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(x["statuses"].items()))
            lines.append(
                f"| {label} | {x['requests']} | {statuses} | {_f(x['p50_ms'], 2)} | {_f(x['p99_ms'], 2)} "
                f"| {_f(x['max_ms'], 2)} |"
            )
    fo = r.get("failover")
    if fo:
        rec = fo.get("reconcile", {})

        def spread(counts: dict[str, Any] | None) -> str:
            return ", ".join(f"{k}: {_f(v)}" for k, v in sorted((counts or {}).items()))

        back = _f(fo.get("all_back_after_kill_s"), 2)
        released = _f(fo.get("dead_node_rows_released_after_kill_s"), 2)
        gap = _f(fo.get("max_heartbeat_gap_s"), 2)
        ledger = f"{_f(rec.get('ledger_transactions'))} / {_f(rec.get('acknowledged'))}"
        wrong = f"{_f(rec.get('lost'))} / {_f(rec.get('double_counted'))} / {_f(rec.get('energy_mismatches'))}"
        lines += [
            "",
            f"**Failover**: {fo['stations']:,} simulated stations (charging) behind a TCP balancer on three nodes "
            f"(node TTL {fo['node_ttl_s']:g} s); node `{fo['killed']['node']}` holding {fo['killed']['stations']:,} "
            "of them killed with SIGKILL.",
            "",
            "| measure | value |",
            "|---|---:|",
            f"| stations per node before | {spread(fo['per_node_before'])} |",
            f"| all {fo['stations']:,} connected and booted again after the kill | {back} s |",
            f"| dead node's rows released (database) after the kill | {released} s |",
            f"| stations per node after | {spread(fo.get('per_node_after'))} |",
            f"| longest heartbeat gap of a node (connect ramp and load) | {gap} s |",
            f"| ledger: transactions / acknowledged | {ledger} |",
            f"| lost / double counted / energy mismatches | {wrong} |",
        ]
    return "\n".join(lines) + "\n"


def write_docs(data: dict[str, Any], docs: Path) -> None:
    """Replace the cluster block of ``docs`` (or append one)."""
    import re

    block = f"{START}\n{markdown(data)}{END}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    docs.write_text(text, encoding="utf-8")
