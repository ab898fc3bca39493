"""The station role of OCPP 1.6J: what a 1.6 charge point says to a 1.6 Central System.

The mirror of :mod:`.adapter` (which is the Central System's role), for the translating
gateway when its upstream speaks 1.6:

- ``encode_request``: a neutral request -> the 1.6 CALL a charge point would send;
- ``decode_response``: the Central System's CALLRESULT -> a neutral response;
- ``decode_command``: a Central System's CALL -> a neutral command;
- ``encode_result``: a neutral result -> the CALLRESULT a charge point answers with.

``adapter.decode(encode_request(x)) == x`` for every request 1.6 can express, and the same for
the other three pairs (tested against the official schemas). Values that 1.6 cannot express
raise :class:`~chargebridge.domain.translation.Untranslatable`, or are left out with a note
when the rest of the message keeps its meaning (a sampled value 1.6 has no measurand for).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import authorization as auth
from chargebridge.domain import charging as ch
from chargebridge.domain import commands as cmd
from chargebridge.domain import firmware as fw
from chargebridge.domain import translation as tr
from chargebridge.domain.model import IdToken, MeterSample, RegistrationStatus, SampledValue
from chargebridge.domain.requests import (
    Ack,
    AuthorizeRequest,
    AuthorizeResponse,
    BootRequest,
    BootResponse,
    DataTransferRequest,
    DataTransferResponse,
    DataTransferStatus,
    FirmwareStatusRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LogStatusRequest,
    MeterValuesRequest,
    SecurityEventRequest,
    SignCertificateRequest,
    SignCertificateResponse,
    StationRequest,
    StationResponse,
    StatusRequest,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
)
from chargebridge.domain.timeutil import format_datetime, parse_datetime
from chargebridge.ocpp16 import adapter as v16
from chargebridge.ocpp16.charging import composite_to_v16, profile_from_v16
from chargebridge.ocpp16.csms_side import decode_id_tag_info, id_tag, optional_time, put
from chargebridge.ocpp201.firmware import get_log_from_v201, update_firmware_from_v201

Notes = list[str]

# -- vocabularies (data) -----------------------------------------------------------------------

STATUSES = frozenset(
    {
        "Available",
        "Preparing",
        "Charging",
        "SuspendedEVSE",
        "SuspendedEV",
        "Finishing",
        "Reserved",
        "Unavailable",
        "Faulted",
    }
)
ERROR_CODES = frozenset(
    {
        "ConnectorLockFailure",
        "EVCommunicationError",
        "GroundFailure",
        "HighTemperature",
        "InternalError",
        "LocalListConflict",
        "NoError",
        "OtherError",
        "OverCurrentFailure",
        "PowerMeterFailure",
        "PowerSwitchFailure",
        "ReaderFailure",
        "ResetFailure",
        "UnderVoltage",
        "OverVoltage",
        "WeakSignal",
    }
)
MEASURANDS = frozenset(
    {
        "Energy.Active.Export.Register",
        "Energy.Active.Import.Register",
        "Energy.Reactive.Export.Register",
        "Energy.Reactive.Import.Register",
        "Energy.Active.Export.Interval",
        "Energy.Active.Import.Interval",
        "Energy.Reactive.Export.Interval",
        "Energy.Reactive.Import.Interval",
        "Power.Active.Export",
        "Power.Active.Import",
        "Power.Offered",
        "Power.Reactive.Export",
        "Power.Reactive.Import",
        "Power.Factor",
        "Current.Import",
        "Current.Export",
        "Current.Offered",
        "Voltage",
        "Frequency",
        "Temperature",
        "SoC",
        "RPM",
    }
)
# Neutral base units -> the 1.6 UnitOfMeasure name; "" leaves the unit out, so the measurand's default
# applies (Power.Factor has none; StopTransaction's unit list lacks Hertz, Frequency defaults to it).
UNITS: Mapping[str, str] = MappingProxyType(
    {
        "": "",
        "RPM": "",
        "Wh": "Wh",
        "varh": "varh",
        "W": "W",
        "var": "var",
        "VA": "VA",
        "A": "A",
        "V": "V",
        "Celsius": "Celsius",
        "Percent": "Percent",
        "Hz": "",
    }
)
# 2.0.1 stoppedReason -> 1.6 StopTransaction reason (the 1.6 words map to themselves).
STOP_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "DeAuthorized": "DeAuthorized",
        "EmergencyStop": "EmergencyStop",
        "EnergyLimitReached": "Other",
        "EVDisconnected": "EVDisconnected",
        "GroundFault": "Other",
        "ImmediateReset": "HardReset",
        "Local": "Local",
        "LocalOutOfCredit": "Local",
        "MasterPass": "Local",
        "Other": "Other",
        "OvercurrentFault": "Other",
        "PowerLoss": "PowerLoss",
        "PowerQuality": "Other",
        "Reboot": "Reboot",
        "Remote": "Remote",
        "SOCLimitReached": "Other",
        "StoppedByEV": "Other",
        "TimeLimitReached": "Other",
        "Timeout": "Other",
        "HardReset": "HardReset",
        "SoftReset": "SoftReset",
        "UnlockCommand": "UnlockCommand",
    }
)
# Firmware statuses a plain 1.6 FirmwareStatusNotification can carry (2.0.1 / signed words mapped).
FIRMWARE_STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "Downloaded": "Downloaded",
        "DownloadFailed": "DownloadFailed",
        "Downloading": "Downloading",
        "DownloadScheduled": "Downloading",
        "DownloadPaused": "Downloading",
        "Idle": "Idle",
        "InstallationFailed": "InstallationFailed",
        "Installing": "Installing",
        "Installed": "Installed",
        "InstallRebooting": "Installing",
        "InstallScheduled": "Installing",
        "InstallVerificationFailed": "InstallationFailed",
        "InvalidSignature": "InstallationFailed",
        "SignatureVerified": "Downloaded",
    }
)
# Log upload statuses -> 1.6 DiagnosticsStatusNotification.
DIAGNOSTICS_STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "Idle": "Idle",
        "Uploaded": "Uploaded",
        "UploadFailed": "UploadFailed",
        "UploadFailure": "UploadFailed",
        "Uploading": "Uploading",
        "BadMessage": "UploadFailed",
        "NotSupportedOperation": "UploadFailed",
        "PermissionDenied": "UploadFailed",
        "AcceptedCanceled": "Idle",
    }
)
# ... and -> 1.6 LogStatusNotification (security whitepaper), which lacks AcceptedCanceled.
LOG_STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "BadMessage": "BadMessage",
        "Idle": "Idle",
        "NotSupportedOperation": "NotSupportedOperation",
        "PermissionDenied": "PermissionDenied",
        "Uploaded": "Uploaded",
        "UploadFailure": "UploadFailure",
        "UploadFailed": "UploadFailure",
        "Uploading": "Uploading",
        "AcceptedCanceled": "Idle",
    }
)

# Per command: the statuses a 1.6 answer may carry, and the word for any other (2.0.1) status.
RESULT_STATUSES: Mapping[str, tuple[frozenset[str], str]] = MappingProxyType(
    {
        "RemoteStartTransaction": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "RemoteStopTransaction": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "Reset": (frozenset({"Accepted", "Rejected"}), "Accepted"),  # Scheduled is an acceptance
        "ChangeAvailability": (frozenset({"Accepted", "Rejected", "Scheduled"}), "Rejected"),
        "UnlockConnector": (frozenset({"Unlocked", "UnlockFailed", "NotSupported"}), "UnlockFailed"),
        "ClearCache": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "TriggerMessage": (frozenset({"Accepted", "Rejected", "NotImplemented"}), "Rejected"),
        "ExtendedTriggerMessage": (frozenset({"Accepted", "Rejected", "NotImplemented"}), "Rejected"),
        "SetChargingProfile": (frozenset({"Accepted", "Rejected", "NotSupported"}), "Rejected"),
        "ClearChargingProfile": (frozenset({"Accepted", "Unknown"}), "Unknown"),
        "SendLocalList": (frozenset({"Accepted", "Failed", "NotSupported", "VersionMismatch"}), "Failed"),
        "ReserveNow": (frozenset({"Accepted", "Faulted", "Occupied", "Rejected", "Unavailable"}), "Rejected"),
        "CancelReservation": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "CertificateSigned": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "InstallCertificate": (frozenset({"Accepted", "Failed", "Rejected"}), "Rejected"),
        "DeleteCertificate": (frozenset({"Accepted", "Failed", "NotFound"}), "Failed"),
        "SignedUpdateFirmware": (
            frozenset({"Accepted", "Rejected", "AcceptedCanceled", "InvalidCertificate", "RevokedCertificate"}),
            "Rejected",
        ),
        "GetCompositeSchedule": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "GetLog": (frozenset({"Accepted", "Rejected", "AcceptedCanceled"}), "Rejected"),
        "GetInstalledCertificateIds": (frozenset({"Accepted", "NotFound"}), "NotFound"),
        "DataTransfer": (frozenset({"Accepted", "Rejected", "UnknownMessageId", "UnknownVendorId"}), "Rejected"),
        "ChangeConfiguration": (frozenset({"Accepted", "Rejected", "RebootRequired", "NotSupported"}), "NotSupported"),
    }
)


def result_status(action: str, status: str) -> str:
    allowed, other = RESULT_STATUSES[action]
    return status if status in allowed else other


# -- neutral requests -> 1.6 CALLs -------------------------------------------------------------


def number_text(value: float) -> str:
    """A sampled value as 1.6 text: integers without a decimal point, others as Python writes them."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def encode_sampled_value(value: SampledValue, notes: Notes) -> dict[str, Any] | None:
    if value.measurand not in MEASURANDS:
        notes.append(f"{value.measurand} has no 1.6 measurand and was left out")
        return None
    unit = UNITS.get(value.unit)
    if unit is None:
        notes.append(f"{value.measurand} in {value.unit} has no 1.6 unit and was left out")
        return None
    out: dict[str, Any] = {
        "value": number_text(value.value),
        "context": value.context.value,
        "measurand": value.measurand,
    }
    if unit:
        out["unit"] = unit
    put(out, "phase", value.phase)
    put(out, "location", value.location)
    return out


def encode_meter_values(samples: tuple[MeterSample, ...], notes: Notes) -> list[dict[str, Any]]:
    out = []
    for sample in samples:
        values = [v for v in (encode_sampled_value(value, notes) for value in sample.values) if v is not None]
        if values:
            out.append({"timestamp": format_datetime(sample.timestamp), "sampledValue": values})
    return out


def _fit(value: str | None, limit: int, field: str, notes: Notes) -> str | None:
    if value is not None and len(value) > limit:
        notes.append(f"{field} cut to the {limit} characters 1.6 allows")
        return value[:limit]
    return value


def _boot(request: BootRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    identity = request.identity
    payload: dict[str, Any] = {
        "chargePointVendor": _fit(identity.vendor, 20, "chargePointVendor", notes),
        "chargePointModel": _fit(identity.model, 20, "chargePointModel", notes),
    }
    put(payload, "chargePointSerialNumber", _fit(identity.serial_number, 25, "chargePointSerialNumber", notes))
    put(payload, "chargeBoxSerialNumber", identity.extra.get("chargeBoxSerialNumber"))
    put(payload, "firmwareVersion", identity.firmware_version)
    put(payload, "iccid", identity.iccid)
    put(payload, "imsi", identity.imsi)
    put(payload, "meterType", identity.meter_type)
    put(payload, "meterSerialNumber", identity.meter_serial_number)
    return "BootNotification", payload


def _status(request: StatusRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    if request.status.value not in STATUSES:
        raise tr.Untranslatable(f"connector status {request.status.value} has no 1.6 form")
    error_code = request.error_code or v16.NO_ERROR
    vendor_error_code = request.vendor_error_code
    if error_code not in ERROR_CODES:
        vendor_error_code = vendor_error_code or error_code[:50]
        error_code = "OtherError"
    payload: dict[str, Any] = {
        "connectorId": request.evse_id,
        "errorCode": error_code,
        "status": request.status.value,
    }
    if request.timestamp is not None:
        payload["timestamp"] = format_datetime(request.timestamp)
    put(payload, "info", _fit(request.info, 50, "info", notes))
    put(payload, "vendorId", request.vendor_id)
    put(payload, "vendorErrorCode", _fit(vendor_error_code, 50, "vendorErrorCode", notes))
    return "StatusNotification", payload


def _integer_id(transaction_id: str | None) -> int:
    if transaction_id is None or not v16._INTEGER_TEXT.fullmatch(transaction_id):
        raise tr.Untranslatable(f"1.6 transaction ids are integers, not {str(transaction_id)[:40]!r}")
    return int(transaction_id)


def _meter_wh(value: float | None, field: str) -> int:
    if value is None or not math.isfinite(value):
        raise tr.Untranslatable(f"1.6 {field} needs an energy register reading")
    return round(value)


def _transaction_event(request: TransactionEventRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    if request.event_type is TransactionEventType.STARTED:
        connector_id = request.evse_id if request.evse_id is not None else request.connector_id
        if connector_id is None or request.id_token is None:
            raise tr.Untranslatable("1.6 StartTransaction needs a connector and an idTag")
        payload: dict[str, Any] = {
            "connectorId": connector_id,
            "idTag": id_tag(request.id_token.value),
            "meterStart": _meter_wh(request.meter_start_wh, "meterStart"),
            "timestamp": format_datetime(request.timestamp),
        }
        put(payload, "reservationId", request.reservation_id)
        return "StartTransaction", payload
    if request.event_type is TransactionEventType.UPDATED:
        connector_id = request.evse_id if request.evse_id is not None else request.connector_id
        meter_values = encode_meter_values(request.meter_values, notes)
        if connector_id is None or not meter_values:
            raise tr.Untranslatable("a 1.6 MeterValues needs a connector and at least one sampled value")
        return "MeterValues", {
            "connectorId": connector_id,
            "transactionId": _integer_id(request.transaction_id),
            "meterValue": meter_values,
        }
    stop: dict[str, Any] = {
        "transactionId": _integer_id(request.transaction_id),
        "meterStop": _meter_wh(request.meter_stop_wh, "meterStop"),
        "timestamp": format_datetime(request.timestamp),
    }
    if request.id_token is not None and len(request.id_token.value) <= v16.ID_TAG_MAX_LENGTH:
        stop["idTag"] = request.id_token.value
    if request.stop_reason is not None:
        stop["reason"] = STOP_REASONS.get(request.stop_reason, "Other")
    transaction_data = encode_meter_values(request.meter_values, notes)
    if transaction_data:
        stop["transactionData"] = transaction_data
    return "StopTransaction", stop


def _meter_values(request: MeterValuesRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    meter_values = encode_meter_values(request.samples, notes)
    if not meter_values:
        raise tr.Untranslatable("no sampled value of this MeterValues has a 1.6 form")
    payload: dict[str, Any] = {"connectorId": request.evse_id, "meterValue": meter_values}
    if request.transaction_id is not None:
        payload["transactionId"] = _integer_id(request.transaction_id)
    return "MeterValues", payload


def _data_transfer(request: DataTransferRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"vendorId": request.vendor_id}
    put(payload, "messageId", request.message_id)
    if request.data is not None:
        payload["data"] = v16._data_text(request.data)
    return "DataTransfer", payload


def _firmware_status(request: FirmwareStatusRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    if request.request_id is not None:  # the update came as SignedUpdateFirmware
        return "SignedFirmwareStatusNotification", {"status": request.status, "requestId": request.request_id}
    status = FIRMWARE_STATUSES.get(request.status)
    if status is None:
        raise tr.Untranslatable(f"firmware status {request.status} has no 1.6 form")
    return "FirmwareStatusNotification", {"status": status}


def _log_status(request: LogStatusRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    table = DIAGNOSTICS_STATUSES if request.kind == "diagnostics" else LOG_STATUSES
    status = table.get(request.status)
    if status is None:
        raise tr.Untranslatable(f"log status {request.status} has no 1.6 form")
    if request.kind == "diagnostics":
        return "DiagnosticsStatusNotification", {"status": status}
    payload: dict[str, Any] = {"status": status}
    put(payload, "requestId", request.request_id)
    return "LogStatusNotification", payload


def _security_event(request: SecurityEventRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"type": request.type, "timestamp": format_datetime(request.timestamp)}
    put(payload, "techInfo", _fit(request.tech_info, 255, "techInfo", notes))
    return "SecurityEventNotification", payload


def _sign_certificate(request: SignCertificateRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    if request.certificate_type != cmd.STATION_CERTIFICATE:
        raise tr.Untranslatable(
            f"1.6 SignCertificate signs only the charge point certificate, not {request.certificate_type}"
        )
    return "SignCertificate", {"csr": request.csr}


_RequestEncoder = Callable[[Any, Notes], tuple[str, dict[str, Any]]]

REQUEST_ENCODERS: Mapping[type, _RequestEncoder] = MappingProxyType(
    {
        BootRequest: _boot,
        HeartbeatRequest: lambda r, notes: ("Heartbeat", {}),
        StatusRequest: _status,
        AuthorizeRequest: lambda r, notes: ("Authorize", {"idTag": id_tag(r.id_token.value)}),
        TransactionEventRequest: _transaction_event,
        MeterValuesRequest: _meter_values,
        DataTransferRequest: _data_transfer,
        FirmwareStatusRequest: _firmware_status,
        LogStatusRequest: _log_status,
        SecurityEventRequest: _security_event,
        SignCertificateRequest: _sign_certificate,
    }
)


def encode_request(request: StationRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    """A neutral request -> (1.6 action, payload). Raises :class:`~chargebridge.domain.translation.Untranslatable`."""
    encoder = REQUEST_ENCODERS.get(type(request))
    if encoder is None:
        raise tr.Untranslatable(f"{type(request).__name__} has no OCPP 1.6 message")
    return encoder(request, notes)


# -- Central System answers -> neutral responses ------------------------------------------------


def _boot_response(payload: Mapping[str, Any]) -> StationResponse:
    return BootResponse(
        RegistrationStatus(payload["status"]), parse_datetime(payload["currentTime"]), payload["interval"]
    )


def _start_response(payload: Mapping[str, Any]) -> StationResponse:
    return TransactionEventResponse(str(payload["transactionId"]), decode_id_tag_info(payload["idTagInfo"]))


def _stop_response(payload: Mapping[str, Any]) -> StationResponse:
    info = payload.get("idTagInfo")
    return TransactionEventResponse(None, decode_id_tag_info(info) if info is not None else None)


def _data_transfer_response(payload: Mapping[str, Any]) -> StationResponse:
    return DataTransferResponse(DataTransferStatus(payload["status"]), payload.get("data"))


RESPONSE_DECODERS: Mapping[str, Callable[[Mapping[str, Any]], StationResponse]] = MappingProxyType(
    {
        "BootNotification": _boot_response,
        "Heartbeat": lambda p: HeartbeatResponse(parse_datetime(p["currentTime"])),
        "Authorize": lambda p: AuthorizeResponse(decode_id_tag_info(p["idTagInfo"])),
        "StartTransaction": _start_response,
        "StopTransaction": _stop_response,
        "DataTransfer": _data_transfer_response,
        "SignCertificate": lambda p: SignCertificateResponse(p["status"] == "Accepted"),
    }
)


def decode_response(action: str, payload: Mapping[str, Any]) -> StationResponse:
    """A schema-valid 1.6 CALLRESULT payload for ``action`` -> a neutral response (Ack when empty)."""
    decoder = RESPONSE_DECODERS.get(action)
    return decoder(payload) if decoder is not None else Ack()


# -- Central System CALLs -> neutral commands ---------------------------------------------------


def _evse(payload: Mapping[str, Any]) -> int | None:
    connector_id = payload.get("connectorId")
    return connector_id if connector_id else None  # 0 or absent: the whole charge point


def _remote_start(payload: Mapping[str, Any]) -> cmd.Command:
    return cmd.RemoteStart(
        id_token=IdToken(payload["idTag"]),
        evse_id=payload.get("connectorId"),
        charging_profile=payload.get("chargingProfile"),
    )


def _change_availability(payload: Mapping[str, Any]) -> cmd.Command:
    return cmd.ChangeAvailability(payload["type"] == "Operative", evse_id=_evse(payload))


def _trigger(payload: Mapping[str, Any]) -> cmd.Command:
    return cmd.TriggerMessage(payload["requestedMessage"], evse_id=payload.get("connectorId"))


def _set_charging_profile(payload: Mapping[str, Any]) -> cmd.Command:
    return ch.SetChargingProfile(payload["connectorId"], profile_from_v16(payload["csChargingProfiles"]))


def _clear_charging_profile(payload: Mapping[str, Any]) -> cmd.Command:
    purpose = payload.get("chargingProfilePurpose")
    return ch.ClearChargingProfile(
        profile_id=payload.get("id"),
        evse_id=payload.get("connectorId"),
        purpose=ch.ProfilePurpose.parse(purpose) if purpose is not None else None,
        stack_level=payload.get("stackLevel"),
    )


def _update_firmware(payload: Mapping[str, Any]) -> cmd.Command:
    return fw.UpdateFirmware(
        location=payload["location"],
        retrieve_at=parse_datetime(payload["retrieveDate"]),
        retries=payload.get("retries"),
        retry_interval_s=payload.get("retryInterval"),
    )


def _get_diagnostics(payload: Mapping[str, Any]) -> cmd.Command:
    return fw.GetLog(
        location=payload["location"],
        oldest=optional_time(payload, "startTime"),
        latest=optional_time(payload, "stopTime"),
        retries=payload.get("retries"),
        retry_interval_s=payload.get("retryInterval"),
    )


def _send_local_list(payload: Mapping[str, Any]) -> cmd.Command:
    entries = tuple(
        auth.AuthorizationEntry(
            IdToken(item["idTag"]),
            decode_id_tag_info(item["idTagInfo"]) if "idTagInfo" in item else None,
        )
        for item in payload.get("localAuthorizationList", ())
    )
    return auth.SendLocalList(payload["listVersion"], auth.UpdateType(payload["updateType"]), entries)


def _reserve_now(payload: Mapping[str, Any]) -> cmd.Command:
    return auth.ReserveNow(
        reservation_id=payload["reservationId"],
        id_token=IdToken(payload["idTag"]),
        expires_at=parse_datetime(payload["expiryDate"]),
        evse_id=_evse(payload),
        group_id_token=payload.get("parentIdTag"),
    )


# 1.6 CertificateUseEnumType -> the neutral (2.0.1) certificate type names.
CERTIFICATE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "CentralSystemRootCertificate": "CSMSRootCertificate",
        "ManufacturerRootCertificate": "ManufacturerRootCertificate",
    }
)


def _install_certificate(payload: Mapping[str, Any]) -> cmd.Command:
    return cmd.InstallCertificate(CERTIFICATE_TYPES[payload["certificateType"]], payload["certificate"])


def _installed_ids(payload: Mapping[str, Any]) -> cmd.Command:
    return cmd.GetInstalledCertificateIds((CERTIFICATE_TYPES[payload["certificateType"]],))


def _composite_schedule(payload: Mapping[str, Any]) -> cmd.Command:
    unit = payload.get("chargingRateUnit")
    return ch.GetCompositeSchedule(payload["connectorId"], payload["duration"], ch.RateUnit(unit) if unit else None)


COMMAND_DECODERS: Mapping[str, Callable[[Mapping[str, Any]], cmd.Command]] = MappingProxyType(
    {
        "RemoteStartTransaction": _remote_start,
        "RemoteStopTransaction": lambda p: cmd.RemoteStop(str(p["transactionId"])),
        "Reset": lambda p: cmd.Reset(cmd.ResetType.HARD if p["type"] == "Hard" else cmd.ResetType.SOFT),
        "UnlockConnector": lambda p: cmd.Unlock(evse_id=p["connectorId"]),
        "ChangeAvailability": _change_availability,
        "GetConfiguration": lambda p: cmd.GetConfiguration(keys=tuple(p.get("key", ()))),
        "ChangeConfiguration": lambda p: cmd.SetConfiguration(p["value"], key=p["key"]),
        "TriggerMessage": _trigger,
        "ExtendedTriggerMessage": _trigger,
        "ClearCache": lambda p: cmd.ClearCache(),
        "DataTransfer": lambda p: cmd.DataTransfer(p["vendorId"], p.get("messageId"), p.get("data")),
        "SetChargingProfile": _set_charging_profile,
        "ClearChargingProfile": _clear_charging_profile,
        "GetCompositeSchedule": _composite_schedule,
        "UpdateFirmware": _update_firmware,
        "SignedUpdateFirmware": update_firmware_from_v201,  # the security whitepaper took both from 2.0.1
        "GetDiagnostics": _get_diagnostics,
        "GetLog": get_log_from_v201,
        "SendLocalList": _send_local_list,
        "GetLocalListVersion": lambda p: auth.GetLocalListVersion(),
        "ReserveNow": _reserve_now,
        "CancelReservation": lambda p: auth.CancelReservation(p["reservationId"]),
        "CertificateSigned": lambda p: cmd.CertificateSigned(p["certificateChain"]),
        "InstallCertificate": _install_certificate,
        "DeleteCertificate": lambda p: cmd.DeleteCertificate(
            cmd.CertificateHashData.from_json(p["certificateHashData"])
        ),
        "GetInstalledCertificateIds": _installed_ids,
    }
)


def decode_command(action: str, payload: Mapping[str, Any]) -> cmd.Command:
    """A schema-valid 1.6 Central System CALL -> a neutral command. Raises Untranslatable for actions
    without a neutral form."""
    decoder = COMMAND_DECODERS.get(action)
    if decoder is None:
        raise tr.Untranslatable(f"1.6 {action} has no neutral form")
    return decoder(payload)


# -- neutral results -> 1.6 CALLRESULTs ---------------------------------------------------------


def _result_status(action: str, result: tr.CommandResult) -> str:
    if isinstance(result, tr.StatusResult | tr.DataTransferResult | tr.CompositeScheduleResult | tr.LogResult):
        return result_status(action, result.status)
    if isinstance(result, tr.CertificateIdsResult):
        return result_status(action, result.status)
    raise TypeError(f"{type(result).__name__} does not answer a 1.6 {action}")


def _configuration_result(command: cmd.Command, result: tr.ConfigurationResult) -> dict[str, Any]:
    known = []
    unknown = []
    for value in result.values:
        if value.key is None:
            continue
        if value.status == "Accepted":
            item: dict[str, Any] = {"key": value.key, "readonly": bool(value.readonly)}
            put(item, "value", value.value[:500] if value.value is not None else None)
            known.append(item)
        else:
            unknown.append(value.key)
    payload: dict[str, Any] = {}
    if known:
        payload["configurationKey"] = known
    if unknown:
        payload["unknownKey"] = unknown
    return payload


def _change_configuration_result(result: tr.ConfigurationResult) -> dict[str, Any]:
    status = result.values[0].status if result.values else "Rejected"
    return {"status": result_status("ChangeConfiguration", status)}


def _composite_result(result: tr.CompositeScheduleResult) -> dict[str, Any]:
    payload: dict[str, Any] = {"status": result_status("GetCompositeSchedule", result.status)}
    if result.schedule is not None:
        payload.update(composite_to_v16(result.schedule))
    return payload


def encode_result(action: str, command: cmd.Command, result: tr.CommandResult) -> dict[str, Any]:
    """The CALLRESULT payload a 1.6 charge point answers ``action`` with."""
    if isinstance(result, tr.ConfigurationResult):
        if action == "GetConfiguration":
            return _configuration_result(command, result)
        return _change_configuration_result(result)
    if action == "UpdateFirmware":
        return {}
    if action == "GetLocalListVersion":
        if not isinstance(result, tr.LocalListVersionResult):
            raise TypeError(f"{type(result).__name__} does not answer GetLocalListVersion")
        return {"listVersion": result.version}
    if action == "GetDiagnostics":
        if not isinstance(result, tr.LogResult):
            raise TypeError(f"{type(result).__name__} does not answer GetDiagnostics")
        return {"fileName": result.filename[:255]} if result.filename and result.status == "Accepted" else {}
    if isinstance(result, tr.DataTransferResult):
        payload: dict[str, Any] = {"status": result_status(action, result.status)}
        if result.data is not None:
            payload["data"] = v16._data_text(result.data)
        return payload
    if isinstance(result, tr.CompositeScheduleResult):
        return _composite_result(result)
    if isinstance(result, tr.LogResult):
        log: dict[str, Any] = {"status": result_status(action, result.status)}
        put(log, "filename", result.filename)
        return log
    if isinstance(result, tr.CertificateIdsResult):
        answer: dict[str, Any] = {"status": result_status(action, result.status)}
        if result.certificates:
            answer["certificateHashData"] = [c.hash_data.to_json() for c in result.certificates]
        return answer
    return {"status": _result_status(action, result)}


__all__ = [
    "decode_command",
    "decode_response",
    "encode_request",
    "encode_result",
]
