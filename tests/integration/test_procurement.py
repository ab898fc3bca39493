"""Certification records in the compatibility matrix, the procurement check (REST and CLI), a
station's required profiles and the update/campaign refusal with its audited admin override —
over the real API, on SQLite and PostgreSQL, and against simulated stations on real sockets."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from chargebridge.cli import app as cli_app
from chargebridge.validation.store import ValidationStore
from tests.conftest import Node, start_node
from tests.integration.test_firmware_campaign import MODEL, NEW, VENDOR, poll, running_fleet, upload
from tests.integration.test_firmware_updates import allow, small_fleet

OCA_201 = {
    "vendor": "Acme",
    "model": "Wallbox-22",
    "firmware_version": "4.2.0",
    "kind": "oca",
    "certificate_id": "OCA-201-0042",
    "ocpp_version": "2.0.1",
    "profiles": ["core", "Advanced Security", "smart-charging"],
    "issued_on": "2025-03-01",
    "link": "https://example.org/certificates/OCA-201-0042",
}
EICHRECHT = {
    "vendor": "Acme",
    "model": "Wallbox-22",
    "firmware_version": "4.2.0",
    "kind": "metering",
    "certificate_id": "DE-M-22-001",
    "scheme": "eichrecht",
}
OCA_16_OLD = OCA_201 | {
    "firmware_version": "3.9.0",
    "certificate_id": "OCA-16-0007",
    "ocpp_version": "1.6",
    "profiles": ["core"],
}


async def add_run(node: Node, vendor: str, model: str, version: str, level: str) -> None:
    assert node.app.store is not None
    now = node.app.clock.now()
    await ValidationStore(node.app.store).add_run(
        {
            "id": f"run-{version}",
            "station_id": "BENCH-1",
            "status": "finished",
            "level_requested": "advanced",
            "level_reached": level,
            "ocpp_version": "2.0.1",
            "vendor": vendor,
            "model": model,
            "firmware_version": version,
            "settings": {},
            "report": {},
            "started_at": now,
            "updated_at": now,
            "finished_at": now,
        }
    )


async def record(client: httpx.AsyncClient, body: dict[str, Any]) -> dict[str, Any]:
    answer = await client.post("/api/v1/firmware/certifications", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


async def test_records_matrix_and_check(node: Node) -> None:
    async with node.client() as client:
        oca = await record(client, OCA_201)
        assert oca["profiles"] == ["advanced-security", "core", "smart-charging"]
        assert oca["issued_on"] == "2025-03-01" and "scheme" not in oca
        meter = await record(client, EICHRECHT)
        old = await record(client, OCA_16_OLD)
        await add_run(node, "Acme", "Wallbox-22", "4.2.0", "standard")
        entry = {"vendor": "Acme", "model": "Wallbox-22", "firmware_version": "4.2.0", "status": "certified"}
        assert (await client.put("/api/v1/firmware/compatibility", json=entry)).status_code == 200

        # Records are refused when their kind's fields are wrong, and writes need the admin role.
        bad = await client.post("/api/v1/firmware/certifications", json=OCA_201 | {"ocpp_version": None})
        assert bad.status_code == 422 and "ocpp_version" in bad.text
        bad = await client.post("/api/v1/firmware/certifications", json=OCA_201 | {"profiles": ["eichrecht"]})
        assert bad.status_code == 422 and "unknown OCA profile" in bad.text
        bad = await client.post("/api/v1/firmware/certifications", json=EICHRECHT | {"scheme": None})
        assert bad.status_code == 422
        async with node.client(await node.token("operator")) as operator:
            assert (await operator.post("/api/v1/firmware/certifications", json=EICHRECHT)).status_code == 403
            assert (await operator.delete(f"/api/v1/firmware/certifications/{old['id']}")).status_code == 403
            # Viewers and operators read the matrix and run the check.
            assert (await operator.get("/api/v1/firmware/matrix")).status_code == 200

        listed = (await client.get("/api/v1/firmware/certifications", params={"kind": "oca"})).json()["items"]
        assert {r["id"] for r in listed} == {oca["id"], old["id"]}

        matrix = (await client.get("/api/v1/firmware/matrix", params={"vendor": "Acme"})).json()["items"]
        assert [(i["model"], i["firmware_version"]) for i in matrix] == [
            ("Wallbox-22", "3.9.0"),
            ("Wallbox-22", "4.2.0"),
        ]
        current = matrix[1]
        assert [c["certificate_id"] for c in current["certifications"]] == ["OCA-201-0042"]
        assert [m["certificate_id"] for m in current["metering_approvals"]] == ["DE-M-22-001"]
        assert current["validated_level"] == "standard" and current["validation_run_id"] == "run-4.2.0"
        assert [c["status"] for c in current["compatibility"]] == ["certified"]
        assert matrix[0]["compatibility"] == [] and matrix[0]["validated_level"] is None

        check = await client.get(
            "/api/v1/firmware/matrix/check", params={"requires": "2.0.1,advanced-security,smart-charging,eichrecht"}
        )
        assert check.status_code == 200, check.text
        body = check.json()
        assert body["requires"] == ["2.0.1", "advanced-security", "smart-charging", "eichrecht"]
        assert [(m["firmware_version"], m["meets"]) for m in body["matches"]] == [("4.2.0", True)]
        assert body["matches"][0]["evidence"]["eichrecht"] == "eichrecht approval DE-M-22-001"
        assert body["others"][0]["firmware_version"] == "3.9.0"
        assert body["others"][0]["missing"] == ["2.0.1", "advanced-security", "smart-charging", "eichrecht"]
        level = (await client.get("/api/v1/firmware/matrix/check", params={"requires": "advanced"})).json()
        assert level["matches"] == [] and level["others"][1]["missing"] == ["advanced"]
        unknown = await client.get("/api/v1/firmware/matrix/check", params={"requires": "2.0.1,v2g"})
        assert unknown.status_code == 422 and "unknown requirement 'v2g'" in unknown.text

        # The CLI reads the same database (SQLite: the node's data directory).
        if node.app.settings.database_url is None or "sqlite" in str(node.app.settings.database_url):
            data_dir = str(node.app.settings.data_dir)
            runner = CliRunner()
            args = ["matrix", "check", "--requires", "2.0.1,advanced-security,smart-charging", "--data-dir", data_dir]
            result = await asyncio.to_thread(runner.invoke, cli_app, args)
            assert result.exit_code == 0, result.output
            assert "Wallbox-22" in result.output and "OCA-201-0042" in result.output
            assert "1 of 2 models/firmware meet the requirements" in result.output
            result = await asyncio.to_thread(
                runner.invoke, cli_app, ["matrix", "check", "--requires", "mid", "--data-dir", data_dir, "--all"]
            )
            assert result.exit_code == 1 and "missing mid" in result.output
            result = await asyncio.to_thread(
                runner.invoke, cli_app, ["matrix", "check", "--requires", "core,bogus", "--data-dir", data_dir]
            )
            assert result.exit_code == 2 and "unknown requirement 'bogus'" in result.output
            args = ["matrix", "check", "--requires", "standard", "--json", "--data-dir", data_dir]
            result = await asyncio.to_thread(runner.invoke, cli_app, args)
            assert result.exit_code == 0
            assert json.loads(result.output)["matches"][0]["evidence"]["standard"].startswith("validation run")

        assert (await client.delete(f"/api/v1/firmware/certifications/{meter['id']}")).status_code == 204
        assert (await client.delete(f"/api/v1/firmware/certifications/{meter['id']}")).status_code == 404
        matrix = (await client.get("/api/v1/firmware/matrix", params={"firmware_version": "4.2.0"})).json()["items"]
        assert matrix[0]["metering_approvals"] == []


async def test_required_profiles_on_the_station(node: Node) -> None:
    async with node.client() as client:
        assert (await client.post("/api/v1/stations", json={"id": "REQ-1"})).status_code == 201
        patched = await client.patch("/api/v1/stations/REQ-1", json={"required_profiles": ["2.0.1", "Smart Charging"]})
        assert patched.status_code == 200, patched.text
        assert patched.json()["required_profiles"] == ["2.0.1", "smart-charging"]
        view = (await client.get("/api/v1/firmware/stations/REQ-1")).json()
        assert view["required_profiles"] == ["2.0.1", "smart-charging"]
        refused = await client.patch("/api/v1/stations/REQ-1", json={"required_profiles": ["2.0.1", "warp"]})
        assert refused.status_code == 422 and "warp" in refused.text
        assert (await client.get("/api/v1/firmware/stations/REQ-1")).json()["required_profiles"] == [
            "2.0.1",
            "smart-charging",
        ]
        cleared = await client.patch("/api/v1/stations/REQ-1", json={"required_profiles": None})
        assert cleared.status_code == 200 and cleared.json()["required_profiles"] == []


async def test_update_and_campaign_refuse_firmware_that_does_not_meet_the_required_profile(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True, heartbeat_interval_s=3600)
    try:
        async with (
            running_fleet(small_fleet(node, "2.0.1", stations=2, prefix="RQ-")) as fleet,
            node.client() as client,
        ):
            first, second = (s.station_id for s in fleet.stations)
            image = await upload(client, NEW)
            await allow(client, NEW)
            for station_id in (first, second):
                answer = await client.patch(
                    f"/api/v1/stations/{station_id}", json={"required_profiles": ["2.0.1", "advanced-security"]}
                )
                assert answer.status_code == 200, answer.text
            # The new firmware has a 2.0.1 certificate without Advanced Security: it contradicts.
            await record(
                client,
                {
                    "vendor": VENDOR,
                    "model": MODEL,
                    "firmware_version": NEW,
                    "kind": "oca",
                    "certificate_id": "OCA-SIM-1",
                    "ocpp_version": "2.0.1",
                    "profiles": ["core"],
                },
            )
            url = f"/api/v1/firmware/stations/{first}/update"
            refused = await client.post(url, json={"image_id": image["id"]})
            assert refused.status_code == 409 and "advanced-security" in refused.json()["detail"], refused.text
            async with node.client(await node.token("operator")) as operator:
                forbidden = await operator.post(url, json={"image_id": image["id"], "override": True})
            assert forbidden.status_code == 403

            # A campaign skips both stations with the reason.
            body = {"name": "no-override", "image_id": image["id"], "waves": [100.0], "start": True}
            created = await client.post("/api/v1/firmware/campaigns", json=body)
            assert created.status_code == 201, created.text
            campaign_id = created.json()["campaign"]["id"]

            progress = await poll(client, f"/api/v1/firmware/campaigns/{campaign_id}", _targets_done, 20)
            details = [t["detail"] for t in _targets(progress)]
            assert all(t["state"] == "skipped" for t in _targets(progress)), progress
            assert all("advanced-security" in d for d in details), details

            # An admin overrides for one station: the update goes out and the override is audited.
            sent = await client.post(url, json={"image_id": image["id"], "override": True})
            assert sent.status_code == 200, sent.text
            audit = (await client.get("/api/v1/audit", params={"station_id": first})).json()["items"]
            actions = [e["action"] for e in audit]
            assert "firmware_requirements_override" in actions and "update_station" in actions
            entry = next(e for e in audit if e["action"] == "firmware_requirements_override")
            assert entry["parameters"]["missing"] == ["advanced-security"] and entry["role"] == "admin"
            events = (await client.get(f"/api/v1/stations/{first}/events")).json()["items"]
            assert any(e["kind"] == "firmware_requirements_override" for e in events)

            # Once a record proves Advanced Security, no override is needed.
            await record(
                client,
                {
                    "vendor": VENDOR,
                    "model": MODEL,
                    "firmware_version": NEW,
                    "kind": "oca",
                    "certificate_id": "OCA-SIM-2",
                    "ocpp_version": "2.0.1",
                    "profiles": ["core", "advanced-security"],
                },
            )
            accepted = await client.post(f"/api/v1/firmware/stations/{second}/update", json={"image_id": image["id"]})
            assert accepted.status_code == 200, accepted.text
    finally:
        await node.app.stop()


def _targets(progress: dict[str, Any]) -> list[dict[str, Any]]:
    return list(progress["stations"])


def _targets_done(progress: dict[str, Any]) -> bool:
    targets = _targets(progress)
    return bool(targets) and all(t["state"] not in ("pending", "waiting_transaction") for t in targets)
