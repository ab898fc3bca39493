"""OCPP 1.6 Smart Charging profile: neutral charging profiles <-> ``csChargingProfiles``, and the
SetChargingProfile / ClearChargingProfile / GetCompositeSchedule commands.

What 1.6 cannot say raises :class:`CommandNotSupported`: more than one schedule, the
ChargingStationExternalConstraints purpose, ``phaseToUse``, a sales tariff, a transaction id that
is not an integer, GetChargingProfiles (1.6 cannot read a station's profiles back).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import charging as ch
from chargebridge.domain.commands import CommandNotSupported, CommandOutcome
from chargebridge.domain.timeutil import format_datetime, parse_datetime

_INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")

PURPOSES_16: Mapping[ch.ProfilePurpose, str] = MappingProxyType(
    {
        ch.ProfilePurpose.STATION_MAX: "ChargePointMaxProfile",
        ch.ProfilePurpose.TX_DEFAULT: "TxDefaultProfile",
        ch.ProfilePurpose.TX: "TxProfile",
    }
)


def _purpose(purpose: ch.ProfilePurpose) -> str:
    name = PURPOSES_16.get(purpose)
    if name is None:
        raise CommandNotSupported(f"1.6 has no charging profile purpose {purpose.value}")
    return name


def schedule_to_v16(schedule: ch.ChargingSchedule) -> dict[str, Any]:
    if schedule.sales_tariff is not None:
        raise CommandNotSupported("1.6 charging schedules carry no sales tariff")
    periods = []
    for period in schedule.periods:
        if period.phase_to_use is not None:
            raise CommandNotSupported("1.6 charging schedule periods have no phaseToUse")
        item: dict[str, Any] = {"startPeriod": period.start_s, "limit": ch.round_limit(period.limit)}
        if period.number_phases is not None:
            item["numberPhases"] = period.number_phases
        periods.append(item)
    out: dict[str, Any] = {"chargingRateUnit": schedule.unit.value, "chargingSchedulePeriod": periods}
    if schedule.duration_s is not None:
        out["duration"] = schedule.duration_s
    if schedule.start is not None:
        out["startSchedule"] = format_datetime(schedule.start)
    if schedule.min_rate is not None:
        out["minChargingRate"] = ch.round_limit(schedule.min_rate)
    return out


def profile_to_v16(profile: ch.ChargingProfile) -> dict[str, Any]:
    """A neutral profile -> 1.6 ChargingProfile (csChargingProfiles, RemoteStartTransaction.chargingProfile)."""
    if len(profile.schedules) != 1:
        raise CommandNotSupported("a 1.6 charging profile has exactly one schedule")
    out: dict[str, Any] = {
        "chargingProfileId": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": _purpose(profile.purpose),
        "chargingProfileKind": profile.kind.value,
        "chargingSchedule": schedule_to_v16(profile.schedule),
    }
    if profile.transaction_id is not None:
        if not _INTEGER_TEXT.fullmatch(profile.transaction_id):
            raise CommandNotSupported(f"1.6 transaction ids are integers, not {profile.transaction_id[:40]!r}")
        out["transactionId"] = int(profile.transaction_id)
    if profile.recurrency is not None:
        out["recurrencyKind"] = profile.recurrency.value
    if profile.valid_from is not None:
        out["validFrom"] = format_datetime(profile.valid_from)
    if profile.valid_to is not None:
        out["validTo"] = format_datetime(profile.valid_to)
    return out


def schedule_from_v16(raw: Mapping[str, Any]) -> ch.ChargingSchedule:
    start = raw.get("startSchedule")
    return ch.ChargingSchedule(
        unit=ch.RateUnit(raw["chargingRateUnit"]),
        periods=tuple(
            ch.SchedulePeriod(int(p["startPeriod"]), float(p["limit"]), p.get("numberPhases"))
            for p in raw["chargingSchedulePeriod"]
        ),
        start=parse_datetime(start) if start is not None else None,
        duration_s=raw.get("duration"),
        min_rate=raw.get("minChargingRate"),
    )


def profile_from_v16(raw: Mapping[str, Any]) -> ch.ChargingProfile:
    """A 1.6 ChargingProfile -> neutral (raises KeyError / ValueError for a malformed one)."""
    recurrency = raw.get("recurrencyKind")
    transaction_id = raw.get("transactionId")
    valid_from, valid_to = raw.get("validFrom"), raw.get("validTo")
    return ch.ChargingProfile(
        id=int(raw["chargingProfileId"]),
        stack_level=int(raw["stackLevel"]),
        purpose=ch.ProfilePurpose.parse(raw["chargingProfilePurpose"]),
        kind=ch.ProfileKind(raw["chargingProfileKind"]),
        schedules=(schedule_from_v16(raw["chargingSchedule"]),),
        recurrency=ch.Recurrency(recurrency) if recurrency is not None else None,
        valid_from=parse_datetime(valid_from) if valid_from is not None else None,
        valid_to=parse_datetime(valid_to) if valid_to is not None else None,
        transaction_id=str(transaction_id) if transaction_id is not None else None,
    )


def remote_start_profile(profile: ch.ChargingProfile) -> dict[str, Any]:
    """RemoteStartTransaction.chargingProfile: a TxProfile without a transaction id (there is none yet)."""
    if profile.purpose is not ch.ProfilePurpose.TX:
        raise CommandNotSupported("the charging profile of a remote start must be a TxProfile")
    if profile.transaction_id is not None:
        raise CommandNotSupported("the charging profile of a remote start names no transaction")
    return profile_to_v16(profile)


# -- commands ---------------------------------------------------------------------------------------


def _set(command: ch.SetChargingProfile) -> tuple[str, dict[str, Any]]:
    return "SetChargingProfile", {"connectorId": command.evse_id, "csChargingProfiles": profile_to_v16(command.profile)}


def _clear(command: ch.ClearChargingProfile) -> tuple[str, dict[str, Any]]:
    if command.purpose is ch.ProfilePurpose.EXTERNAL:
        raise CommandNotSupported("1.6 has no ChargingStationExternalConstraints profiles")
    payload: dict[str, Any] = {}
    if command.profile_id is not None:
        payload["id"] = command.profile_id
    if command.evse_id is not None:
        payload["connectorId"] = command.evse_id
    if command.purpose is not None:
        payload["chargingProfilePurpose"] = _purpose(command.purpose)
    if command.stack_level is not None:
        payload["stackLevel"] = command.stack_level
    return "ClearChargingProfile", payload


def _composite(command: ch.GetCompositeSchedule) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"connectorId": command.evse_id, "duration": command.duration_s}
    if command.unit is not None:
        payload["chargingRateUnit"] = command.unit.value
    return "GetCompositeSchedule", payload


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {
        ch.SetChargingProfile: _set,
        ch.ClearChargingProfile: _clear,
        ch.GetCompositeSchedule: _composite,
    }
)


def decode_composite(payload: dict[str, Any]) -> CommandOutcome:
    """GetCompositeSchedule.conf -> outcome with the neutral schedule (when Accepted and given)."""
    status = str(payload.get("status", "Accepted"))
    raw = payload.get("chargingSchedule")
    composite = None
    if status == "Accepted" and raw is not None:
        start_text = payload.get("scheduleStart") or raw.get("startSchedule")
        if start_text is not None:
            periods = tuple(
                ch.CompositePeriod(int(p["startPeriod"]), float(p["limit"]), p.get("numberPhases"))
                for p in raw["chargingSchedulePeriod"]
            )
            composite = ch.CompositeSchedule(
                evse_id=int(payload.get("connectorId", 0)),
                start=parse_datetime(start_text),
                duration_s=int(raw.get("duration", 0)),
                unit=ch.RateUnit(raw["chargingRateUnit"]),
                periods=periods,
            )
    return CommandOutcome(status, payload, composite=composite)


OUTCOME_DECODERS: Mapping[str, Callable[[dict[str, Any]], CommandOutcome]] = MappingProxyType(
    {"GetCompositeSchedule": decode_composite}
)


def composite_to_v16(composite: ch.CompositeSchedule) -> dict[str, Any]:
    """connectorId, scheduleStart and chargingSchedule of a charge point's GetCompositeSchedule.conf
    (the mirror of :func:`decode_composite`)."""
    schedule = ch.ChargingSchedule(
        unit=composite.unit,
        periods=tuple(ch.SchedulePeriod(p.start_s, p.limit, p.number_phases) for p in composite.periods),
        start=composite.start,
        duration_s=composite.duration_s,
    )
    return {
        "connectorId": composite.evse_id,
        "scheduleStart": format_datetime(composite.start),
        "chargingSchedule": schedule_to_v16(schedule),
    }
