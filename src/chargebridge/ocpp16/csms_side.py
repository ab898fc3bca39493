"""The CSMS role of OCPP 1.6 beyond :mod:`.adapter`, for the translating gateway.

- ``encode_command``: every neutral command the gateway forwards -> a 1.6 CALL: the core
  commands through the adapter's ``COMMAND_ENCODERS``, plus the translation commands of
  :mod:`chargebridge.domain.translation` (smart charging, firmware, logs, local lists,
  reservations) in ``TRANSLATION_ENCODERS``. When the capability packages add those commands
  to the neutral model, their encoders belong in the adapter's table instead.
- ``decode_result``: a 1.6 station's CALLRESULT -> a typed neutral result (the adapter's
  ``decode_outcome`` keeps the raw payload, which is what the REST API shows).
- The charging-profile codec shared with :mod:`.station_side`.

Read-only tables, no state, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from chargebridge.domain import commands as cmd
from chargebridge.domain import translation as tr
from chargebridge.domain.commands import Command, CommandNotSupported
from chargebridge.domain.model import AuthorizationStatus, IdTokenInfo
from chargebridge.domain.timeutil import format_datetime, parse_datetime
from chargebridge.ocpp16 import adapter as v16

ID_TAG_MAX_LENGTH = v16.ID_TAG_MAX_LENGTH

# Neutral (2.0.1) purpose names <-> 1.6 ChargingProfilePurposeType.
PURPOSE_TO_16: Mapping[tr.ProfilePurpose, str] = MappingProxyType(
    {
        tr.ProfilePurpose.STATION_MAX: "ChargePointMaxProfile",
        tr.ProfilePurpose.TX_DEFAULT: "TxDefaultProfile",
        tr.ProfilePurpose.TX: "TxProfile",
    }
)
PURPOSE_FROM_16: Mapping[str, tr.ProfilePurpose] = MappingProxyType({v: k for k, v in PURPOSE_TO_16.items()})

# 1.6 IdTagInfo statuses; other (2.0.1) statuses deny, so they become Invalid.
ID_TAG_STATUSES = frozenset({"Accepted", "Blocked", "Expired", "Invalid", "ConcurrentTx"})


def time_text(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def optional_time(payload: Mapping[str, Any], field: str) -> datetime | None:
    text = payload.get(field)
    return parse_datetime(text) if isinstance(text, str) else None


def put(payload: dict[str, Any], field: str, value: Any) -> None:
    """Set ``field`` unless ``value`` is None (OCPP leaves optional fields out)."""
    if value is not None:
        payload[field] = value


# -- id tags -----------------------------------------------------------------------------------


def id_tag(value: str) -> str:
    if len(value) > ID_TAG_MAX_LENGTH:
        raise tr.Untranslatable(f"id token {value[:40]!r} is longer than a 1.6 idTag ({ID_TAG_MAX_LENGTH} characters)")
    return value


def encode_id_tag_info(info: IdTokenInfo) -> dict[str, Any]:
    status = info.status.value if info.status.value in ID_TAG_STATUSES else AuthorizationStatus.INVALID.value
    out: dict[str, Any] = {"status": status}
    put(out, "expiryDate", time_text(info.expires_at))
    if info.group_id is not None and len(info.group_id) <= ID_TAG_MAX_LENGTH:
        out["parentIdTag"] = info.group_id
    return out


def decode_id_tag_info(raw: Mapping[str, Any]) -> IdTokenInfo:
    return IdTokenInfo(
        AuthorizationStatus(raw["status"]),
        expires_at=optional_time(raw, "expiryDate"),
        group_id=raw.get("parentIdTag"),
    )


# -- charging profiles ------------------------------------------------------------------------


def encode_period(period: tr.SchedulePeriod, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"startPeriod": period.start_s, "limit": period.limit}
    put(out, "numberPhases", period.phases)
    if period.phase_to_use is not None:
        notes.append("phaseToUse has no 1.6 form and was left out")
    return out


def encode_schedule(schedule: tr.ChargingSchedule, notes: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "chargingRateUnit": schedule.rate_unit,
        "chargingSchedulePeriod": [encode_period(p, notes) for p in schedule.periods],
    }
    put(out, "duration", schedule.duration_s)
    put(out, "startSchedule", time_text(schedule.start))
    put(out, "minChargingRate", schedule.min_rate)
    return out


def encode_profile(profile: tr.ChargingProfile, notes: list[str]) -> dict[str, Any]:
    """A neutral profile -> 1.6 ChargingProfile (``csChargingProfiles`` / RemoteStart ``chargingProfile``)."""
    purpose = PURPOSE_TO_16.get(profile.purpose)
    if purpose is None:
        raise tr.Untranslatable(f"1.6 has no charging profile purpose {profile.purpose.value}")
    if len(profile.schedules) != 1:
        raise tr.Untranslatable(f"a 1.6 charging profile has one schedule, not {len(profile.schedules)}")
    out: dict[str, Any] = {
        "chargingProfileId": profile.id,
        "stackLevel": profile.stack_level,
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": profile.kind,
        "chargingSchedule": encode_schedule(profile.schedules[0], notes),
    }
    if profile.transaction_id is not None:
        out["transactionId"] = v16._transaction_number(profile.transaction_id)
    put(out, "recurrencyKind", profile.recurrency)
    put(out, "validFrom", time_text(profile.valid_from))
    put(out, "validTo", time_text(profile.valid_to))
    return out


def decode_period(raw: Mapping[str, Any]) -> tr.SchedulePeriod:
    return tr.SchedulePeriod(raw["startPeriod"], float(raw["limit"]), raw.get("numberPhases"))


def decode_schedule(raw: Mapping[str, Any], schedule_id: int | None = None) -> tr.ChargingSchedule:
    return tr.ChargingSchedule(
        rate_unit=raw["chargingRateUnit"],
        periods=tuple(decode_period(p) for p in raw["chargingSchedulePeriod"]),
        duration_s=raw.get("duration"),
        start=optional_time(raw, "startSchedule"),
        min_rate=raw.get("minChargingRate"),
        id=schedule_id,
    )


def decode_profile(raw: Mapping[str, Any]) -> tr.ChargingProfile:
    transaction_id = raw.get("transactionId")
    return tr.ChargingProfile(
        id=raw["chargingProfileId"],
        stack_level=raw["stackLevel"],
        purpose=PURPOSE_FROM_16[raw["chargingProfilePurpose"]],
        kind=raw["chargingProfileKind"],
        schedules=(decode_schedule(raw["chargingSchedule"]),),
        recurrency=raw.get("recurrencyKind"),
        valid_from=optional_time(raw, "validFrom"),
        valid_to=optional_time(raw, "validTo"),
        transaction_id=str(transaction_id) if transaction_id is not None else None,
    )


# -- translation commands -> 1.6 CALLs ----------------------------------------------------------


def _connector(evse_id: int | None) -> int:
    return evse_id or 0


def _set_charging_profile(command: tr.SetChargingProfile, notes: list[str]) -> tuple[str, dict[str, Any]]:
    profile = encode_profile(command.profile, notes)
    return "SetChargingProfile", {"connectorId": _connector(command.evse_id), "csChargingProfiles": profile}


def _clear_charging_profile(command: tr.ClearChargingProfile, notes: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {}
    put(payload, "id", command.profile_id)
    put(payload, "connectorId", command.evse_id)
    if command.purpose is not None:
        purpose = PURPOSE_TO_16.get(command.purpose)
        if purpose is None:
            raise CommandNotSupported(f"1.6 has no charging profile purpose {command.purpose.value}")
        payload["chargingProfilePurpose"] = purpose
    put(payload, "stackLevel", command.stack_level)
    return "ClearChargingProfile", payload


def _get_composite_schedule(command: tr.GetCompositeSchedule, notes: list[str]) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"connectorId": _connector(command.evse_id), "duration": command.duration_s}
    put(payload, "chargingRateUnit", command.rate_unit)
    return "GetCompositeSchedule", payload


def _update_firmware(command: tr.UpdateFirmware, notes: list[str]) -> tuple[str, dict[str, Any]]:
    if command.signature is None and command.signing_certificate is None:
        payload: dict[str, Any] = {"location": command.location, "retrieveDate": format_datetime(command.retrieve_at)}
        put(payload, "retries", command.retries)
        put(payload, "retryInterval", command.retry_interval_s)
        return "UpdateFirmware", payload
    if command.signature is None or command.signing_certificate is None or command.request_id is None:
        raise CommandNotSupported("1.6 SignedUpdateFirmware needs a signature, a signing certificate and a request id")
    firmware: dict[str, Any] = {
        "location": command.location,
        "retrieveDateTime": format_datetime(command.retrieve_at),
        "signingCertificate": command.signing_certificate,
        "signature": command.signature,
    }
    put(firmware, "installDateTime", time_text(command.install_at))
    signed: dict[str, Any] = {"requestId": command.request_id, "firmware": firmware}
    put(signed, "retries", command.retries)
    put(signed, "retryInterval", command.retry_interval_s)
    return "SignedUpdateFirmware", signed


def _get_log(command: tr.GetLog, notes: list[str]) -> tuple[str, dict[str, Any]]:
    if command.log_type is tr.LogType.DIAGNOSTICS:
        payload: dict[str, Any] = {"location": command.location}
        put(payload, "retries", command.retries)
        put(payload, "retryInterval", command.retry_interval_s)
        put(payload, "startTime", time_text(command.oldest))
        put(payload, "stopTime", time_text(command.latest))
        return "GetDiagnostics", payload
    if command.request_id is None:
        raise CommandNotSupported("1.6 GetLog (security whitepaper) needs a request id")
    log: dict[str, Any] = {"remoteLocation": command.location}
    put(log, "oldestTimestamp", time_text(command.oldest))
    put(log, "latestTimestamp", time_text(command.latest))
    out: dict[str, Any] = {"logType": command.log_type.value, "requestId": command.request_id, "log": log}
    put(out, "retries", command.retries)
    put(out, "retryInterval", command.retry_interval_s)
    return "GetLog", out


def _send_local_list(command: tr.SendLocalList, notes: list[str]) -> tuple[str, dict[str, Any]]:
    entries = []
    for entry in command.entries:
        item: dict[str, Any] = {"idTag": _command_id_tag(entry.id_token.value)}
        if entry.info is not None:
            item["idTagInfo"] = encode_id_tag_info(entry.info)
        entries.append(item)
    payload: dict[str, Any] = {"listVersion": command.version, "updateType": command.update_type}
    if entries:
        payload["localAuthorizationList"] = entries
    return "SendLocalList", payload


def _command_id_tag(value: str) -> str:
    try:
        return id_tag(value)
    except tr.Untranslatable as exc:
        raise CommandNotSupported(str(exc)) from exc


def _reserve_now(command: tr.ReserveNow, notes: list[str]) -> tuple[str, dict[str, Any]]:
    if command.connector_type is not None:
        raise CommandNotSupported("1.6 ReserveNow cannot reserve by connector type")
    payload: dict[str, Any] = {
        "connectorId": _connector(command.evse_id),
        "expiryDate": format_datetime(command.expires_at),
        "idTag": _command_id_tag(command.id_token.value),
        "reservationId": command.reservation_id,
    }
    if command.group_id is not None:
        payload["parentIdTag"] = _command_id_tag(command.group_id)
    return "ReserveNow", payload


def _set_configurations(command: tr.SetConfigurations, notes: list[str]) -> tuple[str, dict[str, Any]]:
    if len(command.items) != 1:
        raise CommandNotSupported("1.6 ChangeConfiguration sets one key at a time")
    return v16.encode_command(command.items[0])


_Encoder = Callable[[Any, list[str]], tuple[str, dict[str, Any]]]

# Translation commands (domain.translation) -> their 1.6 encoder.
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
    """Any neutral command -> (1.6 action, payload); what had to be left out is appended to ``notes``.
    Raises :class:`CommandNotSupported` when the command has no 1.6 form."""
    encoder = TRANSLATION_ENCODERS.get(type(command))
    if encoder is not None:
        try:
            return encoder(command, notes if notes is not None else [])
        except tr.Untranslatable as exc:
            raise CommandNotSupported(str(exc)) from exc
    return v16.encode_command(command)


# -- 1.6 answers -> neutral results -------------------------------------------------------------


def _status(payload: Mapping[str, Any]) -> tr.CommandResult:
    return tr.StatusResult(str(payload.get("status", "Accepted")))


def _configuration(payload: Mapping[str, Any]) -> tr.CommandResult:
    values = [
        tr.ConfigValue("Accepted", key=item["key"], value=item.get("value"), readonly=item["readonly"])
        for item in payload.get("configurationKey", ())
    ]
    values.extend(tr.ConfigValue("UnknownVariable", key=key) for key in payload.get("unknownKey", ()))
    return tr.ConfigurationResult(tuple(values))


def _change_configuration(payload: Mapping[str, Any]) -> tr.CommandResult:
    return tr.ConfigurationResult((tr.ConfigValue(payload["status"]),))


def _data_transfer(payload: Mapping[str, Any]) -> tr.CommandResult:
    return tr.DataTransferResult(payload["status"], payload.get("data"))


def _composite_schedule(payload: Mapping[str, Any]) -> tr.CommandResult:
    raw = payload.get("chargingSchedule")
    if raw is None:
        return tr.CompositeScheduleResult(payload["status"])
    schedule = decode_schedule(raw)
    start = optional_time(payload, "scheduleStart") or schedule.start
    if start is None or schedule.duration_s is None:
        # 1.6 leaves both optional; 2.0.1 needs them: the answer has no usable schedule then.
        return tr.CompositeScheduleResult(payload["status"])
    composite = tr.CompositeSchedule(
        evse_id=payload.get("connectorId", 0),
        start=start,
        duration_s=schedule.duration_s,
        rate_unit=schedule.rate_unit,
        periods=schedule.periods,
    )
    return tr.CompositeScheduleResult(payload["status"], composite)


def _diagnostics(payload: Mapping[str, Any]) -> tr.CommandResult:
    filename = payload.get("fileName")
    return tr.LogResult("Accepted" if filename else "Rejected", filename)


def _certificate_ids(payload: Mapping[str, Any]) -> tr.CommandResult:
    certificates = tuple(
        cmd.InstalledCertificate(cmd.CertificateHashData.from_json(raw))
        for raw in payload.get("certificateHashData", ())
    )
    return tr.CertificateIdsResult(payload["status"], certificates)


RESULT_DECODERS: Mapping[str, Callable[[Mapping[str, Any]], tr.CommandResult]] = MappingProxyType(
    {
        "GetConfiguration": _configuration,
        "ChangeConfiguration": _change_configuration,
        "DataTransfer": _data_transfer,
        "GetCompositeSchedule": _composite_schedule,
        "GetDiagnostics": _diagnostics,
        "GetLog": lambda p: tr.LogResult(p["status"], p.get("filename")),
        "GetLocalListVersion": lambda p: tr.LocalListVersionResult(p["listVersion"]),
        "GetInstalledCertificateIds": _certificate_ids,
        "UpdateFirmware": lambda p: tr.StatusResult("Accepted"),  # 1.6 answers nothing: it took it
    }
)


def decode_result(action: str, payload: Mapping[str, Any]) -> tr.CommandResult:
    """A schema-valid 1.6 CALLRESULT payload -> a neutral result (a status when nothing else)."""
    decoder = RESULT_DECODERS.get(action)
    return decoder(payload) if decoder is not None else _status(payload)
