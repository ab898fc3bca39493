"""Cluster mode with real PostgreSQL and NATS JetStream: two nodes in this process.

Commands cross nodes with the same HTTP outcomes as on one node, a reconnect to another node
takes the station over (the old socket closes, commands follow), the replacement rules hold
across nodes, events reach every node, leases move when their holder stops."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from chargebridge.cluster.leases import Leases
from tests.conftest import PG_HOST, PG_PORT, need_service
from tests.integration.cluster_world import NATS_HOST, NATS_PORT, ClusterWorld, until
from tests.integration.helpers import BOOT16, BOOT201, RawStation

pytestmark = pytest.mark.postgres


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[ClusterWorld]:
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    need_service("NATS", NATS_HOST, NATS_PORT)
    world = ClusterWorld(tmp_path)
    await world.open()
    try:
        yield world
    finally:
        await world.close()


async def _answer_next(station: RawStation, reply: Any) -> list[Any]:
    """Read the next CALL the station gets and answer it (a list frame, or None: stay silent)."""
    frame = await station.recv(10)
    assert frame[0] == 2, frame
    if reply is not None:
        await station.send_raw(json.dumps(reply(frame[1])))
    return frame


async def test_commands_reach_a_station_on_another_node(world: ClusterWorld, tmp_path: Path) -> None:
    a = await world.start_app(tmp_path, "a", call_timeout_s=1.5)
    b = await world.start_app(tmp_path, "b", call_timeout_s=1.5)
    station = await RawStation.open(a.ocpp_url, "CP-X1", "1.6")
    assert (await station.call("BootNotification", BOOT16))[2]["status"] == "Accepted"
    other = await RawStation.open(a.ocpp_url, "CP-X2", "2.0.1")
    await other.call("BootNotification", BOOT201)
    await other.close()
    async with world.client(b.http_url) as api:
        await until(lambda: b.app.gateway.is_connected("CP-X1"), what="node b to see the station")
        assert (await api.get("/api/v1/stations/CP-X1")).json()["connected"] is True  # true on every node
        listed = {s["id"]: s["connected"] for s in (await api.get("/api/v1/stations")).json()["items"]}
        assert listed == {"CP-X1": True, "CP-X2": False}

        # Accepted: the answer comes back unchanged
        reply = asyncio.create_task(_answer_next(station, lambda mid: [3, mid, {"status": "Accepted"}]))
        answer = await api.post("/api/v1/stations/CP-X1/commands/reset", json={"type": "hard"})
        frame = await reply
        assert frame[2:] == ["Reset", {"type": "Hard"}]
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "Accepted" and answer.json()["action"] == "Reset"

        # a CALLERROR: 502 with its code, description and details
        reply = asyncio.create_task(
            _answer_next(station, lambda mid: [4, mid, "NotSupported", "not here", {"why": "test"}])
        )
        answer = await api.post("/api/v1/stations/CP-X1/commands/clear-cache")
        await reply
        assert answer.status_code == 502
        assert answer.json()["detail"] == {
            "reason": "the station answered with a CALLERROR",
            "error_code": "NotSupported",
            "description": "not here",
            "details": {"why": "test"},
        }

        # no answer: 504 after the call timeout of the node holding the socket
        silent = asyncio.create_task(_answer_next(station, None))
        started = time.monotonic()
        answer = await api.post("/api/v1/stations/CP-X1/commands/trigger-message", json={"message": "Heartbeat"})
        await silent
        assert answer.status_code == 504 and "no answer within 1.5 s" in answer.json()["detail"]
        assert time.monotonic() - started < 5

        # a raw call crosses too
        reply = asyncio.create_task(
            _answer_next(station, lambda mid: [3, mid, {"configurationKey": [], "unknownKey": ["X"]}])
        )
        answer = await api.post("/api/v1/stations/CP-X1/call/GetConfiguration", json={"key": ["X"]})
        await reply
        assert answer.status_code == 200 and answer.json()["response"]["unknownKey"] == ["X"]

        # a payload the schema refuses is refused before it is routed: 422 as on one node
        answer = await api.post("/api/v1/stations/CP-X1/call/Reset", json={"type": "Sideways"})
        assert answer.status_code == 422

        # not connected anywhere: 409, registered or not 404
        answer = await api.post("/api/v1/stations/CP-X2/commands/reset", json={})
        assert answer.status_code == 409 and "not connected" in answer.json()["detail"]
        assert (await api.post("/api/v1/stations/NOPE/commands/reset", json={})).status_code == 404

        # the status page shows both nodes and the routed commands
        status = (await api.get("/api/v1/status")).json()["cluster"]
        assert status["node_id"] == "b" and {n["node_id"] for n in status["nodes"]} == {"a", "b"}
        assert status["routing"]["routed_out"] >= 4 and status["connected_stations"] == 1
    async with world.client(a.http_url) as api:
        assert (await api.get("/api/v1/status")).json()["cluster"]["routing"]["routed_in"] >= 4
        ready = await api.get("/readyz")
        assert ready.status_code == 200 and set(ready.json()["checks"]) == {"database", "nats"}
    await station.close()
    await until(lambda: not b.app.gateway.is_connected("CP-X1"), what="the disconnect to reach node b")


async def test_a_reconnect_to_another_node_takes_the_station_over(world: ClusterWorld, tmp_path: Path) -> None:
    a = await world.start_app(tmp_path, "a")
    b = await world.start_app(tmp_path, "b")
    seen_on_a: list[str] = []
    sub = a.app.bus.subscribe("test", None)

    async def record() -> None:
        async for event in sub:
            seen_on_a.append(event.kind.value)

    recorder = asyncio.create_task(record())
    first = await RawStation.open(a.ocpp_url, "CP-T1", "1.6")
    await first.call("BootNotification", BOOT16)
    await until(lambda: b.app.gateway.is_connected("CP-T1"), what="node b to see the station on a")

    second = await RawStation.open(b.ocpp_url, "CP-T1", "1.6")
    started = time.monotonic()
    await asyncio.wait_for(first.ws.wait_closed(), 5)
    closed_after = time.monotonic() - started
    assert first.ws.close_code == 1000 and first.ws.close_reason == "replaced by a new connection"
    assert closed_after < 3, closed_after  # within seconds (in practice milliseconds)
    assert (await second.call("Heartbeat", {}))[0] == 3
    assert "CP-T1" not in a.app.gateway.connections and "CP-T1" in b.app.gateway.connections

    # commands sent through either node now reach the new socket
    for node in (a, b):
        async with world.client(node.http_url) as api:
            reply = asyncio.create_task(_answer_next(second, lambda mid: [3, mid, {"status": "Accepted"}]))
            answer = await api.post("/api/v1/stations/CP-T1/commands/reset", json={})
            await reply
            assert answer.status_code == 200, answer.text

    # the database says connected on b: the old socket's close was not a disconnect
    row = await until(lambda: _on_node(world, "CP-T1", "b"), what="the row to name node b")
    assert row["connected"] is True
    await asyncio.sleep(0.3)
    assert "station.disconnected" not in seen_on_a  # no spurious disconnect anywhere
    replaced = await world.query(
        "SELECT data FROM station_events WHERE station_id = 'CP-T1' AND kind = 'security_event'"
    )
    assert any(json.loads(r["data"])["type"] == "ConnectionReplaced" for r in replaced)

    await second.close()
    await until(lambda: not a.app.gateway.is_connected("CP-T1"), what="node a to see the disconnect")
    row = await until(lambda: _disconnected(world, "CP-T1"), what="the row to say disconnected")
    assert row["node_id"] is None
    await until(lambda: "station.disconnected" in seen_on_a, what="the disconnect event on node a")
    recorder.cancel()


async def _on_node(world: ClusterWorld, station_id: str, node: str) -> dict[str, Any] | None:
    row = await world.station_row(station_id)
    return row if row is not None and row["node_id"] == node and row["connected"] else None


async def _disconnected(world: ClusterWorld, station_id: str) -> dict[str, Any] | None:
    row = await world.station_row(station_id)
    return row if row is not None and not row["connected"] else None


async def test_replacement_rules_hold_across_nodes(world: ClusterWorld, tmp_path: Path) -> None:
    """A flapping address is limited whichever node the balancer picks; the station's own address
    always gets back in (the limiter's history travels with the station's presence entry)."""
    settings = {"replacement_limit": 2, "trusted_proxies": ["127.0.0.1"]}
    nodes = [await world.start_app(tmp_path, "a", **settings), await world.start_app(tmp_path, "b", **settings)]

    async def open_from(node: Any, address: str) -> Any:
        ws = await connect(
            f"{node.ocpp_url}/CP-R1", subprotocols=["ocpp1.6"], additional_headers={"X-Forwarded-For": address}
        )
        presence = node.app.cluster.presence

        async def recorded() -> bool:
            # The entry is written just after the 101: the next handshake is decided on it.
            holder, _ = await presence.lookup("CP-R1")
            return holder is not None and holder.source == address and holder.node == presence.node

        await until(recorded, what=f"the connection from {address} in the station's presence entry")
        return ws

    station = await open_from(nodes[0], "10.0.0.1")
    sockets = [station]
    refused = None
    for i in range(4):  # an impostor from 6.6.6.6 and the station from 10.0.0.1, alternating nodes
        try:
            sockets.append(await open_from(nodes[(i + 1) % 2], "6.6.6.6"))
        except InvalidStatus as exc:
            refused = exc.response.status_code
            break
        sockets.append(await open_from(nodes[i % 2], "10.0.0.1"))  # the station comes back: never refused
    assert refused == 429  # the third impostor connection within the window, on either node
    for ws in sockets:
        await ws.close()


async def test_events_of_every_node_reach_every_node(world: ClusterWorld, tmp_path: Path) -> None:
    a = await world.start_app(tmp_path, "a")
    b = await world.start_app(tmp_path, "b")
    everything = b.app.bus.subscribe("all", None)
    local = b.app.bus.subscribe("local", None, local_only=True)
    station = await RawStation.open(a.ocpp_url, "CP-E1", "1.6")
    await station.call("BootNotification", BOOT16)
    await station.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Available"})
    kinds: list[str] = []

    async def collect() -> bool:
        while not everything.queue.empty():
            event = everything.queue.get_nowait()
            if event.station_id == "CP-E1":
                kinds.append(event.kind.value)
        return {"station.connected", "station.booted", "status.changed"} <= set(kinds)

    await until(collect, what="node a's events on node b")
    assert local.queue.empty()  # local_only subscribers see only their own node's events
    params = {"kinds": "status.changed"}
    async with (
        world.client(b.http_url) as api,  # the dashboard's live stream on node b
        api.stream("GET", "/api/v1/events/stream", params=params) as stream,
    ):
        await asyncio.sleep(0.3)
        await station.call("StatusNotification", {"connectorId": 1, "errorCode": "NoError", "status": "Preparing"})
        async for line in stream.aiter_lines():
            if line.startswith("data:") and "Preparing" in line:
                break
    await station.close()


async def test_a_lease_moves_when_its_holder_stops(world: ClusterWorld, tmp_path: Path) -> None:
    a = await world.start_app(tmp_path, "a")
    b = await world.start_app(tmp_path, "b")
    holders: list[str] = []

    def runner(name: str, leases: Leases) -> asyncio.Task[None]:
        async def work() -> None:
            holders.append(name)
            await asyncio.Event().wait()

        return asyncio.create_task(leases.run_while_held("test.work", work))

    task_a = runner("a", a.app.leases)
    await until(lambda: holders == ["a"], what="node a to take the lease")
    task_b = runner("b", b.app.leases)
    await asyncio.sleep(1.0)
    assert holders == ["a"]  # one holder at a time
    started = time.monotonic()
    task_a.cancel()
    await a.app.stop()  # a clean stop releases the lease at once
    world.apps.remove(a.app)
    await until(lambda: holders == ["a", "b"], timeout_s=10, what="node b to take the lease over")
    assert time.monotonic() - started < 3
    task_b.cancel()


async def test_sqlite_is_refused_in_cluster_mode(tmp_path: Path) -> None:
    from chargebridge.app import Chargebridge
    from chargebridge.config import Settings

    app = Chargebridge(Settings(data_dir=tmp_path, nats_url="nats://127.0.0.1:4222"))
    with pytest.raises(ValueError, match="PostgreSQL"):
        await app.start()


async def test_a_second_node_with_the_same_id_is_refused(world: ClusterWorld, tmp_path: Path) -> None:
    from chargebridge.cluster.presence import NodeIdInUse

    await world.start_app(tmp_path, "same")
    with pytest.raises(NodeIdInUse):
        await world.start_app(tmp_path / "2", "same")


async def test_readyz_without_cluster_reports_the_database(tmp_path: Path) -> None:
    from tests.conftest import start_node

    node = await start_node(tmp_path)
    try:
        async with httpx.AsyncClient(base_url=node.http_url) as http:
            assert (await http.get("/healthz")).json()["status"] == "ok"
            ready = await http.get("/readyz")
            assert ready.status_code == 200 and set(ready.json()["checks"]) == {"database"}
    finally:
        await node.app.stop()


async def test_one_node_at_a_time_balances_the_sites(world: ClusterWorld, tmp_path: Path) -> None:
    """Energy management in cluster mode: the holder of the balancer lease plans, the others do
    not; when it stops, another node takes over."""
    a = await world.start_app(tmp_path, "a")
    b = await world.start_app(tmp_path, "b")

    def planners() -> list[str]:
        out = []
        for node, name in ((a, "a"), (b, "b")):
            energy = next(ext for ext in node.app.extensions if ext.name == "energy")
            if energy.service is not None and energy.service.may_plan("any-site"):
                out.append(name)
        return out

    await until(lambda: len(planners()) == 1, what="one balancer")
    holder = planners()[0]
    await (a if holder == "a" else b).app.stop()
    survivor = "b" if holder == "a" else "a"
    node = b if holder == "a" else a
    energy = next(ext for ext in node.app.extensions if ext.name == "energy")
    await until(lambda: energy.service.may_plan("any-site"), what=f"node {survivor} to take the balancer over")
