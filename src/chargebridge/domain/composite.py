"""The composite schedule: which limit applies on an EVSE at each moment (pure, unit tested).

The rules (OCPP 2.0.1 K08 and the profile model of 1.6 section 3.13, which agree):

- A profile counts only inside ``[valid_from, valid_to)`` and while one of its schedule's periods
  runs: Absolute from ``startSchedule``, Recurring from the last daily/weekly recurrence of it,
  Relative from the start of the transaction (or from now without one), for ``duration`` seconds
  if the schedule has one. An Absolute schedule without ``startSchedule`` (allowed in 1.6) starts
  with the transaction, like a Relative one.
- Within one purpose the running profile with the highest stack level wins; at an equal level a
  profile on the EVSE itself wins over one on EVSE 0 (which applies to every EVSE).
- A TxProfile applies only to the transaction it names (or, 1.6, with no transaction id, to the
  transaction on the EVSE) and overrules the TxDefaultProfile while it runs.
- The limit is the lowest of: the transaction limit (TxProfile, else TxDefaultProfile), the
  ChargingStationMaxProfile (EVSE 0 only) and every external constraint on the EVSE or on EVSE 0
  (limits reported with NotifyChargingLimit are external constraints too).
- For EVSE 0 the composite is the station-wide limit: the ChargingStationMaxProfile and the
  external constraints on EVSE 0.
- Limits in another unit are converted with ``P = I x U x phases`` (the period's numberPhases,
  else 3; DC: one "phase" at the given voltage); a conversion is rounded down to 0.1 so that it
  never allows more than the original limit.

The energy manager, the CSMS's checks of EV schedules and the simulator's stations all use these
functions, so a station simulated here and the CSMS agree on what a set of profiles means.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from chargebridge.domain.charging import (
    DEFAULT_PHASES,
    DEFAULT_VOLTAGE_V,
    MAX_PERIODS,
    ChargingProfile,
    ChargingSchedule,
    CompositePeriod,
    CompositeSchedule,
    EnergyTransfer,
    EvChargingNeeds,
    InstalledProfile,
    ProfileKind,
    ProfilePurpose,
    RateUnit,
    SchedulePeriod,
    round_limit,
)


@dataclass(frozen=True, slots=True)
class ActiveTransaction:
    """The transaction running on the EVSE: TxProfiles match it, Relative schedules start with it."""

    transaction_id: str | None
    started_at: datetime


@dataclass(frozen=True, slots=True)
class LimitPeriod:
    """From ``start_s``: at most ``limit`` (None: no profile limits charging)."""

    start_s: int
    limit: float | None
    number_phases: int | None = None


@dataclass(frozen=True, slots=True)
class Conversion:
    """How to turn amperes into watts on this EVSE."""

    voltage_v: float = DEFAULT_VOLTAGE_V
    default_phases: int = DEFAULT_PHASES
    dc: bool = False

    def phases(self, number_phases: int | None) -> int:
        return 1 if self.dc else (number_phases or self.default_phases)

    def convert(self, value: float, unit: RateUnit, to: RateUnit, number_phases: int | None) -> float:
        if unit is to:
            return value
        factor = self.voltage_v * self.phases(number_phases)
        converted = value * factor if to is RateUnit.WATTS else value / factor
        return math.floor(converted * 10 + 1e-6) / 10


# -- one profile at one moment ----------------------------------------------------------------------


def _schedule_start(
    profile: ChargingProfile, schedule: ChargingSchedule, at: datetime, tx: ActiveTransaction | None, now: datetime
) -> datetime | None:
    if profile.kind is ProfileKind.RECURRING:
        if schedule.start is None or profile.recurrency is None:
            return None
        cycle = profile.recurrency.seconds
        cycles = math.floor((at - schedule.start).total_seconds() / cycle)
        return schedule.start + timedelta(seconds=cycles * cycle)
    if profile.kind is ProfileKind.ABSOLUTE and schedule.start is not None:
        return schedule.start
    return tx.started_at if tx is not None else now


def _applies(profile: ChargingProfile, at: datetime, tx: ActiveTransaction | None) -> bool:
    if profile.valid_from is not None and at < profile.valid_from:
        return False
    if profile.valid_to is not None and at >= profile.valid_to:
        return False
    if profile.purpose is ProfilePurpose.TX:
        if tx is None:
            return False
        return profile.transaction_id is None or profile.transaction_id == tx.transaction_id
    return True


def running_period(
    profile: ChargingProfile, at: datetime, tx: ActiveTransaction | None, now: datetime
) -> SchedulePeriod | None:
    """The period of ``profile`` in force at ``at``, or None when the profile does not limit then."""
    if not _applies(profile, at, tx):
        return None
    schedule = profile.schedule
    start = _schedule_start(profile, schedule, at, tx, now)
    if start is None:
        return None
    offset = (at - start).total_seconds()
    if offset < 0 or (schedule.duration_s is not None and offset >= schedule.duration_s):
        return None
    current = None
    for period in schedule.periods:
        if period.start_s > offset:
            break
        current = period
    return current


# -- the composite --------------------------------------------------------------------------------


def _relevant(installed: Sequence[InstalledProfile], evse_id: int) -> list[InstalledProfile]:
    if evse_id == 0:
        return [
            item
            for item in installed
            if item.evse_id == 0 and item.profile.purpose in (ProfilePurpose.STATION_MAX, ProfilePurpose.EXTERNAL)
        ]
    return [
        item
        for item in installed
        if item.evse_id == evse_id or (item.evse_id == 0 and item.profile.purpose is not ProfilePurpose.TX)
    ]


def _winner(
    candidates: Iterable[InstalledProfile], at: datetime, tx: ActiveTransaction | None, now: datetime
) -> tuple[ChargingProfile, SchedulePeriod] | None:
    best: tuple[tuple[int, int, int], ChargingProfile, SchedulePeriod] | None = None
    for item in candidates:
        period = running_period(item.profile, at, tx, now)
        if period is None:
            continue
        rank = (item.profile.stack_level, 1 if item.evse_id != 0 else 0, item.profile.id)
        if best is None or rank > best[0]:
            best = (rank, item.profile, period)
    return None if best is None else (best[1], best[2])


def limit_at(
    installed: Sequence[InstalledProfile],
    evse_id: int,
    at: datetime,
    unit: RateUnit,
    *,
    transaction: ActiveTransaction | None = None,
    conversion: Conversion | None = None,
    now: datetime | None = None,
) -> tuple[float, int | None] | None:
    """The limit (in ``unit``) and its number of phases at ``at``; None when nothing limits."""
    conv = conversion or Conversion()
    reference = now or at
    profiles = _relevant(installed, evse_id)
    by_purpose: dict[ProfilePurpose, list[InstalledProfile]] = {purpose: [] for purpose in ProfilePurpose}
    for item in profiles:
        by_purpose[item.profile.purpose].append(item)
    bounds: list[tuple[float, int | None]] = []

    def bound(profile: ChargingProfile, period: SchedulePeriod) -> tuple[float, int | None]:
        value = conv.convert(period.limit, profile.schedule.unit, unit, period.number_phases)
        return value, period.number_phases

    tx = _winner(by_purpose[ProfilePurpose.TX], at, transaction, reference)
    if tx is None:
        tx = _winner(by_purpose[ProfilePurpose.TX_DEFAULT], at, transaction, reference)
    if tx is not None:
        bounds.append(bound(*tx))
    station_max = _winner(
        (item for item in by_purpose[ProfilePurpose.STATION_MAX] if item.evse_id == 0), at, transaction, reference
    )
    if station_max is not None:
        bounds.append(bound(*station_max))
    for item in by_purpose[ProfilePurpose.EXTERNAL]:  # every external limit applies
        period = running_period(item.profile, at, transaction, reference)
        if period is not None:
            bounds.append(bound(item.profile, period))
    if not bounds:
        return None
    return min(bounds, key=lambda b: b[0])


def _breakpoints(
    installed: Sequence[InstalledProfile],
    start: datetime,
    end: datetime,
    tx: ActiveTransaction | None,
    now: datetime,
) -> list[datetime]:
    points = {start}
    for item in installed:
        profile = item.profile
        points.update(t for t in (profile.valid_from, profile.valid_to) if t is not None)
        schedule = profile.schedule
        if profile.kind is ProfileKind.RECURRING:
            if schedule.start is None or profile.recurrency is None:
                continue
            cycle = profile.recurrency.seconds
            first = math.floor((start - schedule.start).total_seconds() / cycle)
            last = math.floor((end - schedule.start).total_seconds() / cycle)
            origins = [schedule.start + timedelta(seconds=k * cycle) for k in range(first, last + 1)]
        else:
            origin = _schedule_start(profile, schedule, start, tx, now)
            origins = [origin] if origin is not None else []
        for origin in origins:
            points.update(origin + timedelta(seconds=p.start_s) for p in schedule.periods)
            if schedule.duration_s is not None:
                points.add(origin + timedelta(seconds=schedule.duration_s))
    return sorted(t for t in points if start <= t < end)


def limit_periods(
    installed: Sequence[InstalledProfile],
    evse_id: int,
    start: datetime,
    duration_s: int,
    unit: RateUnit,
    *,
    transaction: ActiveTransaction | None = None,
    conversion: Conversion | None = None,
    now: datetime | None = None,
) -> tuple[LimitPeriod, ...]:
    """The limits on ``evse_id`` from ``start`` for ``duration_s`` seconds, merged where equal.
    ``now`` is when Relative schedules start if there is no transaction (default: ``start``)."""
    reference = now or start
    end = start + timedelta(seconds=max(duration_s, 0))
    relevant = _relevant(installed, evse_id)
    periods: list[LimitPeriod] = []
    for at in _breakpoints(relevant, start, end, transaction, reference):
        offset = int((at - start).total_seconds())
        found = limit_at(relevant, evse_id, at, unit, transaction=transaction, conversion=conversion, now=reference)
        period = LimitPeriod(offset, *(found or (None, None)))
        if periods and periods[-1].start_s == offset:
            periods[-1] = period
        elif not periods or (periods[-1].limit, periods[-1].number_phases) != (period.limit, period.number_phases):
            periods.append(period)
    if len(periods) > 1:  # a value repeated after a replaced duplicate offset
        merged = [periods[0]]
        for period in periods[1:]:
            if (merged[-1].limit, merged[-1].number_phases) != (period.limit, period.number_phases):
                merged.append(period)
        periods = merged
    return tuple(periods)


def composite_schedule(
    installed: Sequence[InstalledProfile],
    evse_id: int,
    start: datetime,
    duration_s: int,
    unit: RateUnit,
    *,
    no_limit: float,
    transaction: ActiveTransaction | None = None,
    conversion: Conversion | None = None,
    now: datetime | None = None,
) -> CompositeSchedule:
    """The composite schedule as GetCompositeSchedule reports it: where no profile limits, the
    EVSE's own maximum ``no_limit`` (in ``unit``) applies."""
    periods = limit_periods(
        installed, evse_id, start, duration_s, unit, transaction=transaction, conversion=conversion, now=now
    )
    filled: list[CompositePeriod] = []
    for period in periods:
        limit = round_limit(no_limit if period.limit is None else min(period.limit, no_limit))
        phases = period.number_phases if period.limit is not None and period.limit <= no_limit else None
        if filled and (filled[-1].limit, filled[-1].number_phases) == (limit, phases):
            continue
        filled.append(CompositePeriod(period.start_s, limit, phases))
    if not filled:
        filled.append(CompositePeriod(0, round_limit(no_limit)))
    return CompositeSchedule(evse_id, start, max(duration_s, 0), unit, tuple(filled[:MAX_PERIODS]))


# -- ISO 15118: a schedule for an EV's needs, and checking the EV's own schedule ---------------------

LEVELLING_MARGIN = 1.1  # spread the energy over the time to departure, with 10 % to spare


def schedule_for_needs(
    needs: EvChargingNeeds,
    allowed: Sequence[LimitPeriod],
    allowed_unit: RateUnit,
    start: datetime,
    duration_s: int,
    *,
    max_periods: int | None = None,
    conversion: Conversion | None = None,
    schedule_id: int = 1,
) -> ChargingSchedule:
    """The schedule the CSMS offers an ISO 15118 EV (K15): within the station's limits
    (``allowed``, from :func:`limit_periods`), never above what the EV can take, and, when the EV
    says how much energy it needs by when, levelled: the energy spread evenly until departure
    (load levelling) instead of drawing the maximum at once. AC schedules are in A per phase,
    DC schedules in W."""
    conv = conversion or Conversion(dc=needs.transfer is EnergyTransfer.DC)
    dc = needs.transfer is EnergyTransfer.DC
    unit = RateUnit.WATTS if dc else RateUnit.AMPERES
    phases = None if dc else needs.transfer.phases
    if dc:
        cap = needs.ev_max_power_w
        if cap is None and needs.ev_max_current_a is not None and needs.ev_max_voltage_v is not None:
            cap = needs.ev_max_current_a * needs.ev_max_voltage_v
    else:
        cap = needs.ev_max_current_a
    horizon = duration_s
    if needs.departure is not None:
        horizon = max(60, min(duration_s, int((needs.departure - start).total_seconds())))
    level: float | None = None
    if needs.departure is not None and needs.energy_wh is not None and horizon > 0:
        watts = needs.energy_wh * 3600.0 / horizon * LEVELLING_MARGIN
        level = watts if dc else conv.convert(watts, RateUnit.WATTS, RateUnit.AMPERES, phases)
        if not dc and needs.ev_min_current_a is not None:
            level = max(level, float(needs.ev_min_current_a))
    steps = list(allowed)
    if not steps or steps[0].start_s > 0:
        steps.insert(0, LimitPeriod(0, None))
    periods: list[SchedulePeriod] = []
    for period in steps:
        if period.start_s >= horizon:
            break
        bounds = [value for value in (cap, level) if value is not None]
        if period.limit is not None:
            bounds.append(conv.convert(period.limit, allowed_unit, unit, phases))
        limit = round_limit(min(bounds)) if bounds else 0.0
        if periods and periods[-1].limit == limit:
            continue
        periods.append(SchedulePeriod(period.start_s, limit, phases))
    limit_count = min(max_periods or MAX_PERIODS, MAX_PERIODS)
    if len(periods) > limit_count:
        horizon = periods[limit_count].start_s
        periods = periods[:limit_count]
    return ChargingSchedule(unit, tuple(periods), id=schedule_id, start=start, duration_s=horizon)


def schedule_excess(
    schedule: ChargingSchedule,
    start: datetime,
    allowed: Sequence[LimitPeriod],
    allowed_start: datetime,
    allowed_unit: RateUnit,
    *,
    conversion: Conversion | None = None,
) -> str | None:
    """Why an EV's schedule (from ``start``) breaks the allowed limits, or None when it keeps to them
    (K16/K17: the CSMS answers NotifyEVChargingSchedule Rejected when it does not)."""
    conv = conversion or Conversion()
    offset = (start - allowed_start).total_seconds()
    end = schedule.duration_s
    points = sorted(
        {p.start_s for p in schedule.periods}
        | {
            int(a.start_s - offset)
            for a in allowed
            if a.start_s - offset > 0 and (end is None or a.start_s - offset < end)
        }
    )
    for point in points:
        ev = None
        for period in schedule.periods:
            if period.start_s > point:
                break
            ev = period
        if ev is None:
            continue
        limit = None
        for step in allowed:
            if step.start_s > point + offset:
                break
            limit = step
        if limit is None or limit.limit is None:
            continue
        ev_value = conv.convert(ev.limit, schedule.unit, allowed_unit, ev.number_phases)
        if ev_value > limit.limit + 0.05:
            return (
                f"{ev.limit:g} {schedule.unit.value} at +{point} s is above the allowed "
                f"{limit.limit:g} {allowed_unit.value}"
            )
    return None
