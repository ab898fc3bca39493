"""Charge points written with another library (the `ocpp` package) run a full session against
chargebridge on both OCPP versions and both databases; the REST API shows the right energy and
remote-start / reset reach them."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import websockets
from ocpp.routing import on
from ocpp.v16 import ChargePoint as Cp16
from ocpp.v16 import call as call16
from ocpp.v16 import call_result as result16
from ocpp.v16.enums import Action as Action16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201
from ocpp.v201.enums import Action as Action201

from tests.conftest import Node, random_id


def ts(offset_s: float = 0) -> str:
    return (datetime(2026, 11, 23, 12, 0, tzinfo=UTC) + timedelta(seconds=offset_s)).isoformat().replace("+00:00", "Z")


class Station16(Cp16):
    remote_starts: list[dict[str, Any]]
    resets: list[str]

    @on(Action16.remote_start_transaction)
    async def on_remote_start(self, id_tag: str, **kwargs: Any) -> result16.RemoteStartTransaction:
        self.remote_starts.append({"id_tag": id_tag, **kwargs})
        return result16.RemoteStartTransaction(status="Accepted")

    @on(Action16.reset)
    async def on_reset(self, type: str) -> result16.Reset:
        self.resets.append(type)
        return result16.Reset(status="Accepted")


class Station201(Cp201):
    remote_starts: list[dict[str, Any]]
    resets: list[str]

    @on(Action201.request_start_transaction)
    async def on_remote_start(self, id_token: dict[str, Any], remote_start_id: int, **kwargs: Any) -> Any:
        self.remote_starts.append({"id_token": id_token, "remote_start_id": remote_start_id, **kwargs})
        return result201.RequestStartTransaction(status="Accepted")

    @on(Action201.reset)
    async def on_reset(self, type: str, **kwargs: Any) -> result201.Reset:
        self.resets.append(type)
        return result201.Reset(status="Accepted")


@contextlib.asynccontextmanager
async def running(cp: Any) -> Any:
    task = asyncio.create_task(cp.start())
    try:
        yield cp
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await task


async def add_token(node: Node, token: str, status: str = "Accepted") -> None:
    async with node.client() as http:
        response = await http.post("/api/v1/id-tokens", json={"id_token": token, "status": status})
        assert response.status_code == 201, response.text


async def test_ocpp16_charge_point_full_session(node: Node) -> None:
    station_id = random_id("LIB16")
    await add_token(node, "TAG-OK")
    await add_token(node, "TAG-BLOCKED", "Blocked")
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp1.6"]) as ws:
        assert ws.subprotocol == "ocpp1.6"
        cp = Station16(station_id, ws)
        cp.remote_starts, cp.resets = [], []
        async with running(cp):
            boot = await cp.call(
                call16.BootNotification(
                    charge_point_model="AC-22", charge_point_vendor="LibVendor", firmware_version="1.2.3"
                )
            )
            assert boot.status == "Accepted" and boot.interval == 60
            await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
            assert (await cp.call(call16.Authorize(id_tag="TAG-OK"))).id_tag_info["status"] == "Accepted"
            assert (await cp.call(call16.Authorize(id_tag="TAG-BLOCKED"))).id_tag_info["status"] == "Blocked"
            assert (await cp.call(call16.Authorize(id_tag="NOBODY"))).id_tag_info["status"] == "Invalid"
            start = await cp.call(
                call16.StartTransaction(connector_id=1, id_tag="TAG-OK", meter_start=1000, timestamp=ts())
            )
            assert start.id_tag_info["status"] == "Accepted"
            tx_id = start.transaction_id
            for i, wh in enumerate((2000, 3500)):
                await cp.call(
                    call16.MeterValues(
                        connector_id=1,
                        transaction_id=tx_id,
                        meter_value=[
                            {
                                "timestamp": ts(60 * (i + 1)),
                                "sampledValue": [
                                    {"value": str(wh), "measurand": "Energy.Active.Import.Register", "unit": "Wh"},
                                    {"value": "7.2", "measurand": "Power.Active.Import", "unit": "kW"},
                                    {"value": "230.1", "measurand": "Voltage", "unit": "V", "phase": "L1-N"},
                                ],
                            }
                        ],
                    )
                )
            async with node.client() as http:
                cmd = await http.post(
                    f"/api/v1/stations/{station_id}/commands/remote-start", json={"id_token": "TAG-OK", "evse_id": 1}
                )
                assert cmd.status_code == 200, cmd.text
                assert cmd.json()["status"] == "Accepted" and cmd.json()["round_trip_ms"] > 0
                reset = await http.post(f"/api/v1/stations/{station_id}/commands/reset", json={"type": "hard"})
                assert reset.json()["status"] == "Accepted"
            assert cp.remote_starts[0]["id_tag"] == "TAG-OK" and cp.remote_starts[0]["connector_id"] == 1
            assert cp.resets == ["Hard"]
            await cp.call(
                call16.StopTransaction(
                    meter_stop=4200, timestamp=ts(300), transaction_id=tx_id, reason="EVDisconnected", id_tag="TAG-OK"
                )
            )
    async with node.client() as http:
        txs = (await http.get("/api/v1/transactions", params={"station_id": station_id})).json()["items"]
        assert len(txs) == 1
        tx = txs[0]
        assert tx["id"] == str(tx_id)
        assert tx["energy_wh"] == 3200 and tx["meter_start_wh"] == 1000 and tx["meter_stop_wh"] == 4200
        assert tx["stop_reason"] == "EVDisconnected" and tx["active"] is False and not tx["energy_mismatch"]
        station = (await http.get(f"/api/v1/stations/{station_id}")).json()
        assert station["vendor"] == "LibVendor" and station["firmware_version"] == "1.2.3"
        assert station["ocpp_version"] == "1.6"
        assert station["evses"][0]["connectors"][0]["status"] == "Available"
        samples = (await http.get(f"/api/v1/stations/{station_id}/meter-values")).json()["items"]
        power = [s for s in samples if s["measurand"] == "Power.Active.Import"]
        assert power and all(s["value"] == 7200 and s["unit"] == "W" for s in power)


async def test_ocpp201_charging_station_full_session(node: Node) -> None:
    station_id = random_id("LIB201")
    await add_token(node, "TOKEN-201")
    async with websockets.connect(f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp1.6", "ocpp2.0.1"]) as ws:
        assert ws.subprotocol == "ocpp2.0.1"  # both offered: 2.0.1 wins
        cp = Station201(station_id, ws)
        cp.remote_starts, cp.resets = [], []
        async with running(cp):
            boot = await cp.call(
                call201.BootNotification(
                    charging_station={"model": "DC-150", "vendor_name": "LibVendor", "firmware_version": "4.5"},
                    reason="PowerUp",
                )
            )
            assert boot.status == "Accepted"
            await cp.call(
                call201.StatusNotification(timestamp=ts(), connector_status="Available", evse_id=1, connector_id=1)
            )
            auth = await cp.call(call201.Authorize(id_token={"id_token": "TOKEN-201", "type": "ISO14443"}))
            assert auth.id_token_info["status"] == "Accepted"
            token = {"id_token": "TOKEN-201", "type": "ISO14443"}

            def meter(wh: float, context: str, offset: float) -> list[dict[str, Any]]:
                return [
                    {
                        "timestamp": ts(offset),
                        "sampled_value": [
                            {
                                "value": wh / 1000,
                                "measurand": "Energy.Active.Import.Register",
                                "context": context,
                                "unit_of_measure": {"unit": "kWh"},
                            }
                        ],
                    }
                ]

            started = await cp.call(
                call201.TransactionEvent(
                    event_type="Started",
                    timestamp=ts(),
                    trigger_reason="Authorized",
                    seq_no=0,
                    transaction_info={"transaction_id": "TX-201-A", "charging_state": "Charging"},
                    evse={"id": 1, "connector_id": 1},
                    id_token=token,
                    meter_value=meter(50_000, "Transaction.Begin", 0),
                )
            )
            assert started.id_token_info["status"] == "Accepted"
            await cp.call(
                call201.TransactionEvent(
                    event_type="Updated",
                    timestamp=ts(60),
                    trigger_reason="MeterValuePeriodic",
                    seq_no=1,
                    transaction_info={"transaction_id": "TX-201-A"},
                    meter_value=meter(62_500, "Sample.Periodic", 60),
                )
            )
            async with node.client() as http:
                cmd = await http.post(
                    f"/api/v1/stations/{station_id}/commands/remote-start", json={"id_token": "TOKEN-201", "evse_id": 2}
                )
                assert cmd.status_code == 200 and cmd.json()["status"] == "Accepted"
                reset = await http.post(f"/api/v1/stations/{station_id}/commands/reset", json={"type": "soft"})
                assert reset.json()["status"] == "Accepted"
            assert cp.remote_starts[0]["id_token"]["id_token"] == "TOKEN-201"
            assert cp.remote_starts[0]["evse_id"] == 2
            assert cp.resets == ["OnIdle"]
            await cp.call(
                call201.TransactionEvent(
                    event_type="Ended",
                    timestamp=ts(120),
                    trigger_reason="EVCommunicationLost",
                    seq_no=2,
                    transaction_info={"transaction_id": "TX-201-A", "stopped_reason": "EVDisconnected"},
                    meter_value=meter(75_250, "Transaction.End", 120),
                )
            )
    async with node.client() as http:
        tx = (await http.get("/api/v1/transactions", params={"station_id": station_id})).json()["items"][0]
        assert tx["id"] == "TX-201-A"
        assert tx["meter_start_wh"] == 50_000 and tx["meter_stop_wh"] == 75_250
        assert abs(tx["energy_wh"] - 25_250) < 1e-6
        assert tx["stop_reason"] == "EVDisconnected" and tx["active"] is False
        station = (await http.get(f"/api/v1/stations/{station_id}")).json()
        assert station["ocpp_version"] == "2.0.1" and station["model"] == "DC-150"
