"""Campaign planning and judging, pure: waves per hardware batch, maintenance windows, health
gates and what an outcome means for the compatibility matrix.

A *batch* is the stations of one hardware revision. Waves are cut per batch, so that every
batch has at least one station in the canary wave: a faulty hardware batch then shows up in the
canary however small it is, which is the point of a staged rollout across mixed hardware.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum


class Compatibility(StrEnum):
    CERTIFIED = "certified"
    COMPATIBLE = "compatible"
    KNOWN_ISSUE = "known-issue"
    BLOCKED = "blocked"


# The API refuses blocked and unknown combinations (unless an admin overrides with a reason).
ALLOWED = frozenset({Compatibility.CERTIFIED, Compatibility.COMPATIBLE, Compatibility.KNOWN_ISSUE})


def allowed(status: str | None) -> bool:
    return status is not None and status in ALLOWED


def cumulative_counts(size: int, waves: Sequence[float]) -> list[int]:
    """How many stations of a batch of ``size`` are updated after each wave (cumulative percentages).

    The first wave has at least one station, counts never go down, and the last wave takes them all.
    """
    counts: list[int] = []
    previous = 0
    for index, percent in enumerate(waves):
        wanted = math.ceil(size * percent / 100.0)
        if index == 0:
            wanted = max(wanted, 1)
        if index == len(waves) - 1:
            wanted = size
        previous = min(size, max(previous, wanted))
        counts.append(previous)
    return counts


def assign_waves(batches: dict[str, list[str]], waves: Sequence[float]) -> dict[str, int]:
    """Station id -> wave index (0 = canary), cut per batch. Stations of a batch in the given order."""
    plan: dict[str, int] = {}
    for station_ids in batches.values():
        counts = cumulative_counts(len(station_ids), waves)
        for position, station_id in enumerate(station_ids):
            plan[station_id] = next(index for index, count in enumerate(counts) if position < count)
    return plan


def validate_waves(waves: Sequence[float]) -> None:
    if not waves:
        raise ValueError("at least one wave is needed")
    if any(not 0 < w <= 100 for w in waves) or list(waves) != sorted(waves):
        raise ValueError("waves are cumulative percentages, increasing, each in (0, 100]")
    if waves[-1] != 100:
        raise ValueError("the last wave must be 100 (every target station)")


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def in_window(now: datetime, start: str | None, end: str | None) -> bool:
    """Whether ``now`` (UTC) is inside the daily window [start, end); the window may wrap midnight."""
    if start is None or end is None:
        return True
    t = now.time().replace(tzinfo=None)
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    if begin <= finish:
        return begin <= t < finish
    return t >= begin or t < finish


@dataclass(frozen=True, slots=True)
class Gates:
    """Per-wave, per-batch health gates."""

    min_success_rate: float = 1.0
    online_deadline_s: float = 900.0  # dispatched -> back online on the new version
    soak_s: float = 120.0  # stable after the confirming boot before a station counts as a success
    max_boots: int = 2  # BootNotifications after the command; more is a boot loop
    max_new_faults_per_station: float = 0.5  # faults in the wave minus the same stations' baseline
    max_security_events: int = 0  # e.g. InvalidFirmwareSignature


@dataclass(frozen=True, slots=True)
class StationOutcome:
    station_id: str
    succeeded: bool
    failure: str | None = None
    boots: int = 0
    new_faults: int = 0
    baseline_faults: int = 0
    security_events: int = 0


@dataclass(frozen=True, slots=True)
class GateResult:
    passed: bool
    success_rate: float
    reasons: tuple[str, ...] = field(default_factory=tuple)


def evaluate_gates(outcomes: Iterable[StationOutcome], gates: Gates) -> GateResult:
    items = list(outcomes)
    if not items:
        return GateResult(True, 1.0)
    succeeded = sum(1 for o in items if o.succeeded)
    rate = succeeded / len(items)
    reasons: list[str] = []
    if rate < gates.min_success_rate:
        failures = sorted({o.failure or "unknown" for o in items if not o.succeeded})
        reasons.append(f"success rate {rate:.0%} < {gates.min_success_rate:.0%} ({', '.join(failures)})")
    loops = [o.station_id for o in items if o.boots > gates.max_boots]
    if loops:
        reasons.append(f"boot loop on {len(loops)} station(s)")
    rise = sum(o.new_faults - o.baseline_faults for o in items) / len(items)
    if rise > gates.max_new_faults_per_station:
        reasons.append(f"faults rose by {rise:.2f} per station")
    security = sum(o.security_events for o in items)
    if security > gates.max_security_events:
        reasons.append(f"{security} security event(s)")
    return GateResult(not reasons, rate, tuple(reasons))


def matrix_outcome(result: GateResult) -> Compatibility:
    """What a batch's wave means for its (vendor, model, hardware revision, version) entry."""
    if not result.passed:
        return Compatibility.BLOCKED
    return Compatibility.COMPATIBLE if result.success_rate >= 1.0 else Compatibility.KNOWN_ISSUE


def merge_status(current: str | None, outcome: Compatibility) -> Compatibility:
    """A campaign never weakens an admin's *certified* unless it blocks."""
    if current == Compatibility.CERTIFIED and outcome is not Compatibility.BLOCKED:
        return Compatibility.CERTIFIED
    return outcome
