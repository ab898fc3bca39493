"""Counters the stations bump, and the plain snapshot the runner reports."""

from __future__ import annotations

from dataclasses import dataclass


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
