"""Node failures in cluster mode: ``chargebridge serve`` processes killed with SIGKILL.

- mid-transaction: the station moves to another node, a replayed StartTransaction gets the same
  id there, the transaction ends there; a simulated fleet behind a load balancer keeps charging
  through the kill and its ledger reconciles with 0 lost / 0 double counted
  (``chargebridge reconcile``); a station of the dead node that does not come back is marked
  disconnected by the sweep;
- webhooks: a node killed while it delivers leaves the delivery to another node; every event
  is accepted by the receiver exactly once, with the same event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bench.balancer import Balancer
from typer.testing import CliRunner

from chargebridge.sim.fleet import Fleet, SimConfig
from tests.conftest import PG_HOST, PG_PORT, need_service
from tests.integration.cluster_world import NATS_HOST, NATS_PORT, ClusterWorld, until
from tests.integration.helpers import BOOT16, RawStation

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]

TOKENS = ("FAILOVER-1", "FAILOVER-2", "FAILOVER-3")


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


async def test_sigkill_mid_transaction_loses_nothing(world: ClusterWorld, tmp_path: Path) -> None:
    a = await world.start_process("a")
    b = await world.start_process("b")
    async with world.client(b.http_url) as api:
        for token in TOKENS:
            assert (await api.post("/api/v1/id-tokens", json={"id_token": token})).status_code == 201

    # One station we drive by hand on node a, mid-transaction; one that will not come back.
    station = await RawStation.open(a.ocpp_url, "FO-HAND", "1.6")
    await station.call("BootNotification", BOOT16)
    start = {"connectorId": 1, "idTag": TOKENS[0], "meterStart": 1000, "timestamp": "2026-11-23T10:00:00Z"}
    tx_id = (await station.call("StartTransaction", start))[2]["transactionId"]
    meter = {
        "connectorId": 1,
        "transactionId": tx_id,
        "meterValue": [{"timestamp": "2026-11-23T10:10:00Z", "sampledValue": [{"value": "2500"}]}],
    }
    assert (await station.call("MeterValues", meter))[0] == 3
    gone = await RawStation.open(a.ocpp_url, "FO-GONE", "1.6")
    await gone.call("BootNotification", BOOT16)

    # A fleet behind a load balancer, charging on both nodes.
    balancer = Balancer([("127.0.0.1", a.ocpp_port), ("127.0.0.1", b.ocpp_port)])
    lb_port = await balancer.start()
    ledger = tmp_path / "ledger.jsonl"
    fleet = Fleet(
        SimConfig(
            url=f"ws://127.0.0.1:{lb_port}/ocpp",
            stations=24,
            version="mixed",
            scenario="charging",
            time_scale=120.0,
            seed=17,
            duration=22.0,
            id_tokens=TOKENS,
            id_prefix="FO-SIM-",
            ledger=ledger,
            backoff_minimum_s=30.0,  # simulated: a quarter of a real second
            backoff_random_range_s=30.0,
            shutdown_timeout_s=30.0,
        )
    )
    run = asyncio.create_task(fleet.run())
    try:
        await until(lambda: _connected_on(world, "a", "FO-SIM-"), timeout_s=30, what="fleet stations on node a")
        await asyncio.sleep(4.0)  # sessions under way on both nodes

        killed_at = time.monotonic()
        a.kill()
        # The socket to the dead node drops; the station reconnects to node b and replays its
        # unanswered StartTransaction: the same id (the database's dedupe key, not node memory).
        with contextlib.suppress(Exception):
            await asyncio.wait_for(station.ws.wait_closed(), 10)
        station = await RawStation.open(b.ocpp_url, "FO-HAND", "1.6")
        await station.call("BootNotification", BOOT16)
        assert (await station.call("StartTransaction", start))[2]["transactionId"] == tx_id
        stop = {"transactionId": tx_id, "meterStop": 4000, "timestamp": "2026-11-23T10:30:00Z", "idTag": TOKENS[0]}
        assert (await station.call("StopTransaction", stop))[0] == 3
        moved_after = time.monotonic() - killed_at

        async with world.client(b.http_url) as api:
            view = (await api.get("/api/v1/stations/FO-HAND")).json()
            assert view["connected"] is True
            # the station that did not come back is released by the sweep (node TTL 3 s)
            await until(
                lambda: _station_connected(api, "FO-GONE", False), timeout_s=15, what="the sweep to release FO-GONE"
            )
            released_after = time.monotonic() - killed_at
            # every fleet station is back, on node b, as fast as it reconnects
            await until(lambda: _all_on(world, "b", "FO-SIM-", 24), timeout_s=30, what="the fleet on node b")
            fleet_back_after = time.monotonic() - killed_at
        stats = await run
    finally:
        if not run.done():
            run.cancel()
        await balancer.stop()
        await station.close()

    rows = await world.query(
        "SELECT transaction_id, meter_start_wh, meter_stop_wh, energy_wh FROM transactions WHERE station_id = 'FO-HAND'"
    )
    assert rows == [
        {"transaction_id": str(tx_id), "meter_start_wh": 1000.0, "meter_stop_wh": 4000.0, "energy_wh": 3000.0}
    ]

    # The simulator's ledger against the survivor's API: nothing acknowledged lost or doubled.
    acknowledged = [json.loads(line) for line in ledger.read_text().splitlines() if '"acknowledged":true' in line]
    assert len(acknowledged) >= 10, f"only {len(acknowledged)} sessions finished ({stats})"
    from chargebridge.cli import app

    args = ["reconcile", str(ledger), "--api", b.http_url, "--token", world.token]
    result = await asyncio.to_thread(CliRunner().invoke, app, args)
    assert result.exit_code == 0, result.output
    assert "reconciled exactly" in result.output
    print(
        f"\nfailover: hand station moved in {moved_after:.2f} s, unreturned station released in "
        f"{released_after:.2f} s, fleet of 24 back on node b in {fleet_back_after:.2f} s after SIGKILL"
    )


async def _connected_on(world: ClusterWorld, node: str, prefix: str) -> bool:
    rows = await world.query(
        "SELECT count(*) AS n FROM stations WHERE connected AND node_id = $1 AND id LIKE $2", node, prefix + "%"
    )
    return rows[0]["n"] > 0


async def _all_on(world: ClusterWorld, node: str, prefix: str, count: int) -> bool:
    rows = await world.query(
        "SELECT count(*) AS n FROM stations WHERE connected AND node_id = $1 AND id LIKE $2", node, prefix + "%"
    )
    return rows[0]["n"] == count


async def _station_connected(api: object, station_id: str, expected: bool) -> bool:
    response = await api.get(f"/api/v1/stations/{station_id}")  # type: ignore[attr-defined]
    return bool(response.json()["connected"] is expected)


class TrapReceiver:
    """Records webhook requests; the first one is held unanswered (its node gets killed)."""

    def __init__(self) -> None:
        self.accepted: list[tuple[str, str, str]] = []  # (event id, node, attempt) answered 200
        self.trapped: tuple[str, str] | None = None  # (event id, node) of the held request
        self.trap_hit = asyncio.Event()
        self.closing = asyncio.Event()
        self.url = ""
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.url = f"http://127.0.0.1:{self._server.sockets[0].getsockname()[1]}/hook"

    async def stop(self) -> None:
        self.closing.set()
        if self._server is not None:
            self._server.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while line := await reader.readline():
                assert line.startswith(b"POST /hook ")
                headers = {}
                while (header := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = header.decode().partition(":")
                    headers[name.strip().lower()] = value.strip()
                await reader.readexactly(int(headers.get("content-length", "0")))
                event_id, node = headers["x-chargebridge-event-id"], headers.get("x-chargebridge-node", "")
                if self.trapped is None:
                    self.trapped = (event_id, node)
                    self.trap_hit.set()
                    await self.closing.wait()  # never answered: its node dies with it in flight
                    break
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                await writer.drain()
                self.accepted.append((event_id, node, headers.get("x-chargebridge-attempt", "")))
        writer.close()


async def test_webhooks_are_delivered_exactly_once_across_three_nodes(world: ClusterWorld, tmp_path: Path) -> None:
    config = tmp_path / "integrations.toml"
    config.write_text("[webhooks]\ntimeout_s = 2.0\nmax_attempts = 8\ninitial_backoff_s = 0.2\n")
    nodes = {}
    for name in ("a", "b", "c"):
        nodes[name] = await world.start_process(name, config_file=config)
    receiver = TrapReceiver()
    await receiver.start()
    try:
        async with world.client(nodes["a"].http_url) as api:
            created = await api.post("/api/v1/webhooks", json={"url": receiver.url, "kinds": ["status.changed"]})
            assert created.status_code == 201, created.text
        await asyncio.sleep(1.0)  # every node loads the subscription (announced at once)

        stations = []
        for name, node in nodes.items():
            station = await RawStation.open(node.ocpp_url, f"WH-{name}", "1.6")
            await station.call("BootNotification", BOOT16)
            stations.append(station)
        expected = 0
        for i in range(10):
            for station in stations:
                status = "Available" if i % 2 == 0 else "Preparing"
                payload = {"connectorId": 1 + i, "errorCode": "NoError", "status": status}
                answer = await station.call("StatusNotification", payload)
                assert answer[0] == 3, answer
                expected += 1

        await asyncio.wait_for(receiver.trap_hit.wait(), 20)
        assert receiver.trapped is not None
        trapped_id, victim = receiver.trapped
        await asyncio.sleep(1.0)  # every event is in the shared queue before the kill
        killed_at = time.monotonic()
        nodes[victim].kill()

        await until(lambda: len(receiver.accepted) >= expected, timeout_s=60, what=f"{expected} deliveries")
        recovered_after = time.monotonic() - killed_at
        await asyncio.sleep(2.0)  # nothing more arrives
        ids = [event_id for event_id, _, _ in receiver.accepted]
        assert len(ids) == expected and len(set(ids)) == expected, "an event was delivered twice or lost"
        redelivered = [(node, attempt) for event_id, node, attempt in receiver.accepted if event_id == trapped_id]
        assert len(redelivered) == 1
        node, attempt = redelivered[0]
        assert node != victim and node in nodes and attempt == "2"  # another node, same event id
        assert {n for _, n, _ in receiver.accepted} - {victim} == set(nodes) - {victim}  # both survivors delivered
        print(f"\nwebhooks: in-flight delivery of a killed node delivered by {node} {recovered_after:.1f} s later")
        for station in stations:
            with contextlib.suppress(Exception):
                await station.close()
    finally:
        await receiver.stop()
