"""What a station asks of the CSMS, version-neutral, and what the CSMS answers.

A version adapter decodes each inbound CALL into one of the ``*Request`` types below; the
services answer with the paired ``*Response`` type, and the adapter encodes it back into
that version's CALLRESULT. Services never see OCPP payloads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from chargebridge.domain.model import (
    ConnectorStatus,
    IdToken,
    IdTokenInfo,
    MeterSample,
    RegistrationStatus,
    StationIdentity,
)


class StationRequest:
    """Base of every neutral station request (capability packages add their own subclasses)."""

    __slots__ = ()


class StationResponse:
    """Base of every neutral answer to a station request (capability packages add their own subclasses)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class BootRequest(StationRequest):
    identity: StationIdentity
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class BootResponse(StationResponse):
    status: RegistrationStatus
    current_time: datetime
    interval_s: int


@dataclass(frozen=True, slots=True)
class HeartbeatRequest(StationRequest):
    pass


@dataclass(frozen=True, slots=True)
class HeartbeatResponse(StationResponse):
    current_time: datetime


@dataclass(frozen=True, slots=True)
class StatusRequest(StationRequest):
    """A connector's status. ``evse_id`` 0 / ``connector_id`` 0 addresses the whole station.

    For 1.6 the adapter sets ``evse_id == connector_id`` (1.6 has one connector per EVSE).
    A non-"NoError" 1.6 errorCode or a vendorErrorCode is carried in ``error_code`` /
    ``vendor_error_code`` and becomes a fault.
    """

    evse_id: int
    connector_id: int
    status: ConnectorStatus
    timestamp: datetime | None
    error_code: str | None = None
    vendor_error_code: str | None = None
    vendor_id: str | None = None
    info: str | None = None


@dataclass(frozen=True, slots=True)
class Ack(StationResponse):
    """An empty confirmation (StatusNotification, MeterValues, NotifyEvent, ... responses)."""


@dataclass(frozen=True, slots=True)
class AuthorizeRequest(StationRequest):
    id_token: IdToken


@dataclass(frozen=True, slots=True)
class AuthorizeResponse(StationResponse):
    id_token_info: IdTokenInfo


class TransactionEventType(StrEnum):
    STARTED = "Started"
    UPDATED = "Updated"
    ENDED = "Ended"


@dataclass(frozen=True, slots=True)
class TransactionEventRequest(StationRequest):
    """Every transaction message of both versions.

    - 1.6 StartTransaction -> STARTED with ``transaction_id=None`` (the CSMS assigns one),
      ``meter_start_wh`` set, ``dedupe_key`` identifying a re-sent StartTransaction.
    - 1.6 StopTransaction  -> ENDED with the integer id as text, ``meter_stop_wh`` and the
      transactionData samples in ``meter_values``.
    - 2.0.1 TransactionEvent -> its eventType, the station's transactionId, ``seq_no``,
      ``offline``, embedded meterValue; meter start/stop come from the Transaction.Begin /
      Transaction.End energy register samples when present.
    """

    event_type: TransactionEventType
    transaction_id: str | None
    timestamp: datetime
    evse_id: int | None = None
    connector_id: int | None = None
    id_token: IdToken | None = None
    meter_start_wh: float | None = None
    meter_stop_wh: float | None = None
    meter_values: tuple[MeterSample, ...] = ()
    seq_no: int | None = None
    offline: bool = False
    trigger_reason: str | None = None
    stop_reason: str | None = None
    charging_state: str | None = None
    remote_start_id: int | None = None
    reservation_id: int | None = None
    dedupe_key: str | None = None


@dataclass(frozen=True, slots=True)
class TransactionEventResponse(StationResponse):
    """``transaction_id`` is set for a 1.6 STARTED (the id the CSMS assigned). ``total_cost``: the
    transaction's final cost incl. taxes, answered at a 2.0.1 ENDED (billing; 1.6 has no field)."""

    transaction_id: str | None = None
    id_token_info: IdTokenInfo | None = None
    total_cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class MeterValuesRequest(StationRequest):
    """Meter values outside a 2.0.1 TransactionEvent (1.6 MeterValues / 2.0.1 MeterValues).

    ``evse_id`` 0 is the station's main meter. ``transaction_id`` is set when the 1.6
    message names a transaction."""

    evse_id: int
    connector_id: int | None
    samples: tuple[MeterSample, ...]
    transaction_id: str | None = None


@dataclass(frozen=True, slots=True)
class DataTransferRequest(StationRequest):
    vendor_id: str
    message_id: str | None = None
    data: Any = None


class DataTransferStatus(StrEnum):
    ACCEPTED = "Accepted"
    REJECTED = "Rejected"
    UNKNOWN_MESSAGE_ID = "UnknownMessageId"
    UNKNOWN_VENDOR_ID = "UnknownVendorId"


@dataclass(frozen=True, slots=True)
class DataTransferResponse(StationResponse):
    status: DataTransferStatus
    data: Any = None


@dataclass(frozen=True, slots=True)
class FirmwareStatusRequest(StationRequest):
    """1.6 FirmwareStatusNotification / SignedFirmwareStatusNotification, 2.0.1 FirmwareStatusNotification."""

    status: str
    request_id: int | None = None


@dataclass(frozen=True, slots=True)
class LogStatusRequest(StationRequest):
    """1.6 DiagnosticsStatusNotification (``kind="diagnostics"``) / LogStatusNotification."""

    status: str
    kind: str = "log"
    request_id: int | None = None


@dataclass(frozen=True, slots=True)
class NotifiedEvent:
    """One 2.0.1 EventDataType: a monitored variable changed or a problem was reported."""

    event_id: int
    timestamp: datetime
    trigger: str
    actual_value: str
    component: str
    variable: str
    evse_id: int | None = None
    connector_id: int | None = None
    event_code: str | None = None
    tech_code: str | None = None
    tech_info: str | None = None
    cleared: bool | None = None
    cause: int | None = None
    event_notification_type: str | None = None
    transaction_id: str | None = None
    variable_monitoring_id: int | None = None  # the monitor that fired (its severity is in the monitor)


@dataclass(frozen=True, slots=True)
class NotifyEventRequest(StationRequest):
    generated_at: datetime
    seq_no: int
    events: tuple[NotifiedEvent, ...]
    tbc: bool = False


@dataclass(frozen=True, slots=True)
class SecurityEventRequest(StationRequest):
    type: str
    timestamp: datetime
    tech_info: str | None = None


@dataclass(frozen=True, slots=True)
class SignCertificateRequest(StationRequest):
    """1.6 (security whitepaper) / 2.0.1 SignCertificate: a PEM CSR for the station's certificate.

    ``certificate_type`` uses the 2.0.1 names; 1.6 and an absent 2.0.1 type mean
    ChargingStationCertificate (the certificate the station uses towards the CSMS)."""

    csr: str
    certificate_type: str = "ChargingStationCertificate"


@dataclass(frozen=True, slots=True)
class SignCertificateResponse(StationResponse):
    """Accepted: a CertificateSigned follows. A refusal carries a short code and a sentence (2.0.1 statusInfo)."""

    accepted: bool
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class Decoded:
    """An inbound CALL decoded by an adapter, with the warnings it raised (quirks tolerated)."""

    request: StationRequest
    notes: tuple[str, ...] = field(default=())
