"""The dashboard's API (chargebridge.api.live) and static files, without a browser."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import insert

from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.store.schema import stations, transactions
from tests.conftest import Node


async def _station(node: Node, sid: str, *, vendor: str, version: str, connected: bool) -> None:
    store = node.app.store
    assert store is not None
    now = node.app.clock.now()
    await store.add_station(sid, now=now)
    await store.update_station(sid, vendor=vendor, model="M1", firmware_version="1.0", ocpp_version=version)
    if connected:
        await store.mark_connection(sid, connected=True, version=version, at=now)


async def test_me_reports_the_role(node: Node) -> None:
    viewer = await node.token("viewer")
    async with node.client(viewer) as api:
        body = (await api.get("/api/v1/me")).json()
        assert body["role"] == "viewer"
    async with node.client() as api:
        assert (await api.get("/api/v1/me")).json()["role"] == "admin"
    async with httpx.AsyncClient(base_url=node.http_url) as anonymous:
        assert (await anonymous.get("/api/v1/me")).status_code == 401
        assert (await anonymous.get("/api/v1/events/stream")).status_code == 401
        assert (await anonymous.get("/api/v1/fleet/summary")).status_code == 401


async def test_summary_filters_sorting_and_sessions(node: Node) -> None:
    store = node.app.store
    assert store is not None
    await _station(node, "CP-A1", vendor="Acme", version="1.6", connected=True)
    await _station(node, "CP-A2", vendor="Acme", version="2.0.1", connected=True)
    await _station(node, "CP-B1", vendor="Bolt", version="2.0.1", connected=False)
    await _station(node, "CP-B2", vendor="Bolt", version="1.6", connected=True)
    now = node.app.clock.now()
    await store.set_connector_status(
        "CP-B2",
        evse_id=1,
        connector_id=1,
        status="Faulted",
        at=now,
        error_code="GroundFailure",
        vendor_error_code=None,
        info=None,
    )
    await store.set_connector_status(
        "CP-A1",
        evse_id=1,
        connector_id=1,
        status="Available",
        at=now,
        error_code=None,
        vendor_error_code=None,
        info=None,
    )
    async with store.engine.begin() as conn:
        # executemany takes its columns from the first row: give every row the same keys
        common: dict[str, Any] = {"ocpp_version": "2.0.1", "evse_id": 1, "connector_id": 1, "updated_at": now}
        common["stopped_at"] = None
        await conn.execute(
            insert(transactions),
            [
                {
                    **common,
                    "station_id": "CP-A2",
                    "transaction_id": "t1",
                    "active": True,
                    "energy_wh": 1500.0,
                    "started_at": now,
                },
                {
                    **common,
                    "station_id": "CP-A1",
                    "transaction_id": "t2",
                    "active": False,
                    "energy_wh": 2500.0,
                    "started_at": now - timedelta(minutes=30),
                    "stopped_at": now,
                },
                {
                    **common,
                    "station_id": "CP-A1",
                    "transaction_id": "t3",
                    "active": False,
                    "energy_wh": 9000.0,
                    "started_at": now - timedelta(days=3),
                    "stopped_at": now - timedelta(days=3),
                },
            ],
        )
    async with node.client() as api:
        summary = (await api.get("/api/v1/fleet/summary")).json()
        assert summary["stations"] == 4
        assert (summary["online"], summary["offline"]) == (3, 1)
        assert summary["charging"] == 1  # CP-A2 has an active transaction
        assert summary["faulted"] == 1  # CP-B2: Faulted connector (and the fault it raised)
        assert summary["available"] == 1  # CP-A1
        assert summary["energy_today_wh"] == 4000.0  # running t1 + t2 ended today; t3 is older
        assert summary["sessions_today"] == 2

        async def ids(**params: Any) -> list[str]:
            response = await api.get("/api/v1/fleet/stations", params=params)
            assert response.status_code == 200, response.text
            return [s["id"] for s in response.json()["items"]]

        assert await ids(vendor="Bolt") == ["CP-B1", "CP-B2"]
        assert await ids(ocpp_version="2.0.1", sort="id", order="desc") == ["CP-B1", "CP-A2"]
        assert await ids(state="offline") == ["CP-B1"]
        assert await ids(state="faulted") == ["CP-B2"]
        assert await ids(state="charging") == ["CP-A2"]
        assert await ids(state="available") == ["CP-A1"]
        assert await ids(q="b") == ["CP-B1", "CP-B2"]  # case-insensitive on SQLite and PostgreSQL
        assert await ids(q="-A") == ["CP-A1", "CP-A2"]
        assert await ids(q="%") == []  # LIKE wildcards are escaped
        assert await ids(sort="vendor", order="desc", limit=3) == ["CP-B1", "CP-B2", "CP-A1"]
        page = (await api.get("/api/v1/fleet/stations", params={"limit": 3, "offset": 3})).json()
        assert (page["total"], page["next_offset"], [s["id"] for s in page["items"]]) == (4, None, ["CP-B2"])
        states = {s["id"]: s["state"] for s in (await api.get("/api/v1/fleet/stations")).json()["items"]}
        # CP-A1/A2/B2 have no live socket in this process: the view says offline unless faulted.
        assert states == {"CP-A1": "offline", "CP-A2": "offline", "CP-B1": "offline", "CP-B2": "faulted"}
        assert (await api.get("/api/v1/fleet/stations", params={"sort": "password_hash"})).status_code == 422
        assert (await api.get("/api/v1/fleet/stations", params={"state": "busy"})).status_code == 422

        facets = (await api.get("/api/v1/fleet/facets")).json()
        assert facets["vendor"] == ["Acme", "Bolt"] and facets["ocpp_version"] == ["1.6", "2.0.1"]

        faults = (await api.get("/api/v1/fleet/faults")).json()["items"]
        assert [(f["station_id"], f["code"]) for f in faults] == [("CP-B2", "GroundFailure")]
        events = (await api.get("/api/v1/fleet/events", params={"kind": "status"})).json()["items"]
        assert {e["station_id"] for e in events} == {"CP-A1", "CP-B2"}

        sessions = (await api.get("/api/v1/fleet/sessions", params={"station_id": "CP-A1"})).json()
        assert (sessions["total"], sessions["energy_wh"]) == (2, 11500.0)
        active = (await api.get("/api/v1/fleet/sessions", params={"active": "true"})).json()
        assert [t["id"] for t in active["items"]] == ["t1"] and active["energy_wh"] == 1500.0
        since = (now - timedelta(hours=1)).isoformat()
        recent = (await api.get("/api/v1/fleet/sessions", params={"since": since, "limit": 1})).json()
        assert (recent["total"], recent["energy_wh"], recent["next_offset"]) == (2, 4000.0, 1)


class SseReader:
    """Reads ``event:``/``data:`` pairs off one streaming response."""

    def __init__(self, response: httpx.Response):
        self._lines = response.aiter_lines()
        self._kind = "message"

    async def next(self, timeout: float = 5.0) -> tuple[str, Any]:
        async def read() -> tuple[str, Any]:
            async for line in self._lines:
                if line.startswith("event: "):
                    self._kind = line[7:]
                elif line.startswith("data: "):
                    return self._kind, json.loads(line[6:])
            raise AssertionError("the stream ended")

        return await asyncio.wait_for(read(), timeout)

    async def until(self, kind: str, timeout: float = 5.0) -> Any:
        while True:
            got, data = await self.next(timeout)
            if got == kind:
                return data
            assert got in ("fleet.power", "hello"), f"unexpected {got}: {data}"


async def test_event_stream_filters_and_power(sqlite_node: Node) -> None:
    node = sqlite_node
    bus = node.app.bus
    at = datetime.now(UTC)
    async with node.client() as api:
        params = {"station_id": "CP-1", "kinds": "meter.sampled,status.changed,nonsense"}
        async with api.stream("GET", "/api/v1/events/stream", params=params) as response:
            assert response.status_code == 200
            assert response.headers["content-type"].startswith("text/event-stream")
            events = SseReader(response)
            assert (await events.next())[0] == "hello"
            bus.publish(DomainEvent(EventKind.STATUS_CHANGED, "CP-2", at, {"status": "Faulted"}))  # other station
            bus.publish(DomainEvent(EventKind.FAULT_RAISED, "CP-1", at, {"code": "x"}))  # kind not asked for
            sample = {
                "evse_id": 1,
                "transaction_id": "t1",
                "values": [
                    {"measurand": "Power.Active.Import", "value": 7000.0, "unit": "W", "phase": "L1"},
                    {"measurand": "Power.Active.Import", "value": 7400.0, "unit": "W", "phase": None},
                ],
            }
            bus.publish(DomainEvent(EventKind.METER_SAMPLED, "CP-1", at, sample))
            bus.publish(DomainEvent(EventKind.STATUS_CHANGED, "CP-1", at, {"status": "Charging"}))
            # only CP-1's meter and status events get through, in order
            meter = await events.until("meter.sampled")
            assert meter["station_id"] == "CP-1" and meter["data"]["values"][1]["value"] == 7400.0
            assert (await events.until("status.changed"))["data"]["status"] == "Charging"
            # the live fleet power takes the total (no phase) value; the tick reports it
            tick = await events.until("fleet.power", timeout=8)
            assert tick["power_w"] == 7400.0
        assert (await api.get("/api/v1/fleet/power")).json()["power_w"] == 7400.0
        assert (await api.get("/api/v1/fleet/summary")).json()["power_w"] == 7400.0
        bus.publish(DomainEvent(EventKind.STATION_DISCONNECTED, "CP-1", at))
        for _ in range(50):
            if (await api.get("/api/v1/fleet/power")).json()["power_w"] == 0:
                break
            await asyncio.sleep(0.02)
        assert (await api.get("/api/v1/fleet/power")).json()["power_w"] == 0
    # the SSE subscription is gone once the client left
    for _ in range(100):
        if not any(name.startswith("sse-") for name in bus.stats()):
            break
        await asyncio.sleep(0.05)
    assert not any(name.startswith("sse-") for name in bus.stats())


async def test_static_page_is_served_with_a_strict_policy(sqlite_node: Node) -> None:
    async with httpx.AsyncClient(base_url=sqlite_node.http_url) as client:
        index = await client.get("/")
        assert index.status_code == 200 and "chargebridge dashboard" in index.text
        assert "script-src 'self'" in index.headers["content-security-policy"]
        script = await client.get("/ui/js/app.js")
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert (await client.get("/ui/vendor/uplot/uPlot.iife.min.js")).status_code == 200
        assert (await client.get("/ui/vendor/uplot/LICENSE")).status_code == 200
        assert (await client.get("/ui/../extension.py")).status_code == 404
        assert (await client.get("/ui/%2e%2e/extension.py")).status_code == 404
        assert (await client.get("/ui/nope.js")).status_code == 404
        # no third-party origin anywhere in the page: it must work offline
        for path in ("/", "/ui/js/app.js", "/ui/app.css"):
            assert "http://" not in (await client.get(path)).text.replace("http://www.w3.org", "")


async def test_station_list_stays_fast_with_10000_stations(sqlite_node: Node) -> None:
    store = sqlite_node.app.store
    assert store is not None
    now = datetime.now(UTC)
    rows = [
        {
            "id": f"CP-{i:05d}",
            "vendor": ("Acme", "Bolt", "Volt")[i % 3],
            "model": f"M{i % 7}",
            "firmware_version": f"1.{i % 5}",
            "ocpp_version": "1.6" if i % 2 else "2.0.1",
            "connected": i % 4 != 0,
            "created_at": now,
            "last_seen": now - timedelta(seconds=i),
        }
        for i in range(10_000)
    ]
    async with store.engine.begin() as conn:
        await conn.execute(insert(stations), rows)
    async with sqlite_node.client() as api:
        started = time.perf_counter()
        for params in (
            {"vendor": "Bolt", "ocpp_version": "1.6", "sort": "last_seen", "order": "desc", "offset": 500},
            {"state": "available", "sort": "firmware_version", "limit": 100},
            {"q": "99", "state": "offline"},
        ):
            response = await api.get("/api/v1/fleet/stations", params=params)
            assert response.status_code == 200
        summary = (await api.get("/api/v1/fleet/summary")).json()
        elapsed = time.perf_counter() - started
    assert summary["stations"] == 10_000 and summary["offline"] == 2_500 and summary["available"] == 7_500
    assert elapsed < 3.0, f"four fleet queries over 10,000 stations took {elapsed:.2f}s"
    page = response.json()
    assert page["total"] == sum(1 for r in rows if "99" in r["id"] and not r["connected"])
