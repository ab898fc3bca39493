"""Operator commands, version-neutral. A version adapter turns each into that version's CALL
and reads the station's answer back into a :class:`CommandOutcome`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chargebridge.domain.model import IdToken

if TYPE_CHECKING:
    from chargebridge.domain.charging import ChargingProfile, CompositeSchedule


class ResetType(StrEnum):
    SOFT = "soft"  # 1.6 Soft, 2.0.1 OnIdle
    HARD = "hard"  # 1.6 Hard, 2.0.1 Immediate


class Command:
    """Base of every neutral operator command (capability packages add their own subclasses)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class RemoteStart(Command):
    """1.6 RemoteStartTransaction / 2.0.1 RequestStartTransaction.

    1.6 has one connector per EVSE: its connectorId is ``evse_id`` (or ``connector_id`` when no EVSE is given),
    the same rule for every 1.6 command."""

    id_token: IdToken
    evse_id: int | None = None
    connector_id: int | None = None
    remote_start_id: int = 0
    # A neutral TxProfile (converted per version), or a payload already in the station's version.
    charging_profile: ChargingProfile | dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RemoteStop(Command):
    """1.6 RemoteStopTransaction (integer id) / 2.0.1 RequestStopTransaction."""

    transaction_id: str


@dataclass(frozen=True, slots=True)
class Reset(Command):
    type: ResetType = ResetType.SOFT
    evse_id: int | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class Unlock(Command):
    evse_id: int
    connector_id: int = 1


@dataclass(frozen=True, slots=True)
class ChangeAvailability(Command):
    """``evse_id`` None (or 0) means the whole station. 1.6 uses connectorId = evse_id (else connector_id)."""

    operational: bool
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class VariableRef:
    """A 2.0.1 component/variable address (1.6 configuration keys use ``key`` instead)."""

    component: str
    variable: str
    instance: str | None = None
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    attribute: str | None = None


@dataclass(frozen=True, slots=True)
class GetConfiguration(Command):
    """1.6 GetConfiguration (``keys``; empty = all) / 2.0.1 GetVariables (``variables``, at least one)."""

    keys: tuple[str, ...] = ()
    variables: tuple[VariableRef, ...] = ()


@dataclass(frozen=True, slots=True)
class SetConfiguration(Command):
    """1.6 ChangeConfiguration (``key``) / 2.0.1 SetVariables (``variable``)."""

    value: str
    key: str | None = None
    variable: VariableRef | None = None


@dataclass(frozen=True, slots=True)
class TriggerMessage(Command):
    """``message`` is a message name of either version, e.g. BootNotification, Heartbeat,
    StatusNotification, MeterValues, FirmwareStatusNotification, DiagnosticsStatusNotification
    / LogStatusNotification, SignChargingStationCertificate; adapters map names between versions."""

    message: str
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class ClearCache(Command):
    pass


@dataclass(frozen=True, slots=True)
class DataTransfer(Command):
    vendor_id: str
    message_id: str | None = None
    data: Any = None


@dataclass(frozen=True, slots=True)
class CertificateHashData:
    """OCPP CertificateHashDataType (the same fields in 1.6 and 2.0.1): which certificate, as OCSP names it.

    Hashes and the serial number are lower-case hex; the serial has no leading zeros."""

    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str

    def to_json(self) -> dict[str, str]:
        """The OCPP field names, as sent on the wire and stored in ``station_certificates.hash_data``."""
        return {
            "hashAlgorithm": self.hash_algorithm,
            "issuerNameHash": self.issuer_name_hash,
            "issuerKeyHash": self.issuer_key_hash,
            "serialNumber": self.serial_number,
        }

    @classmethod
    def from_json(cls, raw: Any) -> CertificateHashData:
        return cls(raw["hashAlgorithm"], raw["issuerNameHash"], raw["issuerKeyHash"], raw["serialNumber"])

    def same_certificate(self, other: CertificateHashData) -> bool:
        """Hex compared case-insensitively, serials without leading zeros (stations differ in both)."""
        return (
            self.hash_algorithm == other.hash_algorithm
            and self.issuer_name_hash.lower() == other.issuer_name_hash.lower()
            and self.issuer_key_hash.lower() == other.issuer_key_hash.lower()
            and self.serial_number.lower().lstrip("0") == other.serial_number.lower().lstrip("0")
        )


# Certificate types use the 2.0.1 names; the 1.6 adapter maps CSMSRootCertificate <->
# CentralSystemRootCertificate and has no V2G/MO types.
STATION_CERTIFICATE = "ChargingStationCertificate"
V2G_CERTIFICATE = "V2GCertificate"


@dataclass(frozen=True, slots=True)
class CertificateSigned(Command):
    """The chain signed for a station's CSR (PEM, leaf first). ``certificate_type`` is sent in 2.0.1 only."""

    certificate_chain: str
    certificate_type: str = STATION_CERTIFICATE


@dataclass(frozen=True, slots=True)
class InstallCertificate(Command):
    """A root certificate (PEM) for the station to trust: V2GRootCertificate, MORootCertificate,
    CSMSRootCertificate or ManufacturerRootCertificate (1.6: the last two only)."""

    certificate_type: str
    certificate: str


@dataclass(frozen=True, slots=True)
class DeleteCertificate(Command):
    hash_data: CertificateHashData


@dataclass(frozen=True, slots=True)
class GetInstalledCertificateIds(Command):
    """2.0.1: any number of types, none = all; 1.6 asks for exactly one type."""

    certificate_types: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InstalledCertificate:
    """One certificate a GetInstalledCertificateIds answer lists. ``certificate_type`` is None when
    the answer does not say (1.6 answers for the one type that was asked)."""

    hash_data: CertificateHashData
    certificate_type: str | None = None


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """The station's answer: its ``status`` (e.g. Accepted, Rejected, Unlocked) and its raw payload."""

    status: str
    response: dict[str, Any]
    # GetInstalledCertificateIds: the certificates the station listed (other commands: empty).
    certificates: tuple[InstalledCertificate, ...] = ()
    # GetCompositeSchedule: the schedule the station reported (other commands: None).
    composite: CompositeSchedule | None = None


class CommandNotSupported(Exception):
    """The command cannot be expressed in the station's OCPP version (or lacks a required field)."""
