"""The validation bench against real stations over real sockets (issue 16): the simulator with
its quirk profiles, stations written on the public ``ocpp`` package, on SQLite and PostgreSQL.

Every run uses short timings (tests/integration/validation_world.py): a full Advanced run against
the simulator takes well under a minute."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion
from chargebridge.sim.profiles import builtin_profile
from tests.conftest import PG_HOST, PG_PORT, need_service
from tests.integration import ocpp_lib_stations as lib
from tests.integration.validation_world import (
    FAST_RUN,
    failed,
    follow,
    register_images,
    results,
    running_station,
    sim_person,
    start_run,
    station_config,
    validation_node,
)

V16, V201 = OcppVersion.V16, OcppVersion.V201


@pytest.mark.parametrize("version", [V16, V201])
async def test_a_fully_capable_station_reaches_advanced_and_is_put_back(tmp_path: Path, version: OcppVersion) -> None:
    async with validation_node(tmp_path) as node:
        await register_images(node, "Chargebridge", "SimCharger", ("1.0.0", "1.0.1"))
        config = station_config(node, "FULL-1", version)
        async with running_station(config) as station, node.client() as http:
            before = {key.name: value for key, value in station.state.config.items()}
            run_id = await start_run(http, "FULL-1", "advanced")
            view = await follow(http, run_id, sim_person(station))
            assert view["status"] == "finished", view["reason"]
            assert view["level_reached"] == "advanced", failed(view)
            assert set(results(view).values()) == {"passed"}
            # every case carries its evidence: the frames exchanged, with timestamps
            remote = next(c for c in view["cases"] if c["id"] == "standard.remote_start")
            frames = [e for e in remote["evidence"] if "frame" in e]
            action = "RemoteStartTransaction" if version is V16 else "RequestStartTransaction"
            assert any(e["action"] == action and e["direction"] == "csms->station" for e in frames)
            assert all(e["at"].endswith("Z") for e in remote["evidence"])
            assert {"RemoteStartTransaction" if version is V16 else "RequestStartTransaction"} <= set(view["latency"])
            assert all({"p50_ms", "p95_ms", "max_ms"} <= set(s) for s in view["latency"].values())
            # the station is as it was: configuration, availability, charging profiles, firmware, list
            after = {key.name: value for key, value in station.state.config.items()}
            assert after == before
            assert all(c.operative for c in station.state.connectors.values())
            assert station.state.charging.profiles == {}
            assert station.firmware_version == "1.0.0"
            assert station.state.authorization.local_list == {}
            # 2.0.1 cannot send version 0 (D01.FR.18): the emptied list keeps a version, and the report says so
            assert station.state.authorization.list_version == (0 if version is V16 else 2)
            assert not station.state.authorization.reservations
            assert all(c.session is None for c in station.state.connectors.values())
            kept = " ".join(view["restoration"]["kept"])
            assert "security profile" in kept and not view["restoration"]["not_restored"]
            assert ("local list is empty again" in kept) is (version is V201)
            # the report renders; the matrix carries the validated level; the start is audited
            html = (await http.get(f"/api/v1/validation-runs/{run_id}/report.html")).text
            assert "Level reached" in html and "<svg" in html and "advanced" in html
            matrix = (await http.get(view["links"]["matrix"])).json()
            assert [row["validated_level"] for row in matrix] == ["advanced"]
            assert matrix[0]["validation_run_id"] == run_id
            listed = (await http.get("/api/v1/validation-runs", params={"station_id": "FULL-1"})).json()["items"]
            assert [r["id"] for r in listed] == [run_id]
            audit = (await http.get("/api/v1/audit", params={"station_id": "FULL-1"})).json()["items"]
            assert any(entry["action"] == "start_validation_run" for entry in audit)


# (profile, version, level asked, level expected, the case that must fail, a quirk code expected or None)
QUIRKY = [
    ("corvex-ac7-fw3.1", V201, "standard", "basic", "standard.remote_start", None),
    ("corvex-ac7-fw3.1", V16, "standard", "basic", "standard.remote_start", None),
    ("halden-dc50-fw5.2", V16, "standard", "basic", "standard.reset_soft", None),
    ("halden-dc50-fw5.2", V201, "standard", "basic", "standard.reset_soft", None),
    ("brightvolt-ac22-fw2.3", V201, "advanced", "standard", "advanced.smart_charging_tx", "ignores_charging_profile"),
    ("ohmra-ac11-fw1.4", V16, "basic", "none", "basic.meter_values", "energy_unit_mislabelled"),
    ("ohmra-ac11-fw1.4", V201, "basic", "none", "basic.meter_values", "energy_unit_mislabelled"),
]


@pytest.mark.parametrize(("name", "version", "asked", "expected", "failing", "quirk"), QUIRKY)
async def test_quirk_profiles_are_graded_at_their_level_boundary(
    tmp_path: Path, name: str, version: OcppVersion, asked: str, expected: str, failing: str, quirk: str | None
) -> None:
    profile = builtin_profile(name)
    async with validation_node(tmp_path) as node:
        await register_images(node, profile.vendor, profile.model, (profile.firmware, "9.9.9"))
        async with running_station(station_config(node, "QRK-1", version, profile)) as station, node.client() as http:
            run_id = await start_run(http, "QRK-1", asked)
            view = await follow(http, run_id, sim_person(station))
            assert view["level_reached"] == expected, failed(view)
            outcome = results(view)
            assert outcome[failing] == "failed", failed(view)
            if name == "corvex-ac7-fw3.1":
                assert "no transaction started" in failed(view)[failing]
                assert outcome["standard.remote_stop"] == "skipped"
                assert {k for k, v in outcome.items() if v != "passed"} == {failing, "standard.remote_stop"}
            if name == "halden-dc50-fw5.2":
                assert view["status"] == "aborted" and "not connected" in view["reason"]
                assert "did not reconnect" in failed(view)[failing]
                assert all(outcome[c] == "passed" for c in outcome if c.startswith("basic."))
            if name == "brightvolt-ac22-fw2.3":
                assert outcome["advanced.smart_charging_default"] == "failed"
                assert all(v == "passed" for c, v in outcome.items() if not c.startswith("advanced."))
            if quirk is not None:
                assert quirk in {q["code"] for q in view["quirks"]}
                stored = (await http.get(view["links"]["quirks"])).json()["items"]
                assert quirk in {q["code"] for q in stored}
                matrix = (await http.get(view["links"]["matrix"])).json()
                assert matrix[0]["quirks"] >= 1 and matrix[0]["validated_level"] == expected


async def test_an_ocpp_package_station_with_only_basic_features_reaches_exactly_basic(tmp_path: Path) -> None:
    async with (
        validation_node(tmp_path, tls=False) as node,
        lib.connected(node.ocpp_url, "LIB-MIN", lib.MinimalStation) as station,
        node.client() as http,
    ):
        run_id = await start_run(http, "LIB-MIN", "advanced")
        view = await follow(http, run_id, lib.person(station))
    outcome = results(view)
    assert view["status"] == "finished" and view["level_reached"] == "basic", failed(view)
    assert all(v == "passed" for c, v in outcome.items() if c.startswith("basic.")), failed(view)
    assert outcome["standard.remote_start"] == "failed"
    assert "NotImplemented" in failed(view)["standard.remote_start"]
    reasons = failed(view)
    assert "no TLS port" in reasons["standard.security_profile_2"]
    meter = next(c for c in view["cases"] if c["id"] == "basic.meter_values")
    assert meter["facts"]["configured_interval_s"] is None  # not exposed: a consistent interval is enough


async def test_a_station_that_accepts_everything_and_does_nothing_is_not_graded_above_basic(tmp_path: Path) -> None:
    async with (
        validation_node(tmp_path) as node,
        lib.connected(node.ocpp_url, "LIB-YES", lib.YesStation) as station,
        node.client() as http,
    ):
        # Each case waits its response time for an effect that never comes: keep it short.
        run_id = await start_run(http, "LIB-YES", "advanced", response_timeout_s=2)
        view = await follow(http, run_id, lib.person(station))
    outcome = results(view)
    assert view["level_reached"] in ("none", "basic"), failed(view)
    reasons = failed(view)
    for case in ("standard.remote_start", "standard.reset_soft", "standard.trigger_message"):
        assert outcome[case] == "failed" and "Accepted" in reasons[case], (case, reasons.get(case))
    assert outcome["standard.change_availability"] == "failed"
    assert outcome["standard.configuration"] == "failed"


async def test_a_station_that_disconnects_mid_run_ends_aborted_and_is_put_back(tmp_path: Path) -> None:
    async with validation_node(tmp_path, tls=False) as node:
        config = station_config(node, "DROP-1", V16)
        async with running_station(config) as station, node.client() as http:
            run_id = await start_run(http, "DROP-1", "basic", heartbeat_window_s=6)
            for _ in range(200):  # wait until the heartbeat case runs (its interval is changed)
                view = (await http.get(f"/api/v1/validation-runs/{run_id}")).json()
                if view["current_case"] == "basic.heartbeat" and station.state.config.get("HeartbeatInterval") == "1":
                    break
                await asyncio.sleep(0.05)
            station.drop_connection()
            view = await follow(http, run_id, sim_person(station))
            assert view["status"] == "aborted"
            assert "disconnected" in view["reason"] and "basic.heartbeat" in view["reason"]
            assert "bench did not cause it" in view["reason"]
            outcome = results(view)
            assert outcome["basic.heartbeat"] == "failed"
            assert outcome["basic.local_transaction"] == "skipped"
            assert view["level_reached"] == "none"
            # it came back: the heartbeat interval the bench changed is put back
            assert station.state.config.get("HeartbeatInterval") == "2"
            assert "HeartbeatInterval = 2" in view["restoration"]["restored"]


async def test_one_run_per_station_scopes_and_abort(tmp_path: Path) -> None:
    async with (
        validation_node(tmp_path, tls=False) as node,
        running_station(station_config(node, "ONE-1", V201)) as station,
        node.client() as http,
    ):
        assert (await http.post("/api/v1/stations/NOPE/validation-runs", json={})).status_code == 404
        run_id = await start_run(http, "ONE-1", "basic")
        second = await http.post("/api/v1/stations/ONE-1/validation-runs", json={"level": "basic"})
        assert second.status_code == 409 and "already running" in second.text
        bad = await http.post("/api/v1/stations/ONE-1/validation-runs", json={"level": "expert"})
        assert bad.status_code == 422
        # a token limited to another station sees nothing of the run
        scoped = await scoped_token(node, ["ELSEWHERE"])
        async with node.client(scoped) as scoped_http:
            assert (await scoped_http.get(f"/api/v1/validation-runs/{run_id}")).status_code == 404
            assert (await scoped_http.get("/api/v1/validation-runs")).json()["items"] == []
            assert (await scoped_http.post(f"/api/v1/validation-runs/{run_id}/abort")).status_code == 404
        light = (await http.get(f"/api/v1/validation-runs/{run_id}", params={"evidence": "false"})).json()
        assert all("evidence" not in case and "evidence_entries" in case for case in light["cases"])
        aborted = await http.post(f"/api/v1/validation-runs/{run_id}/abort")
        assert aborted.status_code == 200
        view = await follow(http, run_id, sim_person(station))
        assert view["status"] == "aborted" and view["reason"].startswith("aborted by")
        assert (await http.post(f"/api/v1/validation-runs/{run_id}/abort")).status_code == 409
        # the station is free again
        again = await start_run(http, "ONE-1", "basic")
        await http.post(f"/api/v1/validation-runs/{again}/abort")
        await follow(http, again)


async def scoped_token(node: Any, stations: list[str]) -> str:
    async with node.client() as http:
        answer = await http.post("/api/v1/tokens", json={"name": "scoped", "role": "operator", "stations": stations})
        assert answer.status_code == 201, answer.text
        return str(answer.json()["token"])


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    """None (SQLite in the node's data directory) or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield None
        return
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    import asyncpg

    schema = f"cb_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


async def test_an_integrity_failure_fails_the_run_and_marks_the_station(
    tmp_path: Path, database_url: str | None
) -> None:
    async with (
        validation_node(tmp_path, database_url, tls=False) as node,
        running_station(station_config(node, "SEC-1", V201)) as station,
        node.client() as http,
    ):

        async def person(text: str) -> None:
            sim_person(station)(text)
            if text.startswith("Present card"):
                event = {"type": "SecureBootFailure", "timestamp": "2026-01-01T00:00:00Z", "techInfo": "bank B"}
                await station.pnc_request("SecurityEventNotification", event)

        run_id = await start_run(http, "SEC-1", "basic")
        view = await follow(http, run_id, person)
        outcome = results(view)
        assert outcome["basic.integrity"] == "failed" and "SecureBootFailure" in failed(view)["basic.integrity"]
        assert view["level_reached"] == "none"
        assert "integrity_failure" in {q["code"] for q in view["quirks"]}
        marked = (await http.get("/api/v1/integrity-failures")).json()
        assert marked["stations"] == ["SEC-1"]
        assert marked["items"][0]["run_id"] == run_id and marked["items"][0]["type"] == "SecureBootFailure"
        matrix = (await http.get(view["links"]["matrix"])).json()
        assert [(row["validated_level"], row["validation_run_id"]) for row in matrix] == [("none", run_id)]
        ack = await http.post("/api/v1/stations/SEC-1/integrity-failures/acknowledge")
        assert ack.json()["acknowledged"] == 1
        assert (await http.get("/api/v1/integrity-failures")).json()["stations"] == []


async def test_run_settings_are_validated_and_documented(tmp_path: Path) -> None:
    async with validation_node(tmp_path, tls=False) as node, node.client() as http:
        cases = (await http.get("/api/v1/validation-cases")).json()
        assert {c["level"] for c in cases} == {"basic", "standard", "advanced"}
        assert all(c["rule"] and c["messages"]["1.6"] and c["messages"]["2.0.1"] for c in cases)
        for bad in ({"manual_step_timeout_s": 0}, {"response_timeout_s": -1}, {"unknown": 1}, {"id_token": "x y"}):
            answer = await http.post("/api/v1/stations/ANY/validation-runs", json={**FAST_RUN, **bad})
            assert answer.status_code == 422, bad


async def test_the_validate_command_follows_a_run_and_writes_the_reports(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from chargebridge.cli import app

    async with (
        validation_node(tmp_path, tls=False) as node,
        running_station(station_config(node, "CLI-1", V16)) as station,
        node.client() as http,
    ):
        settings = [f"--set={k}={v}" for k, v in FAST_RUN.items() if k not in ("manual_step_timeout_s",)]
        args = [
            "validate",
            "CLI-1",
            "--api",
            node.http_url,
            "--token",
            node.admin_token,
            "--level",
            "basic",
            "--manual-step-timeout",
            "20",
            "--html",
            str(tmp_path / "report.html"),
            "--json",
            str(tmp_path / "report.json"),
            "--poll",
            "0.2",
            *settings,
        ]
        command = asyncio.create_task(asyncio.to_thread(CliRunner().invoke, app, args))
        run_id = None
        for _ in range(100):  # the command starts the run; the person at the station follows it too
            items = (await http.get("/api/v1/validation-runs", params={"station_id": "CLI-1"})).json()["items"]
            if items:
                run_id = items[0]["id"]
                break
            await asyncio.sleep(0.1)
        assert run_id is not None
        await follow(http, run_id, sim_person(station))
        result = await command
    assert result.exit_code == 0, result.output
    assert "Level reached" in result.output and "basic" in result.output
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["id"] == run_id and report["level_reached"] == "basic"
    assert "<svg" in (tmp_path / "report.html").read_text()


async def test_a_run_cut_short_by_a_node_restart_is_aborted_when_the_node_starts(tmp_path: Path) -> None:
    from chargebridge.validation.store import ValidationStore
    from tests.conftest import start_node

    node = await start_node(tmp_path, None, auto_register=True)
    try:
        assert node.app.store is not None
        now = node.app.clock.now()
        row = {"id": "00000000000000aa", "station_id": "GONE-1", "status": "running", "level_requested": "basic"}
        row |= {"level_reached": "none", "settings": {}, "report": {}, "started_at": now, "updated_at": now}
        await ValidationStore(node.app.store).add_run(row)
    finally:
        await node.app.stop()
    node = await start_node(tmp_path, None, auto_register=True)
    try:
        async with node.client() as http:
            view = (await http.get("/api/v1/validation-runs/00000000000000aa")).json()
        assert view["status"] == "aborted" and view["reason"] == "the node restarted during the run"
    finally:
        await node.app.stop()
