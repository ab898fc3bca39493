"""The site meter: a Modbus meter of the integrations config (pymodbus's own server on loopback)
measures the building load; what it measures narrows what charging gets, and when it goes silent the
site falls back to its ``fallback_limit_a`` and raises a fault, cleared when it answers again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargebridge.bus.memory import Subscription
from chargebridge.domain.events import DomainEvent, EventKind
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
    sim_fleet,
    site_live,
    station_limit_a,
    wait_for,
)
from tests.integration.test_integrations_modbus import FakeMeter, sdm630, serve

SILENCE_S = 3.0  # generous: a loaded machine may delay a poll or two


@pytest.fixture
async def metered(tmp_path: Path) -> AsyncIterator[tuple[Node, FakeMeter]]:
    fake = FakeMeter()
    sdm630(fake)  # L1 16.0 A, L2 15.5 A, L3 16.25 A of building load
    server, port = await serve(fake)
    config = tmp_path / "cb.toml"
    config.write_text(
        f"""
[metrics]
enabled = true
[modbus]
enabled = true
[[modbus.meters]]
name = "grid-meter"
map = "eastron-sdm630"
port = {port}
site_id = "plant"
poll_interval_s = 0.2
timeout_s = 1.0
"""
    )
    node = await energy_node(tmp_path, config_file=config, energy_meter_timeout_s=SILENCE_S)
    try:
        await add_token(node)
        yield node, fake
    finally:
        await node.app.stop()
        await server.shutdown()


def amps(stations: list) -> list[float | None]:  # type: ignore[type-arg]
    return [station_limit_a(s) for s in stations]


async def test_building_load_narrows_charging_and_a_silent_meter_falls_back(
    metered: tuple[Node, FakeMeter],
) -> None:
    node, fake = metered
    faults = node.app.bus.subscribe("test-meter-faults", {EventKind.FAULT_RAISED, EventKind.FAULT_CLEARED})
    await create_site(node, id="plant", grid_limit_a=40, meter="grid-meter", fallback_limit_a=12)
    ids = fleet_ids("EM", 2)
    for station_id in ids:
        await add_station(node, station_id, "plant", max_current_a=32)
    async with sim_fleet(node, OcppVersion.V201, ids) as stations:
        watch = LimitWatch(stations)
        watch.start()
        try:
            for station in stations:
                station.start_session(1, TOKEN)
            # 40 A minus the busiest phase's 16.25 A: 23.75 A for the two, 11.8 A each (rounded down)
            await wait_for(lambda: amps(stations) == [11.8, 11.8], 15, "2 x 11.8 A")
            live = await site_live(node, "plant")
            assert live["limit"]["building_load_a"] == [16.0, 15.5, 16.25]
            assert live["limit"]["available_a"] == [24.0, 24.5, 23.75]
            assert live["meter_silent"] is False

            # the building draws more on L1: 40 - 30 = 10 A left, not enough for two minimums of 6 A
            fake.float32(6, 30.0)
            await wait_for(lambda: sorted(amps(stations)) == [0.0, 10.0], 10, "one waits, one gets 10 A")
            fake.float32(6, 16.0)
            await wait_for(lambda: amps(stations) == [11.8, 11.8], 15, "back to 2 x 11.8 A")

            # the meter goes silent: after the bound, charging falls back to 12 A and a fault is raised
            fake.delay_s = 5.0
            await wait_for(lambda: amps(stations) == [6.0, 6.0], SILENCE_S + 10, "fallback 2 x 6 A")
            live = await site_live(node, "plant")
            assert live["meter_silent"] is True and live["limit"]["source"] == "fallback"
            assert live["limit"]["available_a"] == [12.0, 12.0, 12.0]
            raised = await wait_raised(faults, "SiteMeterSilent")
            assert raised.station_id == "site:plant" and "falls back to 12 A" in raised.data["info"]

            # it answers again: the fault clears and the measured load counts again
            fake.delay_s = 0.0
            await wait_for(lambda: amps(stations) == [11.8, 11.8], 20, "measured again")
            cleared = await wait_cleared(faults, "SiteMeterSilent")
            assert cleared.data["site_id"] == "plant"
        finally:
            await watch.stop()
            node.app.bus.unsubscribe(faults)
    assert watch.peak() <= 40 - 16.25 + 1e-6


async def wait_raised(subscription: Subscription, code: str) -> DomainEvent:
    return await next_event(subscription, EventKind.FAULT_RAISED, code)


async def wait_cleared(subscription: Subscription, code: str) -> DomainEvent:
    return await next_event(subscription, EventKind.FAULT_CLEARED, code)


async def next_event(subscription: Subscription, kind: EventKind, code: str) -> DomainEvent:
    async with asyncio.timeout(10):
        while True:
            event = await subscription.get()
            if event.kind is kind and event.data.get("code") == code:
                return event


async def test_prometheus_gauges_per_site(metered: tuple[Node, FakeMeter]) -> None:
    node, _ = metered
    await create_site(node, id="plant", grid_limit_a=40, meter="grid-meter", fallback_limit_a=12)

    async def measured() -> bool:
        live = await site_live(node, "plant")
        return live["limit"]["building_load_a"] is not None

    await wait_for(measured, 10, "the site meter read")
    async with node.client() as http:
        text = (await http.get("/metrics")).text
    assert 'chargebridge_site_limit_amps{site="plant"} 40.0' in text
    assert 'chargebridge_site_available_amps{phase="L3",site="plant"} 23.75' in text
    assert 'chargebridge_site_building_load_amps{phase="L1",site="plant"} 16.0' in text
    assert 'chargebridge_site_meter_silent{site="plant"} 0.0' in text
    assert 'chargebridge_site_sessions{site="plant",state="charging"} 0.0' in text
    assert "chargebridge_energy_replans_total" in text
