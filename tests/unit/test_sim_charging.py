"""A simulated station's smart charging: the rules it applies to profiles, what it reports, the limit
its EV draws at (pure; the flows over sockets are in tests/integration/test_smart_charging.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chargebridge.domain import charging as ch
from chargebridge.rpc import OcppVersion, schemas_for
from chargebridge.sim import charging
from chargebridge.sim.commands import SendMessages, answer
from chargebridge.sim.ev import ChargerKind, ChargerSpec, EvState, Vehicle
from chargebridge.sim.state import ConfigStore, Connector, Session, StationState

V16, V201 = OcppVersion.V16, OcppVersion.V201
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def state(*, iso15118: bool = False) -> StationState:
    spec = ChargerSpec(ChargerKind.AC, 11_000)
    connectors = {1: Connector(1, spec), 2: Connector(2, spec)}
    connectors[1].session = Session(
        local_id=1,
        connector_id=1,
        id_token="A",
        id_token_type="ISO14443",
        ev=EvState(Vehicle(50_000, 11_000, 50_000), 30.0),
        meter_start_wh=0,
        started_at=NOW - timedelta(minutes=10),
        started_elapsed=0.0,
        ends_at=None,
        transaction_id="5",
    )
    result = StationState(connectors, ConfigStore({"NumberOfConnectors": "2"}))
    result.charging.now = lambda: NOW
    result.charging.iso15118 = iso15118
    return result


def p201(pid: int, purpose: str, limit: float = 16.0, **extra: Any) -> dict[str, Any]:
    return {
        "id": pid,
        "stackLevel": extra.pop("stackLevel", 0),
        "chargingProfilePurpose": purpose,
        "chargingProfileKind": "Relative",
        "chargingSchedule": [
            {"id": 1, "chargingRateUnit": "A", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": limit}]}
        ],
        **extra,
    }


def set201(st: StationState, evse: int, profile: dict[str, Any]) -> dict[str, Any]:
    payload = {"evseId": evse, "chargingProfile": profile}
    schemas_for(V201).validate_request("SetChargingProfile", payload)
    result = answer(V201, "SetChargingProfile", payload, st).payload
    schemas_for(V201).validate_response("SetChargingProfile", result)
    return result


def test_a_conformant_station_refuses_what_k01_forbids() -> None:
    st = state()
    assert set201(st, 9, p201(1, "TxDefaultProfile"))["statusInfo"]["reasonCode"] == "UnknownEVSE"
    assert set201(st, 1, p201(1, "ChargingStationMaxProfile"))["status"] == "Rejected"
    assert set201(st, 1, p201(1, "ChargingStationExternalConstraints"))["status"] == "Rejected"
    assert set201(st, 1, p201(1, "TxProfile"))["statusInfo"]["reasonCode"] == "MissingParam"
    assert set201(st, 2, p201(1, "TxProfile", transactionId="5"))["statusInfo"]["reasonCode"] == "TxNotFound"
    assert set201(st, 1, p201(1, "TxProfile", transactionId="other"))["statusInfo"]["reasonCode"] == "TxNotFound"
    assert st.charging.profiles == {}
    assert set201(st, 1, p201(1, "TxProfile", transactionId="5")) == {"status": "Accepted"}
    # K01.FR.39: another TxProfile for the transaction at the same stack level
    assert set201(st, 1, p201(2, "TxProfile", transactionId="5"))["statusInfo"]["reasonCode"] == "InvalidStackLevel"
    assert sorted(st.charging.profiles) == [1]


def test_16_tx_profile_needs_a_transaction_and_same_slot_replaces() -> None:
    st = state()
    profile = {
        "chargingProfileId": 3,
        "stackLevel": 1,
        "chargingProfilePurpose": "TxProfile",
        "chargingProfileKind": "Relative",
        "chargingSchedule": {"chargingRateUnit": "W", "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 4000}]},
    }
    assert answer(V16, "SetChargingProfile", {"connectorId": 2, "csChargingProfiles": profile}, st).payload == {
        "status": "Rejected"
    }
    assert answer(V16, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": profile}, st).payload == {
        "status": "Accepted"
    }
    replacement = profile | {"chargingProfileId": 4}
    answer(V16, "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": replacement}, st)
    assert sorted(st.charging.profiles) == [4]  # same connector, purpose and stack level: replaced
    assert charging.limit_w(st, st.connectors[1], NOW, 50.0) == 4000.0
    charging.transaction_ended(st, 1)
    assert st.charging.profiles == {}


def test_clear_keeps_external_constraints_and_says_unknown_when_nothing_matched() -> None:
    st = state()
    set201(st, 1, p201(1, "TxDefaultProfile"))
    set201(st, 2, p201(2, "TxDefaultProfile", stackLevel=1))
    external = ch.InstalledProfile(
        0,
        ch.ChargingProfile(
            9,
            0,
            ch.ProfilePurpose.EXTERNAL,
            ch.ProfileKind.RELATIVE,
            (ch.ChargingSchedule(ch.RateUnit.AMPERES, (ch.SchedulePeriod(0, 20.0),)),),
        ),
    )
    st.charging.profiles[9] = external
    clear = answer(V201, "ClearChargingProfile", {"chargingProfileCriteria": {"stackLevel": 1}}, st)
    assert clear.payload == {"status": "Accepted"} and sorted(st.charging.profiles) == [1, 9]
    assert answer(V201, "ClearChargingProfile", {"chargingProfileId": 9}, st).payload == {"status": "Unknown"}
    assert answer(V201, "ClearChargingProfile", {}, st).payload == {"status": "Accepted"}
    assert sorted(st.charging.profiles) == [9]


def test_get_charging_profiles_reports_per_evse_and_source_with_tbc() -> None:
    st = state()
    set201(st, 1, p201(1, "TxDefaultProfile"))
    set201(st, 2, p201(2, "TxDefaultProfile"))
    result = answer(V201, "GetChargingProfiles", {"requestId": 8, "chargingProfile": {}}, st)
    assert result.payload == {"status": "Accepted"}
    (send,) = result.intents
    assert isinstance(send, SendMessages)
    reports = [payload for action, payload in send.messages if action == "ReportChargingProfiles"]
    assert [(r["evseId"], r.get("tbc", False), [p["id"] for p in r["chargingProfile"]]) for r in reports] == [
        (1, True, [1]),
        (2, False, [2]),
    ]
    for report in reports:
        schemas_for(V201).validate_request("ReportChargingProfiles", report)
    empty = answer(V201, "GetChargingProfiles", {"requestId": 9, "chargingProfile": {"stackLevel": 5}}, st)
    assert empty.payload == {"status": "NoProfiles"} and empty.intents == ()


def test_composite_schedule_answers_in_both_versions() -> None:
    st = state()
    set201(st, 1, p201(1, "TxDefaultProfile", limit=10.0))
    v201 = answer(V201, "GetCompositeSchedule", {"evseId": 1, "duration": 300, "chargingRateUnit": "W"}, st).payload
    schemas_for(V201).validate_response("GetCompositeSchedule", v201)
    assert v201["schedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 6900.0}]
    v16 = answer(V16, "GetCompositeSchedule", {"connectorId": 2, "duration": 300}, st).payload
    schemas_for(V16).validate_response("GetCompositeSchedule", v16)
    # EVSE 2 has the station-wide nothing and its own nothing: its maximum, 11 kW = 15.9 A
    assert v16["chargingSchedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 15.9}]
    assert answer(V16, "GetCompositeSchedule", {"connectorId": 7, "duration": 60}, st).payload == {"status": "Rejected"}


def test_segments_split_the_charging_interval_at_each_period() -> None:
    st = state()
    absolute = {
        "id": 4,
        "stackLevel": 0,
        "chargingProfilePurpose": "TxDefaultProfile",
        "chargingProfileKind": "Absolute",
        "chargingSchedule": [
            {
                "id": 1,
                "startSchedule": "2026-03-02T12:00:00Z",
                "chargingRateUnit": "W",
                "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 7000}, {"startPeriod": 60, "limit": 3000}],
                "duration": 120,
            }
        ],
    }
    set201(st, 1, absolute)
    pieces = charging.segments(st, st.connectors[1], NOW + timedelta(seconds=30), 120.0, 50.0)
    assert pieces == [(30.0, 7000.0), (60.0, 3000.0), (30.0, None)]


def test_iso15118_station_reports_the_chosen_ev_schedule_after_a_tx_profile() -> None:
    st = state(iso15118=True)
    needs = charging.ev_needs_call(st, st.connectors[1])
    assert needs is not None
    schemas_for(V201).validate_request(*needs)
    assert needs[1]["chargingNeeds"]["acChargingParameters"]["evMaxCurrent"] == 15  # 11 kW on 3 x 230 V
    result = answer(
        V201, "SetChargingProfile", {"evseId": 1, "chargingProfile": p201(5, "TxProfile", 32.0, transactionId="5")}, st
    )
    (send,) = result.intents
    assert isinstance(send, SendMessages)
    ((action, payload),) = send.messages
    assert action == "NotifyEVChargingSchedule"
    schemas_for(V201).validate_request(action, payload)
    assert payload["chargingSchedule"]["chargingSchedulePeriod"] == [{"startPeriod": 0, "limit": 15.9}]
