"""A 1.6 charge point on the ``ocpp`` package -> ``TranslatingGateway`` -> a 2.0.1 CSMS on the ``ocpp``
package (its schema validation on): boot, status, authorization, a full transaction, remote start,
reset, configuration through variables, an upstream outage and a gateway restart. Real sockets."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import websockets
from ocpp.exceptions import NotSupportedError
from ocpp.v16 import call as call16
from ocpp.v201 import ChargePoint as Cp201
from ocpp.v201 import call as call201
from ocpp.v201 import call_result as result201

from chargebridge.rpc import OcppVersion
from chargebridge.translate.service import TranslatingGateway
from tests.conftest import PG_HOST, PG_PORT, need_service
from tests.integration.gateway_helpers import start_gateway, station_url
from tests.integration.ocpp_peers import Csms201, Station16, Station201, running, wait_for

ENERGY = "Energy.Active.Import.Register"


def ts(minute: int) -> str:
    return f"2026-06-01T10:{minute:02d}:00.000Z"


def meter(wh: int, minute: int) -> list[dict[str, Any]]:
    return [
        {
            "timestamp": ts(minute),
            "sampledValue": [
                {"value": str(wh), "measurand": ENERGY, "unit": "Wh"},
                {"value": "7.2", "measurand": "Power.Active.Import", "unit": "kW"},
            ],
        }
    ]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest) -> AsyncIterator[str | None]:
    if request.param == "sqlite":
        yield None
        return
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    import asyncpg

    schema = f"cb_gw_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
    await conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    finally:
        await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await conn.close()


@pytest.fixture
async def csms() -> AsyncIterator[Csms201]:
    server = Csms201()
    server.tokens = {"BLOCKED": "Blocked"}
    server.interval = 120
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def gateway(tmp_path: Path, csms: Csms201, database_url: str | None) -> AsyncIterator[TranslatingGateway]:
    gw = await start_gateway(tmp_path, csms.url, OcppVersion.V201, database_url=database_url)
    try:
        yield gw
    finally:
        await gw.stop()


async def connect16(gateway: TranslatingGateway, station_id: str) -> Any:
    ws = await websockets.connect(f"{station_url(gateway)}/{station_id}", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
    assert ws.subprotocol == "ocpp1.6"
    cp = Station16(station_id, ws, response_timeout=15)
    cp.config = {"HeartbeatInterval": "300", "MeterValueSampleInterval": "60"}
    cp.received = []
    return cp


def events(csms: Csms201, station_id: str) -> list[dict[str, Any]]:
    return csms.calls("TransactionEvent", station_id)


async def test_charging_session_of_a_16_charge_point_on_a_201_csms(csms: Csms201, gateway: TranslatingGateway) -> None:
    cp = await connect16(gateway, "CP16-A")
    async with running(cp):
        boot = await cp.call(
            call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22", firmware_version="4.2")
        )
        assert (boot.status, boot.interval) == ("Accepted", 120)  # the upstream's answer
        await cp.call(call16.StatusNotification(connector_id=1, error_code="NoError", status="Available"))
        assert (await cp.call(call16.Authorize(id_tag="TAG-OK"))).id_tag_info["status"] == "Accepted"
        assert (await cp.call(call16.Authorize(id_tag="BLOCKED"))).id_tag_info["status"] == "Blocked"
        start = await cp.call(
            call16.StartTransaction(connector_id=1, id_tag="TAG-OK", meter_start=1000, timestamp=ts(0))
        )
        assert isinstance(start.transaction_id, int) and start.id_tag_info["status"] == "Accepted"
        for minute, wh in ((1, 1500), (2, 2100)):
            await cp.call(
                call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=meter(wh, minute))
            )
        stop = await cp.call(
            call16.StopTransaction(
                transaction_id=start.transaction_id, meter_stop=2500, timestamp=ts(3), reason="Local"
            )
        )
        assert stop is not None
        blocked = await cp.call(
            call16.StartTransaction(connector_id=1, id_tag="BLOCKED", meter_start=2500, timestamp=ts(4))
        )
        assert blocked.id_tag_info["status"] == "Blocked"  # the upstream's idTokenInfo reaches the station
        assert blocked.transaction_id == start.transaction_id + 1

    boot201 = csms.calls("BootNotification", "CP16-A")[0]
    assert boot201 == {
        "chargingStation": {"model": "AC22", "vendorName": "Acme", "firmwareVersion": "4.2"},
        "reason": "PowerUp",
    }
    status = csms.calls("StatusNotification", "CP16-A")[0]
    assert (status["connectorStatus"], status["evseId"], status["connectorId"]) == ("Available", 1, 1)
    assert [a["idToken"] for a in csms.calls("Authorize", "CP16-A")] == [
        {"idToken": "TAG-OK", "type": "ISO14443"},
        {"idToken": "BLOCKED", "type": "ISO14443"},
    ]
    tx = events(csms, "CP16-A")
    assert [(e["eventType"], e["seqNo"]) for e in tx] == [
        ("Started", 0),
        ("Updated", 1),
        ("Updated", 2),
        ("Ended", 3),
        ("Started", 4),
    ]
    first = {e["transactionInfo"]["transactionId"] for e in tx[:4]}
    assert len(first) == 1 and len(next(iter(first))) == 36
    assert tx[4]["transactionInfo"]["transactionId"] not in first
    assert tx[0]["idToken"] == {"idToken": "TAG-OK", "type": "ISO14443"}
    begin = tx[0]["meterValue"][0]["sampledValue"][0]
    assert (begin["value"], begin["context"], begin["measurand"]) == (1000, "Transaction.Begin", ENERGY)
    assert [v["value"] for v in tx[1]["meterValue"][0]["sampledValue"]] == [1500, 7200]
    end = tx[3]["meterValue"][-1]["sampledValue"][-1]
    assert (end["value"], end["context"]) == (2500, "Transaction.End")
    assert tx[3]["transactionInfo"]["stoppedReason"] == "Local" and tx[3]["triggerReason"] == "StopAuthorized"
    assert not any(e.get("offline") for e in tx)
    assert gateway.stats.translations[("station->upstream", "StartTransaction", "ok")] == 2


async def test_remote_start_reset_and_configuration_from_the_201_csms(
    csms: Csms201, gateway: TranslatingGateway
) -> None:
    cp = await connect16(gateway, "CP16-B")
    async with running(cp):
        await cp.call(call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22"))
        await wait_for(lambda: "CP16-B" in csms.stations, what="upstream connection")
        upstream: Cp201 = csms.stations["CP16-B"]

        started = await upstream.call(
            call201.RequestStartTransaction(
                id_token={"idToken": "TAG-R", "type": "ISO14443"}, remote_start_id=77, evse_id=1
            )
        )
        assert started.status == "Accepted"
        assert cp.calls("RemoteStartTransaction") == [{"idTag": "TAG-R", "connectorId": 1}]
        start = await cp.call(call16.StartTransaction(connector_id=1, id_tag="TAG-R", meter_start=0, timestamp=ts(0)))
        first = events(csms, "CP16-B")[0]
        assert first["triggerReason"] == "RemoteStart" and first["transactionInfo"]["remoteStartId"] == 77

        variables = await upstream.call(
            call201.GetVariables(
                get_variable_data=[
                    {"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}},
                    {"component": {"name": "SampledDataCtrlr"}, "variable": {"name": "TxUpdatedInterval"}},
                    {"component": {"name": "TxCtrlr"}, "variable": {"name": "StopTxOnInvalidId"}},
                ]
            )
        )
        results = [(r["attribute_status"], r.get("attribute_value")) for r in variables.get_variable_result]
        assert results == [("Accepted", "300"), ("Accepted", "60"), ("UnknownVariable", None)]
        assert cp.calls("GetConfiguration")[0]["key"] == [
            "HeartbeatInterval",
            "MeterValueSampleInterval",
            "StopTransactionOnInvalidId",
        ]
        changed = await upstream.call(
            call201.SetVariables(
                set_variable_data=[
                    {
                        "attributeValue": "30",
                        "component": {"name": "OCPPCommCtrlr"},
                        "variable": {"name": "HeartbeatInterval"},
                    }
                ]
            )
        )
        assert changed.set_variable_result[0]["attribute_status"] == "Accepted"
        assert cp.config["HeartbeatInterval"] == "30"

        stop = await upstream.call(
            call201.RequestStopTransaction(transaction_id=first["transactionInfo"]["transactionId"])
        )
        assert stop.status == "Accepted"
        assert cp.calls("RemoteStopTransaction") == [{"transactionId": start.transaction_id}]

        with pytest.raises(NotSupportedError):  # no 1.6 meaning: the spec's CALLERROR, never a silent Accepted
            await upstream.call(call201.GetBaseReport(request_id=1, report_base="FullInventory"), suppress=False)

        reset = await upstream.call(call201.Reset(type="Immediate"))
        assert reset.status == "Accepted" and cp.calls("Reset") == [{"type": "Hard"}]
        await cp.call(call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22"))
    assert csms.calls("BootNotification", "CP16-B")[-1]["reason"] == "RemoteReset"


async def test_upstream_outage_queues_then_replays_in_order(csms: Csms201, gateway: TranslatingGateway) -> None:
    cp = await connect16(gateway, "CP16-C")
    async with running(cp):
        await cp.call(call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22"))
        start = await cp.call(call16.StartTransaction(connector_id=1, id_tag="TAG", meter_start=100, timestamp=ts(0)))
        await cp.call(
            call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=meter(200, 1))
        )
        bridge = gateway.bridges["CP16-C"]

        await csms.stop()
        await wait_for(lambda: not bridge.upstream_online, what="the upstream to be seen away")
        # The station keeps being answered: transaction messages once they are committed to the queue.
        await cp.call(
            call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=meter(300, 2))
        )
        await cp.call(call16.StopTransaction(transaction_id=start.transaction_id, meter_stop=400, timestamp=ts(3)))
        second = await cp.call(call16.StartTransaction(connector_id=2, id_tag="TAG", meter_start=400, timestamp=ts(4)))
        assert second.transaction_id == start.transaction_id + 1 and second.id_tag_info["status"] == "Accepted"
        await cp.call(
            call16.MeterValues(connector_id=2, transaction_id=second.transaction_id, meter_value=meter(450, 5))
        )
        assert (await cp.call(call16.Heartbeat())).current_time
        await cp.call(call16.StatusNotification(connector_id=2, error_code="NoError", status="Charging"))
        assert bridge.queued == 5  # Updated, Ended, Started, Updated, the Charging state change

        await csms.start()
        await wait_for(lambda: len(events(csms, "CP16-C")) == 7 and bridge.queued == 0, what="the replay")
        # a message after the outage goes after the replayed ones
        await cp.call(call16.StopTransaction(transaction_id=second.transaction_id, meter_stop=500, timestamp=ts(6)))

    tx = events(csms, "CP16-C")
    assert [e["seqNo"] for e in tx] == list(range(8))  # in order, no gap, no duplicate
    assert [e["eventType"] for e in tx] == [
        "Started",
        "Updated",
        "Updated",
        "Ended",
        "Started",
        "Updated",
        "Updated",
        "Ended",
    ]
    assert [bool(e.get("offline")) for e in tx] == [False, False, True, True, True, True, True, False]
    assert tx[6]["triggerReason"] == "ChargingStateChanged"  # the Charging status after the second start
    ids = [e["transactionInfo"]["transactionId"] for e in tx]
    assert len(set(ids[:4])) == 1 and len(set(ids[4:])) == 1 and ids[0] != ids[4]
    assert csms.calls("StatusNotification", "CP16-C")[-1]["connectorStatus"] == "Occupied"  # re-sent after the outage
    # each delivered message leaves the queue table right after its answer (committed before the next goes out)
    for _ in range(100):
        if await gateway.translator_store.counts() == {}:
            break
        await asyncio.sleep(0.05)
    assert await gateway.translator_store.counts() == {}


async def test_restart_of_the_gateway_loses_nothing(tmp_path: Path, csms: Csms201, database_url: str | None) -> None:
    gw = await start_gateway(tmp_path, csms.url, OcppVersion.V201, database_url=database_url)
    port = gw.gateway.port if gw.gateway else 0
    try:
        cp = await connect16(gw, "CP16-D")
        async with running(cp):
            await cp.call(call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22"))
            start = await cp.call(
                call16.StartTransaction(connector_id=1, id_tag="TAG", meter_start=100, timestamp=ts(0))
            )
            await csms.stop()
            await wait_for(lambda: not gw.bridges["CP16-D"].upstream_online, what="the upstream to be seen away")
            await cp.call(
                call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=meter(200, 1))
            )
            await cp.call(call16.StopTransaction(transaction_id=start.transaction_id, meter_stop=300, timestamp=ts(2)))
    finally:
        await gw.stop()

    assert len(events(csms, "CP16-D")) == 1
    await csms.start()
    gw = await start_gateway(tmp_path, csms.url, OcppVersion.V201, database_url=database_url, port=port)
    try:
        # The queue is replayed from the database, with no station connected.
        await wait_for(lambda: len(events(csms, "CP16-D")) == 3, what="the replay after the restart")
        cp = await connect16(gw, "CP16-D")
        async with running(cp):
            # the station re-sends the stop it may not have seen answered: not a second Ended
            await cp.call(call16.StopTransaction(transaction_id=start.transaction_id, meter_stop=300, timestamp=ts(2)))
            second = await cp.call(
                call16.StartTransaction(connector_id=1, id_tag="TAG", meter_start=300, timestamp=ts(5))
            )
            assert second.transaction_id == start.transaction_id + 1  # the counter survived the restart
    finally:
        await gw.stop()
    tx = events(csms, "CP16-D")
    assert [(e["eventType"], e["seqNo"], bool(e.get("offline"))) for e in tx] == [
        ("Started", 0, False),
        ("Updated", 1, True),
        ("Ended", 2, True),
        ("Started", 3, False),
    ]
    assert len({e["transactionInfo"]["transactionId"] for e in tx[:3]}) == 1


async def test_restart_in_the_middle_of_a_replay_sends_nothing_twice(
    tmp_path: Path, csms: Csms201, database_url: str | None
) -> None:
    gw = await start_gateway(tmp_path, csms.url, OcppVersion.V201, database_url=database_url)
    port = gw.gateway.port if gw.gateway else 0
    try:
        cp = await connect16(gw, "CP16-R")
        async with running(cp):
            await cp.call(call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22"))
            start = await cp.call(call16.StartTransaction(connector_id=1, id_tag="TAG", meter_start=0, timestamp=ts(0)))
            await csms.stop()
            await wait_for(lambda: not gw.bridges["CP16-R"].upstream_online, what="the upstream to be seen away")
            for minute in range(1, 21):
                sample = meter(100 * minute, minute % 60)
                await cp.call(
                    call16.MeterValues(connector_id=1, transaction_id=start.transaction_id, meter_value=sample)
                )
        csms.delay_s = 0.05  # slow enough to stop the gateway in the middle of the replay
        await csms.start()
        await wait_for(lambda: len(events(csms, "CP16-R")) >= 6, what="the replay to begin")
    finally:
        await gw.stop()  # graceful: the message in flight is answered and recorded first
    replayed_before = len(events(csms, "CP16-R"))
    assert replayed_before < 21
    csms.delay_s = 0.0
    gw = await start_gateway(tmp_path, csms.url, OcppVersion.V201, database_url=database_url, port=port)
    try:
        await wait_for(lambda: len(events(csms, "CP16-R")) >= 21, what="the rest of the replay")
        await asyncio.sleep(0.3)
    finally:
        await gw.stop()
    seq_nos = [e["seqNo"] for e in events(csms, "CP16-R")]
    assert seq_nos == list(range(21)), seq_nos  # every event once, in order, across the restart


async def test_201_station_on_a_201_csms_passes_through(csms: Csms201, gateway: TranslatingGateway) -> None:
    ws = await websockets.connect(f"{station_url(gateway)}/CS201-P", subprotocols=["ocpp2.0.1", "ocpp1.6"])  # type: ignore[list-item]
    assert ws.subprotocol == "ocpp2.0.1"
    cp = Station201("CS201-P", ws, response_timeout=15)
    cp.variables = {("OCPPCommCtrlr", "HeartbeatInterval"): "300"}
    async with running(cp):
        boot = await cp.call(
            call201.BootNotification(charging_station={"model": "M", "vendorName": "V"}, reason="PowerUp")
        )
        assert boot.status == "Accepted" and boot.interval == 120
        event = {
            "event_type": "Started",
            "timestamp": ts(0),
            "trigger_reason": "Authorized",
            "seq_no": 0,
            "transaction_info": {"transaction_id": "tx-pass-1"},
            "id_token": {"id_token": "TAG", "type": "ISO14443"},
            "evse": {"id": 1, "connector_id": 1},
        }
        answer = await cp.call(call201.TransactionEvent(**event))
        assert answer.id_token_info == {"status": "Accepted"}
        await wait_for(lambda: "CS201-P" in csms.stations, what="upstream connection")
        report = await csms.stations["CS201-P"].call(
            call201.GetVariables(
                get_variable_data=[{"component": {"name": "OCPPCommCtrlr"}, "variable": {"name": "HeartbeatInterval"}}]
            )
        )
        assert report.get_variable_result[0]["attribute_value"] == "300"
    assert events(csms, "CS201-P") == [
        {
            "eventType": "Started",
            "timestamp": ts(0),
            "triggerReason": "Authorized",
            "seqNo": 0,
            "transactionInfo": {"transactionId": "tx-pass-1"},
            "idToken": {"idToken": "TAG", "type": "ISO14443"},
            "evse": {"id": 1, "connectorId": 1},
        }
    ]
    assert isinstance(result201.TransactionEvent(), result201.TransactionEvent)


async def test_a_station_that_changes_version_keeps_its_queue(csms: Csms201, gateway: TranslatingGateway) -> None:
    cp = await connect16(gateway, "CP-UPGRADE")
    async with running(cp):
        await cp.call(call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22"))
        await csms.stop()
        await wait_for(lambda: not gateway.bridges["CP-UPGRADE"].upstream_online, what="the upstream to be seen away")
        await cp.call(call16.StartTransaction(connector_id=1, id_tag="T", meter_start=0, timestamp=ts(0)))
    await cp._connection.close()
    # new firmware: the same station now speaks 2.0.1, which the upstream speaks too (passthrough)
    ws = await websockets.connect(f"{station_url(gateway)}/CP-UPGRADE", subprotocols=["ocpp2.0.1"])  # type: ignore[list-item]
    upgraded = Station201("CP-UPGRADE", ws, response_timeout=15)
    upgraded.variables = {}
    async with running(upgraded):
        await csms.start()
        await wait_for(lambda: len(events(csms, "CP-UPGRADE")) == 1, what="the queued event")
        boot = await upgraded.call(
            call201.BootNotification(charging_station={"model": "M", "vendorName": "V"}, reason="FirmwareUpdate")
        )
        assert boot.status == "Accepted"
    assert events(csms, "CP-UPGRADE")[0]["eventType"] == "Started" and events(csms, "CP-UPGRADE")[0]["offline"] is True
    assert csms.calls("BootNotification", "CP-UPGRADE")[-1]["reason"] == "FirmwareUpdate"  # passed through as it is


async def test_several_stations_each_get_their_own_upstream_connection(
    csms: Csms201, gateway: TranslatingGateway
) -> None:
    stations = [await connect16(gateway, f"CP16-M{i}") for i in range(5)]

    async def session(cp: Any) -> None:
        async with running(cp):
            await cp.call(call16.BootNotification(charge_point_vendor="Acme", charge_point_model="AC22"))
            start = await cp.call(call16.StartTransaction(connector_id=1, id_tag="T", meter_start=0, timestamp=ts(0)))
            await cp.call(call16.StopTransaction(transaction_id=start.transaction_id, meter_stop=10, timestamp=ts(1)))

    await asyncio.gather(*(session(cp) for cp in stations))
    for i in range(5):
        assert [e["seqNo"] for e in events(csms, f"CP16-M{i}")] == [0, 1]
    assert csms.connects == 5
