"""Handshake rules: registration (404), station ids, subprotocols, Basic auth, replacement, keepalive."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from tests.conftest import Node, random_id, start_node
from tests.integration.helpers import BOOT16, RawStation


@pytest.fixture
async def strict_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, auto_register=False, ping_interval_s=0.5)
    try:
        yield node
    finally:
        await node.app.stop()


async def status_of(url: str, subprotocols: list[str] | None = None, headers: dict[str, str] | None = None) -> int:
    try:
        ws = await connect(url, subprotocols=subprotocols or ["ocpp1.6"], additional_headers=headers)  # type: ignore[arg-type]
    except InvalidStatus as exc:
        return exc.response.status_code
    await ws.close()
    return 101


async def register(node: Node, station_id: str, password: str | None = None) -> None:
    async with node.client() as http:
        body = {"id": station_id} | ({"password": password} if password else {})
        response = await http.post("/api/v1/stations", json=body)
        assert response.status_code == 201, response.text


async def test_unregistered_station_gets_404_before_upgrade(strict_node: Node) -> None:
    assert await status_of(f"{strict_node.ocpp_url}/UNKNOWN-1") == 404
    await register(strict_node, "KNOWN-1")
    assert await status_of(f"{strict_node.ocpp_url}/KNOWN-1") == 101


@pytest.mark.parametrize(
    "path_id",
    ["A" * 49, "has%3Acolon", "ctl%00char", "tab%09id", "..", "sp%20ace", "a%2Fb", "bad%ZZ"],
)
async def test_invalid_station_ids_are_refused(strict_node: Node, path_id: str) -> None:
    assert await status_of(f"{strict_node.ocpp_url}/{path_id}") in (400, 404)


async def test_invalid_utf8_in_the_path_gets_a_plain_400(strict_node: Node) -> None:
    """Issue 11 item 10: not Python's decoder message ("'utf-8' codec can't decode byte ...")."""
    with pytest.raises(InvalidStatus) as refused:
        await connect(f"{strict_node.ocpp_url}/%FF%FEbad", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    assert refused.value.response.status_code == 400
    assert refused.value.response.body == b"station id is not valid percent-encoded UTF-8\n"


async def test_percent_encoded_id_is_decoded(strict_node: Node) -> None:
    assert await status_of(f"{strict_node.ocpp_url}/%C3%9C-station%20%237") == 400  # a space is refused
    await register(strict_node, "Ü-station-#7")
    assert await status_of(f"{strict_node.ocpp_url}/%C3%9C-station-%237") == 101


async def test_subprotocol_negotiation(sqlite_node: Node) -> None:
    url = f"{sqlite_node.ocpp_url}/{random_id()}"
    assert await status_of(url, ["ocpp1.5", "wamp"]) == 400
    async with connect(url, subprotocols=["ocpp1.6", "ocpp2.0.1"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "ocpp2.0.1"
    async with connect(url, subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "ocpp1.6"
    try:
        await connect(url)
        raise AssertionError("a handshake without subprotocol must be refused")
    except InvalidStatus as exc:
        assert exc.response.status_code == 400


async def test_basic_auth_for_stations_with_a_password(strict_node: Node) -> None:
    await register(strict_node, "PW-1", password="correct-horse-battery")
    url = f"{strict_node.ocpp_url}/PW-1"

    def basic(user: str, password: str) -> dict[str, str]:
        return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}

    assert await status_of(url) == 401
    assert await status_of(url, headers=basic("PW-1", "wrong-password-x")) == 401
    assert await status_of(url, headers=basic("OTHER", "correct-horse-battery")) == 401
    assert await status_of(url, headers={"Authorization": "Basic !!!"}) == 401
    assert await status_of(url, headers=basic("PW-1", "correct-horse-battery")) == 101


async def test_second_connection_replaces_the_first(sqlite_node: Node) -> None:
    station_id = random_id("DUP")
    first = await RawStation.open(sqlite_node.ocpp_url, station_id)
    assert (await first.call("BootNotification", BOOT16))[0] == 3
    second = await RawStation.open(sqlite_node.ocpp_url, station_id)
    with pytest.raises(ConnectionClosed):
        await first.recv(timeout=5)
    assert first.ws.close_code == 1000
    await asyncio.sleep(0.2)  # the old socket's close must not unregister the new one
    gateway = sqlite_node.app.gateway
    assert gateway is not None and gateway.connections[station_id].ws is not None
    assert (await second.call("Heartbeat", {}))[0] == 3
    async with sqlite_node.client() as http:
        assert (await http.get(f"/api/v1/stations/{station_id}")).json()["connected"] is True
        cmd = await http.post(f"/api/v1/stations/{station_id}/commands/clear-cache", json={})
        assert cmd.status_code == 504 or cmd.status_code == 200  # reaches the new socket (raw station won't answer)
    await second.close()


async def test_half_open_socket_is_detected_within_two_ping_intervals(strict_node: Node) -> None:
    await register(strict_node, "HALF-OPEN")
    port = int(strict_node.ocpp_url.split(":")[2].split("/")[0])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"GET /ocpp/HALF-OPEN HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        b"Sec-WebSocket-Protocol: ocpp1.6\r\n\r\n"
    )
    await writer.drain()
    assert b"101" in (await reader.readuntil(b"\r\n\r\n")).split(b"\r\n", 1)[0]
    gateway = strict_node.app.gateway
    assert gateway is not None
    for _ in range(50):
        if "HALF-OPEN" in gateway.connections:
            break
        await asyncio.sleep(0.02)
    assert "HALF-OPEN" in gateway.connections
    # never answer pings: the server must drop the station within 2 x 0.5 s (plus scheduling slack)
    loop = asyncio.get_running_loop()
    started = loop.time()
    while "HALF-OPEN" in gateway.connections and loop.time() - started < 5:
        await asyncio.sleep(0.05)
    assert "HALF-OPEN" not in gateway.connections
    assert loop.time() - started <= 1.5
    async with strict_node.client() as http:
        assert (await http.get("/api/v1/stations/HALF-OPEN")).json()["connected"] is False
    writer.close()


async def test_pending_station_gets_security_error_until_accepted(strict_node: Node) -> None:
    async with strict_node.client() as http:
        assert (
            await http.post("/api/v1/stations", json={"id": "PEND-1", "registration_status": "Pending"})
        ).status_code == 201
    station = await RawStation.open(strict_node.ocpp_url, "PEND-1", "2.0.1")
    boot = {"chargingStation": {"vendorName": "V", "model": "M"}, "reason": "PowerUp"}
    answer = await station.call("BootNotification", boot)
    assert answer[0] == 3 and answer[2]["status"] == "Pending"
    heartbeat = await station.call("Heartbeat", {})
    assert heartbeat[0] == 4 and heartbeat[2] == "SecurityError"
    async with strict_node.client() as http:
        assert (
            await http.patch("/api/v1/stations/PEND-1", json={"registration_status": "Accepted"})
        ).status_code == 200
    assert (await station.call("BootNotification", boot))[2]["status"] == "Accepted"
    assert (await station.call("Heartbeat", {}))[0] == 3
    await station.close()


@pytest.mark.parametrize("path_id", ["%EF%BC%A3%EF%BC%B0-1", "CP%E2%80%8B1", "%EF%AC%81eld-7"])
async def test_look_alike_station_ids_are_refused(sqlite_node: Node, path_id: str) -> None:
    """Fullwidth letters, zero-width spaces and ligatures could impersonate another station."""
    assert await status_of(f"{sqlite_node.ocpp_url}/{path_id}") == 400
    async with sqlite_node.client() as http:
        assert (await http.post("/api/v1/stations", json={"id": "\uff23\uff30-1"})).status_code == 422


async def test_slow_handshake_is_dropped(tmp_path: Path) -> None:
    node = await start_node(tmp_path, auto_register=True, handshake_timeout_s=0.5)
    try:
        port = int(node.ocpp_url.split(":")[2].split("/")[0])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /ocpp/SLOW-1 HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # ... and never the rest
        await writer.drain()
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await asyncio.wait_for(reader.read(), 5) is not None  # EOF: the server hung up
        assert loop.time() - started < 3
        writer.close()
        assert (await RawStation.open(node.ocpp_url, "FAST-1")).ws.subprotocol == "ocpp1.6"  # others fine
    finally:
        await node.app.stop()
