"""The CSMS role of OCPP 2.0.1 beyond :mod:`.outbound`, for the translating gateway.

- ``encode_command``: every neutral command the gateway forwards -> a 2.0.1 CALL (the core
  commands through ``outbound.COMMAND_ENCODERS``, the translation commands of
  :mod:`chargebridge.domain.translation` through ``TRANSLATION_ENCODERS``; the latter belong in
  the outbound table once the capability packages define those commands);
- ``decode_result``: a 2.0.1 station's CALLRESULT -> a typed neutral result;
- the codecs shared with :mod:`.station_side` (charging profiles, component/variable addresses,
  id tokens, statusInfo).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from chargebridge.domain import commands as cmd
from chargebridge.domain import translation as tr
from chargebridge.domain.commands import Command, CommandNotSupported
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.domain.timeutil import format_datetime, parse_datetime
from chargebridge.ocpp201 import outbound

ID_TOKEN_MAX_LENGTH = 36
DEFAULT_ID_TOKEN_TYPE = "Central"  # the outbound adapter's choice for a token of no known type

# 2.0.1 authorization statuses the neutral model lacks deny charging: they read as Invalid.
AUTHORIZATION_STATUSES: Mapping[str, AuthorizationStatus] = MappingProxyType(
    {
        **{status.value: status for status in AuthorizationStatus},
        "NoCredit": AuthorizationStatus.INVALID,
        "NotAllowedTypeEVSE": AuthorizationStatus.INVALID,
        "NotAtThisLocation": AuthorizationStatus.INVALID,
        "NotAtThisTime": AuthorizationStatus.INVALID,
    }
)


def put(payload: dict[str, Any], field: str, value: Any) -> None:
    if value is not None:
        payload[field] = value


def time_text(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def optional_time(payload: Mapping[str, Any], field: str) -> datetime | None:
    text = payload.get(field)
    return parse_datetime(text) if isinstance(text, str) else None


def status_info(reason_code: str | None, info: str | None) -> dict[str, Any] | None:
    if reason_code is None:
        return None
    out: dict[str, Any] = {"reasonCode": reason_code[:20]}
    if info:
        out["additionalInfo"] = info[:512]
    return out


def read_status_info(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    info = payload.get("statusInfo") or {}
    return info.get("reasonCode"), info.get("additionalInfo")


# -- id tokens --------------------------------------------------------------------------------


def encode_id_token(token: IdToken, default_type: str = DEFAULT_ID_TOKEN_TYPE) -> dict[str, Any]:
    if len(token.value) > ID_TOKEN_MAX_LENGTH:
        raise tr.Untranslatable(f"id token {token.value[:40]!r} is longer than 36 characters")
    return {"idToken": token.value, "type": token.type or default_type}


def decode_id_token(raw: Mapping[str, Any]) -> IdToken:
    return IdToken(raw["idToken"], raw.get("type"))


def encode_id_token_info(info: IdTokenInfo) -> dict[str, Any]:
    return outbound.encode_id_token_info(info)


def decode_id_token_info(raw: Mapping[str, Any]) -> IdTokenInfo:
    group = raw.get("groupIdToken")
    return IdTokenInfo(
        AUTHORIZATION_STATUSES[raw["status"]],
        expires_at=optional_time(raw, "cacheExpiryDateTime"),
        group_id=group["idToken"] if group else None,
    )


# -- component / variable addresses -----------------------------------------------------------


def variable_address(ref: cmd.VariableRef) -> dict[str, Any]:
    component: dict[str, Any] = {"name": ref.component}
    put(component, "instance", ref.component_instance)
    if ref.evse_id is not None:
        evse: dict[str, Any] = {"id": ref.evse_id}
        put(evse, "connectorId", ref.connector_id)
        component["evse"] = evse
    variable: dict[str, Any] = {"name": ref.variable}
    put(variable, "instance", ref.instance)
    out: dict[str, Any] = {"component": component, "variable": variable}
    put(out, "attributeType", ref.attribute)
    return out


def variable_ref(raw: Mapping[str, Any]) -> cmd.VariableRef:
    component = raw["component"]
    evse = component.get("evse") or {}
    variable = raw["variable"]
    return cmd.VariableRef(
        component=component["name"],
        variable=variable["name"],
        instance=variable.get("instance"),
        component_instance=component.get("instance"),
        evse_id=evse.get("id"),
        connector_id=evse.get("connectorId"),
        attribute=raw.get("attributeType"),
    )


# -- charging profiles ------------------------------------------------------------------------


def encode_period(period: tr.SchedulePeriod) -> dict[str, Any]:
    out: dict[str, Any] = {"startPeriod": period.start_s, "limit": period.limit}
    put(out, "numberPhases", period.phases)
    put(out, "phaseToUse", period.phase_to_use)
    return out


def encode_schedule(schedule: tr.ChargingSchedule, default_id: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": schedule.id if schedule.id is not None else default_id,
        "chargingRateUnit": schedule.rate_unit,
        "chargingSchedulePeriod": [encode_period(p) for p in schedule.periods],
    }
    put(out, "startSchedule", time_text(schedule.start))
    put(out, "duration", schedule.duration_s)
    put(out, "minChargingRate", schedule.min_rate)
    return out


def encode_profile(profile: tr.ChargingProfile) -> dict[str, Any]:
    """A neutral profile -> 2.0.1 ChargingProfileType (a schedule without an id gets the profile's)."""
    if not 1 <= len(profile.schedules) <= 3:
        raise tr.Untranslatable(f"a 2.0.1 charging profile has one to three schedules, not {len(profile.schedules)}")
    out: dict[str, Any] = {
        "id": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": profile.purpose.value,
        "chargingProfileKind": profile.kind,
        "chargingSchedule": [encode_schedule(s, profile.id + index) for index, s in enumerate(profile.schedules)],
    }
    put(out, "recurrencyKind", profile.recurrency)
    put(out, "validFrom", time_text(profile.valid_from))
    put(out, "validTo", time_text(profile.valid_to))
    put(out, "transactionId", profile.transaction_id)
    return out


def decode_period(raw: Mapping[str, Any]) -> tr.SchedulePeriod:
    return tr.SchedulePeriod(raw["startPeriod"], float(raw["limit"]), raw.get("numberPhases"), raw.get("phaseToUse"))


def decode_schedule(raw: Mapping[str, Any], notes: list[str]) -> tr.ChargingSchedule:
    if "salesTariff" in raw:
        notes.append("salesTariff (ISO 15118) has no neutral form and was left out")
    return tr.ChargingSchedule(
        rate_unit=raw["chargingRateUnit"],
        periods=tuple(decode_period(p) for p in raw["chargingSchedulePeriod"]),
        duration_s=raw.get("duration"),
        start=optional_time(raw, "startSchedule"),
        min_rate=raw.get("minChargingRate"),
        id=raw.get("id"),
    )


def decode_profile(raw: Mapping[str, Any], notes: list[str] | None = None) -> tr.ChargingProfile:
    notes = notes if notes is not None else []
    return tr.ChargingProfile(
        id=raw["id"],
        stack_level=raw["stackLevel"],
        purpose=tr.ProfilePurpose(raw["chargingProfilePurpose"]),
        kind=raw["chargingProfileKind"],
        schedules=tuple(decode_schedule(s, notes) for s in raw["chargingSchedule"]),
        recurrency=raw.get("recurrencyKind"),
        valid_from=optional_time(raw, "validFrom"),
        valid_to=optional_time(raw, "validTo"),
        transaction_id=raw.get("transactionId"),
    )


# -- translation commands -> 2.0.1 CALLs --------------------------------------------------------


def _set_charging_profile(command: tr.SetChargingProfile, notes: list[str]) -> tuple[str, dict[str, Any]]:
    return "SetChargingProfile", {"evseId": command.evse_id, "chargingProfile": encode_profile(command.profile)}


def _clear_charging_profile(command: tr.ClearChargingProfile, notes: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {}
    put(payload, "chargingProfileId", command.profile_id)
    criteria: dict[str, Any] = {}
    put(criteria, "evseId", command.evse_id)
    put(criteria, "chargingProfilePurpose", command.purpose.value if command.purpose is not None else None)
    put(criteria, "stackLevel", command.stack_level)
    if criteria:
        payload["chargingProfileCriteria"] = criteria
    return "ClearChargingProfile", payload


def _get_composite_schedule(command: tr.GetCompositeSchedule, notes: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"duration": command.duration_s, "evseId": command.evse_id}
    put(payload, "chargingRateUnit", command.rate_unit)
    return "GetCompositeSchedule", payload


def _update_firmware(command: tr.UpdateFirmware, notes: list[str]) -> tuple[str, dict[str, Any]]:
    if command.request_id is None:
        raise CommandNotSupported("2.0.1 UpdateFirmware needs a request id")
    firmware: dict[str, Any] = {"location": command.location, "retrieveDateTime": format_datetime(command.retrieve_at)}
    put(firmware, "installDateTime", time_text(command.install_at))
    put(firmware, "signingCertificate", command.signing_certificate)
    put(firmware, "signature", command.signature)
    payload: dict[str, Any] = {"requestId": command.request_id, "firmware": firmware}
    put(payload, "retries", command.retries)
    put(payload, "retryInterval", command.retry_interval_s)
    return "UpdateFirmware", payload


def _get_log(command: tr.GetLog, notes: list[str]) -> tuple[str, dict[str, Any]]:
    if command.request_id is None:
        raise CommandNotSupported("2.0.1 GetLog needs a request id")
    log: dict[str, Any] = {"remoteLocation": command.location}
    put(log, "oldestTimestamp", time_text(command.oldest))
    put(log, "latestTimestamp", time_text(command.latest))
    payload: dict[str, Any] = {"logType": command.log_type.value, "requestId": command.request_id, "log": log}
    put(payload, "retries", command.retries)
    put(payload, "retryInterval", command.retry_interval_s)
    return "GetLog", payload


def _send_local_list(command: tr.SendLocalList, notes: list[str]) -> tuple[str, dict[str, Any]]:
    entries = []
    for entry in command.entries:
        item: dict[str, Any] = {"idToken": encode_id_token(entry.id_token)}
        if entry.info is not None:
            item["idTokenInfo"] = encode_id_token_info(entry.info)
        entries.append(item)
    payload: dict[str, Any] = {"versionNumber": command.version, "updateType": command.update_type}
    if entries:
        payload["localAuthorizationList"] = entries
    return "SendLocalList", payload


def _reserve_now(command: tr.ReserveNow, notes: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {
        "id": command.reservation_id,
        "expiryDateTime": format_datetime(command.expires_at),
        "idToken": encode_id_token(command.id_token),
    }
    if command.evse_id:
        payload["evseId"] = command.evse_id
    if command.group_id is not None:
        payload["groupIdToken"] = encode_id_token(IdToken(command.group_id, "Central"))
    put(payload, "connectorType", command.connector_type)
    return "ReserveNow", payload


def _set_configurations(command: tr.SetConfigurations, notes: list[str]) -> tuple[str, dict[str, Any]]:
    data = []
    for item in command.items:
        if item.variable is None:
            raise CommandNotSupported("2.0.1 SetVariables needs a component/variable for every value")
        data.append({"attributeValue": item.value, **variable_address(item.variable)})
    if not data:
        raise CommandNotSupported("2.0.1 SetVariables needs at least one variable")
    return "SetVariables", {"setVariableData": data}


_Encoder = Callable[[Any, list[str]], tuple[str, dict[str, Any]]]

TRANSLATION_ENCODERS: Mapping[type, _Encoder] = MappingProxyType(
    {
        tr.SetChargingProfile: _set_charging_profile,
        tr.ClearChargingProfile: _clear_charging_profile,
        tr.GetCompositeSchedule: _get_composite_schedule,
        tr.UpdateFirmware: _update_firmware,
        tr.GetLog: _get_log,
        tr.SendLocalList: _send_local_list,
        tr.GetLocalListVersion: lambda c, notes: ("GetLocalListVersion", {}),
        tr.ReserveNow: _reserve_now,
        tr.CancelReservation: lambda c, notes: ("CancelReservation", {"reservationId": c.reservation_id}),
        tr.SetConfigurations: _set_configurations,
    }
)


def encode_command(command: Command, notes: list[str] | None = None) -> tuple[str, dict[str, Any]]:
    """Any neutral command -> (2.0.1 action, payload). Raises :class:`CommandNotSupported`."""
    encoder = TRANSLATION_ENCODERS.get(type(command))
    try:
        if encoder is not None:
            return encoder(command, notes if notes is not None else [])
        return outbound.encode_command(command)
    except tr.Untranslatable as exc:
        raise CommandNotSupported(str(exc)) from exc


# -- 2.0.1 answers -> neutral results -----------------------------------------------------------


def _status(payload: Mapping[str, Any]) -> tr.CommandResult:
    reason, info = read_status_info(payload)
    return tr.StatusResult(str(payload.get("status", "Accepted")), reason, info)


def _variable_values(results: Any, status_field: str = "attributeStatus") -> tr.CommandResult:
    return tr.ConfigurationResult(
        tuple(
            tr.ConfigValue(result[status_field], variable=variable_ref(result), value=result.get("attributeValue"))
            for result in results
        )
    )


def _composite_schedule(payload: Mapping[str, Any]) -> tr.CommandResult:
    raw = payload.get("schedule")
    if raw is None:
        return tr.CompositeScheduleResult(payload["status"])
    schedule = tr.CompositeSchedule(
        evse_id=raw["evseId"],
        start=parse_datetime(raw["scheduleStart"]),
        duration_s=raw["duration"],
        rate_unit=raw["chargingRateUnit"],
        periods=tuple(decode_period(p) for p in raw["chargingSchedulePeriod"]),
    )
    return tr.CompositeScheduleResult(payload["status"], schedule)


def _certificate_ids(payload: Mapping[str, Any]) -> tr.CommandResult:
    certificates = tuple(
        cmd.InstalledCertificate(cmd.CertificateHashData.from_json(raw["certificateHashData"]), raw["certificateType"])
        for raw in payload.get("certificateHashDataChain", ())
    )
    return tr.CertificateIdsResult(payload["status"], certificates)


RESULT_DECODERS: Mapping[str, Callable[[Mapping[str, Any]], tr.CommandResult]] = MappingProxyType(
    {
        "GetVariables": lambda p: _variable_values(p["getVariableResult"]),
        "SetVariables": lambda p: _variable_values(p["setVariableResult"]),
        "DataTransfer": lambda p: tr.DataTransferResult(p["status"], p.get("data")),
        "GetCompositeSchedule": _composite_schedule,
        "GetLog": lambda p: tr.LogResult(p["status"], p.get("filename")),
        "GetLocalListVersion": lambda p: tr.LocalListVersionResult(p["versionNumber"]),
        "GetInstalledCertificateIds": _certificate_ids,
    }
)


def decode_result(action: str, payload: Mapping[str, Any]) -> tr.CommandResult:
    """A schema-valid 2.0.1 CALLRESULT payload -> a neutral result (a status when nothing else)."""
    decoder = RESULT_DECODERS.get(action)
    return decoder(payload) if decoder is not None else _status(payload)
