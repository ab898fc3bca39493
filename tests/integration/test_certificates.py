"""Certificate management over real sockets: SignCertificate -> CertificateSigned on both versions,
refused CSRs, install/delete/list certificates through the REST commands, expiry listing and
renewal with the simulated station."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from chargebridge.rpc import OcppVersion
from chargebridge.security.ca import Issued, create_ca, issue_station_certificate
from chargebridge.security.certificates import record_client_certificate
from chargebridge.security.csr import certificate_hash_data, load_chain
from chargebridge.sim import SimClock, SimStation, StationConfig
from tests.conftest import Node, random_id, start_node
from tests.integration.helpers import BOOT16, BOOT201, RawStation

BOOTS: dict[str, dict[str, Any]] = {"1.6": BOOT16, "2.0.1": BOOT201}


@pytest.fixture(scope="module")
def ca() -> Issued:
    return create_ca("test station CA")


@pytest.fixture
async def signing_node(node: Node, ca: Issued) -> Node:
    """The ``node`` fixture (SQLite and PostgreSQL) with a CA that signs station CSRs."""
    assert node.app.requests is not None and node.app.gateway is not None
    node.app.requests.certificates.configure(ca, node.app.gateway)
    return node


def make_csr(common_name: str) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


async def booted(node: Node, station_id: str, version: str) -> RawStation:
    station = await RawStation.open(node.ocpp_url, station_id, version)
    assert (await station.call("BootNotification", BOOTS[version]))[2]["status"] == "Accepted"
    return station


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 5.0) -> Any:
    """Poll ``check`` until it returns something truthy."""
    async with asyncio.timeout(timeout):
        while True:
            result = await check()
            if result:
                return result
            await asyncio.sleep(0.05)


async def certificates_of(node: Node, station_id: str) -> list[dict[str, Any]]:
    async with node.client() as http:
        answer = await http.get(f"/api/v1/stations/{station_id}/certificates")
        assert answer.status_code == 200, answer.text
        return list(answer.json()["items"])


# -- SignCertificate -> CertificateSigned --------------------------------------------------


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_signed_certificate_is_delivered_and_recorded(signing_node: Node, ca: Issued, version: str) -> None:
    node = signing_node
    station_id = random_id("SIGN")
    station = await booted(node, station_id, version)
    answer = await station.call("SignCertificate", {"csr": make_csr(station_id)})
    assert answer[2] == {"status": "Accepted"}
    call = await station.recv()
    assert call[0] == 2 and call[2] == "CertificateSigned"
    chain = load_chain(call[3]["certificateChain"])
    assert len(chain) == 2 and chain[1] == ca.cert
    chain[0].verify_directly_issued_by(ca.cert)
    assert chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == station_id
    if version == "2.0.1":
        assert call[3]["certificateType"] == "ChargingStationCertificate"
    else:
        assert "certificateType" not in call[3]
    await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))

    async def active() -> list[dict[str, Any]]:
        return [c for c in await certificates_of(node, station_id) if c["status"] == "active"]

    (row,) = await eventually(active)
    assert row["origin"] == "signed" and row["certificate_type"] == "ChargingStationCertificate"
    assert row["serial_number"] == format(chain[0].serial_number, "x")
    assert row["hash_data"] == certificate_hash_data(chain[0], ca.cert).to_json()
    assert row["pem"] and load_chain(row["pem"]) == [chain[0]]
    assert 363 <= row["days_left"] <= 365

    # A second certificate the station accepts supersedes the first; one it rejects is recorded as such.
    assert (await station.call("SignCertificate", {"csr": make_csr(station_id)}))[2] == {"status": "Accepted"}
    second = await station.recv()
    await station.send_raw(json.dumps([3, second[1], {"status": "Accepted"}]))
    assert (await station.call("SignCertificate", {"csr": make_csr(station_id)}))[2] == {"status": "Accepted"}
    third = await station.recv()
    await station.send_raw(json.dumps([3, third[1], {"status": "Rejected"}]))

    async def settled() -> list[str] | None:
        statuses = sorted(c["status"] for c in await certificates_of(node, station_id))
        return statuses if "pending" not in statuses and len(statuses) == 3 else None

    assert await eventually(settled) == ["active", "rejected", "superseded"]
    await station.close()


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_a_csr_for_another_station_is_rejected_with_a_security_event(signing_node: Node, version: str) -> None:
    node = signing_node
    station_id = random_id("BADCSR")
    station = await booted(node, station_id, version)
    answer = await station.call("SignCertificate", {"csr": make_csr("SOMEONE-ELSE")})
    assert answer[2]["status"] == "Rejected"
    if version == "2.0.1":
        assert answer[2]["statusInfo"]["reasonCode"] == "InvalidCSR"
        assert "SOMEONE-ELSE" in answer[2]["statusInfo"]["additionalInfo"]
    with pytest.raises(TimeoutError):
        await station.recv(timeout=0.3)  # no CertificateSigned follows
    async with node.client() as http:
        events = (await http.get(f"/api/v1/stations/{station_id}/events", params={"kind": "security_event"})).json()
    (event,) = [e["data"] for e in events["items"]]
    assert event["type"] == "SignCertificateRejected" and event["origin"] == "csms"
    assert "'SOMEONE-ELSE' is not the station id" in event["tech_info"]
    assert await certificates_of(node, station_id) == []
    await station.close()


async def test_without_a_ca_key_every_csr_is_rejected(sqlite_node: Node) -> None:
    station_id = random_id("NOCA")
    station = await booted(sqlite_node, station_id, "2.0.1")
    answer = await station.call("SignCertificate", {"csr": make_csr(station_id)})
    assert answer[2]["status"] == "Rejected" and "no CA key" in answer[2]["statusInfo"]["additionalInfo"]
    v2g = await station.call("SignCertificate", {"csr": make_csr(station_id), "certificateType": "V2GCertificate"})
    assert v2g[2]["status"] == "Rejected" and "V2G" in v2g[2]["statusInfo"]["additionalInfo"]
    await station.close()


async def test_the_ca_comes_from_the_settings(tmp_path: Path, ca: Issued) -> None:
    ca.write(tmp_path / "ca.pem", tmp_path / "ca-key.pem")
    other = create_ca("another CA")
    other.write(tmp_path / "other.pem", tmp_path / "other-key.pem")
    with pytest.raises(ValueError, match="does not hold the key"):
        await start_node(tmp_path, tls_ca_file=tmp_path / "ca.pem", ca_key_file=tmp_path / "other-key.pem")
    node = await start_node(
        tmp_path,
        auto_register=True,
        tls_ca_file=tmp_path / "ca.pem",
        ca_key_file=tmp_path / "ca-key.pem",
        station_certificate_days=30,
    )
    try:
        station_id = random_id("CFG")
        station = await booted(node, station_id, "1.6")
        assert (await station.call("SignCertificate", {"csr": make_csr(station_id)}))[2] == {"status": "Accepted"}
        call = await station.recv()
        leaf = load_chain(call[3]["certificateChain"])[0]
        leaf.verify_directly_issued_by(ca.cert)
        assert timedelta(days=29) < leaf.not_valid_after_utc - datetime.now(UTC) <= timedelta(days=30)
        await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
        await station.close()
    finally:
        await node.app.stop()


# -- the simulated station: REST commands and renewal --------------------------------------


@asynccontextmanager
async def sim_station(node: Node, version: OcppVersion) -> AsyncIterator[SimStation]:
    config = StationConfig(station_id=random_id(f"SIM{version.value[0]}"), url=node.ocpp_url, version=version)
    station = SimStation(config, SimClock(datetime.now(UTC), 1.0), rng=random.Random(3))
    task = asyncio.create_task(station.run())
    try:

        async def up() -> bool:
            return station.booted

        await eventually(up)
        yield station
    finally:
        station.stop()
        async with asyncio.timeout(10):
            await task


async def command(node: Node, station_id: str, name: str, body: dict[str, Any], token: str | None = None) -> Any:
    async with node.client(token) as http:
        return await http.post(f"/api/v1/stations/{station_id}/commands/{name}", json=body)


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
async def test_install_list_and_delete_certificates(node: Node, ca: Issued, version: OcppVersion) -> None:
    root = ca.cert_pem().decode()
    async with sim_station(node, version) as sim:
        station_id = sim.station_id
        install = {"certificate_type": "CSMSRootCertificate", "certificate": root}
        listing = {"certificate_types": ["CSMSRootCertificate"]}
        delete = {"certificate": root}
        for role in ("viewer", "operator"):
            token = await node.token(role)
            for name, body in (
                ("install-certificate", install),
                ("get-installed-certificate-ids", listing),
                ("delete-certificate", delete),
            ):
                refused = await command(node, station_id, name, body, token)
                assert refused.status_code == 403, (role, name, refused.text)
        assert sim.state.certificates == []  # nothing reached the station

        installed = await command(node, station_id, "install-certificate", install)
        assert installed.status_code == 200, installed.text
        assert installed.json()["action"] == "InstallCertificate" and installed.json()["status"] == "Accepted"
        expected_type = "CentralSystemRootCertificate" if version is OcppVersion.V16 else "CSMSRootCertificate"
        assert [c.certificate_type for c in sim.state.certificates] == [expected_type]
        (row,) = await certificates_of(node, station_id)
        assert (row["origin"], row["status"], row["certificate_type"]) == ("installed", "active", "CSMSRootCertificate")
        assert row["hash_data"] == certificate_hash_data(ca.cert, ca.cert).to_json()

        listed = await command(node, station_id, "get-installed-certificate-ids", listing)
        assert listed.status_code == 200 and listed.json()["status"] == "Accepted"
        hash_data = certificate_hash_data(ca.cert, ca.cert).to_json()
        if version is OcppVersion.V16:
            assert listed.json()["response"]["certificateHashData"] == [hash_data]
        else:
            assert listed.json()["response"]["certificateHashDataChain"][0]["certificateHashData"] == hash_data
        assert len(await certificates_of(node, station_id)) == 1  # the reported one is the installed row

        deleted = await command(node, station_id, "delete-certificate", delete)
        assert deleted.status_code == 200 and deleted.json()["status"] == "Accepted"
        assert sim.state.certificates == []
        assert [c["status"] for c in await certificates_of(node, station_id)] == ["deleted"]
        again = await command(node, station_id, "delete-certificate", {"certificate_hash_data": {**_snake(hash_data)}})
        assert again.status_code == 200 and again.json()["status"] == "NotFound"
        gone = await command(node, station_id, "get-installed-certificate-ids", listing)
        assert gone.json()["status"] == "NotFound"

        bad = await command(node, station_id, "delete-certificate", {"certificate": root, "certificate_hash_data": {}})
        assert bad.status_code == 422
        if version is OcppVersion.V16:  # 1.6 asks for exactly one type
            none = await command(node, station_id, "get-installed-certificate-ids", {})
            assert none.status_code == 422


def _snake(hash_data: dict[str, str]) -> dict[str, str]:
    return {
        "hash_algorithm": hash_data["hashAlgorithm"],
        "issuer_name_hash": hash_data["issuerNameHash"],
        "issuer_key_hash": hash_data["issuerKeyHash"],
        "serial_number": hash_data["serialNumber"],
    }


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
async def test_renew_runs_the_signing_flow_with_the_simulator(
    signing_node: Node, ca: Issued, version: OcppVersion
) -> None:
    node = signing_node
    async with sim_station(node, version) as sim:
        station_id = sim.station_id
        operator = await node.token("operator")
        async with node.client(operator) as http:
            assert (await http.post(f"/api/v1/stations/{station_id}/certificates/renew")).status_code == 403
        async with node.client() as http:
            renewed = await http.post(f"/api/v1/stations/{station_id}/certificates/renew")
        assert renewed.status_code == 200, renewed.text
        expected = "ExtendedTriggerMessage" if version is OcppVersion.V16 else "TriggerMessage"
        assert renewed.json()["action"] == expected and renewed.json()["status"] == "Accepted"

        async def active() -> list[dict[str, Any]]:
            return [c for c in await certificates_of(node, station_id) if c["status"] == "active"]

        (row,) = await eventually(active)
        assert row["origin"] == "signed"
        assert sim.state.station_certificate is not None
        leaf = load_chain(sim.state.station_certificate)[0]
        leaf.verify_directly_issued_by(ca.cert)
        assert row["fingerprint"] == leaf.fingerprint(hashes.SHA256()).hex()


# -- expiry --------------------------------------------------------------------------------


async def test_expiring_certificates_are_listed_with_days_left(node: Node, ca: Issued) -> None:
    now = datetime.now(UTC)
    soon, later = random_id("SOON"), random_id("LATER")
    async with node.client() as http:
        for station_id in (soon, later):
            assert (await http.post("/api/v1/stations", json={"id": station_id})).status_code == 201
    assert node.app.store is not None
    old = issue_station_certificate(ca, soon, not_before=now - timedelta(days=300), not_after=now + timedelta(days=60))
    expiring = issue_station_certificate(
        ca, soon, not_before=now - timedelta(days=1), not_after=now + timedelta(days=5)
    )
    lasting = issue_station_certificate(ca, later, not_after=now + timedelta(days=200))
    der = serialization.Encoding.DER
    await record_client_certificate(node.app.store, soon, old.cert.public_bytes(der), now)
    await record_client_certificate(node.app.store, soon, expiring.cert.public_bytes(der), now)
    await record_client_certificate(
        node.app.store, soon, expiring.cert.public_bytes(der), now
    )  # same again: no new row
    await record_client_certificate(node.app.store, later, lasting.cert.public_bytes(der), now)

    statuses = sorted((c["status"], c["origin"]) for c in await certificates_of(node, soon))
    assert statuses == [("active", "client_tls"), ("superseded", "client_tls")]
    async with node.client() as http:
        answer = await http.get("/api/v1/certificates", params={"expiring_within_days": 30})
        assert answer.status_code == 200
        ours = [c for c in answer.json()["items"] if c["station_id"] in (soon, later)]
        assert [(c["station_id"], c["days_left"], c["expired"]) for c in ours] == [(soon, 4, False)]
        wide = (await http.get("/api/v1/certificates", params={"expiring_within_days": 365})).json()["items"]
        assert [c["station_id"] for c in wide if c["station_id"] in (soon, later)] == [soon, later]
        one = (await http.get("/api/v1/certificates", params={"station_id": later})).json()["items"]
        assert [c["days_left"] for c in one] == [199]
        everything = (await http.get("/api/v1/certificates", params={"station_id": soon, "status": "any"})).json()
        assert len(everything["items"]) == 2

    viewer = await node.token("viewer")
    async with node.client(viewer) as http:
        assert (await http.get("/api/v1/certificates", params={"station_id": soon})).status_code == 200
        assert (await http.get(f"/api/v1/stations/{soon}/certificates")).status_code == 200
        assert (await http.post(f"/api/v1/stations/{soon}/certificates/renew")).status_code == 403
        assert (await http.get("/api/v1/stations/NOPE-404/certificates")).status_code == 404
    async with node.client() as http:
        scope = {"role": "viewer", "name": "site", "stations": [later]}
        scoped = (await http.post("/api/v1/tokens", json=scope)).json()["token"]
    async with node.client(scoped) as http:
        mine = (await http.get("/api/v1/certificates", params={"station_id": later})).json()["items"]
        assert [c["station_id"] for c in mine] == [later]
        assert (await http.get("/api/v1/certificates", params={"station_id": soon})).status_code == 404
        assert (await http.get(f"/api/v1/stations/{soon}/certificates")).status_code == 404
        # Without a station filter the list holds only the token's stations.
        listed = (await http.get("/api/v1/certificates", params={"status": "any"})).json()["items"]
        assert listed and {c["station_id"] for c in listed} == {later}
