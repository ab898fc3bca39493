"""The edge's durable outbox: every sample and fault, on local disk, until the server has it.

One SQLite file (``outbox.db`` in the edge's data dir, WAL, ``synchronous=FULL``: a record the
reader was told is written survives a power cut). :meth:`Outbox.append` gives each record the
next sequence number (``AUTOINCREMENT``: never reused, not even after every row was deleted);
:meth:`Outbox.pending` returns the oldest unacknowledged records in order; :meth:`Outbox.ack`
deletes everything up to the sequence number the server acknowledged. The outbox also keeps the
edge's small state (its ``outbox_id``, the limits the server set, each device's active faults)
so a restart loses nothing.

The outbox is bounded (``max_records``): when it is full, the oldest *samples* are deleted (and
counted in ``dropped``) so faults and recent readings survive an uplink that is down for weeks.

All database work runs on one worker thread; the event loop never waits for a disk write.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    device TEXT NOT NULL,
    at TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


@dataclass(frozen=True, slots=True)
class Record:
    seq: int
    kind: str
    device: str
    at: str  # RFC 3339
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"seq": self.seq, "kind": self.kind, "device": self.device, "at": self.at, "data": self.data}


class Outbox:
    def __init__(self, path: Path, max_records: int = 1_000_000):
        self.path = path
        self.max_records = max_records
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="edge-outbox")
        self._db: sqlite3.Connection | None = None
        self.outbox_id = ""
        self.depth = 0  # records not yet acknowledged
        self.dropped = 0
        self.acked_seq = 0
        self.last_seq = 0

    async def _run(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn)

    # -- lifecycle --------------------------------------------------------------------------

    async def open(self) -> None:
        await self._run(self._open)

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.executescript(_SCHEMA)
        self._db = db
        outbox_id = self._get("outbox_id")
        if outbox_id is None:
            outbox_id = uuid.uuid4().hex
            self._put("outbox_id", outbox_id)
        self.outbox_id = outbox_id
        self.dropped = int(self._get("dropped") or 0)
        self.acked_seq = int(self._get("acked_seq") or 0)
        self.depth = int(db.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
        row = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'").fetchone()
        self.last_seq = int(row[0]) if row else 0

    async def close(self) -> None:
        if self._db is not None:
            await self._run(self._db.close)
            self._db = None
        self._executor.shutdown(wait=True)

    # -- state ------------------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise RuntimeError("the outbox is not open")
        return self._db

    def _get(self, key: str) -> str | None:
        row = self._conn().execute("SELECT value FROM state WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def _put(self, key: str, value: str) -> None:
        self._conn().execute(
            "INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    async def get_state(self, key: str) -> Any:
        raw = await self._run(lambda: self._get(key))
        return json.loads(raw) if raw is not None else None

    async def put_state(self, key: str, value: Any) -> None:
        text = json.dumps(value, separators=(",", ":"))
        await self._run(lambda: self._put(key, text))

    # -- records ----------------------------------------------------------------------------

    async def append(self, kind: str, device: str, at: str, data: dict[str, Any]) -> int:
        """Write one record (committed and synced when this returns); its sequence number."""
        text = json.dumps(data, separators=(",", ":"))
        return await self._run(lambda: self._append(kind, device, at, text))

    def _append(self, kind: str, device: str, at: str, text: str) -> int:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            cursor = db.execute(
                "INSERT INTO outbox (kind, device, at, data) VALUES (?, ?, ?, ?)", (kind, device, at, text)
            )
            seq = int(cursor.lastrowid or 0)
            self.depth += 1
            if self.depth > self.max_records:
                self._shed(db)
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.last_seq = seq
        return seq

    def _shed(self, db: sqlite3.Connection) -> None:
        """Over the bound: delete the oldest samples (a tenth of the bound at a time)."""
        excess = self.depth - self.max_records + max(1, self.max_records // 10)
        cursor = db.execute(
            "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE kind = 'sample' ORDER BY seq LIMIT ?)",
            (excess,),
        )
        removed = int(cursor.rowcount or 0)
        self.depth -= removed
        self.dropped += removed
        self._put("dropped", str(self.dropped))

    async def pending(self, limit: int, max_bytes: int | None = None) -> list[Record]:
        """The oldest unacknowledged records, in order: at most ``limit`` and about ``max_bytes``."""
        return await self._run(lambda: self._pending(limit, max_bytes))

    def _pending(self, limit: int, max_bytes: int | None) -> list[Record]:
        rows = self._conn().execute(
            "SELECT seq, kind, device, at, data FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?",
            (self.acked_seq, limit),
        )
        out: list[Record] = []
        size = 0
        for seq, kind, device, at, data in rows:
            size += len(data) + len(device) + 64
            if out and max_bytes is not None and size > max_bytes:
                break
            out.append(Record(int(seq), str(kind), str(device), str(at), json.loads(data)))
        return out

    async def ack(self, seq: int) -> int:
        """Forget every record up to ``seq`` (the server has them); how many were removed."""
        if seq <= self.acked_seq:
            return 0
        return await self._run(lambda: self._ack(seq))

    def _ack(self, seq: int) -> int:
        db = self._conn()
        db.execute("BEGIN IMMEDIATE")
        try:
            removed = int(db.execute("DELETE FROM outbox WHERE seq <= ?", (seq,)).rowcount or 0)
            self._put("acked_seq", str(seq))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.acked_seq = seq
        self.depth = max(0, self.depth - removed)
        return removed
