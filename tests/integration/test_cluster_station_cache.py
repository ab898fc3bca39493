"""The station registration cache across nodes (real PostgreSQL and NATS, two nodes in this process).

Each node caches what a handshake needs of a station's row. A password changed, a station
rejected or deleted through one node must hold on every node's next handshake at once, not when
the other nodes' entries expire: the TTL is set far beyond the test here, so only the cluster's
announcement can explain a refusal."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import PG_HOST, PG_PORT, need_service
from tests.integration.cluster_world import NATS_HOST, NATS_PORT, ClusterWorld, until
from tests.integration.helpers import BOOT16, RawStation

pytestmark = pytest.mark.postgres

OLD_PASSWORD = "old-password-0123456"
NEW_PASSWORD = "new-password-6543210"


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[ClusterWorld]:
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    need_service("NATS", NATS_HOST, NATS_PORT)
    world = ClusterWorld(tmp_path)
    await world.open()
    try:
        yield world
    finally:
        await world.close()


def basic(station_id: str, password: str) -> dict[str, Any]:
    token = base64.b64encode(f"{station_id}:{password}".encode()).decode()
    return {"additional_headers": {"Authorization": f"Basic {token}"}}


async def connect(url: str, station_id: str, password: str) -> int:
    """The HTTP status of the handshake: 101 when admitted (the station boots and leaves)."""
    try:
        station = await RawStation.open(url, station_id, "1.6", **basic(station_id, password))
    except InvalidStatus as exc:
        return int(exc.response.status_code)
    try:
        await station.call("BootNotification", BOOT16)
    finally:
        await station.close()
    return 101


async def test_a_change_through_one_node_holds_on_the_others_next_handshake(
    world: ClusterWorld, tmp_path: Path
) -> None:
    settings = {"auto_register": False, "station_cache_ttl_s": 600.0, "password_verify_cache_s": 600.0}
    a = await world.start_app(tmp_path, "a", **settings)
    b = await world.start_app(tmp_path, "b", **settings)
    async with world.client(a.http_url) as api:
        body = {"id": "CP-PW", "security_profile": 1, "password": OLD_PASSWORD}
        created = await api.post("/api/v1/stations", json=body)
        assert created.status_code == 201, created.text
        # Node b admits the station and caches its row and the verified password.
        assert await connect(b.ocpp_url, "CP-PW", OLD_PASSWORD) == 101
        assert b.app.store.station_cache.get("CP-PW") is not None
        await until(lambda: not b.app.gateway.is_connected("CP-PW"), what="the station to leave node b")

        # The password is changed through node a: node b refuses the old one at once.
        changed = await api.patch("/api/v1/stations/CP-PW", json={"password": NEW_PASSWORD})
        assert changed.status_code == 200, changed.text
        await until(lambda: b.app.store.station_cache.get("CP-PW") is None, timeout_s=5, what="b's entry dropped")
        assert await connect(b.ocpp_url, "CP-PW", OLD_PASSWORD) == 401
        assert await connect(b.ocpp_url, "CP-PW", NEW_PASSWORD) == 101
        await until(lambda: not b.app.gateway.is_connected("CP-PW"), what="the station to leave node b")

        # Deleted through node a: node b does not let it in on its cached row.
        assert b.app.store.station_cache.get("CP-PW") is not None
        assert (await api.delete("/api/v1/stations/CP-PW")).status_code in (200, 204)
        await until(lambda: b.app.store.station_cache.get("CP-PW") is None, timeout_s=5, what="b's entry dropped")
        assert await connect(b.ocpp_url, "CP-PW", NEW_PASSWORD) in (401, 404)
    sync_a, sync_b = a.app.cluster.cache_sync, b.app.cluster.cache_sync
    assert sync_a.announced >= 2 and sync_b.received >= 2
