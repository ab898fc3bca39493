"""The OCPP 1.6J version adapter: 1.6 payloads <-> version-neutral requests and commands.

Covers the core profile messages a charge point sends, plus the security whitepaper's
SecurityEventNotification, SignedFirmwareStatusNotification, LogStatusNotification and
SignCertificate, and its certificate commands (CertificateSigned, InstallCertificate,
DeleteCertificate, GetInstalledCertificateIds).
Routing is explicit: one read-only table per direction, one small function per action.

1.6 has one connector per EVSE, so a 1.6 ``connectorId`` is both the neutral ``evse_id``
and ``connector_id``. A 1.6 transaction id is an integer assigned by the CSMS; the domain
carries it as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any, TypeVar

from chargebridge.domain import commands as cmd
from chargebridge.domain.adapter import checked_id, run_decoder
from chargebridge.domain.commands import Command, CommandNotSupported, CommandOutcome
from chargebridge.domain.model import AuthorizationStatus, ConnectorStatus, IdToken, IdTokenInfo, StationIdentity
from chargebridge.domain.requests import (
    Ack,
    AuthorizeRequest,
    AuthorizeResponse,
    BootRequest,
    BootResponse,
    DataTransferRequest,
    DataTransferResponse,
    Decoded,
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
from chargebridge.ocpp16 import authorization as _authorization
from chargebridge.ocpp16 import charging, devicemodel, firmware
from chargebridge.ocpp16.meter import decode_meter_values
from chargebridge.rpc.errors import ErrorCode, OcppError
from chargebridge.rpc.version import OcppVersion

NO_ERROR = "NoError"
DEFAULT_STOP_REASON = "Local"  # OCPP 1.6 StopTransaction: absent reason means Local
ID_TAG_MAX_LENGTH = 20

_INTEGER_TEXT = re.compile(r"-?[0-9]{1,18}")

_T = TypeVar("_T")

# Decoders append tolerated quirks to ``notes`` and raise OcppError for unusable payloads.
_Decoder = Callable[[Mapping[str, Any], list[str]], StationRequest]


def _timestamp(payload: Mapping[str, Any], field: str = "timestamp") -> datetime:
    text = payload[field]
    if not isinstance(text, str):
        raise TypeError(f"{field} is not a string")
    try:
        return parse_datetime(text)
    except (TypeError, ValueError, OverflowError) as exc:
        raise OcppError(ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, f"{field} is not a usable date-time") from exc


def _optional_timestamp(payload: Mapping[str, Any], field: str = "timestamp") -> datetime | None:
    return _timestamp(payload, field) if field in payload else None


# -- inbound: station -> CSMS ---------------------------------------------------------------


def _boot(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    serial = payload.get("chargePointSerialNumber")
    box_serial = payload.get("chargeBoxSerialNumber")  # deprecated in 1.6, still sent by many
    extra = {"chargeBoxSerialNumber": box_serial} if serial and box_serial and box_serial != serial else {}
    identity = StationIdentity(
        vendor=payload["chargePointVendor"],
        model=payload["chargePointModel"],
        serial_number=serial or box_serial,
        firmware_version=payload.get("firmwareVersion"),
        iccid=payload.get("iccid"),
        imsi=payload.get("imsi"),
        meter_type=payload.get("meterType"),
        meter_serial_number=payload.get("meterSerialNumber"),
        extra=extra,
    )
    return BootRequest(identity)


def _heartbeat(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return HeartbeatRequest()


def _status(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    connector_id = checked_id(payload["connectorId"], "connectorId", 0)  # 1.6 6.47: connectorId >= 0
    error_code: str = payload["errorCode"]
    return StatusRequest(
        evse_id=connector_id,
        connector_id=connector_id,
        status=ConnectorStatus(payload["status"]),
        timestamp=_optional_timestamp(payload),
        error_code=None if error_code == NO_ERROR else error_code,
        vendor_error_code=payload.get("vendorErrorCode"),
        vendor_id=payload.get("vendorId"),
        info=payload.get("info"),
    )


def _authorize(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return AuthorizeRequest(IdToken(payload["idTag"]))


def start_dedupe_key(payload: Mapping[str, Any]) -> str:
    """Identifies a StartTransaction so that a re-sent identical one gets the same key.

    Built from the fields the station chose (not the reservation, which it may omit on a
    retry); JSON-encoded so that an idTag containing a separator cannot collide."""
    fields = [payload["connectorId"], payload["idTag"], payload["timestamp"], payload["meterStart"]]
    return "1.6/StartTransaction/" + json.dumps(fields, separators=(",", ":"), ensure_ascii=False)


def _start_transaction(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    connector_id = checked_id(payload["connectorId"], "connectorId", 1)  # 1.6 6.45: connectorId > 0
    return TransactionEventRequest(
        event_type=TransactionEventType.STARTED,
        transaction_id=None,
        timestamp=_timestamp(payload),
        evse_id=connector_id,
        connector_id=connector_id,
        id_token=IdToken(payload["idTag"]),
        meter_start_wh=float(payload["meterStart"]),  # 1.6 meterStart is an integer in Wh
        reservation_id=payload.get("reservationId"),
        dedupe_key=start_dedupe_key(payload),
    )


def _stop_transaction(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    id_tag = payload.get("idTag")
    return TransactionEventRequest(
        event_type=TransactionEventType.ENDED,
        transaction_id=str(payload["transactionId"]),
        timestamp=_timestamp(payload),
        id_token=IdToken(id_tag) if id_tag is not None else None,
        meter_stop_wh=float(payload["meterStop"]),  # 1.6 meterStop is an integer in Wh
        meter_values=decode_meter_values(payload.get("transactionData", ()), notes, "transactionData"),
        stop_reason=payload.get("reason", DEFAULT_STOP_REASON),
    )


def _meter_values(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    connector_id = checked_id(payload["connectorId"], "connectorId", 0)  # 1.6 6.31: connectorId >= 0
    transaction_id = payload.get("transactionId")
    return MeterValuesRequest(
        evse_id=connector_id,
        connector_id=connector_id,
        samples=decode_meter_values(payload["meterValue"], notes),
        transaction_id=str(transaction_id) if transaction_id is not None else None,
    )


def _data_transfer(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return DataTransferRequest(payload["vendorId"], payload.get("messageId"), payload.get("data"))


def _diagnostics_status(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return LogStatusRequest(payload["status"], kind="diagnostics")


def _log_status(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return LogStatusRequest(payload["status"], kind="log", request_id=payload.get("requestId"))


def _firmware_status(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return FirmwareStatusRequest(payload["status"], request_id=payload.get("requestId"))


def _security_event(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return SecurityEventRequest(payload["type"], _timestamp(payload), payload.get("techInfo"))


def _sign_certificate(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return SignCertificateRequest(payload["csr"])  # 1.6 signs only the charge point certificate


DECODERS: Mapping[str, _Decoder] = MappingProxyType(
    {
        "BootNotification": _boot,
        "Heartbeat": _heartbeat,
        "StatusNotification": _status,
        "Authorize": _authorize,
        "StartTransaction": _start_transaction,
        "StopTransaction": _stop_transaction,
        "MeterValues": _meter_values,
        "DataTransfer": _data_transfer,
        "DiagnosticsStatusNotification": _diagnostics_status,
        "FirmwareStatusNotification": _firmware_status,
        "SecurityEventNotification": _security_event,
        "SignedFirmwareStatusNotification": _firmware_status,
        "LogStatusNotification": _log_status,
        "SignCertificate": _sign_certificate,
    }
)

# -- CSMS answers -> 1.6 CALLRESULT payloads -------------------------------------------------


def _id_tag_info(info: IdTokenInfo) -> dict[str, Any]:
    # 1.6 IdTagInfo has no "Unknown": an unknown token is Invalid.
    status = AuthorizationStatus.INVALID if info.status is AuthorizationStatus.UNKNOWN else info.status
    out: dict[str, Any] = {"status": status.value}
    if info.expires_at is not None:
        out["expiryDate"] = format_datetime(info.expires_at)
    # A longer (2.0.1) group id cannot be a 1.6 parentIdTag; leave it out rather than truncate it.
    if info.group_id is not None and len(info.group_id) <= ID_TAG_MAX_LENGTH:
        out["parentIdTag"] = info.group_id
    return out


def _data_text(data: Any) -> str:
    """1.6 DataTransfer data is a string: anything else travels JSON-encoded."""
    return data if isinstance(data, str) else json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def _expect(action: str, response: StationResponse, kind: type[_T]) -> _T:
    if not isinstance(response, kind):
        raise TypeError(f"{action} needs a {kind.__name__}, got {type(response).__name__}")
    return response


def _encode_boot(action: str, response: StationResponse) -> dict[str, Any]:
    boot = _expect(action, response, BootResponse)
    return {
        "status": boot.status.value,
        "currentTime": format_datetime(boot.current_time),
        "interval": boot.interval_s,
    }


def _encode_heartbeat(action: str, response: StationResponse) -> dict[str, Any]:
    return {"currentTime": format_datetime(_expect(action, response, HeartbeatResponse).current_time)}


def _encode_ack(action: str, response: StationResponse) -> dict[str, Any]:
    _expect(action, response, Ack)
    return {}


def _encode_authorize(action: str, response: StationResponse) -> dict[str, Any]:
    return {"idTagInfo": _id_tag_info(_expect(action, response, AuthorizeResponse).id_token_info)}


def _encode_start_transaction(action: str, response: StationResponse) -> dict[str, Any]:
    answer = _expect(action, response, TransactionEventResponse)
    if answer.transaction_id is None or not _INTEGER_TEXT.fullmatch(answer.transaction_id):
        raise ValueError(f"StartTransaction needs an integer transaction id, got {answer.transaction_id!r}")
    if answer.id_token_info is None:
        raise ValueError("StartTransaction needs id_token_info (1.6 requires idTagInfo)")
    return {"transactionId": int(answer.transaction_id), "idTagInfo": _id_tag_info(answer.id_token_info)}


def _encode_stop_transaction(action: str, response: StationResponse) -> dict[str, Any]:
    answer = _expect(action, response, TransactionEventResponse)
    return {"idTagInfo": _id_tag_info(answer.id_token_info)} if answer.id_token_info is not None else {}


def _encode_data_transfer(action: str, response: StationResponse) -> dict[str, Any]:
    answer = _expect(action, response, DataTransferResponse)
    out: dict[str, Any] = {"status": answer.status.value}
    if answer.data is not None:
        out["data"] = _data_text(answer.data)
    return out


def _encode_sign_certificate(action: str, response: StationResponse) -> dict[str, Any]:
    # 1.6 has no statusInfo: the reason of a refusal stays with the CSMS (security event).
    return {"status": "Accepted" if _expect(action, response, SignCertificateResponse).accepted else "Rejected"}


_ResponseEncoder = Callable[[str, StationResponse], dict[str, Any]]

RESPONSE_ENCODERS: Mapping[str, _ResponseEncoder] = MappingProxyType(
    {
        "BootNotification": _encode_boot,
        "Heartbeat": _encode_heartbeat,
        "StatusNotification": _encode_ack,
        "Authorize": _encode_authorize,
        "StartTransaction": _encode_start_transaction,
        "StopTransaction": _encode_stop_transaction,
        "MeterValues": _encode_ack,
        "DataTransfer": _encode_data_transfer,
        "DiagnosticsStatusNotification": _encode_ack,
        "FirmwareStatusNotification": _encode_ack,
        "SecurityEventNotification": _encode_ack,
        "SignedFirmwareStatusNotification": _encode_ack,
        "LogStatusNotification": _encode_ack,
        "SignCertificate": _encode_sign_certificate,
    }
)

# -- operator commands -> 1.6 CALLs ----------------------------------------------------------

# Message names of either version -> (1.6 action, 1.6 requestedMessage).
TRIGGERS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "BootNotification": ("TriggerMessage", "BootNotification"),
        "DiagnosticsStatusNotification": ("TriggerMessage", "DiagnosticsStatusNotification"),
        "LogStatusNotification": ("TriggerMessage", "DiagnosticsStatusNotification"),
        "FirmwareStatusNotification": ("TriggerMessage", "FirmwareStatusNotification"),
        "Heartbeat": ("TriggerMessage", "Heartbeat"),
        "MeterValues": ("TriggerMessage", "MeterValues"),
        "StatusNotification": ("TriggerMessage", "StatusNotification"),
        # Security whitepaper: certificate signing is triggered with ExtendedTriggerMessage.
        "SignChargingStationCertificate": ("ExtendedTriggerMessage", "SignChargePointCertificate"),
        "SignChargePointCertificate": ("ExtendedTriggerMessage", "SignChargePointCertificate"),
    }
)


def _first_set(*values: int | None) -> int | None:
    return next((value for value in values if value is not None), None)


def _transaction_number(transaction_id: str) -> int:
    if not _INTEGER_TEXT.fullmatch(transaction_id):
        raise CommandNotSupported(f"1.6 transaction ids are integers, not {transaction_id[:40]!r}")
    return int(transaction_id)


def _remote_start(command: cmd.RemoteStart) -> tuple[str, dict[str, Any]]:
    if len(command.id_token.value) > ID_TAG_MAX_LENGTH:
        raise CommandNotSupported(f"1.6 idTags are at most {ID_TAG_MAX_LENGTH} characters")
    payload: dict[str, Any] = {"idTag": command.id_token.value}
    connector_id = _first_set(command.evse_id, command.connector_id)
    if connector_id is not None:
        if connector_id <= 0:
            raise CommandNotSupported("1.6 RemoteStartTransaction needs a connectorId above 0")
        payload["connectorId"] = connector_id
    if isinstance(command.charging_profile, dict):
        payload["chargingProfile"] = command.charging_profile
    elif command.charging_profile is not None:
        payload["chargingProfile"] = charging.remote_start_profile(command.charging_profile)
    return "RemoteStartTransaction", payload


def _reset(command: cmd.Reset) -> tuple[str, dict[str, Any]]:
    if command.evse_id is not None:
        raise CommandNotSupported("1.6 resets the whole charge point, not one EVSE")
    return "Reset", {"type": "Hard" if command.type is cmd.ResetType.HARD else "Soft"}


def _get_configuration(command: cmd.GetConfiguration) -> tuple[str, dict[str, Any]]:
    if command.variables:
        raise CommandNotSupported("1.6 uses configuration keys, not component variables")
    return "GetConfiguration", {"key": list(command.keys)} if command.keys else {}


def _set_configuration(command: cmd.SetConfiguration) -> tuple[str, dict[str, Any]]:
    if command.key is None:
        raise CommandNotSupported("1.6 ChangeConfiguration needs a configuration key")
    return "ChangeConfiguration", {"key": command.key, "value": command.value}


def _trigger(command: cmd.TriggerMessage) -> tuple[str, dict[str, Any]]:
    target = TRIGGERS.get(command.message)
    if target is None:
        raise CommandNotSupported(f"1.6 cannot trigger {command.message[:60]!r}")
    action, requested = target
    payload: dict[str, Any] = {"requestedMessage": requested}
    connector_id = _first_set(command.evse_id, command.connector_id)
    if connector_id is not None:
        payload["connectorId"] = connector_id
    return action, payload


def _data_transfer_command(command: cmd.DataTransfer) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"vendorId": command.vendor_id}
    if command.message_id is not None:
        payload["messageId"] = command.message_id
    if command.data is not None:
        payload["data"] = _data_text(command.data)
    return "DataTransfer", payload


# Neutral (2.0.1) certificate type names -> the 1.6 CertificateUseEnumType; the 1.6 names are accepted too.
CERTIFICATE_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "CSMSRootCertificate": "CentralSystemRootCertificate",
        "CentralSystemRootCertificate": "CentralSystemRootCertificate",
        "ManufacturerRootCertificate": "ManufacturerRootCertificate",
    }
)


def _certificate_type(name: str) -> str:
    v16 = CERTIFICATE_TYPES.get(name)
    if v16 is None:
        raise CommandNotSupported(
            f"1.6 has no certificate type {name[:60]!r}; use one of {sorted(set(CERTIFICATE_TYPES.values()))}"
        )
    return v16


def _certificate_signed(command: cmd.CertificateSigned) -> tuple[str, dict[str, Any]]:
    if command.certificate_type != cmd.STATION_CERTIFICATE:
        raise CommandNotSupported("1.6 CertificateSigned carries only the charge point certificate")
    return "CertificateSigned", {"certificateChain": command.certificate_chain}


def _get_installed_certificate_ids(command: cmd.GetInstalledCertificateIds) -> tuple[str, dict[str, Any]]:
    if len(command.certificate_types) != 1:
        raise CommandNotSupported("1.6 GetInstalledCertificateIds asks for exactly one certificate type")
    return "GetInstalledCertificateIds", {"certificateType": _certificate_type(command.certificate_types[0])}


def _change_availability(command: cmd.ChangeAvailability) -> tuple[str, dict[str, Any]]:
    connector_id = _first_set(command.evse_id, command.connector_id) or 0
    return "ChangeAvailability", {
        "connectorId": connector_id,
        "type": "Operative" if command.operational else "Inoperative",
    }


def _install_certificate(command: cmd.InstallCertificate) -> tuple[str, dict[str, Any]]:
    return "InstallCertificate", {
        "certificateType": _certificate_type(command.certificate_type),
        "certificate": command.certificate,
    }


_CommandEncoder = Callable[[Any], tuple[str, dict[str, Any]]]

# Neutral command type -> its 1.6 encoder. A capability adds its commands here (one entry each);
# a command type without an entry has no 1.6 form.
COMMAND_ENCODERS: Mapping[type, _CommandEncoder] = MappingProxyType(
    {
        cmd.RemoteStart: _remote_start,
        cmd.RemoteStop: lambda c: ("RemoteStopTransaction", {"transactionId": _transaction_number(c.transaction_id)}),
        cmd.Reset: _reset,
        cmd.Unlock: lambda c: ("UnlockConnector", {"connectorId": c.evse_id}),  # 1.6 connectorId = EVSE
        cmd.ChangeAvailability: _change_availability,
        cmd.GetConfiguration: _get_configuration,
        cmd.SetConfiguration: _set_configuration,
        cmd.TriggerMessage: _trigger,
        cmd.ClearCache: lambda c: ("ClearCache", {}),
        cmd.DataTransfer: _data_transfer_command,
        cmd.CertificateSigned: _certificate_signed,
        cmd.InstallCertificate: _install_certificate,
        cmd.DeleteCertificate: lambda c: ("DeleteCertificate", {"certificateHashData": c.hash_data.to_json()}),
        cmd.GetInstalledCertificateIds: _get_installed_certificate_ids,
        **charging.COMMAND_ENCODERS,  # SetChargingProfile, ClearChargingProfile, GetCompositeSchedule
        **_authorization.COMMAND_ENCODERS,  # ReserveNow, CancelReservation, SendLocalList, GetLocalListVersion
        **devicemodel.COMMAND_ENCODERS,  # reports as GetConfiguration, variables as ChangeConfiguration
        **firmware.COMMAND_ENCODERS,  # UpdateFirmware / SignedUpdateFirmware, GetDiagnostics / GetLog
    }
)


def encode_command(command: Command) -> tuple[str, dict[str, Any]]:
    """A neutral command -> (1.6 action, payload). Raises :class:`CommandNotSupported`."""
    encoder = COMMAND_ENCODERS.get(type(command))
    if encoder is None:
        raise CommandNotSupported(f"{type(command).__name__} has no OCPP 1.6 form")
    return encoder(command)


# Answers without a status field: a schema-valid answer means the station did it.
_STATUSLESS_ANSWER = "Accepted"


def _installed_certificates(payload: dict[str, Any]) -> CommandOutcome:
    # The 1.6 answer names no type: it is the one type that was asked for.
    certificates = tuple(
        cmd.InstalledCertificate(cmd.CertificateHashData.from_json(raw))
        for raw in payload.get("certificateHashData", ())
    )
    return CommandOutcome(_answer_status(payload), payload, certificates)


def _answer_status(payload: dict[str, Any]) -> str:
    status = payload.get("status")
    return status if isinstance(status, str) else _STATUSLESS_ANSWER


# 1.6 action -> how its CALLRESULT becomes an outcome; actions without an entry: the payload's status.
OUTCOME_DECODERS: Mapping[str, Callable[[dict[str, Any]], CommandOutcome]] = MappingProxyType(
    {"GetInstalledCertificateIds": _installed_certificates, **charging.OUTCOME_DECODERS}
)


def decode_outcome(action: str, payload: dict[str, Any]) -> CommandOutcome:
    decoder = OUTCOME_DECODERS.get(action)
    return decoder(payload) if decoder is not None else CommandOutcome(_answer_status(payload), payload)


class Ocpp16Adapter:
    """The :class:`~chargebridge.domain.adapter.VersionAdapter` of OCPP 1.6J (stateless)."""

    version: OcppVersion = OcppVersion.V16

    def accepts(self, action: str) -> bool:
        return action in DECODERS

    def decode(self, action: str, payload: dict[str, Any]) -> Decoded:
        return run_decoder(DECODERS, action, payload, "1.6")

    def encode_response(self, action: str, response: StationResponse) -> dict[str, Any]:
        encoder = RESPONSE_ENCODERS.get(action)
        if encoder is None:
            raise ValueError(f"no 1.6 response encoder for {action!r}")
        return encoder(action, response)

    def encode_command(self, command: Command) -> tuple[str, dict[str, Any]]:
        return encode_command(command)

    def decode_outcome(self, action: str, payload: dict[str, Any]) -> CommandOutcome:
        return decode_outcome(action, payload)
