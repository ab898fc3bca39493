"""Device model, monitoring, customer information and display messages, version-neutral
(OCPP 2.0.1 functional blocks B, N and O; 1.6 configuration keys where 1.6 has an equivalent).

A variable is addressed by a :class:`~chargebridge.domain.commands.VariableRef`. A 1.6
configuration key is a variable with the empty component name :data:`NO_COMPONENT` (1.6 keys
belong to no component), so one model holds both versions' settings.

Reports arrive in parts: every ``Notify*`` request names the ``request_id`` of the CSMS request
it answers, its part number ``seq_no`` and whether more parts follow (``tbc``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chargebridge.domain.commands import CertificateHashData, Command, VariableRef
from chargebridge.domain.model import IdToken
from chargebridge.domain.requests import StationRequest

# The component of a 1.6 configuration key.
NO_COMPONENT = ""

# ReportBaseEnumType
REPORT_BASES = ("ConfigurationInventory", "FullInventory", "SummaryInventory")
# ComponentCriterionEnumType
COMPONENT_CRITERIA = ("Active", "Available", "Enabled", "Problem")
# AttributeEnumType
ATTRIBUTE_TYPES = ("Actual", "Target", "MinSet", "MaxSet")
# MutabilityEnumType
MUTABILITIES = ("ReadOnly", "WriteOnly", "ReadWrite")
# MonitorEnumType, MonitoringCriterionEnumType, MonitoringBaseEnumType
MONITOR_TYPES = ("UpperThreshold", "LowerThreshold", "Delta", "Periodic", "PeriodicClockAligned")
MONITORING_CRITERIA = ("ThresholdMonitoring", "DeltaMonitoring", "PeriodicMonitoring")
MONITORING_BASES = ("All", "FactoryDefault", "HardWiredOnly")
# Monitor severities 0 (Danger) .. 9 (Debug); events of monitors at or below this level are faults, others alerts.
FAULT_SEVERITY = 4  # 0 Danger, 1 HardwareFailure, 2 SystemFailure, 3 Critical, 4 Error
# MessagePriorityEnumType, MessageStateEnumType, MessageFormatEnumType
MESSAGE_PRIORITIES = ("AlwaysFront", "InFront", "NormalCycle")
MESSAGE_STATES = ("Charging", "Faulted", "Idle", "Unavailable")
MESSAGE_FORMATS = ("ASCII", "HTML", "URI", "UTF8")


@dataclass(frozen=True, slots=True)
class ComponentRef:
    """A 2.0.1 ComponentType: name, instance and the EVSE/connector it belongs to."""

    name: str
    instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None


@dataclass(frozen=True, slots=True)
class ComponentVariable:
    """A report selector (ComponentVariableType): a component, and optionally one of its variables."""

    component: ComponentRef
    variable: str | None = None
    variable_instance: str | None = None


def component_of(ref: VariableRef) -> ComponentRef:
    return ComponentRef(ref.component, ref.component_instance, ref.evse_id, ref.connector_id)


# -- what stations report ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VariableAttribute:
    """One attribute of a reported variable. ``None`` fields were not sent (the spec defaults
    are type Actual, mutability ReadWrite, persistent and constant false)."""

    type: str = "Actual"
    value: str | None = None
    mutability: str | None = None
    persistent: bool | None = None
    constant: bool | None = None


@dataclass(frozen=True, slots=True)
class VariableCharacteristics:
    data_type: str
    supports_monitoring: bool
    unit: str | None = None
    min_limit: float | None = None
    max_limit: float | None = None
    values_list: str | None = None


@dataclass(frozen=True, slots=True)
class ReportedVariable:
    ref: VariableRef
    attributes: tuple[VariableAttribute, ...]
    characteristics: VariableCharacteristics | None = None


@dataclass(frozen=True, slots=True)
class NotifyReportRequest(StationRequest):
    """2.0.1 NotifyReport: one part of the answer to GetBaseReport / GetReport."""

    request_id: int
    generated_at: datetime
    seq_no: int
    tbc: bool
    variables: tuple[ReportedVariable, ...]


@dataclass(frozen=True, slots=True)
class Monitor:
    """A variable monitor (SetMonitoringDataType / VariableMonitoringType). ``id`` is the
    station's; None asks the station for a new monitor."""

    ref: VariableRef
    type: str
    value: float
    severity: int
    transaction: bool = False
    id: int | None = None


@dataclass(frozen=True, slots=True)
class NotifyMonitoringReportRequest(StationRequest):
    request_id: int
    generated_at: datetime
    seq_no: int
    tbc: bool
    monitors: tuple[Monitor, ...]


@dataclass(frozen=True, slots=True)
class NotifyCustomerInformationRequest(StationRequest):
    """One part of the customer data a station holds (``data`` at most 512 characters a part)."""

    request_id: int
    generated_at: datetime
    seq_no: int
    tbc: bool
    data: str


@dataclass(frozen=True, slots=True)
class DisplayMessage:
    """A 2.0.1 MessageInfoType."""

    id: int
    priority: str
    content: str
    format: str = "UTF8"
    language: str | None = None
    state: str | None = None
    start_at: datetime | None = None
    end_at: datetime | None = None
    transaction_id: str | None = None
    display: ComponentRef | None = None


@dataclass(frozen=True, slots=True)
class NotifyDisplayMessagesRequest(StationRequest):
    """One part of the answer to GetDisplayMessages (2.0.1 numbers no parts: they come in order)."""

    request_id: int
    tbc: bool
    messages: tuple[DisplayMessage, ...]


# -- what the CSMS asks ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GetBaseReport(Command):
    """2.0.1 GetBaseReport; 1.6 GetConfiguration of every key (answered at once, no parts)."""

    request_id: int
    report_base: str = "FullInventory"


@dataclass(frozen=True, slots=True)
class GetReport(Command):
    """2.0.1 GetReport; 1.6 GetConfiguration of the keys named as variables of :data:`NO_COMPONENT`."""

    request_id: int
    component_variables: tuple[ComponentVariable, ...] = ()
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VariableValue:
    ref: VariableRef
    value: str


@dataclass(frozen=True, slots=True)
class SetVariables(Command):
    """2.0.1 SetVariables; 1.6 ChangeConfiguration (one key per message: several are sent one by one)."""

    items: tuple[VariableValue, ...]


@dataclass(frozen=True, slots=True)
class Apn:
    apn: str
    authentication: str
    user_name: str | None = None
    password: str | None = None
    sim_pin: int | None = None
    preferred_network: str | None = None
    use_only_preferred_network: bool | None = None


@dataclass(frozen=True, slots=True)
class Vpn:
    server: str
    user: str
    password: str
    key: str
    type: str
    group: str | None = None


@dataclass(frozen=True, slots=True)
class NetworkProfile:
    """A 2.0.1 NetworkConnectionProfileType."""

    csms_url: str
    security_profile: int
    ocpp_interface: str
    message_timeout_s: int
    ocpp_version: str = "OCPP20"
    ocpp_transport: str = "JSON"
    apn: Apn | None = None
    vpn: Vpn | None = None


@dataclass(frozen=True, slots=True)
class SetNetworkProfile(Command):
    configuration_slot: int
    profile: NetworkProfile


@dataclass(frozen=True, slots=True)
class SetVariableMonitoring(Command):
    monitors: tuple[Monitor, ...]


@dataclass(frozen=True, slots=True)
class ClearVariableMonitoring(Command):
    ids: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class SetMonitoringBase(Command):
    base: str


@dataclass(frozen=True, slots=True)
class SetMonitoringLevel(Command):
    severity: int


@dataclass(frozen=True, slots=True)
class GetMonitoringReport(Command):
    request_id: int
    criteria: tuple[str, ...] = ()
    component_variables: tuple[ComponentVariable, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomerInformation(Command):
    """Report and/or clear what a station holds about one customer, named by exactly one of
    ``customer_identifier``, ``id_token`` or ``certificate``."""

    request_id: int
    report: bool
    clear: bool
    customer_identifier: str | None = None
    id_token: IdToken | None = None
    certificate: CertificateHashData | None = None


@dataclass(frozen=True, slots=True)
class SetDisplayMessage(Command):
    message: DisplayMessage


@dataclass(frozen=True, slots=True)
class GetDisplayMessages(Command):
    request_id: int
    ids: tuple[int, ...] = ()
    priority: str | None = None
    state: str | None = None


@dataclass(frozen=True, slots=True)
class ClearDisplayMessage(Command):
    id: int
