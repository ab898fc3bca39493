"""Reads and writes of the retention job and the aggregates API (over the core :class:`Store`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.retention.aggregate import Aggregate, BucketKey, downsample
from chargebridge.retention.tables import meter_aggregates
from chargebridge.store.repository import Row, Store, aware_row
from chargebridge.store.schema import meter_samples, station_events, transactions

_DELETE_CHUNK = 500  # ids per DELETE ... WHERE id IN (...)
BUCKET_COLUMNS = ["station_id", "evse_id", "transaction_id", "hour", "measurand", "phase", "location", "unit"]


@dataclass(frozen=True, slots=True)
class BatchResult:
    scanned: int  # rows read (the oldest ids after the cursor)
    deleted: int  # raw samples folded into aggregates and deleted
    kept: int  # older than the cutoff but of a transaction that is not final yet
    aggregates: int  # aggregate rows written or merged
    last_id: int  # the cursor for the next batch
    done: bool  # nothing older than the cutoff in this batch: the run is over


class RetentionStore:
    def __init__(self, store: Store):
        self.store = store
        dialect = store.engine.dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        stmt = insert(meter_aggregates)
        t, new = meter_aggregates.c, stmt.excluded
        self._upsert = stmt.on_conflict_do_update(
            index_elements=BUCKET_COLUMNS,
            set_={
                "samples": t.samples + new.samples,
                "sum_value": t.sum_value + new.sum_value,
                "min_value": case((new.min_value < t.min_value, new.min_value), else_=t.min_value),
                "max_value": case((new.max_value > t.max_value, new.max_value), else_=t.max_value),
                "first_value": case((new.first_at < t.first_at, new.first_value), else_=t.first_value),
                "first_at": case((new.first_at < t.first_at, new.first_at), else_=t.first_at),
                "last_value": case((new.last_at > t.last_at, new.last_value), else_=t.last_value),
                "last_at": case((new.last_at > t.last_at, new.last_at), else_=t.last_at),
            },
        )

    async def downsample_batch(self, cutoff: datetime, after_id: int, batch_size: int) -> BatchResult:
        """Fold the samples older than ``cutoff`` among the ``batch_size`` oldest ids after
        ``after_id`` into aggregates and delete them, in one short write transaction (through the
        store's writer, so it queues with the stations' writes instead of locking them out).

        The oldest ids are read by primary key, never by a scan of the whole table; a batch
        with no sample older than the cutoff ends the run (what follows is newer, but for late
        offline replays, which a later run reaches once the rows before them are gone). Samples
        of a transaction that is not final yet are kept until it is."""

        async def op(conn: AsyncConnection) -> BatchResult:
            rows = [
                aware_row(r)
                for r in (
                    await conn.execute(
                        select(meter_samples)
                        .where(meter_samples.c.id > after_id)
                        .order_by(meter_samples.c.id)
                        .limit(batch_size)
                    )
                ).mappings()
            ]
            if not rows:
                return BatchResult(0, 0, 0, 0, after_id, True)
            last_id = int(rows[-1]["id"])
            old = [r for r in rows if r["timestamp"] < cutoff]
            if not old:
                return BatchResult(len(rows), 0, 0, 0, last_id, True)
            open_keys = await self._open_transactions(conn, {(r["station_id"], r["transaction_id"]) for r in old})
            deletable = [r for r in old if (r["station_id"], r["transaction_id"]) not in open_keys]
            buckets = downsample(deletable)
            if buckets:
                await conn.execute(self._upsert, [_values(key, agg) for key, agg in buckets.items()])
            ids = [int(r["id"]) for r in deletable]
            for start in range(0, len(ids), _DELETE_CHUNK):
                chunk = ids[start : start + _DELETE_CHUNK]
                await conn.execute(delete(meter_samples).where(meter_samples.c.id.in_(chunk)))
            return BatchResult(len(rows), len(deletable), len(old) - len(deletable), len(buckets), last_id, False)

        return await self.store.writer.run(op)

    @staticmethod
    async def _open_transactions(conn: AsyncConnection, keys: set[tuple[str, str | None]]) -> set[tuple[str, str]]:
        """Those of (station, transaction) that name a transaction which is not final yet."""
        named = sorted((sid, tx) for sid, tx in keys if tx)
        if not named:
            return set()
        t = transactions.c
        result = await conn.execute(
            select(t.station_id, t.transaction_id).where(
                tuple_(t.station_id, t.transaction_id).in_(named), t.orphan.is_(False), t.finalised_at.is_(None)
            )
        )
        return {(row.station_id, row.transaction_id) for row in result}

    async def delete_events_batch(self, cutoff: datetime, batch_size: int) -> tuple[int, bool]:
        """Delete the station events older than ``cutoff`` among the ``batch_size`` oldest, in one
        short write transaction through the store's writer. Returns (deleted, done): done when the
        oldest events are not older than the cutoff (ids grow with time; a late event with an old
        timestamp behind a newer one waits for a later run, as with samples)."""

        async def op(conn: AsyncConnection) -> tuple[int, bool]:
            e = station_events.c
            query = select(e.id, e.at).order_by(e.id).limit(batch_size)
            rows = [aware_row(row) for row in (await conn.execute(query)).mappings()]
            old = [int(row["id"]) for row in rows if row["at"] < cutoff]
            for start in range(0, len(old), _DELETE_CHUNK):
                chunk = old[start : start + _DELETE_CHUNK]
                await conn.execute(delete(station_events).where(e.id.in_(chunk)))
            return len(old), not old or len(rows) < batch_size

        return await self.store.writer.run(op)

    async def oldest_event_at(self) -> datetime | None:
        row = await self.store._fetch_one(select(station_events.c.at).order_by(station_events.c.id).limit(1))
        return row["at"] if row is not None else None

    async def oldest_sample_at(self) -> datetime | None:
        """The timestamp of the sample with the lowest id (what the next run starts with)."""
        row = await self.store._fetch_one(select(meter_samples.c.timestamp).order_by(meter_samples.c.id).limit(1))
        return row["timestamp"] if row is not None else None

    async def list_aggregates(
        self,
        station_id: str,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        transaction_id: str | None = None,
        measurand: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[Row]:
        t = meter_aggregates.c
        query = select(meter_aggregates).where(t.station_id == station_id)
        if since is not None:
            query = query.where(t.hour >= since.replace(minute=0, second=0, microsecond=0))
        if until is not None:
            query = query.where(t.hour < until)
        if transaction_id is not None:
            query = query.where(t.transaction_id == transaction_id)
        if measurand is not None:
            query = query.where(t.measurand == measurand)
        query = query.order_by(t.hour, t.evse_id, t.transaction_id, t.measurand, t.phase, t.id)
        return await self.store._fetch_all(query.limit(limit).offset(offset))


def _values(key: BucketKey, aggregate: Aggregate) -> dict[str, Any]:
    return {**asdict(key), **asdict(aggregate)}


def aggregate_view(row: Row) -> dict[str, Any]:
    samples = int(row["samples"])
    return {
        "evse_id": row["evse_id"],
        "transaction_id": row["transaction_id"] or None,
        "hour": row["hour"],
        "measurand": row["measurand"],
        "phase": row["phase"] or None,
        "location": row["location"] or None,
        "unit": row["unit"],
        "samples": samples,
        "min": row["min_value"],
        "max": row["max_value"],
        "avg": row["sum_value"] / samples if samples else None,
        "first_at": row["first_at"],
        "first": row["first_value"],
        "last_at": row["last_at"],
        "last": row["last_value"],
    }
