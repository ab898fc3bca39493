"""OCPP 2.0.1 functional block K (smart charging): neutral profiles <-> ChargingProfileType, the
SetChargingProfile / ClearChargingProfile / GetChargingProfiles / GetCompositeSchedule commands,
and the station's ReportChargingProfiles, NotifyChargingLimit, ClearedChargingLimit,
NotifyEVChargingNeeds and NotifyEVChargingSchedule with their answers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import charging as ch
from chargebridge.domain.commands import CommandNotSupported, CommandOutcome
from chargebridge.domain.requests import StationRequest, StationResponse
from chargebridge.domain.timeutil import format_datetime, parse_datetime
from chargebridge.rpc.errors import ErrorCode, OcppError

Payload = Mapping[str, Any]

# -- profiles -------------------------------------------------------------------------------------


def _time(text: Any, field: str) -> Any:
    try:
        return parse_datetime(text)
    except (TypeError, ValueError) as exc:
        raise OcppError(ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, f"{field} is not a valid date-time") from exc


def _optional_time(raw: Payload, key: str, where: str) -> Any:
    value = raw.get(key)
    return _time(value, f"{where}.{key}") if value is not None else None


def period_to_v201(period: ch.SchedulePeriod | ch.CompositePeriod) -> dict[str, Any]:
    """ChargingSchedulePeriodType (of a profile's schedule or of a composite schedule)."""
    item: dict[str, Any] = {"startPeriod": period.start_s, "limit": ch.round_limit(period.limit)}
    if period.number_phases is not None:
        item["numberPhases"] = period.number_phases
    if isinstance(period, ch.SchedulePeriod) and period.phase_to_use is not None:
        item["phaseToUse"] = period.phase_to_use
    return item


def schedule_to_v201(schedule: ch.ChargingSchedule, default_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": schedule.id if schedule.id is not None else default_id,
        "chargingRateUnit": schedule.unit.value,
        "chargingSchedulePeriod": [period_to_v201(period) for period in schedule.periods],
    }
    if schedule.start is not None:
        out["startSchedule"] = format_datetime(schedule.start)
    if schedule.duration_s is not None:
        out["duration"] = schedule.duration_s
    if schedule.min_rate is not None:
        out["minChargingRate"] = ch.round_limit(schedule.min_rate)
    if schedule.sales_tariff is not None:
        out["salesTariff"] = schedule.sales_tariff
    return out


def profile_to_v201(profile: ch.ChargingProfile) -> dict[str, Any]:
    """A neutral profile -> ChargingProfileType (a schedule without an id gets its position, 1-3)."""
    if not 1 <= len(profile.schedules) <= ch.MAX_SCHEDULES:
        raise CommandNotSupported(f"a 2.0.1 charging profile has 1 to {ch.MAX_SCHEDULES} schedules")
    if profile.transaction_id is not None and len(profile.transaction_id) > 36:
        raise CommandNotSupported("2.0.1 transaction ids are at most 36 characters")
    out: dict[str, Any] = {
        "id": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": profile.purpose.value,
        "chargingProfileKind": profile.kind.value,
        "chargingSchedule": [schedule_to_v201(s, index + 1) for index, s in enumerate(profile.schedules)],
    }
    if profile.recurrency is not None:
        out["recurrencyKind"] = profile.recurrency.value
    if profile.valid_from is not None:
        out["validFrom"] = format_datetime(profile.valid_from)
    if profile.valid_to is not None:
        out["validTo"] = format_datetime(profile.valid_to)
    if profile.transaction_id is not None:
        out["transactionId"] = profile.transaction_id
    return out


def schedule_from_v201(raw: Payload, where: str = "chargingSchedule") -> ch.ChargingSchedule:
    return ch.ChargingSchedule(
        unit=ch.RateUnit(raw["chargingRateUnit"]),
        periods=tuple(
            ch.SchedulePeriod(int(p["startPeriod"]), float(p["limit"]), p.get("numberPhases"), p.get("phaseToUse"))
            for p in raw["chargingSchedulePeriod"]
        ),
        id=raw.get("id"),
        start=_optional_time(raw, "startSchedule", where),
        duration_s=raw.get("duration"),
        min_rate=raw.get("minChargingRate"),
        sales_tariff=raw.get("salesTariff"),
    )


def profile_from_v201(raw: Payload, where: str = "chargingProfile") -> ch.ChargingProfile:
    recurrency = raw.get("recurrencyKind")
    return ch.ChargingProfile(
        id=int(raw["id"]),
        stack_level=int(raw["stackLevel"]),
        purpose=ch.ProfilePurpose(raw["chargingProfilePurpose"]),
        kind=ch.ProfileKind(raw["chargingProfileKind"]),
        schedules=tuple(
            schedule_from_v201(s, f"{where}.chargingSchedule[{i}]") for i, s in enumerate(raw["chargingSchedule"])
        ),
        recurrency=ch.Recurrency(recurrency) if recurrency is not None else None,
        valid_from=_optional_time(raw, "validFrom", where),
        valid_to=_optional_time(raw, "validTo", where),
        transaction_id=raw.get("transactionId"),
    )


def remote_start_profile(profile: ch.ChargingProfile) -> dict[str, Any]:
    """RequestStartTransaction.chargingProfile (K05): a TxProfile without a transaction id."""
    if profile.purpose is not ch.ProfilePurpose.TX:
        raise CommandNotSupported("the charging profile of a remote start must be a TxProfile")
    if profile.transaction_id is not None:
        raise CommandNotSupported("the charging profile of a remote start names no transaction")
    return profile_to_v201(profile)


# -- commands ---------------------------------------------------------------------------------------


def _set(command: ch.SetChargingProfile) -> tuple[str, dict[str, Any]]:
    return "SetChargingProfile", {"evseId": command.evse_id, "chargingProfile": profile_to_v201(command.profile)}


def _clear(command: ch.ClearChargingProfile) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {}
    if command.profile_id is not None:
        payload["chargingProfileId"] = command.profile_id
    criteria: dict[str, Any] = {}
    if command.evse_id is not None:
        criteria["evseId"] = command.evse_id
    if command.purpose is not None:
        criteria["chargingProfilePurpose"] = command.purpose.value
    if command.stack_level is not None:
        criteria["stackLevel"] = command.stack_level
    if criteria:
        payload["chargingProfileCriteria"] = criteria
    return "ClearChargingProfile", payload


def _get_profiles(command: ch.GetChargingProfiles) -> tuple[str, dict[str, Any]]:
    criterion: dict[str, Any] = {}
    if command.purpose is not None:
        criterion["chargingProfilePurpose"] = command.purpose.value
    if command.stack_level is not None:
        criterion["stackLevel"] = command.stack_level
    if command.profile_ids:
        criterion["chargingProfileId"] = list(command.profile_ids)
    if command.sources:
        criterion["chargingLimitSource"] = [source.value for source in command.sources]
    payload: dict[str, Any] = {"requestId": command.request_id, "chargingProfile": criterion}
    if command.evse_id is not None:
        payload["evseId"] = command.evse_id
    return "GetChargingProfiles", payload


def _composite(command: ch.GetCompositeSchedule) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"evseId": command.evse_id, "duration": command.duration_s}
    if command.unit is not None:
        payload["chargingRateUnit"] = command.unit.value
    return "GetCompositeSchedule", payload


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {
        ch.SetChargingProfile: _set,
        ch.ClearChargingProfile: _clear,
        ch.GetChargingProfiles: _get_profiles,
        ch.GetCompositeSchedule: _composite,
    }
)


def decode_composite(payload: dict[str, Any]) -> CommandOutcome:
    status = str(payload.get("status", "Accepted"))
    raw = payload.get("schedule")
    composite = None
    if status == "Accepted" and raw is not None:
        composite = ch.CompositeSchedule(
            evse_id=int(raw["evseId"]),
            start=parse_datetime(raw["scheduleStart"]),
            duration_s=int(raw["duration"]),
            unit=ch.RateUnit(raw["chargingRateUnit"]),
            periods=tuple(
                ch.CompositePeriod(int(p["startPeriod"]), float(p["limit"]), p.get("numberPhases"))
                for p in raw["chargingSchedulePeriod"]
            ),
        )
    return CommandOutcome(status, payload, composite=composite)


OUTCOME_DECODERS: Mapping[str, Callable[[dict[str, Any]], CommandOutcome]] = MappingProxyType(
    {"GetCompositeSchedule": decode_composite}
)


def composite_to_v201(composite: ch.CompositeSchedule) -> dict[str, Any]:
    """CompositeScheduleType: the ``schedule`` of a station's GetCompositeSchedule answer (the
    mirror of :func:`decode_composite`)."""
    return {
        "evseId": composite.evse_id,
        "duration": composite.duration_s,
        "scheduleStart": format_datetime(composite.start),
        "chargingRateUnit": composite.unit.value,
        "chargingSchedulePeriod": [period_to_v201(period) for period in composite.periods],
    }


# -- station -> CSMS --------------------------------------------------------------------------------


def decode_report(payload: Payload, notes: list[str]) -> StationRequest:
    return ch.ReportChargingProfilesRequest(
        request_id=payload["requestId"],
        source=ch.LimitSource(payload["chargingLimitSource"]),
        evse_id=payload["evseId"],
        profiles=tuple(
            profile_from_v201(raw, f"chargingProfile[{i}]") for i, raw in enumerate(payload["chargingProfile"])
        ),
        tbc=payload.get("tbc", False),
    )


def decode_notify_limit(payload: Payload, notes: list[str]) -> StationRequest:
    limit = payload["chargingLimit"]
    return ch.NotifyChargingLimitRequest(
        source=ch.LimitSource(limit["chargingLimitSource"]),
        evse_id=payload.get("evseId"),
        grid_critical=limit.get("isGridCritical"),
        schedules=tuple(
            schedule_from_v201(raw, f"chargingSchedule[{i}]")
            for i, raw in enumerate(payload.get("chargingSchedule", ()))
        ),
    )


def decode_cleared_limit(payload: Payload, notes: list[str]) -> StationRequest:
    return ch.ClearedChargingLimitRequest(ch.LimitSource(payload["chargingLimitSource"]), payload.get("evseId"))


def decode_needs(payload: Payload, notes: list[str]) -> StationRequest:
    raw = payload["chargingNeeds"]
    ac = raw.get("acChargingParameters") or {}
    dc = raw.get("dcChargingParameters") or {}
    needs = ch.EvChargingNeeds(
        transfer=ch.EnergyTransfer(raw["requestedEnergyTransfer"]),
        departure=_optional_time(raw, "departureTime", "chargingNeeds"),
        energy_wh=ac.get("energyAmount", dc.get("energyAmount")),
        ev_min_current_a=ac.get("evMinCurrent"),
        ev_max_current_a=ac.get("evMaxCurrent", dc.get("evMaxCurrent")),
        ev_max_voltage_v=ac.get("evMaxVoltage", dc.get("evMaxVoltage")),
        ev_max_power_w=dc.get("evMaxPower"),
        state_of_charge=dc.get("stateOfCharge"),
        ev_energy_capacity_wh=dc.get("evEnergyCapacity"),
        full_soc=dc.get("fullSoC"),
        bulk_soc=dc.get("bulkSoC"),
    )
    if needs.transfer is ch.EnergyTransfer.DC and not dc:
        notes.append("NotifyEVChargingNeeds: DC transfer without dcChargingParameters")
    if needs.transfer is not ch.EnergyTransfer.DC and not ac:
        notes.append("NotifyEVChargingNeeds: AC transfer without acChargingParameters")
    return ch.NotifyEvChargingNeedsRequest(payload["evseId"], needs, payload.get("maxScheduleTuples"))


def decode_ev_schedule(payload: Payload, notes: list[str]) -> StationRequest:
    return ch.NotifyEvChargingScheduleRequest(
        evse_id=payload["evseId"],
        time_base=_time(payload["timeBase"], "timeBase"),
        schedule=schedule_from_v201(payload["chargingSchedule"]),
    )


DECODERS: Mapping[str, Callable[[Payload, list[str]], StationRequest]] = MappingProxyType(
    {
        "ReportChargingProfiles": decode_report,
        "NotifyChargingLimit": decode_notify_limit,
        "ClearedChargingLimit": decode_cleared_limit,
        "NotifyEVChargingNeeds": decode_needs,
        "NotifyEVChargingSchedule": decode_ev_schedule,
    }
)

# Answered with an empty CALLRESULT (a neutral Ack).
ACK_ACTIONS = frozenset({"ReportChargingProfiles", "NotifyChargingLimit", "ClearedChargingLimit"})


def _status_info(reason_code: str | None, reason: str | None) -> dict[str, Any] | None:
    if reason_code is None:
        return None
    info: dict[str, Any] = {"reasonCode": reason_code[:20]}
    if reason:
        info["additionalInfo"] = reason[:512]
    return info


def _encode_needs(action: str, response: StationResponse) -> dict[str, Any]:
    if not isinstance(response, ch.EvChargingNeedsResponse) or action != "NotifyEVChargingNeeds":
        raise TypeError(f"{type(response).__name__} does not answer a 2.0.1 {action}")
    out: dict[str, Any] = {"status": response.status.value}
    info = _status_info(response.reason_code, response.reason)
    if info is not None:
        out["statusInfo"] = info
    return out


def _encode_ev_schedule(action: str, response: StationResponse) -> dict[str, Any]:
    if not isinstance(response, ch.EvChargingScheduleResponse) or action != "NotifyEVChargingSchedule":
        raise TypeError(f"{type(response).__name__} does not answer a 2.0.1 {action}")
    out: dict[str, Any] = {"status": "Accepted" if response.accepted else "Rejected"}
    info = _status_info(response.reason_code, response.reason)
    if info is not None:
        out["statusInfo"] = info
    return out


# Neutral response type -> its encoder (responses that are not an Ack).
RESPONSE_ENCODERS: Mapping[type, Callable[[str, StationResponse], dict[str, Any]]] = MappingProxyType(
    {ch.EvChargingNeedsResponse: _encode_needs, ch.EvChargingScheduleResponse: _encode_ev_schedule}
)
