"""The translating gateway's pure core: what each message becomes, with no sockets and no database."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion, schemas_for
from chargebridge.translate import keys
from chargebridge.translate.model import CannotTranslate, CommandPlan, Delivery, StationState, StationStep
from chargebridge.translate.translations import (
    Passthrough,
    Station16Upstream201,
    Station201Upstream16,
    TranslationOptions,
)

NOW = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
S16 = schemas_for(OcppVersion.V16)
S201 = schemas_for(OcppVersion.V201)


def ts(seconds: float = 0) -> str:
    return (NOW + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def tx_ids() -> Any:
    counter = itertools.count(1)
    return lambda: f"00000000-0000-4000-8000-{next(counter):012d}"


@pytest.fixture
def up201() -> Station16Upstream201:
    return Station16Upstream201(TranslationOptions(), new_transaction_id=tx_ids())


@pytest.fixture
def up16() -> Station201Upstream16:
    return Station201Upstream16(TranslationOptions(get_variables_batch=4))


def call(tr: Any, state: StationState, action: str, payload: dict[str, Any]) -> StationStep:
    tr.station_schemas.validate_request(action, payload)
    step: StationStep = tr.station_call(state, action, payload, NOW)
    for out in step.outbound:
        tr.upstream_schemas.validate_request(out.action, out.payload)
    return step


def answer(tr: Any, state: StationState, step: StationStep, index: int, payload: dict[str, Any]) -> Any:
    out = step.outbound[index]
    tr.upstream_schemas.validate_response(out.action, payload)
    effect = tr.on_answer(state, out, payload, NOW)
    if effect.reply is not None and out.station_action is not None:
        tr.station_schemas.validate_response(out.station_action, effect.reply)
    return effect


def command(tr: Any, state: StationState, action: str, payload: dict[str, Any], answers: list[Any]) -> dict[str, Any]:
    tr.upstream_schemas.validate_request(action, payload)
    plan: CommandPlan = tr.upstream_command(state, action, payload, NOW, 0)
    if plan.local is not None:
        result = plan.local
    else:
        for station_call in plan.calls:
            tr.station_schemas.validate_request(station_call.action, station_call.payload)
        assert plan.finish is not None
        result = plan.finish(answers)
    tr.upstream_schemas.validate_response(action, result)
    return result


# -- a 1.6 charge point on a 2.0.1 CSMS ----------------------------------------------------------


def test_16_boot_becomes_a_201_boot_and_its_answer_comes_back(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    boot = {
        "chargePointVendor": "Acme",
        "chargePointModel": "AC22",
        "chargePointSerialNumber": "S1",
        "firmwareVersion": "2.1",
    }
    step = call(up201, state, "BootNotification", boot)
    out = step.outbound[0]
    assert out.delivery is Delivery.STATE and out.slot == "boot"
    assert out.payload == {
        "chargingStation": {"model": "AC22", "vendorName": "Acme", "serialNumber": "S1", "firmwareVersion": "2.1"},
        "reason": "PowerUp",
    }
    assert step.reply is not None and step.reply["status"] == "Pending"  # never accepted: Pending when offline
    effect = answer(up201, state, step, 0, {"currentTime": ts(), "interval": 120, "status": "Accepted"})
    assert effect.reply == {"status": "Accepted", "currentTime": ts(), "interval": 120}
    assert state.boot_interval == 120
    again = call(up201, state, "BootNotification", boot)
    assert again.reply is not None and again.reply["status"] == "Accepted"  # accepted before: Accepted offline


def test_16_session_is_one_201_transaction_with_seq_nos_per_station(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    start = call(
        up201,
        state,
        "StartTransaction",
        {"connectorId": 2, "idTag": "TAG-1", "meterStart": 1000, "timestamp": ts(), "reservationId": 7},
    )
    started = start.outbound[0]
    assert started.delivery is Delivery.DURABLE
    assert started.payload == {
        "eventType": "Started",
        "timestamp": ts(),
        "triggerReason": "Authorized",
        "seqNo": 0,
        "transactionInfo": {"transactionId": "00000000-0000-4000-8000-000000000001"},
        "reservationId": 7,
        "evse": {"id": 2, "connectorId": 1},
        "idToken": {"idToken": "TAG-1", "type": "ISO14443"},
        "meterValue": [
            {
                "timestamp": ts(),
                "sampledValue": [
                    {
                        "value": 1000,
                        "context": "Transaction.Begin",
                        "measurand": "Energy.Active.Import.Register",
                        "unitOfMeasure": {"unit": "Wh"},
                    }
                ],
            }
        ],
    }
    assert start.reply == {"transactionId": 1, "idTagInfo": {"status": "Accepted"}}  # answered at once when offline
    effect = answer(up201, state, start, 0, {"idTokenInfo": {"status": "Blocked"}})
    assert effect.reply == {"transactionId": 1, "idTagInfo": {"status": "Blocked"}}

    meter = {
        "connectorId": 2,
        "transactionId": 1,
        "meterValue": [
            {
                "timestamp": ts(60),
                "sampledValue": [
                    {"value": "1.5", "measurand": "Energy.Active.Import.Register", "unit": "kWh"},
                    {"value": "7.2", "measurand": "Power.Active.Import", "unit": "kW"},
                ],
            }
        ],
    }
    updated = call(up201, state, "MeterValues", meter).outbound[0].payload
    assert updated["eventType"] == "Updated" and updated["seqNo"] == 1
    assert updated["triggerReason"] == "MeterValuePeriodic"
    assert updated["transactionInfo"]["transactionId"] == started.payload["transactionInfo"]["transactionId"]
    assert [v["value"] for v in updated["meterValue"][0]["sampledValue"]] == [1500, 7200]

    stop = call(
        up201,
        state,
        "StopTransaction",
        {"transactionId": 1, "meterStop": 2500, "timestamp": ts(120), "reason": "EVDisconnected", "idTag": "TAG-1"},
    )
    ended = stop.outbound[0].payload
    assert ended["eventType"] == "Ended" and ended["seqNo"] == 2
    assert ended["triggerReason"] == "EVDeparted"
    assert ended["transactionInfo"]["stoppedReason"] == "EVDisconnected"
    end_values = [v for mv in ended["meterValue"] for v in mv["sampledValue"]]
    assert {"value": 2500, "context": "Transaction.End"}.items() <= end_values[-1].items()

    # a second transaction keeps counting seqNo for the station, with a new transaction id
    second = call(
        up201, state, "StartTransaction", {"connectorId": 1, "idTag": "T2", "meterStart": 0, "timestamp": ts(300)}
    )
    assert second.outbound[0].payload["seqNo"] == 3
    assert second.reply == {"transactionId": 2, "idTagInfo": {"status": "Accepted"}}


def test_16_start_sent_again_is_answered_with_the_same_id_and_not_forwarded(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    payload = {"connectorId": 1, "idTag": "TAG-1", "meterStart": 5, "timestamp": ts()}
    first = call(up201, state, "StartTransaction", payload)
    again = call(up201, state, "StartTransaction", payload)
    assert again.outbound == [] and again.reply == first.reply
    assert state.seq_no == 1
    stop = {"transactionId": 1, "meterStop": 10, "timestamp": ts(5)}
    call(up201, state, "StopTransaction", stop)
    assert call(up201, state, "StopTransaction", stop).outbound == []  # a repeated stop is not an event


def test_16_stop_of_an_unknown_transaction_still_reaches_the_upstream(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    step = call(up201, state, "StopTransaction", {"transactionId": 99, "meterStop": 10, "timestamp": ts()})
    payload = step.outbound[0].payload
    assert payload["eventType"] == "Ended" and len(payload["transactionInfo"]["transactionId"]) == 36
    assert any("unknown transaction 99" in note for note in step.notes)


def test_16_status_faults_and_charging_states(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    step = call(
        up201,
        state,
        "StatusNotification",
        {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted", "info": "leak", "timestamp": ts()},
    )
    status, problem = step.outbound
    assert status.payload == {"timestamp": ts(), "connectorStatus": "Faulted", "evseId": 1, "connectorId": 1}
    assert status.delivery is Delivery.STATE and status.slot == "status:1"
    event = problem.payload["eventData"][0]
    assert problem.delivery is Delivery.DURABLE
    assert (event["component"], event["variable"], event["actualValue"], event["techCode"]) == (
        {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
        {"name": "Problem"},
        "true",
        "GroundFailure",
    )
    cleared = call(
        up201, state, "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"}
    )
    clear_event = cleared.outbound[1].payload
    assert clear_event["eventData"][0]["cleared"] is True and clear_event["seqNo"] == 1
    assert clear_event["eventData"][0]["eventId"] == event["eventId"] + 1
    # connector 0 is the station as a whole: its availability is a NotifyEvent
    station = call(
        up201, state, "StatusNotification", {"connectorId": 0, "errorCode": "NoError", "status": "Unavailable"}
    )
    assert station.outbound[0].action == "NotifyEvent"
    assert station.outbound[0].payload["eventData"][0]["variable"] == {"name": "AvailabilityState"}
    # during a transaction a 1.6 Charging / SuspendedEV status is a charging state change
    call(up201, state, "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": ts()})
    suspended = call(
        up201, state, "StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "SuspendedEV"}
    )
    change = suspended.outbound[-1].payload
    assert change["triggerReason"] == "ChargingStateChanged"
    assert change["transactionInfo"]["chargingState"] == "SuspendedEV"


def test_16_remote_start_carries_the_remote_start_id(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    request = {"idToken": {"idToken": "TAG-9", "type": "ISO14443"}, "remoteStartId": 4711, "evseId": 2}
    plan = up201.upstream_command(state, "RequestStartTransaction", request, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [
        ("RemoteStartTransaction", {"idTag": "TAG-9", "connectorId": 2})
    ]
    assert plan.finish is not None and plan.finish([{"status": "Accepted"}]) == {"status": "Accepted"}
    start = call(
        up201, state, "StartTransaction", {"connectorId": 2, "idTag": "TAG-9", "meterStart": 0, "timestamp": ts()}
    )
    payload = start.outbound[0].payload
    assert payload["triggerReason"] == "RemoteStart"
    assert payload["transactionInfo"]["remoteStartId"] == 4711
    assert state.remote_starts == []


def test_16_reset_stop_and_unsupported_commands(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    plan = up201.upstream_command(state, "Reset", {"type": "Immediate"}, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [("Reset", {"type": "Hard"})]
    assert plan.finish is not None and plan.finish([{"status": "Accepted"}]) == {"status": "Accepted"}
    assert state.boot_reason == "RemoteReset"
    assert up201.upstream_command(state, "Reset", {"type": "OnIdle"}, NOW, 0).calls[0].payload == {"type": "Soft"}
    evse_reset = command(up201, state, "Reset", {"type": "Immediate", "evseId": 1}, [])
    assert evse_reset["status"] == "Rejected"
    unknown_stop = command(up201, state, "RequestStopTransaction", {"transactionId": "nope"}, [])
    assert unknown_stop == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "TxNotFound", "additionalInfo": "no such transaction is running"},
    }
    with pytest.raises(CannotTranslate) as excinfo:
        up201.upstream_command(state, "GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}, NOW, 0)
    assert "no OCPP 1.6 equivalent" in excinfo.value.description


def test_16_charging_profile_loses_only_what_16_cannot_say(up201: Station16Upstream201) -> None:
    """phaseToUse and an ISO 15118 sales tariff are left out with a note; the rest goes through the
    smart-charging adapter (limits at the 0.1 1.6 allows); three schedules cannot be said at all."""
    state = StationState("CP1")
    schedule = {
        "id": 5,
        "chargingRateUnit": "A",
        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.04, "numberPhases": 1, "phaseToUse": 2}],
        "salesTariff": {"id": 1, "salesTariffEntry": [{"relativeTimeInterval": {"start": 0}}]},
    }
    profile = {
        "id": 7,
        "stackLevel": 1,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": [schedule],
    }
    request = {"evseId": 1, "chargingProfile": profile}
    plan = up201.upstream_command(state, "SetChargingProfile", request, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [
        (
            "SetChargingProfile",
            {
                "connectorId": 1,
                "csChargingProfiles": {
                    "chargingProfileId": 7,
                    "stackLevel": 1,
                    "chargingProfilePurpose": "TxDefaultProfile",
                    "chargingProfileKind": "Relative",
                    "chargingSchedule": {
                        "chargingRateUnit": "A",
                        "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 16.0, "numberPhases": 1}],
                    },
                },
            },
        )
    ]
    assert plan.notes == [
        "salesTariff (ISO 15118) has no 1.6 form and was left out",
        "phaseToUse has no 1.6 form and was left out",
    ]
    assert command(up201, state, "SetChargingProfile", request, [{"status": "NotSupported"}]) == {
        "status": "Rejected",
        "statusInfo": {"reasonCode": "UnsupportedRequest", "additionalInfo": "the station answered NotSupported"},
    }
    three = {**request, "chargingProfile": {**profile, "chargingSchedule": [schedule] * 3}}
    with pytest.raises(CannotTranslate):
        up201.upstream_command(state, "SetChargingProfile", three, NOW, 0)


def test_16_composite_schedule_needs_a_duration_for_201(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    schedule = {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}]}
    answer16 = {"status": "Accepted", "scheduleStart": ts(), "chargingSchedule": {**schedule, "duration": 600}}
    result = command(up201, state, "GetCompositeSchedule", {"duration": 600, "evseId": 2}, [answer16])
    assert result == {
        "status": "Accepted",
        "schedule": {
            "evseId": 2,  # the EVSE asked for (1.6 leaves connectorId out of the answer)
            "duration": 600,
            "scheduleStart": ts(),
            "chargingRateUnit": "W",
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7400.0}],
        },
    }
    without_duration = {**answer16, "chargingSchedule": schedule}
    assert command(up201, state, "GetCompositeSchedule", {"duration": 600, "evseId": 2}, [without_duration]) == {
        "status": "Accepted"
    }


def test_16_diagnostics_log_is_get_diagnostics(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    diagnostics = {"logType": "DiagnosticsLog", "requestId": 12, "log": {"remoteLocation": "ftp://logs.example/"}}
    plan = up201.upstream_command(state, "GetLog", diagnostics, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [("GetDiagnostics", {"location": "ftp://logs.example/"})]
    assert plan.finish is not None and plan.finish([{"fileName": "d.zip"}]) == {
        "status": "Accepted",
        "filename": "d.zip",
    }
    assert (state.log_request, state.log_kind) == (12, "diagnostics")
    assert command(up201, state, "GetLog", diagnostics, [{}]) == {"status": "Rejected"}
    security = {**diagnostics, "logType": "SecurityLog", "requestId": 13}
    plan = up201.upstream_command(state, "GetLog", security, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [("GetLog", security)]


def test_16_remote_stop_uses_the_stations_integer_id(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    start = call(up201, state, "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": ts()})
    uuid_id = start.outbound[0].payload["transactionInfo"]["transactionId"]
    plan = up201.upstream_command(state, "RequestStopTransaction", {"transactionId": uuid_id}, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [("RemoteStopTransaction", {"transactionId": 1})]


def test_16_variables_become_configuration_keys(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    request = {
        "getVariableData": [
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"component": {"name": "SmartChargingCtrlr"}, "variable": {"name": "RateUnit"}},
            {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "NoSuchThing"}},
            {"component": {"name": "Vendorish"}, "variable": {"name": "X"}},
        ]
    }
    plan = up201.upstream_command(state, "GetVariables", request, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [
        ("GetConfiguration", {"key": ["ChargingScheduleAllowedChargingRateUnit", "HeartbeatInterval"]})
    ]
    station_answer = {
        "configurationKey": [
            {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
            {"key": "ChargingScheduleAllowedChargingRateUnit", "readonly": True, "value": "Current,Power"},
        ]
    }
    result = command(up201, state, "GetVariables", request, [station_answer])
    assert [(r["attributeStatus"], r.get("attributeValue")) for r in result["getVariableResult"]] == [
        ("Accepted", "300"),
        ("Accepted", "A,W"),
        ("UnknownVariable", None),
        ("UnknownComponent", None),
    ]
    set_request = {
        "setVariableData": [
            {"attributeValue": "60", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
            {"attributeValue": "9", "component": {"name": "SecurityCtrlr"}, "variable": {"name": "SecurityProfile"}},
            {"attributeValue": "1", "component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "ResetRetries"}},
        ]
    }
    plan = up201.upstream_command(state, "SetVariables", set_request, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [
        ("ChangeConfiguration", {"key": "HeartbeatInterval", "value": "60"}),
        ("ChangeConfiguration", {"key": "ResetRetries", "value": "1"}),
    ]
    result = command(up201, state, "SetVariables", set_request, [{"status": "Accepted"}, {"status": "NotSupported"}])
    assert [r["attributeStatus"] for r in result["setVariableResult"]] == ["Accepted", "Rejected", "UnknownVariable"]


def test_16_basic_auth_password_is_the_upstream_credential(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    request = {
        "setVariableData": [
            {
                "attributeValue": "n3w-Passw0rd-1234",
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "BasicAuthPassword"},
            }
        ]
    }
    plan = up201.upstream_command(state, "SetVariables", request, NOW, 0)
    assert plan.calls == [] and plan.reconnect_upstream
    assert plan.finish is not None and plan.finish([])["setVariableResult"][0]["attributeStatus"] == "Accepted"
    assert state.upstream_password == "n3w-Passw0rd-1234"


def test_16_offline_replay_sets_the_offline_flag(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    out = call(
        up201, state, "StartTransaction", {"connectorId": 1, "idTag": "T", "meterStart": 0, "timestamp": ts()}
    ).outbound[0]
    assert "offline" not in up201.prepare(state, out, offline=False)
    replayed = up201.prepare(state, out, offline=True)
    assert replayed["offline"] is True
    S201.validate_request("TransactionEvent", replayed)


def test_16_untranslatable_station_message_says_why(up201: Station16Upstream201) -> None:
    state = StationState("CP1")
    rpm_only = {
        "connectorId": 1,
        "meterValue": [{"timestamp": ts(), "sampledValue": [{"value": "1200", "measurand": "RPM"}]}],
    }
    with pytest.raises(CannotTranslate) as excinfo:
        call(up201, state, "MeterValues", rpm_only)
    assert "2.0.1" in excinfo.value.description
    assert state.seq_no == 0


# -- a 2.0.1 charging station on a 1.6 Central System --------------------------------------------


def event(event_type: str, seq_no: int, **extra: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "eventType": event_type,
        "timestamp": ts(seq_no),
        "triggerReason": extra.pop("trigger", "Updated" and "MeterValuePeriodic"),
        "seqNo": seq_no,
        "transactionInfo": {"transactionId": "tx-A", **extra.pop("info", {})},
    }
    payload.update(extra)
    return payload


def register(wh: int, context: str = "Sample.Periodic") -> list[dict[str, Any]]:
    return [
        {
            "timestamp": ts(),
            "sampledValue": [{"value": wh, "context": context, "measurand": "Energy.Active.Import.Register"}],
        }
    ]


def test_201_transaction_without_token_waits_for_one_then_becomes_a_16_session(up16: Station201Upstream16) -> None:
    state = StationState("CS1")
    started = call(
        up16,
        state,
        "TransactionEvent",
        event(
            "Started",
            0,
            trigger="CablePluggedIn",
            evse={"id": 1, "connectorId": 1},
            meterValue=register(500, "Transaction.Begin"),
        ),
    )
    assert started.outbound == [] and started.reply == {}
    early = call(up16, state, "TransactionEvent", event("Updated", 1, meterValue=register(600)))
    assert early.outbound == []  # kept until the transaction has a token
    authorized = call(
        up16,
        state,
        "TransactionEvent",
        event(
            "Updated",
            2,
            trigger="Authorized",
            idToken={"idToken": "TAG-1", "type": "ISO14443"},
            meterValue=register(700),
        ),
    )
    actions = [out.action for out in authorized.outbound]
    assert actions == ["StartTransaction", "MeterValues", "MeterValues"]
    assert authorized.outbound[0].payload == {"connectorId": 1, "idTag": "TAG-1", "meterStart": 500, "timestamp": ts(0)}
    assert authorized.relay == 0
    effect = answer(up16, state, authorized, 0, {"transactionId": 42, "idTagInfo": {"status": "Accepted"}})
    assert effect.reply == {"idTokenInfo": {"status": "Accepted"}}
    assert up16.prepare(state, authorized.outbound[1], offline=False)["transactionId"] == 42
    ended = call(
        up16,
        state,
        "TransactionEvent",
        event(
            "Ended",
            3,
            trigger="StopAuthorized",
            info={"stoppedReason": "ImmediateReset"},
            meterValue=register(900, "Transaction.End"),
        ),
    )
    stop = ended.outbound[-1]
    assert stop.action == "StopTransaction"
    prepared = up16.prepare(state, stop, offline=False)
    assert (prepared["transactionId"], prepared["meterStop"], prepared["reason"]) == (42, 900, "HardReset")
    assert call(up16, state, "TransactionEvent", event("Ended", 3)).outbound == []  # re-sent seqNo: not again


def test_201_transaction_that_ends_before_any_token_is_reported_anonymously(up16: Station201Upstream16) -> None:
    state = StationState("CS1")
    call(up16, state, "TransactionEvent", event("Started", 0, trigger="EVDetected", evse={"id": 2}))
    ended = call(up16, state, "TransactionEvent", event("Ended", 1, trigger="EVDeparted", meterValue=register(100)))
    assert [out.action for out in ended.outbound] == ["StartTransaction", "StopTransaction"]
    assert ended.outbound[0].payload["idTag"] == "NoAuthorization"


def test_201_statuses_follow_the_transaction(up16: Station201Upstream16) -> None:
    state = StationState("CS1")

    def status(value: str) -> str:
        payload = {"timestamp": ts(), "connectorStatus": value, "evseId": 1, "connectorId": 1}
        out = call(up16, state, "StatusNotification", payload).outbound[0]
        return str(out.payload["status"])

    assert status("Occupied") == "Preparing"
    call(
        up16,
        state,
        "TransactionEvent",
        event(
            "Started",
            0,
            trigger="Authorized",
            evse={"id": 1},
            idToken={"idToken": "T", "type": "ISO14443"},
            info={"chargingState": "Charging"},
        ),
    )
    assert status("Occupied") == "Charging"
    call(up16, state, "TransactionEvent", event("Ended", 1, trigger="StopAuthorized", meterValue=register(5)))
    assert status("Occupied") == "Finishing"
    assert status("Available") == "Available"


def test_201_problem_events_are_faulted_statuses(up16: Station201Upstream16) -> None:
    state = StationState("CS1")
    notify = {
        "generatedAt": ts(),
        "seqNo": 0,
        "eventData": [
            {
                "eventId": 1,
                "timestamp": ts(),
                "trigger": "Delta",
                "actualValue": "true",
                "techCode": "GroundFailure",
                "techInfo": "leak",
                "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
                "variable": {"name": "Problem"},
                "eventNotificationType": "HardWiredNotification",
            }
        ],
    }
    out = call(up16, state, "NotifyEvent", notify).outbound[0]
    assert out.payload == {
        "connectorId": 1,
        "errorCode": "GroundFailure",
        "status": "Faulted",
        "timestamp": ts(),
        "info": "leak",
    }
    monitoring = {**notify, "eventData": [{**notify["eventData"][0], "variable": {"name": "Temperature"}}]}
    with pytest.raises(CannotTranslate):
        call(up16, state, "NotifyEvent", monitoring)
    with pytest.raises(CannotTranslate):
        up16.station_call(state, "NotifyReport", {"requestId": 1, "generatedAt": ts(), "seqNo": 0}, NOW)


def test_201_remote_start_gets_a_remote_start_id(up16: Station201Upstream16) -> None:
    state = StationState("CS1")
    plan = up16.upstream_command(state, "RemoteStartTransaction", {"idTag": "TAG-1", "connectorId": 1}, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [
        (
            "RequestStartTransaction",
            {"idToken": {"idToken": "TAG-1", "type": "ISO14443"}, "remoteStartId": 1, "evseId": 1},
        )
    ]
    assert plan.finish is not None and plan.finish([{"status": "Accepted"}]) == {"status": "Accepted"}
    assert command(up16, state, "Reset", {"type": "Soft"}, [{"status": "Scheduled"}]) == {"status": "Accepted"}


def test_201_profile_schedule_gets_the_profile_id(up16: Station201Upstream16) -> None:
    state = StationState("CS1")
    profile = {
        "chargingProfileId": 31,
        "stackLevel": 0,
        "chargingProfilePurpose": "ChargePointMaxProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": {
            "chargingRateUnit": "W",
            "startSchedule": ts(),
            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
        },
    }
    plan = up16.upstream_command(state, "SetChargingProfile", {"connectorId": 0, "csChargingProfiles": profile}, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [
        (
            "SetChargingProfile",
            {
                "evseId": 0,
                "chargingProfile": {
                    "id": 31,
                    "stackLevel": 0,
                    "chargingProfilePurpose": "ChargingStationMaxProfile",
                    "chargingProfileKind": "Absolute",
                    "chargingSchedule": [
                        {
                            "id": 31,
                            "chargingRateUnit": "W",
                            "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 11000.0}],
                            "startSchedule": ts(),
                        }
                    ],
                },
            },
        )
    ]


def test_local_lists_keep_the_rules_of_the_smart_list_commands(
    up201: Station16Upstream201, up16: Station201Upstream16
) -> None:
    """Local lists go through the authorization adapters: a Full list names every entry's status,
    and 2.0.1 numbers list versions from 1 (D01.FR.18); a message breaking either is refused."""
    state = StationState("CS1")
    with pytest.raises(CannotTranslate, match="above 0"):
        up16.upstream_command(state, "SendLocalList", {"listVersion": 0, "updateType": "Full"}, NOW, 0)
    entry = {"idToken": {"idToken": "OLD", "type": "ISO14443"}}
    full = {"versionNumber": 3, "updateType": "Full", "localAuthorizationList": [entry]}
    with pytest.raises(CannotTranslate, match="idTagInfo for every entry"):
        up201.upstream_command(state, "SendLocalList", full, NOW, 0)
    plan = up201.upstream_command(state, "SendLocalList", {**full, "updateType": "Differential"}, NOW, 0)
    assert [(c.action, c.payload) for c in plan.calls] == [
        (
            "SendLocalList",
            {"listVersion": 3, "updateType": "Differential", "localAuthorizationList": [{"idTag": "OLD"}]},
        )
    ]


def test_201_configuration_keys_become_variables(up16: Station201Upstream16) -> None:
    state = StationState("CS1")
    plan = up16.upstream_command(state, "GetConfiguration", {}, NOW, 0)
    everything = [m for m in keys.CONFIG_KEYS if not m.gateway]
    assert len(plan.calls) == -(-len(everything) // 4)  # in batches of get_variables_batch
    answers = [
        {
            "getVariableResult": [
                {"attributeStatus": "Accepted", "attributeValue": "300", **item}
                if item["variable"]["name"] == "HeartbeatInterval"
                else {"attributeStatus": "UnknownVariable", **item}
                for item in call_.payload["getVariableData"]
            ]
        }
        for call_ in plan.calls
    ]
    assert plan.finish is not None
    assert plan.finish(answers) == {
        "configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "300"}]
    }
    change = command(
        up16,
        state,
        "ChangeConfiguration",
        {"key": "HeartbeatInterval", "value": "60"},
        [
            {
                "setVariableResult": [
                    {
                        "attributeStatus": "RebootRequired",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                    }
                ]
            }
        ],
    )
    assert change == {"status": "RebootRequired"}
    assert command(up16, state, "ChangeConfiguration", {"key": "Nope", "value": "1"}, []) == {"status": "NotSupported"}
    password = up16.upstream_command(
        state, "ChangeConfiguration", {"key": "AuthorizationKey", "value": "41" * 16}, NOW, 0
    )
    assert password.local == {"status": "Accepted"} and password.reconnect_upstream
    assert state.upstream_password == "A" * 16


def test_201_long_tokens_are_refused_locally(up16: Station201Upstream16) -> None:
    state = StationState("CS1")
    step = call(up16, state, "Authorize", {"idToken": {"idToken": "X" * 30, "type": "eMAID"}})
    assert step.outbound == [] and step.reply == {"idTokenInfo": {"status": "Invalid"}}


# -- same version ---------------------------------------------------------------------------------


def test_passthrough_keeps_frames_and_queues_transaction_messages() -> None:
    same = Passthrough(OcppVersion.V201)
    state = StationState("CS1")
    payload = event("Started", 0, trigger="Authorized", idToken={"idToken": "T", "type": "ISO14443"})
    step = call(same, state, "TransactionEvent", payload)
    assert step.outbound[0].payload == payload and step.outbound[0].delivery is Delivery.DURABLE
    assert step.reply == {"idTokenInfo": {"status": "Accepted"}}
    assert same.prepare(state, step.outbound[0], offline=True)["offline"] is True
    notify = call(same, state, "NotifyReport", {"requestId": 1, "generatedAt": ts(), "seqNo": 0})
    assert notify.outbound[0].delivery is Delivery.LIVE and notify.reply is None
    plan = same.upstream_command(state, "GetBaseReport", {"requestId": 1, "reportBase": "FullInventory"}, NOW, 0)
    assert plan.calls[0].action == "GetBaseReport"


def test_state_survives_its_json_form() -> None:
    state = StationState("CP1", seq_no=7, event_id=3)
    state.boot_interval = 300
    state.connector(1).error = "GroundFailure"
    state.slots["status:1"] = ("StatusNotification", {"x": 1})
    state.upstream_password = "secret"
    copy = StationState("CP1")
    copy.load_json(state.state_json())
    assert copy.state_json() == state.state_json()
