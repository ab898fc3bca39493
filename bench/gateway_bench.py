"""``python -m bench gateway``: what the translating gateway costs, next to a direct connection, in one run.

Three phases, each server in its own process, the load generator in another, all on loopback:

1. **direct**: OCPP 2.0.1 stations send TransactionEvent (Updated, three sampled values) straight to
   a minimal 2.0.1 CSMS (``bench/echo_csms.py``, canned answers, nothing stored);
2. **gateway**: OCPP 1.6 stations send MeterValues with the same three values to
   ``chargebridge gateway --upstream-version 2.0.1``, which translates each into that TransactionEvent
   for the same minimal CSMS (one upstream connection per station) and the answer back;
3. **serve**: the same 1.6 MeterValues to ``chargebridge serve`` (SQLite), the CPU yardstick
   ("CPU per message <= that of serve for the same message").

Added latency = the gateway phase's CALL round trip minus the direct phase's, at p50 and p99; the
gateway's own histogram (``chargebridge_gateway_added_latency_seconds``: time a message spends in
the gateway both ways, the upstream's round trip excluded) is read from its /metrics as well.
CPU per message is utime+stime of the server process over the measured window (/proc).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console

from bench.loadgen import raise_fd_limit
from bench.orchestrator import JsonLinesProcess, _drain, _wait_port, free_port
from bench.procstat import cpu_seconds, machine_info, rss_bytes, start_profile

START = "<!-- bench:gateway:start -->"
END = "<!-- bench:gateway:end -->"


@dataclass(slots=True)
class GatewayBenchConfig:
    stations: int = 1000
    rate: float = 1.0  # messages per second per station (the fixed level of the issue)
    light_rate: float = 0.2  # a light level first: the latency the gateway adds when it has the CPU it needs
    duration_s: float = 15.0
    warmup_s: float = 3.0
    connect_concurrency: int = 100
    rounds: int = 1  # the three phases this often; the round with the median CPU ratio is reported
    profile_dir: str | None = None  # py-spy (raw collapsed stacks, GIL holders) of the fixed window, per phase


QUICK_GATEWAY = {"stations": 100, "duration_s": 4.0, "warmup_s": 1.0}


class Process:
    """A server under test, started with ``args`` and ready once ``ready`` is printed."""

    def __init__(self, name: str, args: list[str], ready: str, workdir: Path, port: int):
        self.name = name
        self.args = args
        self.ready = ready
        self.workdir = workdir
        self.port = port
        self.proc: asyncio.subprocess.Process | None = None

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        log = (self.workdir / f"{self.name}.log").open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            *self.args,
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
                raise RuntimeError(f"{self.name} exited during start; see {self.workdir}")
            if self.ready in line.decode():
                break
        await _wait_port(self.port)
        asyncio.get_running_loop().create_task(_drain(self.proc.stdout))

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 60)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


def echo_csms(workdir: Path) -> Process:
    port = free_port()
    return Process("echo-csms", ["-m", "bench.echo_csms", "--port", str(port)], "listening on", workdir, port)


def gateway(workdir: Path, upstream_port: int) -> tuple[Process, int]:
    port, http_port = free_port(), free_port()
    args = [
        "-m",
        "chargebridge",
        "gateway",
        "--upstream",
        f"ws://127.0.0.1:{upstream_port}/ocpp",
        "--upstream-version",
        "2.0.1",
        "--host",
        "127.0.0.1",
        "--ocpp-port",
        str(port),
        "--http-port",
        str(http_port),
        "--data-dir",
        str(workdir / "gateway-data"),
        "--auto-register",
        "--log-level",
        "warning",
    ]
    return Process("gateway", args, "stations", workdir, port), http_port


def serve(workdir: Path) -> Process:
    port = free_port()
    args = [
        "-m",
        "chargebridge",
        "serve",
        "--data-dir",
        str(workdir / "serve-data"),
        "--ocpp-port",
        str(port),
        "--http-port",
        str(free_port()),
        "--auto-register",
        "--log-level",
        "warning",
    ]
    return Process("serve", args, "OCPP gateway", workdir, port)


async def measure(
    config: GatewayBenchConfig,
    server: Process,
    version: str,
    cpu_pids: dict[str, int],
    workdir: Path,
    metrics_url: str | None = None,
    profile: tuple[int, Path] | None = None,
) -> dict[str, Any]:
    """Connect the stations, start a transaction on each, run the light load, then the fixed one; CPU of
    each process in ``cpu_pids``; with ``metrics_url``, the gateway's own added-latency histogram over
    each measured window. The fixed level's figures are the result's own keys, the light level's under
    ``light``."""
    gen = await JsonLinesProcess.start("loadgen", "-m", "bench.loadgen", log=workdir / "loadgen.log")
    try:
        await gen.next_event(60)
        connected = await gen.request(
            {
                "op": "connect",
                "url": f"ws://127.0.0.1:{server.port}/ocpp",
                "prefix": f"GWB{version.replace('.', '')}-",
                "count": config.stations,
                "concurrency": config.connect_concurrency,
                "version": version,
            },
            wait_s=1800,
        )
        await gen.request({"op": "start_tx", "stations": config.stations}, wait_s=600)
        await asyncio.sleep(1.0)
        light = await _window(gen, config, config.light_rate, cpu_pids, metrics_url)
        fixed = await _window(gen, config, config.rate, cpu_pids, metrics_url, profile)
        await gen.request({"op": "close"})
        return {
            "connected": connected["connected"],
            "connect_failed": connected["failed"],
            **fixed,
            "light": light,
            "rss_mib": {name: rss_bytes(pid) / 2**20 for name, pid in cpu_pids.items()},
        }
    finally:
        await gen.stop()


async def _window(
    gen: JsonLinesProcess,
    config: GatewayBenchConfig,
    rate_per_station: float,
    cpu_pids: dict[str, int],
    metrics_url: str | None,
    profile: tuple[int, Path] | None = None,
) -> dict[str, Any]:
    await gen.send(
        {
            "op": "load",
            "stations": config.stations,
            "rate": config.stations * rate_per_station,
            "warmup_s": config.warmup_s,
            "duration_s": config.duration_s,
        }
    )
    cpu0: dict[str, float] = {}
    cpu1: dict[str, float] = {}
    load_average = 0.0
    buckets0: list[tuple[float, float]] = []
    buckets1: list[tuple[float, float]] = []
    spy: asyncio.subprocess.Process | None = None
    while True:
        event = await gen.next_event(config.duration_s + config.warmup_s + 120)
        kind = event.get("event")
        if kind == "window_start":
            cpu0 = {name: cpu_seconds(pid) for name, pid in cpu_pids.items()}
            load_average = os.getloadavg()[0]
            if metrics_url:
                buckets0 = await scrape_buckets(metrics_url)
            if profile is not None:
                spy = await start_profile(*profile, config.duration_s)
        elif kind == "window_end":
            cpu1 = {name: cpu_seconds(pid) for name, pid in cpu_pids.items()}
            if metrics_url:
                buckets1 = await scrape_buckets(metrics_url)
        elif kind == "result":
            if "error" in event:
                raise RuntimeError(event["error"])
            break
    if spy is not None:
        await asyncio.wait_for(spy.wait(), 60)
    answered = max(1, event["answered"])
    cpu = {name: cpu1[name] - cpu0[name] for name in cpu_pids}
    return {
        **{k: v for k, v in event.items() if k not in ("event", "op")},
        "rate_per_station": rate_per_station,
        "internal_added_latency": window_quantiles(buckets0, buckets1) if metrics_url else {},
        "cpu_us_per_message": {name: value / answered * 1e6 for name, value in cpu.items()},
        "cpu_share": {name: value / config.duration_s for name, value in cpu.items()},
        # the machine's 1-minute load average when the window opened (other work competes for the cores)
        "load_average": load_average,
    }


_BUCKET = re.compile(r'chargebridge_gateway_added_latency_seconds_bucket\{le="([^"]+)"\} ([0-9.e+]+)')


async def scrape_buckets(url: str) -> list[tuple[float, float]]:
    """The cumulative buckets of the gateway's added-latency histogram, (upper bound s, count)."""
    async with httpx.AsyncClient(timeout=30) as client:
        text = (await client.get(url)).text
    return [(float("inf") if le == "+Inf" else float(le), float(count)) for le, count in _BUCKET.findall(text)]


def window_quantiles(
    before: list[tuple[float, float]], after: list[tuple[float, float]], quantiles: tuple[float, ...] = (0.5, 0.99)
) -> dict[str, float | None]:
    """Upper bounds (ms) of the buckets holding each quantile of what the histogram counted in the window."""
    counts = [(le, count - (before[i][1] if before else 0.0)) for i, (le, count) in enumerate(after)]
    total = counts[-1][1] if counts else 0.0
    out: dict[str, float | None] = {}
    for q in quantiles:
        bound = next((le for le, count in counts if total and count >= q * total), None)
        out[f"p{round(q * 100)}_ms"] = None if bound is None or bound == float("inf") else bound * 1000
    out["count"] = total
    return out


async def run_phases(config: GatewayBenchConfig, console: Console, workdir: Path) -> dict[str, Any]:
    """One round: direct, gateway, serve, each with fresh server processes."""
    results: dict[str, Any] = {}
    console.print(f"direct: {config.stations} OCPP 2.0.1 stations -> minimal 2.0.1 CSMS")
    echo = echo_csms(workdir)
    await echo.start()
    try:
        results["direct"] = await measure(config, echo, "2.0.1", {"csms": echo.pid}, workdir)
    finally:
        await echo.stop()

    console.print(f"gateway: {config.stations} OCPP 1.6 stations -> chargebridge gateway -> the same CSMS")
    echo = echo_csms(workdir)
    await echo.start()
    gw, http_port = gateway(workdir, echo.port)
    await gw.start()
    try:
        metrics = f"http://127.0.0.1:{http_port}/metrics"
        pids = {"gateway": gw.pid, "csms": echo.pid}
        spy = (gw.pid, Path(config.profile_dir) / "gateway-profile.txt") if config.profile_dir else None
        results["gateway"] = await measure(config, gw, "1.6", pids, workdir, metrics, spy)
    finally:
        await gw.stop()
        await echo.stop()
        shutil.rmtree(workdir / "gateway-data", ignore_errors=True)

    console.print(f"serve: {config.stations} OCPP 1.6 stations -> chargebridge serve (SQLite)")
    node = serve(workdir)
    await node.start()
    try:
        spy = (node.pid, Path(config.profile_dir) / "serve-profile.txt") if config.profile_dir else None
        results["serve"] = await measure(config, node, "1.6", {"serve": node.pid}, workdir, None, spy)
    finally:
        await node.stop()
        shutil.rmtree(workdir / "serve-data", ignore_errors=True)
    return results


def _brief(results: dict[str, Any]) -> dict[str, Any]:
    via, node = results["gateway"], results["serve"]
    return {
        "gateway_cpu_us": via["cpu_us_per_message"]["gateway"],
        "serve_cpu_us": node["cpu_us_per_message"]["serve"],
        "ratio": via["cpu_us_per_message"]["gateway"] / node["cpu_us_per_message"]["serve"],
        "direct_p50_ms": results["direct"]["p50_ms"],
        "gateway_p50_ms": via["p50_ms"],
        "light_added_p50_ms": via["light"]["p50_ms"] - results["direct"]["light"]["p50_ms"],
        "load_average": via["load_average"],
    }


async def run_gateway_bench(config: GatewayBenchConfig, console: Console, command: str) -> dict[str, Any]:
    raise_fd_limit()
    workdir = Path(tempfile.mkdtemp(prefix="chargebridge-gwbench-"))
    started = time.monotonic()
    rounds: list[dict[str, Any]] = []
    try:
        for number in range(max(1, config.rounds)):
            if config.rounds > 1:
                console.print(f"round {number + 1} of {config.rounds}")
            rounds.append(await run_phases(config, console, workdir))
    finally:
        with contextlib.suppress(Exception):
            shutil.rmtree(workdir, ignore_errors=True)
    # The round with the median CPU ratio stands for the run; every round's brief is kept.
    ordered = sorted(rounds, key=lambda r: _brief(r)["ratio"])
    results = ordered[len(ordered) // 2]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(),
        "config": asdict(config),
        "wall_s": time.monotonic() - started,
        "results": results,
        "rounds": [_brief(r) for r in rounds],
        "summary": summary(results),
    }


def summary(results: dict[str, Any]) -> dict[str, Any]:
    direct, via, node = results["direct"], results["gateway"], results["serve"]

    def diff(a: dict[str, Any], b: dict[str, Any], key: str) -> float | None:
        x, y = a.get(key), b.get(key)
        return x - y if isinstance(x, int | float) and isinstance(y, int | float) else None

    gateway_cpu = via["cpu_us_per_message"]["gateway"]
    serve_cpu = node["cpu_us_per_message"]["serve"]
    added_p99 = diff(via, direct, "p99_ms")
    internal = via.get("internal_added_latency") or {}
    light = via.get("light") or {}
    light_internal = light.get("internal_added_latency") or {}
    return {
        "added_p50_ms": diff(via, direct, "p50_ms"),
        "added_p99_ms": added_p99,
        "internal_p50_ms": internal.get("p50_ms"),
        "internal_p99_ms": internal.get("p99_ms"),
        "light_added_p50_ms": diff(light, direct.get("light") or {}, "p50_ms"),
        "light_added_p99_ms": diff(light, direct.get("light") or {}, "p99_ms"),
        "light_internal_p50_ms": light_internal.get("p50_ms"),
        "light_internal_p99_ms": light_internal.get("p99_ms"),
        "gateway_cpu_us_per_message": gateway_cpu,
        "serve_cpu_us_per_message": serve_cpu,
        "cpu_ratio_to_serve": gateway_cpu / serve_cpu if serve_cpu else None,
        "goal_added_p99_met": added_p99 is not None and added_p99 <= 2.0,
        "goal_internal_p99_met": internal.get("p99_ms") is not None and internal["p99_ms"] <= 2.0,
        "goal_cpu_met": gateway_cpu <= serve_cpu,
    }


def _n(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def markdown(data: dict[str, Any]) -> str:
    r, s, c, m = data["results"], data["summary"], data["config"], data["machine"]
    direct, via, node = r["direct"], r["gateway"], r["serve"]
    lines = [
        f"Run {data['date']} on {m['cpus']} CPUs ({m['cpu_model']}), {m['memory_gib']} GiB, Linux {m['kernel']}, "
        f"{m['implementation']} {m['python']}; wall time {data['wall_s']:.0f} s.",
        "",
        "```",
        data["command"],
        "```",
        "",
        f"{c['stations']:,} stations x {c['rate']:g} msg/s = {c['stations'] * c['rate']:,.0f} messages/s, "
        f"{c['duration_s']:g} s measured after {c['warmup_s']:g} s of warm-up, in each phase (after a light "
        f"level of {c['light_rate']:g} msg/s per station measured the same way). Unlabelled rows are the "
        f"fixed level.",
        "",
        "| figure | direct (2.0.1 -> CSMS) | via gateway (1.6 -> gateway -> 2.0.1 CSMS) | serve (1.6, SQLite) |",
        "| --- | --- | --- | --- |",
        f"| light load ({c['stations'] * c['light_rate']:,.0f} msg/s): CALL round trip p50 / p99 (ms) "
        f"| {_n(direct['light']['p50_ms'])} / {_n(direct['light']['p99_ms'])} "
        f"| {_n(via['light']['p50_ms'])} / {_n(via['light']['p99_ms'])} "
        f"| {_n(node['light']['p50_ms'])} / {_n(node['light']['p99_ms'])} |",
        f"| light load: CPU per message (us) | - | {_n(via['light']['cpu_us_per_message']['gateway'], 0)} (gateway) "
        f"| {_n(node['light']['cpu_us_per_message']['serve'], 0)} |",
        f"| CALL round trip p50 (ms) | {_n(direct['p50_ms'])} | {_n(via['p50_ms'])} | {_n(node['p50_ms'])} |",
        f"| CALL round trip p99 (ms) | {_n(direct['p99_ms'])} | {_n(via['p99_ms'])} | {_n(node['p99_ms'])} |",
        f"| answered / sent | {_n(direct['answered'])} / {_n(direct['sent'])} "
        f"| {_n(via['answered'])} / {_n(via['sent'])} | {_n(node['answered'])} / {_n(node['sent'])} |",
        f"| CALLERRORs / busy skips | {direct['errors']} / {direct['skipped_busy']} "
        f"| {via['errors']} / {via['skipped_busy']} | {node['errors']} / {node['skipped_busy']} |",
        f"| CPU per message, server under test (us) | - | {_n(via['cpu_us_per_message']['gateway'], 0)} (gateway) "
        f"| {_n(node['cpu_us_per_message']['serve'], 0)} |",
        f"| CPU per message, minimal CSMS (us) | {_n(direct['cpu_us_per_message']['csms'], 0)} "
        f"| {_n(via['cpu_us_per_message']['csms'], 0)} | - |",
        f"| CPU share of the server under test (cores) | {_n(direct['cpu_share']['csms'])} (CSMS) "
        f"| {_n(via['cpu_share']['gateway'])} (gateway) | {_n(node['cpu_share']['serve'])} |",
        f"| machine load average at the window (1 min) | {_n(direct['load_average'])} "
        f"| {_n(via['load_average'])} | {_n(node['load_average'])} |",
        f"| RSS at the end (MiB) | {_n(direct['rss_mib']['csms'], 0)} (CSMS) "
        f"| {_n(via['rss_mib']['gateway'], 0)} (gateway) | {_n(node['rss_mib']['serve'], 0)} |",
        "",
        *_rounds_table(data),
        "| goal (issue 13) | measured | verdict |",
        "| --- | --- | --- |",
        f"| p99 added latency <= 2 ms, end to end (gateway p99 - direct p99) | {_n(s['added_p99_ms'])} ms "
        f"(p50: {_n(s['added_p50_ms'])} ms) | {'**met**' if s['goal_added_p99_met'] else '**missed**'} |",
        f"| p99 added latency <= 2 ms, inside the gateway (its histogram over the window, bucket bounds) "
        f"| p50 <= {_n(s['internal_p50_ms'])} ms, p99 <= {_n(s['internal_p99_ms'])} ms "
        f"| {'**met**' if s['goal_internal_p99_met'] else '**missed**'} |",
        f"| (light load, for reference) added latency end to end | p50 {_n(s['light_added_p50_ms'])} ms, "
        f"p99 {_n(s['light_added_p99_ms'])} ms; inside the gateway p50 <= {_n(s['light_internal_p50_ms'])} ms, "
        f"p99 <= {_n(s['light_internal_p99_ms'])} ms | - |",
        f"| CPU per message <= serve's | {_n(s['gateway_cpu_us_per_message'], 0)} us against "
        f"{_n(s['serve_cpu_us_per_message'], 0)} us ({_n(s['cpu_ratio_to_serve'])}x) | "
        f"{'**met**' if s['goal_cpu_met'] else '**missed**'} |",
    ]
    return "\n".join(lines)


def _rounds_table(data: dict[str, Any]) -> list[str]:
    rounds = data.get("rounds") or []
    if len(rounds) < 2:
        return []
    lines = [
        f"All {len(rounds)} rounds (the table above is the round with the median CPU ratio):",
        "",
        "| round | gateway CPU (us/msg) | serve CPU (us/msg) | ratio | p50 direct / gateway (ms) "
        "| light load: added p50 (ms) | load average |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for number, r in enumerate(rounds, 1):
        lines.append(
            f"| {number} | {_n(r['gateway_cpu_us'], 0)} | {_n(r['serve_cpu_us'], 0)} | {_n(r['ratio'])}x "
            f"| {_n(r['direct_p50_ms'])} / {_n(r['gateway_p50_ms'])} | {_n(r['light_added_p50_ms'])} "
            f"| {_n(r['load_average'])} |"
        )
    lines.append("")
    return lines


def write_gateway_docs(data: dict[str, Any], path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    block = f"{START}\n{markdown(data)}\n{END}"
    if START in text and END in text:
        before, rest = text.split(START, 1)
        _, after = rest.split(END, 1)
        text = before + block + after
    else:
        text = text.rstrip("\n") + "\n\n## Translating gateway\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
