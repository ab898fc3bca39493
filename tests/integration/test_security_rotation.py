"""Password rotation (issue 4): a connected station at profile 1 or 2 is sent a new password; the
old one keeps working until the station first logs in with the new one, then it is refused."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion
from chargebridge.security.secrets import verify_password
from chargebridge.sim import SimClock, SimStation, StationConfig
from chargebridge.store.repository import Row
from tests.conftest import Node
from tests.integration.helpers import BOOT16, BOOT201, RawStation
from tests.integration.test_security_profiles import PASSWORD, add_station, basic, outcome

NEW_PASSWORD = "rotated-password-42"  # 19 bytes: fits 1.6 (16-20 bytes) and 2.0.1
VERSIONS = [OcppVersion.V16, OcppVersion.V201]


async def wait_for(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


async def station_row(node: Node, station_id: str) -> Row:
    assert node.app.store is not None
    row = await node.app.store.get_station(station_id)
    assert row is not None
    return row


async def security_event_types(node: Node, station_id: str, expect: set[str]) -> set[str]:
    """The station's security event types once ``expect`` are among them (written in the background)."""
    types: set[str] = set()
    async with node.client() as http:
        for _ in range(100):
            answer = await http.get("/api/v1/security-events", params={"station_id": station_id})
            types = {item["data"]["type"] for item in answer.json()["items"]}
            if expect <= types:
                break
            await asyncio.sleep(0.05)
    return types


async def open_raw(node: Node, station_id: str, version: OcppVersion, password: str) -> RawStation:
    station = await RawStation.open(
        node.ocpp_url, station_id, version.value, additional_headers=basic(station_id, password)
    )
    boot = BOOT16 if version is OcppVersion.V16 else BOOT201
    assert (await station.call("BootNotification", boot))[0] == 3
    return station


async def answer_password_call(station: RawStation, version: OcppVersion, accept: bool, seen: list[list[Any]]) -> None:
    """Answer the CSMS's password CALL like a station that accepts (or refuses) it."""
    frame = await station.recv(timeout=5)
    seen.append(frame)
    _, message_id, _, payload = frame
    if version is OcppVersion.V16:
        result: dict[str, Any] = {"status": "Accepted" if accept else "Rejected"}
    else:
        item = payload["setVariableData"][0]
        status = "Accepted" if accept else "Rejected"
        result = {
            "setVariableResult": [
                {"attributeStatus": status, "component": item["component"], "variable": item["variable"]}
            ]
        }
    await station.send_raw(json.dumps([3, message_id, result]))


@pytest.mark.parametrize("version", VERSIONS, ids=["1.6", "2.0.1"])
async def test_old_password_works_until_the_new_one_is_used(node: Node, version: OcppVersion) -> None:
    station_id = f"ROT-RAW-{version.value}"
    await add_station(node, station_id, 1)
    url = f"{node.ocpp_url}/{station_id}"
    station = await open_raw(node, station_id, version, PASSWORD)
    seen: list[list[Any]] = []
    async with node.client() as http:
        answering = asyncio.create_task(answer_password_call(station, version, True, seen))
        answer = await http.post(f"/api/v1/stations/{station_id}/password", json={"password": NEW_PASSWORD})
        await answering
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["password"] == NEW_PASSWORD and body["pending"] is True and body["ocpp_version"] == version.value
        view = (await http.get(f"/api/v1/stations/{station_id}/security")).json()
        assert view["password_pending"] is True and view["password_changed_at"]
    ((_, _, action, payload),) = seen
    if version is OcppVersion.V16:
        # 1.6 security whitepaper: the AuthorizationKey value is the password's bytes in hex
        assert action == "ChangeConfiguration"
        assert payload == {"key": "AuthorizationKey", "value": NEW_PASSWORD.encode().hex()}
        assert body["authorization_key"] == NEW_PASSWORD.encode().hex()
    else:
        assert action == "SetVariables"
        assert payload["setVariableData"] == [
            {
                "attributeValue": NEW_PASSWORD,
                "component": {"name": "SecurityCtrlr"},
                "variable": {"name": "BasicAuthPassword"},
            }
        ]
        assert "authorization_key" not in body
    await station.close()
    # until the station uses the new password, the old one still works (and changes nothing) ...
    assert await outcome(url, headers=basic(station_id, PASSWORD), subprotocols=[f"ocpp{version.value}"]) == 101
    assert (await station_row(node, station_id))["pending_password_hash"] is not None
    # ... the first login with the new one makes it the password ...
    assert await outcome(url, headers=basic(station_id, NEW_PASSWORD), subprotocols=[f"ocpp{version.value}"]) == 101
    row = await station_row(node, station_id)
    assert row["pending_password_hash"] is None and verify_password(NEW_PASSWORD, row["password_hash"])
    # ... and from then on the old one is refused
    assert await outcome(url, headers=basic(station_id, PASSWORD)) == 401
    assert await outcome(url, headers=basic(station_id, NEW_PASSWORD)) == 101
    types = await security_event_types(node, station_id, {"BasicAuthPasswordChanged", "BasicAuthPasswordActivated"})
    assert {"BasicAuthPasswordChanged", "BasicAuthPasswordActivated"} <= types
    # the audit entry names the rotation but never the password (request body nor answer)
    async with node.client() as http:
        audit = (await http.get("/api/v1/audit", params={"station_id": station_id})).json()["items"]
        events = (await http.get("/api/v1/security-events", params={"station_id": station_id})).json()["items"]
    entry = next(item for item in audit if item["action"] == "rotate_station_password")
    assert entry["result"] == "ok" and entry["parameters"]["body"] == {"password": "***"}
    assert entry["detail"]["password"] == "***"
    dump = json.dumps([audit, events])
    assert NEW_PASSWORD not in dump and NEW_PASSWORD.encode().hex() not in dump


@pytest.mark.parametrize("version", VERSIONS, ids=["1.6", "2.0.1"])
async def test_refused_rotation_changes_nothing(node: Node, version: OcppVersion) -> None:
    station_id = f"ROT-NO-{version.value}"
    await add_station(node, station_id, 1)
    before = await station_row(node, station_id)
    station = await open_raw(node, station_id, version, PASSWORD)
    async with node.client() as http:
        answering = asyncio.create_task(answer_password_call(station, version, False, []))
        answer = await http.post(f"/api/v1/stations/{station_id}/password", json={})
        await answering
        assert answer.status_code == 409, answer.text
        assert "refused" in answer.json()["detail"]["reason"]
        assert answer.json()["detail"]["pending"] is False
    after = await station_row(node, station_id)
    keys = ("password_hash", "pending_password_hash", "password_changed_at")
    assert {k: after[k] for k in keys} == {k: before[k] for k in keys}
    await station.close()
    assert await outcome(f"{node.ocpp_url}/{station_id}", headers=basic(station_id, PASSWORD)) == 101


async def test_rotation_needs_a_connected_station_at_profile_1_or_2(node: Node) -> None:
    await add_station(node, "ROT-OFF", 1)
    await add_station(node, "ROT-P3", 3, password=None)
    async with node.client() as http:
        assert (await http.post("/api/v1/stations", json={"id": "ROT-P0"})).status_code == 201
        before = await station_row(node, "ROT-OFF")
        offline = await http.post("/api/v1/stations/ROT-OFF/password", json={})
        assert offline.status_code == 409 and "not connected" in offline.json()["detail"]["reason"]
        assert (await station_row(node, "ROT-OFF")) == before
        for station_id in ("ROT-P0", "ROT-P3"):
            refused = await http.post(f"/api/v1/stations/{station_id}/password", json={})
            assert refused.status_code == 409 and "profiles 1 and 2" in refused.json()["detail"]["reason"]
        assert (await http.post("/api/v1/stations/NOPE-1/password", json={})).status_code == 404
        too_short = await http.post("/api/v1/stations/ROT-OFF/password", json={"password": "x" * 15})
        assert too_short.status_code == 422
        operator = await node.token("operator")
        assert (await http.post("/api/v1/stations/ROT-OFF/password", headers=_bearer(operator))).status_code == 403


@pytest.mark.parametrize(
    ("version", "password"),
    [(OcppVersion.V16, "a-password-of-30-characters-xx"), (OcppVersion.V201, "not allowed: spaces!!")],
    ids=["1.6-over-20-bytes", "2.0.1-not-a-passwordString"],
)
async def test_a_password_the_version_cannot_carry_is_refused(
    sqlite_node: Node, version: OcppVersion, password: str
) -> None:
    station_id = f"ROT-FIT-{version.value}"
    await add_station(sqlite_node, station_id, 1)
    station = await open_raw(sqlite_node, station_id, version, PASSWORD)
    async with sqlite_node.client() as http:
        answer = await http.post(f"/api/v1/stations/{station_id}/password", json={"password": password})
    assert answer.status_code == 422, answer.text
    assert (await station_row(sqlite_node, station_id))["pending_password_hash"] is None
    with contextlib.suppress(TimeoutError):  # nothing was sent to the station
        frame = await station.recv(timeout=0.3)
        raise AssertionError(f"unexpected frame {frame}")
    await station.close()


@pytest.mark.parametrize("version", VERSIONS, ids=["1.6", "2.0.1"])
async def test_the_simulator_takes_the_new_password_and_reconnects(node: Node, version: OcppVersion) -> None:
    station_id = f"ROT-SIM-{version.value}"
    await add_station(node, station_id, 1)
    gateway = node.app.gateway
    assert gateway is not None
    sim = SimStation(
        StationConfig(station_id, node.ocpp_url, version, password=PASSWORD, call_timeout_real_s=5.0),
        SimClock(datetime.now(UTC)),
    )
    running = asyncio.create_task(sim.run())
    try:
        await wait_for(lambda: sim.booted and station_id in gateway.connections)
        first = gateway.connections[station_id]
        async with node.client() as http:
            answer = await http.post(f"/api/v1/stations/{station_id}/password")  # no body: generated
        assert answer.status_code == 200, answer.text
        new_password = answer.json()["password"]
        assert len(new_password) == (20 if version is OcppVersion.V16 else 40)
        # the simulator switched to the new password and came back with it (booted again)
        await wait_for(lambda: sim.password == new_password)
        await wait_for(lambda: sim.booted and gateway.connections.get(station_id) not in (None, first))
        await wait_for_activation(node, station_id)
        row = await station_row(node, station_id)
        assert verify_password(new_password, row["password_hash"])
        assert sim.counters.errors == 0
        assert await outcome(f"{node.ocpp_url}/{station_id}", headers=basic(station_id, PASSWORD)) == 401
    finally:
        sim.stop()
        await asyncio.wait_for(running, 10)


async def wait_for_activation(node: Node, station_id: str) -> None:
    for _ in range(200):
        if (await station_row(node, station_id))["pending_password_hash"] is None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the new password never became the station's password")


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
