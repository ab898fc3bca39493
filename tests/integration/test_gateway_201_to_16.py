"""A 2.0.1 charging station on the ``ocpp`` package -> ``TranslatingGateway`` -> a 1.6 Central System on
the ``ocpp`` package (its schema validation on): the reverse direction, real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from ocpp.v16 import call as call16
from ocpp.v201 import call as call201

from chargebridge.rpc import OcppVersion
from chargebridge.translate.service import TranslatingGateway
from tests.integration.gateway_helpers import start_gateway, station_url
from tests.integration.ocpp_peers import Csms16, Station201, running, wait_for

ENERGY = "Energy.Active.Import.Register"


def ts(minute: int) -> str:
    return f"2026-06-01T11:{minute:02d}:00.000Z"


def energy(wh: int, minute: int, context: str = "Sample.Periodic") -> list[dict[str, Any]]:
    return [{"timestamp": ts(minute), "sampled_value": [{"value": wh, "context": context, "measurand": ENERGY}]}]


def event(event_type: str, seq_no: int, tx: str, minute: int, trigger: str, **extra: Any) -> Any:
    info = {"transaction_id": tx, **extra.pop("info", {})}
    return call201.TransactionEvent(
        event_type=event_type,
        timestamp=ts(minute),
        trigger_reason=trigger,
        seq_no=seq_no,
        transaction_info=info,
        **extra,
    )


@pytest.fixture
async def csms() -> AsyncIterator[Csms16]:
    server = Csms16()
    server.tokens = {"BLOCKED": "Blocked"}
    server.interval = 90
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def gateway(tmp_path: Path, csms: Csms16) -> AsyncIterator[TranslatingGateway]:
    gw = await start_gateway(tmp_path, csms.url, OcppVersion.V16)
    try:
        yield gw
    finally:
        await gw.stop()


async def connect201(gateway: TranslatingGateway, station_id: str) -> Station201:
    ws = await websockets.connect(f"{station_url(gateway)}/{station_id}", subprotocols=["ocpp2.0.1"])  # type: ignore[list-item]
    cp = Station201(station_id, ws, response_timeout=15)
    cp.variables = {("OCPPCommCtrlr", "HeartbeatInterval"): "300", ("TxCtrlr", "EVConnectionTimeOut"): "120"}
    cp.received = []
    return cp


BOOT = {"model": "DC150", "vendor_name": "Voltara", "serial_number": "V-1", "firmware_version": "4.0"}


async def test_charging_session_of_a_201_station_on_a_16_csms(csms: Csms16, gateway: TranslatingGateway) -> None:
    cp = await connect201(gateway, "CS201-A")
    async with running(cp):
        boot = await cp.call(call201.BootNotification(charging_station=BOOT, reason="PowerUp"))
        assert (boot.status, boot.interval) == ("Accepted", 90)
        await cp.call(
            call201.StatusNotification(timestamp=ts(0), connector_status="Available", evse_id=1, connector_id=1)
        )
        assert (
            await cp.call(call201.Authorize(id_token={"id_token": "BLOCKED", "type": "ISO14443"}))
        ).id_token_info == {"status": "Blocked"}
        await cp.call(
            call201.StatusNotification(timestamp=ts(1), connector_status="Occupied", evse_id=1, connector_id=1)
        )
        started = await cp.call(
            event(
                "Started",
                0,
                "tx-A",
                1,
                "Authorized",
                id_token={"id_token": "TAG-1", "type": "ISO14443"},
                evse={"id": 1, "connector_id": 1},
                meter_value=energy(1000, 1, "Transaction.Begin"),
                info={"charging_state": "Charging"},
            )
        )
        assert started.id_token_info == {"status": "Accepted"}
        await cp.call(event("Updated", 1, "tx-A", 2, "MeterValuePeriodic", meter_value=energy(1600, 2)))
        await cp.call(
            event(
                "Ended",
                2,
                "tx-A",
                3,
                "EVDeparted",
                meter_value=energy(2200, 3, "Transaction.End"),
                info={"stopped_reason": "EVDisconnected"},
            )
        )
        await cp.call(
            call201.StatusNotification(timestamp=ts(4), connector_status="Occupied", evse_id=1, connector_id=1)
        )

    assert csms.calls("BootNotification") == [
        {
            "chargePointVendor": "Voltara",
            "chargePointModel": "DC150",
            "chargePointSerialNumber": "V-1",
            "firmwareVersion": "4.0",
        }
    ]
    assert [p["status"] for p in csms.calls("StatusNotification")] == [
        "Available",
        "Preparing",
        "Charging",
        "Finishing",
    ]
    assert csms.calls("Authorize") == [{"idTag": "BLOCKED"}]
    assert csms.calls("StartTransaction") == [
        {"connectorId": 1, "idTag": "TAG-1", "meterStart": 1000, "timestamp": ts(1)}
    ]
    meter = csms.calls("MeterValues")
    assert [(m["connectorId"], m["transactionId"]) for m in meter] == [(1, 1001)]
    assert meter[0]["meterValue"][0]["sampledValue"][0]["value"] == "1600"
    stop = csms.calls("StopTransaction")[0]
    assert (stop["transactionId"], stop["meterStop"], stop["reason"]) == (1001, 2200, "EVDisconnected")


async def test_commands_of_the_16_csms_reach_the_201_station(csms: Csms16, gateway: TranslatingGateway) -> None:
    cp = await connect201(gateway, "CS201-B")
    async with running(cp):
        await cp.call(call201.BootNotification(charging_station=BOOT, reason="PowerUp"))
        await wait_for(lambda: "CS201-B" in csms.stations, what="upstream connection")
        upstream = csms.stations["CS201-B"]

        remote = await upstream.call(call16.RemoteStartTransaction(id_tag="TAG-R", connector_id=2))
        assert remote.status == "Accepted"
        request = cp.calls("RequestStartTransaction")[0]
        assert request == {"idToken": {"idToken": "TAG-R", "type": "ISO14443"}, "remoteStartId": 1, "evseId": 2}
        await cp.call(
            event(
                "Started",
                0,
                "tx-R",
                0,
                "RemoteStart",
                id_token={"id_token": "TAG-R", "type": "ISO14443"},
                evse={"id": 2, "connector_id": 1},
                meter_value=energy(0, 0, "Transaction.Begin"),
                info={"remote_start_id": 1},
            )
        )
        stop = await upstream.call(call16.RemoteStopTransaction(transaction_id=1001))
        assert stop.status == "Accepted" and cp.calls("RequestStopTransaction") == [{"transactionId": "tx-R"}]
        unknown = await upstream.call(call16.RemoteStopTransaction(transaction_id=4242))
        assert unknown.status == "Rejected"  # answered by the gateway: no such transaction

        configuration = await upstream.call(
            call16.GetConfiguration(key=["HeartbeatInterval", "ConnectionTimeOut", "Nope"])
        )
        assert configuration.configuration_key == [
            {"key": "HeartbeatInterval", "readonly": False, "value": "300"},
            {"key": "ConnectionTimeOut", "readonly": False, "value": "120"},
        ]
        assert configuration.unknown_key == ["Nope"]
        changed = await upstream.call(call16.ChangeConfiguration(key="HeartbeatInterval", value="45"))
        assert changed.status == "Accepted" and cp.variables[("OCPPCommCtrlr", "HeartbeatInterval")] == "45"
        assert (await upstream.call(call16.ChangeConfiguration(key="Nope", value="1"))).status == "NotSupported"

        reset = await upstream.call(call16.Reset(type="Soft"))
        assert reset.status == "Accepted" and cp.calls("Reset") == [{"type": "OnIdle"}]


async def test_a_transaction_started_during_an_outage_gets_the_upstreams_id_on_replay(
    csms: Csms16, gateway: TranslatingGateway
) -> None:
    cp = await connect201(gateway, "CS201-C")
    async with running(cp):
        await cp.call(call201.BootNotification(charging_station=BOOT, reason="PowerUp"))
        bridge = gateway.bridges["CS201-C"]
        await csms.stop()
        await wait_for(lambda: not bridge.upstream_online, what="the upstream to be seen away")
        started = await cp.call(
            event(
                "Started",
                0,
                "tx-O",
                0,
                "Authorized",
                id_token={"id_token": "TAG-O", "type": "ISO14443"},
                evse={"id": 1, "connector_id": 1},
                meter_value=energy(500, 0, "Transaction.Begin"),
                offline=True,
            )
        )
        assert started.id_token_info == {"status": "Accepted"}  # answered once queued
        await cp.call(event("Updated", 1, "tx-O", 1, "MeterValuePeriodic", meter_value=energy(800, 1), offline=True))
        await cp.call(event("Ended", 2, "tx-O", 2, "StopAuthorized", meter_value=energy(900, 2, "Transaction.End")))
        assert bridge.queued == 3
        await csms.start()
        await wait_for(lambda: len(csms.calls("StopTransaction")) == 1 and bridge.queued == 0, what="the replay")
    start = csms.calls("StartTransaction")
    assert start == [{"connectorId": 1, "idTag": "TAG-O", "meterStart": 500, "timestamp": ts(0)}]
    assert [m["transactionId"] for m in csms.calls("MeterValues")] == [1001]
    assert csms.calls("StopTransaction")[0]["transactionId"] == 1001
    # the CSMS heard them in the order they happened
    actions = [a for _, a, _ in csms.received if a in ("StartTransaction", "MeterValues", "StopTransaction")]
    assert actions == ["StartTransaction", "MeterValues", "StopTransaction"]
