"""The gateway's latency does not depend on what the HTTP side is doing (issue 11, item 2).

API and gateway share one event loop. A healthy station's Heartbeat round trip is measured
without load and then while several clients POST huge bodies to the API: without a token
(refused before a byte of the body is read), with a valid token and a declared length past the
cap (413 at once), and with a valid token and a chunked body that runs past the cap (413 as soon
as it does). The flood runs in threads with blocking sockets so that sending it does not borrow
the server's loop; the node runs in this process, so its RSS is this process's RSS.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from collections import Counter
from pathlib import Path

from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT16, RawStation, http_exchange, http_status

BIG_JSON = b"[" + b"0," * (4 * 2**20) + b"0]"  # 8 MiB of valid JSON: a 4-million-item array


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 2 else values[0]


class Flood:
    """Clients that POST large bodies in a loop until stopped; counts the answers they get."""

    def __init__(self, http_url: str, token: str):
        self.url, self.token = http_url, token
        self.stop = threading.Event()
        self.answers: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def _loop(self, kind: str) -> None:
        while not self.stop.is_set():
            status = self._one(kind)
            with self._lock:
                self.answers[f"{kind}:{status}"] += 1

    def _one(self, kind: str) -> str:
        path = f"/api/v1/stations/{random_id()}/commands/remote-start"
        auth = b"" if kind == "no-token" else f"Authorization: Bearer {self.token}\r\n".encode()
        if kind == "chunked":
            head = (
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
                + auth
                + b"Transfer-Encoding: chunked\r\n\r\n"
            )

            piece = BIG_JSON[: 256 * 1024]
            chunks = [b"%x\r\n" % len(piece) + piece + b"\r\n"] * 32 + [b"0\r\n\r\n"]  # 8 MiB
            return http_status(http_exchange(self.url, head, chunks)) or "no answer"
        declared = len(BIG_JSON) if kind == "no-token" else 30 * 2**20
        head = (
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n".encode()
            + auth
            + f"Content-Length: {declared}\r\n\r\n".encode()
        )
        view = memoryview(BIG_JSON)
        pieces = (view[i : i + 256 * 1024] for i in range(0, len(view), 256 * 1024))
        return http_status(http_exchange(self.url, head, pieces)) or "no answer"

    def start(self, kinds: list[str]) -> None:
        for kind in kinds:
            thread = threading.Thread(target=self._loop, args=(kind,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def join(self) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join(60)


async def _heartbeats(station: RawStation, seconds: float, interval: float = 0.02) -> list[float]:
    """Heartbeat round trips on a fixed schedule, each measured from when it was due: a stall
    shows in every beat it delayed, not only in the one that was waiting (no coordinated omission)."""
    latencies: list[float] = []
    start = time.perf_counter()
    for beat in range(int(seconds / interval)):
        due = start + beat * interval
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        frame = await station.call("Heartbeat", {}, timeout=30)
        latencies.append((time.perf_counter() - due) * 1000)
        assert frame[0] == 3, frame
    return latencies


async def test_heartbeat_latency_does_not_depend_on_an_api_flood(sqlite_node: Node) -> None:
    station = await RawStation.open(sqlite_node.ocpp_url, random_id("HEALTHY"))
    try:
        assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
        quiet = await _heartbeats(station, 2.0)
        rss_before = _rss_bytes()
        flood = Flood(sqlite_node.http_url, sqlite_node.admin_token)
        peak = rss_before
        flood.start(["no-token", "no-token", "no-token", "declared-too-big", "chunked"])
        try:
            measuring = asyncio.create_task(_heartbeats(station, 5.0))
            while not measuring.done():
                peak = max(peak, _rss_bytes())
                await asyncio.sleep(0.05)
            loud = measuring.result()
        finally:
            await asyncio.to_thread(flood.join)
        answers = dict(flood.answers)
        summary = (
            f"heartbeat p95 quiet {_p95(quiet):.1f} ms, during the flood {_p95(loud):.1f} ms "
            f"(max {max(loud):.1f} ms, {len(loud)} beats); RSS +{(peak - rss_before) / 2**20:.0f} MiB; {answers}"
        )
        print(summary)
        # The flood happened and was refused the right way ...
        assert answers.get("no-token:401", 0) >= 10, summary
        assert answers.get("declared-too-big:413", 0) >= 3, summary
        assert answers.get("chunked:413", 0) >= 3, summary
        # ... and the station did not notice.
        assert _p95(loud) < 100, summary
        assert peak - rss_before < 100 * 2**20, summary
        assert (await station.call("Heartbeat", {}))[0] == 3
    finally:
        await station.close()
