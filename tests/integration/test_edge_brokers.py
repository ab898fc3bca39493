"""Edge uplinks through brokers: MQTT (our own Mosquitto, stopped and restarted) and NATS JetStream,
each end to end into a real chargebridge node that consumes the batches ([edges] of its config file)."""

from __future__ import annotations

import asyncio
import getpass
import json
import secrets
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from chargebridge.edge.runner import EdgeNode
from tests.conftest import REQUIRE_SERVICES, Node, need_service, random_id, service_available, start_node
from tests.integration.edge_support import edge_config, wait_for
from tests.integration.tcp_proxy import TcpProxy
from tests.integration.test_integrations_modbus import FakeMeter, sdm630, serve

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Broker:
    """A Mosquitto of our own that keeps sessions across a restart (persistence on)."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        conf = self.folder / "mosquitto.conf"
        conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {self.folder}/\nautosave_interval 1\n"
            f"user {getpass.getuser()}\n"
        )
        log = (self.folder / "mosquitto.log").open("a")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", str(conf)], stdout=log, stderr=subprocess.STDOUT)
        for _ in range(200):
            if service_available("127.0.0.1", self.port):
                return
            assert self.proc.poll() is None, (self.folder / "mosquitto.log").read_text()
            subprocess.run(["sleep", "0.05"], check=True)
        raise AssertionError("mosquitto did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[Broker]:
    if not Path(MOSQUITTO).exists():
        if REQUIRE_SERVICES:
            pytest.fail("mosquitto is required (CHARGEBRIDGE_REQUIRE_SERVICES=1)")
        pytest.skip("mosquitto is needed")
    folder = tmp_path / "broker"
    folder.mkdir()
    b = Broker(folder)
    b.start()
    try:
        yield b
    finally:
        b.stop()


@pytest.fixture
async def tcp_meter() -> AsyncIterator[tuple[FakeMeter, int]]:
    """An SDM630 on Modbus TCP (the edge's tcp transport)."""
    meter = FakeMeter()
    sdm630(meter)
    server, port = await serve(meter)
    try:
        yield meter, port
    finally:
        await server.shutdown()


def tcp_device(port: int) -> str:
    return (
        '[[devices]]\nname = "meter"\ntransport = "tcp"\nmap = "eastron-sdm630"\n'
        f'host = "127.0.0.1"\nport = {port}\ntimeout_s = 1\npoll_interval_s = 0.2\n'
    )


async def node_with(tmp_path: Path, section: str) -> Node:
    config = tmp_path / "integrations.toml"
    config.write_text(section)
    return await start_node(tmp_path, None, config_file=config)


async def edge_state(node: Node, edge_id: str) -> dict[str, Any] | None:
    async with node.client() as client:
        response = await client.get(f"/api/v1/edges/{edge_id}")
        return response.json() if response.status_code == 200 else None


async def applied_seqs(node: Node, edge_id: str) -> list[int]:
    from sqlalchemy import select

    from chargebridge.edges.tables import edge_samples

    assert node.app.store is not None
    async with node.app.store.reading() as conn:
        rows = await conn.execute(
            select(edge_samples.c.seq).where(edge_samples.c.edge_id == edge_id).order_by(edge_samples.c.id)
        )
        return [int(r[0]) for r in rows]


async def drained(node: Node, edge: EdgeNode, at_least: int) -> dict[str, Any] | None:
    state = await edge_state(node, edge.edge_id)
    if state is None or edge.outbox.depth or edge.outbox.acked_seq < at_least:
        return None
    return state if state["last_seq"] == edge.outbox.acked_seq else None


async def assert_once_in_order(node: Node, edge: EdgeNode, at_least: int) -> None:
    state = await wait_for(lambda: drained(node, edge, at_least), timeout=40, what="the replay")
    seqs = await applied_seqs(node, edge.edge_id)
    assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
    assert state["records_total"] == state["last_seq"]  # every record applied, none twice


async def test_mqtt_uplink_end_to_end_with_a_broker_restart(
    tmp_path: Path, broker: Broker, tcp_meter: tuple[FakeMeter, int]
) -> None:
    prefix = f"cb-test-{secrets.token_hex(4)}/edges"
    node = await node_with(
        tmp_path,
        f'[edges]\nenabled = true\nmqtt_url = "mqtt://127.0.0.1:{broker.port}"\ntopic_prefix = "{prefix}"\n'
        f'mqtt_client_id = "cb-{secrets.token_hex(4)}"\n',
    )
    edge_id = random_id("edge")
    edge = EdgeNode(
        edge_config(
            tmp_path,
            edge_id,
            upstream=f"mqtt://127.0.0.1:{broker.port}",
            uplink=f'topic_prefix = "{prefix}"\n',
            devices=tcp_device(tcp_meter[1]),
        )
    )
    await edge.start()
    try:

        async def sampled() -> dict[str, Any] | None:
            state = await edge_state(node, edge_id)
            return state if state and state["devices"] and state["devices"][0]["last_sample_at"] else None

        state = await wait_for(sampled, what="samples over MQTT")
        assert state["uplink"] == "mqtt"
        assert state["devices"][0]["transport"] == "tcp" and state["devices"][0]["reachable"] is True

        # A command relayed over MQTT and answered on the answers topic.
        async with node.client() as client:
            answered = await client.post(
                f"/api/v1/edges/{edge_id}/commands",
                json={"type": "set_limit", "params": {"name": "site", "value": 22000}, "wait_s": 15},
            )
        assert answered.json()["state"] == "answered", answered.text
        assert edge.limits.values["site"]["value"] == 22000

        # The broker goes down: the edge buffers; the broker comes back: all of it arrives once, in order.
        broker.stop()
        await wait_for(lambda: asyncio.sleep(0, result=not edge.uplink_state.connected), what="uplink down")
        written = edge.outbox.last_seq
        await wait_for(lambda: asyncio.sleep(0, result=edge.outbox.last_seq >= written + 5), what="buffering")
        assert edge.outbox.depth >= 5
        broker.start()
        await assert_once_in_order(node, edge, written + 5)
    finally:
        await edge.stop()
        await node.app.stop()


async def test_nats_uplink_end_to_end_through_an_outage(tmp_path: Path, tcp_meter: tuple[FakeMeter, int]) -> None:
    need_service("NATS", "127.0.0.1", 4222)
    import nats

    tag = secrets.token_hex(4)
    prefix, stream = f"cbtest{tag}.edges", f"CBTEST_{tag}"
    proxy = TcpProxy("127.0.0.1", 4222)
    await proxy.start()
    node = await node_with(
        tmp_path,
        f'[edges]\nenabled = true\nnats_url = "nats://127.0.0.1:4222"\nsubject_prefix = "{prefix}"\n'
        f'stream = "{stream}"\ndurable = "cb-{tag}"\n',
    )
    edge_id = random_id("edge")
    edge = EdgeNode(
        edge_config(
            tmp_path,
            edge_id,
            upstream=f"nats://127.0.0.1:{proxy.port}",
            uplink=f'subject_prefix = "{prefix}"\nstream = "{stream}"\n',
            devices=tcp_device(tcp_meter[1]),
        )
    )
    await edge.start()
    nc = await nats.connect("nats://127.0.0.1:4222")
    try:

        async def sampled() -> dict[str, Any] | None:
            state = await edge_state(node, edge_id)
            return state if state and state["devices"] and state["devices"][0]["last_sample_at"] else None

        state = await wait_for(sampled, what="samples over NATS")
        assert state["uplink"] == "nats"

        # A diagnostic relayed as a NATS request and answered with the reply.
        async with node.client() as client:
            read = await client.post(
                f"/api/v1/edges/{edge_id}/diagnostics/read-register",
                json={"device": "meter", "register_type": "input", "address": 0, "count": 2},
            )
        assert read.status_code == 200, read.text
        assert read.json()["registers"] == [0x4366, 0x8000]

        # The same message id twice within the window: JetStream keeps one.
        js = nc.jetstream()
        batch = json.dumps({"edge_id": edge_id, "outbox_id": "x", "records": []}).encode()
        headers = {"Nats-Msg-Id": f"{edge_id}:x:0:0"}
        first = await js.publish(f"{prefix}.{edge_id}.batches", batch, headers=headers)
        again = await js.publish(f"{prefix}.{edge_id}.batches", batch, headers=headers)
        assert not first.duplicate and again.duplicate

        # The NATS server becomes unreachable for the edge: it buffers, then replays once, in order.
        await proxy.cut()
        await wait_for(lambda: asyncio.sleep(0, result=not edge.uplink_state.connected), what="uplink down")
        written = edge.outbox.last_seq
        await wait_for(lambda: asyncio.sleep(0, result=edge.outbox.last_seq >= written + 5), what="buffering")
        await proxy.start()
        await assert_once_in_order(node, edge, written + 5)
    finally:
        await edge.stop()
        await node.app.stop()
        await proxy.cut()
        try:
            await nc.jetstream().delete_stream(stream)
        finally:
            await nc.close()
