"""The station role of OCPP 2.0.1: what a charging station says to a 2.0.1 CSMS.

The mirror of :mod:`.inbound` / :mod:`.outbound` (the CSMS's role), for the translating
gateway when its upstream speaks 2.0.1:

- ``encode_request``: a neutral request -> the 2.0.1 CALL a charging station would send;
- ``decode_response``: the CSMS's CALLRESULT -> a neutral response;
- ``decode_command``: a CSMS's CALL -> a neutral command;
- ``encode_result``: a neutral result -> the CALLRESULT a charging station answers with.

``inbound.DECODERS[action](encode_request(x)) == x`` for every request 2.0.1 can express (and the
same for the other pairs), tested against the official schemas. A value 2.0.1 cannot hold raises
:class:`~chargebridge.domain.translation.Untranslatable`, or is left out with a note when the rest
keeps its meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import authorization as auth
from chargebridge.domain import charging as ch
from chargebridge.domain import commands as cmd
from chargebridge.domain import devicemodel as dm
from chargebridge.domain import translation as tr
from chargebridge.domain.model import (
    ConnectorStatus,
    MeterSample,
    ReadingContext,
    RegistrationStatus,
    SampledValue,
)
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
    NotifiedEvent,
    NotifyEventRequest,
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
from chargebridge.ocpp201 import meter as meter201
from chargebridge.ocpp201.charging import composite_to_v201, profile_from_v201
from chargebridge.ocpp201.csms_side import (
    address_ref,
    decode_id_token,
    decode_id_token_info,
    encode_id_token,
    put,
    read_status_info,
    status_info,
)
from chargebridge.ocpp201.devicemodel import encode_address
from chargebridge.ocpp201.firmware import get_log_from_v201, update_firmware_from_v201

Notes = list[str]

ENERGY_REGISTER = "Energy.Active.Import.Register"

# -- vocabularies (data) -----------------------------------------------------------------------

# Neutral (and 1.6) connector statuses -> ConnectorStatusEnumType: 2.0.1 says only that a connector is
# occupied; the finer 1.6 states travel in TransactionEvent chargingState (see the translator).
CONNECTOR_STATUSES: Mapping[ConnectorStatus, str] = MappingProxyType(
    {
        ConnectorStatus.AVAILABLE: "Available",
        ConnectorStatus.OCCUPIED: "Occupied",
        ConnectorStatus.PREPARING: "Occupied",
        ConnectorStatus.CHARGING: "Occupied",
        ConnectorStatus.SUSPENDED_EV: "Occupied",
        ConnectorStatus.SUSPENDED_EVSE: "Occupied",
        ConnectorStatus.FINISHING: "Occupied",
        ConnectorStatus.RESERVED: "Reserved",
        ConnectorStatus.UNAVAILABLE: "Unavailable",
        ConnectorStatus.FAULTED: "Faulted",
    }
)
MEASURANDS = frozenset(
    {
        "Current.Export",
        "Current.Import",
        "Current.Offered",
        "Energy.Active.Export.Register",
        "Energy.Active.Import.Register",
        "Energy.Reactive.Export.Register",
        "Energy.Reactive.Import.Register",
        "Energy.Active.Export.Interval",
        "Energy.Active.Import.Interval",
        "Energy.Active.Net",
        "Energy.Reactive.Export.Interval",
        "Energy.Reactive.Import.Interval",
        "Energy.Reactive.Net",
        "Energy.Apparent.Net",
        "Energy.Apparent.Import",
        "Energy.Apparent.Export",
        "Frequency",
        "Power.Active.Export",
        "Power.Active.Import",
        "Power.Factor",
        "Power.Offered",
        "Power.Reactive.Export",
        "Power.Reactive.Import",
        "SoC",
        "Voltage",
    }
)
# 1.6 StopTransaction reasons -> 2.0.1 stoppedReason (the 2.0.1 words map to themselves).
STOPPED_REASONS: Mapping[str, str] = MappingProxyType(
    {
        "EmergencyStop": "EmergencyStop",
        "EVDisconnected": "EVDisconnected",
        "HardReset": "ImmediateReset",
        "SoftReset": "ImmediateReset",
        "Local": "Local",
        "Other": "Other",
        "PowerLoss": "PowerLoss",
        "Reboot": "Reboot",
        "Remote": "Remote",
        "UnlockCommand": "Other",
        "DeAuthorized": "DeAuthorized",
        **{
            word: word
            for word in (
                "EnergyLimitReached",
                "GroundFault",
                "ImmediateReset",
                "LocalOutOfCredit",
                "MasterPass",
                "OvercurrentFault",
                "PowerQuality",
                "SOCLimitReached",
                "StoppedByEV",
                "TimeLimitReached",
                "Timeout",
            )
        },
    }
)
# Log statuses (1.6 DiagnosticsStatusNotification words included) -> UploadLogStatusEnumType.
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
        "AcceptedCanceled": "AcceptedCanceled",
    }
)
FIRMWARE_STATUSES = frozenset(
    {
        "Downloaded",
        "DownloadFailed",
        "Downloading",
        "DownloadScheduled",
        "DownloadPaused",
        "Idle",
        "InstallationFailed",
        "Installing",
        "Installed",
        "InstallRebooting",
        "InstallScheduled",
        "InstallVerificationFailed",
        "InvalidSignature",
        "SignatureVerified",
    }
)
CHARGING_STATES = frozenset({"Charging", "EVConnected", "SuspendedEV", "SuspendedEVSE", "Idle"})

# Per command: the statuses a 2.0.1 answer may carry, and the word for any other (1.6) status.
RESULT_STATUSES: Mapping[str, tuple[frozenset[str], str]] = MappingProxyType(
    {
        "RequestStartTransaction": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "RequestStopTransaction": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "Reset": (frozenset({"Accepted", "Rejected", "Scheduled"}), "Rejected"),
        "ChangeAvailability": (frozenset({"Accepted", "Rejected", "Scheduled"}), "Rejected"),
        "UnlockConnector": (
            frozenset({"Unlocked", "UnlockFailed", "OngoingAuthorizedTransaction", "UnknownConnector"}),
            "UnlockFailed",
        ),
        "ClearCache": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "TriggerMessage": (frozenset({"Accepted", "Rejected", "NotImplemented"}), "Rejected"),
        "SetChargingProfile": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "ClearChargingProfile": (frozenset({"Accepted", "Unknown"}), "Unknown"),
        "GetCompositeSchedule": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "UpdateFirmware": (
            frozenset({"Accepted", "Rejected", "AcceptedCanceled", "InvalidCertificate", "RevokedCertificate"}),
            "Rejected",
        ),
        "GetLog": (frozenset({"Accepted", "Rejected", "AcceptedCanceled"}), "Rejected"),
        "SendLocalList": (frozenset({"Accepted", "Failed", "VersionMismatch"}), "Failed"),
        "ReserveNow": (frozenset({"Accepted", "Faulted", "Occupied", "Rejected", "Unavailable"}), "Rejected"),
        "CancelReservation": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "CertificateSigned": (frozenset({"Accepted", "Rejected"}), "Rejected"),
        "InstallCertificate": (frozenset({"Accepted", "Rejected", "Failed"}), "Rejected"),
        "DeleteCertificate": (frozenset({"Accepted", "Failed", "NotFound"}), "Failed"),
        "GetInstalledCertificateIds": (frozenset({"Accepted", "NotFound"}), "NotFound"),
        "DataTransfer": (frozenset({"Accepted", "Rejected", "UnknownMessageId", "UnknownVendorId"}), "Rejected"),
    }
)
# SetVariables / GetVariables attribute statuses; 1.6 ChangeConfiguration NotSupported means the key is unknown.
SET_VARIABLE_STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "Accepted": "Accepted",
        "Rejected": "Rejected",
        "RebootRequired": "RebootRequired",
        "UnknownComponent": "UnknownComponent",
        "UnknownVariable": "UnknownVariable",
        "NotSupportedAttributeType": "NotSupportedAttributeType",
        "NotSupported": "UnknownVariable",
    }
)
GET_VARIABLE_STATUSES: Mapping[str, str] = MappingProxyType(
    {
        "Accepted": "Accepted",
        "Rejected": "Rejected",
        "UnknownComponent": "UnknownComponent",
        "UnknownVariable": "UnknownVariable",
        "NotSupportedAttributeType": "NotSupportedAttributeType",
        "NotSupported": "UnknownVariable",
        "RebootRequired": "Accepted",
    }
)
# The reason code a 2.0.1 answer carries when the station's own word had to be replaced.
MAPPED_STATUS_REASON = "UnsupportedRequest"


def result_status(action: str, status: str) -> tuple[str, bool]:
    """(the 2.0.1 word for ``status`` in an answer to ``action``, whether it had to be replaced)."""
    allowed, other = RESULT_STATUSES[action]
    return (status, False) if status in allowed else (other, True)


# -- neutral requests -> 2.0.1 CALLs -----------------------------------------------------------


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def encode_sampled_value(value: SampledValue, notes: Notes) -> dict[str, Any] | None:
    if value.measurand not in MEASURANDS:
        notes.append(f"{value.measurand} has no 2.0.1 measurand and was left out")
        return None
    out: dict[str, Any] = {"value": _number(value.value), "context": value.context.value, "measurand": value.measurand}
    put(out, "phase", value.phase)
    put(out, "location", value.location)
    if value.unit:
        out["unitOfMeasure"] = {"unit": value.unit}
    return out


def encode_meter_values(samples: tuple[MeterSample, ...], notes: Notes) -> list[dict[str, Any]]:
    out = []
    for sample in samples:
        values = [v for v in (encode_sampled_value(value, notes) for value in sample.values) if v is not None]
        if values:
            out.append({"timestamp": format_datetime(sample.timestamp), "sampledValue": values})
    return out


def _register_sample(request: TransactionEventRequest, value: float, context: ReadingContext) -> MeterSample:
    return MeterSample(request.timestamp, (SampledValue(ENERGY_REGISTER, value, "Wh", context),))


def transaction_samples(request: TransactionEventRequest) -> tuple[MeterSample, ...]:
    """The event's samples plus the meter start / stop readings they do not already carry (a 1.6
    StartTransaction's meterStart becomes a Transaction.Begin register value, meterStop a Transaction.End one)."""
    samples = request.meter_values
    started = request.event_type is TransactionEventType.STARTED
    ended = request.event_type is TransactionEventType.ENDED
    if (
        request.meter_start_wh is not None
        and meter201.meter_start_wh(samples, started=started) != request.meter_start_wh
    ):
        samples = (_register_sample(request, request.meter_start_wh, ReadingContext.TRANSACTION_BEGIN), *samples)
    if (
        ended
        and request.meter_stop_wh is not None
        and meter201.meter_stop_wh(samples, ended=True) != request.meter_stop_wh
    ):
        samples = (*samples, _register_sample(request, request.meter_stop_wh, ReadingContext.TRANSACTION_END))
    return samples


def _boot(request: BootRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    identity = request.identity
    station: dict[str, Any] = {"model": identity.model, "vendorName": identity.vendor}
    put(station, "serialNumber", identity.serial_number)
    put(station, "firmwareVersion", identity.firmware_version)
    modem: dict[str, Any] = {}
    put(modem, "iccid", identity.iccid)
    put(modem, "imsi", identity.imsi)
    if modem:
        station["modem"] = modem
    for field, value in (("meterType", identity.meter_type), ("meterSerialNumber", identity.meter_serial_number)):
        if value is not None:
            notes.append(f"{field} has no 2.0.1 BootNotification field and was left out")
    return "BootNotification", {"chargingStation": station, "reason": request.reason or "Unknown"}


def _status(request: StatusRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    status = CONNECTOR_STATUSES.get(request.status)
    if status is None:
        raise tr.Untranslatable(f"connector status {request.status.value} has no 2.0.1 form")
    if request.timestamp is None:
        raise tr.Untranslatable("a 2.0.1 StatusNotification needs a timestamp")
    return "StatusNotification", {
        "timestamp": format_datetime(request.timestamp),
        "connectorStatus": status,
        "evseId": request.evse_id,
        "connectorId": request.connector_id,
    }


def _transaction_event(request: TransactionEventRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    if request.transaction_id is None or request.seq_no is None or request.trigger_reason is None:
        raise tr.Untranslatable("a 2.0.1 TransactionEvent needs a transactionId, a seqNo and a triggerReason")
    info: dict[str, Any] = {"transactionId": request.transaction_id}
    if request.charging_state is not None:
        if request.charging_state not in CHARGING_STATES:
            raise tr.Untranslatable(f"charging state {request.charging_state} has no 2.0.1 form")
        info["chargingState"] = request.charging_state
    if request.stop_reason is not None and request.event_type is TransactionEventType.ENDED:
        info["stoppedReason"] = STOPPED_REASONS.get(request.stop_reason, "Other")
    put(info, "remoteStartId", request.remote_start_id)
    payload: dict[str, Any] = {
        "eventType": request.event_type.value,
        "timestamp": format_datetime(request.timestamp),
        "triggerReason": request.trigger_reason,
        "seqNo": request.seq_no,
        "transactionInfo": info,
    }
    if request.offline:
        payload["offline"] = True
    put(payload, "reservationId", request.reservation_id)
    if request.evse_id is not None:
        evse: dict[str, Any] = {"id": request.evse_id}
        put(evse, "connectorId", request.connector_id)
        payload["evse"] = evse
    if request.id_token is not None:
        payload["idToken"] = encode_id_token(request.id_token)
    meter_values = encode_meter_values(transaction_samples(request), notes)
    if meter_values:
        payload["meterValue"] = meter_values
    return "TransactionEvent", payload


def _meter_values(request: MeterValuesRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    meter_values = encode_meter_values(request.samples, notes)
    if not meter_values:
        raise tr.Untranslatable("no sampled value of this MeterValues has a 2.0.1 form")
    return "MeterValues", {"evseId": request.evse_id, "meterValue": meter_values}


def _data_transfer(request: DataTransferRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"vendorId": request.vendor_id}
    put(payload, "messageId", request.message_id)
    put(payload, "data", request.data)
    return "DataTransfer", payload


def _firmware_status(request: FirmwareStatusRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    if request.status not in FIRMWARE_STATUSES:
        raise tr.Untranslatable(f"firmware status {request.status} has no 2.0.1 form")
    payload: dict[str, Any] = {"status": request.status}
    put(payload, "requestId", request.request_id)
    return "FirmwareStatusNotification", payload


def _log_status(request: LogStatusRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    status = LOG_STATUSES.get(request.status)
    if status is None:
        raise tr.Untranslatable(f"log status {request.status} has no 2.0.1 form")
    payload: dict[str, Any] = {"status": status}
    put(payload, "requestId", request.request_id)
    return "LogStatusNotification", payload


def _event_data(event: NotifiedEvent) -> dict[str, Any]:
    component: dict[str, Any] = {"name": event.component}
    if event.evse_id is not None:
        evse: dict[str, Any] = {"id": event.evse_id}
        put(evse, "connectorId", event.connector_id)
        component["evse"] = evse
    out: dict[str, Any] = {
        "eventId": event.event_id,
        "timestamp": format_datetime(event.timestamp),
        "trigger": event.trigger,
        "actualValue": event.actual_value[:2500],
        "component": component,
        "variable": {"name": event.variable},
        "eventNotificationType": event.event_notification_type or "HardWiredNotification",
    }
    put(out, "cause", event.cause)
    put(out, "techCode", event.tech_code[:50] if event.tech_code is not None else None)
    put(out, "techInfo", event.tech_info[:500] if event.tech_info is not None else None)
    put(out, "cleared", event.cleared)
    put(out, "transactionId", event.transaction_id)
    return out


def _notify_event(request: NotifyEventRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {
        "generatedAt": format_datetime(request.generated_at),
        "seqNo": request.seq_no,
        "eventData": [_event_data(event) for event in request.events],
    }
    if request.tbc:
        payload["tbc"] = True
    return "NotifyEvent", payload


def _security_event(request: SecurityEventRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"type": request.type, "timestamp": format_datetime(request.timestamp)}
    put(payload, "techInfo", request.tech_info)
    return "SecurityEventNotification", payload


def _sign_certificate(request: SignCertificateRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    return "SignCertificate", {"csr": request.csr, "certificateType": request.certificate_type}


_RequestEncoder = Callable[[Any, Notes], tuple[str, dict[str, Any]]]

REQUEST_ENCODERS: Mapping[type, _RequestEncoder] = MappingProxyType(
    {
        BootRequest: _boot,
        HeartbeatRequest: lambda r, notes: ("Heartbeat", {}),
        StatusRequest: _status,
        AuthorizeRequest: lambda r, notes: ("Authorize", {"idToken": encode_id_token(r.id_token)}),
        TransactionEventRequest: _transaction_event,
        MeterValuesRequest: _meter_values,
        DataTransferRequest: _data_transfer,
        FirmwareStatusRequest: _firmware_status,
        LogStatusRequest: _log_status,
        NotifyEventRequest: _notify_event,
        SecurityEventRequest: _security_event,
        SignCertificateRequest: lambda r, notes: (
            "SignCertificate",
            {"csr": r.csr, "certificateType": r.certificate_type},
        ),
    }
)


def encode_request(request: StationRequest, notes: Notes) -> tuple[str, dict[str, Any]]:
    """A neutral request -> (2.0.1 action, payload). Raises :class:`~chargebridge.domain.translation.Untranslatable`."""
    encoder = REQUEST_ENCODERS.get(type(request))
    if encoder is None:
        raise tr.Untranslatable(f"{type(request).__name__} has no OCPP 2.0.1 message")
    return encoder(request, notes)


# -- CSMS answers -> neutral responses ----------------------------------------------------------


def _boot_response(payload: Mapping[str, Any]) -> StationResponse:
    return BootResponse(
        RegistrationStatus(payload["status"]), parse_datetime(payload["currentTime"]), payload["interval"]
    )


def _transaction_response(payload: Mapping[str, Any]) -> StationResponse:
    info = payload.get("idTokenInfo")
    return TransactionEventResponse(None, decode_id_token_info(info) if info is not None else None)


def _sign_response(payload: Mapping[str, Any]) -> StationResponse:
    reason, info = read_status_info(payload)
    return SignCertificateResponse(payload["status"] == "Accepted", reason, info)


RESPONSE_DECODERS: Mapping[str, Callable[[Mapping[str, Any]], StationResponse]] = MappingProxyType(
    {
        "BootNotification": _boot_response,
        "Heartbeat": lambda p: HeartbeatResponse(parse_datetime(p["currentTime"])),
        "Authorize": lambda p: AuthorizeResponse(decode_id_token_info(p["idTokenInfo"])),
        "TransactionEvent": _transaction_response,
        "DataTransfer": lambda p: DataTransferResponse(DataTransferStatus(p["status"]), p.get("data")),
        "SignCertificate": _sign_response,
    }
)


def decode_response(action: str, payload: Mapping[str, Any]) -> StationResponse:
    """A schema-valid 2.0.1 CALLRESULT payload for ``action`` -> a neutral response (Ack when empty)."""
    decoder = RESPONSE_DECODERS.get(action)
    return decoder(payload) if decoder is not None else Ack()


# -- CSMS CALLs -> neutral commands -------------------------------------------------------------


def _remote_start(payload: Mapping[str, Any]) -> cmd.Command:
    return cmd.RemoteStart(
        id_token=decode_id_token(payload["idToken"]),
        evse_id=payload.get("evseId"),
        remote_start_id=payload["remoteStartId"],
        charging_profile=payload.get("chargingProfile"),
    )


def _change_availability(payload: Mapping[str, Any]) -> cmd.Command:
    evse = payload.get("evse") or {}
    return cmd.ChangeAvailability(
        payload["operationalStatus"] == "Operative", evse_id=evse.get("id"), connector_id=evse.get("connectorId")
    )


def _trigger(payload: Mapping[str, Any]) -> cmd.Command:
    evse = payload.get("evse") or {}
    return cmd.TriggerMessage(payload["requestedMessage"], evse_id=evse.get("id"), connector_id=evse.get("connectorId"))


def _set_variables(payload: Mapping[str, Any]) -> cmd.Command:
    return dm.SetVariables(
        tuple(dm.VariableValue(address_ref(item), item["attributeValue"]) for item in payload["setVariableData"])
    )


def _clear_charging_profile(payload: Mapping[str, Any]) -> cmd.Command:
    criteria = payload.get("chargingProfileCriteria") or {}
    purpose = criteria.get("chargingProfilePurpose")
    return ch.ClearChargingProfile(
        profile_id=payload.get("chargingProfileId"),
        evse_id=criteria.get("evseId"),
        purpose=ch.ProfilePurpose(purpose) if purpose is not None else None,
        stack_level=criteria.get("stackLevel"),
    )


def _send_local_list(payload: Mapping[str, Any]) -> cmd.Command:
    entries = tuple(
        auth.AuthorizationEntry(
            decode_id_token(item["idToken"]),
            decode_id_token_info(item["idTokenInfo"]) if "idTokenInfo" in item else None,
        )
        for item in payload.get("localAuthorizationList", ())
    )
    return auth.SendLocalList(payload["versionNumber"], auth.UpdateType(payload["updateType"]), entries)


def _reserve_now(payload: Mapping[str, Any]) -> cmd.Command:
    group = payload.get("groupIdToken")
    return auth.ReserveNow(
        reservation_id=payload["id"],
        id_token=decode_id_token(payload["idToken"]),
        expires_at=parse_datetime(payload["expiryDateTime"]),
        evse_id=payload.get("evseId"),
        connector_type=payload.get("connectorType"),
        group_id_token=group["idToken"] if group else None,
    )


def _reset(payload: Mapping[str, Any]) -> cmd.Command:
    return cmd.Reset(
        cmd.ResetType.HARD if payload["type"] == "Immediate" else cmd.ResetType.SOFT, payload.get("evseId")
    )


def _composite_schedule(payload: Mapping[str, Any]) -> cmd.Command:
    unit = payload.get("chargingRateUnit")
    return ch.GetCompositeSchedule(payload["evseId"], payload["duration"], ch.RateUnit(unit) if unit else None)


COMMAND_DECODERS: Mapping[str, Callable[[Mapping[str, Any]], cmd.Command]] = MappingProxyType(
    {
        "RequestStartTransaction": _remote_start,
        "RequestStopTransaction": lambda p: cmd.RemoteStop(p["transactionId"]),
        "Reset": _reset,
        "UnlockConnector": lambda p: cmd.Unlock(p["evseId"], p["connectorId"]),
        "ChangeAvailability": _change_availability,
        "GetVariables": lambda p: cmd.GetConfiguration(variables=tuple(address_ref(i) for i in p["getVariableData"])),
        "SetVariables": _set_variables,
        "TriggerMessage": _trigger,
        "ClearCache": lambda p: cmd.ClearCache(),
        "DataTransfer": lambda p: cmd.DataTransfer(p["vendorId"], p.get("messageId"), p.get("data")),
        "SetChargingProfile": lambda p: ch.SetChargingProfile(p["evseId"], profile_from_v201(p["chargingProfile"])),
        "ClearChargingProfile": _clear_charging_profile,
        "GetCompositeSchedule": _composite_schedule,
        "UpdateFirmware": update_firmware_from_v201,
        "GetLog": get_log_from_v201,
        "SendLocalList": _send_local_list,
        "GetLocalListVersion": lambda p: auth.GetLocalListVersion(),
        "ReserveNow": _reserve_now,
        "CancelReservation": lambda p: auth.CancelReservation(p["reservationId"]),
        "CertificateSigned": lambda p: cmd.CertificateSigned(
            p["certificateChain"], p.get("certificateType", cmd.STATION_CERTIFICATE)
        ),
        "InstallCertificate": lambda p: cmd.InstallCertificate(p["certificateType"], p["certificate"]),
        "DeleteCertificate": lambda p: cmd.DeleteCertificate(
            cmd.CertificateHashData.from_json(p["certificateHashData"])
        ),
        "GetInstalledCertificateIds": lambda p: cmd.GetInstalledCertificateIds(tuple(p.get("certificateType", ()))),
    }
)


def decode_command(action: str, payload: Mapping[str, Any]) -> cmd.Command:
    """A schema-valid 2.0.1 CSMS CALL -> a neutral command. Raises Untranslatable for the rest."""
    decoder = COMMAND_DECODERS.get(action)
    if decoder is None:
        raise tr.Untranslatable(f"2.0.1 {action} has no neutral form")
    return decoder(payload)


# -- neutral results -> 2.0.1 CALLRESULTs -------------------------------------------------------


def _with_status(action: str, status: str, reason: str | None, info: str | None) -> dict[str, Any]:
    word, replaced = result_status(action, status)
    payload: dict[str, Any] = {"status": word}
    if replaced and reason is None:
        reason, info = MAPPED_STATUS_REASON, f"the station answered {status}"
    put(payload, "statusInfo", status_info(reason, info))
    return payload


def _variable_results(
    result: tr.ConfigurationResult, statuses: Mapping[str, str], setting: bool
) -> list[dict[str, Any]]:
    out = []
    for value in result.values:
        if value.variable is None:
            continue
        item: dict[str, Any] = {
            "attributeStatus": statuses.get(value.status, "Rejected"),
            **encode_address(value.variable),
        }
        if not setting and item["attributeStatus"] == "Accepted" and value.value is not None:
            item["attributeValue"] = value.value[:2500]
        out.append(item)
    return out


def _certificate_ids(command: cmd.Command, result: tr.CertificateIdsResult) -> dict[str, Any]:
    payload = _with_status("GetInstalledCertificateIds", result.status, None, None)
    asked = command.certificate_types if isinstance(command, cmd.GetInstalledCertificateIds) else ()
    chain = []
    for certificate in result.certificates:
        certificate_type = certificate.certificate_type or (asked[0] if len(asked) == 1 else None)
        if certificate_type is None:
            continue  # 2.0.1 must name the type; a 1.6 answer to several types cannot say which
        chain.append({"certificateType": certificate_type, "certificateHashData": certificate.hash_data.to_json()})
    if chain:
        payload["certificateHashDataChain"] = chain
    return payload


def encode_result(action: str, command: cmd.Command, result: tr.CommandResult) -> dict[str, Any]:
    """The CALLRESULT payload a 2.0.1 charging station answers ``action`` with."""
    if isinstance(result, tr.ConfigurationResult):
        if action == "GetVariables":
            return {"getVariableResult": _variable_results(result, GET_VARIABLE_STATUSES, setting=False)}
        return {"setVariableResult": _variable_results(result, SET_VARIABLE_STATUSES, setting=True)}
    if isinstance(result, tr.LocalListVersionResult):
        return {"versionNumber": result.version}
    if isinstance(result, tr.DataTransferResult):
        payload = _with_status(action, result.status, None, None)
        put(payload, "data", result.data)
        return payload
    if isinstance(result, tr.CompositeScheduleResult):
        payload = _with_status(action, result.status, None, None)
        if result.schedule is not None:
            payload["schedule"] = composite_to_v201(result.schedule)
        return payload
    if isinstance(result, tr.LogResult):
        payload = _with_status(action, result.status, None, None)
        put(payload, "filename", result.filename[:255] if result.filename is not None else None)
        return payload
    if isinstance(result, tr.CertificateIdsResult):
        return _certificate_ids(command, result)
    if isinstance(result, tr.StatusResult):
        return _with_status(action, result.status, result.reason_code, result.info)
    raise TypeError(f"{type(result).__name__} does not answer a 2.0.1 {action}")


__all__ = [
    "decode_command",
    "decode_response",
    "encode_request",
    "encode_result",
]
