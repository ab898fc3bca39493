"""``chargebridge serve`` as the upstream of the translating gateway: a 1.6 charge point's session lands
in chargebridge as a 2.0.1 station's, a 2.0.1 station's as a 1.6 one's; the REST API shows the right
energy and its commands reach the charger through the gateway."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import websockets
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from chargebridge.rpc import OcppVersion
from tests.conftest import Node, random_id, start_node
from tests.integration.gateway_helpers import start_gateway, station_url
from tests.integration.ocpp_peers import Station16, Station201, free_port, running, wait_for

ENERGY = "Energy.Active.Import.Register"


def ts(minute: int) -> str:
    return f"2026-06-02T09:{minute:02d}:00.000Z"


async def add_token(node: Node, token: str, status: str = "Accepted") -> None:
    async with node.client() as http:
        response = await http.post("/api/v1/id-tokens", json={"id_token": token, "status": status})
        assert response.status_code == 201, response.text


async def test_16_charge_point_through_the_gateway_into_serve(tmp_path: Path, node: Node) -> None:
    station_id = random_id("GW16")
    await add_token(node, "TAG-OK")
    await add_token(node, "TAG-BLOCKED", "Blocked")
    gateway = await start_gateway(tmp_path, node.ocpp_url, OcppVersion.V201)
    try:
        async with websockets.connect(f"{station_url(gateway)}/{station_id}", subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            cp = Station16(station_id, ws, response_timeout=15)
            cp.config = {"HeartbeatInterval": "300"}
            async with running(cp):
                boot = await cp.call(
                    call16.BootNotification(
                        charge_point_vendor="GwVendor", charge_point_model="AC-7", firmware_version="1.0"
                    )
                )
                assert boot.status == "Accepted" and boot.interval == 60
                await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
                assert (await cp.call(call16.Authorize(id_tag="TAG-BLOCKED"))).id_tag_info["status"] == "Blocked"
                assert (await cp.call(call16.Authorize(id_tag="NOBODY"))).id_tag_info["status"] == "Invalid"
                start = await cp.call(
                    call16.StartTransaction(connector_id=1, id_tag="TAG-OK", meter_start=1000, timestamp=ts(0))
                )
                assert start.id_tag_info["status"] == "Accepted"
                sample = [{"timestamp": ts(1), "sampledValue": [{"value": "2.5", "measurand": ENERGY, "unit": "kWh"}]}]
                await cp.call(
                    call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=sample)
                )
                async with node.client() as http:
                    command = await http.post(
                        f"/api/v1/stations/{station_id}/commands/remote-start",
                        json={"id_token": "TAG-OK", "evse_id": 1},
                    )
                    assert command.status_code == 200 and command.json()["status"] == "Accepted", command.text
                assert cp.calls("RemoteStartTransaction") == [{"idTag": "TAG-OK", "connectorId": 1}]
                async with node.client() as http:
                    variables = [{"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval"}]
                    read = await http.post(
                        f"/api/v1/stations/{station_id}/commands/get-configuration", json={"variables": variables}
                    )
                    assert read.status_code == 200, read.text
                    result = read.json()["response"]["getVariableResult"][0]
                    assert (result["attributeStatus"], result["attributeValue"]) == ("Accepted", "300")
                    write = await http.post(
                        f"/api/v1/stations/{station_id}/commands/set-configuration",
                        json={"component": "OCPPCommCtrlr", "variable": "HeartbeatInterval", "value": "120"},
                    )
                    assert write.json()["status"] == "Accepted", write.text
                    reset = await http.post(f"/api/v1/stations/{station_id}/commands/reset", json={"type": "hard"})
                    assert reset.json()["status"] == "Accepted", reset.text
                assert cp.config["HeartbeatInterval"] == "120" and cp.calls("Reset") == [{"type": "Hard"}]
                await cp.call(
                    call16.StopTransaction(
                        transaction_id=start.transaction_id, meter_stop=4200, timestamp=ts(2), reason="EVDisconnected"
                    )
                )
    finally:
        await gateway.stop()
    async with node.client() as http:
        txs = (await http.get("/api/v1/transactions", params={"station_id": station_id})).json()["items"]
        assert len(txs) == 1
        tx = txs[0]
        assert len(tx["id"]) == 36  # the gateway's UUID-like id: serve saw a 2.0.1 station
        assert (tx["meter_start_wh"], tx["meter_stop_wh"], tx["energy_wh"]) == (1000, 4200, 3200)
        assert tx["stop_reason"] == "EVDisconnected" and tx["active"] is False and not tx["energy_mismatch"]
        station = (await http.get(f"/api/v1/stations/{station_id}")).json()
        assert (station["ocpp_version"], station["vendor"], station["model"]) == ("2.0.1", "GwVendor", "AC-7")


async def test_an_outage_of_serve_loses_nothing(tmp_path: Path) -> None:
    """serve goes away in the middle of a session and comes back on the same database and port."""
    port = free_port()
    node = await start_node(tmp_path / "serve", None, auto_register=True, ocpp_port=port)
    station_id = random_id("GWOUT")
    gateway = await start_gateway(tmp_path, node.ocpp_url, OcppVersion.V201)
    try:
        async with websockets.connect(f"{station_url(gateway)}/{station_id}", subprotocols=["ocpp1.6"]) as ws:  # type: ignore[list-item]
            cp = Station16(station_id, ws, response_timeout=15)
            cp.config = {}
            async with running(cp):
                await cp.call(call16.BootNotification(charge_point_vendor="GwVendor", charge_point_model="AC-7"))
                start = await cp.call(
                    call16.StartTransaction(connector_id=1, id_tag="T", meter_start=500, timestamp=ts(0))
                )
                await node.app.stop()
                await wait_for(lambda: not gateway.bridges[station_id].upstream_online, what="serve to be seen away")
                sample = [{"timestamp": ts(1), "sampledValue": [{"value": "900", "measurand": ENERGY}]}]
                await cp.call(
                    call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=sample)
                )
                await cp.call(
                    call16.StopTransaction(transaction_id=start.transaction_id, meter_stop=1500, timestamp=ts(2))
                )
                node = await start_node(tmp_path / "serve", None, auto_register=True, ocpp_port=port)
                await wait_for(lambda: gateway.bridges[station_id].queued == 0, timeout=30, what="the replay")
    finally:
        await gateway.stop()
    try:
        async with node.client() as http:
            tx = (await http.get("/api/v1/transactions", params={"station_id": station_id})).json()["items"][0]
        assert (tx["meter_start_wh"], tx["meter_stop_wh"], tx["energy_wh"], tx["active"]) == (500, 1500, 1000, False)
    finally:
        await node.app.stop()


async def test_201_station_through_the_gateway_into_serve_as_16(tmp_path: Path, node: Node) -> None:
    station_id = random_id("GW201")
    await add_token(node, "TOKEN-B")
    gateway = await start_gateway(tmp_path, node.ocpp_url, OcppVersion.V16)
    try:
        async with websockets.connect(f"{station_url(gateway)}/{station_id}", subprotocols=["ocpp2.0.1"]) as ws:  # type: ignore[list-item]
            cp = Station201(station_id, ws, response_timeout=15)
            cp.variables = {}
            async with running(cp):
                boot = await cp.call(
                    call201.BootNotification(
                        charging_station={"model": "DC-9", "vendor_name": "GwVendor"}, reason="PowerUp"
                    )
                )
                assert boot.status == "Accepted"
                token = {"id_token": "TOKEN-B", "type": "ISO14443"}

                def meter(wh: int, context: str, minute: int) -> list[dict[str, Any]]:
                    return [
                        {
                            "timestamp": ts(minute),
                            "sampled_value": [{"value": wh, "measurand": ENERGY, "context": context}],
                        }
                    ]

                started = await cp.call(
                    call201.TransactionEvent(
                        event_type="Started",
                        timestamp=ts(0),
                        trigger_reason="Authorized",
                        seq_no=0,
                        transaction_info={"transaction_id": "tx-gw-201"},
                        evse={"id": 1, "connector_id": 1},
                        id_token=token,
                        meter_value=meter(20_000, "Transaction.Begin", 0),
                    )
                )
                assert started.id_token_info["status"] == "Accepted"
                async with node.client() as http:
                    command = await http.post(f"/api/v1/stations/{station_id}/commands/reset", json={"type": "soft"})
                    assert command.json()["status"] == "Accepted", command.text
                assert cp.calls("Reset") == [{"type": "OnIdle"}]
                await cp.call(
                    call201.TransactionEvent(
                        event_type="Ended",
                        timestamp=ts(5),
                        trigger_reason="StopAuthorized",
                        seq_no=1,
                        transaction_info={"transaction_id": "tx-gw-201", "stopped_reason": "Local"},
                        meter_value=meter(27_500, "Transaction.End", 5),
                    )
                )
    finally:
        await gateway.stop()
    async with node.client() as http:
        tx = (await http.get("/api/v1/transactions", params={"station_id": station_id})).json()["items"][0]
        assert tx["id"].isdigit()  # serve assigned it, as a 1.6 CSMS does
        assert (tx["meter_start_wh"], tx["meter_stop_wh"], tx["energy_wh"]) == (20_000, 27_500, 7_500)
        assert tx["active"] is False and tx["stop_reason"] == "Local"
        station = (await http.get(f"/api/v1/stations/{station_id}")).json()
        assert station["ocpp_version"] == "1.6" and station["model"] == "DC-9"
