"""Reads and writes of the translator's tables, over the node's :class:`Store` (same engine, same
group-commit writer: a write returns once its transaction committed).

Every change a message makes (the station's counters and state, its sessions, the messages it
queues, the queued message it delivered) is one :class:`StationWrite`. The writes of all stations
that share a commit run together (:class:`StationWrites`): one statement per kind of change with
every station's rows, instead of a few statements per message, and each station's write stays
atomic because a commit holds all of it."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.store.repository import Store, aware_row
from chargebridge.translate.model import Delivery, Outbound, Session, StationState
from chargebridge.translate.tables import translator_queue, translator_sessions, translator_stations

QUEUED = "queued"
FAILED = "failed"
# Ended sessions kept in memory per station (late or repeated stops, remote stops find them).
RECENT_ENDED = 32


def dedupe_hash(key: str | None) -> str | None:
    """Dedupe keys are stored as SHA-256 hex: fixed width, whatever the station sent."""
    return hashlib.sha256(key.encode()).hexdigest() if key is not None else None


COUNTERS = ("seq_no", "event_id", "notify_seq_no", "next_tx_key", "next_request_id", "next_item_no")
ITEM_COLUMNS = (
    "station_id",
    "item_no",
    "action",
    "payload",
    "session_key",
    "tag",
    "queued_offline",
    "status",
    "attempts",
    "error",
    "created_at",
)

# The writes every message makes, as plain SQL for SQLite's inline writer connection (see
# StationWrites.run): the same statements SQLAlchemy would send, without building an execution
# context per commit, which cost more than SQLite itself does.
_SQLITE_COUNTERS = (
    "UPDATE translator_stations SET "
    + ", ".join(f"{c} = ?" for c in (*COUNTERS, "updated_at"))
    + " WHERE station_id = ?"
)
_SQLITE_ITEMS = (
    f"INSERT INTO translator_queue ({', '.join(ITEM_COLUMNS)}) VALUES ({', '.join('?' for _ in ITEM_COLUMNS)})"
)
_SQLITE_DELETE = "DELETE FROM translator_queue WHERE station_id = ? AND item_no = ?"


def encode_payload(payload: dict[str, Any]) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy's SQLite DATETIME stores it (UTC, no offset)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


@dataclass(slots=True)
class StationWrite:
    """One station's change: its counters (always), its state JSON (when it changed), sessions,
    queue rows to add and queue items to remove."""

    station_id: str
    counters: dict[str, Any] | None
    state: dict[str, Any] | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)
    delivered: list[int] = field(default_factory=list)


class StationWrites:
    """The grouped write of every :class:`StationWrite` in one commit (see the module docstring)."""

    def __init__(self, dialect: Any):
        self._sqlite = dialect is sqlite
        station_insert = dialect.insert(translator_stations)
        self._upsert_station = station_insert.on_conflict_do_update(
            index_elements=["station_id"],
            set_={column: station_insert.excluded[column] for column in (*COUNTERS, "state", "updated_at")},
        )
        t = translator_stations.c
        self._update_counters = (
            update(translator_stations)
            .where(t.station_id == bindparam("w_station"))
            .values({column: bindparam(f"w_{column}") for column in (*COUNTERS, "updated_at")})
        )
        session_insert = dialect.insert(translator_sessions)
        self._upsert_session = session_insert.on_conflict_do_update(
            index_elements=["station_id", "session_key"],
            set_={
                column: session_insert.excluded[column]
                for column in ("station_tx_id", "upstream_tx_id", "dedupe_key", "ended", "data", "updated_at")
            },
        )
        self._insert_items = insert(translator_queue)
        q = translator_queue.c
        self._delete_items = delete(translator_queue).where(
            and_(q.station_id == bindparam("w_station"), q.item_no == bindparam("w_item"))
        )

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]:
        writes: list[StationWrite] = items
        # The last counters of each station win; its state JSON is the last one written in the commit.
        counters: dict[str, dict[str, Any]] = {}
        states: dict[str, dict[str, Any]] = {}
        sessions: dict[tuple[str, int], dict[str, Any]] = {}
        for write in writes:
            if write.counters is not None:
                counters[write.station_id] = write.counters
            if write.state is not None:
                states[write.station_id] = write.state
            for row in write.sessions:
                sessions[(row["station_id"], row["session_key"])] = row
        full = [{**counters[sid], "state": state, "station_id": sid} for sid, state in states.items()]
        if full:
            await conn.execute(self._upsert_station, full)
        if sessions:
            await conn.execute(self._upsert_session, list(sessions.values()))
        rest = {sid: values for sid, values in counters.items() if sid not in states}
        rows = [row for write in writes for row in write.items]
        gone = [(write.station_id, no) for write in writes for no in write.delivered]
        if self._sqlite:
            self._run_sqlite(conn, rest, rows, gone)
            return [None] * len(writes)
        if rest:
            params = [{"w_station": sid, **{f"w_{k}": v for k, v in values.items()}} for sid, values in rest.items()]
            await conn.execute(self._update_counters, params)
        if rows:
            await conn.execute(self._insert_items, rows)
        if gone:
            await conn.execute(self._delete_items, [{"w_station": sid, "w_item": no} for sid, no in gone])
        return [None] * len(writes)

    @staticmethod
    def _run_sqlite(
        conn: AsyncConnection,
        counters: dict[str, dict[str, Any]],
        rows: list[dict[str, Any]],
        gone: list[tuple[str, int]],
    ) -> None:
        """The hot statements on the writer's own sqlite3 connection, inside the writer's transaction."""
        sync = conn.sync_connection
        assert sync is not None
        driver = sync.connection.driver_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            if counters:
                cursor.executemany(
                    _SQLITE_COUNTERS,
                    [
                        (*(values[c] for c in COUNTERS), _sqlite_time(values["updated_at"]), sid)
                        for sid, values in counters.items()
                    ],
                )
            if rows:
                cursor.executemany(
                    _SQLITE_ITEMS,
                    [
                        (
                            row["station_id"],
                            row["item_no"],
                            row["action"],
                            row.get("payload_text") or encode_payload(row["payload"]),
                            row["session_key"],
                            row["tag"],
                            int(row["queued_offline"]),
                            row["status"],
                            row["attempts"],
                            row["error"],
                            _sqlite_time(row["created_at"]),
                        )
                        for row in rows
                    ],
                )
            if gone:
                cursor.executemany(_SQLITE_DELETE, gone)
        finally:
            cursor.close()


def outbound_of(item: Mapping[Any, Any]) -> Outbound:
    """A queue row as the message the bridge sends (generation 0: sent on a later connection, a replay)."""
    return Outbound(
        item["action"],
        item["payload"],
        Delivery.DURABLE,
        tag=item["tag"] or "",
        session=item["session_key"],
        queue_id=item["item_no"],
        queued_offline=item["queued_offline"],
        attempts=item["attempts"],
    )


def session_of(r: Mapping[Any, Any]) -> Session:
    session = Session.from_row(r["session_key"], r["station_tx_id"], r["upstream_tx_id"], None, r["ended"], r["data"])
    session.dedupe_key = r["data"].get("dedupe")
    return session


class TranslatorStore:
    def __init__(self, store: Store):
        self.store = store
        dialect = postgresql if store.engine.dialect.name == "postgresql" else sqlite
        self._writes = StationWrites(dialect)
        self._text = dialect is sqlite  # the SQLite path stores the payload's JSON text

    # -- loading --------------------------------------------------------------------------------

    async def load(self, station_id: str, now: datetime) -> tuple[StationState, list[Outbound]]:
        """The station's state (open sessions and the latest ended ones) and its queued messages, in
        order. A station seen for the first time gets its row (counters are then plain updates)."""
        state = StationState(station_id)
        q = translator_queue.c
        s = translator_sessions.c
        async with self.store.engine.connect() as conn:
            row = (
                (await conn.execute(select(translator_stations).where(translator_stations.c.station_id == station_id)))
                .mappings()
                .first()
            )
            if row is not None:
                for column in COUNTERS:
                    setattr(state, column, row[column])
                state.load_json(row["state"] or {})
            items = (
                await conn.execute(
                    select(translator_queue)
                    .where(and_(q.station_id == station_id, q.status == QUEUED))
                    .order_by(q.item_no)
                )
            ).mappings()
            queued = [outbound_of(item) for item in items]
            wanted = {out.session for out in queued if out.session is not None}
            recent = (
                select(s.session_key)
                .where(and_(s.station_id == station_id, s.ended.is_(True)))
                .order_by(s.session_key.desc())
                .limit(RECENT_ENDED)
            )
            ended_keys = {r[0] for r in await conn.execute(recent)}
            sessions = await conn.execute(
                select(translator_sessions).where(
                    and_(
                        s.station_id == station_id,
                        s.ended.is_(False) | s.session_key.in_(ended_keys | wanted),
                    )
                )
            )
            for r in sessions.mappings():
                session = session_of(r)
                state.sessions[session.key] = session
        if row is None:
            await self.save(state, now, full=True)
        return state, queued

    async def stations_with_queue(self) -> list[str]:
        q = translator_queue.c
        async with self.store.engine.connect() as conn:
            result = await conn.execute(select(q.station_id).where(q.status == QUEUED).group_by(q.station_id))
            return [row[0] for row in result]

    async def failed(self, station_id: str | None = None) -> list[dict[str, Any]]:
        """Messages the upstream refused every time (dead letters), oldest first."""
        q = translator_queue.c
        query = select(translator_queue).where(q.status == FAILED).order_by(q.created_at, q.item_no)
        if station_id is not None:
            query = query.where(q.station_id == station_id)
        return await self.store._fetch_all(query)

    async def session(self, station_id: str, session_key: int) -> Session | None:
        s = translator_sessions.c
        async with self.store.engine.connect() as conn:
            result = await conn.execute(
                select(translator_sessions).where(and_(s.station_id == station_id, s.session_key == session_key))
            )
            row = result.mappings().first()
        return session_of(row) if row is not None else None

    async def requeue(self, station_id: str, item_no: int) -> dict[str, Any] | None:
        """A dead letter back in its station's queue (status queued, attempts 0, error cleared), as
        it is now; None when there is no such dead letter. Of concurrent calls for one item, one wins."""
        q = translator_queue.c
        item = and_(q.station_id == station_id, q.item_no == item_no)

        async def op(conn: AsyncConnection) -> dict[str, Any] | None:
            result = await conn.execute(
                update(translator_queue)
                .where(and_(item, q.status == FAILED))
                .values(status=QUEUED, attempts=0, error=None)
            )
            if result.rowcount != 1:
                return None
            row = (await conn.execute(select(translator_queue).where(item))).mappings().first()
            return aware_row(row) if row is not None else None

        return await self.store.writer.run(op)

    async def discard(self, station_id: str, item_no: int) -> dict[str, Any] | None:
        """Delete a dead letter on purpose; returns the row it was, None when there is no such dead letter."""
        q = translator_queue.c
        where = and_(q.station_id == station_id, q.item_no == item_no, q.status == FAILED)

        async def op(conn: AsyncConnection) -> dict[str, Any] | None:
            row = (await conn.execute(select(translator_queue).where(where))).mappings().first()
            if row is None:
                return None
            result = await conn.execute(delete(translator_queue).where(where))
            return aware_row(row) if result.rowcount == 1 else None

        return await self.store.writer.run(op)

    async def counts(self) -> dict[str, int]:
        q = translator_queue.c
        async with self.store.engine.connect() as conn:
            result = await conn.execute(select(q.status, func.count()).group_by(q.status))
            return {row[0]: int(row[1]) for row in result}

    # -- writing ----------------------------------------------------------------------------------

    async def save(
        self,
        state: StationState,
        now: datetime,
        *,
        sessions: Iterable[Session] = (),
        items: Sequence[Outbound] = (),
        delivered: Sequence[int] = (),
        full: bool = False,
        counters: bool = True,
    ) -> None:
        """One atomic change of a station (see :class:`prepare`). Returns once committed."""
        write = self.prepare(
            state, now, sessions=sessions, items=items, delivered=delivered, full=full, counters=counters
        )
        try:
            await self.commit(write)
        except BaseException:
            if items and state.next_item_no == (items[-1].queue_id or 0) + 1:
                state.next_item_no = items[0].queue_id or state.next_item_no  # nothing was queued: numbers free again
            raise

    def prepare(
        self,
        state: StationState,
        now: datetime,
        *,
        sessions: Iterable[Session] = (),
        items: Sequence[Outbound] = (),
        delivered: Sequence[int] = (),
        full: bool = False,
        counters: bool = True,
    ) -> StationWrite:
        """The station's change as it is now (a snapshot: later changes are another write). New queue
        items get their number here. ``full`` writes the state JSON too (needed whenever it changed);
        ``counters`` False leaves the station row alone (a delivery that changed nothing else)."""
        for out in items:
            out.queue_id = state.take_item_no()
        return StationWrite(
            station_id=state.station_id,
            counters=(
                {**{column: getattr(state, column) for column in COUNTERS}, "updated_at": now}
                if counters or full or items
                else None
            ),
            state=state.state_json() if full else None,
            sessions=[self._session_row(state.station_id, session, now) for session in sessions],
            items=[self._item_row(state.station_id, out, now, text=self._text) for out in items],
            delivered=list(delivered),
        )

    async def commit(self, write: StationWrite) -> None:
        await self.store.writer.run_grouped(self._writes, write)

    def submit(self, write: StationWrite) -> asyncio.Future[Any]:
        """Queue the write now; the future resolves once it is committed."""
        return self.store.writer.submit_grouped(self._writes, write)

    async def set_aside(self, station_id: str, item_no: int, attempts: int, error: str) -> None:
        """The upstream refused this message every time: kept as a dead letter with the reason."""
        await self._update(station_id, item_no, status=FAILED, attempts=attempts, error=error[:2000])

    async def count_attempt(self, station_id: str, item_no: int, attempts: int, error: str) -> None:
        await self._update(station_id, item_no, attempts=attempts, error=error[:2000])

    async def _update(self, station_id: str, item_no: int, **values: Any) -> None:
        q = translator_queue.c

        async def op(conn: AsyncConnection) -> None:
            where = and_(q.station_id == station_id, q.item_no == item_no)
            await conn.execute(update(translator_queue).where(where).values(**values))

        await self.store.writer.run(op)

    @staticmethod
    def _session_row(station_id: str, session: Session, now: datetime) -> dict[str, Any]:
        data = session.data()
        data["dedupe"] = session.dedupe_key
        return {
            "station_id": station_id,
            "session_key": session.key,
            "station_tx_id": session.station_tx_id,
            "upstream_tx_id": session.upstream_tx_id,
            "dedupe_key": dedupe_hash(session.dedupe_key),
            "ended": session.ended,
            "data": data,
            "created_at": now,
            "updated_at": now,
        }

    @staticmethod
    def _item_row(station_id: str, out: Outbound, now: datetime, text: bool = False) -> dict[str, Any]:
        if text and out.encoded is None:
            out.encoded = encode_payload(out.payload)  # stored as it is sent: encoded once
        row = {
            "station_id": station_id,
            "item_no": out.queue_id,
            "action": out.action,
            "payload": out.payload,
            "session_key": out.session,
            "tag": out.tag or None,
            "queued_offline": out.queued_offline,
            "status": QUEUED,
            "attempts": out.attempts,
            "error": None,
            "created_at": now,
        }
        if text:
            row["payload_text"] = out.encoded
        return row
