"""Meter sample retention (issue #19, item 12): raw samples older than meter_retention_days are
folded into per-session, per-hour aggregates and deleted in batches; samples of a transaction
that is not final are kept until it is; progress on /metrics and /api/v1/retention; on SQLite
and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from chargebridge.retention.tables import meter_aggregates
from chargebridge.store.schema import meter_samples, station_events
from tests.conftest import PG_HOST, PG_PORT, Node, need_service, start_node
from tests.integration.helpers import BOOT16, RawStation

OLD = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=100)
REGISTER = "Energy.Active.Import.Register"


def stamp(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def node(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Node]:
    url, schema = None, None
    if request.param == "postgresql":
        need_service("PostgreSQL", PG_HOST, PG_PORT)
        import asyncpg

        schema = f"cb_test_{uuid.uuid4().hex[:12]}"
        conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
        await conn.execute(f'CREATE SCHEMA "{schema}"')
        await conn.close()
        url = f"postgresql+asyncpg://postgres@{PG_HOST}:{PG_PORT}/test?schema={schema}"
    config = tmp_path / "integrations.toml"
    config.write_text("[metrics]\nenabled = true\n")
    node = await start_node(
        tmp_path, url, auto_register=True, config_file=config, meter_retention_days=30, retention_batch_size=10
    )
    try:
        yield node
    finally:
        await node.app.stop()
        if schema is not None:
            import asyncpg

            conn = await asyncpg.connect(host=PG_HOST, port=PG_PORT, user="postgres", database="test")
            await conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            await conn.close()


async def count(node: Node, table: Any) -> int:
    assert node.app.store is not None
    async with node.app.store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


def register(at: datetime, wh: float, power_w: float) -> dict[str, Any]:
    return {
        "timestamp": stamp(at),
        "sampledValue": [
            {"value": str(wh), "measurand": REGISTER, "unit": "Wh"},
            {"value": str(power_w), "measurand": "Power.Active.Import", "unit": "W"},
        ],
    }


async def session(station: RawStation, connector: int, start: datetime, minutes: int, *, stop: bool) -> str:
    """A 1.6 session from ``start`` with a register and power sample every 10 minutes."""
    answer = await station.call(
        "StartTransaction", {"connectorId": connector, "idTag": "TAG", "meterStart": 0, "timestamp": stamp(start)}
    )
    tx = answer[2]["transactionId"]
    for minute in range(0, minutes, 10):
        at = start + timedelta(minutes=minute)
        values = {"connectorId": connector, "transactionId": tx, "meterValue": [register(at, 100.0 * minute, 6000)]}
        assert (await station.call("MeterValues", values))[0] == 3
    if stop:
        end = {"transactionId": tx, "meterStop": 100 * minutes, "timestamp": stamp(start + timedelta(minutes=minutes))}
        assert (await station.call("StopTransaction", end))[0] == 3
    return str(tx)


async def test_old_samples_become_hourly_aggregates_and_are_deleted(node: Node) -> None:
    station = await RawStation.open(node.ocpp_url, "RET-1", "1.6")
    await station.call("BootNotification", BOOT16)
    done = await session(station, 1, OLD, 120, stop=True)  # 2 h: 12 register + 12 power samples
    running = await session(station, 2, OLD, 30, stop=False)  # not final: its 6 samples stay
    no_tx = {"connectorId": 0, "meterValue": [register(OLD + timedelta(minutes=5), 7, 100)]}
    assert (await station.call("MeterValues", no_tx))[0] == 3
    recent = {"connectorId": 0, "meterValue": [register(datetime.now(UTC), 9, 100)]}
    assert (await station.call("MeterValues", recent))[0] == 3
    total = await count(node, meter_samples)
    assert total == 24 + 6 + 2 + 2

    async with node.client() as http:
        ran = (await http.post("/api/v1/retention/run")).json()
        assert ran["deleted"] == 26 and ran["kept"] == 6 and ran["batches"] >= 3, ran
        assert await count(node, meter_samples) == 6 + 2
        rows = (await http.get("/api/v1/stations/RET-1/meter-aggregates", params={"transaction_id": done})).json()
        energy = [r for r in rows["items"] if r["measurand"] == REGISTER]
        assert [r["hour"][:13] for r in energy] == [stamp(OLD)[:13], stamp(OLD + timedelta(hours=1))[:13]]
        assert [(r["samples"], r["first"], r["last"]) for r in energy] == [(6, 0, 5000), (6, 6000, 11000)]
        power = [r for r in rows["items"] if r["measurand"] == "Power.Active.Import"]
        assert [(r["samples"], r["avg"], r["min"], r["max"]) for r in power] == [(6, 6000, 6000, 6000)] * 2
        everything = (await http.get("/api/v1/stations/RET-1/meter-aggregates")).json()["items"]
        assert {r["transaction_id"] for r in everything} == {done, None}
        # The raw samples of the finished session are gone; the running one's are still there.
        raw = (await http.get("/api/v1/stations/RET-1/meter-values", params={"transaction_id": done})).json()
        assert raw["items"] == []
        raw = (await http.get("/api/v1/stations/RET-1/meter-values", params={"transaction_id": running})).json()
        assert len(raw["items"]) == 6
        status = (await http.get("/api/v1/retention")).json()
        assert status["enabled"] and status["meter_retention_days"] == 30
        assert status["last_run"]["deleted"] == 26 and status["totals"]["samples_deleted"] == 26
        metrics = (await http.get("/metrics")).text
        assert "chargebridge_retention_samples_deleted_total 26.0" in metrics
        assert "chargebridge_retention_running 0.0" in metrics

        # Again: nothing more to fold, the aggregates unchanged.
        before = await count(node, meter_aggregates)
        again = (await http.post("/api/v1/retention/run")).json()
        assert again["deleted"] == 0 and await count(node, meter_aggregates) == before
        # The running session ends: its samples are folded in the next run.
        end = {"transactionId": int(running), "meterStop": 3000, "timestamp": stamp(OLD + timedelta(minutes=30))}
        assert (await station.call("StopTransaction", end))[0] == 3
        last = (await http.post("/api/v1/retention/run")).json()
        assert last["deleted"] == 6 and last["kept"] == 0
        assert await count(node, meter_samples) == 2
        # A scoped token of another station sees none of it; the job's state is fleet-wide.
        viewer = await node.token("viewer")
        assert (await http.get("/api/v1/retention", headers={"Authorization": f"Bearer {viewer}"})).status_code == 200
        assert (
            await http.post("/api/v1/retention/run", headers={"Authorization": f"Bearer {viewer}"})
        ).status_code == 403
    await station.close()


async def test_retention_off_keeps_everything(tmp_path: Path) -> None:
    node = await start_node(tmp_path, None, auto_register=True, meter_retention_days=0, station_event_retention_days=0)
    try:
        async with node.client() as http:
            answer = await http.post("/api/v1/retention/run")
            assert answer.status_code == 409 and "kept forever" in answer.text
            assert (await http.get("/api/v1/retention")).json()["enabled"] is False
    finally:
        await node.app.stop()


async def test_old_station_events_are_deleted_recent_ones_kept(tmp_path: Path) -> None:
    """station_event_retention_days: events older than it go (in batches), newer ones stay; raw
    samples are left alone when meter_retention_days is 0."""
    config = tmp_path / "integrations.toml"
    config.write_text("[metrics]\nenabled = true\n")
    node = await start_node(
        tmp_path,
        None,
        auto_register=True,
        config_file=config,
        meter_retention_days=0,
        station_event_retention_days=30,
        retention_batch_size=10,
    )
    try:
        station = await RawStation.open(node.ocpp_url, "RET-EV", "1.6")
        await station.call("BootNotification", BOOT16)
        old_status = {"connectorId": 1, "status": "Available", "errorCode": "NoError", "timestamp": stamp(OLD)}
        assert (await station.call("StatusNotification", old_status))[0] == 3
        no_tx = {"connectorId": 0, "meterValue": [register(OLD, 7, 100)]}
        assert (await station.call("MeterValues", no_tx))[0] == 3
        store = node.app.store
        assert store is not None
        for minute in range(25):
            await store.add_station_event("RET-EV", "fault", OLD + timedelta(minutes=minute), {"n": minute})
        recent_before = await count(node, station_events) - 26
        async with node.client() as http:
            ran = (await http.post("/api/v1/retention/run")).json()
            assert ran["events_deleted"] == 26 and ran["deleted"] == 0, ran
            assert await count(node, station_events) == recent_before
            assert await count(node, meter_samples) == 2  # samples kept: meter_retention_days is 0
            events = (await http.get("/api/v1/stations/RET-EV/events", params={"limit": 500})).json()["items"]
            assert events and all(e["at"] >= stamp(OLD + timedelta(days=1)) for e in events)
            assert {e["kind"] for e in events} >= {"boot", "connected"}
            status = (await http.get("/api/v1/retention")).json()
            assert status["enabled"] and status["station_event_retention_days"] == 30
            assert status["totals"]["events_deleted"] == 26 and status["last_run"]["events_deleted"] == 26
            metrics = (await http.get("/metrics")).text
            assert "chargebridge_retention_events_deleted_total 26.0" in metrics
            again = (await http.post("/api/v1/retention/run")).json()
            assert again["events_deleted"] == 0 and await count(node, station_events) == recent_before
        await station.close()
    finally:
        await node.app.stop()
