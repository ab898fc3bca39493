"""OCPP 2.0.1 device model, monitoring, customer information and display messages (blocks B, N, O).

Station-to-CSMS: NotifyReport, NotifyMonitoringReport, NotifyCustomerInformation and
NotifyDisplayMessages decode into the neutral requests of :mod:`chargebridge.domain.devicemodel`
and are answered with an empty payload. CSMS-to-station: the neutral commands of that module
encode into GetBaseReport, GetReport, SetVariables, SetNetworkProfile, SetVariableMonitoring,
ClearVariableMonitoring, SetMonitoringBase, SetMonitoringLevel, GetMonitoringReport,
CustomerInformation, SetDisplayMessage, GetDisplayMessages and ClearDisplayMessage.
Stateless routing tables, merged into :mod:`.inbound` and :mod:`.outbound`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from chargebridge.domain import commands as cmd
from chargebridge.domain import devicemodel as dm
from chargebridge.domain.requests import StationRequest
from chargebridge.domain.timeutil import format_datetime, parse_datetime
from chargebridge.rpc.errors import ErrorCode, OcppError

Payload = Mapping[str, Any]

# Actions answered with an empty payload (the neutral Ack).
ACK_ACTIONS = frozenset(
    {"NotifyReport", "NotifyMonitoringReport", "NotifyCustomerInformation", "NotifyDisplayMessages"}
)

# -- inbound ---------------------------------------------------------------------------------


def parse_time(text: Any, field: str) -> datetime:
    """A schema-valid date-time Python cannot hold (a leap second, year 0000) is a property violation."""
    try:
        return parse_datetime(text)
    except (TypeError, ValueError, OverflowError) as exc:
        raise OcppError(ErrorCode.PROPERTY_CONSTRAINT_VIOLATION, f"{field} is not a valid date-time") from exc


INT32_MAX = 2**31 - 1


def int32(value: Any) -> int:
    """An OCPP integer (32-bit); anything larger cannot be stored (ValueError: a property violation)."""
    if not isinstance(value, int) or not -INT32_MAX - 1 <= value <= INT32_MAX:
        raise ValueError(f"{value!r} is not a 32-bit integer")
    return value


def optional_int32(value: Any) -> int | None:
    return None if value is None else int32(value)


def finite(value: Any) -> float:
    """A JSON number as a float; an overflow to infinity is a property violation (ValueError)."""
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{value!r} is not a finite number")
    return number


def optional_finite(value: Any) -> float | None:
    return None if value is None else finite(value)


def component_ref(raw: Payload) -> dm.ComponentRef:
    evse = raw.get("evse") or {}
    return dm.ComponentRef(
        raw["name"], raw.get("instance"), optional_int32(evse.get("id")), optional_int32(evse.get("connectorId"))
    )


def variable_ref(component: Payload, variable: Payload, attribute: str | None = None) -> cmd.VariableRef:
    evse = component.get("evse") or {}
    return cmd.VariableRef(
        component=component["name"],
        variable=variable["name"],
        instance=variable.get("instance"),
        component_instance=component.get("instance"),
        evse_id=optional_int32(evse.get("id")),
        connector_id=optional_int32(evse.get("connectorId")),
        attribute=attribute,
    )


def _attribute(raw: Payload) -> dm.VariableAttribute:
    return dm.VariableAttribute(
        type=raw.get("type", "Actual"),
        value=raw.get("value"),
        mutability=raw.get("mutability"),
        persistent=raw.get("persistent"),
        constant=raw.get("constant"),
    )


def _characteristics(raw: Payload | None) -> dm.VariableCharacteristics | None:
    if raw is None:
        return None
    return dm.VariableCharacteristics(
        data_type=raw["dataType"],
        supports_monitoring=raw["supportsMonitoring"],
        unit=raw.get("unit"),
        min_limit=optional_finite(raw.get("minLimit")),
        max_limit=optional_finite(raw.get("maxLimit")),
        values_list=raw.get("valuesList"),
    )


def decode_notify_report(payload: Payload, notes: list[str]) -> StationRequest:
    variables = tuple(
        dm.ReportedVariable(
            ref=variable_ref(item["component"], item["variable"]),
            attributes=tuple(_attribute(raw) for raw in item["variableAttribute"]),
            characteristics=_characteristics(item.get("variableCharacteristics")),
        )
        for item in payload.get("reportData", ())
    )
    return dm.NotifyReportRequest(
        request_id=int32(payload["requestId"]),
        generated_at=parse_time(payload["generatedAt"], "generatedAt"),
        seq_no=int32(payload["seqNo"]),
        tbc=payload.get("tbc", False),
        variables=variables,
    )


def decode_notify_monitoring_report(payload: Payload, notes: list[str]) -> StationRequest:
    monitors = tuple(
        dm.Monitor(
            ref=variable_ref(item["component"], item["variable"]),
            type=raw["type"],
            value=finite(raw["value"]),
            severity=int32(raw["severity"]),
            transaction=raw["transaction"],
            id=int32(raw["id"]),
        )
        for item in payload.get("monitor", ())
        for raw in item["variableMonitoring"]
    )
    return dm.NotifyMonitoringReportRequest(
        request_id=int32(payload["requestId"]),
        generated_at=parse_time(payload["generatedAt"], "generatedAt"),
        seq_no=int32(payload["seqNo"]),
        tbc=payload.get("tbc", False),
        monitors=monitors,
    )


def decode_notify_customer_information(payload: Payload, notes: list[str]) -> StationRequest:
    return dm.NotifyCustomerInformationRequest(
        request_id=int32(payload["requestId"]),
        generated_at=parse_time(payload["generatedAt"], "generatedAt"),
        seq_no=int32(payload["seqNo"]),
        tbc=payload.get("tbc", False),
        data=payload["data"],
    )


def decode_message_info(raw: Payload, field: str = "messageInfo") -> dm.DisplayMessage:
    message = raw["message"]
    display = raw.get("display")
    start, end = raw.get("startDateTime"), raw.get("endDateTime")
    return dm.DisplayMessage(
        id=int32(raw["id"]),
        priority=raw["priority"],
        content=message["content"],
        format=message["format"],
        language=message.get("language"),
        state=raw.get("state"),
        start_at=parse_time(start, f"{field}.startDateTime") if start is not None else None,
        end_at=parse_time(end, f"{field}.endDateTime") if end is not None else None,
        transaction_id=raw.get("transactionId"),
        display=component_ref(display) if display is not None else None,
    )


def decode_notify_display_messages(payload: Payload, notes: list[str]) -> StationRequest:
    return dm.NotifyDisplayMessagesRequest(
        request_id=int32(payload["requestId"]),
        tbc=payload.get("tbc", False),
        messages=tuple(decode_message_info(raw) for raw in payload.get("messageInfo", ())),
    )


DECODERS: Mapping[str, Callable[[Payload, list[str]], StationRequest]] = MappingProxyType(
    {
        "NotifyReport": decode_notify_report,
        "NotifyMonitoringReport": decode_notify_monitoring_report,
        "NotifyCustomerInformation": decode_notify_customer_information,
        "NotifyDisplayMessages": decode_notify_display_messages,
    }
)

# -- commands --------------------------------------------------------------------------------


def encode_component(component: dm.ComponentRef) -> dict[str, Any]:
    out: dict[str, Any] = {"name": component.name}
    if component.instance is not None:
        out["instance"] = component.instance
    if component.evse_id is not None:
        evse: dict[str, Any] = {"id": component.evse_id}
        if component.connector_id is not None:
            evse["connectorId"] = component.connector_id
        out["evse"] = evse
    return out


def encode_variable(name: str, instance: str | None) -> dict[str, Any]:
    return {"name": name, "instance": instance} if instance is not None else {"name": name}


def encode_address(ref: cmd.VariableRef) -> dict[str, Any]:
    """component + variable (+ attributeType) of one variable."""
    out: dict[str, Any] = {
        "component": encode_component(dm.component_of(ref)),
        "variable": encode_variable(ref.variable, ref.instance),
    }
    if ref.attribute is not None:
        out["attributeType"] = ref.attribute
    return out


def _component_variables(selectors: tuple[dm.ComponentVariable, ...]) -> list[dict[str, Any]]:
    out = []
    for selector in selectors:
        item: dict[str, Any] = {"component": encode_component(selector.component)}
        if selector.variable is not None:
            item["variable"] = encode_variable(selector.variable, selector.variable_instance)
        out.append(item)
    return out


def _get_report(command: dm.GetReport) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"requestId": command.request_id}
    if command.component_variables:
        payload["componentVariable"] = _component_variables(command.component_variables)
    if command.criteria:
        payload["componentCriteria"] = list(command.criteria)
    return "GetReport", payload


def _set_variables(command: dm.SetVariables) -> tuple[str, dict[str, Any]]:
    if not command.items:
        raise cmd.CommandNotSupported("SetVariables needs at least one variable")
    data = []
    for item in command.items:
        if item.ref.component == dm.NO_COMPONENT:
            raise cmd.CommandNotSupported(f"2.0.1 needs a component for variable {item.ref.variable[:50]!r}")
        data.append({"attributeValue": item.value, **encode_address(item.ref)})
    return "SetVariables", {"setVariableData": data}


def _apn(apn: dm.Apn) -> dict[str, Any]:
    out: dict[str, Any] = {"apn": apn.apn, "apnAuthentication": apn.authentication}
    optional = {
        "apnUserName": apn.user_name,
        "apnPassword": apn.password,
        "simPin": apn.sim_pin,
        "preferredNetwork": apn.preferred_network,
        "useOnlyPreferredNetwork": apn.use_only_preferred_network,
    }
    out.update({key: value for key, value in optional.items() if value is not None})
    return out


def _vpn(vpn: dm.Vpn) -> dict[str, Any]:
    out: dict[str, Any] = {
        "server": vpn.server,
        "user": vpn.user,
        "password": vpn.password,
        "key": vpn.key,
        "type": vpn.type,
    }
    if vpn.group is not None:
        out["group"] = vpn.group
    return out


def _set_network_profile(command: dm.SetNetworkProfile) -> tuple[str, dict[str, Any]]:
    profile = command.profile
    data: dict[str, Any] = {
        "ocppVersion": profile.ocpp_version,
        "ocppTransport": profile.ocpp_transport,
        "ocppCsmsUrl": profile.csms_url,
        "messageTimeout": profile.message_timeout_s,
        "securityProfile": profile.security_profile,
        "ocppInterface": profile.ocpp_interface,
    }
    if profile.apn is not None:
        data["apn"] = _apn(profile.apn)
    if profile.vpn is not None:
        data["vpn"] = _vpn(profile.vpn)
    return "SetNetworkProfile", {"configurationSlot": command.configuration_slot, "connectionData": data}


def encode_monitor(monitor: dm.Monitor) -> dict[str, Any]:
    out: dict[str, Any] = {
        "value": monitor.value,
        "type": monitor.type,
        "severity": monitor.severity,
        "transaction": monitor.transaction,
        **encode_address(monitor.ref),
    }
    out.pop("attributeType", None)
    if monitor.id is not None:
        out["id"] = monitor.id
    return out


def _set_variable_monitoring(command: dm.SetVariableMonitoring) -> tuple[str, dict[str, Any]]:
    if not command.monitors:
        raise cmd.CommandNotSupported("SetVariableMonitoring needs at least one monitor")
    return "SetVariableMonitoring", {"setMonitoringData": [encode_monitor(m) for m in command.monitors]}


def _clear_variable_monitoring(command: dm.ClearVariableMonitoring) -> tuple[str, dict[str, Any]]:
    if not command.ids:
        raise cmd.CommandNotSupported("ClearVariableMonitoring needs at least one monitor id")
    return "ClearVariableMonitoring", {"id": list(command.ids)}


def _get_monitoring_report(command: dm.GetMonitoringReport) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"requestId": command.request_id}
    if command.component_variables:
        payload["componentVariable"] = _component_variables(command.component_variables)
    if command.criteria:
        payload["monitoringCriteria"] = list(command.criteria)
    return "GetMonitoringReport", payload


def _customer_information(command: dm.CustomerInformation) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"requestId": command.request_id, "report": command.report, "clear": command.clear}
    if command.customer_identifier is not None:
        payload["customerIdentifier"] = command.customer_identifier
    if command.id_token is not None:
        payload["idToken"] = {"idToken": command.id_token.value, "type": command.id_token.type or "Central"}
    if command.certificate is not None:
        payload["customerCertificate"] = command.certificate.to_json()
    return "CustomerInformation", payload


def encode_message_info(message: dm.DisplayMessage) -> dict[str, Any]:
    content: dict[str, Any] = {"format": message.format, "content": message.content}
    if message.language is not None:
        content["language"] = message.language
    out: dict[str, Any] = {"id": message.id, "priority": message.priority, "message": content}
    if message.state is not None:
        out["state"] = message.state
    if message.start_at is not None:
        out["startDateTime"] = format_datetime(message.start_at)
    if message.end_at is not None:
        out["endDateTime"] = format_datetime(message.end_at)
    if message.transaction_id is not None:
        out["transactionId"] = message.transaction_id
    if message.display is not None:
        out["display"] = encode_component(message.display)
    return out


def _get_display_messages(command: dm.GetDisplayMessages) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {"requestId": command.request_id}
    if command.ids:
        payload["id"] = list(command.ids)
    if command.priority is not None:
        payload["priority"] = command.priority
    if command.state is not None:
        payload["state"] = command.state
    return "GetDisplayMessages", payload


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {
        dm.GetBaseReport: lambda c: ("GetBaseReport", {"requestId": c.request_id, "reportBase": c.report_base}),
        dm.GetReport: _get_report,
        dm.SetVariables: _set_variables,
        dm.SetNetworkProfile: _set_network_profile,
        dm.SetVariableMonitoring: _set_variable_monitoring,
        dm.ClearVariableMonitoring: _clear_variable_monitoring,
        dm.SetMonitoringBase: lambda c: ("SetMonitoringBase", {"monitoringBase": c.base}),
        dm.SetMonitoringLevel: lambda c: ("SetMonitoringLevel", {"severity": c.severity}),
        dm.GetMonitoringReport: _get_monitoring_report,
        dm.CustomerInformation: _customer_information,
        dm.SetDisplayMessage: lambda c: ("SetDisplayMessage", {"message": encode_message_info(c.message)}),
        dm.GetDisplayMessages: _get_display_messages,
        dm.ClearDisplayMessage: lambda c: ("ClearDisplayMessage", {"id": c.id}),
    }
)

# -- outcomes --------------------------------------------------------------------------------


def _first_not_accepted(results: Any, field: str) -> str:
    for result in results or ():
        status = result.get(field, "Accepted")
        if status != "Accepted":
            return str(status)
    return "Accepted"


OUTCOME_DECODERS: Mapping[str, Callable[[dict[str, Any]], cmd.CommandOutcome]] = MappingProxyType(
    {
        "SetVariableMonitoring": lambda p: cmd.CommandOutcome(
            _first_not_accepted(p.get("setMonitoringResult"), "status"), p
        ),
        "ClearVariableMonitoring": lambda p: cmd.CommandOutcome(
            _first_not_accepted(p.get("clearMonitoringResult"), "status"), p
        ),
    }
)
