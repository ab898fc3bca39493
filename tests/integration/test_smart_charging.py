"""Smart charging end to end over real sockets (issue 12, block K and the 1.6 Smart Charging profile).

The station side is played by the simulator (both versions: it stores profiles, reports its
composite schedule and limits its EV) and by charge points of the public ``ocpp`` package (every
block K message a 2.0.1 station sends, and what a 1.6 charge point receives).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from chargebridge.domain import charging as ch
from chargebridge.domain.timeutil import parse_datetime
from chargebridge.rpc import OcppVersion
from chargebridge.sim.clock import SimClock
from chargebridge.sim.ev import ChargerKind, ChargerSpec
from chargebridge.sim.profiles import QuirkProfile, builtin_profile
from chargebridge.sim.station import SimStation, StationConfig
from tests.conftest import Node, random_id

V16, V201 = OcppVersion.V16, OcppVersion.V201
both_versions = pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
TOKEN = "SC-TOKEN-1"
LIMIT_A = 8.0  # 8 A x 3 phases x 230 V = 5 520 W, below every simulated EV's AC maximum
LIMIT_W = LIMIT_A * 3 * 230


async def wait_for(condition: Callable[[], Any], within: float = 15.0) -> None:
    deadline = time.monotonic() + within
    while not await _value(condition()):
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _value(result: Any) -> Any:
    return await result if asyncio.iscoroutine(result) else result


async def add_token(node: Node, token: str = TOKEN) -> None:
    async with node.client() as http:
        answer = await http.put(f"/api/v1/id-tokens/{token}", json={"status": "Accepted"})
        assert answer.status_code in (200, 201), answer.text


@contextlib.asynccontextmanager
async def sim_station(
    node: Node, version: OcppVersion, *, profile: QuirkProfile | None = None, **overrides: Any
) -> AsyncIterator[SimStation]:
    config = StationConfig(
        station_id=random_id(f"SC{version.value.replace('.', '')}"),
        url=node.ocpp_url,
        version=version,
        charger=ChargerSpec(ChargerKind.AC, 11_000.0),
        meter_interval_s=60.0,
        id_tokens=(TOKEN,),
        **({"profile": profile} if profile is not None else {}),
        **overrides,
    )
    station = SimStation(config, SimClock(datetime.now(UTC), 60.0), rng=random.Random(3))
    task = asyncio.create_task(station.run())
    try:
        await wait_for(lambda: station.booted)
        yield station
    finally:
        station.stop()
        async with asyncio.timeout(20):
            await task


async def charging(node: Node, station: SimStation) -> str:
    """Start a session on connector 1 and wait until the server has its transaction."""
    station.start_session(1, TOKEN)

    async def active() -> bool:
        async with node.client() as http:
            items = (
                await http.get("/api/v1/transactions", params={"station_id": station.station_id, "active": "true"})
            ).json()["items"]
        return bool(items)

    await wait_for(active)
    session = station.state.connectors[1].session
    assert session is not None
    await wait_for(lambda: session.transaction_id is not None)
    return session.transaction_id or ""


def neutral_tx_default(limit_a: float = LIMIT_A, **extra: Any) -> dict[str, Any]:
    return {
        "stack_level": 0,
        "purpose": "TxDefaultProfile",
        "kind": "Relative",
        "schedules": [{"unit": "A", "periods": [{"start_s": 0, "limit": limit_a}]}],
        **extra,
    }


# -- the simulator, both versions ---------------------------------------------------------------------


@both_versions
async def test_profile_set_over_rest_limits_the_simulated_ev_and_is_cleared(node: Node, version: OcppVersion) -> None:
    await add_token(node)
    async with sim_station(node, version) as st, node.client() as http:
        sid = st.station_id
        await charging(node, st)
        base = f"/api/v1/stations/{sid}"
        answer = await http.post(f"{base}/charging-profiles", json={"evse_id": 1, "profile": neutral_tx_default()})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["status"] == "Accepted" and body["action"] == "SetChargingProfile"
        profile_id = body["profile"]["id"]
        assert profile_id in st.state.charging.profiles  # the station holds it

        stored = (await http.get(f"{base}/charging-profiles")).json()["items"]
        assert [(p["profile_id"], p["evse_id"], p["purpose"], p["origin"]) for p in stored] == [
            (profile_id, 1, "TxDefaultProfile", "csms")
        ]

        composite = await http.get(f"{base}/composite-schedule", params={"evse_id": 1, "duration_s": 600, "unit": "W"})
        assert composite.status_code == 200, composite.text
        result = composite.json()
        assert result["status"] == "Accepted" and result["action"] == "GetCompositeSchedule"
        assert [p["limit"] for p in result["schedule"]["periods"]] == [LIMIT_W]
        assert [p["limit"] for p in result["expected"]["periods"]] == [LIMIT_W]  # the CSMS agrees

        # The EV draws at most the limit: in the simulator and in the meter values the server stored.
        set_at = st.clock.now()
        await asyncio.sleep(4)  # four simulated minutes
        session = st.state.connectors[1].session
        assert session is not None and 0 < session.power_w <= LIMIT_W + 0.5
        samples = (await http.get(f"{base}/meter-values", params={"limit": 1000})).json()["items"]
        later = [
            s["value"]
            for s in samples
            if s["measurand"] == "Power.Active.Import"
            and parse_datetime(s["timestamp"]) > set_at + timedelta(seconds=1)
        ]
        assert later and max(later) <= LIMIT_W + 0.5

        cleared = await http.delete(f"{base}/charging-profiles/{profile_id}")
        assert cleared.status_code == 200, cleared.text
        assert cleared.json()["status"] == "Accepted" and cleared.json()["removed"] == [profile_id]
        assert st.state.charging.profiles == {}
        assert (await http.get(f"{base}/charging-profiles")).json()["items"] == []
        again = await http.delete(f"{base}/charging-profiles/{profile_id}")
        assert again.json()["status"] == "Unknown" and again.json()["removed"] == []


@both_versions
async def test_remote_start_with_a_charging_profile_limits_the_transaction(
    sqlite_node: Node, version: OcppVersion
) -> None:
    """K05 / 1.6 RemoteStartTransaction with chargingProfile: the TxProfile applies to the transaction it starts."""
    node = sqlite_node
    await add_token(node)
    async with sim_station(node, version) as st, node.client() as http:
        base = f"/api/v1/stations/{st.station_id}"
        tx_profile = {
            "id": 30,
            "purpose": "TxProfile",
            "kind": "Relative",
            "schedules": [{"unit": "A", "periods": [{"start_s": 0, "limit": LIMIT_A}]}],
        }
        body = {"id_token": TOKEN, "evse_id": 1, "charging_profile": tx_profile}
        answer = await http.post(f"{base}/commands/remote-start", json=body)
        assert answer.status_code == 200 and answer.json()["status"] == "Accepted", answer.text
        await wait_for(lambda: st.state.connectors[1].session is not None)
        composite = (await http.get(f"{base}/composite-schedule", params={"evse_id": 1, "unit": "W"})).json()
        assert composite["schedule"]["periods"][0]["limit"] == LIMIT_W
        await asyncio.sleep(2)
        session = st.state.connectors[1].session
        assert session is not None and 0 < session.power_w <= LIMIT_W + 0.5
        not_tx = {**tx_profile, "purpose": "TxDefaultProfile"}
        refused = await http.post(
            f"{base}/commands/remote-start", json=body | {"evse_id": 2, "charging_profile": not_tx}
        )
        assert refused.status_code == 422  # a remote start's profile is a TxProfile


async def test_quirk_station_accepts_profiles_but_its_ev_ignores_them(sqlite_node: Node) -> None:
    node = sqlite_node
    await add_token(node)
    async with sim_station(node, V16, profile=builtin_profile("brightvolt-ac22-fw2.3")) as st, node.client() as http:
        await charging(node, st)
        base = f"/api/v1/stations/{st.station_id}"
        answer = await http.post(f"{base}/charging-profiles", json={"evse_id": 1, "profile": neutral_tx_default()})
        assert answer.json()["status"] == "Accepted"
        composite = (await http.get(f"{base}/composite-schedule", params={"evse_id": 1, "unit": "W"})).json()
        assert composite["schedule"]["periods"][0]["limit"] == LIMIT_W  # it even reports the limit
        await asyncio.sleep(2)
        session = st.state.connectors[1].session
        assert session is not None and session.power_w > LIMIT_W + 100  # ... and charges above it


async def test_get_charging_profiles_reports_and_reconciles_the_store(node: Node) -> None:
    await add_token(node)
    async with sim_station(node, V201, connectors=2) as st, node.client() as http:
        sid = st.station_id
        base = f"/api/v1/stations/{sid}"
        station_max = {
            "id": 50,
            "stack_level": 0,
            "purpose": "ChargingStationMaxProfile",
            "kind": "Absolute",
            "schedules": [{"unit": "W", "start": "2020-01-01T00:00:00Z", "periods": [{"start_s": 0, "limit": 15000}]}],
        }
        for evse, profile in ((0, station_max), (1, neutral_tx_default(id=51)), (2, neutral_tx_default(12.0, id=52))):
            answer = await http.post(f"{base}/charging-profiles", json={"evse_id": evse, "profile": profile})
            assert answer.json()["status"] == "Accepted", answer.text
        st.state.charging.profiles.pop(52)  # the station lost one (e.g. a factory reset of that EVSE)

        report = await http.post(f"{base}/charging-profiles/report", json={})
        assert report.status_code == 200, report.text
        body = report.json()
        assert body["status"] == "Accepted" and body["complete"] is True
        assert sorted((p["evse_id"], p["profile"]["id"], p["limit_source"]) for p in body["profiles"]) == [
            (0, 50, "CSO"),
            (1, 51, "CSO"),
        ]
        stored = (await http.get(f"{base}/charging-profiles")).json()["items"]
        assert sorted(p["profile_id"] for p in stored) == [50, 51]  # 52 is gone from the store too
        assert all(p["origin"] == "report" for p in stored)

        filtered = (await http.post(f"{base}/charging-profiles/report", json={"evse_id": 1})).json()
        assert [p["profile"]["id"] for p in filtered["profiles"]] == [51]
        none = (await http.post(f"{base}/charging-profiles/report", json={"purpose": "TxProfile"})).json()
        assert none["status"] == "NoProfiles" and none["profiles"] == []

        # clear by criteria: every TxDefaultProfile
        cleared = await http.delete(f"{base}/charging-profiles", params={"purpose": "TxDefaultProfile"})
        assert cleared.json()["status"] == "Accepted" and cleared.json()["removed"] == [51]
        assert sorted(st.state.charging.profiles) == [50]
        # the station-wide composite is the station maximum
        composite = (await http.get(f"{base}/composite-schedule", params={"evse_id": 0, "unit": "W"})).json()
        assert composite["schedule"]["periods"][0]["limit"] == 15000


async def test_a_16_station_cannot_report_its_profiles(sqlite_node: Node) -> None:
    async with sim_station(sqlite_node, V16) as st, sqlite_node.client() as http:
        answer = await http.post(f"/api/v1/stations/{st.station_id}/charging-profiles/report", json={})
        assert answer.status_code == 422 and "1.6" in answer.json()["detail"]


async def test_iso15118_ev_needs_are_answered_with_a_schedule_the_ev_then_follows(node: Node) -> None:
    await add_token(node)
    async with sim_station(node, V201, iso15118=True) as st, node.client() as http:
        base = f"/api/v1/stations/{st.station_id}"
        # The station max (10 A on three phases) is what the CSMS must derive the EV's schedule from.
        station_max = {
            "stack_level": 0,
            "purpose": "ChargingStationMaxProfile",
            "kind": "Absolute",
            "schedules": [{"unit": "A", "start": "2020-01-01T00:00:00Z", "periods": [{"start_s": 0, "limit": 10}]}],
        }
        assert (await http.post(f"{base}/charging-profiles", json={"evse_id": 0, "profile": station_max})).json()[
            "status"
        ] == "Accepted"
        transaction_id = await charging(node, st)

        async def settled() -> bool:
            body = (await http.get(f"{base}/ev-charging-needs")).json()
            return bool(body["items"] and body["items"][0]["profile_status"] and body["ev_schedules"])

        await wait_for(settled)
        body = (await http.get(f"{base}/ev-charging-needs")).json()
        needs = body["items"][0]
        assert needs["status"] == "Accepted" and needs["transaction_id"] == transaction_id
        assert needs["needs"]["requested_energy_transfer"] == "AC_three_phase"
        assert needs["profile_status"] == "Accepted"
        assert needs["schedule"]["unit"] == "A" and max(p["limit"] for p in needs["schedule"]["periods"]) <= 10.0
        tx_profiles = [i for i in st.state.charging.profiles.values() if i.profile.purpose is ch.ProfilePurpose.TX]
        assert [i.profile.transaction_id for i in tx_profiles] == [transaction_id]
        ev_schedule = body["ev_schedules"][0]
        assert ev_schedule["accepted"] is True and ev_schedule["reason"] is None
        stored = (await http.get(f"{base}/charging-profiles", params={"purpose": "TxProfile"})).json()["items"]
        assert [p["transaction_id"] for p in stored] == [transaction_id]

        # The transaction ends: the station and the store drop its TxProfile; the station max stays.
        st.stop_session(1)

        async def tx_profiles_gone() -> bool:
            items = (await http.get(f"{base}/charging-profiles")).json()["items"]
            return [p["purpose"] for p in items] == ["ChargingStationMaxProfile"]

        await wait_for(tx_profiles_gone)
        assert [i.profile.purpose for i in st.state.charging.profiles.values()] == [ch.ProfilePurpose.STATION_MAX]


# -- charge points of the `ocpp` package -------------------------------------------------------------


def ts(offset_s: float = 0) -> str:
    moment = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=offset_s)
    return moment.isoformat().replace("+00:00", "Z")


class Station201(Cp201):
    profiles: list[dict[str, Any]]
    requests: list[dict[str, Any]]

    @on(Action201.set_charging_profile)
    async def on_set(self, evse_id: int, charging_profile: dict[str, Any], **kwargs: Any) -> Any:
        self.profiles.append({"evse_id": evse_id, **charging_profile})
        return result201.SetChargingProfile(status="Accepted")

    @on(Action201.get_charging_profiles)
    async def on_get(self, request_id: int, charging_profile: dict[str, Any], **kwargs: Any) -> Any:
        self.requests.append({"request_id": request_id, **kwargs})
        return result201.GetChargingProfiles(status="Accepted")


@contextlib.asynccontextmanager
async def running(cp: Any) -> AsyncIterator[Any]:
    task = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


SCHEDULE_201 = {"id": 1, "charging_rate_unit": "A", "charging_schedule_period": [{"start_period": 0, "limit": 16.0}]}


async def test_ocpp_201_charging_station_sends_every_block_k_message(node: Node) -> None:
    station_id = random_id("LIBK")
    await add_token(node, "LIBK-TOKEN")
    events = node.app.bus.subscribe("test-k", {k for k in ch_kinds()})
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp2.0.1"]) as ws:
        cp = Station201(station_id, ws)
        cp.profiles, cp.requests = [], []
        async with running(cp), node.client() as http:
            base = f"/api/v1/stations/{station_id}"
            boot = await cp.call(
                call201.BootNotification(charging_station={"model": "K", "vendor_name": "Lib"}, reason="PowerUp")
            )
            assert boot.status == "Accepted"

            # K11/K12: an external limit, then K13: released.
            await cp.call(
                call201.NotifyChargingLimit(
                    charging_limit={"charging_limit_source": "EMS", "is_grid_critical": True},
                    evse_id=1,
                    charging_schedule=[SCHEDULE_201 | {"start_schedule": ts(-60)}],
                )
            )
            limits = (await http.get(f"{base}/charging-limits")).json()["items"]
            assert [(x["evse_id"], x["source"], x["grid_critical"], x["active"]) for x in limits] == [
                (1, "EMS", True, True)
            ]
            assert limits[0]["schedules"][0]["periods"] == [{"start_s": 0, "limit": 16.0}]

            # K15 without a transaction: nothing to attach a schedule to.
            needs = {
                "requested_energy_transfer": "AC_three_phase",
                "ac_charging_parameters": {
                    "energy_amount": 20000,
                    "ev_min_current": 6,
                    "ev_max_current": 32,
                    "ev_max_voltage": 230,
                },
            }
            refused = await cp.call(call201.NotifyEVChargingNeeds(charging_needs=needs, evse_id=1))
            assert refused.status == "Rejected" and refused.status_info["reason_code"] == "TxNotFound"

            await cp.call(
                call201.TransactionEvent(
                    event_type="Started",
                    timestamp=ts(),
                    trigger_reason="Authorized",
                    seq_no=0,
                    transaction_info={"transaction_id": "TX-K-1", "charging_state": "EVConnected"},
                    evse={"id": 1, "connector_id": 1},
                    id_token={"id_token": "LIBK-TOKEN", "type": "ISO14443"},
                )
            )
            # K15: Accepted, then a TxProfile derived from the limits: min(EV 32 A, external 16 A).
            accepted = await cp.call(
                call201.NotifyEVChargingNeeds(charging_needs=needs, evse_id=1, max_schedule_tuples=5)
            )
            assert accepted.status == "Accepted"
            await wait_for(lambda: cp.profiles)
            sent = cp.profiles[0]
            assert sent["evse_id"] == 1 and sent["charging_profile_purpose"] == "TxProfile"
            assert sent["transaction_id"] == "TX-K-1"
            periods = sent["charging_schedule"][0]["charging_schedule_period"]
            assert max(p["limit"] for p in periods) <= 16.0

            async def profile_recorded() -> bool:
                items = (await http.get(f"{base}/ev-charging-needs")).json()["items"]
                return bool(items and items[0]["profile_status"] == "Accepted")

            await wait_for(profile_recorded)

            # K16/K17: an EV schedule inside the limits is accepted, one above them rejected (and renegotiated).
            fits = await cp.call(
                call201.NotifyEVChargingSchedule(
                    time_base=ts(), evse_id=1, charging_schedule=SCHEDULE_201 | {"duration": 3600}
                )
            )
            assert fits.status == "Accepted"
            greedy = SCHEDULE_201 | {"charging_schedule_period": [{"start_period": 0, "limit": 30.0}]}
            too_much = await cp.call(
                call201.NotifyEVChargingSchedule(time_base=ts(), evse_id=1, charging_schedule=greedy)
            )
            assert too_much.status == "Rejected" and too_much.status_info["reason_code"] == "InvalidSchedule"
            await wait_for(lambda: len(cp.profiles) == 2)  # K16.FR.08: the offer goes out again
            assert cp.profiles[1]["id"] == sent["id"]
            # K17: the EV renegotiates with new needs: a new schedule under the same TxProfile id.
            lower = needs | {"ac_charging_parameters": needs["ac_charging_parameters"] | {"ev_max_current": 12}}
            again = await cp.call(call201.NotifyEVChargingNeeds(charging_needs=lower, evse_id=1))
            assert again.status == "Accepted"
            await wait_for(lambda: len(cp.profiles) == 3)
            assert cp.profiles[2]["id"] == sent["id"]
            assert max(p["limit"] for p in cp.profiles[2]["charging_schedule"][0]["charging_schedule_period"]) == 12.0

            await cp.call(call201.ClearedChargingLimit(charging_limit_source="EMS", evse_id=1))
            assert (await http.get(f"{base}/charging-limits")).json()["items"] == []
            history = (await http.get(f"{base}/charging-limits", params={"active": "false"})).json()["items"]
            assert history[0]["active"] is False

            # K09: GetChargingProfiles answered in two ReportChargingProfiles parts.
            report_task = asyncio.create_task(http.post(f"{base}/charging-profiles/report", json={"evse_id": 1}))
            await wait_for(lambda: cp.requests)
            request_id = cp.requests[0]["request_id"]
            reported = {
                "id": 900,
                "stack_level": 3,
                "charging_profile_purpose": "TxDefaultProfile",
                "charging_profile_kind": "Relative",
                "charging_schedule": [SCHEDULE_201],
            }
            for index, tbc in ((0, True), (1, False)):
                await cp.call(
                    call201.ReportChargingProfiles(
                        request_id=request_id,
                        charging_limit_source="CSO",
                        evse_id=1,
                        charging_profile=[reported | {"id": 900 + index}],
                        tbc=tbc,
                    )
                )
            report = (await report_task).json()
            assert report["status"] == "Accepted" and report["complete"] is True
            assert sorted(p["profile"]["id"] for p in report["profiles"]) == [900, 901]
            stored = (await http.get(f"{base}/charging-profiles", params={"evse_id": 1})).json()["items"]
            # a report scoped to EVSE 1 is the whole truth for EVSE 1: our TxProfile is not listed, so it is gone
            assert sorted(p["profile_id"] for p in stored) == [900, 901]

            # An unsolicited report is stored too.
            await cp.call(
                call201.ReportChargingProfiles(
                    request_id=4711, charging_limit_source="EMS", evse_id=2, charging_profile=[reported | {"id": 77}]
                )
            )
            stored = (await http.get(f"{base}/charging-profiles", params={"evse_id": 2})).json()["items"]
            assert [(p["profile_id"], p["limit_source"], p["origin"]) for p in stored] == [(77, "EMS", "report")]
    kinds = []
    while not events.queue.empty():
        kinds.append((await events.get()).kind.value)
    node.app.bus.unsubscribe(events)
    assert {"charging.limit", "charging.ev_needs", "charging.ev_schedule", "charging.profile"} <= set(kinds)


def ch_kinds() -> set[Any]:
    from chargebridge.domain.events import EventKind

    return {
        EventKind.CHARGING_PROFILE,
        EventKind.CHARGING_LIMIT,
        EventKind.EV_CHARGING_NEEDS,
        EventKind.EV_CHARGING_SCHEDULE,
    }


class Station16(Cp16):
    received: list[tuple[str, dict[str, Any]]]

    @on(Action16.set_charging_profile)
    async def on_set(self, connector_id: int, cs_charging_profiles: dict[str, Any]) -> Any:
        self.received.append(("SetChargingProfile", {"connector_id": connector_id, **cs_charging_profiles}))
        return result16.SetChargingProfile(status="Accepted")

    @on(Action16.clear_charging_profile)
    async def on_clear(self, **kwargs: Any) -> Any:
        self.received.append(("ClearChargingProfile", kwargs))
        return result16.ClearChargingProfile(status="Accepted")

    @on(Action16.get_composite_schedule)
    async def on_composite(self, connector_id: int, duration: int, **kwargs: Any) -> Any:
        self.received.append(("GetCompositeSchedule", {"connector_id": connector_id, "duration": duration, **kwargs}))
        return result16.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start="2026-03-02T10:00:00Z",
            charging_schedule={
                "duration": duration,
                "charging_rate_unit": "A",
                "charging_schedule_period": [{"start_period": 0, "limit": 13.0}, {"start_period": 60, "limit": 7.5}],
            },
        )

    @on(Action16.remote_start_transaction)
    async def on_remote_start(self, id_tag: str, **kwargs: Any) -> Any:
        self.received.append(("RemoteStartTransaction", {"id_tag": id_tag, **kwargs}))
        return result16.RemoteStartTransaction(status="Accepted")


async def test_ocpp_16_charge_point_receives_the_smart_charging_profile(node: Node) -> None:
    station_id = random_id("LIB16K")
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp1.6"]) as ws:
        cp = Station16(station_id, ws)
        cp.received = []
        async with running(cp), node.client() as http:
            base = f"/api/v1/stations/{station_id}"
            await cp.call(call16.BootNotification(charge_point_model="K16", charge_point_vendor="Lib"))
            # The 1.6 form of a profile is accepted as the body, and sent as given.
            cs_profile = {
                "chargingProfileId": 12,
                "stackLevel": 1,
                "chargingProfilePurpose": "ChargePointMaxProfile",
                "chargingProfileKind": "Absolute",
                "chargingSchedule": {
                    "startSchedule": "2026-03-02T00:00:00Z",
                    "chargingRateUnit": "W",
                    "chargingSchedulePeriod": [{"startPeriod": 0, "limit": 22000.0, "numberPhases": 3}],
                },
            }
            answer = await http.post(f"{base}/charging-profiles", json={"evse_id": 0, "profile": cs_profile})
            assert answer.status_code == 200 and answer.json()["status"] == "Accepted", answer.text
            action, sent = cp.received[-1]
            assert action == "SetChargingProfile" and sent["connector_id"] == 0
            assert sent["charging_profile_id"] == 12 and sent["charging_profile_purpose"] == "ChargePointMaxProfile"

            # The neutral command route: set-charging-profile is recorded through the observer.
            command = await http.post(
                f"{base}/commands/set-charging-profile",
                json={"evse_id": 1, "profile": neutral_tx_default(16.0, id=13)},
            )
            assert command.status_code == 200 and command.json()["status"] == "Accepted", command.text
            assert cp.received[-1][1]["charging_schedule"]["charging_schedule_period"][0]["limit"] == 16.0
            stored = (await http.get(f"{base}/charging-profiles")).json()["items"]
            assert sorted(p["profile_id"] for p in stored) == [12, 13]

            composite = (await http.get(f"{base}/composite-schedule", params={"evse_id": 1, "duration_s": 120})).json()
            assert cp.received[-1] == ("GetCompositeSchedule", {"connector_id": 1, "duration": 120})
            assert composite["schedule"] == {
                "evse_id": 1,
                "start": "2026-03-02T10:00:00.000Z",
                "duration_s": 120,
                "unit": "A",
                "periods": [{"start_s": 0, "limit": 13.0}, {"start_s": 60, "limit": 7.5}],
            }

            cleared = await http.delete(f"{base}/charging-profiles", params={"evse_id": 1, "stack_level": 0})
            assert cleared.json()["removed"] == [13]
            assert cp.received[-1] == ("ClearChargingProfile", {"connector_id": 1, "stack_level": 0})

            # RemoteStartTransaction with a neutral TxProfile arrives in the 1.6 form.
            tx_profile = {
                "id": 14,
                "purpose": "TxProfile",
                "kind": "Relative",
                "schedules": [{"unit": "A", "periods": [{"start_s": 0, "limit": 10}]}],
            }
            start = await http.post(
                f"{base}/commands/remote-start",
                json={"id_token": "T16", "connector_id": 1, "charging_profile": tx_profile},
            )
            assert start.status_code == 200 and start.json()["status"] == "Accepted", start.text
            action, sent = cp.received[-1]
            assert action == "RemoteStartTransaction"
            assert sent["charging_profile"]["charging_profile_id"] == 14
            assert sent["charging_profile"]["charging_schedule"]["charging_rate_unit"] == "A"


# -- validation, roles, scopes, audit -------------------------------------------------------------------


async def test_bad_bodies_roles_scopes_and_audit(sqlite_node: Node) -> None:
    node = sqlite_node
    async with sim_station(node, V201) as st, node.client() as http:
        base = f"/api/v1/stations/{st.station_id}"
        bad = [
            {"evse_id": 0, "profile": neutral_tx_default() | {"purpose": "TxProfile", "transaction_id": "x"}},
            {"evse_id": 1, "profile": neutral_tx_default() | {"purpose": "ChargingStationMaxProfile"}},
            {"evse_id": 1, "profile": neutral_tx_default() | {"purpose": "ChargingStationExternalConstraints"}},
            {"evse_id": 1, "profile": neutral_tx_default() | {"colour": "red"}},
            {"evse_id": 1, "profile": {"chargingProfileId": "x"}},
            {"evse_id": -1, "profile": neutral_tx_default()},
            {"profile": neutral_tx_default()},
        ]
        for body in bad:
            answer = await http.post(f"{base}/charging-profiles", json=body)
            assert answer.status_code == 422, (body, answer.text)
        assert st.state.charging.profiles == {}  # nothing reached the station
        assert (await http.get(f"{base}/composite-schedule", params={"duration_s": 0})).status_code == 422
        assert (await http.post(f"{base}/commands/set-charging-profile", json={"evse_id": 1})).status_code == 422
        missing_id = {"evse_id": 1, "profile": neutral_tx_default()}
        assert (await http.post(f"{base}/commands/set-charging-profile", json=missing_id)).status_code == 422

        viewer = await node.token("viewer")
        async with node.client(viewer) as as_viewer:
            assert (await as_viewer.get(f"{base}/charging-profiles")).status_code == 200
            assert (await as_viewer.get(f"{base}/composite-schedule")).status_code == 403
            assert (
                await as_viewer.post(f"{base}/charging-profiles", json={"evse_id": 1, "profile": neutral_tx_default()})
            ).status_code == 403

        scoped = (
            await http.post("/api/v1/tokens", json={"role": "operator", "name": "site", "stations": ["OTHER-1"]})
        ).json()["token"]
        async with node.client(scoped) as as_scoped:
            assert (await as_scoped.get(f"{base}/charging-profiles")).status_code == 404
            assert (await as_scoped.get(f"{base}/composite-schedule")).status_code == 404

        assert (
            await http.post(f"{base}/charging-profiles", json={"evse_id": 1, "profile": neutral_tx_default()})
        ).json()["status"] == "Accepted"
        assert (await http.get(f"{base}/composite-schedule", params={"evse_id": 1})).status_code == 200
        audit = (await http.get("/api/v1/audit", params={"station_id": st.station_id, "limit": 100})).json()["items"]
        actions = {entry["action"] for entry in audit}
        assert {"set_charging_profile", "get_composite_schedule"} <= actions
        composite_entries = [e for e in audit if e["action"] == "get_composite_schedule"]
        assert composite_entries[0]["method"] == "GET" and composite_entries[0]["result"] == "ok"

    # Not connected any more: 409, and nothing is stored.
    async with node.client() as http:
        answer = await http.post(
            f"/api/v1/stations/{st.station_id}/charging-profiles", json={"evse_id": 1, "profile": neutral_tx_default()}
        )
        assert answer.status_code == 409
