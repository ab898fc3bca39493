"""Single updates, refusals and overrides, signature failures, transactions not interrupted,
download tokens, diagnostics/log uploads and the CLI — against simulated stations on real sockets."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from typer.testing import CliRunner

from chargebridge.cli import app as cli_app
from chargebridge.firmware.extension import FirmwareExtension
from chargebridge.firmware.signing import FirmwareSigner, Grant
from chargebridge.sim import SimConfig
from chargebridge.sim.firmware import make_image
from tests.conftest import Node, start_node
from tests.integration.test_firmware_campaign import MODEL, NEW, OLD, VENDOR, running_fleet, upload


@pytest.fixture
async def fw_node(tmp_path: Path) -> AsyncIterator[Node]:
    node = await start_node(tmp_path, None, auto_register=True, heartbeat_interval_s=3600)
    try:
        yield node
    finally:
        await node.app.stop()


def small_fleet(node: Node, version: str, stations: int = 1, prefix: str = "U-") -> SimConfig:
    return SimConfig(
        url=node.ocpp_url,
        stations=stations,
        version=version,
        scenario="idle",
        time_scale=100.0,
        ramp_up_s=0.0,
        heartbeat_interval_s=3600.0,
        id_prefix=f"{prefix}{version.replace('.', '')}-",
    )


async def eventually(client: httpx.AsyncClient, url: str, check: Callable[[Any], bool], timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        body = (await client.get(url)).json()
        if check(body):
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"{url}: {body}")
        await asyncio.sleep(0.05)


async def allow(client: httpx.AsyncClient, version: str, hardware_revision: str = "") -> None:
    entry = {"vendor": VENDOR, "model": MODEL, "hardware_revision": hardware_revision, "firmware_version": version}
    response = await client.put("/api/v1/firmware/compatibility", json=entry | {"status": "certified"})
    assert response.status_code == 200, response.text


def last_update(station_id: str) -> Callable[[Any], bool]:
    def check(body: Any) -> bool:
        return bool(body["updates"]) and body["updates"][0]["state"] in ("confirmed", "failed", "rejected")

    return check


async def test_station_firmware_never_shows_a_confirmed_update_beside_the_old_version(fw_node: Node) -> None:
    """A boot committed while the firmware view is being read must not give a torn answer: the
    update already confirmed by that boot, next to the version the station ran before it. The boot
    is committed (and the update confirmed) in the middle of the view's reads, between the first
    read and the last."""
    async with running_fleet(small_fleet(fw_node, "1.6")) as fleet, fw_node.client() as client:
        station = fleet.stations[0]
        ext = next(e for e in fw_node.app.extensions if isinstance(e, FirmwareExtension))
        svc = ext.service
        image = await upload(client, NEW)
        body = {"image_id": image["id"], "override_reason": "torn read"}
        sent = await client.post(f"/api/v1/firmware/stations/{station.station_id}/update", json=body)
        assert sent.status_code == 200, sent.text
        await eventually(client, f"/api/v1/firmware/stations/{station.station_id}", last_update(station.station_id))
        # Now replay what happens on the wire, in the worst order: the view starts reading, the
        # station boots on the new version (its row and the update change), the view goes on.
        await svc.store.update_station(station.station_id, firmware_version=OLD)
        update_id = (await svc.db.list_updates(station_id=station.station_id, limit=1))[0]["id"]
        await svc.db.set_update(update_id, state="installing", confirmed_at=None)
        real_reads = {"list_updates": svc.db.list_updates, "get_station": svc.store.get_station}
        order: list[str] = []
        booted = False

        async def boot_now() -> None:
            nonlocal booted
            if not booted:
                booted = True
                await svc.store.update_station(station.station_id, firmware_version=NEW)
                await svc.db.set_update(update_id, state="confirmed")

        async def list_updates(**kw: Any) -> Any:
            order.append("updates")
            rows = await real_reads["list_updates"](**kw)
            await boot_now()
            return rows

        async def get_station(station_id: str) -> Any:
            order.append("station")
            row = await real_reads["get_station"](station_id)
            await boot_now()
            return row

        svc.db.list_updates = list_updates  # type: ignore[method-assign]
        svc.store.get_station = get_station  # type: ignore[method-assign]
        try:
            view = (await client.get(f"/api/v1/firmware/stations/{station.station_id}")).json()
        finally:
            svc.db.list_updates = real_reads["list_updates"]  # type: ignore[method-assign]
            svc.store.get_station = real_reads["get_station"]  # type: ignore[method-assign]
        assert booted and order[0] == "updates", order
        torn = view["updates"][0]["state"] == "confirmed" and view["firmware_version"] == OLD
        assert not torn, view


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_single_update_is_confirmed_by_the_next_boot(fw_node: Node, version: str) -> None:
    async with running_fleet(small_fleet(fw_node, version)) as fleet, fw_node.client() as client:
        station = fleet.stations[0]
        image = await upload(client, NEW)
        # Unknown in the matrix: refused; an operator may not override; an admin may, with a reason.
        body = {"image_id": image["id"]}
        refused = await client.post(f"/api/v1/firmware/stations/{station.station_id}/update", json=body)
        assert refused.status_code == 409 and "unknown" in refused.json()["detail"]
        operator = fw_node.client(await fw_node.token("operator"))
        async with operator:
            forbidden = await operator.post(
                f"/api/v1/firmware/stations/{station.station_id}/update", json=body | {"override_reason": "field test"}
            )
        assert forbidden.status_code == 403
        sent = await client.post(
            f"/api/v1/firmware/stations/{station.station_id}/update", json=body | {"override_reason": "field test"}
        )
        assert sent.status_code == 200, sent.text
        expected_action = "SignedUpdateFirmware" if version == "1.6" else "UpdateFirmware"
        assert sent.json()["action"] == expected_action and sent.json()["override_reason"] == "field test"
        done = await eventually(
            client, f"/api/v1/firmware/stations/{station.station_id}", last_update(station.station_id)
        )
        update = done["updates"][0]
        assert update["state"] == "confirmed" and update["boots"] == 1, update
        assert done["firmware_version"] == NEW and station.firmware_version == NEW
        assert update["previous_version"] == OLD
        downloads = (await client.get(f"/api/v1/firmware/images/{image['id']}/downloads")).json()
        assert [(d["station_id"], d["outcome"]) for d in downloads] == [(station.station_id, "served")]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_an_invalid_oem_signature_is_caught_by_the_station(fw_node: Node, version: str) -> None:
    async with running_fleet(small_fleet(fw_node, version)) as fleet, fw_node.client() as client:
        station = fleet.stations[0]
        image = await upload(client, NEW)
        # An OEM certificate whose key did not sign this image.
        oem = FirmwareSigner(Path(fw_node.app.settings.data_dir) / "oem")
        wrong = base64.b64encode(
            ec.generate_private_key(ec.SECP256R1()).sign(b"other", ec.ECDSA(hashes.SHA256()))
        ).decode()
        body = {"signature": wrong, "signing_certificate": oem.certificate_pem}
        recorded = await client.put(f"/api/v1/firmware/images/{image['id']}/signature", json=body)
        assert recorded.status_code == 200 and recorded.json()["signed_by"] == "oem"
        assert recorded.json()["signature_valid"] is False
        await allow(client, NEW)
        sent = await client.post(
            f"/api/v1/firmware/stations/{station.station_id}/update", json={"image_id": image["id"]}
        )
        assert sent.status_code == 200, sent.text
        done = await eventually(
            client, f"/api/v1/firmware/stations/{station.station_id}", last_update(station.station_id)
        )
        assert done["updates"][0]["state"] == "failed" and done["updates"][0]["failure"] == "InvalidSignature"
        assert station.firmware_version == OLD and done["firmware_version"] == OLD
        assert fw_node.app.store is not None
        faults = await fw_node.app.store.faults_of([station.station_id], active_only=False)
        assert "InvalidFirmwareSignature" in {f["code"] for f in faults[station.station_id]}


async def test_a_station_in_a_transaction_is_not_interrupted(fw_node: Node) -> None:
    fleet_config = small_fleet(fw_node, "2.0.1", stations=2, prefix="TX-")
    async with running_fleet(fleet_config) as fleet, fw_node.client() as client:
        busy, idle = fleet.stations
        assert (await client.post("/api/v1/id-tokens", json={"id_token": "TAG-1"})).status_code == 201
        busy.start_session(1, "TAG-1", duration_s=10_000_000)
        assert fw_node.app.store is not None
        deadline = time.monotonic() + 10
        while not (await fw_node.app.store.list_transactions(station_id=busy.station_id, active=True))[0]:
            assert time.monotonic() < deadline, "no transaction"
            await asyncio.sleep(0.05)
        image = await upload(client, NEW)
        await allow(client, NEW)
        created = await client.post(
            "/api/v1/firmware/campaigns",
            json={
                "name": "all at once",
                "image_id": image["id"],
                "waves": [100],
                "gates": {"soak_s": 0.3, "online_deadline_s": 15},
                "start": True,
            },
        )
        assert created.status_code == 201, created.text
        url = f"/api/v1/firmware/campaigns/{created.json()['campaign']['id']}"

        def states(body: Any) -> dict[str, str]:
            return {s["station_id"]: s["state"] for s in body["stations"]}

        body = await eventually(client, url, lambda b: states(b)[idle.station_id] == "succeeded")
        assert states(body)[busy.station_id] == "waiting_transaction"
        assert body["campaign"]["state"] == "running"
        assert busy.firmware_version == OLD and idle.firmware_version == NEW
        busy.stop_session(1)
        body = await eventually(client, url, lambda b: b["campaign"]["state"] == "completed", timeout=20)
        assert states(body) == {busy.station_id: "succeeded", idle.station_id: "succeeded"}
        assert busy.firmware_version == NEW


async def test_download_tokens_are_checked_and_logged(fw_node: Node) -> None:
    async with fw_node.client() as client:
        image = await upload(client, NEW)
        service = next(e for e in fw_node.app.extensions if e.name == "firmware").service  # type: ignore[attr-defined]
        good = service.download_url(fw_node.http_url, image, "CP-1")
        async with httpx.AsyncClient() as plain:
            served = await plain.get(good)
            assert served.status_code == 200 and served.content == make_image(NEW)
            token = good.split("/ocpp-files/firmware/")[1].split("/")[0]
            forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
            refused = await plain.get(f"{fw_node.http_url}/ocpp-files/firmware/{forged}/x.bin")
            assert refused.status_code == 403
        downloads = (await client.get(f"/api/v1/firmware/images/{image['id']}/downloads")).json()
        assert [(d["station_id"], d["outcome"], d["bytes"]) for d in downloads] == [("CP-1", "served", image["size"])]


@pytest.mark.parametrize("version", ["1.6", "2.0.1"])
async def test_diagnostics_are_uploaded_and_downloadable(fw_node: Node, version: str) -> None:
    async with running_fleet(small_fleet(fw_node, version, prefix="D-")) as fleet, fw_node.client() as client:
        station = fleet.stations[0]
        created = await client.post(f"/api/v1/firmware/stations/{station.station_id}/diagnostics", json={})
        assert created.status_code == 201, created.text
        assert created.json()["kind"] == ("diagnostics" if version == "1.6" else "log")
        assert created.json()["state"] in ("accepted", "uploading", "uploaded")
        request_id = created.json()["id"]

        def uploaded(rows: Any) -> bool:
            row = next(r for r in rows if r["id"] == request_id)
            return bool(row["state"] == "uploaded" and row["size"])

        rows = await eventually(client, f"/api/v1/firmware/diagnostics?station_id={station.station_id}", uploaded)
        row = next(r for r in rows if r["id"] == request_id)
        assert row["last_status"] == "Uploaded" and row["filename"].startswith(station.station_id)
        file = await client.get(f"/api/v1/firmware/diagnostics/{request_id}/file")
        assert file.status_code == 200 and station.station_id.encode() in file.content
        # The upload URL was for one request: a second upload is refused.
        service = next(e for e in fw_node.app.extensions if e.name == "firmware").service  # type: ignore[attr-defined]
        assert service.upload_path(row).exists()


async def test_upload_size_limit_and_bad_token(fw_node: Node) -> None:
    service = next(e for e in fw_node.app.extensions if e.name == "firmware").service  # type: ignore[attr-defined]
    service.options = replace(service.options, max_upload_bytes=100)
    expires = service.clock.now() + timedelta(minutes=5)
    token = service.tokens.issue(Grant("upload", "1", "CP-1", expires))
    expired = service.tokens.issue(Grant("upload", "1", "CP-1", service.clock.now() - timedelta(seconds=1)))
    async with httpx.AsyncClient() as plain:
        too_big = await plain.put(f"{fw_node.http_url}/ocpp-files/diagnostics/{token}/x.log", content=b"x" * 101)
        assert too_big.status_code == 413
        forged = await plain.put(f"{fw_node.http_url}/ocpp-files/diagnostics/nope.nope/x.log", content=b"x")
        assert forged.status_code == 403 and "invalid" in forged.json()["detail"]
        late = await plain.post(f"{fw_node.http_url}/ocpp-files/diagnostics/{expired}", content=b"x")
        assert late.status_code == 403 and "expired" in late.json()["detail"]
        image_token = service.tokens.issue(Grant("image", "1", "CP-1", expires))
        wrong_kind = await plain.put(f"{fw_node.http_url}/ocpp-files/diagnostics/{image_token}", content=b"x")
        assert wrong_kind.status_code == 403


def test_cli_upload_signs_and_stores_the_image(tmp_path: Path) -> None:
    image = tmp_path / "fw.bin"
    image.write_bytes(make_image(NEW))
    args = ["firmware", "upload", str(image), "--vendor", VENDOR, "--model", MODEL, "--version", NEW]
    result = CliRunner().invoke(cli_app, [*args, "--data-dir", str(tmp_path / "data")])
    assert result.exit_code == 0, result.output
    assert "signed by chargebridge" in result.output
    stored = list((tmp_path / "data" / "firmware" / "images").iterdir())
    assert len(stored) == 1 and stored[0].read_bytes() == make_image(NEW)
