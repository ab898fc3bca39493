"""Cluster mode when its services go away: NATS restarted under load, PostgreSQL cut.

NATS: a ``nats-server`` of the test's own (free port, its own JetStream store) is stopped and
started again while a fleet charges on two nodes: stations keep being answered (durability is
the database's), commands to another node's station answer 503 meanwhile and work again after
the nodes reconnect, the events of the outage reach the other node afterwards, nothing
acknowledged is lost. PostgreSQL: a cluster node behaves as a single node does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from bench.balancer import Balancer

from chargebridge.sim.fleet import Fleet, SimConfig
from chargebridge.sim.ledger import reconcile
from tests.conftest import PG_HOST, PG_PORT, REQUIRE_SERVICES, need_service
from tests.integration.cluster_world import ClusterWorld, free_port, until
from tests.integration.helpers import BOOT16, RawStation
from tests.integration.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

TOKENS = ("OUT-1", "OUT-2")


def _nats_binary() -> str:
    for candidate in (shutil.which("nats-server"), "/usr/sbin/nats-server", "/usr/local/bin/nats-server"):
        if candidate and Path(candidate).exists():
            return candidate
    if REQUIRE_SERVICES:
        pytest.fail("the nats-server binary is required (CHARGEBRIDGE_REQUIRE_SERVICES=1)")
    pytest.skip("no nats-server binary to start a NATS server of our own")


class OwnNats:
    """A nats-server with JetStream on a free loopback port, stopped and started by the test."""

    def __init__(self, store: Path):
        self.binary = _nats_binary()
        self.port = free_port()
        self.store = store
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [self.binary, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)]
        self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None

    async def wait_up(self, timeout_s: float = 15.0) -> None:
        import nats

        deadline = time.monotonic() + timeout_s
        while True:
            try:
                nc = await nats.connect(self.url, connect_timeout=1, max_reconnect_attempts=0)
                await nc.jetstream().account_info()
                await nc.close()
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)


@pytest.fixture
def own_nats(tmp_path: Path) -> Iterator[OwnNats]:
    server = OwnNats(tmp_path / "jetstream")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def world(tmp_path: Path, own_nats: OwnNats) -> AsyncIterator[ClusterWorld]:
    need_service("PostgreSQL", PG_HOST, PG_PORT)
    await own_nats.wait_up()
    world = ClusterWorld(tmp_path, nats_url=own_nats.url)
    await world.open()
    try:
        yield world
    finally:
        await world.close()


async def _answer(station: RawStation) -> None:
    frame = await station.recv(10)
    await station.send_raw(json.dumps([3, frame[1], {"status": "Accepted"}]))


async def _ready(http: httpx.AsyncClient) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return (await http.get("/readyz")).status_code == 200
    return False


async def test_nats_restarted_under_load(world: ClusterWorld, own_nats: OwnNats, tmp_path: Path) -> None:
    a = await world.start_app(tmp_path, "a")
    b = await world.start_app(tmp_path, "b")
    async with world.client(b.http_url) as api:
        for token in TOKENS:
            assert (await api.post("/api/v1/id-tokens", json={"id_token": token})).status_code == 201
    station = await RawStation.open(a.ocpp_url, "OUT-HAND", "1.6")
    await station.call("BootNotification", BOOT16)
    await until(lambda: b.app.gateway.is_connected("OUT-HAND"), what="node b to see the station")

    balancer = Balancer([("127.0.0.1", a.app.gateway.port), ("127.0.0.1", b.app.gateway.port)])
    lb_port = await balancer.start()
    fleet = Fleet(
        SimConfig(
            url=f"ws://127.0.0.1:{lb_port}/ocpp",
            stations=16,
            version="mixed",
            scenario="charging",
            time_scale=120.0,
            seed=23,
            duration=20.0,
            id_tokens=TOKENS,
            id_prefix="OUT-SIM-",
            shutdown_timeout_s=30.0,
        )
    )
    run = asyncio.create_task(fleet.run())
    try:
        async with world.client(b.http_url) as api_b, world.client(a.http_url) as api_a:
            reply = asyncio.create_task(_answer(station))
            assert (await api_b.post("/api/v1/stations/OUT-HAND/commands/reset", json={})).status_code == 200
            await reply
            await asyncio.sleep(3.0)

            own_nats.stop()  # ---- NATS away -------------------------------------------------
            await until(lambda: not a.app.cluster.ready()[0], what="node a to notice")
            # the station is still answered: its transaction is acknowledged after the database commit
            start = {"connectorId": 1, "idTag": TOKENS[0], "meterStart": 0, "timestamp": "2026-11-23T10:00:00Z"}
            tx_id = (await station.call("StartTransaction", start))[2]["transactionId"]
            stop = {"transactionId": tx_id, "meterStop": 1500, "timestamp": "2026-11-23T10:20:00Z"}
            assert (await station.call("StopTransaction", stop))[0] == 3
            # a command for a station on another node cannot be routed: 503 at once, not a hang
            started = time.monotonic()
            answer = await api_b.post("/api/v1/stations/OUT-HAND/commands/reset", json={})
            assert answer.status_code == 503, answer.text
            assert time.monotonic() - started < 3
            # its own node still reaches it
            reply = asyncio.create_task(_answer(station))
            assert (await api_a.post("/api/v1/stations/OUT-HAND/commands/reset", json={})).status_code == 200
            await reply
            not_ready = await api_a.get("/readyz")
            assert not_ready.status_code == 503
            assert not_ready.json()["checks"]["nats"]["ok"] is False
            assert not_ready.json()["checks"]["database"]["ok"] is True
            await asyncio.sleep(3.0)

            own_nats.start()  # ---- NATS back -------------------------------------------------
            await until(lambda: _ready(api_a), timeout_s=30, what="node a ready again")
            await until(lambda: _ready(api_b), timeout_s=30, what="node b ready again")

            async def routed() -> bool:
                reply = asyncio.create_task(_answer(station))
                answer = await api_b.post("/api/v1/stations/OUT-HAND/commands/reset", json={})
                if answer.status_code != 200:
                    reply.cancel()
                    return False
                await reply
                return True

            await until(routed, timeout_s=30, every_s=0.5, what="commands routed again")
            # the outage's events reach node b once NATS is back (the bus kept them)
            seen = await api_b.get("/api/v1/status")
            assert seen.json()["cluster"]["bus"]["received"] > 0
        stats = await run
    finally:
        if not run.done():
            run.cancel()
        await balancer.stop()
        await station.close()

    rows = await world.query("SELECT energy_wh FROM transactions WHERE station_id = 'OUT-HAND'")
    assert rows == [{"energy_wh": 1500.0}]
    async with world.client(a.http_url) as api:
        items = (await api.get("/api/v1/transactions", params={"limit": 1000})).json()["items"]
    ledger = list(fleet.ledger)
    assert sum(1 for e in ledger if e.acknowledged) >= 5, stats
    assert reconcile(ledger, items) == []


async def test_postgres_outage_in_cluster_mode_is_as_on_one_node(
    world: ClusterWorld, own_nats: OwnNats, tmp_path: Path
) -> None:
    proxy = TcpProxy(PG_HOST, PG_PORT)
    port = await proxy.start()
    url = world.database_url.replace(f"{PG_HOST}:{PG_PORT}", f"127.0.0.1:{port}")
    from tests.conftest import start_node

    node = await start_node(
        tmp_path / "pg",
        url,
        nats_url=own_nats.url,
        node_id="pg",
        cluster_prefix=world.prefix,
        auto_register=True,
        store_retry_window_s=2.0,
    )
    world.apps.append(node.app)
    try:
        station = await RawStation.open(node.ocpp_url, "OUT-PG", "1.6")
        await station.call("BootNotification", BOOT16)
        start = {"connectorId": 1, "idTag": "X", "meterStart": 0, "timestamp": "2026-11-23T10:00:00Z"}
        tx_id = (await station.call("StartTransaction", start))[2]["transactionId"]
        stop = {"transactionId": tx_id, "meterStop": 7000, "timestamp": "2026-11-23T11:00:00Z"}
        async with httpx.AsyncClient(base_url=node.http_url) as http:
            await proxy.cut()
            refused = await station.call("StopTransaction", stop, timeout=15)
            assert refused[0] == 4 and refused[2] == "InternalError"  # never acknowledged without a commit
            assert (await station.call("Heartbeat", {}))[0] == 3
            ready = await http.get("/readyz")
            assert ready.status_code == 503 and ready.json()["checks"]["database"]["ok"] is False
            assert ready.json()["checks"]["nats"]["ok"] is True
            await proxy.start()
            assert (await station.call("StopTransaction", stop, timeout=15))[0] == 3
            await until(lambda: _ready(http), what="ready again")
        rows = await world.query("SELECT energy_wh, active FROM transactions WHERE station_id = 'OUT-PG'")
        assert rows == [{"energy_wh": 7000.0, "active": False}]
        await station.close()
    finally:
        await node.app.stop()
        world.apps.remove(node.app)
        await proxy.cut()
