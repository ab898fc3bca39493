"""A simulated 2.0.1 device model: what the station knows about itself beyond its configuration
keys (message limits, monitors, display messages, customer data, network profiles), and the
catalogue of components and variables it reports (pure: no I/O, no commands).

The catalogue is built from the station's state each time it is asked, so reported values are
current: the configuration keys that have a 2.0.1 address (``ConfigKey.component``), the
DeviceDataCtrlr / MonitoringCtrlr message limits, the display message controller, the security
controller, and one EVSE and Connector component per connector.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chargebridge.sim.state import StationState

DEVICE_DATA = "DeviceDataCtrlr"
MONITORING = "MonitoringCtrlr"
DISPLAY = "DisplayMessageCtrlr"


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class SimMonitor:
    id: int
    component: dict[str, Any]
    variable: dict[str, Any]
    type: str
    value: float
    severity: int
    transaction: bool = False
    preconfigured: bool = False


@dataclass(slots=True)
class DeviceModelState:
    """The station's device model settings (tests and the CLI may change them)."""

    # DeviceDataCtrlr ItemsPerMessage / BytesPerMessage (GetVariables, SetVariables, GetReport);
    # for a 1.6 station ``items_per_message`` is its GetConfigurationMaxKeys.
    items_per_message: int = 16
    bytes_per_message: int = 16_384
    # MonitoringCtrlr ItemsPerMessage / BytesPerMessage (SetVariableMonitoring, ClearVariableMonitoring).
    monitoring_items_per_message: int = 8
    monitoring_bytes_per_message: int = 8_192
    # How many reportData / monitors / messages one Notify* part carries, and whether the parts
    # are sent in reverse order (to exercise reassembly at the CSMS).
    items_per_part: int = 8
    reverse_parts: bool = False
    monitors: dict[int, SimMonitor] = field(default_factory=dict)
    next_monitor_id: int = 1
    monitoring_base: str = "All"
    monitoring_level: int = 9
    display_slots: int = 10
    display_messages: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Customer data by customer identifier or id token value; cleared by CustomerInformation.
    customers: dict[str, str] = field(default_factory=dict)
    network_profiles: dict[int, dict[str, Any]] = field(default_factory=dict)
    # Values of controller variables that are not configuration keys (e.g. MonitoringCtrlr.Enabled).
    values: dict[tuple[str, str], str] = field(default_factory=dict)
    security_profile: int = 0
    # The station's clock for generatedAt (the simulator sets its simulated clock).
    clock: Callable[[], datetime] = _now


@dataclass(frozen=True, slots=True)
class SimVariable:
    """One reportable variable: its address, attributes and characteristics, and the
    configuration key behind it (None: a controller value of :class:`DeviceModelState`)."""

    component: dict[str, Any]
    variable: dict[str, Any]
    value: str | None
    mutability: str
    data_type: str
    supports_monitoring: bool = False
    unit: str | None = None
    max_limit: float | None = None
    values_list: str | None = None
    config_key: str | None = None

    def report_data(self) -> dict[str, Any]:
        attribute: dict[str, Any] = {"type": "Actual", "mutability": self.mutability}
        if self.value is not None and self.mutability != "WriteOnly":
            attribute["value"] = self.value
        characteristics: dict[str, Any] = {"dataType": self.data_type, "supportsMonitoring": self.supports_monitoring}
        if self.unit is not None:
            characteristics["unit"] = self.unit
        if self.max_limit is not None:
            characteristics["maxLimit"] = self.max_limit
        if self.values_list is not None:
            characteristics["valuesList"] = self.values_list
        return {
            "component": self.component,
            "variable": self.variable,
            "variableAttribute": [attribute],
            "variableCharacteristics": characteristics,
        }

    def key(self) -> tuple[str, str | None, int | None, int | None, str, str | None]:
        return address_key(self.component, self.variable)


def address_key(
    component: dict[str, Any], variable: dict[str, Any]
) -> tuple[str, str | None, int | None, int | None, str, str | None]:
    evse = component.get("evse") or {}
    return (
        component["name"],
        component.get("instance"),
        evse.get("id"),
        evse.get("connectorId"),
        variable["name"],
        variable.get("instance"),
    )


def _limits(component: str, instances: Iterable[str], items: int, size: int) -> list[SimVariable]:
    out = []
    for instance in instances:
        for name, value in (("ItemsPerMessage", items), ("BytesPerMessage", size)):
            out.append(
                SimVariable(
                    {"name": component}, {"name": name, "instance": instance}, str(value), "ReadOnly", "integer"
                )
            )
    return out


_DATA_TYPES = {"int": "integer", "bool": "boolean", "text": "MemberList"}


def catalogue(state: StationState) -> list[SimVariable]:
    """Every variable the station reports, in a stable order."""
    model = state.device_model
    out: list[SimVariable] = []
    for key, value in state.config.items():
        if key.component is None:
            continue
        variable = {"name": key.variable} | ({"instance": key.instance} if key.instance else {})
        mutability = "ReadOnly" if key.readonly else "ReadWrite"
        out.append(
            SimVariable(
                {"name": key.component}, variable, value, mutability, _DATA_TYPES[key.kind], config_key=key.name
            )
        )
    out += _limits(
        DEVICE_DATA, ("GetReport", "GetVariables", "SetVariables"), model.items_per_message, model.bytes_per_message
    )
    out += _limits(
        MONITORING,
        ("ClearVariableMonitoring", "SetVariableMonitoring"),
        model.monitoring_items_per_message,
        model.monitoring_bytes_per_message,
    )
    out += [
        SimVariable(
            {"name": MONITORING},
            {"name": "Enabled"},
            model.values.get((MONITORING, "Enabled"), "true"),
            "ReadWrite",
            "boolean",
        ),
        SimVariable(
            {"name": MONITORING}, {"name": "ActiveMonitoringBase"}, model.monitoring_base, "ReadOnly", "OptionList"
        ),
        SimVariable(
            {"name": MONITORING}, {"name": "ActiveMonitoringLevel"}, str(model.monitoring_level), "ReadOnly", "integer"
        ),
        SimVariable(
            {"name": DISPLAY},
            {"name": "Enabled"},
            model.values.get((DISPLAY, "Enabled"), "true"),
            "ReadWrite",
            "boolean",
        ),
        SimVariable({"name": DISPLAY}, {"name": "DisplayMessages"}, str(model.display_slots), "ReadOnly", "integer"),
        SimVariable({"name": DISPLAY}, {"name": "SupportedFormats"}, "ASCII,HTML,URI,UTF8", "ReadOnly", "MemberList"),
        SimVariable(
            {"name": DISPLAY},
            {"name": "SupportedPriorities"},
            "AlwaysFront,InFront,NormalCycle",
            "ReadOnly",
            "MemberList",
        ),
        SimVariable({"name": "SecurityCtrlr"}, {"name": "BasicAuthPassword"}, None, "WriteOnly", "string"),
        SimVariable(
            {"name": "SecurityCtrlr"}, {"name": "SecurityProfile"}, str(model.security_profile), "ReadOnly", "integer"
        ),
        SimVariable(
            {"name": "OCPPCommCtrlr"},
            {"name": "NetworkConfigurationPriority"},
            model.values.get(("OCPPCommCtrlr", "NetworkConfigurationPriority"), "0"),
            "ReadWrite",
            "SequenceList",
        ),
        SimVariable({"name": "ChargingStation"}, {"name": "Available"}, "true", "ReadOnly", "boolean"),
    ]
    for connector in state.connectors.values():
        evse = {"name": "EVSE", "evse": {"id": connector.connector_id}}
        plug = {"name": "Connector", "evse": {"id": connector.connector_id, "connectorId": 1}}
        availability = "Unavailable" if not connector.operative else ("Occupied" if connector.session else "Available")
        out += [
            SimVariable(evse, {"name": "AvailabilityState"}, availability, "ReadOnly", "OptionList"),
            SimVariable(evse, {"name": "Available"}, "true" if connector.operative else "false", "ReadOnly", "boolean"),
            SimVariable(
                evse,
                {"name": "Power"},
                str(round(connector.session.power_w if connector.session else 0.0, 1)),
                "ReadOnly",
                "decimal",
                supports_monitoring=True,
                unit="W",
                max_limit=connector.spec.max_power_w,
            ),
            SimVariable(plug, {"name": "AvailabilityState"}, availability, "ReadOnly", "OptionList"),
            SimVariable(plug, {"name": "ConnectorType"}, "cType2", "ReadOnly", "string"),
        ]
    return out


def find(state: StationState, component: dict[str, Any], variable: dict[str, Any]) -> SimVariable | None:
    wanted = address_key(component, variable)
    return next((item for item in catalogue(state) if item.key() == wanted), None)


def knows_component(state: StationState, component: dict[str, Any]) -> bool:
    evse = component.get("evse") or {}
    wanted = (component["name"], component.get("instance"), evse.get("id"), evse.get("connectorId"))
    return any(item.key()[:4] == wanted for item in catalogue(state))
