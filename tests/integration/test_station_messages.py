"""Every station message chargebridge handles, over a real socket, with its effect seen through the API."""

from __future__ import annotations

from typing import Any

from tests.conftest import Node, random_id
from tests.integration.helpers import BOOT16, BOOT201, RawStation


async def events(node: Node, station_id: str, kind: str | None = None) -> list[dict[str, Any]]:
    async with node.client() as http:
        params = {"kind": kind} if kind else {}
        items: list[dict[str, Any]] = (await http.get(f"/api/v1/stations/{station_id}/events", params=params)).json()[
            "items"
        ]
        return items


async def test_v16_auxiliary_messages(node: Node) -> None:
    station_id = random_id("AUX16")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
    heartbeat = await station.call("Heartbeat", {})
    assert heartbeat[0] == 3 and heartbeat[2]["currentTime"].endswith("Z")
    data = await station.call("DataTransfer", {"vendorId": "com.acme", "messageId": "Hello", "data": "{}"})
    assert data[2] == {"status": "UnknownVendorId"}
    assert (await station.call("DiagnosticsStatusNotification", {"status": "Uploaded"}))[2] == {}
    assert (await station.call("FirmwareStatusNotification", {"status": "Installed"}))[2] == {}
    assert (await station.call("SignedFirmwareStatusNotification", {"status": "SignatureVerified", "requestId": 3}))[
        2
    ] == {}
    assert (await station.call("LogStatusNotification", {"status": "Uploading", "requestId": 4}))[2] == {}
    security = {"type": "TamperDetectionActivated", "timestamp": "2026-11-23T10:00:00Z", "techInfo": "lid open"}
    assert (await station.call("SecurityEventNotification", security))[2] == {}
    assert (
        await station.call(
            "MeterValues",
            {
                "connectorId": 0,
                "meterValue": [
                    {"timestamp": "2026-11-23T10:00:00Z", "sampledValue": [{"value": "1.5", "unit": "kWh"}]}
                ],
            },
        )
    )[0] == 3
    kinds = {e["kind"] for e in await events(node, station_id)}
    assert {
        "boot",
        "connected",
        "data_transfer",
        "diagnostics_status",
        "firmware_status",
        "log_status",
        "security_event",
    } <= kinds
    firmware = await events(node, station_id, "firmware_status")
    assert {e["data"]["status"] for e in firmware} == {"Installed", "SignatureVerified"}
    async with node.client() as http:
        station_view = (await http.get(f"/api/v1/stations/{station_id}")).json()
        assert [f["code"] for f in station_view["faults"]] == ["TamperDetectionActivated"]
        samples = (await http.get(f"/api/v1/stations/{station_id}/meter-values")).json()["items"]
        assert samples[0]["value"] == 1500 and samples[0]["unit"] == "Wh" and samples[0]["evse_id"] == 0
    await station.close()


async def test_v201_auxiliary_messages(node: Node) -> None:
    station_id = random_id("AUX201")
    station = await RawStation.open(node.ocpp_url, station_id, "2.0.1")
    assert (await station.call("BootNotification", BOOT201))[2]["status"] == "Accepted"
    assert (
        await station.call(
            "StatusNotification",
            {"timestamp": "2026-11-23T10:00:00Z", "connectorStatus": "Occupied", "evseId": 1, "connectorId": 1},
        )
    )[2] == {}
    problem = {
        "generatedAt": "2026-11-23T10:00:00Z",
        "seqNo": 0,
        "eventData": [
            {
                "eventId": 1,
                "timestamp": "2026-11-23T10:00:00Z",
                "trigger": "Alerting",
                "actualValue": "true",
                "techCode": "OVT-1",
                "eventNotificationType": "HardWiredMonitor",
                "component": {"name": "Connector", "evse": {"id": 1, "connectorId": 1}},
                "variable": {"name": "Problem"},
            }
        ],
    }
    assert (await station.call("NotifyEvent", problem))[2] == {}
    async with node.client() as http:
        view = (await http.get(f"/api/v1/stations/{station_id}")).json()
        assert [(f["code"], f["vendor_code"]) for f in view["faults"]] == [("Connector.Problem", "OVT-1")]
        assert view["evses"][0]["connectors"][0]["status"] == "Occupied"
        cleared = dict(problem, seqNo=1, eventData=[dict(problem["eventData"][0], eventId=2, actualValue="false")])
        assert (await station.call("NotifyEvent", cleared))[2] == {}
        assert (await http.get(f"/api/v1/stations/{station_id}")).json()["faults"] == []
    assert (
        await station.call(
            "SecurityEventNotification", {"type": "InvalidFirmwareSignature", "timestamp": "2026-11-23T10:00:00Z"}
        )
    )[2] == {}
    assert (await station.call("FirmwareStatusNotification", {"status": "Downloading", "requestId": 9}))[2] == {}
    assert (await station.call("LogStatusNotification", {"status": "Uploaded", "requestId": 2}))[2] == {}
    assert (await station.call("DataTransfer", {"vendorId": "com.acme"}))[2]["status"] == "UnknownVendorId"
    assert (
        await station.call(
            "MeterValues",
            {
                "evseId": 1,
                "meterValue": [
                    {
                        "timestamp": "2026-11-23T10:00:00Z",
                        "sampledValue": [
                            {"value": 7.4, "measurand": "Power.Active.Import", "unitOfMeasure": {"unit": "kW"}}
                        ],
                    }
                ],
            },
        )
    )[0] == 3
    authorize = await station.call("Authorize", {"idToken": {"idToken": "UNKNOWN", "type": "ISO14443"}})
    assert authorize[2]["idTokenInfo"]["status"] == "Invalid"
    async with node.client() as http:
        view = (await http.get(f"/api/v1/stations/{station_id}")).json()
        assert [f["code"] for f in view["faults"]] == ["InvalidFirmwareSignature"]
        samples = (await http.get(f"/api/v1/stations/{station_id}/meter-values")).json()["items"]
        assert samples[0]["value"] == 7400 and samples[0]["unit"] == "W"
    kinds = {e["kind"] for e in await events(node, station_id)}
    assert {"notify_event", "security_event", "firmware_status", "log_status", "data_transfer", "status"} <= kinds
    await station.close()


async def test_id_token_statuses_and_expiry(node: Node) -> None:
    async with node.client() as http:
        for token, status in (("OK-1", "Accepted"), ("BLK-1", "Blocked")):
            assert (await http.post("/api/v1/id-tokens", json={"id_token": token, "status": status})).status_code == 201
        old = {"id_token": "OLD-1", "status": "Accepted", "expires_at": "2020-01-01T00:00:00Z"}
        assert (await http.post("/api/v1/id-tokens", json=old)).status_code == 201
        assert (await http.post("/api/v1/id-tokens", json=old)).status_code == 409
        assert (await http.put("/api/v1/id-tokens/BLK-1", json={"status": "Accepted"})).json()["status"] == "Accepted"
        assert (await http.put("/api/v1/id-tokens/BLK-1", json={"status": "Blocked"})).json()["status"] == "Blocked"
        listed = (await http.get("/api/v1/id-tokens")).json()["items"]
        assert {t["id_token"] for t in listed} >= {"OK-1", "BLK-1", "OLD-1"}
    station = await RawStation.open(node.ocpp_url, random_id("TOK"), "1.6")
    await station.call("BootNotification", BOOT16)
    for token, expected in (("OK-1", "Accepted"), ("BLK-1", "Blocked"), ("OLD-1", "Expired"), ("NEW-1", "Invalid")):
        answer = await station.call("Authorize", {"idTag": token})
        assert answer[2]["idTagInfo"]["status"] == expected, token
    async with node.client() as http:
        assert (await http.delete("/api/v1/id-tokens/OK-1")).status_code == 204
        assert (await http.get("/api/v1/id-tokens/OK-1")).status_code == 404
    assert (await station.call("Authorize", {"idTag": "OK-1"}))[2]["idTagInfo"]["status"] == "Invalid"
    await station.close()
