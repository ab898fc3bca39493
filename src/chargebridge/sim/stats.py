"""Counters the stations bump, and the plain snapshot the runner reports."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Counters:
    """Live counters shared by the stations of one fleet (one event loop, so no locking)."""

    connected: int = 0
    booted: int = 0
    messages_in: int = 0
    messages_out: int = 0
    errors: int = 0
    reconnects: int = 0
    call_timeouts: int = 0
    call_errors: int = 0
    commands: int = 0
    transactions_started: int = 0
    transactions_completed: int = 0
    transactions_unacknowledged: int = 0
    peak_connected: int = 0
    # Authorize answers other than Accepted (a session that did not start), by status.
    authorize_refused: dict[str, int] = field(default_factory=dict)
    # Why each error was counted (a short reason -> how many times).
    error_reasons: dict[str, int] = field(default_factory=dict)

    def error(self, reason: str) -> None:
        self.errors += 1
        self.error_reasons[reason] = self.error_reasons.get(reason, 0) + 1

    def now_connected(self) -> None:
        self.connected += 1
        self.peak_connected = max(self.peak_connected, self.connected)


def top_reasons(reasons: dict[str, int], limit: int = 3) -> str:
    """``2 connect refused: HTTP 404, 1 ...`` (the most frequent first)."""
    ranked = sorted(reasons.items(), key=lambda item: (-item[1], item[0]))
    text = ", ".join(f"{count} {reason}" for reason, count in ranked[:limit])
    if len(ranked) > limit:
        text += f", {sum(count for _r, count in ranked[limit:])} other"
    return text


@dataclass(frozen=True, slots=True)
class FleetStats:
    """A snapshot of a fleet: what the live view shows and what tests and benchmarks read."""

    stations_total: int
    connected: int
    booted: int
    active_sessions: int
    messages_in: int
    messages_out: int
    errors: int
    reconnects: int
    call_timeouts: int
    call_errors: int
    commands: int
    transactions_started: int
    transactions_completed: int
    transactions_unacknowledged: int
    elapsed_s: float
    simulated_s: float
    peak_connected: int = 0
    ever_booted: int = 0  # stations that booted at least once
    error_reasons: tuple[tuple[str, int], ...] = ()
    authorize_refused: tuple[tuple[str, int], ...] = ()
