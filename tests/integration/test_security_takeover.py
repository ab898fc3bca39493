"""Station takeover and brute force: only admitted sockets replace live ones, an impostor never
locks the real station out, and failures lock out only what they are about (issue 11, items 4
and 8; issue 12, item 10)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.exceptions import ConnectionClosed

from chargebridge.security.ratelimit import FailureLimiter
from chargebridge.security.replacement import ReplacementPolicy
from tests.conftest import Node, start_node
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.test_security_profiles import PASSWORD, add_station, basic, outcome


@pytest.fixture
async def node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, auto_register=False, auth_failure_limit=4, auth_lockout_s=30, probe_limit=4)
    try:
        yield node
    finally:
        await node.app.stop()


@pytest.fixture
async def proxied_node(tmp_path: Path) -> AsyncIterator[Node]:
    """Behind a load balancer on loopback: X-Forwarded-For names the client."""
    node = await start_node(tmp_path, auto_register=False, trusted_proxies=["127.0.0.1"])
    try:
        yield node
    finally:
        await node.app.stop()


def forwarded(address: str, headers: dict[str, str] | None = None) -> dict[str, str]:
    return {"X-Forwarded-For": address, **(headers or {})}


async def security_events(node: Node, station_id: str, expect: str, count: int = 1) -> list[dict[str, object]]:
    """The station's security events (data), once ``expect`` is among their types ``count`` times
    (they are written in the background)."""
    items: list[dict[str, object]] = []
    async with node.client() as http:
        for _ in range(100):
            answer = await http.get(f"/api/v1/stations/{station_id}/events", params={"kind": "security_event"})
            items = [item["data"] for item in answer.json()["items"]]
            if [item["type"] for item in items].count(expect) >= count:
                break
            await asyncio.sleep(0.05)
    return items


def types(events: list[dict[str, object]]) -> list[object]:
    return [event["type"] for event in events]


async def metric(node: Node, name: str, **labels: str) -> float:
    async with httpx.AsyncClient(base_url=node.http_url) as scraper:
        text = (await scraper.get("/metrics")).text
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return float(sample.value)
    return 0.0


async def closed(station: RawStation) -> int | None:
    with pytest.raises(ConnectionClosed):
        await station.recv(timeout=5)
    return station.ws.close_code


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


async def test_quick_reconnects_after_network_drops_are_never_refused(proxied_node: Node) -> None:
    """Issue 12 item 10: with the default settings a charger that comes back while its old socket
    is still open (half-open after a network drop) is let in every time, from the same address
    or alternating between two (a carrier NAT pool)."""
    node = proxied_node
    await add_station(node, "FLAP-1", 1)
    headers = basic("FLAP-1", PASSWORD)
    previous = await RawStation.open(node.ocpp_url, "FLAP-1", additional_headers=headers)
    for _ in range(10):  # from the same address
        current = await RawStation.open(node.ocpp_url, "FLAP-1", additional_headers=headers)
        assert await closed(previous) == 1000
        previous = current
    for i in range(10):  # alternating between two addresses of a NAT pool
        address = "198.51.100.1" if i % 2 else "198.51.100.2"
        current = await RawStation.open(node.ocpp_url, "FLAP-1", additional_headers=forwarded(address, headers))
        assert await closed(previous) == 1000
        previous = current
    assert (await previous.call("Heartbeat", {}))[0] == 3
    await previous.close()


async def test_unauthenticated_takeovers_never_lock_out_the_real_station(node: Node) -> None:
    """Issue 11 item 8 as reported: six takeovers of a profile-0 station, then the real station
    comes back (all from one address, like chargers behind a NAT) and gets in, not 429."""
    await add_station(node, "OPEN-1", 0, password=None)
    real = await RawStation.open(node.ocpp_url, "OPEN-1")
    assert (await real.call("BootNotification", BOOT16))[0] == 3
    attacker = None
    for _ in range(6):
        newer = await RawStation.open(node.ocpp_url, "OPEN-1")
        await closed(attacker or real)
        attacker = newer
    assert attacker is not None
    back = await RawStation.open(node.ocpp_url, "OPEN-1")  # was HTTP 429 "too many reconnections"
    assert await closed(attacker) == 1000
    assert (await back.call("Heartbeat", {}))[0] == 3
    await back.close()


async def test_flapping_address_is_refused_and_the_returning_station_wins(proxied_node: Node) -> None:
    """Two parties with one profile-0 id from different addresses: the real station, established
    at its address, is let in each time it comes back; the attacker's address is refused at the
    limit, with a security event and a metric, and the real station keeps its socket."""
    node = proxied_node
    gateway = node.app.gateway
    assert gateway is not None
    now = [1000.0]
    gateway.replacements = ReplacementPolicy(2, 60, monotonic=lambda: now[0])
    await add_station(node, "OPEN-2", 0, password=None)
    real_address, attacker_address = "192.0.2.10", "203.0.113.66"
    real = await RawStation.open(node.ocpp_url, "OPEN-2", additional_headers=forwarded(real_address))
    now[0] += 61  # the real station held its socket for a while: its address is established
    for _ in range(2):
        attacker = await RawStation.open(node.ocpp_url, "OPEN-2", additional_headers=forwarded(attacker_address))
        assert await closed(real) == 1000
        real = await RawStation.open(node.ocpp_url, "OPEN-2", additional_headers=forwarded(real_address))
        assert await closed(attacker) == 1000
    # the attacker's address used up its 2 replacements per minute: refused, the real station stays
    refused = await outcome(f"{node.ocpp_url}/OPEN-2", headers=forwarded(attacker_address))
    assert refused == 429
    assert (await real.call("Heartbeat", {}))[0] == 3
    assert gateway.connections["OPEN-2"].remote_address == real_address
    events = await security_events(node, "OPEN-2", "ReplacementRateLimited")
    limited = [e for e in events if e["type"] == "ReplacementRateLimited"]
    assert limited[0]["source"] == attacker_address and limited[0]["live_source"] == real_address
    replaced = [e for e in events if e["type"] == "ConnectionReplaced"]
    assert {e["source"] for e in replaced} == {real_address, attacker_address}
    assert await metric(node, "chargebridge_connection_replacements_total", result="refused") == 1
    assert await metric(node, "chargebridge_connection_replacements_total", result="accepted") == 4
    assert await metric(node, "chargebridge_handshake_refusals_total", reason="ReplacementRateLimited") == 1
    await real.close()


async def test_an_authenticated_connection_always_replaces_an_unauthenticated_one(proxied_node: Node) -> None:
    """A socket admitted at profile 0 (before the operator raised the profile) never keeps the
    station from the real one logging in with its new password, whatever the replacement limit."""
    node = proxied_node
    gateway = node.app.gateway
    assert gateway is not None
    gateway.replacements = ReplacementPolicy(1, 60)
    await add_station(node, "RAISE-1", 0, password=None)
    real_address, attacker_address = "192.0.2.20", "203.0.113.77"
    attacker = await RawStation.open(node.ocpp_url, "RAISE-1", additional_headers=forwarded(attacker_address))
    real = await RawStation.open(node.ocpp_url, "RAISE-1", additional_headers=forwarded(real_address))
    assert await closed(attacker) == 1000
    attacker = await RawStation.open(node.ocpp_url, "RAISE-1", additional_headers=forwarded(attacker_address))
    assert await closed(real) == 1000
    # both addresses used their one replacement; the operator raises the station to profile 1
    async with node.client() as http:
        answer = await http.put("/api/v1/stations/RAISE-1/security", json={"profile": 1, "password": PASSWORD})
        assert answer.status_code == 200
    headers = forwarded(real_address, basic("RAISE-1", PASSWORD))
    real = await RawStation.open(node.ocpp_url, "RAISE-1", additional_headers=headers)
    assert await closed(attacker) == 1000
    assert await outcome(f"{node.ocpp_url}/RAISE-1", headers=forwarded(attacker_address)) == 401
    assert (await real.call("Heartbeat", {}))[0] == 3
    events = await security_events(node, "RAISE-1", "ConnectionReplaced", count=3)
    replaced = [
        (e["source"], e["previous_source"], e["authenticated"]) for e in events if e["type"] == "ConnectionReplaced"
    ]
    assert (real_address, attacker_address, True) in replaced  # the login with the new password
    assert sum(1 for _, _, authenticated in replaced if authenticated) == 1
    await real.close()


async def test_wrong_password_for_one_station_does_not_lock_out_another(node: Node) -> None:
    """Issue 11 item 4: failures are counted per (address, station id)."""
    await add_station(node, "PAIR-A", 1)
    await add_station(node, "PAIR-B", 1)
    for i in range(4):  # auth_failure_limit=4
        assert await outcome(f"{node.ocpp_url}/PAIR-A", headers=basic("PAIR-A", f"wrong-password-{i:04d}")) == 401
    assert await outcome(f"{node.ocpp_url}/PAIR-A", headers=basic("PAIR-A", PASSWORD)) == 429
    assert await outcome(f"{node.ocpp_url}/PAIR-B", headers=basic("PAIR-B", PASSWORD)) == 101
    assert await metric(node, "chargebridge_handshake_refusals_total", reason="LockedOut") == 1


async def test_unknown_id_probes_never_block_a_known_station(node: Node) -> None:
    """Issue 11 item 4: ten handshakes for unknown ids from one address; a known station behind
    the same address with the right password connects at once. The probing address's further
    unknown ids get 429."""
    await add_station(node, "KNOWN-1", 1)
    statuses = [await outcome(f"{node.ocpp_url}/PROBE-{i}") for i in range(10)]
    assert statuses[:4] == [404] * 4 and set(statuses[4:]) == {429}  # probe_limit=4
    assert await outcome(f"{node.ocpp_url}/KNOWN-1", headers=basic("KNOWN-1", PASSWORD)) == 101
    gateway = node.app.gateway
    assert gateway is not None
    retry = gateway.probes.retry_after("127.0.0.1")
    assert retry is not None and 0 < retry <= 60
    assert await metric(node, "chargebridge_handshake_refusals_total", reason="ProbeLimited") == 6


async def test_repeated_failures_lock_out_that_station_from_that_address(
    node: Node, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await add_station(node, "BRUTE-1", 1)
    url = f"{node.ocpp_url}/BRUTE-1"
    guesses = [f"guess-number-{i:04d}-xyz" for i in range(3)]
    for guess in guesses:
        assert await outcome(url, headers=basic("BRUTE-1", guess)) == 401
    assert await outcome(url, headers=basic("OTHER-USER", PASSWORD)) == 401  # wrong user name: 4th failure
    assert await outcome(url, headers=basic("BRUTE-1", PASSWORD)) == 429  # even the right password, for now
    gateway = node.app.gateway
    assert gateway is not None
    retry = gateway.auth_failures.retry_after(("127.0.0.1", "BRUTE-1"))
    assert retry is not None and 0 < retry <= 30
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "locked out" in logged
    assert PASSWORD not in logged and not any(guess in logged for guess in guesses)
    gateway.auth_failures = FailureLimiter(4, 60, 30)  # the lockout is over
    assert await outcome(url, headers=basic("BRUTE-1", PASSWORD)) == 101


async def test_the_limits_are_settings(tmp_path: Path) -> None:
    node = await start_node(
        tmp_path,
        auth_failure_limit=2,
        auth_failure_window_s=5,
        auth_lockout_s=7,
        probe_limit=3,
        probe_window_s=11,
        probe_lockout_s=13,
        replacement_limit=17,
        replacement_window_s=19,
    )
    try:
        gateway = node.app.gateway
        assert gateway is not None
        assert (gateway.auth_failures.limit, gateway.auth_failures.window_s, gateway.auth_failures.lockout_s) == (
            2,
            5,
            7,
        )
        assert (gateway.probes.limit, gateway.probes.window_s, gateway.probes.lockout_s) == (3, 11, 13)
        assert (gateway.replacements.limit, gateway.replacements.window_s) == (17, 19)
    finally:
        await node.app.stop()
