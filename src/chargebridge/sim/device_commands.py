"""The simulated station's answers to the device model, monitoring, customer information and
display message requests (2.0.1 blocks B, N, O), and its message limits on both versions.

Reports go out after the answer as numbered Notify* parts (``seqNo``, ``tbc``) of
``DeviceModelState.items_per_part`` items each, in reverse order when ``reverse_parts`` is set.
GetVariables / SetVariables / GetReport with more items than the station's ItemsPerMessage are
refused with the CALLERROR OccurrenceConstraintViolation (2.0.1 B06.FR.16), a larger message
than its BytesPerMessage with FormatViolation; a 1.6 GetConfiguration with more keys than
GetConfigurationMaxKeys alike. Pure: payload and state in, answer out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chargebridge.domain.timeutil import format_datetime
from chargebridge.rpc import ErrorCode, OcppError
from chargebridge.rpc.frames import encode_call
from chargebridge.sim import commands
from chargebridge.sim.commands import Answer, Handler, SendMessages
from chargebridge.sim.device_state import (
    SimMonitor,
    SimVariable,
    address_key,
    catalogue,
    find,
    knows_component,
)
from chargebridge.sim.state import StationState

MAX_KEYS_16 = "GetConfigurationMaxKeys"
CUSTOMER_DATA_PART = 512  # NotifyCustomerInformation.data is at most 512 characters
THRESHOLD = frozenset({"UpperThreshold", "LowerThreshold"})
_CRITERIA = {
    "ThresholdMonitoring": THRESHOLD,
    "DeltaMonitoring": frozenset({"Delta"}),
    "PeriodicMonitoring": frozenset({"Periodic", "PeriodicClockAligned"}),
}


def frame_bytes(action: str, payload: dict[str, Any]) -> int:
    """The CALL frame's size in bytes (with a message id of the longest length, 36)."""
    return len(encode_call("x" * 36, action, payload).encode())


def check_limits(action: str, payload: dict[str, Any], field: str, items: int, size: int) -> None:
    if len(payload[field]) > items:
        raise OcppError(ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, f"{action} takes at most {items} items")
    if frame_bytes(action, payload) > size:
        raise OcppError(ErrorCode.FORMAT_VIOLATION, f"{action} messages are at most {size} bytes")


def parts(action: str, request_id: int, field: str, items: list[dict[str, Any]], state: StationState) -> SendMessages:
    """A report in numbered parts (NotifyDisplayMessages has no seqNo or generatedAt)."""
    model = state.device_model
    size = max(1, model.items_per_part)
    chunks = [items[i : i + size] for i in range(0, len(items), size)] or [[]]
    numbered = action != "NotifyDisplayMessages"
    messages = []
    for seq_no, chunk in enumerate(chunks):
        payload: dict[str, Any] = {"requestId": request_id, "tbc": seq_no < len(chunks) - 1}
        if numbered:
            payload |= {"seqNo": seq_no, "generatedAt": format_datetime(model.clock())}
        if chunk:
            payload[field] = chunk
        messages.append((action, payload))
    if model.reverse_parts:
        messages.reverse()
    return SendMessages(tuple(messages))


# -- variables (wrapping the configuration-key handlers) ------------------------------------------


def _controller_read(state: StationState, item: dict[str, Any]) -> dict[str, Any] | None:
    """The result for a variable that is no configuration key (None: leave the key handler's)."""
    variable = find(state, item["component"], item["variable"])
    if variable is None or variable.config_key is not None:
        return None
    result: dict[str, Any] = {"component": item["component"], "variable": item["variable"]}
    if item.get("attributeType", "Actual") != "Actual":
        result["attributeStatus"] = "NotSupportedAttributeType"
    elif variable.mutability == "WriteOnly" or variable.value is None:
        result["attributeStatus"] = "Rejected"
    else:
        result |= {"attributeStatus": "Accepted", "attributeValue": variable.value}
    return result


def get_variables(base: Handler) -> Handler:
    def handler(payload: dict[str, Any], state: StationState) -> Answer:
        model = state.device_model
        check_limits("GetVariables", payload, "getVariableData", model.items_per_message, model.bytes_per_message)
        answer = base(payload, state)
        results = []
        for item, result in zip(payload["getVariableData"], answer.payload["getVariableResult"], strict=True):
            if result["attributeStatus"] in ("UnknownComponent", "UnknownVariable"):
                result = _controller_read(state, item) or _unknown(state, item)
            results.append(result)
        return Answer({"getVariableResult": results}, answer.intents)

    return handler


def _unknown(state: StationState, item: dict[str, Any]) -> dict[str, Any]:
    status = "UnknownVariable" if knows_component(state, item["component"]) else "UnknownComponent"
    return {"component": item["component"], "variable": item["variable"], "attributeStatus": status}


def _controller_write(state: StationState, item: dict[str, Any]) -> dict[str, Any] | None:
    variable = find(state, item["component"], item["variable"])
    if variable is None or variable.config_key is not None:
        return None
    result: dict[str, Any] = {"component": item["component"], "variable": item["variable"]}
    value = item["attributeValue"].strip().lower()
    if variable.mutability != "ReadWrite" or (variable.data_type == "boolean" and value not in ("true", "false")):
        result["attributeStatus"] = "Rejected"
    else:
        state.device_model.values[(item["component"]["name"], item["variable"]["name"])] = value
        result["attributeStatus"] = "Accepted"
    return result


def set_variables(base: Handler) -> Handler:
    def handler(payload: dict[str, Any], state: StationState) -> Answer:
        model = state.device_model
        check_limits("SetVariables", payload, "setVariableData", model.items_per_message, model.bytes_per_message)
        answer = base(payload, state)
        results = []
        for item, result in zip(payload["setVariableData"], answer.payload["setVariableResult"], strict=True):
            if result["attributeStatus"] in ("UnknownComponent", "UnknownVariable"):
                result = _controller_write(state, item) or _unknown(state, item)
            results.append(result)
        return Answer({"setVariableResult": results}, answer.intents)

    return handler


def get_configuration_16(base: Handler) -> Handler:
    """1.6 GetConfiguration within GetConfigurationMaxKeys (= the device model's items per message)."""

    def handler(payload: dict[str, Any], state: StationState) -> Answer:
        limit = state.device_model.items_per_message
        wanted = payload.get("key") or []
        if len(wanted) > limit:
            raise OcppError(ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, f"GetConfiguration takes at most {limit} keys")
        answer = base(payload, state)
        if wanted and MAX_KEYS_16 not in wanted:
            return answer
        result = dict(answer.payload)
        result["configurationKey"] = [
            *result.get("configurationKey", ()),
            {"key": MAX_KEYS_16, "readonly": True, "value": str(limit)},
        ]
        unknown = [key for key in result.get("unknownKey", ()) if key != MAX_KEYS_16]
        result.pop("unknownKey", None)
        if unknown:
            result["unknownKey"] = unknown
        return Answer(result, answer.intents)

    return handler


# -- reports ------------------------------------------------------------------------------------


def _get_base_report(payload: dict[str, Any], state: StationState) -> Answer:
    variables = catalogue(state)
    base = payload["reportBase"]
    if base == "ConfigurationInventory":
        variables = [v for v in variables if v.mutability != "ReadOnly"]
    elif base == "SummaryInventory":
        variables = [v for v in variables if v.variable["name"] in ("AvailabilityState", "Available", "Problem")]
    if not variables:
        return Answer({"status": "EmptyResultSet"})
    items = [v.report_data() for v in variables]
    return Answer({"status": "Accepted"}, (parts("NotifyReport", payload["requestId"], "reportData", items, state),))


def _matches(selector: dict[str, Any], component: dict[str, Any], variable: dict[str, Any]) -> bool:
    wanted, have = selector["component"], component
    if wanted["name"] != have["name"]:
        return False
    if "instance" in wanted and wanted.get("instance") != have.get("instance"):
        return False
    wanted_evse, have_evse = wanted.get("evse"), have.get("evse") or {}
    if wanted_evse is not None:
        if wanted_evse["id"] != have_evse.get("id"):
            return False
        if "connectorId" in wanted_evse and wanted_evse["connectorId"] != have_evse.get("connectorId"):
            return False
    selected = selector.get("variable")
    if selected is None:
        return True
    return bool(selected["name"] == variable["name"] and selected.get("instance") == variable.get("instance"))


def _component_key(component: dict[str, Any]) -> tuple[Any, ...]:
    return address_key(component, {"name": ""})[:4]


def _get_report(payload: dict[str, Any], state: StationState) -> Answer:
    model = state.device_model
    selectors = payload.get("componentVariable") or []
    if len(selectors) > model.items_per_message:
        raise OcppError(ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION, f"GetReport takes at most {model.items_per_message}")
    variables: list[SimVariable] = catalogue(state)
    if selectors:
        variables = [v for v in variables if any(_matches(s, v.component, v.variable) for s in selectors)]
    criteria = payload.get("componentCriteria") or []
    if criteria:
        flagged = {
            _component_key(v.component)
            for v in catalogue(state)
            if v.variable["name"] in criteria and (v.value or "").lower() == "true"
        }
        variables = [v for v in variables if _component_key(v.component) in flagged]
    if not variables:
        return Answer({"status": "EmptyResultSet"})
    items = [v.report_data() for v in variables]
    return Answer({"status": "Accepted"}, (parts("NotifyReport", payload["requestId"], "reportData", items, state),))


# -- monitoring ---------------------------------------------------------------------------------


def _set_variable_monitoring(payload: dict[str, Any], state: StationState) -> Answer:
    model = state.device_model
    check_limits(
        "SetVariableMonitoring",
        payload,
        "setMonitoringData",
        model.monitoring_items_per_message,
        model.monitoring_bytes_per_message,
    )
    results = []
    for item in payload["setMonitoringData"]:
        result: dict[str, Any] = {
            "type": item["type"],
            "severity": item["severity"],
            "component": item["component"],
            "variable": item["variable"],
        }
        variable = find(state, item["component"], item["variable"])
        wanted_id = item.get("id")
        if variable is None:
            result["status"] = "UnknownVariable" if knows_component(state, item["component"]) else "UnknownComponent"
        elif _refused_monitor(variable, item, model.monitors):
            result["status"] = "Rejected"
        else:
            monitor_id = wanted_id if wanted_id is not None else model.next_monitor_id
            if wanted_id is None:
                model.next_monitor_id += 1
            model.monitors[monitor_id] = SimMonitor(
                monitor_id,
                item["component"],
                item["variable"],
                item["type"],
                float(item["value"]),
                item["severity"],
                item.get("transaction", False),
            )
            result |= {"status": "Accepted", "id": monitor_id}
        results.append(result)
    return Answer({"setMonitoringResult": results})


def _refused_monitor(variable: SimVariable, item: dict[str, Any], monitors: dict[int, SimMonitor]) -> bool:
    """A monitor on a non-numeric variable, a replacement of an unknown id, or a period of 0."""
    if not variable.supports_monitoring and variable.data_type not in ("integer", "decimal"):
        return True
    wanted_id = item.get("id")
    if wanted_id is not None and wanted_id not in monitors:
        return True
    return item["type"] in ("Periodic", "PeriodicClockAligned") and item["value"] <= 0


def _clear_variable_monitoring(payload: dict[str, Any], state: StationState) -> Answer:
    model = state.device_model
    check_limits(
        "ClearVariableMonitoring", payload, "id", model.monitoring_items_per_message, model.monitoring_bytes_per_message
    )
    results = []
    for monitor_id in payload["id"]:
        monitor = model.monitors.get(monitor_id)
        if monitor is None:
            status = "NotFound"
        elif monitor.preconfigured:
            status = "Rejected"
        else:
            del model.monitors[monitor_id]
            status = "Accepted"
        results.append({"id": monitor_id, "status": status})
    return Answer({"clearMonitoringResult": results})


def _set_monitoring_base(payload: dict[str, Any], state: StationState) -> Answer:
    model = state.device_model
    model.monitoring_base = payload["monitoringBase"]
    if model.monitoring_base != "All":  # FactoryDefault / HardWiredOnly drop the custom monitors
        model.monitors = {key: m for key, m in model.monitors.items() if m.preconfigured}
    return Answer({"status": "Accepted"})


def _set_monitoring_level(payload: dict[str, Any], state: StationState) -> Answer:
    severity = payload["severity"]
    if not 0 <= severity <= 9:
        return Answer({"status": "Rejected"})
    state.device_model.monitoring_level = severity
    return Answer({"status": "Accepted"})


def _get_monitoring_report(payload: dict[str, Any], state: StationState) -> Answer:
    monitors = list(state.device_model.monitors.values())
    criteria = payload.get("monitoringCriteria") or []
    if criteria:
        types = frozenset().union(*(_CRITERIA[c] for c in criteria))
        monitors = [m for m in monitors if m.type in types]
    selectors = payload.get("componentVariable") or []
    if selectors:
        monitors = [m for m in monitors if any(_matches(s, m.component, m.variable) for s in selectors)]
    if not monitors:
        return Answer({"status": "EmptyResultSet"})
    items = [
        {
            "component": m.component,
            "variable": m.variable,
            "variableMonitoring": [
                {"id": m.id, "transaction": m.transaction, "value": m.value, "type": m.type, "severity": m.severity}
            ],
        }
        for m in monitors
    ]
    return Answer(
        {"status": "Accepted"}, (parts("NotifyMonitoringReport", payload["requestId"], "monitor", items, state),)
    )


def monitor_event(
    state: StationState, monitor_id: int, actual_value: str, event_id: int, *, cleared: bool = False
) -> dict[str, Any]:
    """The NotifyEvent a monitor sends when its condition holds (or stops holding: ``cleared``)."""
    monitor = state.device_model.monitors[monitor_id]
    now = format_datetime(state.device_model.clock())
    data: dict[str, Any] = {
        "eventId": event_id,
        "timestamp": now,
        "trigger": "Alerting",
        "actualValue": actual_value,
        "eventNotificationType": "PreconfiguredMonitor" if monitor.preconfigured else "CustomMonitor",
        "component": monitor.component,
        "variable": monitor.variable,
        "variableMonitoringId": monitor.id,
    }
    if cleared:
        data["cleared"] = True
    return {"generatedAt": now, "seqNo": 0, "tbc": False, "eventData": [data]}


# -- customer information -----------------------------------------------------------------------


def _customer_information(payload: dict[str, Any], state: StationState) -> Answer:
    customers = state.device_model.customers
    if "customerIdentifier" in payload:
        key = payload["customerIdentifier"]
    elif "idToken" in payload:
        key = payload["idToken"]["idToken"]
    elif "customerCertificate" in payload:
        key = payload["customerCertificate"]["serialNumber"]
    else:
        return Answer({"status": "Invalid"})
    intents = []
    if payload["report"]:
        text = customers.get(key, "")
        chunks = [text[i : i + CUSTOMER_DATA_PART] for i in range(0, len(text), CUSTOMER_DATA_PART)] or [""]
        messages = [
            (
                "NotifyCustomerInformation",
                {
                    "data": chunk,
                    "tbc": seq_no < len(chunks) - 1,
                    "seqNo": seq_no,
                    "generatedAt": format_datetime(state.device_model.clock()),
                    "requestId": payload["requestId"],
                },
            )
            for seq_no, chunk in enumerate(chunks)
        ]
        if state.device_model.reverse_parts:
            messages.reverse()
        intents.append(SendMessages(tuple(messages)))
    if payload["clear"]:
        customers.pop(key, None)
    return Answer({"status": "Accepted"}, tuple(intents))


# -- display messages ---------------------------------------------------------------------------


def _set_display_message(payload: dict[str, Any], state: StationState) -> Answer:
    model = state.device_model
    message = payload["message"]
    transaction_id = message.get("transactionId")
    if transaction_id is not None and state.session_by_transaction(transaction_id) is None:
        return Answer({"status": "UnknownTransaction"})
    if message["id"] not in model.display_messages and len(model.display_messages) >= model.display_slots:
        return Answer({"status": "Rejected"})
    model.display_messages[message["id"]] = message
    return Answer({"status": "Accepted"})


def _get_display_messages(payload: dict[str, Any], state: StationState) -> Answer:
    messages = list(state.device_model.display_messages.values())
    ids = payload.get("id")
    if ids:
        messages = [m for m in messages if m["id"] in ids]
    if "priority" in payload:
        messages = [m for m in messages if m["priority"] == payload["priority"]]
    if "state" in payload:
        messages = [m for m in messages if m.get("state") == payload["state"]]
    if not messages:
        return Answer({"status": "Unknown"})
    send = parts("NotifyDisplayMessages", payload["requestId"], "messageInfo", messages, state)
    return Answer({"status": "Accepted"}, (send,))


def _clear_display_message(payload: dict[str, Any], state: StationState) -> Answer:
    removed = state.device_model.display_messages.pop(payload["id"], None)
    return Answer({"status": "Accepted" if removed is not None else "Unknown"})


# -- network profile ----------------------------------------------------------------------------

NETWORK_SLOTS = range(0, 8)


def _set_network_profile(payload: dict[str, Any], state: StationState) -> Answer:
    model = state.device_model
    data = payload["connectionData"]
    if payload["configurationSlot"] not in NETWORK_SLOTS or data["securityProfile"] < model.security_profile:
        return Answer({"status": "Rejected"})  # an unknown slot, or a lower security profile (A05)
    model.network_profiles[payload["configurationSlot"]] = data
    return Answer({"status": "Accepted"})


HANDLERS_201: dict[str, Handler] = {
    "GetBaseReport": _get_base_report,
    "GetReport": _get_report,
    "SetNetworkProfile": _set_network_profile,
    "SetVariableMonitoring": _set_variable_monitoring,
    "ClearVariableMonitoring": _clear_variable_monitoring,
    "SetMonitoringBase": _set_monitoring_base,
    "SetMonitoringLevel": _set_monitoring_level,
    "GetMonitoringReport": _get_monitoring_report,
    "CustomerInformation": _customer_information,
    "SetDisplayMessage": _set_display_message,
    "GetDisplayMessages": _get_display_messages,
    "ClearDisplayMessage": _clear_display_message,
}


def _rejected_monitors(payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "setMonitoringResult": [
            {
                "status": "Rejected",
                "type": item["type"],
                "severity": item["severity"],
                "component": item["component"],
                "variable": item["variable"],
            }
            for item in payload["setMonitoringData"]
        ]
    }


# The negative answer of a flaky charger (the configured failure rate).
REJECTIONS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "GetBaseReport": lambda p: {"status": "Rejected"},
    "GetReport": lambda p: {"status": "Rejected"},
    "SetNetworkProfile": lambda p: {"status": "Rejected"},
    "SetVariableMonitoring": _rejected_monitors,
    "ClearVariableMonitoring": lambda p: {"clearMonitoringResult": [{"id": i, "status": "Rejected"} for i in p["id"]]},
    "SetMonitoringBase": lambda p: {"status": "Rejected"},
    "SetMonitoringLevel": lambda p: {"status": "Rejected"},
    "GetMonitoringReport": lambda p: {"status": "Rejected"},
    "CustomerInformation": lambda p: {"status": "Rejected"},
    "SetDisplayMessage": lambda p: {"status": "Rejected"},
    "GetDisplayMessages": lambda p: {"status": "Unknown"},
    "ClearDisplayMessage": lambda p: {"status": "Unknown"},
}


def _install() -> None:
    """Hook this module into the command dispatch of :mod:`chargebridge.sim.commands`."""
    commands._HANDLERS_16["GetConfiguration"] = get_configuration_16(commands._get_configuration_16)
    commands._HANDLERS_201["GetVariables"] = get_variables(commands._get_variables_201)
    commands._HANDLERS_201["SetVariables"] = set_variables(commands._set_variables_201)
    commands._HANDLERS_201.update(HANDLERS_201)
    commands.ACCEPTS_201 = commands.ACCEPTS_201 | frozenset(HANDLERS_201)


_install()
