"""Operator commands over the REST API: round trips, queueing, timeouts, late replies, errors."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from tests.conftest import Node, random_id, start_node
from tests.integration.helpers import BOOT16, BOOT201, RawStation


@pytest.fixture
async def fast_timeout_node(tmp_path: Path):  # type: ignore[no-untyped-def]
    node = await start_node(tmp_path, auto_register=True, call_timeout_s=0.5)
    try:
        yield node
    finally:
        await node.app.stop()


async def test_timeout_gives_504_and_a_late_reply_is_dropped(fast_timeout_node: Node) -> None:
    node = fast_timeout_node
    station_id = random_id("SLOW")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    async with node.client() as http:
        response = await http.post(f"/api/v1/stations/{station_id}/commands/clear-cache", json={})
        assert response.status_code == 504 and "no answer" in response.json()["detail"]
        late_call = await station.recv()
        assert late_call[:3] == [2, late_call[1], "ClearCache"]
        await station.send_raw(json.dumps([3, late_call[1], {"status": "Accepted"}]))  # too late
        # the next command must not be matched with that late reply
        task = asyncio.create_task(http.post(f"/api/v1/stations/{station_id}/commands/reset", json={"type": "soft"}))
        reset_call = await station.recv()
        assert reset_call[2] == "Reset" and reset_call[1] != late_call[1]
        await station.send_raw(json.dumps([3, reset_call[1], {"status": "Rejected"}]))
        answer = await task
        assert answer.status_code == 200 and answer.json()["status"] == "Rejected"
    assert node.app.gateway is not None and node.app.gateway.stats.unmatched_replies >= 1
    await station.close()


async def test_concurrent_commands_are_queued_not_interleaved(sqlite_node: Node) -> None:
    station_id = random_id("Q")
    station = await RawStation.open(sqlite_node.ocpp_url, station_id, "2.0.1")
    await station.call("BootNotification", BOOT201)
    async with sqlite_node.client() as http:
        tasks = [
            asyncio.create_task(http.post(f"/api/v1/stations/{station_id}/commands/{name}", json=body))
            for name, body in [("clear-cache", {}), ("reset", {"type": "hard"}), ("clear-cache", {})]
        ]
        seen = []
        for _ in range(3):
            call = await station.recv()
            # while this CALL is outstanding, no other CALL may arrive
            with pytest.raises(asyncio.TimeoutError):
                await asyncio.wait_for(station.ws.recv(), 0.2)
            seen.append(call[2])
            await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
        results = [await t for t in tasks]
    assert sorted(seen) == ["ClearCache", "ClearCache", "Reset"]
    assert all(r.status_code == 200 and r.json()["round_trip_ms"] >= 0 for r in results)
    await station.close()


async def test_station_callerror_gives_502_with_its_code(sqlite_node: Node) -> None:
    station_id = random_id("ERR")
    station = await RawStation.open(sqlite_node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    async with sqlite_node.client() as http:
        task = asyncio.create_task(http.post(f"/api/v1/stations/{station_id}/commands/unlock", json={"evse_id": 1}))
        call = await station.recv()
        assert call[2] == "UnlockConnector" and call[3] == {"connectorId": 1}
        await station.send_raw(json.dumps([4, call[1], "NotSupported", "no motor", {}]))
        response = await task
    assert response.status_code == 502 and response.json()["detail"]["error_code"] == "NotSupported"
    await station.close()


async def test_raw_call_is_admin_only_and_schema_checked(sqlite_node: Node) -> None:
    station_id = random_id("RAW")
    station = await RawStation.open(sqlite_node.ocpp_url, station_id, "1.6")
    await station.call("BootNotification", BOOT16)
    operator = await sqlite_node.token("operator")
    async with sqlite_node.client(operator) as http:
        assert (await http.post(f"/api/v1/stations/{station_id}/call/GetLocalListVersion", json={})).status_code == 403
    async with sqlite_node.client() as http:
        bad = await http.post(f"/api/v1/stations/{station_id}/call/ChangeConfiguration", json={"key": 1, "value": "x"})
        assert bad.status_code == 422 and bad.json()["detail"]["error_code"] == "TypeConstraintViolation"
        unknown = await http.post(f"/api/v1/stations/{station_id}/call/MakeCoffee", json={})
        assert unknown.status_code == 422
        task = asyncio.create_task(http.post(f"/api/v1/stations/{station_id}/call/GetLocalListVersion", json={}))
        call = await station.recv()
        assert call[2:] == ["GetLocalListVersion", {}]
        await station.send_raw(json.dumps([3, call[1], {"listVersion": 7}]))
        answer = await task
    assert answer.status_code == 200 and answer.json()["response"] == {"listVersion": 7}
    await station.close()


async def test_command_errors_are_clear(sqlite_node: Node) -> None:
    viewer = await sqlite_node.token("viewer")
    async with sqlite_node.client(viewer) as http:
        assert (await http.post("/api/v1/stations/X/commands/reset", json={})).status_code == 403
    async with sqlite_node.client("not-a-token") as http:
        assert (await http.get("/api/v1/stations")).status_code == 401
    async with sqlite_node.client() as http:
        assert (await http.post("/api/v1/stations/NOPE/commands/reset", json={})).status_code == 404
        assert (await http.post("/api/v1/stations", json={"id": "OFFLINE-1"})).status_code == 201
        offline = await http.post("/api/v1/stations/OFFLINE-1/commands/reset", json={})
        assert offline.status_code == 409 and "not connected" in offline.json()["detail"]
        assert (await http.post("/api/v1/stations/OFFLINE-1/commands/reset", json={"type": "warm"})).status_code == 422
        assert (await http.post("/api/v1/stations/OFFLINE-1/commands/levitate", json={})).status_code == 422
        station = await RawStation.open(sqlite_node.ocpp_url, "V16-ONLY", "1.6")
        await station.call("BootNotification", BOOT16)
        not_in_16 = await http.post(
            "/api/v1/stations/V16-ONLY/commands/set-configuration",
            json={"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "5"},
        )
        assert not_in_16.status_code == 422
        await station.close()


async def test_every_command_reaches_both_versions(sqlite_node: Node) -> None:
    bodies = {
        "remote-start": {"id_token": "T1", "evse_id": 1},
        "remote-stop": {"transaction_id": "42"},
        "reset": {"type": "hard"},
        "unlock": {"evse_id": 1, "connector_id": 1},
        "change-availability": {"operational": False, "evse_id": 1},
        "trigger-message": {"message": "StatusNotification", "evse_id": 1},
        "clear-cache": {},
        "data-transfer": {"vendor_id": "com.example", "message_id": "ping", "data": "x"},
    }
    expected = {
        "1.6": [
            "RemoteStartTransaction",
            "RemoteStopTransaction",
            "Reset",
            "UnlockConnector",
            "ChangeAvailability",
            "TriggerMessage",
            "ClearCache",
            "DataTransfer",
            "GetConfiguration",
            "ChangeConfiguration",
        ],
        "2.0.1": [
            "RequestStartTransaction",
            "RequestStopTransaction",
            "Reset",
            "UnlockConnector",
            "ChangeAvailability",
            "TriggerMessage",
            "ClearCache",
            "DataTransfer",
            "GetVariables",
            "SetVariables",
        ],
    }
    for version, boot in (("1.6", BOOT16), ("2.0.1", BOOT201)):
        station_id = random_id("ALL")
        station = await RawStation.open(sqlite_node.ocpp_url, station_id, version)
        await station.call("BootNotification", boot)
        config = (
            {
                "get-configuration": {"keys": ["HeartbeatInterval"]},
                "set-configuration": {"key": "HeartbeatInterval", "value": "30"},
            }
            if version == "1.6"
            else {
                "get-configuration": {"variables": [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}]},
                "set-configuration": {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "30"},
            }
        )
        actions = []
        async with sqlite_node.client() as http:
            for name, body in {**bodies, **config}.items():
                task = asyncio.create_task(http.post(f"/api/v1/stations/{station_id}/commands/{name}", json=body))
                call = await station.recv()
                actions.append(call[2])
                await station.send_raw(json.dumps([3, call[1], _accepted(call[2])]))
                response = await task
                assert response.status_code == 200, (version, name, response.text)
                assert response.json()["action"] == call[2]
        assert actions == expected[version]
        await station.close()


def _accepted(action: str) -> dict[str, object]:
    if action == "GetConfiguration":
        return {"configurationKey": [{"key": "HeartbeatInterval", "readonly": False, "value": "60"}]}
    if action == "GetVariables":
        return {
            "getVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "attributeValue": "60",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                }
            ]
        }
    if action == "SetVariables":
        return {
            "setVariableResult": [
                {
                    "attributeStatus": "Accepted",
                    "component": {"name": "OCPPCommCtrlr"},
                    "variable": {"name": "HeartbeatInterval"},
                }
            ]
        }
    if action == "UnlockConnector":
        return {"status": "Unlocked"}
    return {"status": "Accepted"}
