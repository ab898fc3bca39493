"""Reads and writes of the firmware tables, over the node's :class:`Store` (same engine, same
group-commit writer)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.firmware.states import TERMINAL_UPDATE_STATES
from chargebridge.firmware.tables import (
    campaign_stations,
    certification_records,
    diagnostics_requests,
    firmware_campaigns,
    firmware_compatibility,
    firmware_downloads,
    firmware_images,
    firmware_updates,
    station_hardware,
    station_requirements,
)
from chargebridge.store.repository import Row, Store, aware_row

_OPEN_UPDATE_STATES = tuple(s.value for s in TERMINAL_UPDATE_STATES)


class FirmwareStore:
    def __init__(self, store: Store):
        self.store = store

    async def _all(self, query: Any) -> list[Row]:
        return await self.store._fetch_all(query)

    async def _one(self, query: Any) -> Row | None:
        return await self.store._fetch_one(query)

    async def _insert(self, table: Any, values: dict[str, Any]) -> Any:
        async def op(conn: AsyncConnection) -> Any:
            result = await conn.execute(insert(table).values(**values))
            return result.inserted_primary_key[0] if result.inserted_primary_key else None

        return await self.store.writer.run(op)

    async def _update(self, table: Any, where: Any, values: dict[str, Any]) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(update(table).where(where).values(**values))
            return int(result.rowcount or 0)

        return await self.store.writer.run(op)

    # -- images -----------------------------------------------------------------------------

    async def add_image(self, values: dict[str, Any]) -> None:
        await self._insert(firmware_images, values)

    async def get_image(self, image_id: str) -> Row | None:
        return await self._one(select(firmware_images).where(firmware_images.c.id == image_id))

    async def list_images(self, vendor: str | None = None) -> list[Row]:
        query = select(firmware_images).order_by(firmware_images.c.created_at)
        if vendor is not None:
            query = query.where(firmware_images.c.vendor == vendor)
        return await self._all(query)

    async def set_image_signature(self, image_id: str, signature: str, certificate: str, signed_by: str) -> bool:
        values = {"signature": signature, "signing_certificate": certificate, "signed_by": signed_by}
        return await self._update(firmware_images, firmware_images.c.id == image_id, values) > 0

    async def find_image(self, vendor: str, model: str, version: str, hardware_revision: str | None) -> Row | None:
        """The newest image of ``version`` that fits the station (used to roll back)."""
        rows = await self._all(
            select(firmware_images)
            .where(and_(firmware_images.c.vendor == vendor, firmware_images.c.version == version))
            .order_by(firmware_images.c.created_at.desc())
        )
        for row in rows:
            if model in row["models"] and (
                not row["hardware_revisions"] or hardware_revision in row["hardware_revisions"]
            ):
                return row
        return None

    async def log_download(self, values: dict[str, Any]) -> None:
        await self._insert(firmware_downloads, values)

    async def list_downloads(
        self, image_id: str, limit: int = 1000, *, only: Collection[str] | None = None
    ) -> list[Row]:
        """Downloads of an image, newest first. ``only``: a station-scoped API token's stations."""
        query = select(firmware_downloads).where(firmware_downloads.c.image_id == image_id)
        if only is not None:
            query = query.where(firmware_downloads.c.station_id.in_(sorted(only)))
        return await self._all(query.order_by(firmware_downloads.c.id.desc()).limit(limit))

    # -- station hardware -------------------------------------------------------------------

    async def set_hardware(
        self, station_id: str, hardware_revision: str | None, tags: list[str], now: datetime
    ) -> None:
        values = {"hardware_revision": hardware_revision, "tags": tags, "updated_at": now}

        async def op(conn: AsyncConnection) -> None:
            result = await conn.execute(
                update(station_hardware).where(station_hardware.c.station_id == station_id).values(**values)
            )
            if not result.rowcount:
                await conn.execute(insert(station_hardware).values(station_id=station_id, **values))

        await self.store.writer.run(op)

    async def hardware_of(self, station_ids: Sequence[str] | None = None) -> dict[str, Row]:
        query = select(station_hardware)
        if station_ids is not None:
            query = query.where(station_hardware.c.station_id.in_(list(station_ids)))
        return {row["station_id"]: row for row in await self._all(query)}

    # -- compatibility ----------------------------------------------------------------------

    async def get_compat(self, vendor: str, model: str, hardware_revision: str, version: str) -> Row | None:
        c = firmware_compatibility.c
        return await self._one(
            select(firmware_compatibility).where(
                and_(c.vendor == vendor, c.model == model, c.hardware_revision == hardware_revision),
                c.firmware_version == version,
            )
        )

    async def list_compat(self, **filters: str | None) -> list[Row]:
        query = select(firmware_compatibility).order_by(
            firmware_compatibility.c.vendor,
            firmware_compatibility.c.model,
            firmware_compatibility.c.hardware_revision,
            firmware_compatibility.c.firmware_version,
        )
        for name, value in filters.items():
            if value is not None:
                query = query.where(firmware_compatibility.c[name] == value)
        return await self._all(query)

    async def set_compat(
        self,
        key: tuple[str, str, str, str],
        *,
        status: str | None,
        notes: str | None,
        source: str,
        now: datetime,
        by: str | None = None,
        seen: bool = False,
    ) -> None:
        """Create or change a matrix entry. ``status=None`` with ``seen`` only counts a sighting
        (a new combination seen at boot starts as compatible: it runs in the field)."""

        async def op(conn: AsyncConnection) -> None:
            change = _CompatChange(status, notes, source, now, by, sightings=1 if seen else 0)
            await _write_compat(conn, key, change)

        await self.store.writer.run(op)

    async def record_boot(
        self, station_id: str, vendor: str | None, model: str | None, version: str | None, at: datetime
    ) -> Row | None:
        """Count a boot's sighting in the matrix; returns the station's newest firmware update.

        Grouped: all boots of one commit share one hardware read, one update read and one
        matrix write per distinct combination (a reconnect storm boots thousands at once)."""
        result: Row | None = await self.store.writer.run_grouped(
            _BOOT_SIGHTINGS, _BootSighting(station_id, vendor, model, version, at)
        )
        return result

    # -- certification records (procurement) ------------------------------------------------

    async def add_certification(self, values: dict[str, Any]) -> None:
        await self._insert(certification_records, values)

    async def get_certification(self, record_id: str) -> Row | None:
        return await self._one(select(certification_records).where(certification_records.c.id == record_id))

    async def delete_certification(self, record_id: str) -> bool:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(delete(certification_records).where(certification_records.c.id == record_id))
            return int(result.rowcount or 0)

        return await self.store.writer.run(op) > 0

    async def list_certifications(self, **filters: str | None) -> list[Row]:
        c = certification_records.c
        query = select(certification_records).order_by(c.vendor, c.model, c.firmware_version, c.kind, c.created_at)
        for name, value in filters.items():
            if value is not None:
                query = query.where(certification_records.c[name] == value)
        return await self._all(query)

    # -- stations' required profiles ---------------------------------------------------------

    async def set_requirements(self, station_id: str, requires: list[str], now: datetime, by: str | None) -> None:
        async def op(conn: AsyncConnection) -> None:
            where = station_requirements.c.station_id == station_id
            await conn.execute(delete(station_requirements).where(where))
            if requires:
                await conn.execute(
                    insert(station_requirements).values(
                        station_id=station_id, requires=requires, updated_at=now, updated_by=by
                    )
                )

        await self.store.writer.run(op)

    async def requirements_of(self, station_id: str) -> list[str]:
        row = await self._one(select(station_requirements).where(station_requirements.c.station_id == station_id))
        return list(row["requires"]) if row else []

    # -- updates ----------------------------------------------------------------------------

    async def add_update(self, values: dict[str, Any]) -> int:
        return int(await self._insert(firmware_updates, values))

    async def get_update(self, update_id: int) -> Row | None:
        return await self._one(select(firmware_updates).where(firmware_updates.c.id == update_id))

    async def open_update(self, station_id: str) -> Row | None:
        """The station's newest update that has not ended (1.6 notifications carry no requestId)."""
        return await self._one(
            select(firmware_updates)
            .where(
                and_(firmware_updates.c.station_id == station_id, firmware_updates.c.state.not_in(_OPEN_UPDATE_STATES))
            )
            .order_by(firmware_updates.c.id.desc())
            .limit(1)
        )

    async def set_update(self, update_id: int, **values: Any) -> None:
        await self._update(firmware_updates, firmware_updates.c.id == update_id, values)

    async def count_boot(self, update_id: int, now: datetime) -> None:
        await self._update(
            firmware_updates,
            firmware_updates.c.id == update_id,
            {"boots": firmware_updates.c.boots + 1, "updated_at": now},
        )

    async def list_updates(
        self,
        *,
        station_id: str | None = None,
        campaign_id: str | None = None,
        limit: int = 1000,
        only: Collection[str] | None = None,
    ) -> list[Row]:
        """Updates, newest first. ``only``: a station-scoped API token's stations."""
        query = select(firmware_updates).order_by(firmware_updates.c.id.desc()).limit(limit)
        if only is not None:
            query = query.where(firmware_updates.c.station_id.in_(sorted(only)))
        if station_id is not None:
            query = query.where(firmware_updates.c.station_id == station_id)
        if campaign_id is not None:
            query = query.where(firmware_updates.c.campaign_id == campaign_id)
        return await self._all(query)

    async def updates_by_id(self, ids: Sequence[int]) -> dict[int, Row]:
        if not ids:
            return {}
        rows = await self._all(select(firmware_updates).where(firmware_updates.c.id.in_(list(ids))))
        return {int(row["id"]): row for row in rows}

    # -- campaigns --------------------------------------------------------------------------

    async def add_campaign(self, values: dict[str, Any], targets: list[dict[str, Any]]) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(firmware_campaigns).values(**values))
            if targets:
                await conn.execute(insert(campaign_stations), targets)

        await self.store.writer.run(op)

    async def get_campaign(self, campaign_id: str) -> Row | None:
        return await self._one(select(firmware_campaigns).where(firmware_campaigns.c.id == campaign_id))

    async def list_campaigns(self, state: str | None = None) -> list[Row]:
        query = select(firmware_campaigns).order_by(firmware_campaigns.c.created_at.desc())
        if state is not None:
            query = query.where(firmware_campaigns.c.state == state)
        return await self._all(query)

    async def set_campaign(self, campaign_id: str, **values: Any) -> None:
        await self._update(firmware_campaigns, firmware_campaigns.c.id == campaign_id, values)

    async def targets(self, campaign_id: str) -> list[Row]:
        return await self._all(
            select(campaign_stations)
            .where(campaign_stations.c.campaign_id == campaign_id)
            .order_by(campaign_stations.c.wave, campaign_stations.c.station_id)
        )

    async def set_target(self, campaign_id: str, station_id: str, **values: Any) -> None:
        where = and_(campaign_stations.c.campaign_id == campaign_id, campaign_stations.c.station_id == station_id)
        await self._update(campaign_stations, where, values)

    async def skip_targets(
        self, campaign_id: str, revisions: Sequence[str], from_states: Sequence[str], detail: str, now: datetime
    ) -> None:
        c = campaign_stations.c
        where = and_(c.campaign_id == campaign_id, c.hardware_revision.in_(list(revisions)))
        where = and_(where, c.state.in_(list(from_states)))
        await self._update(campaign_stations, where, {"state": "skipped", "detail": detail, "updated_at": now})

    # -- diagnostics ------------------------------------------------------------------------

    async def add_diagnostics(self, values: dict[str, Any]) -> int:
        return int(await self._insert(diagnostics_requests, values))

    async def get_diagnostics(self, request_id: int) -> Row | None:
        return await self._one(select(diagnostics_requests).where(diagnostics_requests.c.id == request_id))

    async def open_diagnostics(self, station_id: str, kind: str) -> Row | None:
        c = diagnostics_requests.c
        return await self._one(
            select(diagnostics_requests)
            .where(and_(c.station_id == station_id, c.kind == kind, c.state.in_(("accepted", "uploading", "uploaded"))))
            .order_by(c.id.desc())
            .limit(1)
        )

    async def set_diagnostics(self, request_id: int, **values: Any) -> None:
        await self._update(diagnostics_requests, diagnostics_requests.c.id == request_id, values)

    async def list_diagnostics(
        self, station_id: str | None = None, limit: int = 200, *, only: Collection[str] | None = None
    ) -> list[Row]:
        """Diagnostics requests, newest first. ``only``: a station-scoped API token's stations."""
        query = select(diagnostics_requests).order_by(diagnostics_requests.c.id.desc()).limit(limit)
        if only is not None:
            query = query.where(diagnostics_requests.c.station_id.in_(sorted(only)))
        if station_id is not None:
            query = query.where(diagnostics_requests.c.station_id == station_id)
        return await self._all(query)


@dataclass(frozen=True, slots=True)
class _CompatChange:
    status: str | None
    notes: str | None
    source: str
    now: datetime
    by: str | None = None
    sightings: int = 0


async def _write_compat(conn: AsyncConnection, key: tuple[str, str, str, str], change: _CompatChange) -> None:
    vendor, model, hardware_revision, version = key
    c = firmware_compatibility.c
    where = and_(c.vendor == vendor, c.model == model, c.hardware_revision == hardware_revision)
    where = and_(where, c.firmware_version == version)
    current = (await conn.execute(select(firmware_compatibility.c.vendor).where(where))).first()
    if current is None:
        await conn.execute(
            insert(firmware_compatibility).values(
                vendor=vendor,
                model=model,
                hardware_revision=hardware_revision,
                firmware_version=version,
                status=change.status or "compatible",
                notes=change.notes,
                source=change.source,
                boot_reports=change.sightings,
                updated_at=change.now,
                updated_by=change.by,
            )
        )
        return
    values: dict[str, Any] = {}
    if change.sightings:
        values["boot_reports"] = c.boot_reports + change.sightings
    if change.status is not None:
        values.update(status=change.status, source=change.source, updated_at=change.now, updated_by=change.by)
        if change.notes is not None:
            values["notes"] = change.notes
    if values:
        await conn.execute(update(firmware_compatibility).where(where).values(**values))


@dataclass(frozen=True, slots=True)
class _BootSighting:
    station_id: str
    vendor: str | None
    model: str | None
    version: str | None
    at: datetime


class _BootSightings:
    """The grouped write behind :meth:`FirmwareStore.record_boot`."""

    async def run(self, conn: AsyncConnection, items: list[Any]) -> list[Any]:
        boots: list[_BootSighting] = items
        ids = sorted({boot.station_id for boot in boots})
        h = station_hardware.c
        hardware = {
            row.station_id: row.hardware_revision or ""
            for row in await conn.execute(select(h.station_id, h.hardware_revision).where(h.station_id.in_(ids)))
        }
        sightings: Counter[tuple[str, str, str, str]] = Counter()
        last_at: dict[tuple[str, str, str, str], datetime] = {}
        for boot in boots:
            if boot.vendor and boot.model and boot.version:
                key = (boot.vendor, boot.model, hardware.get(boot.station_id, ""), boot.version)
                sightings[key] += 1
                last_at[key] = boot.at
        for key in sorted(sightings):
            await _write_compat(conn, key, _CompatChange(None, None, "fleet", last_at[key], sightings=sightings[key]))
        u = firmware_updates.c
        newest = select(func.max(u.id)).where(u.station_id.in_(ids)).group_by(u.station_id)
        recent = {
            row["station_id"]: aware_row(row)
            for row in (await conn.execute(select(firmware_updates).where(u.id.in_(newest)))).mappings()
        }
        return [recent.get(boot.station_id) for boot in boots]


_BOOT_SIGHTINGS = _BootSightings()
