"""Station takeover and brute force: only authenticated sockets replace live ones, failures lock out."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed

from chargebridge.security.ratelimit import EventLimiter, FailureLimiter
from tests.conftest import Node, start_node
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.test_security_profiles import PASSWORD, add_station, basic, outcome


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, auto_register=False, auth_failure_limit=4, auth_lockout_s=30)
    try:
        yield node
    finally:
        await node.app.stop()


async def security_events(node: Node, station_id: str, expect: str) -> list[str]:
    """The station's security event types, once ``expect`` is among them (they are written in the background)."""
    types: list[str] = []
    async with node.client() as http:
        for _ in range(50):
            answer = await http.get(f"/api/v1/stations/{station_id}/events", params={"kind": "security_event"})
            types = [item["data"]["type"] for item in answer.json()["items"]]
            if expect in types:
                break
            await asyncio.sleep(0.05)
    return types


async def test_failed_handshakes_never_disturb_the_live_station(node: Node) -> None:
    await add_station(node, "LIVE-1", 1)
    live = await RawStation.open(node.ocpp_url, "LIVE-1", additional_headers=basic("LIVE-1", PASSWORD))
    assert (await live.call("BootNotification", BOOT16))[0] == 3
    gateway = node.app.gateway
    assert gateway is not None
    before = gateway.connections["LIVE-1"]
    assert await outcome(f"{node.ocpp_url}/LIVE-1") == 401
    assert await outcome(f"{node.ocpp_url}/LIVE-1", headers=basic("LIVE-1", "an-attackers-guess-01")) == 401
    assert await outcome(f"{node.ocpp_url}/LIVE-1", headers=basic("LIVE-1", PASSWORD), subprotocols=["x"]) == 400
    await asyncio.sleep(0.1)
    assert gateway.connections["LIVE-1"] is before
    assert (await live.call("Heartbeat", {}))[0] == 3
    await live.close()


async def test_authenticated_replacement_is_logged_and_rate_limited(node: Node) -> None:
    await add_station(node, "TAKE-1", 1)
    gateway = node.app.gateway
    assert gateway is not None
    gateway.takeovers = EventLimiter(2, 60)
    headers = basic("TAKE-1", PASSWORD)
    first = await RawStation.open(node.ocpp_url, "TAKE-1", additional_headers=headers)
    second = await RawStation.open(node.ocpp_url, "TAKE-1", additional_headers=headers)
    with pytest.raises(ConnectionClosed):
        await first.recv(timeout=5)
    assert first.ws.close_code == 1000
    await asyncio.sleep(0.2)  # the old socket's close must not unregister the new one
    assert gateway.connections["TAKE-1"].ws is not None
    assert (await second.call("Heartbeat", {}))[0] == 3
    third = await RawStation.open(node.ocpp_url, "TAKE-1", additional_headers=headers)
    with pytest.raises(ConnectionClosed):
        await second.recv(timeout=5)
    # the limit (2 per minute) is reached: a fourth socket is refused and the live one stays
    assert await outcome(f"{node.ocpp_url}/TAKE-1", headers=headers) == 429
    assert (await third.call("Heartbeat", {}))[0] == 3
    events = await security_events(node, "TAKE-1", "ReplacementRateLimited")
    assert events.count("ConnectionReplaced") == 2
    assert "ReplacementRateLimited" in events
    async with node.client() as http:
        assert (await http.get("/api/v1/stations/TAKE-1")).json()["connected"] is True
    await third.close()


async def test_repeated_failures_lock_the_source_out(node: Node, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    await add_station(node, "BRUTE-1", 1)
    url = f"{node.ocpp_url}/BRUTE-1"
    guesses = [f"guess-number-{i:04d}-xyz" for i in range(3)]
    for guess in guesses:
        assert await outcome(url, headers=basic("BRUTE-1", guess)) == 401
    assert await outcome(f"{node.ocpp_url}/NOT-THERE") == 404  # unknown stations count too: 4th failure
    assert await outcome(url, headers=basic("BRUTE-1", PASSWORD)) == 429  # even the right password, for now
    gateway = node.app.gateway
    assert gateway is not None
    retry = gateway.auth_failures.retry_after("127.0.0.1")
    assert retry is not None and 0 < retry <= 30
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "locked out" in logged
    assert PASSWORD not in logged and not any(guess in logged for guess in guesses)
    gateway.auth_failures = FailureLimiter(4, 60, 30)  # the lockout is over
    assert await outcome(url, headers=basic("BRUTE-1", PASSWORD)) == 101


def test_failure_limiter_window_and_lockout() -> None:
    now = [0.0]
    limiter = FailureLimiter(3, window_s=10, lockout_s=5, max_keys=2, monotonic=lambda: now[0])
    assert not limiter.failure("a") and not limiter.failure("a")
    now[0] = 11  # the first two failures left the window
    assert not limiter.failure("a") and not limiter.failure("a")
    assert limiter.failure("a")  # third within the window
    assert limiter.retry_after("a") == 5
    now[0] = 16.5
    assert limiter.retry_after("a") is None
    for key in ("b", "c", "d"):  # bounded memory
        limiter.failure(key)
    assert len(limiter._failures._events) <= 2
