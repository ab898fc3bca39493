"""The SQLite writer runs its statements on the event loop: a database locked by another process
is waited for by retrying (the loop keeps running), and the WAL is checkpointed off the loop."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.store.repository import Store
from chargebridge.store.schema import station_events


async def _open(tmp_path: Path) -> tuple[Store, Path]:
    path = tmp_path / "writer.db"
    return await Store.open(f"sqlite+aiosqlite:///{path}"), path


async def test_a_lock_held_by_another_process_is_retried_without_blocking_the_loop(tmp_path: Path) -> None:
    store, path = await _open(tmp_path)
    try:
        other = sqlite3.connect(path, isolation_level=None)  # e.g. a CLI command writing meanwhile
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO station_events (station_id, at, kind, data) VALUES ('X', '2024-01-01', 'k', '{}')")

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                insert(station_events).values(station_id="W", at=datetime.now(UTC), kind="locked", data={})
            )

        write = asyncio.create_task(store.writer.run(op))
        ticks = 0
        started = time.monotonic()
        while time.monotonic() - started < 0.6:
            await asyncio.sleep(0.01)
            ticks += 1
        assert not write.done()  # still waiting for the lock ...
        assert ticks > 20  # ... while the event loop kept running
        other.execute("COMMIT")
        other.close()
        async with asyncio.timeout(10):
            await write
        assert store.writer.stats.retries >= 1
        rows = await store._fetch_all(select(station_events.c.station_id).order_by(station_events.c.id))
        assert [r["station_id"] for r in rows] == ["X", "W"]
    finally:
        await store.close()


async def test_wal_is_checkpointed(tmp_path: Path) -> None:
    store, path = await _open(tmp_path)
    try:
        rows = [{"station_id": "C", "at": datetime.now(UTC), "kind": "bulk", "data": {"pad": "x" * 200}}]

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(station_events), rows * 2_000)

        for _ in range(5):
            await store.writer.run(op)
        wal = Path(f"{path}-wal")
        # The writer never checkpoints itself (wal_autocheckpoint=0 on its connection) ...
        assert wal.stat().st_size > 1_000_000
        before = path.stat().st_size
        await store.writer.checkpoint()
        # ... a PASSIVE checkpoint copies the WAL into the database file off the loop.
        assert path.stat().st_size > before + 1_000_000
    finally:
        await store.close()
