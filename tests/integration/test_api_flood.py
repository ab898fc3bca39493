"""The gateway's latency does not depend on what the HTTP side is doing (issue 11, item 2).

API and gateway share one event loop. A healthy station's Heartbeat round trip is measured
without load and then while several clients POST large bodies to the API: without a token
(refused before a byte of the body is read), with a valid token and a declared length past the
cap (413 at once), with a valid token and a chunked body that runs past the cap (413 as soon as
it does), and with a valid token and a JSON array just under the cap (refused before
validation). The flood clients and the measurement are the benchmark's (``python -m bench
flood``, bench/flood.py); they send from threads with blocking sockets, so that sending the
flood does not borrow the server's loop. The node runs in this process: its RSS is ours.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from bench.flood import Flood, scheduled_latencies, summary

from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT16, RawStation


def _rss_bytes() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


async def test_heartbeat_latency_does_not_depend_on_an_api_flood(sqlite_node: Node) -> None:
    station = await RawStation.open(sqlite_node.ocpp_url, random_id("HEALTHY"))

    async def heartbeat() -> None:
        frame = await station.call("Heartbeat", {}, timeout=30)
        assert frame[0] == 3, frame

    try:
        assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
        quiet = summary(await scheduled_latencies(heartbeat, 2.0))
        flood = Flood(sqlite_node.http_url, sqlite_node.admin_token, body_bytes=8 * 2**20)
        rss_before = peak = _rss_bytes()
        flood.start(["no-token", "no-token", "no-token", "declared-too-big", "chunked", "big-json"])
        try:
            measuring = asyncio.create_task(scheduled_latencies(heartbeat, 5.0))
            while not measuring.done():
                peak = max(peak, _rss_bytes())
                await asyncio.sleep(0.05)
            loud = summary(measuring.result())
        finally:
            await asyncio.to_thread(flood.join)
        answers = dict(flood.answers)
        report = (
            f"heartbeat quiet {quiet}, during the flood {loud}; RSS +{(peak - rss_before) / 2**20:.0f} MiB; {answers}"
        )
        print(report)
        # The flood happened and was refused the right way ...
        assert answers.get("no-token:401", 0) >= 10, report
        assert answers.get("declared-too-big:413", 0) >= 3, report
        assert answers.get("chunked:413", 0) >= 3, report
        assert answers.get("big-json:422", 0) >= 3, report
        assert not [kind for kind in answers if not kind.endswith((":401", ":413", ":422"))], report
        # ... and the station did not notice: its tail stays low, its median hardly moves.
        assert loud["p95_ms"] < 100, report
        assert loud["p50_ms"] < quiet["p50_ms"] + 20, report
        assert peak - rss_before < 100 * 2**20, report
    finally:
        await station.close()
