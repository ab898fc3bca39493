"""Operator access control: the role matrix over every route, station-scoped tokens, the audit log."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from chargebridge.api.auth import HEADER_REQUIRED, NOT_RECOGNISED
from chargebridge.security.tables import audit_log
from tests.conftest import Node, start_node
from tests.integration.helpers import BOOT16, RawStation

READ_ONLY = {"GET", "HEAD", "OPTIONS"}


async def api_routes(node: Node) -> list[tuple[str, str]]:
    """(method, concrete path) for every /api operation in the served OpenAPI document."""
    async with node.client() as http:
        answer = await http.get("/openapi.json")
        assert answer.status_code == 200, "the OpenAPI document must build (a route with a broken signature?)"
        spec = answer.json()
    out = []
    for path, operations in spec["paths"].items():
        if path.startswith("/api/"):
            concrete = re.sub(r"\{[^}]+\}", "X1", path)
            out.extend((method.upper(), concrete) for method in operations if method.upper() != "PARAMETERS")
    return out


@pytest.fixture
async def lenient_node(tmp_path: Path) -> AsyncIterator[Node]:
    """A node that does not lock this test's address out for its many refused tokens."""
    node = await start_node(tmp_path, None, auto_register=True, api_auth_failure_limit=100_000)
    try:
        yield node
    finally:
        await node.app.stop()


async def test_every_api_route_needs_a_token_and_viewers_only_read(lenient_node: Node) -> None:
    routes = await api_routes(lenient_node)
    assert len(routes) > 20
    viewer = await lenient_node.token("viewer")
    async with lenient_node.client() as http:
        for method, path in routes:
            anonymous = await http.request(method, path, json={}, headers={"Authorization": ""})
            assert anonymous.status_code == 401, (method, path, anonymous.status_code)
            assert anonymous.json()["detail"] == HEADER_REQUIRED
            bogus = await http.request(method, path, json={}, headers={"Authorization": "Bearer cb_nope"})
            assert bogus.status_code == 401, (method, path, bogus.status_code)
            assert bogus.json()["detail"] == NOT_RECOGNISED
            if method not in READ_ONLY:
                denied = await http.request(method, path, json={}, headers={"Authorization": f"Bearer {viewer}"})
                assert denied.status_code == 403, (method, path, denied.status_code)


async def test_audit_and_token_routes_are_admin_only(sqlite_node: Node) -> None:
    for role in ("viewer", "operator"):
        token = await sqlite_node.token(role)
        async with sqlite_node.client(token) as http:
            assert (await http.get("/api/v1/audit")).status_code == 403
            assert (await http.get("/api/v1/tokens")).status_code == 403


async def scoped_token(node: Node, role: str, stations: list[str]) -> str:
    async with node.client() as http:
        answer = await http.post("/api/v1/tokens", json={"role": role, "name": "site", "stations": stations})
        assert answer.status_code == 201, answer.text
        assert answer.json()["stations"] == sorted(stations)
        return str(answer.json()["token"])


async def test_scoped_token_sees_and_commands_only_its_stations(sqlite_node: Node) -> None:
    async with sqlite_node.client() as http:
        for station_id in ("MINE-1", "MINE-2", "THEIRS-1"):
            assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
    token = await scoped_token(sqlite_node, "operator", ["MINE-1", "MINE-2"])
    async with sqlite_node.client(token) as http:
        listed = (await http.get("/api/v1/stations")).json()
        assert [s["id"] for s in listed["items"]] == ["MINE-1", "MINE-2"] and listed["total"] == 2
        assert (await http.get("/api/v1/stations", params={"q": "THEIRS"})).json()["items"] == []
        assert (await http.get("/api/v1/stations/MINE-1")).status_code == 200
        assert (await http.get("/api/v1/stations/THEIRS-1")).status_code == 404
        assert (await http.get("/api/v1/stations/THEIRS-1/events")).status_code == 404
        assert (await http.get("/api/v1/stations/THEIRS-1/security")).status_code == 404
        assert (await http.get("/api/v1/transactions")).status_code == 200
        assert (await http.get("/api/v1/transactions", params={"station_id": "THEIRS-1"})).status_code == 404
        command = await http.post("/api/v1/stations/THEIRS-1/commands/reset", json={"type": "soft"})
        assert command.status_code == 404
        assert (await http.post("/api/v1/stations/MINE-1/commands/reset", json={"type": "soft"})).status_code == 409
        assert (await http.get("/api/v1/id-tokens")).status_code == 403  # not station data: closed to scoped tokens
        assert (await http.get("/api/v1/status")).status_code == 403
    admin_scoped = await scoped_token(sqlite_node, "admin", ["MINE-1"])
    async with sqlite_node.client(admin_scoped) as http:
        # a scoped admin can neither mint unscoped tokens nor read the whole audit log
        assert (await http.post("/api/v1/tokens", json={"role": "admin"})).status_code == 403
        audit = await http.get("/api/v1/audit")
        assert audit.status_code == 200 and {i["station_id"] for i in audit.json()["items"]} <= {"MINE-1"}
        assert (await http.get("/api/v1/audit", params={"station_id": "MINE-1"})).status_code == 200
        assert (await http.get("/api/v1/audit", params={"station_id": "THEIRS-1"})).status_code == 404
        assert (await http.delete("/api/v1/stations/THEIRS-1")).status_code == 404


async def test_token_scope_can_be_changed_and_tokens_revoked(sqlite_node: Node) -> None:
    token = await scoped_token(sqlite_node, "viewer", ["A-1"])
    async with sqlite_node.client() as http:
        token_id = next(t["id"] for t in (await http.get("/api/v1/tokens")).json()["items"] if t["stations"])
        assert (await http.put(f"/api/v1/tokens/{token_id}/stations", json={"stations": []})).status_code == 422
        assert (await http.put(f"/api/v1/tokens/{token_id}/stations", json={"stations": None})).status_code == 200
    async with sqlite_node.client(token) as http:
        assert (await http.get("/api/v1/status")).status_code == 200  # no longer scoped
    async with sqlite_node.client() as http:
        assert (await http.delete(f"/api/v1/tokens/{token_id}")).status_code == 204
    async with sqlite_node.client(token) as http:
        assert (await http.get("/api/v1/status")).status_code == 401


async def answer_one_call(station: RawStation) -> None:
    frame = await station.recv(timeout=5)
    await station.send_raw(f'[3, "{frame[1]}", {{"status": "Accepted"}}]')


async def audit_items(node: Node, **params: Any) -> list[dict[str, Any]]:
    async with node.client() as http:
        answer = await http.get("/api/v1/audit", params=params)
        assert answer.status_code == 200
        return list(answer.json()["items"])


async def test_every_command_and_change_is_audited(sqlite_node: Node) -> None:
    operator = await sqlite_node.token("operator")
    station = await RawStation.open(sqlite_node.ocpp_url, "AUD-1")
    assert (await station.call("BootNotification", BOOT16))[0] == 3
    async with sqlite_node.client(operator) as http:
        answering = asyncio.create_task(answer_one_call(station))
        ok = await http.post("/api/v1/stations/AUD-1/commands/clear-cache", json={})
        await answering
        assert ok.status_code == 200
        failed = await http.post("/api/v1/stations/OFFLINE-9/commands/reset", json={"type": "hard"})
        assert failed.status_code == 404
        answering = asyncio.create_task(answer_one_call(station))
        secret = "new-authorization-key-0001"
        setting = await http.post(
            "/api/v1/stations/AUD-1/commands/set-configuration", json={"key": "AuthorizationKey", "value": secret}
        )
        await answering
        assert setting.status_code == 200
    async with sqlite_node.client() as http:
        created = await http.post("/api/v1/tokens", json={"role": "viewer", "name": "audited"})
        new_token = created.json()["token"]
        assert (await http.patch("/api/v1/stations/AUD-1", json={"registration_status": "Pending"})).status_code == 200
    items = await audit_items(sqlite_node)
    actions = [(i["action"], i["station_id"], i["result"], i["status_code"]) for i in items]
    assert ("send_command:clear-cache", "AUD-1", "ok", 200) in actions
    assert ("send_command:reset", "OFFLINE-9", "error", 404) in actions
    assert ("send_command:set-configuration", "AUD-1", "ok", 200) in actions
    assert ("create_token", None, "ok", 201) in actions
    assert ("update_station", "AUD-1", "ok", 200) in actions
    clear = next(i for i in items if i["action"] == "send_command:clear-cache")
    assert clear["role"] == "operator" and clear["actor"] and clear["at"] and clear["detail"]["status"] == "Accepted"
    reset = next(i for i in items if i["action"] == "send_command:reset")
    assert reset["parameters"]["body"] == {"type": "hard"}
    dump = str(items)
    assert secret not in dump and new_token not in dump and "***" in dump
    assert [i["station_id"] for i in await audit_items(sqlite_node, station_id="AUD-1")].count("AUD-1") >= 3
    await station.close()


async def test_audit_log_is_append_only(sqlite_node: Node) -> None:
    async with sqlite_node.client() as http:
        assert (await http.post("/api/v1/stations", json={"id": "APPEND-1"})).status_code == 201
    assert len(await audit_items(sqlite_node)) >= 1
    store = sqlite_node.app.store
    assert store is not None
    for statement in (f"UPDATE {audit_log.name} SET actor = 'someone'", f"DELETE FROM {audit_log.name}"):
        with pytest.raises(Exception, match="append-only"):
            async with store.engine.begin() as conn:
                await conn.execute(text(statement))
    assert len(await audit_items(sqlite_node)) >= 1
