"""Issue 18, lever 2: the hot writes (meter samples, station events, last-seen times) go through
the raw driver (sqlite3 / asyncpg executemany) inside the writer's transaction. What they store
must read back exactly as through SQLAlchemy: aware UTC times, floats, NULLs, JSON."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select

from chargebridge.domain.model import MeterSample, ReadingContext, SampledValue
from chargebridge.domain.requests import MeterValuesRequest
from chargebridge.store.database import RawStatement
from chargebridge.store.schema import meter_samples, station_events, stations
from tests.conftest import random_id
from tests.integration.helpers import BOOT16, RawStation


async def test_raw_inserts_read_back_like_sqlalchemy(node: Any) -> None:
    store = node.app.store
    now = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)
    await store.add_station("RAW-1", now=now)
    at = datetime(2030, 1, 1, 14, 0, 0, 123456, tzinfo=timezone(timedelta(hours=2)))  # 12:00:00.123456 UTC
    samples = (
        MeterSample(
            at,
            (
                SampledValue("Energy.Active.Import.Register", 1234.5, "Wh"),
                SampledValue("Current.Import", 16, "A", ReadingContext.SAMPLE_CLOCK, phase="L1", location="Outlet"),
            ),
        ),
    )
    # Many callers in one commit: the writer groups them into one executemany per statement.
    await asyncio.gather(
        *(store.add_meter_values("RAW-1", MeterValuesRequest(1, 2, samples, None), now) for _ in range(20)),
        store.add_station_event("RAW-1", "probe", at, {"nested": {"list": [1, 2.5, None, "ü"]}}),
        store.add_station_event(None, "probe", at, {}),
    )
    await store.touch_many({"RAW-1": at})
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(meter_samples).where(meter_samples.c.station_id == "RAW-1"))).mappings().all()
        events = (
            (
                await conn.execute(
                    select(station_events).where(station_events.c.kind == "probe").order_by(station_events.c.id)
                )
            )
            .mappings()
            .all()
        )
        seen = (await conn.execute(select(stations.c.last_seen).where(stations.c.id == "RAW-1"))).scalar_one()
    assert len(rows) == 40
    # ... and they took the raw driver's path, not SQLAlchemy's
    assert store._insert_samples._raw.raw_calls >= 1
    assert store._insert_events._raw.raw_calls >= 1
    assert store._touch.raw_calls == 1
    energy = next(r for r in rows if r["measurand"] == "Energy.Active.Import.Register")
    current = next(r for r in rows if r["measurand"] == "Current.Import")
    assert energy["timestamp"] == datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert energy["timestamp"].utcoffset() == timedelta(0)
    assert (energy["value"], energy["unit"], energy["phase"], energy["location"]) == (1234.5, "Wh", None, None)
    assert (energy["evse_id"], energy["connector_id"], energy["transaction_id"]) == (1, 2, None)
    assert energy["context"] == "Sample.Periodic"
    assert (current["value"], current["phase"], current["location"], current["context"]) == (
        16.0,
        "L1",
        "Outlet",
        "Sample.Clock",
    )
    assert [e["station_id"] for e in events] == ["RAW-1", None]
    assert events[0]["data"] == {"nested": {"list": [1, 2.5, None, "ü"]}}
    assert events[0]["at"] == datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)
    assert seen == datetime(2030, 1, 1, 12, 0, 0, 123456, tzinfo=UTC)


async def test_a_bad_row_fails_alone(node: Any) -> None:
    """A row the database refuses (NOT NULL) fails its own caller only; the rest commit."""
    store = node.app.store
    at = datetime(2030, 1, 1, tzinfo=UTC)
    bad = store.add_station_event("RAW-2", None, at, {})  # kind is NOT NULL
    good = [store.add_station_event("RAW-2", f"ok-{i}", at, {}) for i in range(5)]
    results = await asyncio.gather(bad, *good, return_exceptions=True)
    assert isinstance(results[0], Exception)
    assert results[1:] == [None] * 5
    async with store.engine.connect() as conn:
        kinds = (await conn.execute(select(station_events.c.kind).where(station_events.c.station_id == "RAW-2"))).all()
    assert sorted(k for (k,) in kinds) == [f"ok-{i}" for i in range(5)]


def test_the_statement_is_compiled_once_per_dialect() -> None:
    from sqlalchemy import insert
    from sqlalchemy.dialects import postgresql, sqlite

    raw = RawStatement(insert(meter_samples), ["station_id", "value"])
    lite = raw._plan(sqlite.pysqlite.dialect())
    pg = raw._plan(postgresql.asyncpg.dialect())
    assert lite is not None and pg is not None
    assert "?" in lite[0] and "$1" in pg[0]
    assert [name for name, _ in lite[1]] == ["station_id", "value"]
    assert raw._plan(sqlite.pysqlite.dialect()) is lite


async def test_running_transactions_widen_without_a_query_for_ended_ones(node: Any) -> None:
    """The sampled range of a running transaction is widened by the raw statement alone; the query
    for ended transactions (SQLAlchemy, FOR UPDATE) runs only for a sample that arrives after the
    stop. On PostgreSQL, whose executemany reports no row count, one prepared query tells which."""
    widen = node.app.store._widen_ranges
    asked: list[int] = []
    for_update = widen._for_update

    def counted(query: Any) -> Any:
        asked.append(1)
        return for_update(query)

    widen._for_update = counted
    station_id = random_id("WIDEN")
    station = await RawStation.open(node.ocpp_url, station_id, "1.6")
    try:
        await station.call("BootNotification", BOOT16)
        start = await station.call(
            "StartTransaction", {"connectorId": 1, "idTag": "X", "meterStart": 0, "timestamp": "2026-11-23T10:00:00Z"}
        )
        tx_id = start[2]["transactionId"]

        def meter(wh: int) -> dict[str, Any]:
            value = [{"timestamp": "2026-11-23T10:30:00Z", "sampledValue": [{"value": str(wh)}]}]
            return {"connectorId": 1, "transactionId": tx_id, "meterValue": value}

        for wh in (100, 200, 300):
            await station.call("MeterValues", meter(wh))
        # several samples of one transaction in one commit: folded as if applied one by one
        store = node.app.store
        at = datetime(2026, 11, 23, 10, 40, tzinfo=UTC)

        def request(wh: float) -> MeterValuesRequest:
            sample = MeterSample(at, (SampledValue("Energy.Active.Import.Register", wh, "Wh"),))
            return MeterValuesRequest(1, 1, (sample,), str(tx_id))

        await asyncio.gather(*(store.add_meter_values(station_id, request(wh), at) for wh in (250.0, 50.0, 700.0)))
        tx = await store.get_transaction(station_id, str(tx_id))
        assert (tx["sampled_min_wh"], tx["sampled_max_wh"], tx["energy_wh"]) == (50.0, 700.0, 700.0)
        assert asked == []
        await station.call(
            "StopTransaction", {"transactionId": tx_id, "meterStop": 400, "timestamp": "2026-11-23T11:00:00Z"}
        )
        await station.call("MeterValues", meter(350))  # late: its transaction ended
        assert asked == [1]
    finally:
        await station.close()


async def test_last_seen_times_are_flushed_in_chunks(node: Any) -> None:
    """A fleet's last-seen times go to the writer in chunks, so they never hold the messages'
    commits behind one long statement; every one of them is stored."""
    store = node.app.store
    tracker = node.app.requests.last_seen
    now = datetime(2030, 1, 1, tzinfo=UTC)
    ids = [f"SEEN-{i:03d}" for i in range(450)]
    for station_id in ids:
        await store.add_station(station_id, now=now)
    chunks: list[int] = []
    touch_many = store.touch_many

    async def counted(last_seen: dict[str, datetime]) -> None:
        chunks.append(len(last_seen))
        await touch_many(last_seen)

    store.touch_many = counted
    seen = now + timedelta(minutes=5)
    for station_id in ids:
        tracker.seen(station_id, seen)
    await tracker.flush()
    assert chunks == [200, 200, 50]
    async with store.engine.connect() as conn:
        rows = (await conn.execute(select(stations.c.last_seen).where(stations.c.id.in_(ids)))).scalars().all()
    assert len(rows) == 450 and set(rows) == {seen}
