"""Command answers and payload builders of the simulator, checked against the official schemas."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion, schemas_for
from chargebridge.sim import charging
from chargebridge.sim import messages as msg
from chargebridge.sim.commands import (
    ConfigChanged,
    Reboot,
    StartSession,
    StopSession,
    Trigger,
    accepted_actions,
    answer,
    rejection,
)
from chargebridge.sim.ev import ChargerKind, ChargerSpec, EvState, Vehicle
from chargebridge.sim.profiles import VendorError
from chargebridge.sim.state import ConfigStore, Connector, Session, StationState
from chargebridge.sim.station import backoff_delay
from tests.unit.test_sim_device_commands import SIM_REQUESTS_201

V16, V201 = OcppVersion.V16, OcppVersion.V201
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
INTERVAL = {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}
SCHEDULE = {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000.0}]}
PROFILE_16 = {
    "chargingProfileId": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": SCHEDULE,
}
PROFILE_201 = {
    "id": 1,
    "stackLevel": 0,
    "chargingProfilePurpose": "TxDefaultProfile",
    "chargingProfileKind": "Relative",
    "chargingSchedule": [SCHEDULE | {"id": 1}],
}
FIRMWARE = {
    "location": "http://h/fw",
    "retrieveDateTime": "2024-05-01T12:00:00Z",
    "signingCertificate": "-----BEGIN CERTIFICATE-----",
    "signature": "c2ln",
}

HASH = {"hashAlgorithm": "SHA256", "issuerNameHash": "ab" * 32, "issuerKeyHash": "cd" * 32, "serialNumber": "1f"}

REQUESTS: dict[OcppVersion, list[tuple[str, dict[str, Any]]]] = {
    V16: [
        ("RemoteStartTransaction", {"idTag": "A", "connectorId": 1}),
        ("RemoteStartTransaction", {"idTag": "A", "connectorId": 7}),
        ("RemoteStopTransaction", {"transactionId": 5}),
        ("RemoteStopTransaction", {"transactionId": 99}),
        ("Reset", {"type": "Soft"}),
        ("UnlockConnector", {"connectorId": 2}),
        ("UnlockConnector", {"connectorId": 9}),
        ("ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}),
        ("GetConfiguration", {}),
        ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "abc"}),
        ("ChangeConfiguration", {"key": "Unknown", "value": "1"}),
        ("TriggerMessage", {"requestedMessage": "DiagnosticsStatusNotification"}),
        ("ClearCache", {}),
        ("DataTransfer", {"vendorId": "com.sim", "data": "x"}),
        ("SetChargingProfile", {"connectorId": 2, "csChargingProfiles": PROFILE_16}),
        (
            "SetChargingProfile",
            {"connectorId": 2, "csChargingProfiles": PROFILE_16 | {"chargingProfilePurpose": "TxProfile"}},
        ),
        ("ClearChargingProfile", {"connectorId": 2}),
        ("GetCompositeSchedule", {"connectorId": 1, "duration": 3600}),
        ("GetCompositeSchedule", {"connectorId": 9, "duration": 60, "chargingRateUnit": "W"}),
        ("UpdateFirmware", {"location": "http://h/fw", "retrieveDate": "2024-05-01T12:00:00Z"}),
        ("SignedUpdateFirmware", {"requestId": 1, "firmware": FIRMWARE}),
        ("GetDiagnostics", {"location": "http://h/up"}),
        ("GetLog", {"logType": "DiagnosticsLog", "requestId": 2, "log": {"remoteLocation": "http://h/up"}}),
        ("ExtendedTriggerMessage", {"requestedMessage": "SignChargePointCertificate"}),
        ("CertificateSigned", {"certificateChain": "not PEM"}),
        ("InstallCertificate", {"certificateType": "CentralSystemRootCertificate", "certificate": "not PEM"}),
        ("DeleteCertificate", {"certificateHashData": HASH}),
        ("GetInstalledCertificateIds", {"certificateType": "ManufacturerRootCertificate"}),
        ("ReserveNow", {"connectorId": 2, "expiryDate": "2030-01-01T00:00:00Z", "idTag": "A", "reservationId": 1}),
        ("ReserveNow", {"connectorId": 1, "expiryDate": "2030-01-01T00:00:00Z", "idTag": "A", "reservationId": 2}),
        ("CancelReservation", {"reservationId": 7}),
        (
            "SendLocalList",
            {
                "listVersion": 3,
                "updateType": "Full",
                "localAuthorizationList": [{"idTag": "A", "idTagInfo": {"status": "Blocked"}}],
            },
        ),
        ("SendLocalList", {"listVersion": 0, "updateType": "Differential"}),
        ("GetLocalListVersion", {}),
    ],
    V201: [
        ("RequestStartTransaction", {"idToken": {"idToken": "A", "type": "ISO14443"}, "remoteStartId": 1}),
        ("RequestStopTransaction", {"transactionId": "5"}),
        ("Reset", {"type": "OnIdle"}),
        ("Reset", {"type": "Immediate", "evseId": 1}),
        ("UnlockConnector", {"evseId": 1, "connectorId": 1}),
        ("UnlockConnector", {"evseId": 4, "connectorId": 1}),
        ("ChangeAvailability", {"operationalStatus": "Inoperative"}),
        (
            "GetVariables",
            {"getVariableData": [INTERVAL, {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "Nope"}}]},
        ),
        ("GetVariables", {"getVariableData": [INTERVAL | {"attributeType": "Target"}]}),
        ("SetVariables", {"setVariableData": [INTERVAL | {"attributeValue": "-3"}]}),
        ("TriggerMessage", {"requestedMessage": "TransactionEvent", "evse": {"id": 1}}),
        ("TriggerMessage", {"requestedMessage": "SignV2GCertificate"}),
        ("ClearCache", {}),
        ("CostUpdated", {"totalCost": 4.75, "transactionId": "TX-1"}),
        ("DataTransfer", {"vendorId": "com.sim", "messageId": "m", "data": {"k": 1}}),
        ("SetChargingProfile", {"evseId": 0, "chargingProfile": PROFILE_201}),
        ("ClearChargingProfile", {"chargingProfileCriteria": {"evseId": 1}}),
        ("GetChargingProfiles", {"requestId": 3, "chargingProfile": {}}),
        ("GetCompositeSchedule", {"evseId": 0, "duration": 3600, "chargingRateUnit": "A"}),
        ("UpdateFirmware", {"requestId": 1, "firmware": FIRMWARE}),
        ("GetLog", {"logType": "SecurityLog", "requestId": 2, "log": {"remoteLocation": "http://h/up"}}),
        ("CertificateSigned", {"certificateChain": "not PEM", "certificateType": "ChargingStationCertificate"}),
        ("InstallCertificate", {"certificateType": "CSMSRootCertificate", "certificate": "not PEM"}),
        ("DeleteCertificate", {"certificateHashData": HASH}),
        ("GetInstalledCertificateIds", {"certificateType": ["V2GRootCertificate"]}),
        (
            "ReserveNow",
            {"id": 1, "expiryDateTime": "2030-01-01T00:00:00Z", "idToken": {"idToken": "A", "type": "ISO14443"}},
        ),
        ("CancelReservation", {"reservationId": 1}),
        (
            "SendLocalList",
            {
                "versionNumber": 2,
                "updateType": "Differential",
                "localAuthorizationList": [{"idToken": {"idToken": "A", "type": "ISO14443"}}],
            },
        ),
        ("GetLocalListVersion", {}),
        *SIM_REQUESTS_201,  # device model, monitoring, customer information, display messages
        ("PublishFirmware", {"location": "http://cb/fw.bin", "checksum": "0" * 32, "requestId": 1}),
        ("UnpublishFirmware", {"checksum": "0" * 32}),
        ("GetTransactionStatus", {"transactionId": "TX-1"}),
        ("GetTransactionStatus", {}),
    ],
}


def make_state(version: OcppVersion) -> StationState:
    spec = ChargerSpec(ChargerKind.AC, 11_000)
    connectors = {1: Connector(1, spec), 2: Connector(2, spec)}
    session = Session(
        local_id=1,
        connector_id=1,
        id_token="A",
        id_token_type="ISO14443",
        ev=EvState(Vehicle(50_000, 11_000, 50_000), 30.0),
        meter_start_wh=0,
        started_at=NOW,
        started_elapsed=0.0,
        ends_at=None,
        transaction_id="5",
    )
    connectors[1].session = session
    config = ConfigStore({"HeartbeatInterval": "300", "MeterValueSampleInterval": "60", "NumberOfConnectors": "2"})
    return StationState(connectors, config, data_transfer_vendor="com.sim")


@pytest.mark.parametrize(
    ("version", "action", "payload"), [(v, a, p) for v, items in REQUESTS.items() for a, p in items]
)
def test_answers_and_rejections_are_schema_valid(version: OcppVersion, action: str, payload: dict[str, Any]) -> None:
    schemas = schemas_for(version)
    schemas.validate_request(action, payload)
    assert action in accepted_actions(version)
    schemas.validate_response(action, answer(version, action, payload, make_state(version)).payload)
    schemas.validate_response(action, rejection(version, action, payload).payload)


def test_every_accepted_action_has_a_test_case() -> None:
    for version, items in REQUESTS.items():
        assert {action for action, _ in items} == accepted_actions(version)


def test_remote_start_picks_a_free_connector_and_asks_for_a_session() -> None:
    state = make_state(V201)
    result = answer(
        V201, "RequestStartTransaction", {"idToken": {"idToken": "B", "type": "Central"}, "remoteStartId": 9}, state
    )
    assert result.payload == {"status": "Accepted"}
    assert result.intents == (StartSession(2, "B", "Central", remote_start_id=9, remote=True),)
    state.connectors[2].operative = False
    assert answer(
        V201, "RequestStartTransaction", {"idToken": {"idToken": "B", "type": "Central"}, "remoteStartId": 9}, state
    ).payload == {"status": "Rejected"}


def test_remote_stop_unlock_and_reset_intents() -> None:
    state = make_state(V16)
    assert answer(V16, "RemoteStopTransaction", {"transactionId": 5}, state).intents == (StopSession(1, "Remote"),)
    assert answer(V16, "UnlockConnector", {"connectorId": 1}, state).intents == (StopSession(1, "UnlockCommand"),)
    assert answer(V16, "Reset", {"type": "Hard"}, state).intents == (Reboot("HardReset"),)
    onidle = answer(V201, "Reset", {"type": "OnIdle"}, make_state(V201))
    assert onidle.payload == {"status": "Scheduled"} and onidle.intents == ()


def test_configuration_changes() -> None:
    state = make_state(V16)
    result = answer(V16, "ChangeConfiguration", {"key": "HeartbeatInterval", "value": "42"}, state)
    assert result.payload == {"status": "Accepted"} and result.intents == (ConfigChanged("HeartbeatInterval"),)
    assert state.config.number("HeartbeatInterval") == 42
    assert answer(V16, "ChangeConfiguration", {"key": "NumberOfConnectors", "value": "4"}, state).payload == {
        "status": "Rejected"
    }
    result = answer(V201, "SetVariables", {"setVariableData": [INTERVAL | {"attributeValue": "17"}]}, state)
    assert result.payload["setVariableResult"][0]["attributeStatus"] == "Accepted"
    got = answer(V201, "GetVariables", {"getVariableData": [INTERVAL]}, state).payload
    assert got["getVariableResult"][0]["attributeValue"] == "17"


def test_availability_is_scheduled_while_charging() -> None:
    state = make_state(V16)
    result = answer(V16, "ChangeAvailability", {"connectorId": 0, "type": "Inoperative"}, state)
    assert result.payload == {"status": "Scheduled"}
    assert state.connectors[1].pending_inoperative and not state.connectors[2].operative


def test_charging_profile_sets_a_limit() -> None:
    state = make_state(V16)
    state.charging.now = lambda: NOW
    profile = PROFILE_16 | {
        "chargingSchedule": {"chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 10}]}
    }
    answer(V16, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": profile}, state)
    # 10 A on three phases of 230 V on connector 1; nothing limits connector 2.
    assert charging.limit_w(state, state.connectors[1], NOW, 50.0) == 6900.0
    assert charging.limit_w(state, state.connectors[2], NOW, 50.0) is None
    assert answer(V16, "TriggerMessage", {"requestedMessage": "MeterValues", "connectorId": 1}, state).intents == (
        Trigger("MeterValues", 1),
    )


# -- payload builders -----------------------------------------------------------------------------

SAMPLE = msg.Sample(NOW, 12_345_678, 11_000.0, 15.94, 230.0, 55.5)


@pytest.mark.parametrize("kwh", [False, True])
def test_v16_payloads_are_valid(kwh: bool) -> None:
    schemas = schemas_for(V16)
    presentation = msg.Presentation(energy_kwh_labelled_wh=kwh)
    schemas.validate_request("BootNotification", msg.boot_16("V", "M", "S", "F"))
    schemas.validate_request(
        "StatusNotification", msg.status_16(1, "Faulted", NOW, VendorError("OtherError", "E1", "x" * 80))
    )
    schemas.validate_request("StartTransaction", msg.start_transaction_16(1, "TAG", 5, NOW))
    values = msg.meter_values_16(1, 3, [SAMPLE], presentation)
    schemas.validate_request("MeterValues", values)
    energy = values["meterValue"][0]["sampledValue"][0]
    assert energy["value"] == ("12345.678" if kwh else "12345678") and energy["unit"] == "Wh"
    stop = msg.stop_transaction_16(3, 9, NOW, "Local", "TAG", [SAMPLE], presentation)
    schemas.validate_request("StopTransaction", stop)


def test_v201_payloads_are_valid() -> None:
    schemas = schemas_for(V201)
    schemas.validate_request("BootNotification", msg.boot_201("V", "M", "S", "F"))
    schemas.validate_request("StatusNotification", msg.status_201(1, "SuspendedEV", NOW))
    schemas.validate_request("MeterValues", msg.meter_values_201(1, [SAMPLE]))
    event = msg.TxEvent(
        "Ended", NOW, "EVDeparted", 7, "tx", 1, (SAMPLE,), "TAG", stopped_reason="EVDisconnected", offline=True
    )
    payload = msg.transaction_event_201(event)
    schemas.validate_request("TransactionEvent", payload)
    assert payload["offline"] is True and payload["seqNo"] == 7
    schemas.validate_request("NotifyEvent", msg.notify_fault_201(NOW, 1, 1, VendorError("OtherError", "E1", "hot")))
    schemas.validate_request("NotifyEvent", msg.notify_fault_201(NOW, 2, 1, None, cleared=True))


def test_missing_timestamps_break_the_schema_as_the_quirk_claims() -> None:
    presentation = msg.Presentation(omit_meter_timestamps=True)
    payload = msg.meter_values_16(1, 3, [SAMPLE], presentation)
    assert "timestamp" not in payload["meterValue"][0]
    with pytest.raises(Exception, match="timestamp"):
        schemas_for(V16).validate_request("MeterValues", payload)


def test_backoff_doubles_up_to_repeat_times() -> None:
    delays = [backoff_delay(n, minimum_s=3, random_range_s=0, repeat_times=2, rng=random.Random(0)) for n in range(5)]
    assert delays == [3, 6, 12, 12, 12]


def test_local_controller_publish_and_unpublish() -> None:
    state = make_state(V201)
    checksum = "ab" * 16
    accepted = answer(
        V201, "PublishFirmware", {"location": "http://cb/fw.bin", "checksum": checksum, "requestId": 4}, state
    )
    assert accepted.payload == {"status": "Accepted"} and len(accepted.intents) == 1
    busy = answer(V201, "UnpublishFirmware", {"checksum": checksum}, state)
    assert busy.payload == {"status": "DownloadOngoing"}
    state.pnc.published[checksum] = "published"
    assert answer(V201, "UnpublishFirmware", {"checksum": checksum}, state).payload == {"status": "Unpublished"}
    assert answer(V201, "UnpublishFirmware", {"checksum": checksum}, state).payload == {"status": "NoFirmware"}


def test_transaction_status_reports_the_queue() -> None:
    state = make_state(V201)
    state.pnc.queued = lambda tx: tx in (None, "TX-Q")
    state.pnc.ongoing = lambda tx: tx == "TX-Q"
    got = answer(V201, "GetTransactionStatus", {"transactionId": "TX-Q"}, state).payload
    assert got == {"messagesInQueue": True, "ongoingIndicator": True}
    got = answer(V201, "GetTransactionStatus", {"transactionId": "TX-OTHER"}, state).payload
    assert got == {"messagesInQueue": False, "ongoingIndicator": False}
    assert answer(V201, "GetTransactionStatus", {}, state).payload == {"messagesInQueue": True}
