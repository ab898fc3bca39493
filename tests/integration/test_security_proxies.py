"""Behind a load balancer (issue 11 item 4): the client's address comes from X-Forwarded-For or a
PROXY protocol v1/v2 header, and only when the peer is a trusted proxy. Real sockets: a raw TCP
client plays the balancer (on loopback, the trusted address) and writes the header itself."""

from __future__ import annotations

import asyncio
import base64
import socket
import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chargebridge.gateway.proxy import proxy_v1_header, proxy_v2_header
from tests.conftest import Node, start_node
from tests.integration.test_security_profiles import PASSWORD, Pki, add_station, basic, outcome, tls_settings
from tests.integration.test_security_takeover import security_events


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    from chargebridge.security.ca import create_ca, issue_server_certificate

    directory = tmp_path_factory.mktemp("pki-proxies")
    ca = create_ca()
    ca.write(directory / "ca.pem", directory / "ca-key.pem")
    issue_server_certificate(ca, ["localhost", "127.0.0.1"]).write(
        directory / "server.pem", directory / "server-key.pem"
    )
    issue_server_certificate(ca, ["localhost", "127.0.0.1"], key_type="rsa").write(
        directory / "server-rsa.pem", directory / "server-rsa-key.pem"
    )
    return Pki(directory, ca)


@pytest.fixture
async def proxy_node(tmp_path: Path, pki: Pki) -> AsyncIterator[Node]:
    node = await start_node(
        tmp_path,
        auto_register=False,
        trusted_proxies=["127.0.0.1"],
        proxy_protocol=True,
        auth_failure_limit=2,
        **tls_settings(pki),
    )
    try:
        yield node
    finally:
        await node.app.stop()


def upgrade_request(station_id: str, password: str | None = PASSWORD, extra: str = "") -> bytes:
    auth = ""
    if password is not None:
        token = base64.b64encode(f"{station_id}:{password}".encode()).decode()
        auth = f"Authorization: Basic {token}\r\n"
    return (
        f"GET /ocpp/{station_id} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        f"Sec-WebSocket-Protocol: ocpp1.6\r\n{auth}{extra}\r\n"
    ).encode()


async def raw_exchange(port: int, data: bytes) -> tuple[str, asyncio.StreamWriter]:
    """Send ``data`` in one write (header and request in one segment) and read the status line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    await writer.drain()
    try:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    except asyncio.IncompleteReadError as exc:
        head = exc.partial
    return head.decode("latin-1").split("\r\n", 1)[0], writer


def tls_exchange(port: int, header: bytes, context: ssl.SSLContext, request: bytes, sock: socket.socket) -> str:
    """PROXY header and the TLS ClientHello in one write (the listener must replay the bytes it
    read past the header into TLS), then the upgrade request over TLS; returns the status line.
    ``sock`` is left open (the station stays connected until the caller closes it)."""
    sock.connect(("127.0.0.1", port))
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_hostname="localhost")
    first = True
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            data = outgoing.read()
            if first:
                data, first = header + data, False
            if data:
                sock.sendall(data)
            chunk = sock.recv(65536)
            if not chunk:
                return "closed"
            incoming.write(chunk)
    sock.sendall(outgoing.read())
    tls.write(request)
    sock.sendall(outgoing.read())
    answer = b""
    while b"\r\n\r\n" not in answer:
        try:
            answer += tls.read(65536)
        except ssl.SSLWantReadError:
            chunk = sock.recv(65536)
            if not chunk:
                break
            incoming.write(chunk)
    return answer.decode("latin-1").split("\r\n", 1)[0]


async def live_address(node: Node, station_id: str) -> str | None:
    gateway = node.app.gateway
    assert gateway is not None
    for _ in range(100):
        conn = gateway.connections.get(station_id)
        if conn is not None:
            return conn.remote_address
        await asyncio.sleep(0.02)
    return None


@pytest.mark.parametrize("version", [1, 2])
async def test_proxy_protocol_header_names_the_client(proxy_node: Node, version: int) -> None:
    node = proxy_node
    gateway = node.app.gateway
    assert gateway is not None and gateway.port is not None
    await add_station(node, "PP-1", 1)
    make = proxy_v1_header if version == 1 else proxy_v2_header
    header = make("203.0.113.9", "192.0.2.1", 40001, 9000)
    status, writer = await raw_exchange(gateway.port, header + upgrade_request("PP-1"))
    assert status == "HTTP/1.1 101 Switching Protocols"
    assert await live_address(node, "PP-1") == "203.0.113.9"
    writer.close()
    # a refusal is recorded (and counted) under the client's address, not the balancer's
    status, writer = await raw_exchange(gateway.port, header + upgrade_request("PP-1", "wrong-password-0001"))
    writer.close()
    assert status.startswith("HTTP/1.1 401")
    events = await security_events(node, "PP-1", "InvalidBasicAuth")
    assert [e["source"] for e in events if e["type"] == "InvalidBasicAuth"] == ["203.0.113.9"]
    assert gateway.auth_failures.retry_after(("127.0.0.1", "PP-1")) is None


async def test_lockouts_follow_the_client_behind_the_balancer(proxy_node: Node) -> None:
    """Two chargers behind one balancer: one client's failures never lock out the other."""
    node = proxy_node
    gateway = node.app.gateway
    assert gateway is not None and gateway.port is not None
    await add_station(node, "PP-2", 1)
    bad = proxy_v1_header("198.51.100.50", "192.0.2.1", 1, 9000)
    for i in range(2):  # auth_failure_limit=2
        status, writer = await raw_exchange(gateway.port, bad + upgrade_request("PP-2", f"wrong-password-{i:04d}"))
        writer.close()
        assert status.startswith("HTTP/1.1 401")
    status, writer = await raw_exchange(gateway.port, bad + upgrade_request("PP-2"))
    writer.close()
    assert status.startswith("HTTP/1.1 429")
    good = proxy_v2_header("198.51.100.51", "192.0.2.1", 2, 9000)
    status, writer = await raw_exchange(gateway.port, good + upgrade_request("PP-2"))
    assert status == "HTTP/1.1 101 Switching Protocols"
    writer.close()


async def test_proxy_protocol_before_tls(proxy_node: Node, pki: Pki) -> None:
    """On the wss port the header comes before TLS; the bytes read past it start the handshake."""
    node = proxy_node
    gateway = node.app.gateway
    assert gateway is not None and gateway.tls_port is not None
    await add_station(node, "PPT-3", 3, password=None)
    context = pki.client(pki.station_cert("PPT-3"))
    header = proxy_v1_header("2001:db8::7", "2001:db8::1", 50000, 9443)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(5)
        request = upgrade_request("PPT-3", None)
        status = await asyncio.to_thread(tls_exchange, gateway.tls_port, header, context, request, sock)
        assert status == "HTTP/1.1 101 Switching Protocols"
        assert await live_address(node, "PPT-3") == "2001:db8::7"
    assert gateway.tls_pending_handshakes == 0


async def test_a_trusted_peer_without_a_header_is_dropped(proxy_node: Node) -> None:
    node = proxy_node
    gateway = node.app.gateway
    assert gateway is not None and gateway.port is not None
    await add_station(node, "PP-4", 1)
    status, writer = await raw_exchange(gateway.port, upgrade_request("PP-4"))
    writer.close()
    assert status == ""  # closed without an answer: the header is mandatory from a trusted proxy
    assert "PP-4" not in gateway.connections


async def test_untrusted_peers_are_served_directly_and_their_headers_ignored(tmp_path: Path) -> None:
    node = await start_node(tmp_path, auto_register=False, trusted_proxies=["192.0.2.0/24"], proxy_protocol=True)
    try:
        gateway = node.app.gateway
        assert gateway is not None and gateway.port is not None
        await add_station(node, "DIRECT-1", 1)
        # loopback is not a trusted proxy: no PROXY header is expected, X-Forwarded-For is not believed
        headers = {"X-Forwarded-For": "203.0.113.1", **basic("DIRECT-1", PASSWORD)}
        assert await outcome(f"{node.ocpp_url}/DIRECT-1", headers=headers) == 101
        headers = {"X-Forwarded-For": "203.0.113.1", **basic("DIRECT-1", "wrong-password-0001")}
        assert await outcome(f"{node.ocpp_url}/DIRECT-1", headers=headers) == 401
        events = await security_events(node, "DIRECT-1", "InvalidBasicAuth")
        assert [e["source"] for e in events if e["type"] == "InvalidBasicAuth"] == ["127.0.0.1"]
        # a PROXY line from an untrusted peer is just a bad HTTP request
        status, writer = await raw_exchange(
            gateway.port, proxy_v1_header("203.0.113.1", "192.0.2.1", 1, 2) + upgrade_request("DIRECT-1")
        )
        writer.close()
        assert not status.startswith("HTTP/1.1 101")
    finally:
        await node.app.stop()


async def test_x_forwarded_for_from_a_trusted_proxy(tmp_path: Path) -> None:
    node = await start_node(tmp_path, auto_register=False, trusted_proxies=["127.0.0.0/8", "10.0.0.0/8"])
    try:
        await add_station(node, "XFF-1", 1)
        # right-most untrusted entry: 10.1.2.3 is another trusted hop, 192.0.2.99 the client
        headers = {"X-Forwarded-For": "6.6.6.6, 192.0.2.99, 10.1.2.3", **basic("XFF-1", "wrong-password-0001")}
        assert await outcome(f"{node.ocpp_url}/XFF-1", headers=headers) == 401
        events = await security_events(node, "XFF-1", "InvalidBasicAuth")
        assert [e["source"] for e in events if e["type"] == "InvalidBasicAuth"] == ["192.0.2.99"]
    finally:
        await node.app.stop()


async def test_proxy_protocol_needs_trusted_proxies(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="trusted"):
        await start_node(tmp_path, proxy_protocol=True)
