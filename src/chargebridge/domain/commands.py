"""Operator commands, version-neutral. A version adapter turns each into that version's CALL
and reads the station's answer back into a :class:`CommandOutcome`."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chargebridge.domain.model import IdToken


class ResetType(StrEnum):
    SOFT = "soft"  # 1.6 Soft, 2.0.1 OnIdle
    HARD = "hard"  # 1.6 Hard, 2.0.1 Immediate


@dataclass(frozen=True, slots=True)
class RemoteStart:
    """1.6 RemoteStartTransaction / 2.0.1 RequestStartTransaction.

    1.6 has one connector per EVSE: its connectorId is ``evse_id`` (or ``connector_id`` when no EVSE is given),
    the same rule for every 1.6 command."""

    id_token: IdToken
    evse_id: int | None = None
    connector_id: int | None = None
    remote_start_id: int = 0
    charging_profile: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class RemoteStop:
    """1.6 RemoteStopTransaction (integer id) / 2.0.1 RequestStopTransaction."""

    transaction_id: str


@dataclass(frozen=True, slots=True)
class Reset:
    type: ResetType = ResetType.SOFT
    evse_id: int | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class Unlock:
    evse_id: int
    connector_id: int = 1


@dataclass(frozen=True, slots=True)
class ChangeAvailability:
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
class GetConfiguration:
    """1.6 GetConfiguration (``keys``; empty = all) / 2.0.1 GetVariables (``variables``, at least one)."""

    keys: tuple[str, ...] = ()
    variables: tuple[VariableRef, ...] = ()


@dataclass(frozen=True, slots=True)
class SetConfiguration:
    """1.6 ChangeConfiguration (``key``) / 2.0.1 SetVariables (``variable``)."""

    value: str
    key: str | None = None
    variable: VariableRef | None = None


@dataclass(frozen=True, slots=True)
class TriggerMessage:
    """``message`` is a message name of either version, e.g. BootNotification, Heartbeat,
    StatusNotification, MeterValues, FirmwareStatusNotification, DiagnosticsStatusNotification
    / LogStatusNotification, SignChargingStationCertificate; adapters map names between versions."""

    message: str
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class ClearCache:
    pass


@dataclass(frozen=True, slots=True)
class DataTransfer:
    vendor_id: str
    message_id: str | None = None
    data: Any = None


Command = (
    RemoteStart
    | RemoteStop
    | Reset
    | Unlock
    | ChangeAvailability
    | GetConfiguration
    | SetConfiguration
    | TriggerMessage
    | ClearCache
    | DataTransfer
)


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """The station's answer: its ``status`` (e.g. Accepted, Rejected, Unlocked) and its raw payload."""

    status: str
    response: dict[str, Any]


class CommandNotSupported(Exception):
    """The command cannot be expressed in the station's OCPP version (or lacks a required field)."""
