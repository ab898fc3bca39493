"""Smart charging, version-neutral: charging profiles, schedules, external limits, EV charging needs.

One model for OCPP 1.6 (Smart Charging profile) and 2.0.1 (functional block K). The adapters
(``ocpp16/charging.py``, ``ocpp201/charging.py``) turn it into each version's payloads and raise
:class:`~chargebridge.domain.commands.CommandNotSupported` for what a version cannot say (1.6: one
schedule per profile, no external-constraints purpose, no phaseToUse, no sales tariff, integer
transaction ids). The composite schedule (what limit applies when) is computed by
:mod:`chargebridge.domain.composite`. Everything here is pure: no I/O, no clock.

EVSE numbering follows the rest of the domain: ``evse_id`` 0 is the whole station; a 1.6
``connectorId`` is the EVSE id.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from chargebridge.domain.commands import Command
from chargebridge.domain.requests import StationRequest, StationResponse
from chargebridge.domain.timeutil import format_datetime, parse_datetime

# 2.0.1 limits "accept at most one digit fraction"; 1.6 schemas say multipleOf 0.1.
LIMIT_DECIMALS = 1
MAX_SCHEDULES = 3  # 2.0.1 ChargingProfileType.chargingSchedule maxItems
MAX_PERIODS = 1024  # 2.0.1 ChargingScheduleType.chargingSchedulePeriod maxItems
DEFAULT_VOLTAGE_V = 230.0  # phase-to-neutral voltage used to convert A <-> W
DEFAULT_PHASES = 3  # "numberPhases=3 will be assumed unless another number is given"


class ProfilePurpose(StrEnum):
    """2.0.1 names. 1.6 ChargePointMaxProfile is STATION_MAX; 1.6 has no EXTERNAL."""

    STATION_MAX = "ChargingStationMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"
    EXTERNAL = "ChargingStationExternalConstraints"

    @classmethod
    def parse(cls, name: str) -> ProfilePurpose:
        """A purpose named either version's way."""
        return cls.STATION_MAX if name == "ChargePointMaxProfile" else cls(name)


class ProfileKind(StrEnum):
    ABSOLUTE = "Absolute"
    RECURRING = "Recurring"
    RELATIVE = "Relative"


class Recurrency(StrEnum):
    DAILY = "Daily"
    WEEKLY = "Weekly"

    @property
    def seconds(self) -> int:
        return 86_400 if self is Recurrency.DAILY else 7 * 86_400


class RateUnit(StrEnum):
    AMPERES = "A"
    WATTS = "W"


class LimitSource(StrEnum):
    """ChargingLimitSourceEnumType: who set a limit (CSO = the CSMS's own profiles)."""

    EMS = "EMS"
    OTHER = "Other"
    SO = "SO"
    CSO = "CSO"


class ProfileError(ValueError):
    """A charging profile that breaks a rule of the specification (the CSMS refuses to send it)."""


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    """From ``start_s`` seconds after the schedule's start until the next period: at most ``limit``."""

    start_s: int
    limit: float
    number_phases: int | None = None
    phase_to_use: int | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class ChargingSchedule:
    unit: RateUnit
    periods: tuple[SchedulePeriod, ...]
    id: int | None = None  # 2.0.1 requires one; 1.6 has none
    start: datetime | None = None  # startSchedule
    duration_s: int | None = None
    min_rate: float | None = None
    sales_tariff: dict[str, Any] | None = None  # 2.0.1 SalesTariffType, kept as sent (ISO 15118)


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    id: int
    stack_level: int
    purpose: ProfilePurpose
    kind: ProfileKind
    schedules: tuple[ChargingSchedule, ...]
    recurrency: Recurrency | None = None
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None

    @property
    def schedule(self) -> ChargingSchedule:
        """The schedule that limits charging: the first (2.0.1 may offer up to three to an ISO 15118
        EV, which picks one; until it says which, the first is the one applied)."""
        return self.schedules[0]


@dataclass(frozen=True, slots=True)
class InstalledProfile:
    """A profile as a station holds it: on one EVSE (0 = the whole station)."""

    evse_id: int
    profile: ChargingProfile


@dataclass(frozen=True, slots=True)
class CompositePeriod:
    start_s: int
    limit: float
    number_phases: int | None = None


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    """What a station will allow on an EVSE from ``start`` for ``duration_s`` seconds."""

    evse_id: int
    start: datetime
    duration_s: int
    unit: RateUnit
    periods: tuple[CompositePeriod, ...]

    def limit_at(self, offset_s: float) -> CompositePeriod | None:
        if offset_s < 0 or offset_s >= self.duration_s:
            return None
        current = None
        for period in self.periods:
            if period.start_s > offset_s:
                break
            current = period
        return current


# -- validation (what the CSMS checks before it sends a profile) --------------------------------


def check_profile(evse_id: int, profile: ChargingProfile, *, from_csms: bool = True) -> None:
    """Raise :class:`ProfileError` for a profile the specification does not allow on ``evse_id``.

    The rules of 2.0.1 K01 that a CSMS can check on its own, which 1.6 (3.13, 5.16) shares:
    purposes per EVSE, start schedules per kind, period order, transaction ids."""
    if evse_id < 0:
        raise ProfileError("evse_id must be 0 (the whole station) or an EVSE number")
    if profile.stack_level < 0:
        raise ProfileError("stack_level must be 0 or more")
    if not 1 <= len(profile.schedules) <= MAX_SCHEDULES:
        raise ProfileError(f"a profile has 1 to {MAX_SCHEDULES} schedules")
    if from_csms and profile.purpose is ProfilePurpose.EXTERNAL:
        raise ProfileError("ChargingStationExternalConstraints profiles are set by external systems, not the CSMS")
    if profile.purpose is ProfilePurpose.STATION_MAX:
        if evse_id != 0:
            raise ProfileError("a ChargingStationMaxProfile applies to the whole station: evse_id must be 0")
        if profile.kind is ProfileKind.RELATIVE:
            raise ProfileError("a ChargingStationMaxProfile cannot be Relative")
    if profile.purpose is ProfilePurpose.TX:
        if evse_id == 0:
            raise ProfileError("a TxProfile applies to one EVSE: evse_id must be above 0")
    elif profile.transaction_id is not None:
        raise ProfileError("only a TxProfile names a transaction")
    if profile.kind is ProfileKind.RECURRING and profile.recurrency is None:
        raise ProfileError("a Recurring profile needs a recurrency (Daily or Weekly)")
    if profile.kind is not ProfileKind.RECURRING and profile.recurrency is not None:
        raise ProfileError("only a Recurring profile has a recurrency")
    if profile.valid_from and profile.valid_to and profile.valid_to <= profile.valid_from:
        raise ProfileError("valid_to must be after valid_from")
    for index, schedule in enumerate(profile.schedules):
        _check_schedule(profile, schedule, index)


def _check_schedule(profile: ChargingProfile, schedule: ChargingSchedule, index: int) -> None:
    where = f"schedule {index + 1}"
    if not schedule.periods:
        raise ProfileError(f"{where} has no periods")
    if len(schedule.periods) > MAX_PERIODS:
        raise ProfileError(f"{where} has more than {MAX_PERIODS} periods")
    if schedule.periods[0].start_s != 0:
        raise ProfileError(f"{where}: the first period must start at 0")
    starts = [period.start_s for period in schedule.periods]
    if any(later <= earlier for earlier, later in itertools.pairwise(starts)):
        raise ProfileError(f"{where}: period starts must increase")
    if profile.kind is ProfileKind.RELATIVE and schedule.start is not None:
        raise ProfileError(f"{where}: a Relative profile has no start schedule")
    if profile.kind is ProfileKind.RECURRING and schedule.start is None:
        raise ProfileError(f"{where}: a Recurring profile needs a start schedule")
    if schedule.duration_s is not None and schedule.duration_s <= 0:
        raise ProfileError(f"{where}: duration must be above 0")
    if schedule.min_rate is not None and schedule.min_rate < 0:
        raise ProfileError(f"{where}: min_rate must be 0 or more")
    for period in schedule.periods:
        if period.limit < 0:
            raise ProfileError(f"{where}: limits must be 0 or more")
        if period.number_phases is not None and period.number_phases not in (1, 2, 3):
            raise ProfileError(f"{where}: number_phases is 1, 2 or 3")
        if period.phase_to_use is not None and (period.number_phases != 1 or period.phase_to_use not in (1, 2, 3)):
            raise ProfileError(f"{where}: phase_to_use (1-3) is only allowed with number_phases 1")


# -- JSON (REST bodies, stored rows, bus events) --------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def _parse_time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    return parse_datetime(str(value))


def period_json(period: SchedulePeriod | CompositePeriod) -> dict[str, Any]:
    out: dict[str, Any] = {"start_s": period.start_s, "limit": period.limit}
    if period.number_phases is not None:
        out["number_phases"] = period.number_phases
    if isinstance(period, SchedulePeriod) and period.phase_to_use is not None:
        out["phase_to_use"] = period.phase_to_use
    return out


def schedule_json(schedule: ChargingSchedule) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": schedule.unit.value, "periods": [period_json(p) for p in schedule.periods]}
    for key, value in (
        ("id", schedule.id),
        ("start", _time(schedule.start)),
        ("duration_s", schedule.duration_s),
        ("min_rate", schedule.min_rate),
        ("sales_tariff", schedule.sales_tariff),
    ):
        if value is not None:
            out[key] = value
    return out


def profile_json(profile: ChargingProfile) -> dict[str, Any]:
    """The neutral JSON form (snake_case), as REST answers show and the store keeps it."""
    out: dict[str, Any] = {
        "id": profile.id,
        "stack_level": profile.stack_level,
        "purpose": profile.purpose.value,
        "kind": profile.kind.value,
        "schedules": [schedule_json(s) for s in profile.schedules],
    }
    for key, value in (
        ("recurrency", profile.recurrency.value if profile.recurrency else None),
        ("valid_from", _time(profile.valid_from)),
        ("valid_to", _time(profile.valid_to)),
        ("transaction_id", profile.transaction_id),
    ):
        if value is not None:
            out[key] = value
    return out


def period_from_json(raw: Mapping[str, Any]) -> SchedulePeriod:
    return SchedulePeriod(
        start_s=int(raw["start_s"]),
        limit=float(raw["limit"]),
        number_phases=raw.get("number_phases"),
        phase_to_use=raw.get("phase_to_use"),
    )


def schedule_from_json(raw: Mapping[str, Any]) -> ChargingSchedule:
    return ChargingSchedule(
        unit=RateUnit(raw["unit"]),
        periods=tuple(period_from_json(p) for p in raw["periods"]),
        id=raw.get("id"),
        start=_parse_time(raw.get("start")),
        duration_s=raw.get("duration_s"),
        min_rate=raw.get("min_rate"),
        sales_tariff=raw.get("sales_tariff"),
    )


def profile_from_json(raw: Mapping[str, Any]) -> ChargingProfile:
    recurrency = raw.get("recurrency")
    return ChargingProfile(
        id=int(raw["id"]),
        stack_level=int(raw["stack_level"]),
        purpose=ProfilePurpose.parse(raw["purpose"]),
        kind=ProfileKind(raw["kind"]),
        schedules=tuple(schedule_from_json(s) for s in raw["schedules"]),
        recurrency=Recurrency(recurrency) if recurrency is not None else None,
        valid_from=_parse_time(raw.get("valid_from")),
        valid_to=_parse_time(raw.get("valid_to")),
        transaction_id=raw.get("transaction_id"),
    )


def composite_json(composite: CompositeSchedule) -> dict[str, Any]:
    return {
        "evse_id": composite.evse_id,
        "start": format_datetime(composite.start),
        "duration_s": composite.duration_s,
        "unit": composite.unit.value,
        "periods": [period_json(p) for p in composite.periods],
    }


def round_limit(value: float) -> float:
    return round(value, LIMIT_DECIMALS)


# -- ISO 15118 charging needs ---------------------------------------------------------------------


class EnergyTransfer(StrEnum):
    DC = "DC"
    AC_SINGLE_PHASE = "AC_single_phase"
    AC_TWO_PHASE = "AC_two_phase"
    AC_THREE_PHASE = "AC_three_phase"

    @property
    def phases(self) -> int:
        return {"DC": 1, "AC_single_phase": 1, "AC_two_phase": 2, "AC_three_phase": 3}[self.value]


@dataclass(frozen=True, slots=True)
class EvChargingNeeds:
    """2.0.1 ChargingNeedsType: what an ISO 15118 EV asked for (energy in Wh, current in A, power in W)."""

    transfer: EnergyTransfer
    departure: datetime | None = None
    energy_wh: int | None = None
    ev_min_current_a: int | None = None  # AC
    ev_max_current_a: int | None = None
    ev_max_voltage_v: int | None = None
    ev_max_power_w: int | None = None  # DC
    state_of_charge: int | None = None
    ev_energy_capacity_wh: int | None = None
    full_soc: int | None = None
    bulk_soc: int | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"requested_energy_transfer": self.transfer.value}
        for key in (
            "energy_wh",
            "ev_min_current_a",
            "ev_max_current_a",
            "ev_max_voltage_v",
            "ev_max_power_w",
            "state_of_charge",
            "ev_energy_capacity_wh",
            "full_soc",
            "bulk_soc",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.departure is not None:
            out["departure"] = format_datetime(self.departure)
        return out


# -- commands (CSMS -> station) -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetChargingProfile(Command):
    """1.6 SetChargingProfile {connectorId, csChargingProfiles} / 2.0.1 SetChargingProfile {evseId, chargingProfile}."""

    evse_id: int
    profile: ChargingProfile


@dataclass(frozen=True, slots=True)
class ClearChargingProfile(Command):
    """By ``profile_id`` (the other fields are then ignored), else every profile matching all given
    criteria; nothing given clears every profile the CSMS may clear."""

    profile_id: int | None = None
    evse_id: int | None = None
    purpose: ProfilePurpose | None = None
    stack_level: int | None = None


@dataclass(frozen=True, slots=True)
class GetChargingProfiles(Command):
    """2.0.1 only (1.6 has no way to read installed profiles). The station answers with
    ReportChargingProfiles messages carrying ``request_id``."""

    request_id: int
    evse_id: int | None = None
    purpose: ProfilePurpose | None = None
    stack_level: int | None = None
    profile_ids: tuple[int, ...] = ()
    sources: tuple[LimitSource, ...] = ()


@dataclass(frozen=True, slots=True)
class GetCompositeSchedule(Command):
    evse_id: int
    duration_s: int
    unit: RateUnit | None = None


# -- station requests (2.0.1 block K) and answers ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReportChargingProfilesRequest(StationRequest):
    request_id: int
    source: LimitSource
    evse_id: int
    profiles: tuple[ChargingProfile, ...]
    tbc: bool = False


@dataclass(frozen=True, slots=True)
class NotifyChargingLimitRequest(StationRequest):
    """An external system (EMS, DSO, ...) set a limit on the station (K11/K12); ``schedules`` may be empty."""

    source: LimitSource
    evse_id: int | None = None
    grid_critical: bool | None = None
    schedules: tuple[ChargingSchedule, ...] = ()


@dataclass(frozen=True, slots=True)
class ClearedChargingLimitRequest(StationRequest):
    """An external limit was released (K13)."""

    source: LimitSource
    evse_id: int | None = None


@dataclass(frozen=True, slots=True)
class NotifyEvChargingNeedsRequest(StationRequest):
    evse_id: int
    needs: EvChargingNeeds
    max_schedule_tuples: int | None = None


@dataclass(frozen=True, slots=True)
class NotifyEvChargingScheduleRequest(StationRequest):
    evse_id: int
    time_base: datetime
    schedule: ChargingSchedule


class EvNeedsStatus(StrEnum):
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    PROCESSING = "Processing"


@dataclass(frozen=True, slots=True)
class EvChargingNeedsResponse(StationResponse):
    status: EvNeedsStatus
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class EvChargingScheduleResponse(StationResponse):
    accepted: bool
    reason_code: str | None = None
    reason: str | None = None
