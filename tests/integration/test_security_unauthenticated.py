"""Profile-0 stations (no password, no certificate) are warned about loudly (issue 11 item 8): at
start-up, when auto-registration lets one in, and in the API the dashboard shows."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from chargebridge.security.store import SecurityStore
from tests.conftest import start_node
from tests.integration.test_security_profiles import PASSWORD, add_station, outcome


def warnings_of(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING)


async def test_start_up_warns_about_profile_zero_stations_and_auto_registration(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="chargebridge")
    node = await start_node(tmp_path, auto_register=True)
    try:
        assert "--auto-register is ON" in warnings_of(caplog)
        assert node.app.unauthenticated_warning is not None
        assert await outcome(f"{node.ocpp_url}/AUTO-1") == 101  # registered at profile 0, and said so
        assert "AUTO-1: auto-registered at security profile 0" in warnings_of(caplog)
        await add_station(node, "OPEN-B", 0, password=None)
        await add_station(node, "SECURE-1", 1)
    finally:
        await node.app.stop()
    caplog.clear()
    node = await start_node(tmp_path, auto_register=False)
    try:
        text = warnings_of(caplog)
        assert "2 station(s) at security profile 0 connect WITHOUT AUTHENTICATION" in text
        assert "(AUTO-1, OPEN-B)" in text and "SECURE-1" not in text and "auto-register" not in text
        assert node.app.unauthenticated_warning is not None and "AUTO-1" in node.app.unauthenticated_warning
    finally:
        await node.app.stop()


async def test_no_warning_without_profile_zero_stations(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="chargebridge")
    node = await start_node(tmp_path, auto_register=False)
    try:
        assert node.app.unauthenticated_warning is None
        assert "SECURITY" not in warnings_of(caplog)
    finally:
        await node.app.stop()


async def test_views_and_fleet_routes_flag_unauthenticated_stations(tmp_path: Path) -> None:
    await check_views_and_fleet_routes(tmp_path, None)


@pytest.mark.postgres
async def test_views_and_fleet_routes_flag_unauthenticated_stations_on_postgresql(
    tmp_path: Path, pg_schema_url: str
) -> None:
    await check_views_and_fleet_routes(tmp_path, pg_schema_url)


async def check_views_and_fleet_routes(tmp_path: Path, database_url: str | None) -> None:
    node = await start_node(tmp_path, database_url, auto_register=False)
    try:
        assert node.app.unauthenticated_warning is None
        await add_station(node, "OPEN-1", 0, password=None)
        await add_station(node, "OPEN-2", 0, password=None)
        await add_station(node, "SECURE-1", 1)
        async with node.client() as http:
            open_view = (await http.get("/api/v1/stations/OPEN-1")).json()
            assert (open_view["security_profile"], open_view["unauthenticated"]) == (0, True)
            secure = (await http.get("/api/v1/stations/SECURE-1")).json()
            assert (secure["security_profile"], secure["unauthenticated"]) == (1, False)
            assert (await http.get("/api/v1/fleet/summary")).json()["unauthenticated"] == 2
            listed = (await http.get("/api/v1/fleet/stations", params={"unauthenticated": "true"})).json()
            assert [item["id"] for item in listed["items"]] == ["OPEN-1", "OPEN-2"] and listed["total"] == 2
            assert all(item["unauthenticated"] for item in listed["items"])
            others = (await http.get("/api/v1/fleet/stations", params={"unauthenticated": "false"})).json()
            assert [item["id"] for item in others["items"]] == ["SECURE-1"]
            # raising the profile clears the flag
            body = {"profile": 1, "password": PASSWORD}
            assert (await http.put("/api/v1/stations/OPEN-1/security", json=body)).status_code == 200
            assert (await http.get("/api/v1/stations/OPEN-1")).json()["unauthenticated"] is False
            assert (await http.get("/api/v1/fleet/summary")).json()["unauthenticated"] == 1
        assert node.app.store is not None
        assert await SecurityStore(node.app.store).unauthenticated_stations() == (1, ["OPEN-2"])
    finally:
        await node.app.stop()
