"""Bad input around the translating gateway: a station message that cannot be translated, an upstream
that answers with garbage, an upstream that refuses the connection. Each gets a clear error, nothing
is lost, the station's socket stays up. And the metrics endpoint shows both legs."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.server import ServerConnection

from chargebridge.rpc import OcppVersion
from tests.integration.gateway_helpers import start_gateway, station_url
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.ocpp_peers import Csms201, free_port, now_text, wait_for

START = {"connectorId": 1, "idTag": "TAG", "meterStart": 10, "timestamp": "2026-06-01T10:00:00Z"}


@pytest.fixture
async def csms() -> AsyncIterator[Csms201]:
    server = Csms201()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_a_message_that_cannot_be_translated_gets_a_clear_error(
    tmp_path: Path, csms: Csms201, caplog: pytest.LogCaptureFixture
) -> None:
    gateway = await start_gateway(tmp_path, csms.url, OcppVersion.V201)
    try:
        station = await RawStation.open(station_url(gateway), "CP-BAD")
        assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
        rpm_only = {
            "connectorId": 1,
            "meterValue": [{"timestamp": now_text(), "sampledValue": [{"value": "900", "measurand": "RPM"}]}],
        }
        with caplog.at_level(logging.WARNING, logger="chargebridge.translate"):
            error = await station.call("MeterValues", rpm_only)
        assert error[0] == 4 and error[2] == "NotSupported"
        assert "2.0.1" in error[3]
        assert any(
            "could not be translated" in r.getMessage() and "MeterValues" in r.getMessage() for r in caplog.records
        )
        # broken 1.6 input is the rpc layer's business, as with serve
        assert (await station.call("StatusNotification", {"connectorId": 1}))[2] == "OccurenceConstraintViolation"
        heartbeat = await station.call("Heartbeat", {})  # the socket is still up
        assert heartbeat[0] == 3 and "currentTime" in heartbeat[2]
        assert gateway.stats.translations[("station->upstream", "MeterValues", "untranslatable")] == 1
        assert csms.calls("MeterValues") == []
        await station.close()
    finally:
        await gateway.stop()


class GarbageCsms:
    """A 2.0.1 'CSMS' that answers the boot and heartbeats properly and everything else badly."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[str] = []
        self._server: Any = None

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ocpp"

    async def start(self) -> None:
        self._server = await websockets.serve(self._handle, "127.0.0.1", self.port, subprotocols=["ocpp2.0.1"])  # type: ignore[list-item]

    async def stop(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, ws: ServerConnection) -> None:
        async for raw in ws:
            frame = json.loads(raw)
            if frame[0] != 2:
                continue
            _, message_id, action, _payload = frame
            self.received.append(action)
            if action == "BootNotification":
                await ws.send(
                    json.dumps([3, message_id, {"currentTime": now_text(), "interval": 60, "status": "Accepted"}])
                )
            elif action == "Heartbeat":
                await ws.send(json.dumps([3, message_id, {"currentTime": now_text()}]))
            elif action == "Authorize":
                await ws.send(json.dumps([3, message_id, {"idTokenInfo": {"status": "Perhaps"}}]))  # breaks the schema
            elif action == "DataTransfer":
                await ws.send(json.dumps([4, message_id, "InternalError", "out of order", {}]))
            else:
                await ws.send("this is not OCPP")


async def test_an_upstream_that_answers_garbage(tmp_path: Path) -> None:
    upstream = GarbageCsms()
    await upstream.start()
    config = """
[gateway]
reconnect_min_s = 0.05
reconnect_max_s = 0.3
call_timeout_s = 0.5
answer_wait_s = 0.5
max_attempts = 2
"""
    gateway = await start_gateway(tmp_path, upstream.url, OcppVersion.V201, config=config)
    try:
        station = await RawStation.open(station_url(gateway), "CP-GARBAGE")
        assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
        authorize = await station.call("Authorize", {"idTag": "TAG"})
        assert authorize[0] == 4 and authorize[2] == "InternalError"
        assert "upstream CSMS answered Authorize" in authorize[3]
        transfer = await station.call("DataTransfer", {"vendorId": "acme"})
        assert transfer[2] == "InternalError" and "out of order" in transfer[3]
        # A transaction message is answered once it is queued; the upstream's garbage answer is retried,
        # then the message is set aside (kept, with the reason), so the queue behind it moves on.
        start = await station.call("StartTransaction", START)
        assert start[0] == 3 and start[2]["transactionId"] == 1
        bridge = gateway.bridges["CP-GARBAGE"]
        await wait_for(lambda: gateway.stats.dead_letters == 1, timeout=20, what="the dead letter")
        failed = await gateway.translator_store.failed("CP-GARBAGE")
        assert [(row["action"], row["attempts"]) for row in failed] == [("TransactionEvent", 2)]
        assert "no answer" in failed[0]["error"]
        assert failed[0]["payload"]["eventType"] == "Started"
        assert bridge.upstream is not None and bridge.upstream.garbage >= 2
        assert (await station.call("Heartbeat", {}))[0] == 3  # the station's socket stays up
        await station.close()
    finally:
        await gateway.stop()
        await upstream.stop()


async def test_an_upstream_that_refuses_the_connection(tmp_path: Path, csms: Csms201) -> None:
    csms.require_password = "right-password-123"
    config = """
[gateway]
reconnect_min_s = 0.05
reconnect_max_s = 0.2

[stations."CP-REFUSED"]
password = "stale-password-456"
"""
    gateway = await start_gateway(tmp_path, csms.url, OcppVersion.V201, config=config)
    try:
        station = await RawStation.open(station_url(gateway), "CP-REFUSED")
        boot = await station.call("BootNotification", BOOT16)
        assert boot[2]["status"] == "Pending"  # never accepted by the upstream: the station will ask again
        assert (await station.call("Heartbeat", {}))[0] == 3
        start = await station.call("StartTransaction", START)
        assert start[2] == {"transactionId": 1, "idTagInfo": {"status": "Accepted"}}
        authorize = await station.call("Authorize", {"idTag": "NEW"})
        assert authorize[2] == "InternalError" and "not reachable" in authorize[3]
        bridge = gateway.bridges["CP-REFUSED"]
        assert bridge.upstream is not None and "HTTP 401" in (bridge.upstream.last_error or "")
        assert bridge.queued == 1
        view = gateway.stations_view()[0]
        assert view["upstream_state"] in ("backoff", "connecting") and "HTTP 401" in view["upstream_error"]

        csms.require_password = "stale-password-456"  # the upstream now takes the gateway's password
        await wait_for(lambda: len(csms.calls("TransactionEvent")) == 1, what="the replay")
        boot201, event = csms.calls("BootNotification")[0], csms.calls("TransactionEvent")[0]
        assert boot201["chargingStation"]["vendorName"] == "TestVendor"  # the boot goes first
        assert event["offline"] is True and event["seqNo"] == 0
        assert (await station.call("Heartbeat", {}))[0] == 3
        await station.close()
    finally:
        await gateway.stop()


async def test_metrics_show_both_legs_and_translations(tmp_path: Path, csms: Csms201) -> None:
    gateway = await start_gateway(tmp_path, csms.url, OcppVersion.V201)
    await gateway.stop()
    from chargebridge.translate.service import TranslatingGateway, TranslatorSettings

    settings = TranslatorSettings(
        upstream=gateway.settings.upstream,
        stations=gateway.settings.stations,
        database_url=gateway.settings.database_url,
        http_port=0,
    )
    gateway = TranslatingGateway(settings, gateway.config)
    await gateway.start()
    try:
        station = await RawStation.open(station_url(gateway), "CP-METRICS")
        await station.call("BootNotification", BOOT16)
        await station.call("StartTransaction", START)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{gateway.http_port}") as http:
            text = (await http.get("/metrics")).text
            stations = (await http.get("/api/v1/gateway/stations")).json()
        assert 'chargebridge_gateway_station_up{leg="upstream",station_id="CP-METRICS"} 1.0' in text
        assert 'chargebridge_gateway_station_up{leg="station",station_id="CP-METRICS"} 1.0' in text
        started = 'action="StartTransaction",direction="station->upstream",result="ok"'
        assert f"chargebridge_gateway_translations_total{{{started}}} 1.0" in text
        assert "chargebridge_gateway_added_latency_seconds_count" in text
        assert stations == [
            {
                "station_id": "CP-METRICS",
                "station_connected": True,
                "station_version": "1.6",
                "translation": "1.6->2.0.1",
                "upstream_state": "online",
                "upstream_error": None,
                "queued": 0,
                "open_transactions": 1,
            }
        ]
        await station.close()
    finally:
        await gateway.stop()
