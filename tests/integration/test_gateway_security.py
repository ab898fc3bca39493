"""Security on both legs of the gateway: a station at profile 1 towards the gateway (the same handshake
checks as ``serve``), and the gateway at profile 3 towards a ``chargebridge serve`` upstream over TLS
with the station's client certificate from the config file."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from websockets.exceptions import InvalidStatus

from chargebridge.rpc import OcppVersion
from chargebridge.security.ca import create_ca, issue_server_certificate, issue_station_certificate
from chargebridge.security.secrets import hash_password
from tests.conftest import Node, start_node
from tests.integration.gateway_helpers import FAST, start_gateway, station_url
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.ocpp_peers import wait_for

PASSWORD = "correct-horse-battery-1"


@pytest.fixture
async def tls_node(tmp_path: Path) -> AsyncIterator[tuple[Node, Path]]:
    pki = tmp_path / "pki"
    pki.mkdir()
    ca = create_ca()
    ca.write(pki / "ca.pem", pki / "ca-key.pem")
    issue_server_certificate(ca, ["localhost", "127.0.0.1"]).write(pki / "server.pem", pki / "server-key.pem")
    issue_station_certificate(ca, "CP-SEC").write(pki / "cp-sec.pem", pki / "cp-sec-key.pem")
    node = await start_node(
        tmp_path,
        auto_register=False,
        ocpp_tls_port=0,
        tls_cert_file=pki / "server.pem",
        tls_key_file=pki / "server-key.pem",
        tls_ca_file=pki / "ca.pem",
    )
    assert node.app.store is not None
    await node.app.store.add_station("CP-SEC", now=node.app.clock.now(), security_profile=3)
    try:
        yield node, pki
    finally:
        await node.app.stop()


async def test_profile_1_station_through_the_gateway_to_a_profile_3_upstream(
    tmp_path: Path, tls_node: tuple[Node, Path]
) -> None:
    node, pki = tls_node
    assert node.app.gateway is not None and node.app.gateway.tls_port is not None
    upstream = f"wss://localhost:{node.app.gateway.tls_port}/ocpp"
    config = (
        FAST
        + f"""
[upstream]
ca_file = "{pki / "ca.pem"}"

[stations."CP-SEC"]
client_cert_file = "{pki / "cp-sec.pem"}"
client_key_file = "{pki / "cp-sec-key.pem"}"
"""
    )
    gateway = await start_gateway(tmp_path, upstream, OcppVersion.V201, config=config, auto_register=False)
    try:
        assert gateway.store is not None
        await gateway.store.add_station(
            "CP-SEC", now=gateway.clock.now(), password_hash=hash_password(PASSWORD), security_profile=1
        )
        with pytest.raises(InvalidStatus) as refused:  # no credentials: the gateway's handshake says no
            await RawStation.open(station_url(gateway), "CP-SEC")
        assert refused.value.response.status_code == 401
        with pytest.raises(InvalidStatus):
            await RawStation.open(station_url(gateway), "CP-UNKNOWN")
        token = base64.b64encode(f"CP-SEC:{PASSWORD}".encode()).decode()
        station = await RawStation.open(
            station_url(gateway), "CP-SEC", additional_headers={"Authorization": f"Basic {token}"}
        )
        boot = await station.call("BootNotification", BOOT16)
        assert boot[2]["status"] == "Accepted"  # the upstream's answer: the mutual-TLS leg is up
        bridge = gateway.bridges["CP-SEC"]
        assert bridge.upstream is not None and bridge.upstream.online
        await wait_for(lambda: "CP-SEC" in (node.app.gateway.connections if node.app.gateway else {}), what="serve")
        async with node.client() as http:
            seen = (await http.get("/api/v1/stations/CP-SEC")).json()
        assert seen["ocpp_version"] == "2.0.1" and seen["vendor"] == "TestVendor"
        await station.close()
    finally:
        await gateway.stop()
