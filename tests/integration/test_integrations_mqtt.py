"""MQTT bridge against the real Mosquitto on 127.0.0.1:1883 (unique topic prefix and client ids per test)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiomqtt
import pytest
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from chargebridge.integrations.mqtt import MqttBridge
from tests.conftest import Node, need_service, random_id, start_node
from tests.integration.helpers import BOOT16, RawStation

BROKER = ("127.0.0.1", 1883)
NOW = "2024-05-01T12:00:00Z"


class TcpProxy:
    """A loopback TCP relay to the broker that can be stopped and restarted on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._pipes: set[asyncio.Task[None]] = set()

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.transport.abort()
        self._writers.clear()
        for task in list(self._pipes):
            task.cancel()
        await self._server.wait_closed()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers += [writer, up_writer]
        for src, dst in ((reader, up_writer), (up_reader, writer)):
            task = asyncio.create_task(self._pipe(src, dst))
            self._pipes.add(task)
            task.add_done_callback(self._pipes.discard)

    @staticmethod
    async def _pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.CancelledError):
            while data := await src.read(65536):
                dst.write(data)
                await dst.drain()
        dst.close()


class Collector:
    """A test subscriber straight on Mosquitto, collecting everything under a prefix."""

    def __init__(self, client: aiomqtt.Client):
        self.client = client
        self.messages: list[aiomqtt.Message] = []
        self._new = asyncio.Event()

    async def run(self) -> None:
        async for message in self.client.messages:
            self.messages.append(message)
            self._new.set()

    def on(self, suffix: str) -> list[dict[str, Any]]:
        return [json.loads(m.payload) for m in self.messages if str(m.topic).endswith(suffix)]  # type: ignore[arg-type]

    async def wait_for(self, predicate: Any, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"timed out; got {[str(m.topic) for m in self.messages]}"
            self._new.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new.wait(), remaining)


@contextlib.asynccontextmanager
async def collector(topic: str) -> AsyncIterator[Collector]:
    client = aiomqtt.Client(
        *BROKER, identifier=f"cbtest-sub-{secrets.token_hex(4)}", protocol=aiomqtt.ProtocolVersion.V5
    )
    async with client:
        await client.subscribe(topic, qos=1)
        result = Collector(client)
        task = asyncio.create_task(result.run())
        try:
            yield result
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def mqtt_config(prefix: str, port: int = BROKER[1], **extra: str) -> str:
    lines = [
        "[mqtt]",
        "enabled = true",
        f"port = {port}",
        f'client_id = "cbtest-bridge-{secrets.token_hex(4)}"',
        f'topic_prefix = "{prefix}"',
        "reconnect_min_s = 0.05",
        "reconnect_max_s = 0.2",
        *(f"{k} = {v}" for k, v in extra.items()),
        "[mqtt.commands]",
        "enabled = true",
        "timeout_s = 3.0",
        "[[mqtt.commands.rules]]",
        'clients = ["ops-*"]',
        'stations = ["CP-*"]',
        'commands = ["reset", "trigger-message"]',
    ]
    return "\n".join(lines) + "\n"


def bridge_of(node: Node) -> MqttBridge:
    return next(ext for ext in node.app.extensions if isinstance(ext, MqttBridge))


@pytest.fixture
async def mqtt_node(tmp_path: Path) -> AsyncIterator[tuple[Node, str]]:
    need_service("Mosquitto", *BROKER)
    prefix = f"cbtest-{secrets.token_hex(4)}"
    config = tmp_path / "cb.toml"
    config.write_text(mqtt_config(prefix))
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    try:
        await asyncio.wait_for(bridge_of(node).connected.wait(), 10)
        yield node, prefix
    finally:
        await node.app.stop()


async def test_telemetry_and_transactions_appear_under_the_topic_tree(mqtt_node: tuple[Node, str]) -> None:
    node, prefix = mqtt_node
    station_id = random_id()
    base = f"{prefix}/{station_id}"
    async with collector(f"{prefix}/#") as seen:
        station = await RawStation.open(node.ocpp_url, station_id)
        try:
            await station.call("BootNotification", BOOT16)
            await station.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"})
            started = await station.call(
                "StartTransaction", {"connectorId": 1, "idTag": "TAG1", "meterStart": 1000, "timestamp": NOW}
            )
            tx = started[2]["transactionId"]
            sample = {"value": "1500", "measurand": "Energy.Active.Import.Register", "unit": "Wh"}
            await station.call(
                "MeterValues",
                {"connectorId": 1, "transactionId": tx, "meterValue": [{"timestamp": NOW, "sampledValue": [sample]}]},
            )
            await station.call("StopTransaction", {"transactionId": tx, "meterStop": 2500, "timestamp": NOW})
            await station.call(
                "StatusNotification", {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted"}
            )
            await seen.wait_for(
                lambda: (
                    len(seen.on(f"{base}/transaction")) >= 2 and seen.on(f"{base}/fault") and seen.on(f"{base}/meter")
                )
            )
        finally:
            await station.close()
        await seen.wait_for(lambda: any(not m["data"].get("ocpp_version") for m in seen.on(f"{base}/connection")))

    connection = seen.on(f"{base}/connection")
    assert [m["kind"] for m in connection] == ["station.connected", "station.disconnected"]
    assert connection[0]["station_id"] == station_id and connection[0]["data"] == {"ocpp_version": "1.6"}
    assert "station.booted" in [m["kind"] for m in seen.on(f"{base}/event")]
    assert seen.on(f"{base}/status")[0]["kind"] == "status.changed"
    transactions = seen.on(f"{base}/transaction")
    assert [m["kind"] for m in transactions] == ["transaction.started", "transaction.ended"]
    assert transactions[-1]["data"]["transaction_id"] == str(tx) and transactions[-1]["data"]["energy_wh"] == 1500
    assert seen.on(f"{base}/meter")[0]["kind"] == "meter.sampled"
    assert seen.on(f"{base}/fault")[0]["kind"] == "fault.raised"

    # state topics are retained: a late subscriber gets the latest connection and status at once
    async with collector(f"{base}/+") as late:
        await late.wait_for(lambda: late.on("/connection") and late.on("/status"))
        assert all(m.retain for m in late.messages)
        assert late.on("/connection")[-1]["kind"] == "station.disconnected"
        assert not late.on("/meter") and not late.on("/transaction")
    # clear the retained messages of this test
    async with aiomqtt.Client(*BROKER, identifier=f"cbtest-clean-{secrets.token_hex(4)}") as cleaner:
        for leaf in ("connection", "status"):
            await cleaner.publish(f"{base}/{leaf}", b"", qos=1, retain=True)


async def send_command(
    client: aiomqtt.Client, topic: str, body: dict[str, Any], sender: str, correlation: bytes
) -> None:
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    props.UserProperty = [("client-id", sender)]
    props.CorrelationData = correlation
    await client.publish(topic, json.dumps(body), qos=1, properties=props)


def signed_in(token: str, body: dict[str, Any]) -> dict[str, Any]:
    """The command envelope: an API token, a fresh nonce and time, and the command's body."""
    return {"token": token, "nonce": secrets.token_hex(8), "sent_at": datetime.now(UTC).isoformat(), "body": body}


async def named_token(node: Node, name: str, role: str = "operator") -> str:
    async with node.client() as http:
        answer = await http.post("/api/v1/tokens", json={"role": role, "name": name})
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


async def test_command_round_trip_and_access_rules(mqtt_node: tuple[Node, str]) -> None:
    node, prefix = mqtt_node
    ops, intruder = await named_token(node, "ops-1"), await named_token(node, "intruder")
    station_id = random_id("CP")
    station = await RawStation.open(node.ocpp_url, station_id)
    reply_topic = f"{prefix}/{station_id}/command/reset/reply"
    commander = aiomqtt.Client(
        *BROKER, identifier=f"cbtest-ops-{secrets.token_hex(4)}", protocol=aiomqtt.ProtocolVersion.V5
    )
    try:
        await station.call("BootNotification", BOOT16)
        async with commander, collector(f"{prefix}/+/command/+/reply") as replies:
            reset = f"{prefix}/{station_id}/command/reset"
            await send_command(commander, reset, signed_in(ops, {"type": "hard"}), "ops-1", b"c-1")
            call = await station.recv()
            assert call[2] == "Reset" and call[3] == {"type": "Hard"}
            await station.send_raw(json.dumps([3, call[1], {"status": "Accepted"}]))
            await replies.wait_for(lambda: replies.on(reply_topic))
            reply = replies.on(reply_topic)[0]
            assert reply["ok"] is True and reply["status"] == "Accepted" and reply["action"] == "Reset"
            assert replies.messages[0].properties.CorrelationData == b"c-1"  # type: ignore[union-attr]

            await send_command(commander, reset, signed_in(intruder, {}), "ops-1", b"c-2")
            await send_command(commander, f"{prefix}/XY-1/command/reset", signed_in(ops, {}), "ops-1", b"c-3")
            unlock = f"{prefix}/{station_id}/command/unlock"
            await send_command(commander, unlock, signed_in(ops, {"evse_id": 1}), "ops-1", b"c-4")
            await send_command(commander, reset, signed_in(ops, {"type": "x"}), "ops-1", b"c-5")
            await send_command(commander, reset, {"type": "hard"}, "ops-1", b"c-6")  # no token
            await replies.wait_for(lambda: len(replies.messages) == 6)
            by_correlation = {
                m.properties.CorrelationData: json.loads(m.payload)  # type: ignore[union-attr,arg-type]
                for m in replies.messages
            }
            assert by_correlation[b"c-2"]["error"]["code"] == 403
            assert by_correlation[b"c-3"]["error"]["code"] == 403
            assert by_correlation[b"c-4"]["error"]["code"] == 403
            assert by_correlation[b"c-5"]["error"]["code"] == 422
            assert by_correlation[b"c-6"]["error"]["code"] == 401
        with pytest.raises(TimeoutError):  # refused commands never reached the station
            await station.recv(timeout=0.2)
        assert bridge_of(node).stats()["commands_total"] == 1
    finally:
        await station.close()


async def test_broker_outage_buffers_within_the_bound_and_counts_drops(tmp_path: Path) -> None:
    need_service("Mosquitto", *BROKER)
    proxy = TcpProxy(BROKER)
    await proxy.start()
    prefix = f"cbtest-{secrets.token_hex(4)}"
    config = tmp_path / "cb.toml"
    config.write_text(mqtt_config(prefix, proxy.port, queue_size="5", retain_state="false"))
    node = await start_node(tmp_path, None, auto_register=True, config_file=config)
    bridge = bridge_of(node)
    station_id = random_id()
    try:
        await asyncio.wait_for(bridge.connected.wait(), 10)
        async with collector(f"{prefix}/{station_id}/status") as seen:
            station = await RawStation.open(node.ocpp_url, station_id)
            await station.call("BootNotification", BOOT16)
            for _ in range(200):  # everything so far is out (nothing in flight)
                if bridge.stats()["buffered"] == 0:
                    break
                await asyncio.sleep(0.01)

            await proxy.stop()
            for _ in range(200):
                if not bridge.connected.is_set():
                    break
                await asyncio.sleep(0.01)
            assert not bridge.connected.is_set()

            slowest = 0.0
            for connector in range(1, 13):
                started = time.perf_counter()
                answer = await station.call(
                    "StatusNotification", {"connectorId": connector, "errorCode": "NoError", "status": "Available"}
                )
                slowest = max(slowest, time.perf_counter() - started)
                assert answer[0] == 3
            assert slowest < 0.5, f"OCPP handling slowed down while the broker was away: {slowest:.3f} s"
            assert bridge.stats()["buffered"] == 5
            assert bridge.stats()["dropped_total"] == 7
            await asyncio.sleep(0.3)  # a few failed reconnects
            assert bridge.stats()["connect_failures_total"] >= 1
            assert seen.messages == []

            await proxy.start()  # same port
            await seen.wait_for(lambda: len(seen.messages) >= 5)
            await asyncio.sleep(0.2)
            connectors = [m["data"]["connector_id"] for m in seen.on("/status")]
            assert connectors == [8, 9, 10, 11, 12]  # the newest 5 survived, the 7 oldest were dropped
            assert bridge.stats()["connects_total"] == 2
            assert node.app.bus.stats()["mqtt"]["dropped"] == 7
            await station.close()
    finally:
        await node.app.stop()
        with contextlib.suppress(Exception):
            await proxy.stop()
