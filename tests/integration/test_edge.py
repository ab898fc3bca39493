"""Edge mode end to end: a simulated SDM630 on a pseudo-terminal (Modbus RTU), the edge process, and a
real chargebridge node as its upstream (https uplink)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from chargebridge.edge.runner import EdgeNode
from tests.conftest import Node, random_id, start_node
from tests.integration.edge_support import RtuMeter, edge_config, pty_pair, rtu_device_toml, wait_for
from tests.integration.tcp_proxy import TcpProxy


@pytest.fixture
async def line() -> AsyncIterator[tuple[RtuMeter, str]]:
    """(the meter on one end of a serial line, the device path of the other end)."""
    async with pty_pair() as (meter_end, edge_end):
        meter = RtuMeter(meter_end)
        await meter.start()
        try:
            yield meter, edge_end
        finally:
            await meter.stop()


async def edge_token(node: Node) -> str:
    return await node.token("operator")


async def edge_state(client: httpx.AsyncClient, edge_id: str) -> dict[str, Any] | None:
    response = await client.get(f"/api/v1/edges/{edge_id}")
    return response.json() if response.status_code == 200 else None


def device_of(state: dict[str, Any] | None, name: str) -> dict[str, Any]:
    assert state is not None
    return next(d for d in state["devices"] if d["device"] == name)


async def test_rtu_meter_reaches_the_server_over_https(
    sqlite_node: Node, line: tuple[RtuMeter, str], tmp_path: Path
) -> None:
    meter, port = line
    node = sqlite_node
    assert node.app.store is not None
    station_id = random_id()
    await node.app.store.add_station(station_id, now=node.app.clock.now())
    edge_id = random_id("edge")
    token = await edge_token(node)
    events = node.app.bus.subscribe("edge-test")
    config = edge_config(
        tmp_path,
        edge_id,
        upstream=node.http_url,
        uplink=f'token = "{token}"\n',
        devices=rtu_device_toml("grid-meter", port, station_id=station_id, evse_id=1),
    )
    edge = EdgeNode(config)
    await edge.start()
    try:
        async with node.client() as client:

            async def sampled() -> dict[str, Any] | None:
                state = await edge_state(client, edge_id)
                if state is None or not state["devices"] or device_of(state, "grid-meter")["last_sample_at"] is None:
                    return None
                return state

            state = await wait_for(sampled, what="the meter's first sample at the server")
            device = device_of(state, "grid-meter")
            assert device["transport"] == "rtu"
            assert device["station_id"] == station_id
            assert device["reachable"] is True
            assert device["last_good_read_at"] is not None
            assert device["counters"]["polls"] >= 1
            assert device["active_faults"] == {}
            assert state["online"] is True and state["uplink"] == "https"

            listed = (await client.get("/api/v1/edges")).json()
            assert [e["id"] for e in listed if e["id"] == edge_id] == [edge_id]

            samples = (await client.get(f"/api/v1/edges/{edge_id}/samples", params={"limit": 1})).json()
            values = {(v["measurand"], v["phase"]): v["value"] for v in samples[0]["values"]}
            assert values[("Voltage", "L1-N")] == pytest.approx(230.5)
            assert values[("Energy.Active.Import.Register", None)] == pytest.approx(1234500.0)

            # The station's own meter values carry the readings too (like a [modbus] meter of a node).
            meter_values = (await client.get(f"/api/v1/stations/{station_id}/meter-values")).json()
            assert any(v["measurand"] == "Frequency" and v["evse_id"] == 1 for v in _rows(meter_values))
    finally:
        await edge.stop()
    # and on the bus, as meter.sampled for the station
    seen = []
    while not events.queue.empty():
        seen.append(events.queue.get_nowait())
    sampled_events = [e for e in seen if e.kind.value == "meter.sampled" and e.station_id == station_id]
    assert sampled_events and sampled_events[0].data["source"] == "edge"
    assert sampled_events[0].data["device"] == "grid-meter" and sampled_events[0].data["edge_id"] == edge_id


def _rows(answer: Any) -> list[dict[str, Any]]:
    if isinstance(answer, dict):
        for key in ("items", "samples", "meter_values"):
            if key in answer:
                return list(answer[key])
    return list(answer)
