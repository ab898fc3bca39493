"""Authorize while the database is away (issue 11, item 6).

Before: the token lookup failed and the station got InternalError at once, so no driver could
start a session. Now the answer comes from the cache of recently seen token statuses (filled
by lookups, updated by the id-token API), an unknown token gets the configured offline answer,
each offline answer is counted and, once the database is back, stored as a station event and
checked against the database (a different status is recorded as a discrepancy).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from websockets.exceptions import InvalidStatus

from tests.conftest import PG_HOST, PG_PORT, Node, need_service, start_node
from tests.integration.helpers import BOOT16, BOOT201, RawStation
from tests.integration.tcp_proxy import TcpProxy

pytestmark = pytest.mark.postgres


@dataclass
class Setup:
    node: Node
    proxy: TcpProxy
    admin: asyncpg.Connection
    schema: str


async def _setup(tmp_path: Path, **settings: object) -> Setup:
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    schema = f"cb_test_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await admin.execute(f'CREATE SCHEMA "{schema}"')
    proxy = TcpProxy(PG_HOST, PG_PORT)
    port = await proxy.start()
    node = await start_node(
        tmp_path,
        f"postgresql+asyncpg://postgres@127.0.0.1:{port}/test?schema={schema}",
        auto_register=True,
        store_retry_window_s=2.0,
        db_connect_timeout_s=1.0,
        db_statement_timeout_s=2.0,
        db_pool_timeout_s=1.0,
        **settings,
    )
    return Setup(node, proxy, admin, schema)


@pytest.fixture
async def setup(tmp_path: Path) -> AsyncIterator[Setup]:
    s = await _setup(tmp_path)
    try:
        yield s
    finally:
        await _teardown(s)


async def _teardown(s: Setup) -> None:
    if s.proxy._server is None:
        await s.proxy.start()
    s.proxy.restore()
    await s.node.app.stop(timeout_s=10)
    await s.proxy.cut()
    await s.admin.execute(f'DROP SCHEMA "{s.schema}" CASCADE')
    await s.admin.close()


async def _token(node: Node, value: str, status: str = "Accepted", **extra: Any) -> None:
    async with node.client() as api:
        response = await api.post("/api/v1/id-tokens", json={"id_token": value, "status": status, **extra})
        assert response.status_code == 201, response.text


async def _authorize16(station: RawStation, tag: str) -> tuple[str, float]:
    started = time.monotonic()
    frame = await station.call("Authorize", {"idTag": tag}, timeout=10)
    assert frame[0] == 3, frame  # a CALLRESULT, never InternalError
    return frame[2]["idTagInfo"]["status"], time.monotonic() - started


async def _events(node: Node, station_id: str, kind: str) -> list[dict[str, Any]]:
    async with node.client() as api:
        response = await api.get(f"/api/v1/stations/{station_id}/events", params={"kind": kind})
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]


async def _eventually_events(node: Node, station_id: str, kind: str, count: int) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 15
    while True:
        try:
            events = await _events(node, station_id, kind)
        except AssertionError:
            events = []
        if len(events) >= count:
            return events
        assert time.monotonic() < deadline, f"{kind}: {len(events)} of {count} events"
        await asyncio.sleep(0.2)


async def test_authorize_answers_from_the_cache_during_an_outage_and_reconciles(setup: Setup) -> None:
    node, proxy = setup.node, setup.proxy
    await _token(node, "ACC-1")
    await _token(node, "BLK-1", "Blocked")
    await _token(node, "CHG-1")
    await _token(node, "GRP-1", group_id="G1")
    station = await RawStation.open(node.ocpp_url, "OFFLINE-1", "1.6")
    await station.call("BootNotification", BOOT16)
    station201 = await RawStation.open(node.ocpp_url, "OFFLINE-2", "2.0.1")  # a new socket needs the database
    await station201.call("BootNotification", BOOT201)
    # online lookups fill the cache, including a token the database does not know
    for tag, expected in (("ACC-1", "Accepted"), ("BLK-1", "Blocked"), ("CHG-1", "Accepted"), ("NOPE-1", "Invalid")):
        assert (await _authorize16(station, tag))[0] == expected
    # an API write updates the cached status
    async with node.client() as api:
        assert (await api.put("/api/v1/id-tokens/CHG-1", json={"status": "Blocked"})).status_code == 200

    await proxy.cut()
    for tag, expected in (
        ("ACC-1", "Accepted"),  # cached
        ("BLK-1", "Blocked"),  # cached
        ("CHG-1", "Blocked"),  # cached, as the API last wrote it
        ("NOPE-1", "Invalid"),  # cached as unknown
        ("NEVER-SEEN", "Invalid"),  # the offline policy for unknown tokens (default)
    ):
        status, took = await _authorize16(station, tag)
        assert status == expected, tag
        assert took < 5.0, (tag, took)  # answered, not after the retry window's worth of waiting
    # a 2.0.1 station too: a token the API wrote is cached with its group
    frame = await station201.call("Authorize", {"idToken": {"idToken": "GRP-1", "type": "ISO14443"}}, timeout=10)
    assert frame[0] == 3, frame
    assert frame[2]["idTokenInfo"]["status"] == "Accepted"
    assert frame[2]["idTokenInfo"]["groupIdToken"]["idToken"] == "G1"
    assert node.app.requests is not None
    stats = node.app.requests.authorization.stats
    assert stats.offline_answers[("cache", "Accepted")] == 2
    assert stats.offline_answers[("cache", "Blocked")] == 2
    assert stats.offline_answers[("policy", "Invalid")] == 1
    # a new socket needs the database for its handshake: 503 with Retry-After, not a hang or a 500
    with pytest.raises(InvalidStatus) as refused:
        await RawStation.open(node.ocpp_url, "OFFLINE-9", "1.6")
    assert refused.value.response.status_code == 503

    # Meanwhile someone blocks ACC-1 in the database (another node, a script).
    await setup.admin.execute(f"UPDATE \"{setup.schema}\".id_tokens SET status = 'Blocked' WHERE id_token = 'ACC-1'")

    await proxy.start()
    offline = await _eventually_events(node, "OFFLINE-1", "authorize_offline", 5)
    assert sorted((e["data"]["id_token"], e["data"]["source"], e["data"]["status"]) for e in offline) == [
        ("ACC-1", "cache", "Accepted"),
        ("BLK-1", "cache", "Blocked"),
        ("CHG-1", "cache", "Blocked"),
        ("NEVER-SEEN", "policy", "Invalid"),
        ("NOPE-1", "cache", "Invalid"),
    ]
    assert all(e["data"]["cached_at"] for e in offline if e["data"]["source"] == "cache")
    discrepancies = await _eventually_events(node, "OFFLINE-1", "authorize_discrepancy", 1)
    assert [(e["data"]["id_token"], e["data"]["status"], e["data"]["database_status"]) for e in discrepancies] == [
        ("ACC-1", "Accepted", "Blocked")
    ]
    grouped = await _eventually_events(node, "OFFLINE-2", "authorize_offline", 1)
    assert grouped[0]["data"]["id_token"] == "GRP-1"
    assert node.app.requests.authorization.pending == 0
    async with node.client() as api:
        metrics = (await api.get("/metrics")).text
    assert 'chargebridge_authorize_offline_answers_total{source="cache",status="Accepted"} 2.0' in metrics
    assert "chargebridge_authorize_offline_discrepancies_total 1.0" in metrics
    # online again: the database's answer
    assert (await _authorize16(station, "ACC-1"))[0] == "Blocked"
    await station.close()
    await station201.close()


async def test_start_transaction_during_a_short_outage_uses_the_cached_status(setup: Setup) -> None:
    """The lookup fails, the write waits for the database (within the retry window) and commits:
    the answer carries the cached status and the offline answer is recorded."""
    node, proxy = setup.node, setup.proxy
    await _token(node, "TX-1")
    station = await RawStation.open(node.ocpp_url, "OFFLINE-3", "1.6")
    await station.call("BootNotification", BOOT16)
    assert (await _authorize16(station, "TX-1"))[0] == "Accepted"
    await proxy.cut()
    start = asyncio.create_task(
        station.call(
            "StartTransaction",
            {"connectorId": 1, "idTag": "TX-1", "meterStart": 0, "timestamp": "2026-11-23T10:00:00Z"},
            timeout=10,
        )
    )
    await asyncio.sleep(0.8)
    assert not start.done()  # nothing acknowledged before the commit
    await proxy.start()
    frame = await start
    assert frame[0] == 3 and frame[2]["idTagInfo"]["status"] == "Accepted", frame
    offline = await _eventually_events(node, "OFFLINE-3", "authorize_offline", 1)
    assert offline[0]["data"]["id_token"] == "TX-1"
    await station.close()


async def test_unknown_tokens_follow_the_configured_offline_policy(tmp_path: Path) -> None:
    s = await _setup(tmp_path, authorize_offline_unknown="Accepted")
    try:
        station = await RawStation.open(s.node.ocpp_url, "OFFLINE-4", "2.0.1")
        await station.call("BootNotification", BOOT201)
        frame = await station.call("Authorize", {"idToken": {"idToken": "KNOWN-BAD", "type": "ISO14443"}})
        assert frame[2]["idTokenInfo"]["status"] == "Invalid"  # looked up online: unknown
        await s.proxy.cut()
        for token, expected in (("KNOWN-BAD", "Invalid"), ("FIRST-TIME", "Accepted")):
            frame = await station.call("Authorize", {"idToken": {"idToken": token, "type": "ISO14443"}}, timeout=10)
            assert frame[0] == 3 and frame[2]["idTokenInfo"]["status"] == expected, (token, frame)
        await station.close()
    finally:
        await _teardown(s)


async def test_the_local_list_answers_for_tokens_this_node_has_not_seen(tmp_path: Path) -> None:
    """No cache (size 0): the node's copy of the local authorization list decides, between the
    cache and the answer for unknown tokens; the answers are recorded with their source."""
    s = await _setup(tmp_path, authorize_cache_size=0)
    try:
        node = s.node
        await _token(node, "LIST-OK")
        await _token(node, "LIST-BLOCKED", status="Blocked")
        await _token(node, "LIST-OLD", expires_at="2020-01-01T00:00:00Z")
        authorization = next(ext for ext in node.app.extensions if ext.name == "authorization")
        await authorization.local_list.refresh()  # type: ignore[attr-defined]
        station = await RawStation.open(node.ocpp_url, "OFFLINE-5", "1.6")
        await station.call("BootNotification", BOOT16)
        await s.proxy.cut()
        answers = {
            tag: (await _authorize16(station, tag))[0] for tag in ("LIST-OK", "LIST-BLOCKED", "LIST-OLD", "NOBODY")
        }
        assert answers == {"LIST-OK": "Accepted", "LIST-BLOCKED": "Blocked", "LIST-OLD": "Expired", "NOBODY": "Invalid"}
        await s.proxy.start()
        offline = await _eventually_events(node, "OFFLINE-5", "authorize_offline", 4)
        sources = {event["data"]["id_token"]: event["data"]["source"] for event in offline}
        assert sources == {
            "LIST-OK": "local_list",
            "LIST-BLOCKED": "local_list",
            "LIST-OLD": "local_list",
            "NOBODY": "policy",
        }
        await station.close()
    finally:
        await _teardown(s)
