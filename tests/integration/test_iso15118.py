"""ISO 15118 Plug & Charge over real sockets, from the station side with the public ``ocpp``
package's 2.0.1 charge point: GetCertificateStatus answered from a real OCSP request to a local
responder (good, revoked, cached, unreachable, slow, not allowed), Authorize with
iso15118CertificateHashData or a contract chain checked by OCSP, Get15118EVCertificate through the
local test provider, SignCertificate V2GCertificate signed by the V2G sub-CA, and the CA store's roots."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import websockets
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID
from ocpp.routing import on
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from chargebridge.iso15118.contracts import read_test_blob
from chargebridge.iso15118.pki import signed_by
from chargebridge.security.ca import Issued
from tests.conftest import Node, random_id, start_node
from tests.integration.ocsp_responder import Authority, OcspResponder
from tests.integration.pnc_pki import make_cert, ocsp_request_data, pem


class PncStation(Cp201):
    signed: list[dict[str, Any]]

    @on(Action201.certificate_signed)
    async def on_signed(self, certificate_chain: str, **kwargs: Any) -> result201.CertificateSigned:
        self.signed.append({"certificate_chain": certificate_chain, **kwargs})
        return result201.CertificateSigned(status="Accepted")


@contextlib.asynccontextmanager
async def station(node: Node) -> AsyncIterator[PncStation]:
    station_id = random_id("PNC")
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp2.0.1"]) as ws:
        cp = PncStation(station_id, ws)
        cp.signed = []
        task = asyncio.create_task(cp.start())
        try:
            boot = await cp.call(
                call201.BootNotification(charging_station={"model": "P1", "vendor_name": "Pnc"}, reason="PowerUp")
            )
            assert boot.status == "Accepted"
            yield cp
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


class World:
    """Two PKIs, their responder and a node that may ask it."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.v2g_root = make_cert("V2G Root", None, ca=True)
        self.v2g_sub = make_cert("V2G Sub-CA", self.v2g_root, ca=True)
        self.mo_root = make_cert("MO Root", None, ca=True)
        self.mo_sub = make_cert("MO Sub-CA", self.mo_root, ca=True)
        self.delegate = make_cert("MO OCSP", self.mo_sub, ca=False, ocsp_signing=True)
        self.mo_authority = Authority(self.mo_sub, responder=self.delegate)
        self.root_authority = Authority(self.mo_root)
        self.responder = OcspResponder(self.mo_authority, self.root_authority)
        self.node: Node | None = None

    def contract(self, status: str = "good") -> Issued:
        leaf = make_cert("EMAID-TEST-1", self.mo_sub, ca=False, ocsp_url=self.responder.url)
        self.mo_authority.statuses[leaf.cert.serial_number] = status
        return leaf

    async def start(self, **settings: Any) -> Node:
        await self.responder.start()
        self.root_authority.statuses[self.mo_sub.cert.serial_number] = "good"
        sub_file, key_file = self.tmp_path / "v2g-sub.pem", self.tmp_path / "v2g-sub-key.pem"
        sub_file.write_text(pem(self.v2g_sub.cert))
        key_file.write_bytes(self.v2g_sub.key_pem())
        defaults: dict[str, Any] = {
            "auto_register": True,
            "ocsp_allowed_hosts": ["127.0.0.1"],
            "ocsp_timeout_s": 1.0,
            "contract_certificate_provider": "local",
            "v2g_sub_ca_file": sub_file,
            "v2g_sub_ca_key_file": key_file,
        }
        self.node = await start_node(self.tmp_path, None, **(defaults | settings))
        return self.node

    async def add_root(self, kind: str, cert: x509.Certificate) -> dict[str, Any]:
        assert self.node is not None
        async with self.node.client() as http:
            answer = await http.post("/api/v1/iso15118/roots", json={"kind": kind, "certificate": pem(cert)})
            assert answer.status_code == 201, answer.text
            return dict(answer.json())

    async def stop(self) -> None:
        if self.node is not None:
            await self.node.app.stop()
        await self.responder.stop()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    world = World(tmp_path)
    await world.start()
    try:
        yield world
    finally:
        await world.stop()


def status_call(data: dict[str, Any]) -> call201.GetCertificateStatus:
    return call201.GetCertificateStatus(ocsp_request_data=data)


# -- GetCertificateStatus (M06) ------------------------------------------------------------------


async def test_certificate_status_good_revoked_and_cached(world: World) -> None:
    good, revoked = world.contract("good"), world.contract("revoked")
    async with station(world.node) as cp:  # type: ignore[arg-type]
        answer = await cp.call(status_call(ocsp_request_data(good.cert, world.mo_sub.cert, world.responder.url)))
        assert answer.status == "Accepted", answer
        response = ocsp.load_der_ocsp_response(base64.b64decode(answer.ocsp_result))
        assert response.certificate_status is ocsp.OCSPCertStatus.GOOD
        assert response.serial_number == good.cert.serial_number
        sent = world.responder.requests
        again = await cp.call(status_call(ocsp_request_data(good.cert, world.mo_sub.cert, world.responder.url)))
        assert again.status == "Accepted" and world.responder.requests == sent  # from the cache
        answer = await cp.call(status_call(ocsp_request_data(revoked.cert, world.mo_sub.cert, world.responder.url)))
        assert answer.status == "Accepted"
        response = ocsp.load_der_ocsp_response(base64.b64decode(answer.ocsp_result))
        assert response.certificate_status is ocsp.OCSPCertStatus.REVOKED
    assert world.node is not None and world.node.app.store is not None
    events = await world.node.app.store.list_station_events(cp.id, kind="iso15118")
    assert {e["data"].get("certificate_status") for e in events} == {"good", "revoked"}


async def test_certificate_status_unreachable_slow_and_not_allowed(world: World, tmp_path: Path) -> None:
    good = world.contract("good")
    data = ocsp_request_data(good.cert, world.mo_sub.cert, world.responder.url)
    async with station(world.node) as cp:  # type: ignore[arg-type]
        # A closed port: Failed at once, with the reason.
        closed = dict(data, responder_url="http://127.0.0.1:1/ocsp")
        started = time.monotonic()
        answer = await cp.call(status_call(closed))
        assert answer.status == "Failed" and answer.status_info["reason_code"] == "Unreachable"
        assert time.monotonic() - started < 3
        # A responder slower than ocsp_timeout_s (1 s): Failed within the bound, never a hang.
        world.responder.delay_s = 3.0
        started = time.monotonic()
        answer = await cp.call(status_call(data))
        assert answer.status == "Failed" and answer.status_info["reason_code"] == "Timeout"
        assert time.monotonic() - started < 2.5
        world.responder.delay_s = 0.0
        # Garbage and HTTP errors are failures too.
        world.responder.garbage = True
        other_cert = world.contract("good")
        answer = await cp.call(status_call(ocsp_request_data(other_cert.cert, world.mo_sub.cert, world.responder.url)))
        assert answer.status == "Failed" and answer.status_info["reason_code"] == "InvalidResponse"
        world.responder.garbage = False
        # A host that is not allowed (not public, not listed) is never asked.
        before = world.responder.requests
        other = dict(data, responder_url=f"http://localhost:{world.responder.port}/ocsp")
        answer = await cp.call(status_call(other))
        assert answer.status == "Failed" and answer.status_info["reason_code"] == "ResponderNotAllowed"
        assert world.responder.requests == before


# -- Authorize with a contract (C07/C08) ---------------------------------------------------------


async def add_token(node: Node, token: str) -> None:
    async with node.client() as http:
        answer = await http.post("/api/v1/id-tokens", json={"id_token": token, "status": "Accepted"})
        assert answer.status_code == 201, answer.text


async def test_authorize_with_hash_data_checked_by_ocsp(world: World) -> None:
    assert world.node is not None
    await world.add_root("MORootCertificate", world.mo_root.cert)
    await add_token(world.node, "EMAID-TEST-1")
    good, revoked = world.contract("good"), world.contract("revoked")
    token = {"id_token": "EMAID-TEST-1", "type": "eMAID"}
    async with station(world.node) as cp:
        answer = await cp.call(
            call201.Authorize(
                id_token=token,
                iso15118_certificate_hash_data=[
                    ocsp_request_data(good.cert, world.mo_sub.cert, world.responder.url),
                    ocsp_request_data(world.mo_sub.cert, world.mo_root.cert, world.responder.url),
                ],
            )
        )
        assert answer.certificate_status == "Accepted" and answer.id_token_info["status"] == "Accepted"
        answer = await cp.call(
            call201.Authorize(
                id_token=token,
                iso15118_certificate_hash_data=[
                    ocsp_request_data(revoked.cert, world.mo_sub.cert, world.responder.url)
                ],
            )
        )
        assert answer.certificate_status == "CertificateRevoked" and answer.id_token_info["status"] == "Invalid"
        # Unreachable responder: the revocation status is unknown, the contract is not authorized.
        fresh = world.contract("good")  # not in the cache yet
        unreachable = ocsp_request_data(fresh.cert, world.mo_sub.cert, "http://127.0.0.1:1/ocsp")
        answer = await cp.call(call201.Authorize(id_token=token, iso15118_certificate_hash_data=[unreachable]))
        assert answer.certificate_status is None and answer.id_token_info["status"] == "Unknown"
        # A plain Authorize still works as before.
        answer = await cp.call(call201.Authorize(id_token=token))
        assert answer.id_token_info["status"] == "Accepted" and answer.certificate_status is None


async def test_authorize_with_contract_chain(world: World) -> None:
    assert world.node is not None
    await add_token(world.node, "EMAID-TEST-1")
    good, revoked = world.contract("good"), world.contract("revoked")
    token = {"id_token": "EMAID-TEST-1", "type": "eMAID"}
    async with station(world.node) as cp:
        # The MO root is not in the CA store yet: the chain does not reach a trust anchor.
        answer = await cp.call(call201.Authorize(id_token=token, certificate=pem(good.cert, world.mo_sub.cert)))
        assert answer.certificate_status == "CertChainError" and answer.id_token_info["status"] == "Invalid"
        await world.add_root("MORootCertificate", world.mo_root.cert)
        answer = await cp.call(call201.Authorize(id_token=token, certificate=pem(good.cert, world.mo_sub.cert)))
        assert answer.certificate_status == "Accepted" and answer.id_token_info["status"] == "Accepted"
        answer = await cp.call(call201.Authorize(id_token=token, certificate=pem(revoked.cert, world.mo_sub.cert)))
        assert answer.certificate_status == "CertificateRevoked"
        old = make_cert(
            "EMAID-OLD",
            world.mo_sub,
            ca=False,
            not_before=datetime.now(UTC) - timedelta(days=30),
            not_after=datetime.now(UTC) - timedelta(days=1),
        )
        answer = await cp.call(call201.Authorize(id_token=token, certificate=pem(old.cert, world.mo_sub.cert)))
        assert answer.certificate_status == "CertificateExpired"


async def test_ocsp_answer_signed_by_a_stranger_is_refused(world: World) -> None:
    assert world.node is not None
    await world.add_root("MORootCertificate", world.mo_root.cert)
    good = world.contract("good")
    world.mo_authority.responder = make_cert(
        "Rogue OCSP", make_cert("Rogue CA", None, ca=True), ca=False, ocsp_signing=True
    )
    async with station(world.node) as cp:
        answer = await cp.call(
            call201.Authorize(
                id_token={"id_token": "EMAID-TEST-1", "type": "eMAID"},
                iso15118_certificate_hash_data=[ocsp_request_data(good.cert, world.mo_sub.cert, world.responder.url)],
            )
        )
        assert answer.certificate_status == "CertChainError" and answer.id_token_info["status"] == "Invalid"


# -- Get15118EVCertificate (M01/M02) --------------------------------------------------------------


async def test_ev_certificate_from_the_local_test_provider(world: World) -> None:
    exi = base64.b64encode(b"\x80\x98\x02 test CertificateInstallationReq").decode()
    async with station(world.node) as cp:  # type: ignore[arg-type]
        answer = await cp.call(
            call201.Get15118EVCertificate(
                iso15118_schema_version="urn:iso:15118:2:2013:MsgDef", action="Install", exi_request=exi
            )
        )
        assert answer.status == "Accepted"
        blob = read_test_blob(answer.exi_response)
        chain = x509.load_pem_x509_certificates(blob["contractCertificateChain"].encode())
        assert (
            signed_by(chain[0], chain[1])
            and chain[0].subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == blob["emaid"]
        )
        key = serialization.load_pem_private_key(blob["contractPrivateKey"].encode(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        assert key.public_key().public_numbers() == chain[0].public_key().public_numbers()  # type: ignore[union-attr]
        bad = await cp.call(
            call201.Get15118EVCertificate(iso15118_schema_version="x", action="Update", exi_request="not base64!")
        )
        assert bad.status == "Failed" and bad.status_info["reason_code"] == "InvalidRequest"


async def test_ev_certificate_without_provider_fails_cleanly(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True)
    try:
        async with station(node) as cp:
            answer = await cp.call(
                call201.Get15118EVCertificate(iso15118_schema_version="x", action="Install", exi_request="QUJD")
            )
            assert answer.status == "Failed" and answer.status_info["reason_code"] == "NoProvider"
            assert answer.exi_response == ""
    finally:
        await node.app.stop()


# -- SignCertificate V2GCertificate ----------------------------------------------------------------


def v2g_csr(common_name: str, curve: ec.EllipticCurve | None = None) -> str:
    key = ec.generate_private_key(curve or ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


async def test_v2g_certificate_signed_by_the_sub_ca(world: World) -> None:
    async with station(world.node) as cp:  # type: ignore[arg-type]
        # No V2G root in the CA store yet: the sub-CA chains to nothing, the CSR is refused.
        answer = await cp.call(call201.SignCertificate(csr=v2g_csr(cp.id), certificate_type="V2GCertificate"))
        assert answer.status == "Rejected" and answer.status_info["reason_code"] == "NotSupported"
        await world.add_root("V2GRootCertificate", world.v2g_root.cert)
        answer = await cp.call(call201.SignCertificate(csr=v2g_csr(cp.id), certificate_type="V2GCertificate"))
        assert answer.status == "Accepted"
        async with asyncio.timeout(5):
            while not cp.signed:
                await asyncio.sleep(0.05)
        signed = cp.signed[0]
        assert signed["certificate_type"] == "V2GCertificate"
        chain = x509.load_pem_x509_certificates(signed["certificate_chain"].encode())
        assert len(chain) == 2 and signed_by(chain[0], world.v2g_sub.cert) and chain[1] == world.v2g_sub.cert
        leaf = chain[0]
        assert leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == cp.id
        assert leaf.subject.get_attributes_for_oid(NameOID.DOMAIN_COMPONENT)[0].value == "CPO"
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
        assert usage.digital_signature and usage.key_agreement and not usage.key_cert_sign
        assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= timedelta(days=61)
        # ISO 15118 rules: P-256 only, CN = the station's SECC id.
        wrong_curve = await cp.call(
            call201.SignCertificate(csr=v2g_csr(cp.id, ec.SECP384R1()), certificate_type="V2GCertificate")
        )
        assert wrong_curve.status == "Rejected" and "P-256" in wrong_curve.status_info["additional_info"]
        other = await cp.call(call201.SignCertificate(csr=v2g_csr("SOMEONE-ELSE"), certificate_type="V2GCertificate"))
        assert other.status == "Rejected" and other.status_info["reason_code"] == "InvalidCSR"
    assert world.node is not None
    async with world.node.client() as http:
        rows = (await http.get(f"/api/v1/stations/{cp.id}/certificates")).json()["items"]
        assert [(r["certificate_type"], r["status"]) for r in rows] == [("V2GCertificate", "active")]


# -- the CA store ----------------------------------------------------------------------------------


async def test_roots_api(world: World) -> None:
    assert world.node is not None
    created = await world.add_root("V2GRootCertificate", world.v2g_root.cert)
    async with world.node.client() as http:
        again = await http.post(
            "/api/v1/iso15118/roots", json={"kind": "V2GRootCertificate", "certificate": pem(world.v2g_root.cert)}
        )
        assert again.status_code == 409
        not_root = await http.post(
            "/api/v1/iso15118/roots", json={"kind": "MORootCertificate", "certificate": pem(world.mo_sub.cert)}
        )
        assert not_root.status_code == 422 and "self-signed" in not_root.json()["detail"]
        operator = await world.node.token("operator")
        refused = await http.post(
            "/api/v1/iso15118/roots",
            json={"kind": "MORootCertificate", "certificate": pem(world.mo_root.cert)},
            headers={"Authorization": f"Bearer {operator}"},
        )
        assert refused.status_code == 403
        listed = (await http.get("/api/v1/iso15118/roots")).json()["items"]
        assert [(r["id"], r["kind"]) for r in listed] == [(created["id"], "V2GRootCertificate")]
        status = (await http.get("/api/v1/iso15118/status")).json()
        assert status["v2g_sub_ca"]["chains_to_v2g_root"] is True and status["contract_certificate_provider"] == "local"
        assert (await http.delete(f"/api/v1/iso15118/roots/{created['id']}")).status_code == 204
        assert (await http.get("/api/v1/iso15118/status")).json()["v2g_sub_ca"]["chains_to_v2g_root"] is False
