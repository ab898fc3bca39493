"""Reads and writes of the security tables, over the node's :class:`Store` (same engine, same writer).

The audit log has no update or delete here, and the database refuses both (migration triggers).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.security.tables import api_token_stations, audit_log
from chargebridge.store.repository import Row, Store
from chargebridge.store.schema import api_tokens, stations


@dataclass(frozen=True, slots=True)
class AuditEntry:
    at: datetime
    action: str
    method: str
    path: str
    result: str
    status_code: int
    actor: str | None = None
    actor_name: str | None = None
    role: str | None = None
    station_id: str | None = None
    parameters: Any = None
    detail: Any = None
    source: str | None = None


class SecurityStore:
    def __init__(self, store: Store):
        self.store = store

    # -- audit log -------------------------------------------------------------------------

    async def append_audit(self, entry: AuditEntry) -> None:
        values = {
            "at": entry.at,
            "actor": entry.actor,
            "actor_name": entry.actor_name,
            "role": entry.role,
            "action": entry.action[:100],
            "method": entry.method[:8],
            "path": entry.path[:255],
            "station_id": entry.station_id[:48] if entry.station_id else None,
            "parameters": entry.parameters,
            "result": entry.result,
            "status_code": entry.status_code,
            "detail": entry.detail,
            "source": entry.source[:64] if entry.source else None,
        }

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(audit_log).values(**values))

        await self.store.writer.run(op)

    async def list_audit(
        self,
        *,
        station_id: str | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
        only: Collection[str] | None = None,
    ) -> list[Row]:
        """Entries, newest first. ``only``: a scoped token's stations (entries naming none are left out)."""
        query = select(audit_log)
        if only is not None:
            query = query.where(audit_log.c.station_id.in_(sorted(only)))
        if station_id is not None:
            query = query.where(audit_log.c.station_id == station_id)
        if actor is not None:
            query = query.where(audit_log.c.actor == actor)
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        return await self.store._fetch_all(query.order_by(audit_log.c.id.desc()).limit(limit).offset(offset))

    # -- station scopes of API tokens ------------------------------------------------------

    async def token_stations(self, token_id: str) -> frozenset[str] | None:
        """The stations a token is limited to, or None when it is not scoped."""
        rows = await self.store._fetch_all(
            select(api_token_stations.c.station_id).where(api_token_stations.c.token_id == token_id)
        )
        return frozenset(r["station_id"] for r in rows) if rows else None

    async def add_api_token(
        self,
        *,
        token_id: str,
        name: str | None,
        token_hash: str,
        role: str,
        now: datetime,
        expires_at: datetime | None,
        stations: Collection[str] | None,
    ) -> None:
        """Create a token and its station scope in one transaction, so it never exists unscoped
        for a moment (a token without scope rows may reach every station)."""
        rows = [{"token_id": token_id, "station_id": sid} for sid in sorted(set(stations or ()))]

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(
                insert(api_tokens).values(
                    id=token_id, name=name, token_hash=token_hash, role=role, created_at=now, expires_at=expires_at
                )
            )
            if rows:
                await conn.execute(insert(api_token_stations), rows)

        await self.store.writer.run(op)

    async def set_token_stations(self, token_id: str, station_ids: Collection[str] | None) -> None:
        """Limit a token to these stations (None or empty: no limit)."""
        rows = [{"token_id": token_id, "station_id": sid} for sid in sorted(set(station_ids or ()))]

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(delete(api_token_stations).where(api_token_stations.c.token_id == token_id))
            if rows:
                await conn.execute(insert(api_token_stations), rows)

        await self.store.writer.run(op)

    # -- stations without authentication ---------------------------------------------------

    async def unauthenticated_stations(self, sample: int = 5) -> tuple[int, list[str]]:
        """How many stations are at security profile 0 (no password, no certificate), and the
        first ``sample`` of their ids: anyone who knows such an id can connect as the station."""
        condition = and_(
            or_(stations.c.security_profile == 0, stations.c.security_profile.is_(None)),
            stations.c.password_hash.is_(None),
        )
        async with self.store.engine.connect() as conn:
            count = int((await conn.execute(select(func.count()).select_from(stations).where(condition))).scalar_one())
            ids = [
                r[0]
                for r in await conn.execute(
                    select(stations.c.id).where(condition).order_by(stations.c.id).limit(sample)
                )
            ]
        return count, ids
