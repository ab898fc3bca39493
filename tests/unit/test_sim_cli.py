"""The ``sim`` command and the live view, without a server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from chargebridge.sim.cli import sim
from chargebridge.sim.live import Rates, render
from chargebridge.sim.stats import FleetStats


def app() -> typer.Typer:
    application = typer.Typer()
    application.command("sim")(sim)

    @application.command("noop")
    def noop() -> None:  # a second command keeps "sim" a sub-command, as in the real CLI
        """Nothing."""

    return application


def stats(**changes: Any) -> FleetStats:
    values: dict[str, Any] = dict.fromkeys(FleetStats.__dataclass_fields__, 0)
    values |= {"stations_total": 10, "connected": 7, "active_sessions": 3, "elapsed_s": 1.0}
    values |= {"error_reasons": (), "authorize_refused": ()}
    values |= changes
    return FleetStats(**values)  # type: ignore[arg-type]


def test_render_shows_the_fleet() -> None:
    console = Console(width=100, record=True)
    console.print(render(stats(), 12.5, 3.0))
    text = console.export_text()
    assert "7 / 10" in text and "12.5" in text and "active sessions" in text


def test_rates_between_snapshots() -> None:
    rates = Rates()
    assert rates.update(stats(messages_in=0, messages_out=0, elapsed_s=1.0)) == (0.0, 0.0)
    assert rates.update(stats(messages_in=100, messages_out=50, elapsed_s=3.0)) == (50.0, 25.0)


def test_cli_runs_an_empty_fleet(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    result = CliRunner().invoke(
        app(), ["sim", "--stations", "0", "--duration", "0.1", "--no-live", "--ledger", str(ledger)]
    )
    assert result.exit_code == 0, result.output
    assert "final" in result.output and "0 transactions" in result.output


def test_cli_refuses_bad_options() -> None:
    result = CliRunner().invoke(app(), ["sim", "--version", "3.0", "--no-live"])
    assert result.exit_code == 2
    result = CliRunner().invoke(app(), ["sim", "--profile", "no-such-charger", "--no-live"])
    assert result.exit_code == 2
    help_text = CliRunner().invoke(app(), ["sim", "--help"]).output
    assert "--time-scale" in help_text and "--profile" in help_text


def test_the_final_table_says_what_happened_and_why() -> None:
    """Issue #19, item 10: a station that connected and booted is counted as such after it
    disconnected at the end; errors carry their reasons; refused sessions are shown."""
    console = Console(width=200, record=True)
    final = stats(
        stations_total=1,
        connected=0,
        booted=0,
        peak_connected=1,
        ever_booted=1,
        errors=3,
        error_reasons=(("handshake refused: HTTP 404 (unknown station id)", 2), ("connect timed out", 1)),
        authorize_refused=(("Invalid", 4),),
    )
    console.print(render(final, title="final"))
    text = console.export_text()
    assert "0 / 1 (peak 1)" in text and "0 now, 1 at least once" in text
    assert "3: 2 handshake refused: HTTP 404 (unknown station id), 1 connect timed out" in text
    assert "sessions refused" in text and "4 (Authorize answered Invalid 4)" in text


def test_connect_failures_and_firmware_batches_are_explained() -> None:
    from websockets.datastructures import Headers
    from websockets.exceptions import InvalidStatus
    from websockets.http11 import Response

    from chargebridge.sim.cli import parse_batch
    from chargebridge.sim.firmware import FirmwareBatch, FirmwareFault
    from chargebridge.sim.station import connect_failure

    refused = InvalidStatus(Response(404, "Not Found", Headers()))
    assert connect_failure(refused).startswith("handshake refused: HTTP 404 (unknown station id")
    assert connect_failure(ConnectionRefusedError(111, "Connection refused")) == "cannot connect: Connection refused"
    assert connect_failure(TimeoutError()) == "connect timed out"
    assert parse_batch("rev-a") == FirmwareBatch("rev-a")
    assert parse_batch("rev-b=boot_loop") == FirmwareBatch("rev-b", FirmwareFault.BOOT_LOOP)
    with pytest.raises(ValueError, match="unknown fault 'melt'"):
        parse_batch("rev-c=melt")


def test_cli_takes_firmware_batches_and_warns_without_an_id_token(tmp_path: Path) -> None:
    result = CliRunner().invoke(app(), ["sim", "--firmware-batch", "rev-c=melt", "--no-live"])
    assert result.exit_code == 2 and "unknown fault" in result.output
    result = CliRunner().invoke(
        app(),
        [
            "sim",
            "--stations",
            "1",
            "--duration",
            "0.2",
            "--no-live",
            "--url",
            "ws://127.0.0.1:9/ocpp",
            "--firmware-batch",
            "rev-a",
            "--firmware-batch",
            "rev-b=install_failure",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "no --id-token given" in " ".join(result.output.split())
    assert "cannot connect" in result.output
