"""The simulated station's device model: reports in parts, message limits, monitors, customer
data, display messages, network profiles (pure handlers, checked against the official schemas)."""

from __future__ import annotations

from typing import Any

import pytest

from chargebridge.rpc import ErrorCode, OcppError, OcppVersion, schemas_for
from chargebridge.sim.commands import SendMessages, answer
from chargebridge.sim.device_state import catalogue
from chargebridge.sim.ev import ChargerKind, ChargerSpec
from chargebridge.sim.state import ConfigStore, Connector, StationState

V16, V201 = OcppVersion.V16, OcppVersion.V201
S201, S16 = schemas_for(V201), schemas_for(V16)
POWER = {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}
HB = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
ITEMS = {"component": {"name": "DeviceDataCtrlr"}, "variable": {"name": "ItemsPerMessage", "instance": "GetVariables"}}
MESSAGE = {"id": 1, "priority": "NormalCycle", "message": {"format": "UTF8", "content": "Hello"}}

# 2.0.1 requests the simulator answers beyond the core ones (used by test_sim_commands too).
SIM_REQUESTS_201: list[tuple[str, dict[str, Any]]] = [
    ("GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}),
    ("GetReport", {"requestId": 2, "componentCriteria": ["Problem"]}),
    (
        "SetNetworkProfile",
        {
            "configurationSlot": 1,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "wss://x",
                "messageTimeout": 30,
                "securityProfile": 1,
                "ocppInterface": "Wired0",
            },
        },
    ),
    (
        "SetVariableMonitoring",
        {"setMonitoringData": [POWER | {"value": 7000, "type": "UpperThreshold", "severity": 2}]},
    ),
    ("ClearVariableMonitoring", {"id": [1, 99]}),
    ("SetMonitoringBase", {"monitoringBase": "FactoryDefault"}),
    ("SetMonitoringLevel", {"severity": 12}),
    ("GetMonitoringReport", {"requestId": 3}),
    ("CustomerInformation", {"requestId": 4, "report": True, "clear": True, "customerIdentifier": "C-1"}),
    ("SetDisplayMessage", {"message": MESSAGE}),
    ("GetDisplayMessages", {"requestId": 5, "id": [1]}),
    ("ClearDisplayMessage", {"id": 1}),
]


def make_state(connectors: int = 2) -> StationState:
    spec = ChargerSpec(ChargerKind.AC, 11_000)
    config = ConfigStore(
        {"HeartbeatInterval": "300", "MeterValueSampleInterval": "60", "NumberOfConnectors": str(connectors)}
    )
    return StationState({n: Connector(n, spec) for n in range(1, connectors + 1)}, config)


def sent(result: Any) -> list[tuple[str, dict[str, Any]]]:
    """The Notify* messages an answer sends afterwards, each checked against the schema."""
    messages = [message for intent in result.intents if isinstance(intent, SendMessages) for message in intent.messages]
    for action, payload in messages:
        S201.validate_request(action, payload)
    return messages


def ask(state: StationState, action: str, payload: dict[str, Any], version: OcppVersion = V201) -> Any:
    schemas = S201 if version is V201 else S16
    schemas.validate_request(action, payload)
    result = answer(version, action, payload, state)
    schemas.validate_response(action, result.payload)
    return result


def test_full_inventory_in_numbered_parts_and_reversed() -> None:
    state = make_state()
    state.device_model.items_per_part = 5
    result = ask(state, "GetBaseReport", {"requestId": 7, "reportBase": "FullInventory"})
    assert result.payload == {"status": "Accepted"}
    parts = sent(result)
    total = len(catalogue(state))
    assert len(parts) == -(-total // 5) and sum(len(p["reportData"]) for _, p in parts) == total
    assert [p["seqNo"] for _, p in parts] == list(range(len(parts)))
    assert [p["tbc"] for _, p in parts] == [True] * (len(parts) - 1) + [False]
    state.device_model.reverse_parts = True
    reversed_parts = sent(ask(state, "GetBaseReport", {"requestId": 8, "reportBase": "FullInventory"}))
    assert [p["seqNo"] for _, p in reversed_parts] == list(range(len(parts)))[::-1]


def test_configuration_and_summary_inventories_and_get_report_filters() -> None:
    state = make_state()
    configuration = sent(ask(state, "GetBaseReport", {"requestId": 1, "reportBase": "ConfigurationInventory"}))
    attributes = [a for _, p in configuration for item in p["reportData"] for a in item["variableAttribute"]]
    assert attributes and all(a["mutability"] != "ReadOnly" for a in attributes)
    summary = sent(ask(state, "GetBaseReport", {"requestId": 1, "reportBase": "SummaryInventory"}))
    assert {item["variable"]["name"] for _, p in summary for item in p["reportData"]} <= {
        "AvailabilityState",
        "Available",
    }
    evse2 = sent(
        ask(
            state,
            "GetReport",
            {"requestId": 2, "componentVariable": [{"component": {"name": "EVSE", "evse": {"id": 2}}}]},
        )
    )
    assert {(i["component"]["evse"]["id"], i["variable"]["name"]) for _, p in evse2 for i in p["reportData"]} == {
        (2, "AvailabilityState"),
        (2, "Available"),
        (2, "Power"),
    }
    state.connectors[2].operative = False
    available = sent(
        ask(
            state,
            "GetReport",
            {
                "requestId": 3,
                "componentCriteria": ["Available"],
                "componentVariable": [{"component": {"name": "EVSE"}}],
            },
        )
    )
    assert {i["component"]["evse"]["id"] for _, p in available for i in p["reportData"]} == {1}
    assert ask(state, "GetReport", {"requestId": 4, "componentCriteria": ["Problem"]}).payload == {
        "status": "EmptyResultSet"
    }


def test_limits_refuse_larger_requests_with_callerrors() -> None:
    state = make_state()
    state.device_model.items_per_message = 2
    with pytest.raises(OcppError) as items:
        answer(V201, "GetVariables", {"getVariableData": [HB, HB, HB]}, state)
    assert items.value.code is ErrorCode.OCCURRENCE_CONSTRAINT_VIOLATION
    state.device_model.bytes_per_message = 120
    with pytest.raises(OcppError) as size:
        answer(V201, "SetVariables", {"setVariableData": [HB | {"attributeValue": "9" * 200}]}, state)
    assert size.value.code is ErrorCode.FORMAT_VIOLATION
    with pytest.raises(OcppError):
        answer(V16, "GetConfiguration", {"key": ["A", "B", "C"]}, state)
    with pytest.raises(OcppError):
        answer(V201, "GetReport", {"requestId": 1, "componentVariable": [{"component": {"name": "X"}}] * 3}, state)


def test_controller_variables_are_readable_and_some_writable() -> None:
    state = make_state()
    got = ask(
        state,
        "GetVariables",
        {
            "getVariableData": [
                ITEMS,
                HB,
                {"component": {"name": "SecurityCtrlr"}, "variable": {"name": "BasicAuthPassword"}},
            ]
        },
    )
    statuses = [(r["attributeStatus"], r.get("attributeValue")) for r in got.payload["getVariableResult"]]
    assert statuses == [("Accepted", "16"), ("Accepted", "300"), ("Rejected", None)]
    enabled = {"component": {"name": "MonitoringCtrlr"}, "variable": {"name": "Enabled"}}
    written = ask(
        state,
        "SetVariables",
        {"setVariableData": [enabled | {"attributeValue": "false"}, ITEMS | {"attributeValue": "3"}]},
    )
    assert [r["attributeStatus"] for r in written.payload["setVariableResult"]] == ["Accepted", "Rejected"]
    again = ask(
        state,
        "GetVariables",
        {
            "getVariableData": [
                enabled,
                {"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Nope"}},
            ]
        },
    )
    assert [(r["attributeStatus"], r.get("attributeValue")) for r in again.payload["getVariableResult"]] == [
        ("Accepted", "false"),
        ("UnknownVariable", None),
    ]


def test_16_get_configuration_reports_its_max_keys() -> None:
    state = make_state()
    state.device_model.items_per_message = 3
    every = ask(state, "GetConfiguration", {}, V16).payload
    assert {"key": "GetConfigurationMaxKeys", "readonly": True, "value": "3"} in every["configurationKey"]
    asked = ask(state, "GetConfiguration", {"key": ["GetConfigurationMaxKeys", "Nope"]}, V16).payload
    assert asked == {
        "configurationKey": [{"key": "GetConfigurationMaxKeys", "readonly": True, "value": "3"}],
        "unknownKey": ["Nope"],
    }
    assert "unknownKey" not in ask(state, "GetConfiguration", {"key": ["HeartbeatInterval"]}, V16).payload


def test_monitors_set_reported_and_cleared() -> None:
    state = make_state()
    state.device_model.monitoring_items_per_message = 3
    data = [
        POWER | {"value": 7000, "type": "UpperThreshold", "severity": 2},
        POWER | {"value": 0, "type": "Periodic", "severity": 9},
        {
            "component": {"name": "EVSE", "evse": {"id": 1}},
            "variable": {"name": "Nope"},
            "value": 1,
            "type": "Delta",
            "severity": 5,
        },
    ]
    result = ask(state, "SetVariableMonitoring", {"setMonitoringData": data})
    assert [(r["status"], r.get("id")) for r in result.payload["setMonitoringResult"]] == [
        ("Accepted", 1),
        ("Rejected", None),
        ("UnknownVariable", None),
    ]
    replaced = ask(
        state, "SetVariableMonitoring", {"setMonitoringData": [data[0] | {"id": 1, "value": 6000}, data[0] | {"id": 5}]}
    )
    assert [r["status"] for r in replaced.payload["setMonitoringResult"]] == ["Accepted", "Rejected"]
    assert state.device_model.monitors[1].value == 6000
    report = sent(ask(state, "GetMonitoringReport", {"requestId": 2, "monitoringCriteria": ["ThresholdMonitoring"]}))
    assert [m["variableMonitoring"][0]["id"] for _, p in report for m in p["monitor"]] == [1]
    assert ask(state, "GetMonitoringReport", {"requestId": 3, "monitoringCriteria": ["DeltaMonitoring"]}).payload == {
        "status": "EmptyResultSet"
    }
    with pytest.raises(OcppError):
        answer(V201, "ClearVariableMonitoring", {"id": [1, 2, 3, 4]}, state)
    cleared = ask(state, "ClearVariableMonitoring", {"id": [1, 1]})
    assert [r["status"] for r in cleared.payload["clearMonitoringResult"]] == ["Accepted", "NotFound"]


def test_customer_data_in_512_character_parts_then_cleared() -> None:
    state = make_state()
    state.device_model.customers["TAG"] = "x" * 1100
    result = ask(
        state,
        "CustomerInformation",
        {"requestId": 4, "report": True, "clear": True, "idToken": {"idToken": "TAG", "type": "Local"}},
    )
    parts = sent(result)
    assert [len(p["data"]) for _, p in parts] == [512, 512, 76] and [p["tbc"] for _, p in parts] == [True, True, False]
    assert "TAG" not in state.device_model.customers
    nothing = sent(
        ask(state, "CustomerInformation", {"requestId": 5, "report": True, "clear": False, "customerIdentifier": "X"})
    )
    assert [p["data"] for _, p in nothing] == [""]


def test_display_messages_and_network_profiles() -> None:
    state = make_state()
    state.device_model.display_slots = 1
    assert ask(state, "SetDisplayMessage", {"message": MESSAGE}).payload == {"status": "Accepted"}
    assert ask(state, "SetDisplayMessage", {"message": MESSAGE | {"id": 2}}).payload == {"status": "Rejected"}
    assert ask(state, "SetDisplayMessage", {"message": MESSAGE | {"transactionId": "none"}}).payload == {
        "status": "UnknownTransaction"
    }
    listed = sent(ask(state, "GetDisplayMessages", {"requestId": 9}))
    assert listed == [("NotifyDisplayMessages", {"requestId": 9, "tbc": False, "messageInfo": [MESSAGE]})]
    assert ask(state, "GetDisplayMessages", {"requestId": 9, "priority": "AlwaysFront"}).payload == {
        "status": "Unknown"
    }
    assert ask(state, "ClearDisplayMessage", {"id": 1}).payload == {"status": "Accepted"}
    assert ask(state, "ClearDisplayMessage", {"id": 1}).payload == {"status": "Unknown"}
    state.device_model.security_profile = 2
    profile = SIM_REQUESTS_201[2][1]
    assert ask(state, "SetNetworkProfile", profile).payload == {
        "status": "Rejected"
    }  # lower than the station's profile
    upgraded = profile | {"connectionData": profile["connectionData"] | {"securityProfile": 3}}
    assert ask(state, "SetNetworkProfile", upgraded).payload == {"status": "Accepted"}
    assert state.device_model.network_profiles[1]["securityProfile"] == 3
