"""The simulator exercises blocks E, L and M from the station side against the real server:
a 2.0.1 station that holds back one offline event (quirk late_event_s) gets GetTransactionStatus and
its transaction is finalised once the late event arrives; the station asks for its V2G certificate,
relays an EV's Get15118EVCertificate / GetCertificateStatus / contract Authorize, and publishes a
firmware image as a local controller."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from chargebridge.iso15118.contracts import read_test_blob
from chargebridge.rpc import OcppVersion
from chargebridge.sim import SimClock, SimStation, StationConfig, pnc
from chargebridge.sim.firmware import make_image
from chargebridge.sim.profiles import QuirkProfile
from tests.conftest import Node, random_id, start_node
from tests.integration.ocsp_responder import Authority, OcspResponder
from tests.integration.pnc_pki import make_cert, pem


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {timeout} s: {result!r}")
        await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def sim_station(node: Node, **overrides: Any) -> AsyncIterator[SimStation]:
    config = StationConfig(
        **(
            {
                "station_id": random_id("SIMPNC"),
                "url": node.ocpp_url,
                "version": OcppVersion.V201,
                "heartbeat_interval_s": 3600.0,
                "meter_interval_s": 60.0,
                "firmware_step_s": 1.0,
            }
            | overrides
        )
    )
    station = SimStation(config, SimClock(datetime(2026, 4, 1, 8, 0, tzinfo=UTC), 60.0), rng=random.Random(3))
    task = asyncio.create_task(station.run())
    try:
        await eventually(lambda: asyncio.sleep(0, station.booted))
        yield station
    finally:
        station.stop()
        async with asyncio.timeout(15):
            await task


@pytest.fixture
async def pnc_node(tmp_path: Path) -> AsyncIterator[tuple[Node, Any]]:
    v2g_root = make_cert("V2G Root", None, ca=True)
    v2g_sub = make_cert("V2G Sub-CA", v2g_root, ca=True)
    (tmp_path / "sub.pem").write_text(pem(v2g_sub.cert))
    (tmp_path / "sub-key.pem").write_bytes(v2g_sub.key_pem())
    node = await start_node(
        tmp_path,
        None,
        auto_register=True,
        heartbeat_interval_s=3600,
        transaction_gap_wait_s=60.0,
        contract_certificate_provider="local",
        ocsp_allowed_hosts=["127.0.0.1"],
        v2g_sub_ca_file=tmp_path / "sub.pem",
        v2g_sub_ca_key_file=tmp_path / "sub-key.pem",
    )
    async with node.client() as http:
        added = await http.post(
            "/api/v1/iso15118/roots", json={"kind": "V2GRootCertificate", "certificate": pem(v2g_root.cert)}
        )
        assert added.status_code == 201, added.text
        assert (await http.post("/api/v1/id-tokens", json={"id_token": "SIM-CARD"})).status_code == 201
    try:
        yield node, v2g_sub
    finally:
        await node.app.stop()


async def test_late_offline_event_closes_the_gap(pnc_node: tuple[Node, Any]) -> None:
    node, _ = pnc_node
    async with sim_station(node, profile=QuirkProfile(name="late-event", late_event_s=120.0)) as station:
        station.start_session(1, "SIM-CARD")
        await eventually(lambda: asyncio.sleep(0, station.state.connectors[1].session is not None))
        await eventually(lambda: asyncio.sleep(0, station.queued_messages == 0))
        session = station.state.connectors[1].session
        assert session is not None and session.transaction_id is not None
        tx = session.transaction_id
        station.go_offline(400)  # ~6.7 s real: a few meter values queue up offline
        await eventually(lambda: asyncio.sleep(0, not station.connected))
        await asyncio.sleep(3)
        station.stop_session(1)
        async with node.client() as http:

            async def row() -> dict[str, Any]:
                return dict((await http.get(f"/api/v1/stations/{station.station_id}/transactions/{tx}")).json())

            awaiting = await eventually(lambda: _when(row, lambda r: r["completeness"] == "awaiting_events"), 30)
            assert awaiting["active"] is False and len(awaiting["missing_seq_nos"]) == 1
            final = await eventually(lambda: _when(row, lambda r: r["completeness"] == "complete"), 30)
            assert final["finalised_at"] is not None and final["missing_seq_nos"] is None
            events = (await http.get(f"/api/v1/stations/{station.station_id}/events?kind=transaction_status")).json()
            asked = events["items"] if isinstance(events, dict) else events
            assert asked and asked[-1]["data"]["messages_in_queue"] is True


async def _when(read: Callable[[], Awaitable[dict[str, Any]]], check: Callable[[dict[str, Any]], bool]) -> Any:
    value = await read()
    return value if check(value) else None


async def test_sim_requests_v2g_certificate_and_relays_ev_messages(pnc_node: tuple[Node, Any], tmp_path: Path) -> None:
    node, v2g_sub = pnc_node
    mo_root = make_cert("MO Root", None, ca=True)
    responder = OcspResponder(Authority(mo_root))
    await responder.start()
    try:
        async with sim_station(node) as station:
            station.request_v2g_certificate()
            await eventually(lambda: asyncio.sleep(0, station.state.pnc.v2g_certificate))
            chain = x509.load_pem_x509_certificates(station.state.pnc.v2g_certificate.encode())  # type: ignore[union-attr]
            assert chain[1] == v2g_sub.cert
            # An EV asks for a contract certificate through the station.
            answer = await station.pnc_request("Get15118EVCertificate", pnc.get_15118_ev_certificate(b"EXI-REQ-1"))
            assert answer["status"] == "Accepted"
            contract = read_test_blob(answer["exiResponse"])
            assert contract["emaid"].startswith("ZZCBTC")
            # ... the revocation status of a certificate (the MO responder knows the sub-CA).
            mo_sub = make_cert("MO Sub", mo_root, ca=True)
            responder.authorities[0].statuses[mo_sub.cert.serial_number] = "good"
            data = pnc.ocsp_request_data(mo_sub.cert, mo_root.cert, responder.url)
            status = await station.pnc_request("GetCertificateStatus", pnc.get_certificate_status(data))
            assert status["status"] == "Accepted" and base64.b64decode(status["ocspResult"])
            # ... and authorizes with the contract's OCSP data (revoked here).
            responder.authorities[0].statuses[mo_sub.cert.serial_number] = "revoked"
            other = make_cert("MO Sub 2", mo_root, ca=True)
            responder.authorities[0].statuses[other.cert.serial_number] = "revoked"
            async with node.client() as http:
                await http.post(
                    "/api/v1/iso15118/roots", json={"kind": "MORootCertificate", "certificate": pem(mo_root.cert)}
                )
            payload = pnc.contract_authorize(
                "SIM-CARD", hash_data=[pnc.ocsp_request_data(other.cert, mo_root.cert, responder.url)]
            )
            authorized = await station.pnc_request("Authorize", payload)
            assert authorized["certificateStatus"] == "CertificateRevoked"
            assert authorized["idTokenInfo"]["status"] == "Invalid"
    finally:
        await responder.stop()


async def test_sim_publishes_firmware_as_local_controller(pnc_node: tuple[Node, Any]) -> None:
    node, _ = pnc_node
    async with sim_station(node) as station, node.client() as http:
        params = {"vendor": "Chargebridge", "model": "SimCharger", "version": "9.9.9"}
        image = (await http.post("/api/v1/firmware/images", params=params, content=make_image("9.9.9"))).json()
        published = await http.post(
            f"/api/v1/stations/{station.station_id}/firmware/publish", json={"image_id": image["id"]}
        )
        assert published.status_code == 201, published.text
        body = published.json()
        assert body["status"] == "Accepted" and body["publication"]["state"] == "accepted"
        checksum = body["publication"]["checksum"]
        assert len(checksum) == 32

        async def state() -> Any:
            items = (await http.get(f"/api/v1/stations/{station.station_id}/firmware/publications")).json()["items"]
            return items[0] if items[0]["state"] == "published" else None

        row = await eventually(state, 30)
        assert row["locations"] == [pnc.published_location(station.station_id, checksum)]
        assert row["last_status"] == "Published" and row["published_at"] is not None
        gone = await http.post(
            f"/api/v1/stations/{station.station_id}/firmware/unpublish", json={"image_id": image["id"]}
        )
        assert gone.status_code == 200 and gone.json()["status"] == "Unpublished"
        items = (await http.get(f"/api/v1/stations/{station.station_id}/firmware/publications")).json()["items"]
        assert items[0]["state"] == "unpublished"
        again = await http.post(
            f"/api/v1/stations/{station.station_id}/firmware/unpublish", json={"checksum": checksum}
        )
        assert again.json()["status"] == "NoFirmware"
