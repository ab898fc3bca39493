"""Version-neutral values: what a station, a transaction or a meter sample *is*,
whichever OCPP version the charger spoke. Frozen, slotted dataclasses; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from chargebridge.rpc.version import OcppVersion

__all__ = [
    "AuthorizationStatus",
    "ConnectorStatus",
    "IdToken",
    "IdTokenInfo",
    "MeterSample",
    "OcppVersion",
    "ReadingContext",
    "RegistrationStatus",
    "SampledValue",
    "SignedMeterValue",
    "StationIdentity",
]


class RegistrationStatus(StrEnum):
    ACCEPTED = "Accepted"
    PENDING = "Pending"
    REJECTED = "Rejected"


class ConnectorStatus(StrEnum):
    """Union of the 1.6 ChargePointStatus and the 2.0.1 ConnectorStatusEnumType.

    2.0.1 reports only Available/Occupied/Reserved/Unavailable/Faulted; the finer 1.6
    states (Preparing, Charging, ...) are kept when a 1.6 charger reports them.
    """

    AVAILABLE = "Available"
    OCCUPIED = "Occupied"
    PREPARING = "Preparing"
    CHARGING = "Charging"
    SUSPENDED_EV = "SuspendedEV"
    SUSPENDED_EVSE = "SuspendedEVSE"
    FINISHING = "Finishing"
    RESERVED = "Reserved"
    UNAVAILABLE = "Unavailable"
    FAULTED = "Faulted"
    UNKNOWN = "Unknown"


class AuthorizationStatus(StrEnum):
    ACCEPTED = "Accepted"
    BLOCKED = "Blocked"
    EXPIRED = "Expired"
    INVALID = "Invalid"
    CONCURRENT_TX = "ConcurrentTx"
    UNKNOWN = "Unknown"


class ReadingContext(StrEnum):
    INTERRUPTION_BEGIN = "Interruption.Begin"
    INTERRUPTION_END = "Interruption.End"
    OTHER = "Other"
    SAMPLE_CLOCK = "Sample.Clock"
    SAMPLE_PERIODIC = "Sample.Periodic"
    TRANSACTION_BEGIN = "Transaction.Begin"
    TRANSACTION_END = "Transaction.End"
    TRIGGER = "Trigger"


@dataclass(frozen=True, slots=True)
class IdToken:
    """An identifier presented to authorize charging. ``type`` is the 2.0.1 IdTokenEnumType;
    1.6 idTags have no type and are read as ``"Central"``-agnostic ``None``."""

    value: str
    type: str | None = None


@dataclass(frozen=True, slots=True)
class IdTokenInfo:
    status: AuthorizationStatus
    expires_at: datetime | None = None
    group_id: str | None = None


@dataclass(frozen=True, slots=True)
class SampledValue:
    """One measured value, normalised: energy in Wh/varh, power in W/var, current in A,
    voltage in V, SoC in percent, temperature in Celsius, frequency in Hz."""

    measurand: str
    value: float
    unit: str
    context: ReadingContext = ReadingContext.SAMPLE_PERIODIC
    phase: str | None = None
    location: str | None = None


@dataclass(frozen=True, slots=True)
class SignedMeterValue:
    """A signed meter reading as the station sent it (verified by billing, never here).

    ``data`` is the signed payload as text: for OCMF the ``OCMF|{...}|{...}`` string (2.0.1
    sends it base64-encoded in ``signedMeterData``: the adapter decodes it when it is text),
    else the payload as received. ``encoding_method`` names the format (``OCMF``, ``EDL``, ...)."""

    measurand: str
    context: ReadingContext
    encoding_method: str
    data: str
    signing_method: str | None = None
    public_key: str | None = None


@dataclass(frozen=True, slots=True)
class MeterSample:
    timestamp: datetime
    values: tuple[SampledValue, ...]
    # Signed readings taken at this timestamp (2.0.1 signedMeterValue, 1.6 format SignedData).
    signed: tuple[SignedMeterValue, ...] = ()

    def energy_register_wh(self) -> float | None:
        """The whole-meter Energy.Active.Import.Register in Wh, if this sample carries it."""
        for value in self.values:
            if value.measurand == "Energy.Active.Import.Register" and value.phase is None:
                return value.value
        return None


@dataclass(frozen=True, slots=True)
class StationIdentity:
    vendor: str
    model: str
    serial_number: str | None = None
    firmware_version: str | None = None
    iccid: str | None = None
    imsi: str | None = None
    meter_type: str | None = None
    meter_serial_number: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
