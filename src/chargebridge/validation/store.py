"""Reads and writes of the validation tables, over the node's :class:`Store` (same engine, same
group-commit writer)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.store.repository import Row, Store
from chargebridge.validation.model import Quirk
from chargebridge.validation.tables import station_integrity_failures, validation_quirks, validation_runs

_RUNS = validation_runs.c
_QUIRKS = validation_quirks.c
_INTEGRITY = station_integrity_failures.c


class ValidationStore:
    def __init__(self, store: Store):
        self.store = store

    # -- runs -------------------------------------------------------------------------------

    async def add_run(self, values: dict[str, Any]) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(validation_runs).values(**values))

        await self.store.writer.run(op)

    async def update_run(self, run_id: str, **values: Any) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(update(validation_runs).where(_RUNS.id == run_id).values(**values))

        await self.store.writer.run(op)

    async def get_run(self, run_id: str) -> Row | None:
        return await self.store._fetch_one(select(validation_runs).where(_RUNS.id == run_id))

    async def list_runs(
        self,
        *,
        station_id: str | None = None,
        only: Collection[str] | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[Row]:
        """Newest first, without the reports (they can be large)."""
        columns = [c for c in validation_runs.c if c.name != "report"]
        query = select(*columns).order_by(_RUNS.started_at.desc(), _RUNS.id).limit(limit).offset(offset)
        if station_id is not None:
            query = query.where(_RUNS.station_id == station_id)
        if only is not None:
            query = query.where(_RUNS.station_id.in_(sorted(only)))
        return await self.store._fetch_all(query)

    async def running(self) -> list[Row]:
        return await self.store._fetch_all(select(_RUNS.id, _RUNS.station_id).where(_RUNS.status == "running"))

    async def validated_levels(self, combinations: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Row]:
        """For each (vendor, model, firmware version): its newest finished run's level and id."""
        wanted = set(combinations)
        if not wanted:
            return {}
        vendors = sorted({v for v, _, _ in wanted})
        newest = (
            select(
                _RUNS.vendor,
                _RUNS.model,
                _RUNS.firmware_version,
                func.max(_RUNS.finished_at).label("finished_at"),
            )
            .where(_RUNS.status == "finished", _RUNS.vendor.in_(vendors))
            .group_by(_RUNS.vendor, _RUNS.model, _RUNS.firmware_version)
            .subquery()
        )
        query = select(
            _RUNS.id, _RUNS.vendor, _RUNS.model, _RUNS.firmware_version, _RUNS.level_reached, _RUNS.finished_at
        ).join(
            newest,
            and_(
                _RUNS.vendor == newest.c.vendor,
                _RUNS.model == newest.c.model,
                _RUNS.firmware_version == newest.c.firmware_version,
                _RUNS.finished_at == newest.c.finished_at,
            ),
        )
        out: dict[tuple[str, str, str], Row] = {}
        for row in await self.store._fetch_all(query):
            key = (row["vendor"] or "", row["model"] or "", row["firmware_version"] or "")
            if key in wanted:
                out[key] = row
        return out

    # -- quirks -----------------------------------------------------------------------------

    async def add_quirks(
        self,
        run_id: str,
        station_id: str,
        identity: tuple[str, str, str],
        quirks: Sequence[tuple[str | None, Quirk]],
        at: datetime,
    ) -> None:
        if not quirks:
            return
        vendor, model, firmware = identity
        rows = [
            {
                "run_id": run_id,
                "station_id": station_id,
                "vendor": vendor[:50],
                "model": model[:50],
                "firmware_version": firmware[:64],
                "case_id": case_id,
                "code": quirk.code[:40],
                "detail": quirk.detail[:2000],
                "at": at,
            }
            for case_id, quirk in quirks
        ]

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(validation_quirks), rows)

        await self.store.writer.run(op)

    async def list_quirks(
        self,
        *,
        vendor: str | None = None,
        model: str | None = None,
        firmware_version: str | None = None,
        run_id: str | None = None,
        only: Collection[str] | None = None,
        limit: int = 500,
    ) -> list[Row]:
        query = select(validation_quirks).order_by(_QUIRKS.id.desc()).limit(limit)
        for column, value in (
            (_QUIRKS.vendor, vendor),
            (_QUIRKS.model, model),
            (_QUIRKS.firmware_version, firmware_version),
            (_QUIRKS.run_id, run_id),
        ):
            if value is not None:
                query = query.where(column == value)
        if only is not None:
            query = query.where(_QUIRKS.station_id.in_(sorted(only)))
        return await self.store._fetch_all(query)

    async def quirk_counts(self, combinations: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], int]:
        """Distinct quirk codes seen per (vendor, model, firmware version)."""
        wanted = set(combinations)
        if not wanted:
            return {}
        vendors = sorted({v for v, _, _ in wanted})
        query = (
            select(_QUIRKS.vendor, _QUIRKS.model, _QUIRKS.firmware_version, func.count(func.distinct(_QUIRKS.code)))
            .where(_QUIRKS.vendor.in_(vendors))
            .group_by(_QUIRKS.vendor, _QUIRKS.model, _QUIRKS.firmware_version)
        )
        async with self.store.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        return {(r[0], r[1], r[2]): int(r[3]) for r in rows if (r[0], r[1], r[2]) in wanted}

    # -- integrity failures -----------------------------------------------------------------

    async def add_integrity_failure(
        self, station_id: str, kind: str, tech_info: str | None, at: datetime, run_id: str | None
    ) -> None:
        values = {"station_id": station_id, "type": kind[:50], "tech_info": tech_info, "at": at, "run_id": run_id}

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(station_integrity_failures).values(**values))

        await self.store.writer.run(op)

    async def list_integrity_failures(
        self,
        *,
        station_id: str | None = None,
        only: Collection[str] | None = None,
        include_acknowledged: bool = False,
        limit: int = 500,
    ) -> list[Row]:
        query = select(station_integrity_failures).order_by(_INTEGRITY.id.desc()).limit(limit)
        if station_id is not None:
            query = query.where(_INTEGRITY.station_id == station_id)
        if only is not None:
            query = query.where(_INTEGRITY.station_id.in_(sorted(only)))
        if not include_acknowledged:
            query = query.where(_INTEGRITY.acknowledged_at.is_(None))
        return await self.store._fetch_all(query)

    async def acknowledge_integrity(self, station_id: str, at: datetime, by: str | None) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(station_integrity_failures)
                .where(_INTEGRITY.station_id == station_id, _INTEGRITY.acknowledged_at.is_(None))
                .values(acknowledged_at=at, acknowledged_by=by)
            )
            return int(result.rowcount or 0)

        count: int = await self.store.writer.run(op)
        return count
