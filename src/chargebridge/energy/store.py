"""Reads and writes of the energy tables, over the node's :class:`Store` (same engine, same
group-commit writer)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.energy.tables import energy_curtailments, energy_evses, energy_sites, energy_stations
from chargebridge.store.repository import Row, Store


class SiteExists(Exception):
    pass


class SiteInUse(Exception):
    """A site that still has child sites or stations cannot be deleted."""

    def __init__(self, children: list[str], stations: list[str]):
        super().__init__("site in use")
        self.children = children
        self.stations = stations


class EnergyStore:
    def __init__(self, store: Store):
        self.store = store

    # -- sites ------------------------------------------------------------------------------

    async def add_site(self, values: dict[str, Any]) -> None:
        async def op(conn: AsyncConnection) -> None:
            exists = (await conn.execute(select(energy_sites.c.id).where(energy_sites.c.id == values["id"]))).first()
            if exists is not None:
                raise SiteExists(values["id"])
            await conn.execute(insert(energy_sites).values(**values))

        try:
            await self.store.writer.run(op)
        except IntegrityError as exc:  # a concurrent insert of the same id
            raise SiteExists(values["id"]) from exc

    async def get_site(self, site_id: str) -> Row | None:
        return await self.store._fetch_one(select(energy_sites).where(energy_sites.c.id == site_id))

    async def list_sites(self) -> list[Row]:
        return await self.store._fetch_all(select(energy_sites).order_by(energy_sites.c.id))

    async def update_site(self, site_id: str, values: dict[str, Any]) -> bool:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(update(energy_sites).where(energy_sites.c.id == site_id).values(**values))
            return int(result.rowcount or 0)

        return await self.store.writer.run(op) > 0

    async def delete_site(self, site_id: str) -> bool:
        async def op(conn: AsyncConnection) -> int:
            children = [
                r[0] for r in (await conn.execute(select(energy_sites.c.id).where(energy_sites.c.parent_id == site_id)))
            ]
            members = [
                r[0]
                for r in (
                    await conn.execute(select(energy_stations.c.station_id).where(energy_stations.c.site_id == site_id))
                )
            ]
            if children or members:
                raise SiteInUse(sorted(children), sorted(members))
            await conn.execute(delete(energy_curtailments).where(energy_curtailments.c.site_id == site_id))
            result = await conn.execute(delete(energy_sites).where(energy_sites.c.id == site_id))
            return int(result.rowcount or 0)

        return await self.store.writer.run(op) > 0

    # -- stations and EVSEs -------------------------------------------------------------------

    async def station_settings(self, station_id: str | None = None) -> list[Row]:
        query = select(energy_stations).order_by(energy_stations.c.station_id)
        if station_id is not None:
            query = query.where(energy_stations.c.station_id == station_id)
        return await self.store._fetch_all(query)

    async def set_station(self, station_id: str, values: dict[str, Any], now: datetime) -> Row:
        """Upsert the station's settings (only the keys of ``values`` change); returns the row."""

        async def op(conn: AsyncConnection) -> None:
            query = select(energy_stations.c.station_id).where(energy_stations.c.station_id == station_id)
            found = (await conn.execute(query)).first()
            if found is None:
                row = {"station_id": station_id, "site_id": None, "max_current_a": None, "priority": 0}
                row.update(values)
                await conn.execute(insert(energy_stations).values(**row, updated_at=now))
            elif values:
                await conn.execute(
                    update(energy_stations)
                    .where(energy_stations.c.station_id == station_id)
                    .values(**values, updated_at=now)
                )

        await self.store.writer.run(op)
        rows = await self.station_settings(station_id)
        return rows[0]

    async def evse_settings(self, station_id: str | None = None) -> list[Row]:
        query = select(energy_evses).order_by(energy_evses.c.station_id, energy_evses.c.evse_id)
        if station_id is not None:
            query = query.where(energy_evses.c.station_id == station_id)
        return await self.store._fetch_all(query)

    async def replace_evses(self, station_id: str, items: dict[int, dict[str, Any]], now: datetime) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(delete(energy_evses).where(energy_evses.c.station_id == station_id))
            for evse_id, values in sorted(items.items()):
                await conn.execute(
                    insert(energy_evses).values(station_id=station_id, evse_id=evse_id, updated_at=now, **values)
                )

        await self.store.writer.run(op)

    async def site_members(self, site_id: str) -> list[str]:
        rows = await self.store._fetch_all(
            select(energy_stations.c.station_id)
            .where(energy_stations.c.site_id == site_id)
            .order_by(energy_stations.c.station_id)
        )
        return [r["station_id"] for r in rows]

    # -- curtailments -------------------------------------------------------------------------

    async def add_curtailment(self, values: dict[str, Any]) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(insert(energy_curtailments).values(**values))
            return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0

        return await self.store.writer.run(op)

    async def curtailments(
        self, site_id: str | None = None, *, active_at: datetime | None = None, limit: int = 100
    ) -> list[Row]:
        """Curtailments, newest first; ``active_at``: those not cleared and not yet ended at that time
        (including ones that start later)."""
        query = select(energy_curtailments).order_by(energy_curtailments.c.id.desc()).limit(limit)
        if site_id is not None:
            query = query.where(energy_curtailments.c.site_id == site_id)
        if active_at is not None:
            query = query.where(
                and_(energy_curtailments.c.cleared_at.is_(None), energy_curtailments.c.ends_at > active_at)
            )
        return await self.store._fetch_all(query)

    async def get_curtailment(self, curtailment_id: int) -> Row | None:
        query = select(energy_curtailments).where(energy_curtailments.c.id == curtailment_id)
        return await self.store._fetch_one(query)

    async def clear_curtailment(self, curtailment_id: int, now: datetime) -> bool:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(energy_curtailments)
                .where(
                    energy_curtailments.c.id == curtailment_id,
                    energy_curtailments.c.cleared_at.is_(None),
                    energy_curtailments.c.ends_at > now,
                )
                .values(cleared_at=now)
            )
            return int(result.rowcount or 0)

        return await self.store.writer.run(op) > 0

    async def replace_source(self, site_id: str, source: str, now: datetime) -> list[int]:
        """Release the active curtailments of ``source`` on the site (a new one from the same source
        replaces them); returns their ids."""

        async def op(conn: AsyncConnection) -> list[int]:
            where = and_(
                energy_curtailments.c.site_id == site_id,
                energy_curtailments.c.source == source,
                energy_curtailments.c.cleared_at.is_(None),
                energy_curtailments.c.ends_at > now,
            )
            ids = [int(r[0]) for r in await conn.execute(select(energy_curtailments.c.id).where(where))]
            if ids:
                await conn.execute(update(energy_curtailments).where(where).values(cleared_at=now))
            return ids

        return await self.store.writer.run(op)

    async def count_sites(self) -> int:
        rows = await self.store._fetch_all(select(func.count().label("n")).select_from(energy_sites))
        return int(rows[0]["n"]) if rows else 0
