"""Regression tests of each attack of issue #11 item 1: a token limited to ``MINE-1``/``MINE-2``
adding ``?station_id=MINE-1`` to routes that never use that parameter. Before the fix each of
these answered 2xx; ``test_scope_walk.py`` covers every other route the same way."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from chargebridge.domain.events import DomainEvent, EventKind
from tests.conftest import PG_HOST, PG_PORT, need_service
from tests.integration.scoped_world import (
    MINE,
    MINE_POWER_W,
    THEIRS_POWER_W,
    World,
    seed_world,
    start_world_node,
)

OWN = {"station_id": "MINE-1"}  # the "proof of scope" of the attacks


async def open_world(tmp_path: Path, database_url: str | None = None) -> World:
    node = await start_world_node(tmp_path, database_url, api_auth_failure_limit=1000)
    try:
        return await seed_world(node)
    except BaseException:
        await node.app.stop()
        raise


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = await open_world(tmp_path)
    try:
        yield world
    finally:
        await world.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def any_db_world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    """The world on SQLite and on PostgreSQL (in a schema of its own)."""
    if request.param == "sqlite":
        world = await open_world(tmp_path)
        try:
            yield world
        finally:
            await world.close()
        return
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    schema = f"cb_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        world = await open_world(tmp_path, f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}")
        try:
            yield world
        finally:
            await world.close()
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


async def tokens_as_admin(world: World) -> list[dict[str, Any]]:
    async with world.client() as http:
        answer = await http.get("/api/v1/tokens")
        assert answer.status_code == 200
        return list(answer.json()["items"])


async def test_scoped_admin_cannot_mint_an_unscoped_wider_or_longer_lived_token(world: World) -> None:
    before = {t["id"] for t in await tokens_as_admin(world)}
    async with world.client(world.tokens["admin"]) as http:
        unscoped = await http.post("/api/v1/tokens", params=OWN, json={"role": "admin", "name": "escalated"})
        assert unscoped.status_code == 403, unscoped.text
        wider = {"role": "admin", "name": "escalated", "stations": ["MINE-1", "THEIRS-1"]}
        assert (await http.post("/api/v1/tokens", params=OWN, json=wider)).status_code == 403
        other = {"role": "viewer", "name": "escalated", "stations": ["THEIRS-2"]}
        assert (await http.post("/api/v1/tokens", params=OWN, json=other)).status_code == 403
    assert {t["id"] for t in await tokens_as_admin(world)} == before
    # within the scope it works, and the new token is limited as asked
    async with world.client(world.tokens["admin"]) as http:
        created = await http.post("/api/v1/tokens", json={"role": "operator", "name": "site", "stations": ["MINE-1"]})
        assert created.status_code == 201 and created.json()["stations"] == ["MINE-1"]
    async with world.client(created.json()["token"]) as http:
        assert [s["id"] for s in (await http.get("/api/v1/stations")).json()["items"]] == ["MINE-1"]
    # a token that expires cannot create one that lives longer
    async with world.client() as http:
        short = await http.post(
            "/api/v1/tokens", json={"role": "admin", "name": "short", "stations": list(MINE), "expires_in_days": 2}
        )
        assert short.status_code == 201
    async with world.client(short.json()["token"]) as http:
        forever = await http.post("/api/v1/tokens", json={"role": "viewer", "stations": ["MINE-1"]})
        assert forever.status_code == 403 and "outlives" in forever.json()["detail"]
        longer = {"role": "viewer", "stations": ["MINE-1"], "expires_in_days": 3}
        assert (await http.post("/api/v1/tokens", json=longer)).status_code == 403
        shorter = {"role": "viewer", "stations": ["MINE-1"], "expires_in_days": 1}
        assert (await http.post("/api/v1/tokens", json=shorter)).status_code == 201


async def test_scoped_admin_cannot_remove_or_change_any_scope(world: World) -> None:
    tokens = {t["name"]: t for t in await tokens_as_admin(world)}
    own, theirs, spare = tokens["mine-admin"], tokens["theirs-site"], tokens["mine-spare"]
    async with world.client(world.tokens["admin"]) as http:
        lifted = await http.put(f"/api/v1/tokens/{own['id']}/stations", params=OWN, json={"stations": None})
        assert lifted.status_code == 403, lifted.text
        widened = {"stations": ["MINE-1", "MINE-2", "THEIRS-1"]}
        assert (await http.put(f"/api/v1/tokens/{own['id']}/stations", params=OWN, json=widened)).status_code == 403
        moved = {"stations": ["MINE-1"]}
        assert (await http.put(f"/api/v1/tokens/{theirs['id']}/stations", params=OWN, json=moved)).status_code == 403
        # it sees and revokes only tokens inside its scope
        listed = {t["name"] for t in (await http.get("/api/v1/tokens", params=OWN)).json()["items"]}
        assert listed == {"mine-spare", "mine-viewer", "mine-operator", "mine-admin"}
        assert (await http.delete(f"/api/v1/tokens/{theirs['id']}", params=OWN)).status_code == 404
        admin_id = next(t["id"] for t in tokens.values() if t["stations"] is None and t["role"] == "admin")
        assert (await http.delete(f"/api/v1/tokens/{admin_id}", params=OWN)).status_code == 404
        assert (await http.delete(f"/api/v1/tokens/{spare['id']}")).status_code == 204
    after = {t["name"]: t for t in await tokens_as_admin(world)}
    assert after["mine-admin"]["stations"] == sorted(MINE)
    assert after["theirs-site"]["stations"] == ["THEIRS-1"] and after["theirs-site"]["revoked_at"] is None
    assert all(t["revoked_at"] is None for t in after.values() if t["stations"] is None)
    async with world.client(world.tokens["admin"]) as http:
        assert (await http.get("/api/v1/status", params=OWN)).status_code == 403  # still scoped


async def test_scoped_admin_cannot_register_a_webhook_that_receives_the_fleet(world: World) -> None:
    async with world.client() as http:
        before = (await http.get("/api/v1/webhooks")).json()["items"]
    async with world.client(world.tokens["admin"]) as http:
        hook = {"url": "http://127.0.0.1:9/stolen", "kinds": []}
        answer = await http.post("/api/v1/webhooks", params=OWN, json=hook)
        assert answer.status_code == 403, answer.text
        assert (await http.get("/api/v1/webhooks", params=OWN)).status_code == 403
        assert (await http.get("/api/v1/webhooks/dead-letters", params=OWN)).status_code == 403
        assert (await http.delete(f"/api/v1/webhooks/{world.subscription_id}", params=OWN)).status_code == 403
    async with world.client() as http:
        assert (await http.get("/api/v1/webhooks")).json()["items"] == before


async def test_scoped_operator_cannot_run_a_firmware_campaign(world: World) -> None:
    async with world.client() as http:
        before = (await http.get("/api/v1/firmware/campaigns")).json()
    async with world.client(world.tokens["operator"]) as http:
        fleet = {"name": "everyone", "image_id": world.image_id, "start": True}
        answer = await http.post("/api/v1/firmware/campaigns", params=OWN, json=fleet)
        assert answer.status_code == 403, answer.text
        own_only = {"name": "mine", "image_id": world.image_id, "target": {"station_ids": ["MINE-1"]}}
        assert (await http.post("/api/v1/firmware/campaigns", params=OWN, json=own_only)).status_code == 403
        for action in ("start", "abort"):
            url = f"/api/v1/firmware/campaigns/{world.campaign_id}/{action}"
            assert (await http.post(url, params=OWN)).status_code == 403
        rollback = f"/api/v1/firmware/campaigns/{world.campaign_id}/rollback"
        assert (await http.post(rollback, params=OWN)).status_code == 403
        assert (await http.get("/api/v1/firmware/campaigns", params=OWN)).status_code == 403
        # one update of an own station is still possible
        update = await http.post("/api/v1/firmware/stations/MINE-1/update", json={"image_id": world.image_id})
        assert update.status_code == 200, update.text
        theirs = await http.post("/api/v1/firmware/stations/THEIRS-1/update", json={"image_id": world.image_id})
        assert theirs.status_code == 404
    async with world.client() as http:
        assert (await http.get("/api/v1/firmware/campaigns")).json() == before
    assert world.theirs.received == []


async def test_scoped_tokens_cannot_read_id_tokens_or_other_stations(world: World) -> None:
    for role in ("viewer", "operator", "admin"):
        async with world.client(world.tokens[role]) as http:
            assert (await http.get("/api/v1/id-tokens", params=OWN)).status_code == 403
            assert (await http.get("/api/v1/id-tokens/TAG-THEIRS", params=OWN)).status_code == 403
            assert (await http.get("/api/v1/status", params=OWN)).status_code == 403
            # a query parameter never proves anything about the path, nor does repeating it
            assert (await http.get("/api/v1/stations/THEIRS-1", params=OWN)).status_code == 404
            assert (await http.get("/api/v1/stations/THEIRS-1/events", params=OWN)).status_code == 404
            both = [("station_id", "THEIRS-1"), ("station_id", "MINE-1")]
            assert (await http.get("/api/v1/transactions", params=both)).status_code == 404
            assert (await http.get("/api/v1/fleet/sessions", params=both)).status_code == 404
            file = f"/api/v1/firmware/diagnostics/{world.theirs_diagnostics}/file"
            assert (await http.get(file, params=OWN)).status_code == 404
            mine = await http.get(f"/api/v1/firmware/diagnostics/{world.mine_diagnostics}/file")
            assert mine.status_code == 200 and mine.content == b"mine-diagnostics"


def station_ids(answer: Any) -> set[str]:
    items = answer["items"] if isinstance(answer, dict) else answer
    return {item["station_id"] if "station_id" in item else item["id"] for item in items}


async def test_fleet_views_are_those_of_the_scope(any_db_world: World) -> None:
    world = any_db_world
    async with world.client() as http:
        everything = (await http.get("/api/v1/fleet/summary")).json()
    assert everything["stations"] == 4 and everything["power_w"] == MINE_POWER_W + THEIRS_POWER_W
    async with world.client(world.tokens["operator"]) as http:
        summary = (await http.get("/api/v1/fleet/summary", params=OWN)).json()
        assert summary["stations"] == 2 and summary["online"] == 1 and summary["faulted"] == 1
        # the seeded world has two sessions per station: one charging, one finished (with its CDR)
        assert summary["connected_now"] == 1 and summary["sessions_today"] == 2
        assert summary["power_w"] == MINE_POWER_W
        power = (await http.get("/api/v1/fleet/power", params=OWN)).json()
        assert power["power_w"] == MINE_POWER_W and power["points"] == []
        csv = (await http.get("/api/v1/exports/transactions.csv")).text
        assert "MINE-1" in csv and "THEIRS" not in csv
        cdrs = (await http.get("/api/v1/exports/cdrs.csv")).text
        assert "MINE-1" in cdrs and "THEIRS" not in cdrs
    lists = {
        "viewer": [
            "/api/v1/stations",
            "/api/v1/transactions",
            "/api/v1/cdrs",
            "/api/v1/fleet/events?limit=1000",
            "/api/v1/fleet/faults",
            "/api/v1/fleet/sessions",
            "/api/v1/fleet/stations",
            "/api/v1/certificates",
            "/api/v1/firmware/updates",
            "/api/v1/firmware/diagnostics",
            f"/api/v1/firmware/images/{world.image_id}/downloads",
        ],
        "admin": ["/api/v1/security-events", "/api/v1/audit"],
    }
    for role, urls in lists.items():
        for url in urls:
            async with world.client() as http:
                assert "THEIRS-1" in station_ids((await http.get(url)).json()), url
            async with world.client(world.tokens[role]) as http:
                for params in (None, OWN):
                    answer = await http.get(url, params=params)
                    assert answer.status_code == 200 and station_ids(answer.json()) <= set(MINE), (url, answer.text)


class Sse:
    """Reads one server-sent event stream."""

    def __init__(self, response: httpx.Response):
        self.response = response
        self.chunks = response.aiter_text()
        self.buffer = ""

    async def until(self, text: str, timeout: float = 10) -> list[tuple[str, Any]]:
        """Events (name, data) up to the first whose block contains ``text``."""
        events: list[tuple[str, Any]] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            while "\n\n" in self.buffer:
                block, self.buffer = self.buffer.split("\n\n", 1)
                fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
                if "event" in fields:
                    events.append((fields["event"], json.loads(fields["data"])))
                    if text in block:
                        return events
            self.buffer += await asyncio.wait_for(anext(self.chunks), deadline - time.monotonic())
        raise AssertionError(f"no event with {text!r} in {events}")


async def test_live_stream_carries_only_the_scope(world: World) -> None:
    bus = world.node.app.bus
    streams = {}
    for who, token, params in (("scoped", world.tokens["viewer"], OWN), ("admin", world.node.admin_token, None)):
        http = world.client(token)
        request = http.build_request("GET", "/api/v1/events/stream", params=params)
        streams[who] = (http, Sse(await http.send(request, stream=True)))
    try:
        hellos = {who: (await sse.until("hello"))[-1][1] for who, (_h, sse) in streams.items()}
        assert hellos["scoped"]["power_w"] == MINE_POWER_W
        assert hellos["admin"]["power_w"] == MINE_POWER_W + THEIRS_POWER_W
        now = world.node.app.clock.now()
        bus.publish(DomainEvent(EventKind.STATION_EVENT, "THEIRS-1", now, {"n": 1}))
        bus.publish(DomainEvent(EventKind.SECURITY_RECORDED, "", now, {"type": "InvalidClientCertificate"}))
        bus.publish(DomainEvent(EventKind.STATION_EVENT, "MINE-1", now, {"n": 3}))
        scoped = await streams["scoped"][1].until('"n":3')
        admin = await streams["admin"][1].until('"n":3')
        assert [e["station_id"] for name, e in scoped if name != "fleet.power"] == ["MINE-1"]
        assert [e["station_id"] for name, e in admin if name != "fleet.power"] == ["THEIRS-1", None, "MINE-1"]
        tick = next(e for name, e in await streams["scoped"][1].until("fleet.power") if name == "fleet.power")
        assert tick["power_w"] == MINE_POWER_W
    finally:
        for http, sse in streams.values():
            await sse.response.aclose()
            await http.aclose()
