"""Cluster mode with real PostgreSQL and NATS JetStream: two nodes in this process.

Commands cross nodes with the same HTTP outcomes as on one node, a reconnect to another node
takes the station over (the old socket closes, commands follow), the replacement rules hold
across nodes (a station's presence entry is written before its 101), a claim whose socket
never opens is released, events reach every node, leases move when their holder stops."""

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
from chargebridge.cluster.takeover import Holder
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


async def _open_from(node: Any, station_id: str, address: str) -> Any:
    """A station's connection through a proxy that names ``address`` as the client."""
    return await connect(
        f"{node.ocpp_url}/{station_id}", subprotocols=["ocpp1.6"], additional_headers={"X-Forwarded-For": address}
    )


async def _entry(node: Any, station_id: str) -> Holder | None:
    """The station's presence entry as the bucket has it now (read there, not from a cache)."""
    holder, _ = await node.app.cluster.presence.lookup(station_id)
    return holder  # type: ignore[no-any-return]


def _slow_writes(node: Any, delay_s: float, *, after: bool = False) -> None:
    """The node's presence writes (key-value create and update) take ``delay_s`` longer: a NATS
    slower than the client. ``after``: the write lands at once, its confirmation comes late."""
    kv = node.app.cluster.presence.kv
    for name in ("create", "update"):

        async def slow(*args: Any, _write: Any = getattr(kv, name), **kwargs: Any) -> Any:
            if not after:
                await asyncio.sleep(delay_s)
            revision = await _write(*args, **kwargs)
            if after:
                await asyncio.sleep(delay_s)
            return revision

        setattr(kv, name, slow)


async def test_replacement_rules_hold_across_nodes(world: ClusterWorld, tmp_path: Path) -> None:
    """A flapping address is limited whichever node the balancer picks; the station's own address
    always gets back in (the limiter's history travels with the station's presence entry, written
    before each connection's 101: each handshake is decided on the previous one's entry)."""
    settings = {"replacement_limit": 2, "trusted_proxies": ["127.0.0.1"]}
    nodes = [await world.start_app(tmp_path, "a", **settings), await world.start_app(tmp_path, "b", **settings)]
    station = await _open_from(nodes[0], "CP-R1", "10.0.0.1")
    sockets = [station]
    refused = None
    for i in range(4):  # an impostor from 6.6.6.6 and the station from 10.0.0.1, alternating nodes
        try:
            sockets.append(await _open_from(nodes[(i + 1) % 2], "CP-R1", "6.6.6.6"))
        except InvalidStatus as exc:
            refused = exc.response.status_code
            break
        sockets.append(await _open_from(nodes[i % 2], "CP-R1", "10.0.0.1"))  # the station comes back: never refused
    assert refused == 429  # the third impostor connection within the window, on either node
    for ws in sockets:
        await ws.close()


async def test_the_presence_entry_is_written_before_the_101(world: ClusterWorld, tmp_path: Path) -> None:
    """When a station's handshake has completed (the client's connect returned) its presence
    entry is in the bucket already, even with a NATS slower than the client: a second handshake
    on another node right after is decided on it (before, the entry was written after the 101
    and such a handshake was decided as if the station had no connection)."""
    settings = {"replacement_limit": 1, "trusted_proxies": ["127.0.0.1"]}
    a = await world.start_app(tmp_path, "a", **settings)
    b = await world.start_app(tmp_path, "b", **settings)
    for node in (a, b):
        _slow_writes(node, 0.3)

    station = await _open_from(a, "CP-P1", "10.0.0.1")
    holder = await _entry(b, "CP-P1")  # no waiting: written before the 101
    assert holder is not None and (holder.node, holder.source) == ("a", "10.0.0.1")

    impostor = await _open_from(b, "CP-P1", "6.6.6.6")  # right after, on the other node
    holder = await _entry(a, "CP-P1")
    assert holder is not None and (holder.node, holder.source) == ("b", "6.6.6.6")
    assert [source for source, _ in holder.counted] == ["6.6.6.6"]  # decided on a's entry: a counted replacement
    await asyncio.wait_for(station.wait_closed(), 5)  # taken over: a closed its socket
    assert station.close_reason == "replaced by a new connection"

    back = await _open_from(a, "CP-P1", "10.0.0.1")  # the station comes back, within its own limit
    with pytest.raises(InvalidStatus) as refused:
        await _open_from(b, "CP-P1", "6.6.6.6")  # the impostor's second replacement: over the limit
    assert refused.value.response.status_code == 429
    await asyncio.wait_for(impostor.wait_closed(), 5)
    await back.close()


async def _handshake_only(
    node: Any, station_id: str, address: str
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """Send a WebSocket upgrade request for the station and nothing more (the answer is not read)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", node.app.gateway.port)
    writer.write(
        (
            f"GET /ocpp/{station_id} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: ocpp1.6\r\nX-Forwarded-For: {address}\r\n\r\n"
        ).encode()
    )
    await writer.drain()
    return reader, writer


@pytest.mark.parametrize("how", ["client gone", "handshake timed out"])
async def test_a_claim_whose_socket_never_opens_is_released(world: ClusterWorld, tmp_path: Path, how: str) -> None:
    """The claim is written before the 101; when the socket then never opens (the client left
    while the entry was being written; the handshake timed out with the write landed but not yet
    confirmed) the entry is vacated: the station is not left held by a node without a socket."""
    settings: dict[str, Any] = {"trusted_proxies": ["127.0.0.1"]}
    if how == "handshake timed out":
        settings["handshake_timeout_s"] = 1.0
    a = await world.start_app(tmp_path, "a", **settings)
    presence = a.app.cluster.presence
    if how == "client gone":
        _slow_writes(a, 0.5)
        reader, writer = await _handshake_only(a, "CP-Q1", "10.0.0.1")
        with pytest.raises(TimeoutError):  # no 101 yet: the claim is being written
            await asyncio.wait_for(reader.read(1), 0.2)
        writer.close()
    else:
        _slow_writes(a, 1.5, after=True)  # written at once, confirmed after the handshake timeout
        _, writer = await _handshake_only(a, "CP-Q1", "10.0.0.1")
        claimed = await until(lambda: _entry(a, "CP-Q1"), what="the claim in the bucket")
        assert claimed.node == "a" and claimed.source == "10.0.0.1"  # written before any 101

    async def vacated() -> bool:
        holder = await _entry(a, "CP-Q1")
        return holder is not None and holder.vacant and "CP-Q1" not in presence.held

    await until(vacated, timeout_s=10, what="the claim to be released")
    assert not a.app.gateway.is_connected("CP-Q1") and presence.holder("CP-Q1") is None
    writer.close()


async def test_a_claim_that_never_opens_gives_the_station_back_to_the_live_socket(
    world: ClusterWorld, tmp_path: Path
) -> None:
    """A second handshake of a station on the node that holds its socket claims the entry before
    its 101; if it never opens, the entry names the live socket again (the attempt stays counted)."""
    a = await world.start_app(tmp_path, "a", trusted_proxies=["127.0.0.1"])
    station = await _open_from(a, "CP-G1", "10.0.0.1")
    _slow_writes(a, 0.5)
    reader, writer = await _handshake_only(a, "CP-G1", "10.0.0.2")
    with pytest.raises(TimeoutError):  # no 101 yet: its claim is being written
        await asyncio.wait_for(reader.read(1), 0.2)
    writer.close()

    async def given_back() -> Holder | None:
        holder = await _entry(a, "CP-G1")
        return holder if holder is not None and holder.source == "10.0.0.1" and holder.counted else None

    holder = await until(given_back, timeout_s=10, what="the entry to name the live socket again")
    assert holder.node == "a" and [source for source, _ in holder.counted] == ["10.0.0.2"]
    assert a.app.gateway.connections["CP-G1"].session is not None
    await station.send('[2,"h1","Heartbeat",{}]')  # the live socket is untouched
    assert json.loads(await asyncio.wait_for(station.recv(), 5))[0] == 3
    await station.close()


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
