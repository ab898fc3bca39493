"""Device model, monitoring, customer information and display messages in both adapters: every
inbound fixture and every outbound payload is checked against the official schema. The case
lists are also used by the adapters' own table-coverage tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chargebridge.domain import commands as cmd
from chargebridge.domain import devicemodel as dm
from chargebridge.domain.model import IdToken
from chargebridge.domain.requests import Ack, StationResponse
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import ErrorCode, OcppError, OcppVersion, schemas_for

S201, S16 = schemas_for(OcppVersion.V201), schemas_for(OcppVersion.V16)
T0 = "2024-05-01T10:00:00Z"
T0_DT = datetime(2024, 5, 1, 10, 0, tzinfo=UTC)
HB = cmd.VariableRef("OCPPCommCtrlr", "HeartbeatInterval")
POWER = cmd.VariableRef("EVSE", "Power", evse_id=1)
HASH = cmd.CertificateHashData("SHA256", "ab" * 32, "cd" * 32, "1f")

INBOUND_201 = {"NotifyReport", "NotifyMonitoringReport", "NotifyCustomerInformation", "NotifyDisplayMessages"}

RESPONSES_201: list[tuple[str, StationResponse, dict[str, Any]]] = [
    (action, Ack(), {}) for action in sorted(INBOUND_201)
]

MESSAGE = dm.DisplayMessage(
    7,
    "InFront",
    "Welcome",
    format="UTF8",
    language="en",
    state="Idle",
    start_at=T0_DT,
    end_at=T0_DT,
    transaction_id="tx-1",
    display=dm.ComponentRef("Display", "front", 1, 1),
)
MESSAGE_JSON = {
    "id": 7,
    "priority": "InFront",
    "message": {"format": "UTF8", "content": "Welcome", "language": "en"},
    "state": "Idle",
    "startDateTime": "2024-05-01T10:00:00.000Z",
    "endDateTime": "2024-05-01T10:00:00.000Z",
    "transactionId": "tx-1",
    "display": {"name": "Display", "instance": "front", "evse": {"id": 1, "connectorId": 1}},
}

COMMANDS_201: list[tuple[cmd.Command, str, dict[str, Any]]] = [
    (
        dm.GetBaseReport(5, "ConfigurationInventory"),
        "GetBaseReport",
        {"requestId": 5, "reportBase": "ConfigurationInventory"},
    ),
    (dm.GetReport(6), "GetReport", {"requestId": 6}),
    (
        dm.GetReport(
            6,
            (
                dm.ComponentVariable(dm.ComponentRef("EVSE", evse_id=2, connector_id=1)),
                dm.ComponentVariable(dm.ComponentRef("X", "i"), "V", "j"),
            ),
            ("Problem", "Enabled"),
        ),
        "GetReport",
        {
            "requestId": 6,
            "componentVariable": [
                {"component": {"name": "EVSE", "evse": {"id": 2, "connectorId": 1}}},
                {"component": {"name": "X", "instance": "i"}, "variable": {"name": "V", "instance": "j"}},
            ],
            "componentCriteria": ["Problem", "Enabled"],
        },
    ),
    (
        dm.SetVariables(
            (dm.VariableValue(HB, "60"), dm.VariableValue(cmd.VariableRef("C", "V", "i", attribute="MaxSet"), "9"))
        ),
        "SetVariables",
        {
            "setVariableData": [
                {
                    "attributeValue": "60",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                },
                {
                    "attributeValue": "9",
                    "component": {"name": "C"},
                    "variable": {"name": "V", "instance": "i"},
                    "attributeType": "MaxSet",
                },
            ]
        },
    ),
    (
        dm.SetNetworkProfile(
            1,
            dm.NetworkProfile(
                "wss://csms/ocpp",
                2,
                "Wireless0",
                30,
                apn=dm.Apn(
                    "internet",
                    "PAP",
                    user_name="u",
                    password="p",
                    sim_pin=1234,
                    preferred_network="26201",
                    use_only_preferred_network=True,
                ),
                vpn=dm.Vpn("vpn.example", "u", "p", "k", "IPSec", group="g"),
            ),
        ),
        "SetNetworkProfile",
        {
            "configurationSlot": 1,
            "connectionData": {
                "ocppVersion": "OCPP20",
                "ocppTransport": "JSON",
                "ocppCsmsUrl": "wss://csms/ocpp",
                "messageTimeout": 30,
                "securityProfile": 2,
                "ocppInterface": "Wireless0",
                "apn": {
                    "apn": "internet",
                    "apnAuthentication": "PAP",
                    "apnUserName": "u",
                    "apnPassword": "p",
                    "simPin": 1234,
                    "preferredNetwork": "26201",
                    "useOnlyPreferredNetwork": True,
                },
                "vpn": {
                    "server": "vpn.example",
                    "user": "u",
                    "password": "p",
                    "key": "k",
                    "type": "IPSec",
                    "group": "g",
                },
            },
        },
    ),
    (
        dm.SetVariableMonitoring(
            (dm.Monitor(POWER, "UpperThreshold", 7000.0, 2), dm.Monitor(HB, "Delta", 1.0, 8, True, 4))
        ),
        "SetVariableMonitoring",
        {
            "setMonitoringData": [
                {
                    "value": 7000.0,
                    "type": "UpperThreshold",
                    "severity": 2,
                    "transaction": False,
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                },
                {
                    "value": 1.0,
                    "type": "Delta",
                    "severity": 8,
                    "transaction": True,
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                    "id": 4,
                },
            ]
        },
    ),
    (dm.ClearVariableMonitoring((1, 2)), "ClearVariableMonitoring", {"id": [1, 2]}),
    (dm.SetMonitoringBase("HardWiredOnly"), "SetMonitoringBase", {"monitoringBase": "HardWiredOnly"}),
    (dm.SetMonitoringLevel(3), "SetMonitoringLevel", {"severity": 3}),
    (dm.GetMonitoringReport(8), "GetMonitoringReport", {"requestId": 8}),
    (
        dm.GetMonitoringReport(
            8, ("DeltaMonitoring",), (dm.ComponentVariable(dm.ComponentRef("EVSE", evse_id=1), "Power"),)
        ),
        "GetMonitoringReport",
        {
            "requestId": 8,
            "componentVariable": [{"component": {"name": "EVSE", "evse": {"id": 1}}, "variable": {"name": "Power"}}],
            "monitoringCriteria": ["DeltaMonitoring"],
        },
    ),
    (
        dm.CustomerInformation(9, True, False, customer_identifier="C-1"),
        "CustomerInformation",
        {"requestId": 9, "report": True, "clear": False, "customerIdentifier": "C-1"},
    ),
    (
        dm.CustomerInformation(9, False, True, id_token=IdToken("TAG", "ISO14443")),
        "CustomerInformation",
        {"requestId": 9, "report": False, "clear": True, "idToken": {"idToken": "TAG", "type": "ISO14443"}},
    ),
    (
        dm.CustomerInformation(9, True, True, certificate=HASH),
        "CustomerInformation",
        {"requestId": 9, "report": True, "clear": True, "customerCertificate": HASH.to_json()},
    ),
    (dm.SetDisplayMessage(MESSAGE), "SetDisplayMessage", {"message": MESSAGE_JSON}),
    (
        dm.SetDisplayMessage(dm.DisplayMessage(1, "NormalCycle", "x")),
        "SetDisplayMessage",
        {"message": {"id": 1, "priority": "NormalCycle", "message": {"format": "UTF8", "content": "x"}}},
    ),
    (dm.GetDisplayMessages(10), "GetDisplayMessages", {"requestId": 10}),
    (
        dm.GetDisplayMessages(10, (1, 2), "AlwaysFront", "Charging"),
        "GetDisplayMessages",
        {"requestId": 10, "id": [1, 2], "priority": "AlwaysFront", "state": "Charging"},
    ),
    (dm.ClearDisplayMessage(3), "ClearDisplayMessage", {"id": 3}),
]

KEY = cmd.VariableRef(dm.NO_COMPONENT, "HeartbeatInterval")
COMMANDS_16: list[tuple[cmd.Command, str, dict[str, Any]]] = [
    (dm.GetBaseReport(1), "GetConfiguration", {}),
    (dm.GetReport(1), "GetConfiguration", {}),
    (
        dm.GetReport(1, (dm.ComponentVariable(dm.ComponentRef(dm.NO_COMPONENT), "HeartbeatInterval"),)),
        "GetConfiguration",
        {"key": ["HeartbeatInterval"]},
    ),
    (
        dm.SetVariables((dm.VariableValue(KEY, "60"),)),
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "60"},
    ),
]


@pytest.mark.parametrize(("command", "action", "payload"), COMMANDS_201)
def test_encode_201(command: cmd.Command, action: str, payload: dict[str, Any]) -> None:
    assert Ocpp201Adapter().encode_command(command) == (action, payload)
    S201.validate_request(action, payload)


@pytest.mark.parametrize(("command", "action", "payload"), COMMANDS_16)
def test_encode_16(command: cmd.Command, action: str, payload: dict[str, Any]) -> None:
    assert Ocpp16Adapter().encode_command(command) == (action, payload)
    S16.validate_request(action, payload)


@pytest.mark.parametrize(
    "command",
    [
        dm.SetVariables(()),
        dm.SetVariables((dm.VariableValue(KEY, "1"),)),  # a 1.6 key has no component
        dm.SetVariableMonitoring(()),
        dm.ClearVariableMonitoring(()),
    ],
)
def test_201_refuses(command: cmd.Command) -> None:
    with pytest.raises(cmd.CommandNotSupported):
        Ocpp201Adapter().encode_command(command)


@pytest.mark.parametrize(
    "command",
    [
        dm.GetReport(1, criteria=("Problem",)),
        dm.GetReport(1, (dm.ComponentVariable(dm.ComponentRef("EVSE"), "Power"),)),
        dm.GetReport(1, (dm.ComponentVariable(dm.ComponentRef(dm.NO_COMPONENT)),)),
        dm.SetVariables((dm.VariableValue(HB, "1"),)),
        dm.SetVariables((dm.VariableValue(KEY, "1"), dm.VariableValue(KEY, "2"))),
        dm.SetVariables((dm.VariableValue(cmd.VariableRef(dm.NO_COMPONENT, "K", attribute="Target"), "1"),)),
        dm.SetNetworkProfile(0, dm.NetworkProfile("wss://x", 1, "Wired0", 30)),
        dm.SetVariableMonitoring((dm.Monitor(POWER, "Delta", 1.0, 1),)),
        dm.ClearVariableMonitoring((1,)),
        dm.SetMonitoringBase("All"),
        dm.SetMonitoringLevel(1),
        dm.GetMonitoringReport(1),
        dm.CustomerInformation(1, True, False, customer_identifier="c"),
        dm.SetDisplayMessage(MESSAGE),
        dm.GetDisplayMessages(1),
        dm.ClearDisplayMessage(1),
    ],
)
def test_16_has_no_form(command: cmd.Command) -> None:
    with pytest.raises(cmd.CommandNotSupported):
        Ocpp16Adapter().encode_command(command)


def decode(action: str, payload: dict[str, Any]) -> Any:
    S201.validate_request(action, payload)
    return Ocpp201Adapter().decode(action, payload).request


def test_notify_report() -> None:
    payload = {
        "requestId": 5,
        "generatedAt": T0,
        "seqNo": 2,
        "tbc": True,
        "reportData": [
            {
                "component": {"name": "EVSE", "instance": "a", "evse": {"id": 1, "connectorId": 2}},
                "variable": {"name": "Power", "instance": "b"},
                "variableAttribute": [
                    {"value": "7"},
                    {"type": "MaxSet", "value": "9", "mutability": "ReadOnly", "persistent": True, "constant": True},
                ],
                "variableCharacteristics": {
                    "unit": "W",
                    "dataType": "decimal",
                    "minLimit": 0,
                    "maxLimit": 9,
                    "valuesList": "a,b",
                    "supportsMonitoring": True,
                },
            },
            {
                "component": {"name": "C"},
                "variable": {"name": "V"},
                "variableAttribute": [{"type": "Actual", "mutability": "WriteOnly"}],
            },
        ],
    }
    request = decode("NotifyReport", payload)
    assert isinstance(request, dm.NotifyReportRequest)
    assert (request.request_id, request.generated_at, request.seq_no, request.tbc) == (5, T0_DT, 2, True)
    first, second = request.variables
    assert first.ref == cmd.VariableRef("EVSE", "Power", "b", "a", 1, 2)
    assert first.attributes == (
        dm.VariableAttribute("Actual", "7"),
        dm.VariableAttribute("MaxSet", "9", "ReadOnly", True, True),
    )
    assert first.characteristics == dm.VariableCharacteristics("decimal", True, "W", 0, 9, "a,b")
    assert (
        second.attributes[0].value is None
        and second.attributes[0].mutability == "WriteOnly"
        and second.characteristics is None
    )
    empty = decode("NotifyReport", {"requestId": 5, "generatedAt": T0, "seqNo": 0})
    assert empty.variables == () and empty.tbc is False


def test_notify_monitoring_report_customer_information_and_display_messages() -> None:
    monitoring = decode(
        "NotifyMonitoringReport",
        {
            "requestId": 3,
            "seqNo": 1,
            "generatedAt": T0,
            "tbc": True,
            "monitor": [
                {
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                    "variableMonitoring": [
                        {"id": 1, "transaction": False, "value": 7000, "type": "UpperThreshold", "severity": 2},
                        {"id": 2, "transaction": True, "value": 5, "type": "Delta", "severity": 9},
                    ],
                }
            ],
        },
    )
    assert monitoring.monitors == (
        dm.Monitor(POWER, "UpperThreshold", 7000.0, 2, False, 1),
        dm.Monitor(POWER, "Delta", 5.0, 9, True, 2),
    )
    customer = decode("NotifyCustomerInformation", {"data": "abc", "seqNo": 0, "generatedAt": T0, "requestId": 4})
    assert customer == dm.NotifyCustomerInformationRequest(4, T0_DT, 0, False, "abc")
    display = decode("NotifyDisplayMessages", {"requestId": 6, "tbc": True, "messageInfo": [MESSAGE_JSON]})
    assert display == dm.NotifyDisplayMessagesRequest(6, True, (MESSAGE,))
    assert decode("NotifyDisplayMessages", {"requestId": 6}).messages == ()


def test_an_unusable_time_in_a_report_is_a_property_violation() -> None:
    with pytest.raises(OcppError) as info:
        Ocpp201Adapter().decode("NotifyReport", {"requestId": 1, "generatedAt": "2024-13-45T99:00:00Z", "seqNo": 0})
    assert info.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION


def test_notify_event_names_its_monitor() -> None:
    request = decode(
        "NotifyEvent",
        {
            "generatedAt": T0,
            "seqNo": 0,
            "eventData": [
                {
                    "eventId": 1,
                    "timestamp": T0,
                    "trigger": "Alerting",
                    "actualValue": "7400",
                    "eventNotificationType": "CustomMonitor",
                    "component": {"name": "EVSE", "evse": {"id": 1}},
                    "variable": {"name": "Power"},
                    "variableMonitoringId": 12,
                }
            ],
        },
    )
    assert request.events[0].variable_monitoring_id == 12


@pytest.mark.parametrize(("action", "response", "payload"), RESPONSES_201)
def test_acknowledged_with_an_empty_payload(action: str, response: StationResponse, payload: dict[str, Any]) -> None:
    encoded = Ocpp201Adapter().encode_response(action, response)
    assert encoded == payload
    S201.validate_response(action, encoded)


@pytest.mark.parametrize(
    ("action", "payload", "status"),
    [
        (
            "SetVariableMonitoring",
            {
                "setMonitoringResult": [
                    {
                        "status": "Accepted",
                        "type": "Delta",
                        "severity": 1,
                        "component": {"name": "C"},
                        "variable": {"name": "V"},
                        "id": 1,
                    }
                ]
            },
            "Accepted",
        ),
        (
            "SetVariableMonitoring",
            {
                "setMonitoringResult": [
                    {
                        "status": "Accepted",
                        "type": "Delta",
                        "severity": 1,
                        "component": {"name": "C"},
                        "variable": {"name": "V"},
                        "id": 1,
                    },
                    {
                        "status": "UnknownVariable",
                        "type": "Delta",
                        "severity": 1,
                        "component": {"name": "C"},
                        "variable": {"name": "W"},
                    },
                ]
            },
            "UnknownVariable",
        ),
        (
            "ClearVariableMonitoring",
            {"clearMonitoringResult": [{"status": "Accepted", "id": 1}, {"status": "NotFound", "id": 2}]},
            "NotFound",
        ),
        ("GetBaseReport", {"status": "EmptyResultSet"}, "EmptyResultSet"),
        ("CustomerInformation", {"status": "Invalid"}, "Invalid"),
        ("SetNetworkProfile", {"status": "Failed"}, "Failed"),
    ],
)
def test_outcomes(action: str, payload: dict[str, Any], status: str) -> None:
    S201.validate_response(action, payload)
    assert Ocpp201Adapter().decode_outcome(action, payload).status == status


@pytest.mark.parametrize(
    ("action", "payload"),
    [
        ("NotifyReport", {"requestId": 2**40, "generatedAt": T0, "seqNo": 0}),
        ("NotifyReport", {"requestId": 1, "generatedAt": T0, "seqNo": -(2**40)}),
        (
            "NotifyReport",
            {
                "requestId": 1,
                "generatedAt": T0,
                "seqNo": 0,
                "reportData": [
                    {
                        "component": {"name": "EVSE", "evse": {"id": 2**33}},
                        "variable": {"name": "Power"},
                        "variableAttribute": [{"value": "1"}],
                    }
                ],
            },
        ),
        (
            "NotifyMonitoringReport",
            {
                "requestId": 1,
                "seqNo": 0,
                "generatedAt": T0,
                "monitor": [
                    {
                        "component": {"name": "EVSE"},
                        "variable": {"name": "Power"},
                        "variableMonitoring": [
                            {"id": 1, "transaction": False, "value": float("inf"), "type": "Delta", "severity": 1}
                        ],
                    }
                ],
            },
        ),
        ("NotifyDisplayMessages", {"requestId": 1, "messageInfo": [MESSAGE_JSON | {"id": 2**35}]}),
    ],
)
def test_numbers_that_cannot_be_stored_are_property_violations(action: str, payload: dict[str, Any]) -> None:
    S201.validate_request(action, payload)  # the schema lets them through
    with pytest.raises(OcppError) as info:
        Ocpp201Adapter().decode(action, payload)
    assert info.value.code is ErrorCode.PROPERTY_CONSTRAINT_VIOLATION
