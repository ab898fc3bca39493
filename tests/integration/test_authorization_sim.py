"""The simulator against the real server, both OCPP versions: the station gets its local list at
boot (split into Full + Differential by its SendLocalListMaxLength) and differential updates when
tokens change; it uses the list to refuse a blocked card while offline; a reservation shows as
Reserved, refuses another token, lets a token of the reservation's group in (consumed, linked to
the transaction) and expires (2.0.1: ReservationStatusUpdate Expired reaches the server)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from chargebridge.app import Chargebridge
from chargebridge.authorization.extension import AuthorizationExtension
from chargebridge.authorization.local_list_service import LocalListOptions
from chargebridge.authorization.reservation_service import ReservationOptions
from chargebridge.config import Settings
from chargebridge.rpc import OcppVersion
from chargebridge.sim import SimClock, SimStation, StationConfig
from tests.conftest import Node, random_id
from tests.integration.test_reservations import add_token, eventually, iso

V16, V201 = OcppVersion.V16, OcppVersion.V201


async def node_with(tmp_path: Path, sweep_s: float) -> Node:
    settings = Settings(
        data_dir=tmp_path / "data",
        ocpp_port=0,
        http_port=0,
        heartbeat_interval_s=60,
        call_timeout_s=5.0,
        log_level="warning",
        auto_register=True,
        local_list_policy="all",
    )
    app = Chargebridge(settings)
    ext = next(e for e in app.extensions if isinstance(e, AuthorizationExtension))
    ext.reservation_options = ReservationOptions(sweep_s=sweep_s)
    ext.local_list_options = LocalListOptions(policy="all", poll_s=0.2, debounce_s=0.2)
    running = await app.start()
    node = Node(app, f"ws://127.0.0.1:{running.ocpp_port}/ocpp", f"http://127.0.0.1:{running.http_port}", "")
    node.admin_token = await node.token("admin")
    return node


@pytest.fixture(params=[V16, V201], ids=["1.6", "2.0.1"])
async def setup(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[Node, OcppVersion]]:
    version: OcppVersion = request.param
    # 1.6 stations say nothing when a reservation expires: the server's sweep ends it. A 2.0.1
    # station reports it (ReservationStatusUpdate): the sweep is kept out of the way to see that.
    node = await node_with(tmp_path, sweep_s=0.5 if version is V16 else 3600.0)
    try:
        yield node, version
    finally:
        await node.app.stop()


async def soon(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    async def check() -> bool:
        return predicate()

    await eventually(check, timeout)


async def transactions_of(node: Node, station_id: str) -> list[dict[str, Any]]:
    async with node.client() as http:
        return list((await http.get("/api/v1/transactions", params={"station_id": station_id})).json()["items"])


async def test_sim_station_local_list_offline_and_reservations(setup: tuple[Node, OcppVersion]) -> None:
    node, version = setup
    await add_token(node, "SIM-OK", group="CREW")
    await add_token(node, "SIM-MATE", group="CREW")
    await add_token(node, "SIM-BLOCKED", status="Blocked")
    await add_token(node, "SIM-OTHER")
    service = next(e for e in node.app.extensions if isinstance(e, AuthorizationExtension)).local_list
    assert service is not None
    await service.refresh()  # the four tokens in one version before the station comes
    station_id = random_id("AUTHSIM")
    config = StationConfig(station_id, node.ocpp_url, version, connectors=3, send_local_list_max_length=2)
    station = SimStation(config, SimClock(datetime.now(UTC), 1.0))
    task = asyncio.create_task(station.run())
    held = station.state.authorization
    try:
        async with node.client() as http:

            async def list_synced() -> bool:
                response = await http.get(f"/api/v1/stations/{station_id}/local-list")
                if response.status_code == 404:  # the simulator has not connected (and registered) yet
                    return False
                row = response.json()
                return bool(row["in_sync"] and row["entries"]["total"] == 4 and held.list_version == row["version"])

            # At boot: capabilities read, GetLocalListVersion 0, the full list in two messages.
            await eventually(list_synced, timeout=30)
            row = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
            assert row["last_update_type"] == "Full" and row["messages"] == 2 and row["items_per_message"] == 2
            assert held.local_list["SIM-BLOCKED"].status == "Blocked" and held.local_list["SIM-MATE"].group == "CREW"

            # Reservation of connector 1 for SIM-OK (its group CREW goes along as parent / group token).
            expiry = datetime.now(UTC) + timedelta(hours=1)
            made = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={"id_token": "SIM-OK", "evse_id": 1, "expiry_date_time": iso(expiry)},
            )
            assert made.status_code == 201, made.text
            reservation = made.json()["reservation"]
            assert reservation["state"] == "accepted" and reservation["group_id_token"] == "CREW"

            async def connector_status(connector: int, status: str) -> bool:
                view = (await http.get(f"/api/v1/stations/{station_id}")).json()
                evses = {e["evse_id"]: e["connectors"] for e in view["evses"]}
                return any(c["status"] == status for c in evses.get(connector, ()))

            await eventually(lambda: connector_status(1, "Reserved"))
            # Another token may not start there; a token of the reservation's group may (consumed).
            station.start_session(1, "SIM-OTHER", duration_s=3600)
            await soon(lambda: held.refused_starts == 1)
            station.start_session(1, "SIM-MATE", duration_s=3600)

            async def used() -> bool:
                row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{reservation['id']}")).json()
                return bool(row["state"] == "used" and row["transaction_id"])

            await eventually(used)
            transactions = await transactions_of(node, station_id)
            assert [t["id_token"] for t in transactions] == ["SIM-MATE"]
            used_row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{reservation['id']}")).json()
            assert used_row["transaction_id"] == transactions[0]["id"]

            # Expiry of a reservation on connector 2.
            short = await http.post(
                f"/api/v1/stations/{station_id}/reservations",
                json={
                    "id_token": "SIM-OK",
                    "evse_id": 2,
                    "expiry_date_time": iso(datetime.now(UTC) + timedelta(seconds=2)),
                },
            )
            short_id = short.json()["reservation"]["id"]
            await eventually(lambda: connector_status(2, "Reserved"))

            async def expired() -> bool:
                row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{short_id}")).json()
                return bool(row["state"] == "expired")

            await eventually(expired)
            await eventually(lambda: connector_status(2, "Available"))
            row = (await http.get(f"/api/v1/stations/{station_id}/reservations/{short_id}")).json()
            # 2.0.1: the station said so (ReservationStatusUpdate); 1.6: the server's sweep.
            assert row["last_status"] == ("Expired" if version is V201 else "Accepted")

            # C11: the authorization cache is cleared on request (the list stays).
            cleared = await http.post(f"/api/v1/stations/{station_id}/commands/clear-cache", json={})
            assert cleared.json()["status"] == "Accepted" and held.local_list

            # Offline: the local list refuses the blocked card and an unknown one (offline starts for
            # unknown ids switched off first), and lets an accepted card charge.
            if version is V16:
                body = {"key": "AllowOfflineTxForUnknownId", "value": "false"}
            else:
                body = {"component": "AuthCtrlr", "variable": "OfflineTxForUnknownIdEnabled", "value": "false"}
            changed = await http.post(f"/api/v1/stations/{station_id}/commands/set-configuration", json=body)
            assert changed.json()["status"] == "Accepted", changed.text
            station.go_offline(3.0)
            await soon(lambda: not station.connected)
            station.start_session(2, "SIM-BLOCKED", duration_s=3600)
            station.start_session(3, "NOT-ON-THE-LIST", duration_s=3600)
            station.start_session(2, "SIM-OK", duration_s=3600)
            await soon(lambda: held.refused_starts == 3 and station.active_sessions == 2)

            async def offline_start_arrived() -> bool:
                return {t["id_token"] for t in await transactions_of(node, station_id)} == {"SIM-MATE", "SIM-OK"}

            await eventually(offline_start_arrived, timeout=30)

            # A token blocked on the server reaches the station as a differential update.
            before = held.list_version
            assert (await http.put("/api/v1/id-tokens/SIM-OK", json={"status": "Blocked"})).status_code == 200
            await soon(lambda: held.local_list["SIM-OK"].status == "Blocked", timeout=30)
            assert held.list_version > before
            row = (await http.get(f"/api/v1/stations/{station_id}/local-list")).json()
            assert row["last_update_type"] == "Differential"
    finally:
        station.stop()
        async with asyncio.timeout(15):
            await task
