"""Security events the CSMS records itself (issue 4): failed TLS handshakes with their source
address (no station), the probe limit they count towards (which never keeps a valid station
out), every event published on the bus, and the ``GET /api/v1/security-events`` route."""

from __future__ import annotations

import asyncio
import ssl
import warnings
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chargebridge.bus.memory import Subscription
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.security.ca import create_ca, issue_server_certificate, issue_station_certificate
from chargebridge.security.ratelimit import FailureLimiter
from tests.conftest import Node, start_node
from tests.integration.test_security_profiles import PASSWORD, Pki, add_station, basic, outcome, tls_settings, wss_url


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki-events")
    ca = create_ca()
    ca.write(directory / "ca.pem", directory / "ca-key.pem")
    hosts = ["localhost", "127.0.0.1"]
    issue_server_certificate(ca, hosts).write(directory / "server.pem", directory / "server-key.pem")
    issue_server_certificate(ca, hosts, key_type="rsa").write(
        directory / "server-rsa.pem", directory / "server-rsa-key.pem"
    )
    return Pki(directory, ca)


@pytest.fixture
async def tls_node(tmp_path: Path, pki: Pki) -> AsyncIterator[Node]:
    node = await start_node(
        tmp_path, auto_register=False, auth_failure_limit=3, auth_lockout_s=30, probe_limit=3, **tls_settings(pki)
    )
    try:
        yield node
    finally:
        await node.app.stop()


def foreign_certificate(tmp_path: Path, station_id: str) -> tuple[Path, Path]:
    cert = (tmp_path / "foreign.pem", tmp_path / "foreign-key.pem")
    issue_station_certificate(create_ca("someone else"), station_id).write(*cert)
    return cert


async def next_events(sub: Subscription, count: int, timeout: float = 5.0) -> list[DomainEvent]:
    events: list[DomainEvent] = []
    async with asyncio.timeout(timeout):
        while len(events) < count:
            events.append(await sub.get())
    return events


async def stored_events(node: Node, count: int, **params: Any) -> list[dict[str, Any]]:
    """``GET /security-events`` once it lists ``count`` items (they are written in the background)."""
    items: list[dict[str, Any]] = []
    async with node.client() as http:
        for _ in range(100):
            answer = await http.get("/api/v1/security-events", params=params)
            assert answer.status_code == 200, answer.text
            items = answer.json()["items"]
            if len(items) >= count:
                break
            await asyncio.sleep(0.05)
    return items


async def tls11_attempt(pki: Pki, port: int) -> bool:
    """Offer only TLS 1.1; False when the local OpenSSL cannot even offer it."""
    old = pki.client()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        old.minimum_version = ssl.TLSVersion.TLSv1_1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=old, server_hostname="localhost")
    except ssl.SSLError as exc:
        if exc.reason == "NO_PROTOCOLS_AVAILABLE":
            return False
    except ConnectionResetError:
        pass
    else:
        writer.close()
        raise AssertionError("a TLS 1.1 handshake succeeded")
    return True


async def test_failed_tls_handshakes_are_recorded_with_their_source(tls_node: Node, pki: Pki, tmp_path: Path) -> None:
    gateway = tls_node.app.gateway
    assert gateway is not None and gateway.tls_port is not None
    gateway.probes = FailureLimiter(20, 60, 30)  # this test is about recording, not the probe limit
    await add_station(tls_node, "TLS-3", 3, password=None)
    url = f"{wss_url(tls_node)}/TLS-3"
    sub = tls_node.app.bus.subscribe("test", {EventKind.SECURITY_RECORDED})
    try:
        assert await outcome(url, pki.client(foreign_certificate(tmp_path, "TLS-3"))) == "tls"
        past = datetime.now(UTC) - timedelta(days=30)
        expired = pki.station_cert("TLS-3", not_before=past - timedelta(days=1), not_after=past)
        assert await outcome(url, pki.client(expired)) == "tls"
        cbc = pki.client()
        cbc.maximum_version = ssl.TLSVersion.TLSv1_2
        cbc.set_ciphers("ECDHE-RSA-AES128-SHA:AES128-SHA")
        assert await outcome(url, cbc) == "tls"
        _, writer = await asyncio.open_connection("127.0.0.1", gateway.tls_port)
        writer.write(b"GET /ocpp/TLS-3 HTTP/1.1\r\nHost: localhost\r\n\r\n")  # plain HTTP on the TLS port
        await writer.drain()
        expected = {"InvalidClientCertificate", "TlsCipherSuiteRefused", "TlsHandshakeFailed"}
        if await tls11_attempt(pki, gateway.tls_port):
            expected.add("TlsVersionRefused")
        count = 4 + ("TlsVersionRefused" in expected)
        published = await next_events(sub, count)
        writer.close()
        # the right certificate still gets in: nothing here was a lockout
        assert await outcome(url, pki.client(pki.station_cert("TLS-3"))) == 101
    finally:
        tls_node.app.bus.unsubscribe(sub)
    assert {e.data["type"] for e in published} == expected
    for event in published:
        assert event.kind is EventKind.SECURITY_RECORDED and event.station_id == ""
        assert event.to_json()["station_id"] is None
        assert event.data["source"] == "127.0.0.1" and event.data["origin"] == "csms" and event.data["tls"] is True
    stored = await stored_events(tls_node, count)
    assert all(item["station_id"] is None and item["data"]["source"] == "127.0.0.1" for item in stored)
    tech_info = {item["data"]["tech_info"] for item in stored}
    assert any("expired" in info for info in tech_info)
    assert any("issuer" in info for info in tech_info)  # another CA: unable to get local issuer certificate
    assert "plain HTTP sent to the TLS port" in tech_info
    assert gateway.probes.retry_after("127.0.0.1") is None
    # The dashboard's fleet feed is about stations: events that name none stay out of it.
    async with tls_node.client() as http:
        feed = (await http.get("/api/v1/fleet/events", params={"limit": 100})).json()["items"]
    assert all(item["station_id"] is not None for item in feed)


async def test_bad_certificates_never_lock_out_valid_stations_on_that_address(
    tls_node: Node, pki: Pki, tmp_path: Path
) -> None:
    """Failed TLS handshakes name no station: they count as probes of the address, whose unknown
    ids then get 429, but a station with a valid certificate or password behind the same
    address (a carrier NAT) still gets in. They used to lock the whole address out."""
    gateway = tls_node.app.gateway
    assert gateway is not None
    await add_station(tls_node, "LOCK-3", 3, password=None)
    await add_station(tls_node, "LOCK-1", 1)
    url = f"{wss_url(tls_node)}/LOCK-3"
    bad = pki.client(foreign_certificate(tmp_path, "LOCK-3"))
    for _ in range(3):  # probe_limit=3
        assert await outcome(url, bad) == "tls"
    retry = gateway.probes.retry_after("127.0.0.1")
    assert retry is not None and 0 < retry <= 60
    assert await outcome(url, pki.client(pki.station_cert("LOCK-3"))) == 101
    assert await outcome(f"{tls_node.ocpp_url}/LOCK-1", headers=basic("LOCK-1", PASSWORD)) == 101
    assert await outcome(f"{tls_node.ocpp_url}/NOT-REGISTERED") == 429  # the address's unknown ids are limited
    stored = await stored_events(tls_node, 3, type="InvalidClientCertificate")
    assert len(stored) == 3 and all(item["station_id"] is None for item in stored)
    assert gateway.tls_pending_handshakes == 0


async def test_a_refused_handshake_is_published_on_the_bus(node: Node) -> None:
    await add_station(node, "BUS-1", 1)
    sub = node.app.bus.subscribe("test", {EventKind.SECURITY_RECORDED})
    try:
        guess = "not-the-password-000"
        assert await outcome(f"{node.ocpp_url}/BUS-1", headers=basic("BUS-1", guess)) == 401
        (event,) = await next_events(sub, 1)
    finally:
        node.app.bus.unsubscribe(sub)
    assert event.station_id == "BUS-1" and event.data["type"] == "InvalidBasicAuth"
    assert event.data["source"] == "127.0.0.1" and event.data["origin"] == "csms"
    assert guess not in str(event.to_json()) and PASSWORD not in str(event.to_json())


async def test_security_events_route_filters_and_access(node: Node) -> None:
    await add_station(node, "SEV-1", 1)
    await add_station(node, "SEV-2", 1)
    assert await outcome(f"{node.ocpp_url}/SEV-1") == 401  # BasicAuthMissing
    assert await outcome(f"{node.ocpp_url}/SEV-2", headers=basic("SEV-2", "wrong-password-000")) == 401
    assert node.app.store is not None
    await node.app.store.add_station_event(
        None, "security_event", datetime.now(UTC) - timedelta(hours=2), {"type": "TlsHandshakeFailed", "origin": "csms"}
    )
    every = await stored_events(node, 3)
    assert {(item["station_id"], item["data"]["type"]) for item in every} >= {
        ("SEV-1", "BasicAuthMissing"),
        ("SEV-2", "InvalidBasicAuth"),
        (None, "TlsHandshakeFailed"),
    }
    assert [i["data"]["type"] for i in await stored_events(node, 1, station_id="SEV-2")] == ["InvalidBasicAuth"]
    assert {i["station_id"] for i in await stored_events(node, 1, type="BasicAuthMissing")} == {"SEV-1"}
    recent = await stored_events(node, 2, since=(datetime.now(UTC) - timedelta(hours=1)).isoformat())
    assert None not in {i["station_id"] for i in recent}  # the station-less one is two hours old
    viewer = await node.token("viewer")
    async with node.client(viewer) as http:
        assert (await http.get("/api/v1/security-events")).status_code == 403
    async with node.client() as http:
        created = await http.post("/api/v1/tokens", json={"role": "admin", "stations": ["SEV-1"]})
        scoped = created.json()["token"]
    async with node.client(scoped) as http:
        # Filtered to the token's stations (never the station-less ones, never SEV-2's).
        everything = await http.get("/api/v1/security-events")
        assert everything.status_code == 200 and {i["station_id"] for i in everything.json()["items"]} == {"SEV-1"}
        assert (await http.get("/api/v1/security-events", params={"station_id": "SEV-2"})).status_code == 404
        mine = await http.get("/api/v1/security-events", params={"station_id": "SEV-1"})
        assert mine.status_code == 200 and {i["station_id"] for i in mine.json()["items"]} == {"SEV-1"}


async def test_silent_tls_clients_time_out_and_never_delay_shutdown(tmp_path: Path, pki: Pki) -> None:
    node = await start_node(tmp_path, auto_register=False, handshake_timeout_s=0.5, **tls_settings(pki))
    stopped = False
    try:
        gateway = node.app.gateway
        assert gateway is not None and gateway.tls_port is not None
        sub = node.app.bus.subscribe("test", {EventKind.SECURITY_RECORDED})
        _, silent = await asyncio.open_connection("127.0.0.1", gateway.tls_port)  # never sends a ClientHello
        (event,) = await next_events(sub, 1, timeout=3)
        assert event.data["type"] == "TlsHandshakeFailed" and "in time" in event.data["tech_info"]
        silent.close()
        node.app.bus.unsubscribe(sub)
        assert gateway._tls_handshakes is not None
        gateway._tls_handshakes.handshake_timeout_s = 60  # this one would wait long: stop must cancel it
        _, waiting = await asyncio.open_connection("127.0.0.1", gateway.tls_port)
        for _ in range(50):
            if gateway.tls_pending_handshakes == 1:
                break
            await asyncio.sleep(0.01)
        assert gateway.tls_pending_handshakes == 1
        started = asyncio.get_running_loop().time()
        await node.app.stop()
        stopped = True
        assert asyncio.get_running_loop().time() - started < 3
        assert gateway.tls_pending_handshakes == 0
        waiting.close()
    finally:
        if not stopped:
            await node.app.stop()
