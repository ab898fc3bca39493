"""``python -m bench flood``: a healthy station's Heartbeat latency while the REST API is flooded.

The gateway and the API share one event loop, so what the HTTP side does can delay every
charger (issue 11: three 30 MB POSTs without a token pushed a heartbeat from 0.8 ms to 2.7 s).
This figure runs chargebridge (``serve``, SQLite) in its own process, connects one station,
and measures its Heartbeat round trip on a fixed schedule, first with no other traffic, then
while flood clients POST large bodies in a loop:

- ``no-token``: a 30 MB JSON body without a token (refused before a byte of it is read);
- ``declared-too-big``: a valid token and ``Content-Length`` of 30 MB (413 at once);
- ``chunked``: a valid token and a chunked 30 MB body (413 once it passes the 1 MiB cap);
- ``big-json``: a valid token and a body just under the cap, a 500,000-item JSON array (parsed
  once and refused, 422, before validation): the most an authenticated client can make the
  server parse per request.

Latency is measured from when each beat was due, so a stall counts in every beat it delayed.
The same clients and measurement run in ``tests/integration/test_api_flood.py``.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
import select
import shutil
import socket
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

START = "<!-- bench:flood:start -->"
END = "<!-- bench:flood:end -->"
KINDS = ("no-token", "declared-too-big", "chunked", "big-json")


def http_exchange(http_url: str, head: bytes, body: Iterable[bytes | memoryview] = (), timeout: float = 30.0) -> bytes:
    """One raw HTTP/1.1 exchange on a blocking socket (run it in a thread): send the head, then the
    body piece by piece, stopping as soon as an answer is there, and return the raw answer.

    A server that refuses a body answers before reading it and closes the connection; a client that
    only reads once it has sent everything (httpx) then gets a reset instead of the answer. Data that
    arrived before a reset can still be read, which is what this does.
    """
    host, port = http_url.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(head)
        wait = 0.2  # an answer to the head alone comes at once
        for piece in body:
            if select.select([sock], [], [], wait)[0]:
                break
            wait = 0.0
            try:
                sock.sendall(piece)
            except OSError:
                break  # the server answered and closed while we were still sending
        answer = b""
        while True:
            try:
                data = sock.recv(65536)
            except OSError:
                return answer
            if not data:
                return answer
            answer += data
            head_end = answer.find(b"\r\n\r\n")
            if head_end >= 0:
                match = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", answer[:head_end])
                if len(answer) >= head_end + 4 + (int(match.group(1)) if match else 0):
                    return answer


def http_status(answer: bytes) -> str:
    """The status code of a raw answer ("" if there was none)."""
    return answer[9:12].decode() if answer.startswith(b"HTTP/1.1 ") else ""


def json_array(size: int) -> bytes:
    """A valid JSON array of zeros, ``size`` bytes long (odd sizes are one byte shorter)."""
    return b"[" + b"0," * max(0, (size - 3) // 2) + b"0]"


class Flood:
    """Threads with blocking sockets POSTing large bodies in a loop until stopped (so that sending
    the flood does not use the server's loop when both run in one process); counts the answers."""

    def __init__(self, http_url: str, token: str, body_bytes: int = 30 * 2**20, json_cap: int = 2**20):
        self.url, self.token = http_url, token
        self.big = json_array(body_bytes)
        self.under_cap = json_array(json_cap - 64)
        self.stop = threading.Event()
        self.answers: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._ids = itertools.count(1)

    def start(self, kinds: Iterable[str]) -> None:
        for kind in kinds:
            if kind not in KINDS:
                raise ValueError(f"unknown flood client {kind!r}")
            thread = threading.Thread(target=self._loop, args=(kind,), daemon=True, name=f"flood-{kind}")
            thread.start()
            self._threads.append(thread)

    def join(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(60)

    def _loop(self, kind: str) -> None:
        while not self.stop.is_set():
            try:
                status = http_status(self.one(kind)) or "no answer"
            except OSError as exc:
                status = type(exc).__name__
            with self._lock:
                self.answers[f"{kind}:{status}"] += 1

    def one(self, kind: str) -> bytes:
        path = f"/api/v1/stations/FLOOD-{next(self._ids)}/commands/remote-start"
        auth = b"" if kind == "no-token" else f"Authorization: Bearer {self.token}\r\n".encode()
        head = f"POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n".encode() + auth
        piece = 256 * 1024
        if kind == "chunked":
            return http_exchange(self.url, head + b"Transfer-Encoding: chunked\r\n\r\n", _chunked(self.big, piece))
        body = self.under_cap if kind == "big-json" else self.big
        declared = len(body) if kind != "declared-too-big" else 30 * 2**20
        view = memoryview(body)
        pieces = [view[i : i + piece] for i in range(0, len(view), piece)]
        return http_exchange(self.url, head + f"Content-Length: {declared}\r\n\r\n".encode(), pieces)


def _chunked(body: bytes, piece: int) -> Iterator[bytes]:
    """``body`` in HTTP/1.1 chunked encoding, one piece at a time (copied lazily)."""
    view = memoryview(body)
    for start in range(0, len(view), piece):
        part = view[start : start + piece]
        yield b"%x\r\n" % len(part) + part + b"\r\n"
    yield b"0\r\n\r\n"


async def scheduled_latencies(
    call: Callable[[], Awaitable[Any]], seconds: float, interval: float = 0.02
) -> list[float]:
    """Round trips of ``call`` on a fixed schedule, each measured from when it was due (ms): a
    stall shows in every call it delayed, not only in the one that was waiting."""
    latencies: list[float] = []
    start = time.perf_counter()
    for beat in range(int(seconds / interval)):
        due = start + beat * interval
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await call()
        latencies.append((time.perf_counter() - due) * 1000)
    return latencies


def summary(latencies: list[float]) -> dict[str, float | int]:
    ordered = sorted(latencies)

    def pct(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "beats": len(ordered),
        "p50_ms": pct(0.5),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "max_ms": round(ordered[-1], 2),
        "mean_ms": round(statistics.fmean(ordered), 2),
    }


@dataclass(slots=True)
class FloodConfig:
    quiet_s: float = 5.0  # heartbeats with no flood
    duration_s: float = 10.0  # heartbeats during the flood
    interval_s: float = 0.02  # one heartbeat due every 20 ms
    no_token_clients: int = 3
    declared_clients: int = 1
    chunked_clients: int = 1
    big_json_clients: int = 1
    body_mib: int = 30

    def kinds(self) -> list[str]:
        return (
            ["no-token"] * self.no_token_clients
            + ["declared-too-big"] * self.declared_clients
            + ["chunked"] * self.chunked_clients
            + ["big-json"] * self.big_json_clients
        )


QUICK = {"quiet_s": 2.0, "duration_s": 4.0, "body_mib": 8}


async def run_flood(config: FloodConfig, command: str, log: Callable[[str], None] = print) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    from bench.orchestrator import PG_DEFAULT, Server
    from bench.procstat import cpu_seconds, machine_info, rss_bytes

    workdir = Path(tempfile.mkdtemp(prefix="chargebridge-flood-"))
    started = time.monotonic()
    server = Server("chargebridge-sqlite", workdir, PG_DEFAULT)
    try:
        await server.prepare()
        await server.start()
        assert server.token is not None
        ws = await connect(f"{server.url}/HEALTHY-1", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
        ids = iter(range(1, 10**9))

        async def call(action: str, payload: dict[str, Any]) -> Any:
            message_id = str(next(ids))
            await ws.send(json.dumps([2, message_id, action, payload]))
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 60))
                if frame[1] == message_id:
                    return frame

        async def heartbeat() -> None:
            frame = await call("Heartbeat", {})
            if frame[0] != 3:
                raise RuntimeError(f"heartbeat answered {frame}")

        try:
            await call("BootNotification", {"chargePointVendor": "Bench", "chargePointModel": "Healthy"})
            log(f"quiet: {config.quiet_s:g} s of heartbeats")
            quiet = await scheduled_latencies(heartbeat, config.quiet_s, config.interval_s)
            rss_before = rss_bytes(server.pid)
            cpu_before = cpu_seconds(server.pid)
            flood = Flood(server.api.rsplit("/api/", 1)[0], server.token, config.body_mib * 2**20)
            log(f"flood: {config.duration_s:g} s of heartbeats while {len(config.kinds())} clients POST")
            flood.start(config.kinds())
            peak = rss_before
            try:
                measuring = asyncio.create_task(scheduled_latencies(heartbeat, config.duration_s, config.interval_s))
                while not measuring.done():
                    peak = max(peak, rss_bytes(server.pid))
                    await asyncio.sleep(0.05)
                loud = measuring.result()
            finally:
                await asyncio.to_thread(flood.join)
            cpu_flood = cpu_seconds(server.pid) - cpu_before
            rss_after = rss_bytes(server.pid)
        finally:
            await ws.close()
    finally:
        await server.cleanup()
        shutil.rmtree(workdir, ignore_errors=True)
    answers = dict(sorted(flood.answers.items()))
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": command,
        "machine": machine_info(),
        "config": asdict(config),
        "wall_s": time.monotonic() - started,
        "quiet": summary(quiet),
        "flood": summary(loud),
        "answers": answers,
        "requests_per_s": round(sum(answers.values()) / config.duration_s, 1),
        "server_cpu_share": round(cpu_flood / config.duration_s, 2),
        "rss_mib": {
            "before": round(rss_before / 2**20, 1),
            "peak": round(peak / 2**20, 1),
            "after": round(rss_after / 2**20, 1),
        },
    }


def markdown(data: dict[str, Any]) -> str:
    machine, config = data["machine"], data["config"]
    quiet, loud = data["quiet"], data["flood"]
    rows = [
        ("p50", "p50_ms"),
        ("p95", "p95_ms"),
        ("p99", "p99_ms"),
        ("max", "max_ms"),
    ]
    lines = [
        f"Run {data['date']} on {machine['cpus']} CPUs ({machine['cpu_model']}), "
        f"{machine['implementation']} {machine['python']}; wall time {data['wall_s']:.0f} s.",
        "",
        "```",
        data["command"],
        "```",
        "",
        f"One station, a Heartbeat due every {config['interval_s'] * 1000:g} ms: {config['quiet_s']:g} s alone, then "
        f"{config['duration_s']:g} s while the flood clients ({', '.join(_client_counts(config))}) POST "
        f"{config['body_mib']} MB bodies in a loop.",
        "",
        "| heartbeat round trip (ms) | no flood | during the flood |",
        "| --- | --- | --- |",
        *[f"| {label} | {quiet[key]:.2f} | {loud[key]:.2f} |" for label, key in rows],
        "",
        f"Flood answers ({data['requests_per_s']:g} requests/s): "
        + ", ".join(f"{k} x {v:,}" for k, v in data["answers"].items())
        + f". Server CPU during the flood: {data['server_cpu_share']:.2f} cores. "
        f"Server RSS: {data['rss_mib']['before']:g} MiB before, {data['rss_mib']['peak']:g} MiB at the peak, "
        f"{data['rss_mib']['after']:g} MiB after.",
    ]
    return "\n".join(lines) + "\n"


def _client_counts(config: dict[str, Any]) -> list[str]:
    counts = {
        "no-token": config["no_token_clients"],
        "declared-too-big": config["declared_clients"],
        "chunked": config["chunked_clients"],
        "big-json": config["big_json_clients"],
    }
    return [f"{n} {kind}" for kind, n in counts.items() if n]


def write_docs(data: dict[str, Any], docs: Path) -> None:
    """Replace the flood block of ``docs`` (or append one)."""
    block = f"{START}\n{markdown(data)}{END}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    docs.write_text(text, encoding="utf-8")
