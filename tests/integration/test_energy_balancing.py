"""Load balancing end to end over real sockets with simulated stations of both OCPP versions.

Every scenario watches the limits in effect at the stations continuously (they must never add up past
the site's available current) and reconciles the meter values the server stored afterwards.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargebridge.rpc import OcppVersion
from tests.conftest import Node
from tests.integration.energy_helpers import (
    TOKEN,
    LimitWatch,
    add_station,
    add_token,
    create_site,
    energy_node,
    fleet_ids,
    reconciled_peak,
    sim_fleet,
    site_live,
    station_limit_a,
    wait_for,
)

V16, V201 = OcppVersion.V16, OcppVersion.V201
both_versions = pytest.mark.parametrize("version", [V16, V201], ids=["1.6", "2.0.1"])
HOLD_S = 2.5  # real seconds: two or three MeterValues per station
RAMP_TOLERANCE_A = 1.0  # a sample taken just before a lowering is held until the station's next sample


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await energy_node(tmp_path)
    try:
        await add_token(node)
        yield node
    finally:
        await node.app.stop()


def limits(stations: list) -> list[float | None]:  # type: ignore[type-arg]
    return [station_limit_a(s) for s in stations]


@both_versions
async def test_ten_evs_on_63_a_share_it_hand_it_on_and_follow_a_curtailment(node: Node, version: OcppVersion) -> None:
    site = f"depot-{version.value.replace('.', '')}"
    await create_site(node, id=site, name="Depot", grid_limit_a=63, phases=3, voltage_v=230, min_current_a=6)
    ids = fleet_ids("EN", 10)
    for station_id in ids:
        await add_station(node, station_id, site, max_current_a=32)
    async with sim_fleet(node, version, ids) as stations:
        watch = LimitWatch(stations)
        watch.start()
        try:
            for station in stations:
                station.start_session(1, TOKEN)
                await asyncio.sleep(0.05)
            # every session gets an equal share: 63 / 10 = 6.3 A
            await wait_for(lambda: limits(stations) == [6.3] * 10, 20, "10 x 6.3 A")
            await asyncio.sleep(HOLD_S)  # meter values of every state for the reconciliation
            live = await site_live(node, site)
            assert {s["status"] for s in live["sessions"]} == {"charging"} and len(live["sessions"]) == 10
            assert live["allocated_a"] <= 63

            # a grid-operator curtailment to 32 A: in every station's limit within 5 s
            async with node.client() as http:
                answer = await http.post(
                    f"/api/v1/sites/{site}/limits", json={"limit_a": 32, "duration_s": 10, "source": "DSO"}
                )
            assert answer.status_code == 201, answer.text
            curtailed_at = time.monotonic()

            def curtailed() -> bool:
                now = limits(stations)
                return watch.total() <= 32 and now.count(0.0) == 5 and all(x == 0.0 or x >= 6 for x in now)

            await wait_for(curtailed, 5, "curtailed to 32 A")
            assert time.monotonic() - curtailed_at < 5
            # 32 // 6 = 5 sessions keep charging (their 6.4 A share is not worth a message over 6.3 A), 5 wait
            assert sorted(limits(stations)) == [0.0] * 5 + [6.3] * 5
            live = await site_live(node, site)
            assert live["limit"]["limit_a"] == 32 and live["limit"]["source"] == "curtailment:DSO"
            assert sum(1 for s in live["sessions"] if s["status"] == "waiting") == 5
            await asyncio.sleep(HOLD_S)

            # ... and reverted at its end
            await wait_for(lambda: limits(stations) == [6.3] * 10, 10 + 5, "reverted to 10 x 6.3 A")
            assert time.monotonic() - curtailed_at > 10 - 0.5  # not before its end
            assert time.monotonic() - curtailed_at < 10 + 5
            await asyncio.sleep(HOLD_S)

            # sessions ending hand their current to the others: 63 / 7 = 9 A
            for station in stations[:3]:
                station.stop_session(1)
            await wait_for(lambda: limits(stations[3:]) == [9.0] * 7, 15, "7 x 9 A")
            await asyncio.sleep(HOLD_S)
        finally:
            await watch.stop()
    assert watch.peak() <= 63 + 1e-6, watch.peak()
    peak, at = await reconciled_peak(node, ids)
    assert peak <= 63 + RAMP_TOLERANCE_A, (peak, at)
    assert peak > 50  # the meter values did see the site nearly fully used


@both_versions
async def test_a_new_session_waits_when_the_minimum_does_not_fit(node: Node, version: OcppVersion) -> None:
    site = f"small-{version.value.replace('.', '')}"
    await create_site(node, id=site, grid_limit_a=14, min_current_a=6)
    ids = fleet_ids("EW", 3)
    for station_id in ids:
        await add_station(node, station_id, site)
    async with sim_fleet(node, version, ids) as stations:
        watch = LimitWatch(stations)
        watch.start()
        try:
            stations[0].start_session(1, TOKEN)
            stations[1].start_session(1, TOKEN)
            await wait_for(lambda: limits(stations[:2]) == [7.0, 7.0], 15, "2 x 7 A")
            stations[2].start_session(1, TOKEN)
            await wait_for(lambda: stations[2].state.connectors[1].session is not None, 5)
            await asyncio.sleep(2.0)  # a few plans later: the newcomer still waits, the others keep charging
            assert limits(stations) == [7.0, 7.0, 0.0]
            live = await site_live(node, site)
            waiting = [s for s in live["sessions"] if s["status"] == "waiting"]
            assert [s["station_id"] for s in waiting] == [ids[2]]
            # its EV draws nothing meanwhile
            session = stations[2].state.connectors[1].session
            assert session is not None and session.power_w == 0.0
            # the first one leaves: the waiting one gets its minimum and more
            stations[0].stop_session(1)
            await wait_for(lambda: limits(stations[1:]) == [7.0, 7.0], 15, "handed over")
        finally:
            await watch.stop()
    assert watch.peak() <= 14 + 1e-6
    peak, at = await reconciled_peak(node, ids)
    assert peak <= 14 + RAMP_TOLERANCE_A, (peak, at)


@both_versions
async def test_a_station_that_disconnects_mid_session_is_counted_at_its_maximum(
    node: Node, version: OcppVersion
) -> None:
    site = f"feed-{version.value.replace('.', '')}"
    await create_site(node, id=site, grid_limit_a=30, min_current_a=6)
    ids = fleet_ids("ED", 3)
    for station_id in ids:
        await add_station(node, station_id, site, max_current_a=16)
    async with sim_fleet(node, version, ids) as stations:
        watch = LimitWatch(stations)
        watch.start()
        try:
            for station in stations:
                station.start_session(1, TOKEN)
            await wait_for(lambda: limits(stations) == [10.0, 10.0, 10.0], 15, "3 x 10 A")
            stations[2].go_offline(600.0)  # ten simulated minutes: 10 real seconds at 60 x
            # it may keep charging at anything up to its 16 A maximum: the others share 30 - 16 = 14 A
            await wait_for(lambda: limits(stations[:2]) == [7.0, 7.0], 5, "2 x 7 A")
            live = await site_live(node, site)
            gone = next(s for s in live["sessions"] if s["station_id"] == ids[2])
            assert gone["status"] == "disconnected" and gone["counted_a"] == 16
            assert live["allocated_a"] <= 30
            # back: its limit is sent again (a lowering first), then everyone shares equally
            await wait_for(lambda: limits(stations) == [10.0, 10.0, 10.0], 30, "back to 3 x 10 A")
        finally:
            await watch.stop()
    # the disconnected station's own limit stayed 10 A (it kept its profile): 7 + 7 + 10 < 30
    assert watch.peak() <= 30 + 1e-6


async def test_nested_feeder_limit_and_priorities(node: Node) -> None:
    await create_site(node, id="campus", grid_limit_a=40)
    await create_site(node, id="garage", parent_id="campus", grid_limit_a=16)
    outside = fleet_ids("EO", 2)
    inside = fleet_ids("EI", 2)
    for station_id in outside:
        await add_station(node, station_id, "campus")
    for station_id in inside:
        await add_station(node, station_id, "garage")
    async with node.client() as http:  # one garage EVSE has priority
        answer = await http.put(
            f"/api/v1/stations/{inside[0]}/energy", json={"priority": 5, "evses": [{"evse_id": 1, "max_current_a": 10}]}
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["priority"] == 5 and answer.json()["evses"][0]["max_current_a"] == 10
    async with sim_fleet(node, V201, [*outside, *inside]) as stations:
        for station in stations:
            station.start_session(1, TOKEN)
        # the garage feeder (16 A): the priority EVSE gets its 10 A maximum, the other the remaining 6 A;
        # the campus (40 A) gives the rest, 24 A, to the two outside: 12 A each
        await wait_for(lambda: limits(stations) == [12.0, 12.0, 10.0, 6.0], 20, "nested allocation")
        live = await site_live(node, "campus")
        assert live["children"] == ["garage"] and live["allocated_a"] <= 40
        garage = await site_live(node, "garage")
        assert garage["allocated_a"] == 16 and garage["root"] == "campus"
