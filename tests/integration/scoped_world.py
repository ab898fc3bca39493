"""A node with data on stations inside and outside a token's scope, for the station-scope tests.

``MINE-1`` and ``MINE-2`` are the scope; ``THEIRS-1`` and ``THEIRS-2`` are outside it. Every
piece of out-of-scope data carries one of :data:`MARKERS` (station ids, the id token
``TAG-THEIRS``, a token named ``theirs-site``, a webhook ``theirs-hook``, a campaign
``theirs-campaign``, a diagnostics file ``theirs-diagnostics``), so an answer that leaks it
can be found by searching its text. ``MINE-1`` and ``THEIRS-1`` stay connected: ``MINE-1``
answers every CALL, ``THEIRS-1`` answers while the world is seeded and then only records what
it is sent (a scoped request must never reach it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert

from chargebridge.security.tables import station_certificates
from chargebridge.sim.firmware import make_image
from tests.conftest import Node, start_node
from tests.integration.helpers import RawStation

MINE = ("MINE-1", "MINE-2")
THEIRS = ("THEIRS-1", "THEIRS-2")
MARKERS = (
    "THEIRS-1",
    "THEIRS-2",
    "TAG-THEIRS",
    "theirs-site",
    "theirs-hook",
    "theirs-campaign",
    "theirs-diagnostics",
)
VENDOR, MODEL = "Acme", "A1"
MINE_POWER_W, THEIRS_POWER_W = 1000.0, 7000.0
NOW = "2030-01-01T10:00:00Z"

CONFIG = """
[webhooks]
enabled = true
max_attempts = 100
initial_backoff_s = 60
[exports]
enabled = true
[modbus]
enabled = true
[canbus]
enabled = true
[vendors]
enabled = true
[metrics]
enabled = true
"""

# What a station answers to each CALL (1.6); anything else gets {"status": "Accepted"}.
ANSWERS: dict[str, dict[str, Any]] = {
    "UpdateFirmware": {},
    "GetDiagnostics": {},
    "GetConfiguration": {"configurationKey": []},
    "GetLocalListVersion": {"listVersion": 0},
    "ClearCache": {"status": "Accepted"},
}


class Station:
    """A raw 1.6 station that reads in the background: it answers CALLs while ``answering``,
    and records every frame it is sent in ``received``."""

    def __init__(self, raw: RawStation, station_id: str):
        self.raw = raw
        self.station_id = station_id
        self.answering = True
        self.received: list[list[Any]] = []
        self._replies: dict[str, asyncio.Future[list[Any]]] = {}
        self._ids = 0
        self._task = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, node: Node, station_id: str) -> Station:
        return cls(await RawStation.open(node.ocpp_url, station_id), station_id)

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            while True:
                frame = json.loads(await self.raw.ws.recv())
                if frame[0] == 2:
                    self.received.append(frame)
                    if self.answering:
                        await self.raw.send_raw(
                            json.dumps([3, frame[1], ANSWERS.get(frame[2], {"status": "Accepted"})])
                        )
                elif frame[1] in self._replies:
                    self._replies.pop(frame[1]).set_result(frame)

    async def call(self, action: str, payload: dict[str, Any]) -> list[Any]:
        self._ids += 1
        message_id = f"{self.station_id}-{self._ids}"
        reply: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
        self._replies[message_id] = reply
        await self.raw.send_raw(json.dumps([2, message_id, action, payload]))
        frame = await asyncio.wait_for(reply, 5)
        assert frame[0] == 3, frame
        return frame

    def calls(self, action: str) -> list[dict[str, Any]]:
        return [frame[3] for frame in self.received if frame[2] == action]

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(BaseException):
            await self._task
        with contextlib.suppress(Exception):
            await self.raw.close()


@dataclass
class World:
    node: Node
    mine: Station
    theirs: Station
    image_id: str = ""
    campaign_id: str = ""
    subscription_id: str = ""
    theirs_token_id: str = ""
    spare_token_id: str = ""  # a viewer token limited to MINE-1, which a scoped admin may revoke
    mine_transaction: str = ""
    theirs_transaction: str = ""
    mine_diagnostics: int = 0
    theirs_diagnostics: int = 0
    mine_run: str = ""  # validation runs (finished) of MINE-1 and THEIRS-1
    theirs_run: str = ""
    tokens: dict[str, str] = field(default_factory=dict)  # role -> token limited to MINE
    token_ids: set[str] = field(default_factory=set)  # the ids of those tokens

    def client(self, token: str | None = None) -> httpx.AsyncClient:
        return self.node.client(token)

    async def close(self) -> None:
        await self.mine.close()
        await self.theirs.close()
        await self.node.app.stop()


async def start_world_node(tmp_path: Path, database_url: str | None = None, **settings: Any) -> Node:
    config = tmp_path / "integrations.toml"
    config.write_text(CONFIG)
    return await start_node(
        tmp_path, database_url, auto_register=True, config_file=config, call_timeout_s=2.0, **settings
    )


async def wait_until(check: Callable[[], Any], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def _ok(answer: httpx.Response, *codes: int) -> Any:
    assert answer.status_code in (codes or (200, 201)), (answer.request.url, answer.status_code, answer.text)
    return answer.json() if answer.content and "json" in answer.headers.get("content-type", "") else None


async def _station_data(station: Station, id_tag: str, power_w: float) -> str:
    """Boot, a fault, a security event, a transaction with a power sample; returns the transaction id."""
    await station.call("BootNotification", {"chargePointVendor": VENDOR, "chargePointModel": MODEL})
    await station.call(
        "StatusNotification", {"connectorId": 1, "errorCode": "GroundFailure", "status": "Faulted", "timestamp": NOW}
    )
    await station.call("SecurityEventNotification", {"type": "TamperDetectionActivated", "timestamp": NOW})
    started = await station.call(
        "StartTransaction", {"connectorId": 2, "idTag": id_tag, "meterStart": 100, "timestamp": NOW}
    )
    transaction_id = started[2]["transactionId"]
    sample = {"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W"}
    await station.call(
        "MeterValues",
        {
            "connectorId": 2,
            "transactionId": transaction_id,
            "meterValue": [{"timestamp": NOW, "sampledValue": [sample]}],
        },
    )
    return str(transaction_id)


async def _finished_transaction(station: Station, id_tag: str) -> None:
    """A transaction started and stopped on connector 1: billing writes its CDR (filtered routes need data)."""
    started = await station.call(
        "StartTransaction", {"connectorId": 1, "idTag": id_tag, "meterStart": 1000, "timestamp": NOW}
    )
    stop = {"transactionId": started[2]["transactionId"], "meterStop": 2000, "timestamp": NOW, "idTag": id_tag}
    await station.call("StopTransaction", stop)


async def _diagnostics(world: World, http: httpx.AsyncClient, station: Station, content: bytes) -> int:
    """An uploaded diagnostics file of ``station`` (GetLog, then the upload to the URL it names)."""
    before = len(station.calls("GetLog"))
    answer = await _ok(
        await http.post(f"/api/v1/firmware/stations/{station.station_id}/diagnostics", json={"use_get_log_16": True}),
        201,
    )
    assert len(station.calls("GetLog")) == before + 1
    location = station.calls("GetLog")[-1]["log"]["remoteLocation"]
    async with httpx.AsyncClient(timeout=10) as files:
        assert (await files.put(location, content=content)).status_code == 201
    return int(answer["request_id"] if "request_id" in answer else answer["id"])


async def _awaiting_transaction(store: Any, station_id: str) -> None:
    """An ended 2.0.1 transaction of ``station_id`` still waiting for a missing seqNo."""
    from datetime import UTC, datetime

    from sqlalchemy import insert

    from chargebridge.store.schema import transactions

    now = datetime.now(UTC)

    async def op(conn: Any) -> None:
        await conn.execute(
            insert(transactions).values(
                station_id=station_id,
                transaction_id=f"{station_id}-GAP",
                ocpp_version="2.0.1",
                active=False,
                completeness="awaiting_events",
                missing_seq_nos=[1],
                awaiting_since=now,
                updated_at=now,
            )
        )

    await store.writer.run(op)


async def seed_world(node: Node) -> World:
    world = World(node, await Station.open(node, "MINE-1"), await Station.open(node, "THEIRS-1"))
    world.mine_transaction = await _station_data(world.mine, "TAG-MINE", MINE_POWER_W)
    world.theirs_transaction = await _station_data(world.theirs, "TAG-THEIRS", THEIRS_POWER_W)
    await _finished_transaction(world.mine, "TAG-MINE")
    await _finished_transaction(world.theirs, "TAG-THEIRS")
    async with world.client() as http:
        for station_id in ("MINE-2", "THEIRS-2"):
            await _ok(await http.post("/api/v1/stations", json={"id": station_id}), 201)
        await _ok(await http.post("/api/v1/id-tokens", json={"id_token": "TAG-THEIRS"}), 201)
        # The local authorization list follows the id-token store in the background: bring it in
        # line now, so that the walk's row snapshots do not see the background rebuild.
        for ext in node.app.extensions:
            if ext.name == "authorization":
                await ext.local_list.refresh()  # type: ignore[attr-defined]
                # A reservation of the other station (as the station had accepted it), far from expiry.
                now = node.app.clock.now()
                await ext.reservations.db.add_reservation(  # type: ignore[attr-defined]
                    {
                        "station_id": "THEIRS-1",
                        "evse_id": 1,
                        "id_token": "TAG-THEIRS",
                        "expires_at": now + timedelta(days=1),
                        "state": "accepted",
                        "created_at": now,
                        "updated_at": now,
                    }
                )
        await _ok(await http.patch("/api/v1/stations/THEIRS-1", json={"registration_status": "Accepted"}))
        await _ok(await http.patch("/api/v1/stations/MINE-1", json={"registration_status": "Accepted"}))
        theirs = await _ok(
            await http.post("/api/v1/tokens", json={"role": "admin", "name": "theirs-site", "stations": ["THEIRS-1"]}),
            201,
        )
        world.theirs_token_id = theirs["id"]
        spare = await _ok(
            await http.post("/api/v1/tokens", json={"role": "viewer", "name": "mine-spare", "stations": ["MINE-1"]}),
            201,
        )
        world.spare_token_id = spare["id"]
        for role in ("viewer", "operator", "admin"):
            created = await _ok(
                await http.post("/api/v1/tokens", json={"role": role, "name": f"mine-{role}", "stations": list(MINE)}),
                201,
            )
            world.tokens[role] = created["token"]
            world.token_ids.add(created["id"])
        hook = {"url": "http://127.0.0.1:9/hook", "description": "theirs-hook"}
        world.subscription_id = (await _ok(await http.post("/api/v1/webhooks", json=hook), 201))["id"]
        params = {"vendor": VENDOR, "model": MODEL, "version": "2.0.0"}
        image = await _ok(await http.post("/api/v1/firmware/images", params=params, content=make_image("2.0.0")), 201)
        world.image_id = image["id"]
        entry = {"vendor": VENDOR, "model": MODEL, "hardware_revision": "", "firmware_version": "2.0.0"}
        await _ok(await http.put("/api/v1/firmware/compatibility", json=entry | {"status": "certified"}))
        await _ok(await http.post("/api/v1/firmware/stations/THEIRS-1/update", json={"image_id": world.image_id}))
        location = world.theirs.calls("SignedUpdateFirmware")[-1]["firmware"]["location"]
        async with httpx.AsyncClient(timeout=10) as files:
            assert (await files.get(location)).status_code == 200  # a download by THEIRS-1
        campaign = {"name": "theirs-campaign", "image_id": world.image_id, "target": {"station_ids": ["THEIRS-1"]}}
        world.campaign_id = (await _ok(await http.post("/api/v1/firmware/campaigns", json=campaign), 201))["campaign"][
            "id"
        ]
        world.mine_diagnostics = await _diagnostics(world, http, world.mine, b"mine-diagnostics")
        world.theirs_diagnostics = await _diagnostics(world, http, world.theirs, b"theirs-diagnostics")
    await _certificates(node)
    store = node.app.store
    assert store is not None
    await _awaiting_transaction(store, "THEIRS-1")
    world.mine_run, world.theirs_run = await _validation_runs(node)

    async def flushed() -> bool:  # the batched last-seen times are written, so nothing moves later
        return all(
            row["last_seen"] is not None for row in (await store.list_stations(limit=10))[0] if row["id"].endswith("-1")
        )

    await wait_until(flushed, "last-seen times written")
    world.theirs.answering = False
    world.theirs.received.clear()
    return world


async def _validation_runs(node: Node) -> tuple[str, str]:
    """A finished validation run (with a quirk) of MINE-1 and of THEIRS-1."""
    from chargebridge.validation.model import Quirk
    from chargebridge.validation.store import ValidationStore

    store = node.app.store
    assert store is not None
    db = ValidationStore(store)
    now = node.app.clock.now()
    ids = []
    for index, station_id in enumerate(("MINE-1", "THEIRS-1")):
        run_id = f"{index + 1:016x}"
        station = {"vendor": VENDOR, "model": MODEL, "firmware_version": "1.0.0"}
        report = {"station": station, "cases": [], "quirks": [{"case": None, "code": "walk", "detail": station_id}]}
        row = {"id": run_id, "station_id": station_id, "status": "finished", "level_requested": "basic"}
        row |= {"level_reached": "none", "ocpp_version": "1.6", **station, "settings": {}, "report": report}
        await db.add_run(row | {"started_at": now, "updated_at": now, "finished_at": now})
        await db.add_quirks(run_id, station_id, (VENDOR, MODEL, "1.0.0"), [(None, Quirk("walk", station_id))], now)
        ids.append(run_id)
    return ids[0], ids[1]


async def _certificates(node: Node) -> None:
    store = node.app.store
    assert store is not None
    now = node.app.clock.now()
    async with store.engine.begin() as conn:
        for station_id in ("MINE-1", "THEIRS-1"):
            await conn.execute(
                insert(station_certificates).values(
                    station_id=station_id,
                    certificate_type="ChargingStationCertificate",
                    origin="signed",
                    status="active",
                    serial_number=f"{abs(hash(station_id)) % 10**12:x}",
                    subject=f"CN={station_id}",
                    issuer="CN=test CA",
                    not_after=now.replace(year=now.year + 1),
                    created_at=now,
                    updated_at=now,
                )
            )
