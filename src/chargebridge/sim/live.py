"""A live terminal view of a running fleet (rich)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.console import Console
from rich.live import Live
from rich.table import Table

from chargebridge.sim.stats import FleetStats, top_reasons


def render(stats: FleetStats, rate_in: float = 0.0, rate_out: float = 0.0, *, title: str = "chargebridge sim") -> Table:
    table = Table(title=title, show_header=False, min_width=44)
    table.add_column("what", style="bold")
    table.add_column("value", justify="right")
    table.add_row("stations connected", f"{stats.connected} / {stats.stations_total} (peak {stats.peak_connected})")
    table.add_row("stations booted", f"{stats.booted} now, {stats.ever_booted} at least once")
    table.add_row("active sessions", str(stats.active_sessions))
    table.add_row("messages/s in", f"{rate_in:,.1f}")
    table.add_row("messages/s out", f"{rate_out:,.1f}")
    table.add_row("transactions done", f"{stats.transactions_completed} (+{stats.transactions_unacknowledged} unacked)")
    table.add_row("reconnects", str(stats.reconnects))
    refused = sum(count for _status, count in stats.authorize_refused)
    if refused:
        statuses = ", ".join(f"{status} {count}" for status, count in stats.authorize_refused)
        table.add_row("sessions refused", f"{refused} (Authorize answered {statuses})")
    table.add_row("errors", str(stats.errors) + (f": {top_reasons(dict(stats.error_reasons))}" if stats.errors else ""))
    table.add_row("CALLs unanswered", f"{stats.call_timeouts} timeouts, {stats.call_errors} CALLERRORs")
    table.add_row("time", f"{stats.elapsed_s:,.0f} s real, {stats.simulated_s / 60:,.1f} min simulated")
    return table


class Rates:
    """Messages per second between two snapshots."""

    def __init__(self) -> None:
        self._last: FleetStats | None = None

    def update(self, stats: FleetStats) -> tuple[float, float]:
        last, self._last = self._last, stats
        if last is None or stats.elapsed_s <= last.elapsed_s:
            return 0.0, 0.0
        span = stats.elapsed_s - last.elapsed_s
        return (stats.messages_in - last.messages_in) / span, (stats.messages_out - last.messages_out) / span


async def show_live(
    snapshot: Callable[[], FleetStats], done: asyncio.Event, *, refresh_s: float = 0.5, console: Console | None = None
) -> None:
    """Redraw the fleet's ``snapshot()`` until ``done`` is set."""
    rates = Rates()
    with Live(render(snapshot()), console=console, refresh_per_second=4, transient=False) as live:
        while not done.is_set():
            stats = snapshot()
            live.update(render(stats, *rates.update(stats)))
            try:
                async with asyncio.timeout(refresh_s):
                    await done.wait()
            except TimeoutError:
                continue
        live.update(render(snapshot()))
