"""Security profiles 0-3 at the handshake, over real TLS: every right way in and the wrong ways."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import socket
import ssl
import threading
import warnings
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidMessage, InvalidStatus

from chargebridge.security.ca import Issued, create_ca, issue_server_certificate, issue_station_certificate
from chargebridge.security.secrets import legacy_scrypt_hash, verify_password
from chargebridge.security.tls import TLS12_CIPHERS, CertKeyPair, WeakKey, server_context
from tests.conftest import Node, start_node

PASSWORD = "correct-horse-battery-1"  # 23 characters: inside OCPP's 16-40


@dataclass
class Pki:
    dir: Path
    ca: Issued

    def station_cert(self, station_id: str, **kwargs: Any) -> tuple[Path, Path]:
        cert, key = self.dir / f"{station_id}-{len(kwargs)}.pem", self.dir / f"{station_id}-{len(kwargs)}-key.pem"
        issue_station_certificate(self.ca, station_id, **kwargs).write(cert, key)
        return cert, key

    def client(self, cert: tuple[Path, Path] | None = None, ca_file: Path | None = None) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=ca_file or self.dir / "ca.pem")
        if cert is not None:
            ctx.load_cert_chain(*cert)
        return ctx


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    directory = tmp_path_factory.mktemp("pki")
    ca = create_ca()
    ca.write(directory / "ca.pem", directory / "ca-key.pem")
    issue_server_certificate(ca, ["localhost", "127.0.0.1"]).write(
        directory / "server.pem", directory / "server-key.pem"
    )
    issue_server_certificate(ca, ["localhost", "127.0.0.1"], key_type="rsa").write(
        directory / "server-rsa.pem", directory / "server-rsa-key.pem"
    )
    return Pki(directory, ca)


def tls_settings(pki: Pki) -> dict[str, object]:
    return {
        "ocpp_tls_port": 0,
        "tls_cert_file": pki.dir / "server.pem",
        "tls_key_file": pki.dir / "server-key.pem",
        "tls_rsa_cert_file": pki.dir / "server-rsa.pem",
        "tls_rsa_key_file": pki.dir / "server-rsa-key.pem",
        "tls_ca_file": pki.dir / "ca.pem",
    }


@pytest.fixture
async def tls_node(tmp_path: Path, pki: Pki) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, auto_register=False, **tls_settings(pki))
    try:
        yield node
    finally:
        await node.app.stop()


def wss_url(node: Node) -> str:
    assert node.app.gateway is not None and node.app.gateway.tls_port is not None
    return f"wss://127.0.0.1:{node.app.gateway.tls_port}/ocpp"


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def outcome(
    url: str,
    ctx: ssl.SSLContext | None = None,
    headers: dict[str, str] | None = None,
    subprotocols: list[str] | None = None,
) -> int | str:
    """101 when the station got a socket, the HTTP status when refused, 'tls' when TLS itself failed."""
    try:
        ws = await connect(
            url,
            subprotocols=subprotocols or ["ocpp1.6"],  # type: ignore[arg-type]
            additional_headers=headers,
            ssl=ctx,
            open_timeout=5,
        )
    except InvalidStatus as exc:
        return exc.response.status_code
    except (ssl.SSLError, ConnectionResetError, InvalidMessage):
        # With TLS 1.3 the server rejects a client certificate after the client finished its side
        # of the handshake: the client then sees the connection end instead of an HTTP answer.
        return "tls"
    await ws.close()
    return 101


async def add_station(node: Node, station_id: str, profile: int, password: str | None = PASSWORD) -> None:
    async with node.client() as http:
        assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
        body: dict[str, Any] = {"profile": profile} | ({"password": password} if password else {})
        answer = await http.put(f"/api/v1/stations/{station_id}/security", json=body)
        assert answer.status_code == 200, answer.text
        assert answer.json()["security_profile"] == profile


async def test_profile_1_basic_auth_on_plain_and_tls(tls_node: Node, pki: Pki) -> None:
    await add_station(tls_node, "P1", 1)
    assert await outcome(f"{tls_node.ocpp_url}/P1") == 401
    assert await outcome(f"{tls_node.ocpp_url}/P1", headers=basic("P1", "wrong-password-123456")) == 401
    assert await outcome(f"{tls_node.ocpp_url}/P1", headers=basic("P2", PASSWORD)) == 401
    assert await outcome(f"{tls_node.ocpp_url}/P1", headers=basic("P1", PASSWORD)) == 101
    assert await outcome(f"{wss_url(tls_node)}/P1", pki.client(), basic("P1", PASSWORD)) == 101


async def test_profile_2_needs_tls_and_password(tls_node: Node, pki: Pki) -> None:
    await add_station(tls_node, "P2", 2)
    assert await outcome(f"{tls_node.ocpp_url}/P2", headers=basic("P2", PASSWORD)) == 403  # never over plain ws
    assert await outcome(f"{wss_url(tls_node)}/P2", pki.client()) == 401
    assert await outcome(f"{wss_url(tls_node)}/P2", pki.client(), basic("P2", "wrong-password-123456")) == 401
    assert await outcome(f"{wss_url(tls_node)}/P2", pki.client(), basic("P2", PASSWORD)) == 101
    events: list[dict[str, Any]] = []
    async with tls_node.client() as http:
        for _ in range(50):  # security events are written in the background
            events = (await http.get("/api/v1/stations/P2/events", params={"kind": "security_event"})).json()["items"]
            if len(events) >= 3:
                break
            await asyncio.sleep(0.05)
    types = {e["data"]["type"] for e in events}
    assert {"InsecureTransportRefused", "InvalidBasicAuth", "BasicAuthMissing"} <= types
    assert all(PASSWORD not in str(e) and "wrong-password" not in str(e) for e in events)


async def test_profile_3_mutual_tls(tls_node: Node, pki: Pki, tmp_path: Path) -> None:
    await add_station(tls_node, "P3", 3, password=None)
    url = f"{wss_url(tls_node)}/P3"
    assert await outcome(url, pki.client(pki.station_cert("P3"))) == 101
    # The certificate it presented is now in the certificate inventory.
    async with tls_node.client() as http:
        for _ in range(100):
            items = (await http.get("/api/v1/stations/P3/certificates")).json()["items"]
            if items:
                break
            await asyncio.sleep(0.02)
    assert [(c["origin"], c["status"], c["subject"]) for c in items] == [("client_tls", "active", "CN=P3")]
    assert await outcome(url, pki.client()) == 403  # no client certificate
    assert await outcome(url, pki.client(pki.station_cert("OTHER"))) == 403  # CN is another station
    assert await outcome(f"{tls_node.ocpp_url}/P3") == 403  # plain ws
    # a certificate from another CA, and an expired one, fail the TLS handshake itself
    foreign = create_ca("someone else")
    foreign_cert = (tmp_path / "f.pem", tmp_path / "f-key.pem")
    issue_station_certificate(foreign, "P3").write(*foreign_cert)
    assert await outcome(url, pki.client(foreign_cert)) in ("tls", 403)
    past = datetime.now(UTC) - timedelta(days=30)
    expired = pki.station_cert("P3", not_before=past - timedelta(days=1), not_after=past)
    assert await outcome(url, pki.client(expired)) in ("tls", 403)
    # a password does not stand in for the certificate
    assert await outcome(url, pki.client(), basic("P3", PASSWORD)) == 403
    gateway = tls_node.app.gateway
    assert gateway is not None and "P3" not in gateway.connections


async def test_require_security_refuses_profile_0(tmp_path: Path, pki: Pki) -> None:
    node = await start_node(tmp_path, auto_register=True, require_security=True, **tls_settings(pki))
    try:
        async with node.client() as http:
            assert (await http.post("/api/v1/stations", json={"id": "LAB-0"})).status_code == 201
        assert await outcome(f"{node.ocpp_url}/LAB-0") == 403
        assert await outcome(f"{node.ocpp_url}/NEW-STATION") == 404  # no auto-registration at profile 0
        await add_station(node, "SEC-1", 1)
        assert await outcome(f"{node.ocpp_url}/SEC-1", headers=basic("SEC-1", PASSWORD)) == 101
    finally:
        await node.app.stop()


async def test_profile_changes_only_go_up(tls_node: Node) -> None:
    async with tls_node.client() as http:
        assert (await http.post("/api/v1/stations", json={"id": "UP-1"})).status_code == 201
        url = "/api/v1/stations/UP-1/security"
        assert (await http.put(url, json={"profile": 1})).status_code == 422  # needs a password
        assert (await http.put(url, json={"profile": 1, "password": "short-pw-15char"})).status_code == 422
        assert (await http.put(url, json={"profile": 1, "password": "x" * 41})).status_code == 422
        assert (await http.put(url, json={"profile": 2, "password": PASSWORD})).status_code == 200
        assert (await http.put(url, json={"profile": 1})).status_code == 409
        assert (await http.put(url, json={"profile": 3})).status_code == 200
        assert (await http.put(url, json={"profile": 2})).status_code == 409  # not without allow_downgrade
        assert (await http.put(url, json={"profile": 0, "allow_downgrade": True})).status_code == 409
        assert (await http.put(url, json={"profile": 1, "allow_downgrade": True})).status_code == 409
        assert (await http.put(url, json={"profile": 2, "allow_downgrade": True})).status_code == 200
        view = (await http.get(url)).json()
        assert view["password_changed_at"]  # set with the password
        del view["password_changed_at"]
        assert view == {
            "station_id": "UP-1",
            "security_profile": 2,
            "has_password": True,
            "password_pending": False,
            "connected": False,
        }
    assert await outcome(f"{tls_node.ocpp_url}/UP-1", headers=basic("UP-1", PASSWORD)) == 403  # 2: TLS only


async def test_legacy_scrypt_hash_still_works_and_is_upgraded(tls_node: Node) -> None:
    store = tls_node.app.store
    assert store is not None
    await store.add_station("OLD-1", now=datetime.now(UTC), password_hash=legacy_scrypt_hash(PASSWORD))
    assert await outcome(f"{tls_node.ocpp_url}/OLD-1", headers=basic("OLD-1", "not-the-password-xx")) == 401
    assert await outcome(f"{tls_node.ocpp_url}/OLD-1", headers=basic("OLD-1", PASSWORD)) == 101
    for _ in range(100):
        row = await store.get_station("OLD-1")
        if row is not None and row["password_hash"].startswith("$argon2id$"):
            break
        await asyncio.sleep(0.02)
    assert row is not None and row["password_hash"].startswith("$argon2id$")
    assert verify_password(PASSWORD, row["password_hash"])


def _client_tls12(pki: Pki, cipher: str) -> ssl.SSLContext:
    ctx = pki.client()
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers(cipher)
    return ctx


@pytest.mark.parametrize(
    "cipher",
    ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "AES128-GCM-SHA256", "AES256-GCM-SHA384"],
)
async def test_ocpp_required_cipher_suites_over_tls12(tls_node: Node, pki: Pki, cipher: str) -> None:
    """The four suites OCPP requires: ECDSA ones use the EC certificate, RSA ones the RSA certificate."""
    await add_station(tls_node, "CIPHER", 2)
    async with connect(
        f"{wss_url(tls_node)}/CIPHER",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic("CIPHER", PASSWORD),
        ssl=_client_tls12(pki, cipher),
    ) as ws:
        ssl_object = ws.transport.get_extra_info("ssl_object")
        assert ssl_object.version() == "TLSv1.2"
        assert ssl_object.cipher()[0] == cipher
        assert ssl_object.compression() is None


async def test_weak_and_old_tls_are_refused(tls_node: Node, pki: Pki) -> None:
    await add_station(tls_node, "OLD-TLS", 2)
    url = f"{wss_url(tls_node)}/OLD-TLS"
    headers = basic("OLD-TLS", PASSWORD)
    weak = pki.client()
    weak.maximum_version = ssl.TLSVersion.TLSv1_2
    weak.set_ciphers("ECDHE-RSA-AES128-SHA:AES128-SHA")  # CBC suites: not offered by the server
    assert await outcome(url, weak, headers) == "tls"
    old = pki.client()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        old.set_ciphers("DEFAULT:@SECLEVEL=0")
        old.minimum_version = ssl.TLSVersion.TLSv1_1
        old.maximum_version = ssl.TLSVersion.TLSv1_1
    gateway = tls_node.app.gateway
    assert gateway is not None and gateway.tls_port is not None
    # The asyncio server drops the connection after its protocol_version alert: reset or SSL error.
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        _, writer = await asyncio.open_connection("127.0.0.1", gateway.tls_port, ssl=old, server_hostname="localhost")
        writer.close()
    assert await outcome(url, pki.client(), headers) == 101


def _tls11_answer(server: ssl.SSLContext, pki: Pki) -> str | None:
    """Offer only TLS 1.1 to a blocking server using ``server``; the SSL error reason the client gets."""
    client = pki.client()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        client.set_ciphers("DEFAULT:@SECLEVEL=0")
        client.minimum_version = ssl.TLSVersion.TLSv1_1
        client.maximum_version = ssl.TLSVersion.TLSv1_1
    listener = socket.create_server(("127.0.0.1", 0))

    def accept_one() -> None:
        conn, _ = listener.accept()
        with contextlib.suppress(ssl.SSLError, OSError):
            server.wrap_socket(conn, server_side=True).close()
        conn.close()

    thread = threading.Thread(target=accept_one, daemon=True)
    thread.start()
    try:
        with socket.create_connection(listener.getsockname(), timeout=5) as raw:
            client.wrap_socket(raw, server_hostname="localhost").close()
    except ssl.SSLError as exc:
        if exc.reason == "NO_PROTOCOLS_AVAILABLE":
            pytest.skip("the local OpenSSL cannot offer TLS 1.1 (the minimum_version assertion above stands)")
        return str(exc.reason)
    finally:
        thread.join(5)
        listener.close()
    return None


def test_server_context_policy(pki: Pki, tmp_path: Path) -> None:
    ctx = server_context([CertKeyPair(pki.dir / "server.pem", pki.dir / "server-key.pem")], pki.dir / "ca.pem")
    assert ctx.minimum_version == ssl.TLSVersion.TLSv1_2
    assert ctx.maximum_version == ssl.TLSVersion.TLSv1_3
    assert ctx.options & ssl.OP_NO_COMPRESSION
    assert ctx.verify_mode == ssl.CERT_OPTIONAL
    tls12 = {c["name"] for c in ctx.get_ciphers() if c["protocol"] == "TLSv1.2"}
    assert tls12 == set(TLS12_CIPHERS.split(":"))
    assert all("GCM" in name for name in tls12)
    # keys below 2048 bits RSA are refused
    from cryptography.hazmat.primitives.asymmetric import rsa

    weak_ca = create_ca()
    small_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    from chargebridge.security import ca as ca_module

    original = ca_module.new_key
    ca_module.new_key = lambda key_type="ec": small_key  # type: ignore[assignment]
    try:
        issue_server_certificate(weak_ca, ["localhost"]).write(tmp_path / "weak.pem", tmp_path / "weak-key.pem")
    finally:
        ca_module.new_key = original
    assert _tls11_answer(ctx, pki) == "TLSV1_ALERT_PROTOCOL_VERSION"
    with pytest.raises(WeakKey):
        server_context([CertKeyPair(tmp_path / "weak.pem", tmp_path / "weak-key.pem")])
