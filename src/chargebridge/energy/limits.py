"""A site's limit at a moment, and what meters say (pure, no I/O).

The effective limit of a site is the lowest of its grid connection limit, its time-of-use schedule
(a weekly table of limits in the site's time zone) and every active curtailment (grid-operator or
aggregator limits with a duration). What is *available for charging* subtracts the measured building
load (per phase) and the safety margin; while the site meter is silent the building load is unknown
and ``fallback_limit_a`` replaces that estimate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_WEEK = 7 * 24 * 60
PHASE_NAMES = {"L1": 0, "L2": 1, "L3": 2, "L1-N": 0, "L2-N": 1, "L3-N": 2}
# 2.0.1 PhaseRotation / 1.6 ConnectorPhaseRotation: which grid phase (R, S, T) the station's L1, L2, L3 are on.
ROTATIONS = ("RST", "RTS", "SRT", "STR", "TRS", "TSR")


def round_down(amps: float, step: float = 0.1) -> float:
    return math.floor(amps / step + 1e-9) * step


def kw_to_amps(kw: float, voltage_v: float, phases: int) -> float:
    """The per-phase current of ``kw`` on a site of ``phases`` phases at ``voltage_v`` (phase to neutral)."""
    return round(round_down(kw * 1000.0 / (voltage_v * phases)), 6)


def amps_to_kw(amps: float, voltage_v: float, phases: int) -> float:
    return round(amps * voltage_v * phases / 1000.0, 3)


# -- time-of-use schedule --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScheduleEntry:
    """From ``day`` (0 = Monday) at ``minute`` (0-1439) local time, until the next entry: ``limit_a``
    (None: no schedule limit, the grid limit applies)."""

    day: int
    minute: int
    limit_a: float | None

    @property
    def week_minute(self) -> int:
        return self.day * 24 * 60 + self.minute

    def to_json(self) -> dict[str, Any]:
        start = f"{self.minute // 60:02d}:{self.minute % 60:02d}"
        return {"day": DAYS[self.day], "start": start, "limit_a": self.limit_a}


def parse_entry(data: Mapping[str, Any]) -> ScheduleEntry:
    day = str(data["day"]).lower()[:3]
    if day not in DAYS:
        raise ValueError(f"day must be one of {', '.join(DAYS)}")
    start = time.fromisoformat(str(data["start"]))
    return ScheduleEntry(DAYS.index(day), start.hour * 60 + start.minute, data.get("limit_a"))


def schedule_limit(
    entries: Sequence[ScheduleEntry], at: datetime, timezone: str = "UTC"
) -> tuple[float | None, datetime | None]:
    """The schedule's limit at ``at`` and when it next changes (both None without entries).

    The table repeats every week; before the week's first entry the last entry of the week applies."""
    if not entries:
        return None, None
    zone = ZoneInfo(timezone)
    local = at.astimezone(zone)
    now_minute = local.weekday() * 24 * 60 + local.hour * 60 + local.minute
    ordered = sorted(entries, key=lambda e: e.week_minute)
    current = ordered[-1]
    for entry in ordered:
        if entry.week_minute <= now_minute:
            current = entry
    upcoming = [e for e in ordered if e.week_minute > now_minute]
    nxt = upcoming[0] if upcoming else ordered[0]
    delta_minutes = (nxt.week_minute - now_minute) % MINUTES_PER_WEEK or MINUTES_PER_WEEK
    start_of_minute = local.replace(second=0, microsecond=0)
    change = (start_of_minute + timedelta(minutes=delta_minutes)).astimezone(at.tzinfo)
    return current.limit_a, change


# -- curtailments ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Curtailment:
    id: int
    limit_a: float
    source: str
    starts_at: datetime
    ends_at: datetime
    cleared_at: datetime | None = None

    def active(self, at: datetime) -> bool:
        return self.cleared_at is None and self.starts_at <= at < self.ends_at


# -- the effective limit ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteSettings:
    """What the limit computation needs of a site."""

    id: str
    grid_limit_a: float
    phases: int = 3
    voltage_v: float = 230.0
    safety_margin_a: float = 0.0
    fallback_limit_a: float | None = None
    has_meter: bool = False
    timezone: str = "UTC"


@dataclass(frozen=True, slots=True)
class LimitState:
    """A site's limit at one moment, and why."""

    limit_a: float  # the effective limit: min of grid, schedule, curtailments
    source: str  # grid | schedule | curtailment:<source> | fallback
    available_a: tuple[float, ...]  # for charging, one per phase of the site
    grid_a: float
    schedule_a: float | None
    curtailment_a: float | None
    curtailment_source: str | None
    meter_silent: bool
    building_a: tuple[float, ...] | None
    next_change: datetime | None  # the next schedule boundary or curtailment end/start
    components: dict[str, Any] = field(default_factory=dict)

    def key(self) -> tuple[float, str, bool]:
        """What makes a change of limit worth an event (not every building load wiggle)."""
        return (round(self.limit_a, 1), self.source, self.meter_silent)


def effective_limit(
    site: SiteSettings,
    at: datetime,
    *,
    schedule: Sequence[ScheduleEntry] = (),
    curtailments: Iterable[Curtailment] = (),
    building_a: Sequence[float] | None = None,
    meter_silent: bool = False,
) -> LimitState:
    """The site's limit and its available current at ``at`` (see the module docstring)."""
    scheduled, schedule_change = schedule_limit(schedule, at, site.timezone)
    limit, source = site.grid_limit_a, "grid"
    if scheduled is not None and scheduled < limit:
        limit, source = scheduled, "schedule"
    curtailment_a: float | None = None
    curtailment_source: str | None = None
    changes = [schedule_change] if schedule_change is not None else []
    for c in curtailments:
        if c.cleared_at is not None:
            continue
        if c.active(at):
            changes.append(c.ends_at)
            if curtailment_a is None or c.limit_a < curtailment_a:
                curtailment_a, curtailment_source = c.limit_a, c.source
        elif c.starts_at > at:
            changes.append(c.starts_at)
    if curtailment_a is not None and curtailment_a < limit:
        limit, source = curtailment_a, f"curtailment:{curtailment_source}"
    phases = 1 if site.phases == 1 else 3
    margin = max(0.0, site.safety_margin_a)
    if site.has_meter and meter_silent:
        fallback = site.fallback_limit_a if site.fallback_limit_a is not None else 0.0
        value = min(fallback, limit - margin)
        available = tuple(value for _ in range(phases))
        if fallback < limit - margin:
            source = "fallback"
    else:
        load = tuple(building_a) if building_a is not None and site.has_meter else tuple(0.0 for _ in range(phases))
        if len(load) != phases:
            peak = max(load) if load else 0.0
            load = tuple(peak for _ in range(phases))
        available = tuple(limit - max(0.0, load[p]) - margin for p in range(phases))
    return LimitState(
        limit_a=limit,
        source=source,
        available_a=available,
        grid_a=site.grid_limit_a,
        schedule_a=scheduled,
        curtailment_a=curtailment_a,
        curtailment_source=curtailment_source,
        meter_silent=site.has_meter and meter_silent,
        building_a=tuple(building_a) if building_a is not None else None,
        next_change=min(changes) if changes else None,
    )


# -- meter readings ------------------------------------------------------------------------------


def phase_currents(values: Iterable[Mapping[str, Any]], voltage_v: float, phases: int) -> tuple[float, ...] | None:
    """Per-phase current (A, ``phases`` entries, in the meter's own phase order) from a sample's values
    (``{measurand, value, unit, phase}``, base units): ``Current.Import`` per phase, or without a
    phase (the same on each phase); else ``Power.Active.Import`` per phase or in total. None when the
    sample measures neither."""
    count = 1 if phases == 1 else 3
    current: list[float | None] = [None] * count
    power: list[float | None] = [None] * count
    current_all: float | None = None
    power_total: float | None = None
    for v in values:
        measurand = v.get("measurand") or "Energy.Active.Import.Register"
        try:
            value = float(v["value"])
        except (KeyError, TypeError, ValueError):
            continue
        if not math.isfinite(value):
            continue
        phase = PHASE_NAMES.get(str(v.get("phase") or ""))
        if measurand == "Current.Import":
            if phase is None:
                current_all = value
            elif phase < count:
                current[phase] = value
            elif count == 1:
                current[0] = max(current[0] or 0.0, value)
        elif measurand == "Power.Active.Import":
            if v.get("unit") not in (None, "W"):
                continue
            if phase is None:
                power_total = value
            elif phase < count:
                power[phase] = value
    if any(c is not None for c in current):
        return tuple(max(0.0, c or 0.0) for c in current)
    if current_all is not None:
        return tuple(max(0.0, current_all) for _ in range(count))
    if any(p is not None for p in power):
        return tuple(max(0.0, (p or 0.0) / voltage_v) for p in power)
    if power_total is not None:
        return tuple(max(0.0, power_total / (voltage_v * count)) for _ in range(count))
    return None


def drawing_phases(currents: Sequence[float], threshold_a: float = 1.0) -> frozenset[int] | None:
    """The phases (station terms, 0-2) a three-phase reading shows current on; None when it shows
    none (not charging: the phases cannot be told)."""
    if len(currents) != 3:
        return None
    drawing = frozenset(p for p, amps in enumerate(currents) if amps >= threshold_a)
    return drawing or None


def site_phases(station_phases: frozenset[int], rotation: str | None) -> frozenset[int]:
    """Map a station's phases (0 = its L1) to site phases with its phase rotation (``RST``: L1 on R)."""
    if rotation is None or rotation not in ROTATIONS:
        return frozenset({0, 1, 2})  # which grid phase is unknown: counted on every one (safe)
    return frozenset("RST".index(rotation[p]) for p in station_phases)
