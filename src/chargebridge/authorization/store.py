"""Reads and writes of the reservation and local-list tables, over the node's :class:`Store`
(same engine, same group-commit writer)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.authorization.locallist import ListEntry, entry_of_row
from chargebridge.authorization.reservations import ACTIVE_STATES
from chargebridge.authorization.tables import local_list_entries, local_list_stations, reservations
from chargebridge.store.repository import Row, Store
from chargebridge.store.schema import id_tokens, stations


class VersionConflict(Exception):
    """The list moved on while a change set was being written (another writer); nothing was written."""


class AuthorizationStore:
    def __init__(self, store: Store):
        self.store = store

    # -- reservations -----------------------------------------------------------------------

    async def add_reservation(self, values: dict[str, Any]) -> Row:
        async def op(conn: AsyncConnection) -> Any:
            result = await conn.execute(insert(reservations).values(**values))
            return result.inserted_primary_key[0] if result.inserted_primary_key else None

        reservation_id = await self.store.writer.run(op)
        row = await self.get_reservation(int(reservation_id))
        assert row is not None
        return row

    async def get_reservation(self, reservation_id: int, station_id: str | None = None) -> Row | None:
        query = select(reservations).where(reservations.c.id == reservation_id)
        if station_id is not None:
            query = query.where(reservations.c.station_id == station_id)
        return await self.store._fetch_one(query)

    async def list_reservations(
        self,
        *,
        station_id: str | None = None,
        states: Collection[str] | None = None,
        only: Collection[str] | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> tuple[list[Row], int]:
        conditions = []
        if station_id is not None:
            conditions.append(reservations.c.station_id == station_id)
        if states:
            conditions.append(reservations.c.state.in_(list(states)))
        if only is not None:
            conditions.append(reservations.c.station_id.in_(list(only)))
        where = and_(True, *conditions)
        rows = await self.store._fetch_all(
            select(reservations).where(where).order_by(reservations.c.id.desc()).limit(limit).offset(offset)
        )
        total = await self.store._fetch_one(select(func.count()).select_from(reservations).where(where))
        assert total is not None
        return rows, int(next(iter(total.values())))

    async def active_reservations(self) -> list[Row]:
        return await self.store._fetch_all(select(reservations).where(reservations.c.state.in_(list(ACTIVE_STATES))))

    async def update_reservation(
        self, reservation_id: int, values: dict[str, Any], *, from_states: Collection[str] | None = None
    ) -> Row | None:
        """Change a reservation (only while in one of ``from_states``, if given); the new row, or
        None when it did not exist or was in another state."""

        async def op(conn: AsyncConnection) -> int:
            query = update(reservations).where(reservations.c.id == reservation_id)
            if from_states is not None:
                query = query.where(reservations.c.state.in_(list(from_states)))
            return int((await conn.execute(query.values(**values))).rowcount or 0)

        if await self.store.writer.run(op) == 0:
            return None
        return await self.get_reservation(reservation_id)

    async def due_reservations(self, now: datetime) -> list[Row]:
        return await self.store._fetch_all(
            select(reservations).where(reservations.c.state.in_(list(ACTIVE_STATES)), reservations.c.expires_at <= now)
        )

    # -- the id-token store, as the local list sees it --------------------------------------

    async def all_id_tokens(self) -> list[Row]:
        return await self.store._fetch_all(select(id_tokens).order_by(id_tokens.c.id_token))

    async def token_fingerprint(self, now: datetime) -> tuple[Any, ...]:
        """Changes whenever a token is added, changed or deleted, or an Accepted token expires."""
        expired = func.sum(
            case(
                (and_(id_tokens.c.status == "Accepted", id_tokens.c.expires_at <= now), 1),
                else_=0,
            )
        )
        row = await self.store._fetch_one(
            select(func.count().label("n"), func.max(id_tokens.c.updated_at).label("at"), expired.label("expired"))
        )
        assert row is not None
        return (row["n"], row["at"], int(row["expired"] or 0))

    # -- the local list ---------------------------------------------------------------------

    async def list_version(self) -> int:
        row = await self.store._fetch_one(select(func.max(local_list_entries.c.version).label("v")))
        return int(row["v"]) if row is not None and row["v"] is not None else 0

    def _newest(self, *, at_or_below: int | None = None, above: int | None = None) -> Any:
        """Per token, its newest row (at or below a version); with ``above``: only tokens that changed after it."""
        newest = select(
            local_list_entries.c.id_token.label("token"), func.max(local_list_entries.c.version).label("version")
        )
        if at_or_below is not None:
            newest = newest.where(local_list_entries.c.version <= at_or_below)
        if above is not None:
            newest = newest.where(local_list_entries.c.version > above)
        sub = newest.group_by(local_list_entries.c.id_token).subquery()
        return (
            select(local_list_entries)
            .join(
                sub,
                and_(local_list_entries.c.id_token == sub.c.token, local_list_entries.c.version == sub.c.version),
            )
            .order_by(local_list_entries.c.id_token)
        )

    async def entries(self, version: int | None = None) -> dict[str, ListEntry]:
        """The list at ``version`` (None: the newest), tombstones included."""
        rows = await self.store._fetch_all(self._newest(at_or_below=version))
        return {row["id_token"]: entry_of_row(row) for row in rows}

    async def changes_since(self, version: int, until: int | None = None) -> list[ListEntry]:
        """Each token that changed after ``version`` (up to ``until``), in its newest state there
        (removals have status None)."""
        query = self._newest(at_or_below=until, above=version)
        return [entry_of_row(row) for row in await self.store._fetch_all(query)]

    async def entry_rows(self, version: int | None = None, *, limit: int = 100, offset: int = 0) -> list[Row]:
        """The entries present at ``version`` with the version each last changed in (for the API)."""
        query = self._newest(at_or_below=version).where(local_list_entries.c.status.is_not(None))
        return await self.store._fetch_all(query.limit(limit).offset(offset))

    async def count_entries(self, version: int | None = None) -> int:
        sub = self._newest(at_or_below=version).where(local_list_entries.c.status.is_not(None)).subquery()
        row = await self.store._fetch_one(select(func.count().label("n")).select_from(sub))
        return int(row["n"]) if row is not None else 0

    async def append_changes(
        self, expected_version: int, version: int, changed: Sequence[ListEntry], at: datetime
    ) -> None:
        """Write one change set as ``version``, unless the list is no longer at ``expected_version``."""
        rows = [
            {
                "id_token": entry.id_token,
                "version": version,
                "type": entry.type,
                "status": entry.status,
                "expires_at": entry.expires_at,
                "group_id": entry.group_id,
                "changed_at": at,
            }
            for entry in changed
        ]

        async def op(conn: AsyncConnection) -> None:
            current = (await conn.execute(select(func.max(local_list_entries.c.version)))).scalar()
            if int(current or 0) != expected_version:
                raise VersionConflict(f"list is at {current}, expected {expected_version}")
            await conn.execute(insert(local_list_entries), rows)

        await self.store.writer.run(op)

    # -- stations ---------------------------------------------------------------------------

    async def station_state(self, station_id: str) -> Row | None:
        return await self.store._fetch_one(
            select(local_list_stations).where(local_list_stations.c.station_id == station_id)
        )

    async def set_station_state(self, station_id: str, values: dict[str, Any], now: datetime) -> Row:
        """Insert or update a station's local-list row; returns it."""
        values = {**values, "updated_at": now}

        async def op(conn: AsyncConnection) -> None:
            result = await conn.execute(
                update(local_list_stations).where(local_list_stations.c.station_id == station_id).values(**values)
            )
            if not result.rowcount:
                defaults: dict[str, Any] = {"state": "unknown", "messages": 0}
                await conn.execute(insert(local_list_stations).values(station_id=station_id, **{**defaults, **values}))

        await self.store.writer.run(op)
        row = await self.station_state(station_id)
        assert row is not None
        return row

    async def eligible_stations(self, policy_all: bool, station_ids: Collection[str] | None = None) -> list[str]:
        """Registered stations that get a list: with the policy ``all`` every station not opted
        out, otherwise only stations opted in."""
        joined = stations.outerjoin(local_list_stations, local_list_stations.c.station_id == stations.c.id)
        flag = local_list_stations.c.enabled
        wanted = or_(flag.is_(None), flag.is_(True)) if policy_all else flag.is_(True)
        query = select(stations.c.id).select_from(joined).where(wanted).order_by(stations.c.id)
        if station_ids is not None:
            query = query.where(stations.c.id.in_(list(station_ids)))
        return [row["id"] for row in await self.store._fetch_all(query)]
