"""Device model (2.0.1 block B, 1.6 configuration keys) over real sockets, from the station side:
the simulator and a raw OCPP-J station. Reports in parts (out of order, repeated, missing),
the stored inventory and its filters, Get/SetVariables split by the station's ItemsPerMessage /
BytesPerMessage (1.6 GetConfigurationMaxKeys), SetNetworkProfile, and the 1.6 equivalents."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

import pytest

from chargebridge.rpc import OcppVersion
from chargebridge.sim import SimClock, SimStation, StationConfig
from chargebridge.sim.device_state import catalogue
from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT201, RawStation

V16, V201 = OcppVersion.V16, OcppVersion.V201


async def eventually(check: Callable[[], Awaitable[Any]], timeout: float = 10.0) -> Any:
    async with asyncio.timeout(timeout):
        while True:
            result = await check()
            if result:
                return result
            await asyncio.sleep(0.05)


@asynccontextmanager
async def sim_station(node: Node, version: OcppVersion, **model: Any) -> AsyncIterator[SimStation]:
    config = StationConfig(random_id(f"DM{version.value[0]}"), node.ocpp_url, version, connectors=2)
    station = SimStation(config, SimClock(datetime.now(UTC), 1.0), rng=random.Random(5))
    for name, value in model.items():
        setattr(station.state.device_model, name, value)
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


async def wait_report(node: Node, path: str) -> dict[str, Any]:
    async with node.client() as http:

        async def complete() -> dict[str, Any] | None:
            report = (await http.get(path)).json()
            return report if report["state"] == "complete" else None

        result: dict[str, Any] = await eventually(complete)
        return result


async def device_model(node: Node, station_id: str, **params: Any) -> dict[str, Any]:
    async with node.client() as http:
        answer = await http.get(f"/api/v1/stations/{station_id}/device-model", params=params)
        assert answer.status_code == 200, answer.text
        result: dict[str, Any] = answer.json()
        return result


def calls_of(sim: SimStation) -> int:
    return sim.counters.commands


async def test_base_report_in_reversed_parts_becomes_the_inventory(node: Node) -> None:
    async with sim_station(node, V201, items_per_part=4, reverse_parts=True) as sim:
        sid = sim.station_id
        async with node.client() as http:
            answer = await http.post(f"/api/v1/stations/{sid}/reports", json={})
        assert answer.status_code == 200, answer.text
        report = answer.json()
        assert report["action"] == "GetBaseReport" and report["status"] == "Accepted"
        assert report["parameters"]["report_base"] == "FullInventory"
        done = await wait_report(node, f"/api/v1/stations/{sid}/reports/{report['request_id']}")
        expected = catalogue(sim.state)
        assert (
            done["items"] == len(expected) and done["parts"] == -(-len(expected) // 4) and done["missing_parts"] == []
        )
        inventory = await device_model(node, sid)
        assert inventory["total"] == len(expected)
        limits = await device_model(node, sid, component="DeviceDataCtrlr", variable="ItemsPerMessage")
        assert {(i["variable_instance"], i["value"]) for i in limits["items"]} == {
            ("GetReport", "16"),
            ("GetVariables", "16"),
            ("SetVariables", "16"),
        }
        power = (await device_model(node, sid, component="EVSE", evse_id=2, variable="Power"))["items"]
        assert len(power) == 1 and power[0]["mutability"] == "ReadOnly" and power[0]["evse_id"] == 2
        assert power[0]["characteristics"]["supports_monitoring"] is True and power[0]["characteristics"]["unit"] == "W"
        writable = await device_model(node, sid, mutability="ReadWrite", limit=3)
        assert len(writable["items"]) == 3 and writable["next_offset"] == 3
        secret = (await device_model(node, sid, variable="BasicAuthPassword"))["items"]
        assert secret[0]["mutability"] == "WriteOnly" and secret[0]["value"] is None
        async with node.client() as http:
            listed = (await http.get(f"/api/v1/stations/{sid}/reports")).json()["items"]
            assert [r["request_id"] for r in listed] == [report["request_id"]]
            assert (await http.get(f"/api/v1/stations/{sid}/reports/12345")).status_code == 404


async def test_get_report_with_criteria_and_component_variables(sqlite_node: Node) -> None:
    async with sim_station(sqlite_node, V201) as sim:
        sid = sim.station_id
        async with sqlite_node.client() as http:
            body = {
                "component_variables": [
                    {"component": "EVSE", "evse_id": 1},
                    {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"},
                ]
            }
            answer = await http.post(f"/api/v1/stations/{sid}/reports", json=body)
            assert answer.status_code == 200 and answer.json()["action"] == "GetReport"
            done = await wait_report(sqlite_node, f"/api/v1/stations/{sid}/reports/{answer.json()['request_id']}")
            assert done["items"] == 4  # EVSE 1: AvailabilityState, Available, Power; HeartbeatInterval
            empty = await http.post(f"/api/v1/stations/{sid}/reports", json={"component_criteria": ["Problem"]})
            assert empty.json()["status"] == "EmptyResultSet" and empty.json()["state"] == "empty"
            both = await http.post(
                f"/api/v1/stations/{sid}/reports",
                json={"report_base": "FullInventory", "component_criteria": ["Active"]},
            )
            assert both.status_code == 422
        evses = await device_model(sqlite_node, sid, component="EVSE")
        assert {i["evse_id"] for i in evses["items"]} == {1}


async def test_raw_station_parts_out_of_order_repeated_and_a_full_inventory_drops_the_unlisted(
    sqlite_node: Node,
) -> None:
    sid = random_id("RAWDM")
    station = await RawStation.open(sqlite_node.ocpp_url, sid, "2.0.1")
    await station.call("BootNotification", BOOT201)

    def part(request_id: int, seq_no: int, tbc: bool, names: list[str]) -> dict[str, Any]:
        return {
            "requestId": request_id,
            "generatedAt": "2026-05-01T10:00:00Z",
            "seqNo": seq_no,
            "tbc": tbc,
            "reportData": [
                {
                    "component": {"name": "Ctrl", "evse": {"id": 1, "connectorId": 2}},
                    "variable": {"name": name, "instance": "A"},
                    "variableAttribute": [
                        {"type": "Actual", "value": f"{name}-v", "mutability": "ReadWrite"},
                        {"type": "MaxSet", "value": "9"},
                    ],
                    "variableCharacteristics": {"dataType": "integer", "supportsMonitoring": True, "maxLimit": 9},
                }
                for name in names
            ],
        }

    async def report(names_by_part: list[list[str]], order: list[int], check_gap: bool) -> None:
        async with sqlite_node.client() as http:
            task = asyncio.create_task(
                http.post(f"/api/v1/stations/{sid}/reports", json={"report_base": "FullInventory"})
            )
            call = await station.recv()
            assert call[2] == "GetBaseReport" and call[3]["reportBase"] == "FullInventory"
            request_id = call[3]["requestId"]
            await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
            answer = await task
            assert answer.status_code == 200 and answer.json()["state"] == "accepted", answer.text
            last = len(names_by_part) - 1
            for index, seq_no in enumerate(order):
                reply = await station.call(
                    "NotifyReport", part(request_id, seq_no, seq_no != last, names_by_part[seq_no])
                )
                assert reply[0] == 3 and reply[2] == {}
                if index == 0:  # a repeated part is acknowledged and not counted twice
                    again = await station.call(
                        "NotifyReport", part(request_id, seq_no, seq_no != last, names_by_part[seq_no])
                    )
                    assert again[0] == 3
                if check_gap and index == len(order) - 2:
                    state = (await http.get(f"/api/v1/stations/{sid}/reports/{request_id}")).json()
                    assert state["state"] == "receiving" and state["missing_parts"] == [order[-1]]
            done = (await http.get(f"/api/v1/stations/{sid}/reports/{request_id}")).json()
            assert done["state"] == "complete" and done["parts"] == len(order)
            assert done["items"] == sum(len(names) for names in names_by_part)

    await report([["a", "b"], ["c"], ["d", "e"]], [2, 0, 1], check_gap=True)
    first = await device_model(sqlite_node, sid, attribute="Actual")
    assert [i["variable"] for i in first["items"]] == ["a", "b", "c", "d", "e"]
    item = first["items"][0]
    assert (item["component"], item["evse_id"], item["connector_id"], item["variable_instance"]) == ("Ctrl", 1, 2, "A")
    assert item["value"] == "a-v" and item["characteristics"]["max_limit"] == 9
    assert (await device_model(sqlite_node, sid, attribute="MaxSet"))["total"] == 5
    # The next full inventory no longer lists b and e: they leave the stored model.
    await report([["a"], ["c", "d"]], [1, 0], check_gap=False)
    assert [i["variable"] for i in (await device_model(sqlite_node, sid, attribute="Actual"))["items"]] == [
        "a",
        "c",
        "d",
    ]
    await station.close()


async def test_get_and_set_variables_split_by_items_per_message(node: Node) -> None:
    async with sim_station(node, V201, items_per_message=2) as sim:
        sid = sim.station_id
        wanted = [
            {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"},
            {"component": "DeviceDataCtrlr", "variable": "ItemsPerMessage", "variable_instance": "GetVariables"},
            {"component": "EVSE", "evse_id": 2, "variable": "AvailabilityState"},
            {"component": "Nowhere", "variable": "X"},
            {"component": "SampledDataCtrlr", "variable": "TxUpdatedInterval"},
        ]
        async with node.client() as http:
            before = calls_of(sim)
            answer = await http.post(f"/api/v1/stations/{sid}/variables/get", json={"variables": wanted})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            # 5 variables, 2 a message: 3 GetVariables (plus the one-time look-up of the limits)
            assert body["messages"] == 3 and calls_of(sim) - before == 3 + 2
            assert [r["variable"] for r in body["results"]] == [w["variable"] for w in wanted]
            assert [r["status"] for r in body["results"]] == [
                "Accepted",
                "Accepted",
                "Accepted",
                "UnknownComponent",
                "Accepted",
            ]
            assert body["results"][0]["value"] == "60" and body["results"][1]["value"] == "2"  # 60: the boot interval
            assert body["status"] == "UnknownComponent"
            again = await http.post(f"/api/v1/stations/{sid}/variables/get", json={"variables": wanted})
            assert again.json()["messages"] == 3  # the limits are stored now: no second look-up
            setting = [
                {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "120"},
                {"component": "SampledDataCtrlr", "variable": "TxUpdatedInterval", "value": "30"},
                {"component": "MonitoringCtrlr", "variable": "Enabled", "value": "false"},
                {"component": "EVSE", "evse_id": 1, "variable": "AvailabilityState", "value": "x"},
            ]
            written = await http.post(f"/api/v1/stations/{sid}/variables/set", json={"variables": setting})
            assert written.status_code == 200, written.text
            assert written.json()["messages"] == 2
            assert [r["status"] for r in written.json()["results"]] == ["Accepted", "Accepted", "Accepted", "Rejected"]
            assert sim.state.config.get("HeartbeatInterval") == "120"
            # the generic command route is split the same way
            generic_variables = [
                {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"},
                {"component": "DeviceDataCtrlr", "variable": "ItemsPerMessage", "instance": "GetVariables"},
                {"component": "EVSE", "evse_id": 2, "variable": "AvailabilityState"},
            ]
            before = calls_of(sim)
            generic = await http.post(
                f"/api/v1/stations/{sid}/commands/get-configuration", json={"variables": generic_variables}
            )
            assert calls_of(sim) - before == 2
            assert generic.status_code == 200 and len(generic.json()["response"]["getVariableResult"]) == 3
        stored = await device_model(node, sid, component="OCPPCommCtrlr", variable="HeartbeatInterval")
        assert stored["items"][0]["value"] == "120" and stored["items"][0]["source"] in ("get", "set")
        async with node.client() as http:
            body = {"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "150"}
            assert (await http.post(f"/api/v1/stations/{sid}/commands/set-configuration", json=body)).status_code == 200
        stored = await device_model(node, sid, component="OCPPCommCtrlr", variable="HeartbeatInterval")
        assert (stored["items"][0]["value"], stored["items"][0]["source"]) == ("150", "set")


async def test_variables_split_by_bytes_per_message(sqlite_node: Node) -> None:
    async with sim_station(sqlite_node, V201, bytes_per_message=420) as sim:
        wanted = [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}] * 6
        async with sqlite_node.client() as http:
            answer = await http.post(f"/api/v1/stations/{sim.station_id}/variables/get", json={"variables": wanted})
            assert answer.status_code == 200, answer.text
            assert answer.json()["messages"] >= 2 and len(answer.json()["results"]) == 6
            assert all(r["status"] == "Accepted" for r in answer.json()["results"])
            huge = [{"component": "C" * 50, "variable": "V" * 50, "value": "x" * 1000}]
            refused = await http.post(f"/api/v1/stations/{sim.station_id}/variables/set", json={"variables": huge * 2})
            # one item alone is larger than the station's 420 bytes: refused before anything is sent
            assert refused.status_code == 422 and "bytes" in refused.json()["detail"]


async def test_ocpp16_report_and_keys_through_the_same_routes(node: Node) -> None:
    async with sim_station(node, V16, items_per_message=2) as sim:
        sid = sim.station_id
        async with node.client() as http:
            report = await http.post(f"/api/v1/stations/{sid}/reports", json={})
            assert report.status_code == 200, report.text
            body = report.json()
            assert body["action"] == "GetConfiguration" and body["state"] == "complete" and body["status"] == "Accepted"
            keys = await device_model(node, sid, component="")
            names = {i["variable"]: i for i in keys["items"]}
            assert "HeartbeatInterval" in names and names["GetConfigurationMaxKeys"]["value"] == "2"
            assert (
                names["NumberOfConnectors"]["mutability"] == "ReadOnly"
                and names["NumberOfConnectors"]["component"] is None
            )
            wanted = [{"variable": k} for k in ("HeartbeatInterval", "MeterValueSampleInterval", "Nope")]
            got = await http.post(f"/api/v1/stations/{sid}/variables/get", json={"variables": wanted})
            assert got.status_code == 200 and got.json()["action"] == "GetConfiguration" and got.json()["messages"] == 2
            assert [r["status"] for r in got.json()["results"]] == ["Accepted", "Accepted", "UnknownVariable"]
            setting = [
                {"variable": "HeartbeatInterval", "value": "90"},
                {"variable": "NumberOfConnectors", "value": "5"},
            ]
            written = await http.post(f"/api/v1/stations/{sid}/variables/set", json={"variables": setting})
            assert written.json()["action"] == "ChangeConfiguration" and written.json()["messages"] == 2
            assert [r["status"] for r in written.json()["results"]] == ["Accepted", "Rejected"]
            assert sim.state.config.get("HeartbeatInterval") == "90"
            generic = await http.post(
                f"/api/v1/stations/{sid}/commands/set-configuration", json={"key": "HeartbeatInterval", "value": "95"}
            )
            assert generic.json()["status"] == "Accepted"
            stored = (await device_model(node, sid, component="", variable="HeartbeatInterval"))["items"][0]
            assert (stored["value"], stored["source"]) == ("95", "set")
            with_component = await http.post(
                f"/api/v1/stations/{sid}/variables/get",
                json={"variables": [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}]},
            )
            assert with_component.status_code == 422
            keyed = await http.post(
                f"/api/v1/stations/{sid}/reports", json={"component_variables": [{"variable": "HeartbeatInterval"}]}
            )
            assert keyed.json()["state"] == "complete" and keyed.json()["items"] == 1
            for path, payload in (
                (
                    "network-profile",
                    {"configuration_slot": 1, "csms_url": "wss://x", "security_profile": 2, "ocpp_interface": "Wired0"},
                ),
                (
                    "monitoring",
                    {
                        "monitors": [
                            {"component": "EVSE", "variable": "Power", "type": "Delta", "value": 1, "severity": 5}
                        ]
                    },
                ),
                ("display-messages", {"content": "hi"}),
            ):
                refused = await http.post(f"/api/v1/stations/{sid}/{path}", json=payload)
                assert refused.status_code == 422, (path, refused.text)


async def test_network_profile_is_admin_only_and_reaches_the_station(sqlite_node: Node) -> None:
    async with sim_station(sqlite_node, V201, security_profile=1) as sim:
        profile = {
            "configuration_slot": 2,
            "csms_url": "wss://csms.example/ocpp",
            "security_profile": 2,
            "ocpp_interface": "Wireless0",
            "apn": {"apn": "internet", "authentication": "NONE"},
            "vpn": {"server": "vpn", "user": "u", "password": "p", "secret": "k", "type": "IPSec"},
        }
        operator = await sqlite_node.token("operator")
        async with sqlite_node.client(operator) as http:
            assert (
                await http.post(f"/api/v1/stations/{sim.station_id}/network-profile", json=profile)
            ).status_code == 403
        async with sqlite_node.client() as http:
            answer = await http.post(f"/api/v1/stations/{sim.station_id}/network-profile", json=profile)
            assert answer.status_code == 200 and answer.json()["status"] == "Accepted", answer.text
            stored = sim.state.device_model.network_profiles[2]
            assert stored["ocppCsmsUrl"] == "wss://csms.example/ocpp" and stored["vpn"]["key"] == "k"
            lower = await http.post(
                f"/api/v1/stations/{sim.station_id}/network-profile", json=profile | {"security_profile": 0}
            )
            assert lower.json()["status"] == "Rejected"
            audit = (await http.get("/api/v1/audit", params={"station_id": sim.station_id})).json()["items"]
            entry = next(e for e in audit if e["action"] == "set_network_profile")
            assert (
                entry["parameters"]["body"]["vpn"]["password"] == "***"
                and entry["parameters"]["body"]["vpn"]["secret"] == "***"
            )


@pytest.mark.parametrize("version", [V16, V201])
async def test_credentials_need_admin_and_are_not_stored(sqlite_node: Node, version: OcppVersion) -> None:
    async with sim_station(sqlite_node, version) as sim:
        item = (
            {"variable": "AuthorizationKey"}
            if version is V16
            else {"component": "SecurityCtrlr", "variable": "BasicAuthPassword"}
        )
        operator = await sqlite_node.token("operator")
        async with sqlite_node.client(operator) as http:
            body = {"variables": [item | {"value": "a-very-long-secret-password"}]}
            assert (await http.post(f"/api/v1/stations/{sim.station_id}/variables/set", json=body)).status_code == 403


async def test_a_station_refusing_the_limit_question_gets_one_unsplit_request(sqlite_node: Node) -> None:
    sid = random_id("NOLIM")
    station = await RawStation.open(sqlite_node.ocpp_url, sid, "2.0.1")
    await station.call("BootNotification", BOOT201)
    wanted = [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}, {"component": "C", "variable": "V"}]
    async with sqlite_node.client() as http:
        task = asyncio.create_task(http.post(f"/api/v1/stations/{sid}/variables/get", json={"variables": wanted}))
        lookup = await station.recv()
        assert lookup[2] == "GetVariables" and lookup[3]["getVariableData"][0]["variable"]["name"] == "ItemsPerMessage"
        await station.send_raw(json.dumps([4, lookup[1], "NotSupported", "no device model", {}]))
        call = await station.recv()
        assert len(call[3]["getVariableData"]) == 2  # no limit known: one message
        results = [
            {"attributeStatus": "Accepted", "attributeValue": "60"} | call[3]["getVariableData"][0],
            {"attributeStatus": "UnknownComponent"} | call[3]["getVariableData"][1],
        ]
        await station.send_raw(json.dumps([3, call[1], {"getVariableResult": results}]))
        answer = await task
        assert answer.status_code == 200, answer.text
        assert answer.json()["messages"] == 1 and [r["status"] for r in answer.json()["results"]] == [
            "Accepted",
            "UnknownComponent",
        ]
    await station.close()
