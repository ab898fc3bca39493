"""Reads and writes of the translator's tables, over the node's :class:`Store` (same engine, same
group-commit writer: a write returns once its transaction committed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.store.repository import Store
from chargebridge.translate.model import Delivery, Outbound, Session, StationState
from chargebridge.translate.tables import translator_queue, translator_sessions, translator_stations

QUEUED = "queued"
FAILED = "failed"
# Ended sessions kept in memory per station (late or repeated stops, remote stops find them).
RECENT_ENDED = 32


def dedupe_hash(key: str | None) -> str | None:
    """Dedupe keys are stored as SHA-256 hex: fixed width, whatever the station sent."""
    return hashlib.sha256(key.encode()).hexdigest() if key is not None else None


class TranslatorStore:
    def __init__(self, store: Store):
        self.store = store
        dialect = postgresql if store.engine.dialect.name == "postgresql" else sqlite
        station_insert = dialect.insert(translator_stations)
        self._upsert_station = station_insert.on_conflict_do_update(
            index_elements=["station_id"],
            set_={
                column: station_insert.excluded[column]
                for column in (
                    "seq_no",
                    "event_id",
                    "notify_seq_no",
                    "next_tx_key",
                    "next_request_id",
                    "state",
                    "updated_at",
                )
            },
        )
        session_insert = dialect.insert(translator_sessions)
        self._upsert_session = session_insert.on_conflict_do_update(
            index_elements=["station_id", "session_key"],
            set_={
                column: session_insert.excluded[column]
                for column in ("station_tx_id", "upstream_tx_id", "dedupe_key", "ended", "data", "updated_at")
            },
        )
        self._insert_item = insert(translator_queue).returning(translator_queue.c.id)

    # -- loading --------------------------------------------------------------------------------

    async def load(self, station_id: str) -> tuple[StationState, list[Outbound]]:
        """The station's state (open sessions and the latest ended ones) and its queued messages, in order."""
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
                state.seq_no = row["seq_no"]
                state.event_id = row["event_id"]
                state.notify_seq_no = row["notify_seq_no"]
                state.next_tx_key = row["next_tx_key"]
                state.next_request_id = row["next_request_id"]
                state.load_json(row["state"] or {})
            items = (
                await conn.execute(
                    select(translator_queue).where(and_(q.station_id == station_id, q.status == QUEUED)).order_by(q.id)
                )
            ).mappings()
            queued = [
                Outbound(
                    item["action"],
                    item["payload"],
                    Delivery.DURABLE,
                    tag=item["tag"] or "",
                    session=item["session_key"],
                    queue_id=item["id"],
                    queued_offline=item["queued_offline"],
                    attempts=item["attempts"],
                )
                for item in items
            ]
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
                session = Session.from_row(
                    r["session_key"], r["station_tx_id"], r["upstream_tx_id"], None, r["ended"], r["data"]
                )
                session.dedupe_key = r["data"].get("dedupe")
                state.sessions[session.key] = session
        return state, queued

    async def stations_with_queue(self) -> list[str]:
        q = translator_queue.c
        async with self.store.engine.connect() as conn:
            result = await conn.execute(select(q.station_id).where(q.status == QUEUED).group_by(q.station_id))
            return [row[0] for row in result]

    async def failed(self, station_id: str | None = None) -> list[dict[str, Any]]:
        """Messages the upstream refused every time (dead letters), oldest first."""
        q = translator_queue.c
        query = select(translator_queue).where(q.status == FAILED).order_by(q.id)
        if station_id is not None:
            query = query.where(q.station_id == station_id)
        return await self.store._fetch_all(query)

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
        station: bool = True,
    ) -> None:
        """One transaction: the station row, the sessions, new queue items (their ids are set on
        them) and the delivered ones removed. Returns once committed."""
        station_row = self._station_row(state, now) if station else None
        session_rows = [self._session_row(state.station_id, session, now) for session in sessions]
        item_rows = [self._item_row(state.station_id, out, now) for out in items]

        async def op(conn: AsyncConnection) -> None:
            if station_row is not None:
                await conn.execute(self._upsert_station, station_row)
            if session_rows:
                await conn.execute(self._upsert_session, session_rows)
            for out, row in zip(items, item_rows, strict=True):
                out.queue_id = (await conn.execute(self._insert_item, row)).scalar_one()
            if delivered:
                await conn.execute(delete(translator_queue).where(translator_queue.c.id.in_(delivered)))

        await self.store.writer.run(op)

    async def set_aside(self, queue_id: int, attempts: int, error: str) -> None:
        """The upstream refused this message every time: kept as a dead letter with the reason."""
        await self._update(queue_id, status=FAILED, attempts=attempts, error=error[:2000])

    async def count_attempt(self, queue_id: int, attempts: int, error: str) -> None:
        await self._update(queue_id, attempts=attempts, error=error[:2000])

    async def _update(self, queue_id: int, **values: Any) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(update(translator_queue).where(translator_queue.c.id == queue_id).values(**values))

        await self.store.writer.run(op)

    @staticmethod
    def _station_row(state: StationState, now: datetime) -> dict[str, Any]:
        return {
            "station_id": state.station_id,
            "seq_no": state.seq_no,
            "event_id": state.event_id,
            "notify_seq_no": state.notify_seq_no,
            "next_tx_key": state.next_tx_key,
            "next_request_id": state.next_request_id,
            "state": state.state_json(),
            "updated_at": now,
        }

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
    def _item_row(station_id: str, out: Outbound, now: datetime) -> dict[str, Any]:
        return {
            "station_id": station_id,
            "action": out.action,
            "payload": out.payload,
            "session_key": out.session,
            "tag": out.tag or None,
            "queued_offline": out.queued_offline,
            "status": QUEUED,
            "attempts": out.attempts,
            "created_at": now,
        }
