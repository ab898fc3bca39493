"""What only the translating gateway needs on top of the neutral model.

The commands it forwards are the neutral commands of the core and of the capability packages
(``domain/commands.py``, ``charging.py``, ``authorization.py``, ``devicemodel.py``,
``firmware.py``); this module adds two things they have no use for:

- :class:`Untranslatable`: a message (or one of its values) has no form in the other version.
- **Command results**: a station's answer to a command, version-neutral and typed. The core's
  :class:`~chargebridge.domain.commands.CommandOutcome` keeps the station's raw payload, which is
  all the REST API needs; translating an answer into the other version needs its meaning. The
  CSMS side of each adapter (``csms_side.decode_result``) reads them from the adapter's own
  outcome, the station side (``station_side.encode_result``) writes them in its version.

Statuses in results use the union of both versions' words (2.0.1 spelling where both exist);
each adapter maps them onto its own vocabulary when it encodes an answer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chargebridge.domain.charging import CompositeSchedule
from chargebridge.domain.commands import InstalledCertificate, VariableRef


class Untranslatable(ValueError):
    """A message (or one of its values) has no form in the target OCPP version."""


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
