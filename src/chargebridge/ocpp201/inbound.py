"""Station-to-CSMS 2.0.1 CALL payloads -> version-neutral requests.

Payloads arrive schema-valid (the rpc layer checked them); what remains is meaning: field
names, defaults the specification leaves implicit, unit scaling and timestamps. Each
decoder appends the quirks it tolerated to ``notes``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from chargebridge.domain.adapter import checked_id
from chargebridge.domain.model import ConnectorStatus, IdToken, StationIdentity
from chargebridge.domain.requests import (
    AuthorizeRequest,
    BootRequest,
    DataTransferRequest,
    FirmwareStatusRequest,
    HeartbeatRequest,
    LogStatusRequest,
    MeterValuesRequest,
    NotifiedEvent,
    NotifyEventRequest,
    SecurityEventRequest,
    SignCertificateRequest,
    StationRequest,
    StatusRequest,
    TransactionEventRequest,
    TransactionEventType,
)
from chargebridge.domain.timeutil import parse_datetime
from chargebridge.ocpp201 import authorization as _authorization
from chargebridge.ocpp201 import charging, devicemodel, iso15118, publishing
from chargebridge.ocpp201.meter import decode_meter_values, meter_start_wh, meter_stop_wh
from chargebridge.rpc.errors import ErrorCode, OcppError

Payload = Mapping[str, Any]
Decoder = Callable[[Payload, list[str]], StationRequest]

# 2.0.1 E06: a transaction that ends without a stoppedReason ended for the "Local" reason.
DEFAULT_STOPPED_REASON = "Local"


def parse_time(text: Any, field: str) -> datetime:
    """A date-time Python cannot hold is a property violation. The schema's own date-time check
    lets some through: a leap second (23:59:60), year 0000, or 9999-12-31 with a negative offset."""
    try:
        return parse_datetime(text)
    except (TypeError, ValueError, OverflowError) as exc:
        raise OcppError(ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, f"{field} is not a valid date-time") from exc


def _evse(evse: Payload, where: str) -> tuple[int | None, int | None]:
    """An EVSEType: ``id`` is "a number (> 0) designating an EVSE", ``connectorId`` a connector
    index within it (connectors are numbered from 1; 0 and negatives name none)."""
    evse_id = evse.get("id")
    connector_id = evse.get("connectorId")
    return (
        checked_id(evse_id, f"{where}.id", 1) if evse_id is not None else None,
        checked_id(connector_id, f"{where}.connectorId", 1) if connector_id is not None else None,
    )


def _id_token(raw: Payload) -> IdToken:
    return IdToken(raw["idToken"], raw.get("type"))


def decode_boot(payload: Payload, notes: list[str]) -> BootRequest:
    station = payload["chargingStation"]
    modem = station.get("modem") or {}
    identity = StationIdentity(
        vendor=station["vendorName"],
        model=station["model"],
        serial_number=station.get("serialNumber"),
        firmware_version=station.get("firmwareVersion"),
        iccid=modem.get("iccid"),
        imsi=modem.get("imsi"),
    )
    return BootRequest(identity, payload.get("reason"))


def decode_heartbeat(payload: Payload, notes: list[str]) -> HeartbeatRequest:
    return HeartbeatRequest()


def decode_status(payload: Payload, notes: list[str]) -> StatusRequest:
    return StatusRequest(
        evse_id=checked_id(payload["evseId"], "evseId", 0),
        connector_id=checked_id(payload["connectorId"], "connectorId", 0),
        status=ConnectorStatus(payload["connectorStatus"]),
        timestamp=parse_time(payload["timestamp"], "timestamp"),
    )


def decode_authorize(payload: Payload, notes: list[str]) -> StationRequest:
    token = _id_token(payload["idToken"])
    if "certificate" in payload or "iso15118CertificateHashData" in payload:
        return iso15118.contract_authorize(token, payload)  # ISO 15118 contract certificate (C07/C08)
    return AuthorizeRequest(token)


def decode_transaction_event(payload: Payload, notes: list[str]) -> TransactionEventRequest:
    event_type = TransactionEventType(payload["eventType"])
    info = payload["transactionInfo"]
    evse = payload.get("evse") or {}
    evse_id, connector_id = _evse(evse, "evse")
    samples = decode_meter_values(payload.get("meterValue", ()), notes)
    stop_reason = info.get("stoppedReason")
    if stop_reason is None and event_type is TransactionEventType.ENDED:
        stop_reason = DEFAULT_STOPPED_REASON
    id_token = payload.get("idToken")
    return TransactionEventRequest(
        event_type=event_type,
        transaction_id=info["transactionId"],
        timestamp=parse_time(payload["timestamp"], "timestamp"),
        evse_id=evse_id,
        connector_id=connector_id,
        id_token=_id_token(id_token) if id_token is not None else None,
        meter_start_wh=meter_start_wh(samples, started=event_type is TransactionEventType.STARTED),
        meter_stop_wh=meter_stop_wh(samples, ended=event_type is TransactionEventType.ENDED),
        meter_values=samples,
        seq_no=payload["seqNo"],
        offline=payload.get("offline", False),
        trigger_reason=payload["triggerReason"],
        stop_reason=stop_reason,
        charging_state=info.get("chargingState"),
        remote_start_id=info.get("remoteStartId"),
        reservation_id=payload.get("reservationId"),
    )


def decode_meter_values_request(payload: Payload, notes: list[str]) -> MeterValuesRequest:
    return MeterValuesRequest(
        evse_id=checked_id(payload["evseId"], "evseId", 0),  # "0 designates the main power meter"
        connector_id=None,
        samples=decode_meter_values(payload["meterValue"], notes),
    )


def _notified_event(raw: Payload, index: int) -> NotifiedEvent:
    component = raw["component"]
    evse_id, connector_id = _evse(component.get("evse") or {}, f"eventData[{index}].component.evse")
    return NotifiedEvent(
        event_id=raw["eventId"],
        timestamp=parse_time(raw["timestamp"], f"eventData[{index}].timestamp"),
        trigger=raw["trigger"],
        actual_value=raw["actualValue"],
        component=component["name"],
        variable=raw["variable"]["name"],
        evse_id=evse_id,
        connector_id=connector_id,
        event_code=None,  # 2.0.1 has no eventCode; the station's own code is techCode
        tech_code=raw.get("techCode"),
        tech_info=raw.get("techInfo"),
        cleared=raw.get("cleared"),
        cause=raw.get("cause"),
        event_notification_type=raw.get("eventNotificationType"),
        transaction_id=raw.get("transactionId"),
        variable_monitoring_id=raw.get("variableMonitoringId"),
    )


def decode_notify_event(payload: Payload, notes: list[str]) -> NotifyEventRequest:
    return NotifyEventRequest(
        generated_at=parse_time(payload["generatedAt"], "generatedAt"),
        seq_no=payload["seqNo"],
        events=tuple(_notified_event(raw, index) for index, raw in enumerate(payload["eventData"])),
        tbc=payload.get("tbc", False),
    )


def decode_security_event(payload: Payload, notes: list[str]) -> SecurityEventRequest:
    return SecurityEventRequest(
        type=payload["type"],
        timestamp=parse_time(payload["timestamp"], "timestamp"),
        tech_info=payload.get("techInfo"),
    )


def decode_firmware_status(payload: Payload, notes: list[str]) -> FirmwareStatusRequest:
    return FirmwareStatusRequest(status=payload["status"], request_id=payload.get("requestId"))


def decode_log_status(payload: Payload, notes: list[str]) -> LogStatusRequest:
    return LogStatusRequest(status=payload["status"], kind="log", request_id=payload.get("requestId"))


def decode_data_transfer(payload: Payload, notes: list[str]) -> DataTransferRequest:
    return DataTransferRequest(
        vendor_id=payload["vendorId"],
        message_id=payload.get("messageId"),
        data=payload.get("data"),
    )


def decode_sign_certificate(payload: Payload, notes: list[str]) -> SignCertificateRequest:
    # Without a certificateType the certificate serves the CSMS connection (and 15118, which we do not sign for).
    return SignCertificateRequest(payload["csr"], payload.get("certificateType", "ChargingStationCertificate"))


DECODERS: Mapping[str, Decoder] = MappingProxyType(
    {
        "BootNotification": decode_boot,
        "Heartbeat": decode_heartbeat,
        "StatusNotification": decode_status,
        "Authorize": decode_authorize,
        "TransactionEvent": decode_transaction_event,
        "MeterValues": decode_meter_values_request,
        "NotifyEvent": decode_notify_event,
        "SecurityEventNotification": decode_security_event,
        "FirmwareStatusNotification": decode_firmware_status,
        "LogStatusNotification": decode_log_status,
        "DataTransfer": decode_data_transfer,
        "SignCertificate": decode_sign_certificate,
        **charging.DECODERS,  # block K: ReportChargingProfiles, Notify/ClearedChargingLimit, NotifyEVCharging*
        **_authorization.DECODERS,  # ReservationStatusUpdate
        **devicemodel.DECODERS,  # NotifyReport, NotifyMonitoringReport, NotifyCustomerInformation, ...
        **iso15118.DECODERS,  # Get15118EVCertificate, GetCertificateStatus
        **publishing.DECODERS,  # PublishFirmwareStatusNotification
    }
)
