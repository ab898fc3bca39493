"""Reads and writes of the smart charging tables, over the node's :class:`Store` (same engine,
same group-commit writer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.domain import charging as ch
from chargebridge.smartcharging.tables import (
    charging_limits,
    charging_profiles,
    ev_charging_needs,
    ev_charging_schedules,
)
from chargebridge.store.repository import Row, Store

ORIGIN_CSMS = "csms"  # we sent it and the station accepted it
ORIGIN_REPORT = "report"  # the station listed it in ReportChargingProfiles


def installed_of(rows: Sequence[Row]) -> list[ch.InstalledProfile]:
    return [ch.InstalledProfile(row["evse_id"], ch.profile_from_json(row["profile"])) for row in rows]


def limit_profiles(rows: Sequence[Row]) -> list[ch.InstalledProfile]:
    """Active external limits as ChargingStationExternalConstraints profiles, for the composite.

    A limit schedule without a start runs from when it was reported; a limit without a schedule
    says only that a limit exists (its value is unknown) and adds nothing to the composite."""
    out = []
    for row in rows:
        for index, raw in enumerate(row["schedules"]):
            schedule = ch.schedule_from_json(raw)
            if schedule.start is None:
                schedule = ch.ChargingSchedule(
                    schedule.unit, schedule.periods, schedule.id, row["reported_at"], schedule.duration_s
                )
            profile = ch.ChargingProfile(
                id=-(row["id"] * 10 + index),  # never collides with a station's profile id (those are sent >= 0)
                stack_level=0,
                purpose=ch.ProfilePurpose.EXTERNAL,
                kind=ch.ProfileKind.ABSOLUTE,
                schedules=(schedule,),
            )
            out.append(ch.InstalledProfile(row["evse_id"], profile))
    return out


class SmartChargingStore:
    def __init__(self, store: Store):
        self.store = store

    async def _run(self, op: Any) -> Any:
        return await self.store.writer.run(op)

    # -- profiles ---------------------------------------------------------------------------

    async def profiles(
        self,
        station_id: str,
        *,
        evse_id: int | None = None,
        purpose: ch.ProfilePurpose | None = None,
        transaction_id: str | None = None,
    ) -> list[Row]:
        query = select(charging_profiles).where(charging_profiles.c.station_id == station_id)
        if evse_id is not None:
            query = query.where(charging_profiles.c.evse_id == evse_id)
        if purpose is not None:
            query = query.where(charging_profiles.c.purpose == purpose.value)
        if transaction_id is not None:
            query = query.where(charging_profiles.c.transaction_id == transaction_id)
        return await self.store._fetch_all(
            query.order_by(charging_profiles.c.evse_id, charging_profiles.c.purpose, charging_profiles.c.stack_level)
        )

    async def installed(self, station_id: str) -> list[ch.InstalledProfile]:
        return installed_of(await self.profiles(station_id))

    async def next_profile_id(self, station_id: str) -> int:
        row = await self.store._fetch_one(
            select(func.max(charging_profiles.c.profile_id).label("top")).where(
                charging_profiles.c.station_id == station_id
            )
        )
        top = row["top"] if row is not None else None
        return max(int(top or 0), 0) + 1

    async def save_profile(
        self,
        station_id: str,
        evse_id: int,
        profile: ch.ChargingProfile,
        *,
        origin: str,
        now: datetime,
        limit_source: str | None = None,
        replace_slot: bool = True,
    ) -> list[int]:
        """Store a profile the station holds. A profile with the same id is replaced, and (with
        ``replace_slot``, for a profile the station just accepted) so is one with the same EVSE,
        purpose and stack level (and, for a TxProfile, transaction): the station replaced it too
        (1.6 5.16.3; 2.0.1 K01.FR.05). Returns the ids replaced under another id."""
        values = {
            "evse_id": evse_id,
            "purpose": profile.purpose.value,
            "stack_level": profile.stack_level,
            "transaction_id": profile.transaction_id,
            "origin": origin,
            "limit_source": limit_source,
            "profile": ch.profile_json(profile),
            "updated_at": now,
        }
        table = charging_profiles

        async def op(conn: AsyncConnection) -> list[int]:
            same_slot = and_(
                table.c.station_id == station_id,
                table.c.profile_id != profile.id,
                table.c.evse_id == evse_id,
                table.c.purpose == profile.purpose.value,
                table.c.stack_level == profile.stack_level,
            )
            if profile.purpose is ch.ProfilePurpose.TX:
                same_slot = and_(
                    same_slot,
                    table.c.transaction_id.is_(None)
                    if profile.transaction_id is None
                    else table.c.transaction_id == profile.transaction_id,
                )
            replaced = []
            if replace_slot:
                replaced = [row[0] for row in (await conn.execute(select(table.c.profile_id).where(same_slot))).all()]
            if replaced:
                await conn.execute(delete(table).where(same_slot))
            key = and_(table.c.station_id == station_id, table.c.profile_id == profile.id)
            result = await conn.execute(update(table).where(key).values(**values))
            if not result.rowcount:
                await conn.execute(
                    insert(table).values(station_id=station_id, profile_id=profile.id, installed_at=now, **values)
                )
            return replaced

        result: list[int] = await self._run(op)
        return result

    async def remove_profiles(
        self,
        station_id: str,
        *,
        profile_id: int | None = None,
        evse_id: int | None = None,
        purpose: ch.ProfilePurpose | None = None,
        stack_level: int | None = None,
    ) -> list[Row]:
        """What an accepted ClearChargingProfile removed: by id, else every profile matching all the
        criteria given. External constraints are never cleared by the CSMS (2.0.1 K10)."""
        table = charging_profiles
        where = and_(table.c.station_id == station_id, table.c.purpose != ch.ProfilePurpose.EXTERNAL.value)
        if profile_id is not None:
            where = and_(where, table.c.profile_id == profile_id)
        else:
            if evse_id is not None:
                where = and_(where, table.c.evse_id == evse_id)
            if purpose is not None:
                where = and_(where, table.c.purpose == purpose.value)
            if stack_level is not None:
                where = and_(where, table.c.stack_level == stack_level)
        return await self._delete_returning(where)

    async def remove_transaction_profiles(self, station_id: str, transaction_id: str) -> list[Row]:
        """A transaction ended: the station discards its TxProfiles."""
        table = charging_profiles
        return await self._delete_returning(
            and_(
                table.c.station_id == station_id,
                table.c.transaction_id == transaction_id,
                table.c.purpose == ch.ProfilePurpose.TX.value,
            )
        )

    async def _delete_returning(self, where: Any) -> list[Row]:
        table = charging_profiles

        async def op(conn: AsyncConnection) -> list[Row]:
            rows = [dict(row) for row in (await conn.execute(select(table).where(where))).mappings()]
            if rows:
                await conn.execute(delete(table).where(where))
            return rows

        result: list[Row] = await self._run(op)
        return result

    async def replace_reported(
        self,
        station_id: str,
        reported: Sequence[tuple[int, ch.ChargingProfile, str]],
        *,
        evse_scope: int | None,
        complete: bool,
        now: datetime,
    ) -> list[int]:
        """Store what ReportChargingProfiles listed ((evse, profile, limit source) each). With
        ``complete`` (an unfiltered GetChargingProfiles, all parts received) the report is the whole
        truth: profiles we had in that scope and the station did not list are dropped; returns their ids."""
        for evse_id, profile, source in reported:
            await self.save_profile(
                station_id, evse_id, profile, origin=ORIGIN_REPORT, now=now, limit_source=source, replace_slot=False
            )
        if not complete:
            return []
        table = charging_profiles
        where = and_(table.c.station_id == station_id, table.c.profile_id.not_in([p.id for _, p, _ in reported]))
        if evse_scope is not None:
            where = and_(where, table.c.evse_id == evse_scope)
        return [row["profile_id"] for row in await self._delete_returning(where)]

    # -- external limits --------------------------------------------------------------------

    async def add_limit(
        self,
        station_id: str,
        evse_id: int,
        source: str,
        grid_critical: bool | None,
        schedules: list[dict[str, Any]],
        now: datetime,
    ) -> int:
        """A new external limit replaces the one from the same source on the same EVSE."""

        async def op(conn: AsyncConnection) -> int:
            await conn.execute(
                update(charging_limits)
                .where(
                    charging_limits.c.station_id == station_id,
                    charging_limits.c.evse_id == evse_id,
                    charging_limits.c.source == source,
                    charging_limits.c.cleared_at.is_(None),
                )
                .values(cleared_at=now)
            )
            result = await conn.execute(
                insert(charging_limits).values(
                    station_id=station_id,
                    evse_id=evse_id,
                    source=source,
                    grid_critical=grid_critical,
                    schedules=schedules,
                    reported_at=now,
                )
            )
            return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0

        result: int = await self._run(op)
        return result

    async def clear_limit(self, station_id: str, evse_id: int, source: str, now: datetime) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(charging_limits)
                .where(
                    charging_limits.c.station_id == station_id,
                    charging_limits.c.evse_id == evse_id,
                    charging_limits.c.source == source,
                    charging_limits.c.cleared_at.is_(None),
                )
                .values(cleared_at=now)
            )
            return int(result.rowcount or 0)

        result: int = await self._run(op)
        return result

    async def limits(self, station_id: str, *, active_only: bool = True, limit: int = 100) -> list[Row]:
        query = select(charging_limits).where(charging_limits.c.station_id == station_id)
        if active_only:
            query = query.where(charging_limits.c.cleared_at.is_(None))
        return await self.store._fetch_all(query.order_by(charging_limits.c.id.desc()).limit(limit))

    # -- ISO 15118 ----------------------------------------------------------------------------

    async def add_needs(self, values: dict[str, Any]) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(insert(ev_charging_needs).values(**values))
            return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0

        result: int = await self._run(op)
        return result

    async def update_needs(self, needs_id: int, **values: Any) -> None:
        async def op(conn: AsyncConnection) -> None:
            await conn.execute(update(ev_charging_needs).where(ev_charging_needs.c.id == needs_id).values(**values))

        await self._run(op)

    async def needs(self, station_id: str, *, limit: int = 100) -> list[Row]:
        return await self.store._fetch_all(
            select(ev_charging_needs)
            .where(ev_charging_needs.c.station_id == station_id)
            .order_by(ev_charging_needs.c.id.desc())
            .limit(limit)
        )

    async def last_offer(self, station_id: str, evse_id: int) -> Row | None:
        """The newest schedule we offered an EV on this EVSE (sent with a TxProfile)."""
        return await self.store._fetch_one(
            select(ev_charging_needs)
            .where(
                ev_charging_needs.c.station_id == station_id,
                ev_charging_needs.c.evse_id == evse_id,
                ev_charging_needs.c.schedule.is_not(None),
            )
            .order_by(ev_charging_needs.c.id.desc())
            .limit(1)
        )

    async def add_ev_schedule(self, values: dict[str, Any]) -> int:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(insert(ev_charging_schedules).values(**values))
            return int(result.inserted_primary_key[0]) if result.inserted_primary_key else 0

        result: int = await self._run(op)
        return result

    async def ev_schedules(self, station_id: str, *, limit: int = 100) -> list[Row]:
        return await self.store._fetch_all(
            select(ev_charging_schedules)
            .where(ev_charging_schedules.c.station_id == station_id)
            .order_by(ev_charging_schedules.c.id.desc())
            .limit(limit)
        )
