"""Load balancing with charge points of the public ``ocpp`` package (both versions) next to simulated
stations: a station that rejects SetChargingProfile, one whose composite schedule shows it did not apply
its limit, a station-reported external limit, single-phase EVs on known phases, leaving a site."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
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

from chargebridge.rpc import OcppVersion
from tests.conftest import Node, random_id
from tests.integration.energy_helpers import (
    TOKEN,
    LimitWatch,
    add_station,
    add_token,
    create_site,
    energy_node,
    fleet_ids,
    sim_fleet,
    site_live,
    station_limit_a,
    wait_for,
)


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await energy_node(tmp_path)
    try:
        await add_token(node)
        yield node
    finally:
        await node.app.stop()


@contextlib.asynccontextmanager
async def running(cp: Any) -> AsyncIterator[Any]:
    task = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class Lib16(Cp16):
    """A 1.6 charge point: answers SetChargingProfile with ``answer``; its composite schedule shows
    ``composite_a`` (None: the last TxProfile it accepted)."""

    answer = "Accepted"
    composite_a: float | None = None
    profiles: list[dict[str, Any]]
    cleared: list[dict[str, Any]]

    @on(Action16.set_charging_profile)
    async def on_set(self, connector_id: int, cs_charging_profiles: dict[str, Any]) -> Any:
        self.profiles.append({"connector_id": connector_id, "answer": self.answer, **cs_charging_profiles})
        return result16.SetChargingProfile(status=self.answer)

    @on(Action16.clear_charging_profile)
    async def on_clear(self, **kwargs: Any) -> Any:
        self.cleared.append(kwargs)
        return result16.ClearChargingProfile(status="Accepted")

    @on(Action16.get_composite_schedule)
    async def on_composite(self, connector_id: int, duration: int, **kwargs: Any) -> Any:
        limit = self.composite_a if self.composite_a is not None else self.last_tx_limit()
        return result16.GetCompositeSchedule(
            status="Accepted",
            connector_id=connector_id,
            schedule_start=now(),
            charging_schedule={
                "duration": duration,
                "charging_rate_unit": "A",
                "charging_schedule_period": [{"start_period": 0, "limit": limit}],
            },
        )

    def last_tx_limit(self) -> float:
        for profile in reversed(self.profiles):
            if profile["charging_profile_purpose"] == "TxProfile" and profile["answer"] == "Accepted":
                return float(profile["charging_schedule"]["charging_schedule_period"][0]["limit"])
        return 0.0


class Lib201(Cp201):
    profiles: list[dict[str, Any]]

    @on(Action201.set_charging_profile)
    async def on_set(self, evse_id: int, charging_profile: dict[str, Any], **kwargs: Any) -> Any:
        self.profiles.append({"evse_id": evse_id, **charging_profile})
        return result201.SetChargingProfile(status="Accepted")

    @on(Action201.get_composite_schedule)
    async def on_composite(self, duration: int, evse_id: int, **kwargs: Any) -> Any:
        return result201.GetCompositeSchedule(status="Rejected")

    @on(Action201.clear_charging_profile)
    async def on_clear(self, **kwargs: Any) -> Any:
        return result201.ClearChargingProfile(status="Accepted")

    def tx_limit(self) -> float | None:
        for profile in reversed(self.profiles):
            if profile["charging_profile_purpose"] == "TxProfile":
                return float(profile["charging_schedule"][0]["charging_schedule_period"][0]["limit"])
        return None


async def start_16(cp: Lib16) -> int:
    await cp.call(call16.BootNotification(charge_point_model="E16", charge_point_vendor="Lib"))
    started = await cp.call(call16.StartTransaction(connector_id=1, id_tag=TOKEN, meter_start=0, timestamp=now()))
    return int(started.transaction_id)


async def start_201(cp: Lib201, tx: str) -> None:
    await cp.call(call201.BootNotification(charging_station={"model": "E201", "vendor_name": "Lib"}, reason="PowerUp"))
    await cp.call(
        call201.TransactionEvent(
            event_type="Started",
            timestamp=now(),
            trigger_reason="Authorized",
            seq_no=0,
            transaction_info={"transaction_id": tx, "charging_state": "Charging"},
            evse={"id": 1, "connector_id": 1},
            id_token={"id_token": TOKEN, "type": "ISO14443"},
        )
    )


async def test_a_station_that_rejects_profiles_is_counted_at_its_maximum(node: Node) -> None:
    await create_site(node, id="yard", grid_limit_a=50)
    rejecting = random_id("REJ")
    await add_station(node, rejecting, "yard", max_current_a=32)
    ids = fleet_ids("EA", 2)
    for station_id in ids:
        await add_station(node, station_id, "yard", max_current_a=32)
    async with websockets.connect(f"{node.ocpp_url}/{rejecting}", subprotocols=["ocpp1.6"]) as ws:
        cp = Lib16(rejecting, ws)
        cp.profiles, cp.cleared, cp.answer = [], [], "Rejected"
        async with running(cp), sim_fleet(node, OcppVersion.V16, ids) as stations:
            watch = LimitWatch(stations)
            watch.start()
            try:
                await start_16(cp)
                for station in stations:
                    station.start_session(1, TOKEN)
                # the rejecting station may draw its 32 A: the two others share 50 - 32 = 18 A
                await wait_for(lambda: [station_limit_a(s) for s in stations] == [9.0, 9.0], 15, "2 x 9 A")
                live = await site_live(node, "yard")
                rejected = next(s for s in live["sessions"] if s["station_id"] == rejecting)
                assert rejected["status"] == "unresponsive" and rejected["counted_a"] == 32
                assert live["allocated_a"] <= 50
                assert cp.profiles and all(p["answer"] == "Rejected" for p in cp.profiles)
                while_rejecting = watch.peak()
                # it starts accepting: tried again, controlled, and everyone gets 50 / 3 = 16.6 A
                cp.answer = "Accepted"
                await wait_for(lambda: cp.last_tx_limit() == 16.6, 15, "the former rejecting station balanced")
                await wait_for(lambda: [station_limit_a(s) for s in stations] == [16.6, 16.6], 15, "3 x 16.6 A")
                purposes = [p["charging_profile_purpose"] for p in cp.profiles if p["answer"] == "Accepted"]
                assert purposes[:2] == ["TxDefaultProfile", "ChargePointMaxProfile"]  # the safe defaults first
                default = next(p for p in cp.profiles if p["charging_profile_purpose"] == "TxDefaultProfile")
                assert default["connector_id"] == 0
                assert default["charging_schedule"]["charging_schedule_period"][0]["limit"] == 0
            finally:
                await watch.stop()
            assert while_rejecting + 32 <= 50 + 1e-6  # while it was not controlled, counted at 32 A
            assert watch.peak() <= 50 - 16.6 + 1e-6  # then controlled like the others

            # leaving the site: the balancer's profiles are cleared from it
            async with node.client() as http:
                answer = await http.patch(f"/api/v1/stations/{rejecting}", json={"site_id": None})
            assert answer.status_code == 200 and answer.json()["site_id"] is None
            await wait_for(lambda: len(cp.cleared) >= 3, 10, "profiles cleared")
            assert {c.get("charging_profile_purpose") for c in cp.cleared} == {
                "TxDefaultProfile",
                "TxProfile",
                "ChargePointMaxProfile",
            }
            assert all(c.get("stack_level") == 1 for c in cp.cleared)
            await wait_for(lambda: [station_limit_a(s) for s in stations] == [25.0, 25.0], 15, "2 x 25 A")


async def test_composite_schedule_check_catches_a_station_that_does_not_apply_its_limit(node: Node) -> None:
    await create_site(node, id="lot", grid_limit_a=40)
    liar = random_id("LIAR")
    await add_station(node, liar, "lot", max_current_a=32)
    ids = fleet_ids("EC", 1)
    await add_station(node, ids[0], "lot", max_current_a=32)
    async with websockets.connect(f"{node.ocpp_url}/{liar}", subprotocols=["ocpp1.6"]) as ws:
        cp = Lib16(liar, ws)
        cp.profiles, cp.cleared, cp.composite_a = [], [], 32.0  # accepts, but its composite shows 32 A
        async with running(cp), sim_fleet(node, OcppVersion.V16, ids) as stations:
            await start_16(cp)
            await wait_for(lambda: cp.last_tx_limit() == 32.0, 15, "alone: its maximum")
            stations[0].start_session(1, TOKEN)  # it must come down to 20 A: a lowering, then verified
            await wait_for(lambda: cp.last_tx_limit() == 20.0, 15, "lowered to 20 A")

            async def caught() -> bool:
                live = await site_live(node, "lot")
                return any(s["station_id"] == liar and s["status"] == "unresponsive" for s in live["sessions"])

            await wait_for(caught, 15, "composite mismatch detected")
            await wait_for(lambda: station_limit_a(stations[0]) == 8.0, 15, "the other gets 40 - 32 = 8 A")
            live = await site_live(node, "lot")
            station = next(s for s in live["stations"] if s["station_id"] == liar)
            assert "composite schedule allows 32" in station["unresponsive"]


async def test_ocpp_201_stations_external_limit_and_single_phase_evs(node: Node) -> None:
    await create_site(node, id="hall", grid_limit_a=32)
    one, two = random_id("L1P"), random_id("L2P")
    await add_station(node, one, "hall")
    await add_station(node, two, "hall")
    async with node.client() as http:  # single-phase EVs draw on the station's L1: wired to R and S
        for station_id, rotation in ((one, "RST"), (two, "STR")):
            answer = await http.put(f"/api/v1/stations/{station_id}/energy", json={"phase_rotation": rotation})
            assert answer.status_code == 200, answer.text
    async with (
        websockets.connect(f"{node.ocpp_url}/{one}", subprotocols=["ocpp2.0.1"]) as ws1,
        websockets.connect(f"{node.ocpp_url}/{two}", subprotocols=["ocpp2.0.1"]) as ws2,
    ):
        cp1, cp2 = Lib201(one, ws1), Lib201(two, ws2)
        cp1.profiles, cp2.profiles = [], []
        async with running(cp1), running(cp2):
            await start_201(cp1, "TX-ONE")
            await start_201(cp2, "TX-TWO")
            # both three-phase (nothing known yet): 16 A each
            await wait_for(lambda: cp1.tx_limit() == 16.0 and cp2.tx_limit() == 16.0, 15, "2 x 16 A")
            needs = {
                "requested_energy_transfer": "AC_single_phase",
                "ac_charging_parameters": {
                    "energy_amount": 20000,
                    "ev_min_current": 6,
                    "ev_max_current": 32,
                    "ev_max_voltage": 230,
                },
            }
            for cp in (cp1, cp2):
                answer = await cp.call(call201.NotifyEVChargingNeeds(charging_needs=needs, evse_id=1))
                assert answer.status == "Accepted"
            # single-phase on different grid phases: each may have all 32 A of its phase
            await wait_for(lambda: cp1.tx_limit() == 32.0 and cp2.tx_limit() == 32.0, 15, "2 x 32 A on L1 and L2")
            live = await site_live(node, "hall")
            assert sorted(s["phases"] for s in live["sessions"]) == [[1], [2]]
            # the station reports an external limit of 10 A on its EVSE: it caps that station
            await cp2.call(
                call201.NotifyChargingLimit(
                    charging_limit={"charging_limit_source": "SO"},
                    evse_id=1,
                    charging_schedule=[
                        {
                            "id": 1,
                            "charging_rate_unit": "A",
                            "start_schedule": now(),
                            "charging_schedule_period": [{"start_period": 0, "limit": 10.0}],
                        }
                    ],
                )
            )
            await wait_for(lambda: cp2.tx_limit() == 10.0, 15, "capped by the external limit")
            assert cp1.tx_limit() == 32.0
            # every TxProfile names its transaction; the TxDefaultProfile of 0 A sits on EVSE 0
            tx_profiles = [p for p in cp2.profiles if p["charging_profile_purpose"] == "TxProfile"]
            assert {p["transaction_id"] for p in tx_profiles} == {"TX-TWO"}
            default = next(p for p in cp2.profiles if p["charging_profile_purpose"] == "TxDefaultProfile")
            assert default["evse_id"] == 0 and default["stack_level"] == 1

            # an operator's TxDefaultProfile above the balancer's would let a new session charge at once:
            # the station counts at its maximum until it is gone
            async def status_of(station_id: str) -> str:
                live = await site_live(node, "hall")
                return str(next(s["status"] for s in live["sessions"] if s["station_id"] == station_id))

            operator_default = {
                "stack_level": 2,
                "purpose": "TxDefaultProfile",
                "kind": "Relative",
                "schedules": [{"unit": "A", "periods": [{"start_s": 0, "limit": 16}]}],
            }
            async with node.client() as http:
                answer = await http.post(
                    f"/api/v1/stations/{one}/charging-profiles", json={"evse_id": 0, "profile": operator_default}
                )
                assert answer.status_code == 200 and answer.json()["status"] == "Accepted", answer.text
                profile_id = answer.json()["profile"]["id"]

                async def uncontrolled() -> bool:
                    return await status_of(one) == "unresponsive"

                await wait_for(uncontrolled, 10, "counted at its maximum")
                live = await site_live(node, "hall")
                station = next(s for s in live["stations"] if s["station_id"] == one)
                assert "stack level 2" in station["unresponsive"]
                assert (await http.delete(f"/api/v1/stations/{one}/charging-profiles/{profile_id}")).status_code == 200

                async def controlled() -> bool:
                    return await status_of(one) == "charging"

                await wait_for(controlled, 15, "controlled again")
