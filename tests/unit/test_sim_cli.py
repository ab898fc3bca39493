"""The ``sim`` command and the live view, without a server."""

from __future__ import annotations

from pathlib import Path

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


def stats(**changes: float) -> FleetStats:
    values: dict[str, float] = dict.fromkeys(FleetStats.__dataclass_fields__, 0)
    values |= {"stations_total": 10, "connected": 7, "active_sessions": 3, "elapsed_s": 1.0}
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
