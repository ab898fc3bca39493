"""What ``chargebridge sim`` tells an operator, against a real node (issue #19, item 10): why
errors happened, that stations did connect and boot after they disconnect at the end, and why
no session starts without a registered id token."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from chargebridge.sim.fleet import Fleet, SimConfig
from chargebridge.sim.live import render
from tests.conftest import start_node


def text_of(stats: object) -> str:
    console = Console(width=250, record=True)
    console.print(render(stats, title="final"))  # type: ignore[arg-type]
    return console.export_text()


async def test_unknown_station_errors_say_why(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=False)
    try:
        config = SimConfig(
            url=node.ocpp_url,
            stations=1,
            scenario="idle",
            duration=1.5,
            ramp_up_s=0.0,
            backoff_minimum_s=1,
            backoff_random_range_s=1,
        )
        stats = await Fleet(config).run()
    finally:
        await node.app.stop()
    assert stats.errors >= 1 and stats.peak_connected == 0
    (reason, count), *_ = stats.error_reasons
    assert reason.startswith("handshake refused: HTTP 404 (unknown station id") and count == stats.errors
    assert "handshake refused: HTTP 404" in text_of(stats)


async def test_connected_booted_and_refused_sessions_are_reported(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True)
    try:
        config = SimConfig(
            url=node.ocpp_url,
            stations=2,
            version="mixed",
            scenario="charging",
            time_scale=600.0,  # sessions every few simulated minutes
            duration=4.0,
            ramp_up_s=0.0,
            seed=5,
        )
        stats = await Fleet(config).run()
    finally:
        await node.app.stop()
    assert stats.connected == 0 and stats.peak_connected == 2 and stats.ever_booted == 2
    assert stats.transactions_started == 0 and dict(stats.authorize_refused).get("Invalid", 0) >= 1
    text = text_of(stats)
    assert "0 / 2 (peak 2)" in text and "2 at least once" in text and "Authorize answered Invalid" in text
