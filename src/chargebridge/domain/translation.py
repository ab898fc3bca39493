"""Neutral types the translating gateway needs and the core model does not have yet.

Two kinds:

- **Commands** a CSMS sends that no capability package defines yet (smart charging, firmware
  and log requests in their translation form, local lists, reservations) and the multi-variable
  form of SetVariables. When the capability packages add their own neutral commands, these
  should be unified with them (see docs/gateway.md); until then they live here, under names
  that say what they are, and only the translating gateway's tables use them.
- **Command results**: a station's answer to a command, version-neutral and typed (the core's
  :class:`~chargebridge.domain.commands.CommandOutcome` keeps the station's raw payload, which is
  all the REST API needs; translating an answer into the other version needs its meaning).

Statuses in results use the union of both versions' words (2.0.1 spelling where both exist);
each adapter maps them onto its own vocabulary when it encodes an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from chargebridge.domain.commands import Command, InstalledCertificate, SetConfiguration, VariableRef
from chargebridge.domain.model import IdToken, IdTokenInfo


class Untranslatable(ValueError):
    """A message (or one of its values) has no form in the target OCPP version."""


# -- smart charging --------------------------------------------------------------------------


class ProfilePurpose(StrEnum):
    """ChargingProfilePurposeEnumType, 2.0.1 names (1.6 ChargePointMaxProfile is STATION_MAX)."""

    STATION_MAX = "ChargingStationMaxProfile"
    TX_DEFAULT = "TxDefaultProfile"
    TX = "TxProfile"
    EXTERNAL = "ChargingStationExternalConstraints"  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class SchedulePeriod:
    start_s: int
    limit: float
    phases: int | None = None
    phase_to_use: int | None = None  # 2.0.1 only


@dataclass(frozen=True, slots=True)
class ChargingSchedule:
    rate_unit: str  # "A" | "W"
    periods: tuple[SchedulePeriod, ...]
    duration_s: int | None = None
    start: datetime | None = None
    min_rate: float | None = None
    id: int | None = None  # 2.0.1 only (required there)


@dataclass(frozen=True, slots=True)
class ChargingProfile:
    id: int
    stack_level: int
    purpose: ProfilePurpose
    kind: str  # Absolute | Recurring | Relative
    schedules: tuple[ChargingSchedule, ...]  # 1.6: exactly one; 2.0.1: one to three
    recurrency: str | None = None  # Daily | Weekly
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    transaction_id: str | None = None  # as the station knows it (1.6: integer text)


@dataclass(frozen=True, slots=True)
class SetChargingProfile(Command):
    """1.6 SetChargingProfile (connectorId) / 2.0.1 SetChargingProfile (evseId); 0 = the whole station."""

    evse_id: int
    profile: ChargingProfile


@dataclass(frozen=True, slots=True)
class ClearChargingProfile(Command):
    profile_id: int | None = None
    evse_id: int | None = None
    purpose: ProfilePurpose | None = None
    stack_level: int | None = None


@dataclass(frozen=True, slots=True)
class GetCompositeSchedule(Command):
    evse_id: int
    duration_s: int
    rate_unit: str | None = None


@dataclass(frozen=True, slots=True)
class CompositeSchedule:
    evse_id: int
    start: datetime
    duration_s: int
    rate_unit: str
    periods: tuple[SchedulePeriod, ...]


# -- firmware and logs ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UpdateFirmware(Command):
    """1.6 UpdateFirmware (no signature) or SignedUpdateFirmware (security whitepaper) / 2.0.1
    UpdateFirmware. ``request_id`` None: a plain 1.6 request (no id to report status against)."""

    location: str
    retrieve_at: datetime
    request_id: int | None = None
    install_at: datetime | None = None
    signing_certificate: str | None = None
    signature: str | None = None
    retries: int | None = None
    retry_interval_s: int | None = None


class LogType(StrEnum):
    DIAGNOSTICS = "DiagnosticsLog"
    SECURITY = "SecurityLog"


@dataclass(frozen=True, slots=True)
class GetLog(Command):
    """1.6 GetDiagnostics (a diagnostics log without a request id) or GetLog (security whitepaper) /
    2.0.1 GetLog."""

    location: str
    log_type: LogType = LogType.DIAGNOSTICS
    request_id: int | None = None
    oldest: datetime | None = None
    latest: datetime | None = None
    retries: int | None = None
    retry_interval_s: int | None = None


# -- local authorization list and reservations -----------------------------------------------


@dataclass(frozen=True, slots=True)
class LocalListEntry:
    """An entry of a local list; ``info`` None removes the token (differential update)."""

    id_token: IdToken
    info: IdTokenInfo | None = None


@dataclass(frozen=True, slots=True)
class SendLocalList(Command):
    version: int
    update_type: str  # Differential | Full
    entries: tuple[LocalListEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class GetLocalListVersion(Command):
    pass


@dataclass(frozen=True, slots=True)
class ReserveNow(Command):
    """``evse_id`` None or 0: any EVSE of the station. ``connector_type`` is 2.0.1 only."""

    reservation_id: int
    expires_at: datetime
    id_token: IdToken
    evse_id: int | None = None
    group_id: str | None = None
    connector_type: str | None = None


@dataclass(frozen=True, slots=True)
class CancelReservation(Command):
    reservation_id: int


# -- configuration ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetConfigurations(Command):
    """2.0.1 SetVariables with any number of variables (the core SetConfiguration is one)."""

    items: tuple[SetConfiguration, ...]


# -- results ----------------------------------------------------------------------------------


class CommandResult:
    """Base of every neutral answer to a command."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class StatusResult(CommandResult):
    """An answer that is a status (Accepted, Rejected, Unlocked, ...) and, in 2.0.1, a reason."""

    status: str
    reason_code: str | None = None
    info: str | None = None


@dataclass(frozen=True, slots=True)
class DataTransferResult(CommandResult):
    status: str
    data: Any = None


@dataclass(frozen=True, slots=True)
class ConfigValue:
    """One configuration item of an answer: a 1.6 ``key`` or a 2.0.1 ``variable``, its value, and
    its status (Accepted, Rejected, RebootRequired, UnknownComponent, UnknownVariable, NotSupported,
    NotSupportedAttributeType)."""

    status: str
    key: str | None = None
    variable: VariableRef | None = None
    value: str | None = None
    readonly: bool | None = None


@dataclass(frozen=True, slots=True)
class ConfigurationResult(CommandResult):
    """The answer to GetConfiguration / GetVariables and to ChangeConfiguration / SetVariables."""

    values: tuple[ConfigValue, ...]


@dataclass(frozen=True, slots=True)
class CompositeScheduleResult(CommandResult):
    status: str
    schedule: CompositeSchedule | None = None


@dataclass(frozen=True, slots=True)
class LocalListVersionResult(CommandResult):
    version: int


@dataclass(frozen=True, slots=True)
class LogResult(CommandResult):
    """GetLog / GetDiagnostics: 1.6 GetDiagnostics answers only a file name (none: nothing to upload)."""

    status: str
    filename: str | None = None


@dataclass(frozen=True, slots=True)
class CertificateIdsResult(CommandResult):
    status: str
    certificates: tuple[InstalledCertificate, ...] = ()
