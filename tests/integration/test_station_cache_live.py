"""Issue 18, connect path: a reconnect is admitted from the node's station cache (no database
read), and a change made through the REST API is seen by the very next handshake."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import Node
from tests.integration.helpers import BOOT16, RawStation


async def _gone(node: Node, station_id: str) -> None:
    gateway = node.app.gateway
    assert gateway is not None
    for _ in range(100):
        if station_id not in gateway.connections:
            return
        await asyncio.sleep(0.02)


async def test_reconnect_from_the_cache_and_api_writes_seen_at_once(sqlite_node: Node, monkeypatch: Any) -> None:
    node = sqlite_node
    store = node.app.store
    assert store is not None
    station = await RawStation.open(node.ocpp_url, "CACHE-1")
    assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
    await station.close()
    await _gone(node, "CACHE-1")
    station = await RawStation.open(node.ocpp_url, "CACHE-1")  # read once more (auto-registration wrote it) ...
    await station.close()
    await _gone(node, "CACHE-1")

    reads: list[str] = []
    real_get_station = store.get_station

    async def counting_get_station(station_id: str) -> Any:
        reads.append(station_id)
        return await real_get_station(station_id)

    monkeypatch.setattr(store, "get_station", counting_get_station)
    station = await RawStation.open(node.ocpp_url, "CACHE-1")  # ... and from now on from the cache
    assert (await station.call("Heartbeat", {}))[0] == 3
    await station.close()
    await _gone(node, "CACHE-1")
    assert reads == []  # admitted without reading the row

    async with node.client() as api:
        answer = await api.put("/api/v1/stations/CACHE-1/security", json={"profile": 1, "password": "S3cret-pass-0001"})
        assert answer.status_code == 200, answer.text
    with pytest.raises(InvalidStatus) as refused:  # the next handshake sees the new profile at once
        await RawStation.open(node.ocpp_url, "CACHE-1")
    assert refused.value.response.status_code == 401
