"""Billing's reads and writes (SQLAlchemy Core over the node's store; writes through its group-commit writer)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.billing.cdr import Cdr, dumps, loads
from chargebridge.billing.ocmf import parse_public_key
from chargebridge.billing.tables import (
    billing_assignments,
    billing_cdrs,
    billing_meter_keys,
    billing_station_profiles,
    billing_tariff_versions,
    billing_tariffs,
)
from chargebridge.billing.tariff import Tariff, parse_tariff, tariff_json
from chargebridge.store.repository import Row, Store, aware_row

SCOPES = ("group", "station", "site", "default")


class TariffInUse(Exception):
    def __init__(self, tariff_id: str, assignments: list[Row]):
        super().__init__(tariff_id)
        self.assignments = assignments


class Conflict(Exception):
    pass


class Missing(Exception):
    pass


@dataclass(frozen=True, slots=True)
class CdrFilter:
    station_id: str | None = None
    id_token: str | None = None
    group_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    verdict: str | None = None
    only: frozenset[str] | None = None  # a station-scoped token's stations

    def apply(self, query: Any) -> Any:
        c = billing_cdrs.c
        if self.only is not None:
            query = query.where(c.station_id.in_(sorted(self.only)))
        if self.station_id is not None:
            query = query.where(c.station_id == self.station_id)
        if self.id_token is not None:
            query = query.where(c.id_token == self.id_token)
        if self.group_id is not None:
            query = query.where(c.group_id == self.group_id)
        if self.since is not None:
            query = query.where(c.end_date_time >= self.since)
        if self.until is not None:
            query = query.where(c.end_date_time < self.until)
        if self.verdict is not None:
            query = query.where(c.verdict == self.verdict)
        return query


def tariff_of(body: str) -> Tariff:
    return parse_tariff(loads(body))


class BillingStore:
    def __init__(self, store: Store):
        self.store = store

    async def _all(self, query: Any) -> list[Row]:
        async with self.store.engine.connect() as conn:
            return [aware_row(r) for r in (await conn.execute(query)).mappings()]

    async def _one(self, query: Any) -> Row | None:
        rows = await self._all(query)
        return rows[0] if rows else None

    # -- tariffs ---------------------------------------------------------------------------------

    async def get_tariff(self, tariff_id: str) -> Row | None:
        return await self._one(select(billing_tariffs).where(billing_tariffs.c.id == tariff_id))

    async def list_tariffs(self, limit: int, offset: int) -> tuple[list[Row], int]:
        rows = await self._all(select(billing_tariffs).order_by(billing_tariffs.c.id).limit(limit).offset(offset))
        total = await self._one(select(func.count().label("n")).select_from(billing_tariffs))
        return rows, int(total["n"]) if total else 0

    async def put_tariff(self, tariff: Tariff, now: datetime, *, create: bool) -> tuple[Row, bool]:
        """Create (``create``: refuse an existing id) or replace a tariff; each change is a new
        version, valid from ``now``. Returns (row, created)."""
        body = dumps(tariff_json(tariff))

        async def op(conn: AsyncConnection) -> bool:
            current = (
                await conn.execute(select(billing_tariffs.c.version).where(billing_tariffs.c.id == tariff.id))
            ).first()
            if current is not None and create:
                raise Conflict(tariff.id)
            if current is None and not create:
                raise Missing(tariff.id)
            version = 1 if current is None else int(current.version) + 1
            if current is None:
                await conn.execute(
                    insert(billing_tariffs).values(
                        id=tariff.id, currency=tariff.currency, body=body, version=1, created_at=now, updated_at=now
                    )
                )
            else:
                await conn.execute(
                    update(billing_tariffs)
                    .where(billing_tariffs.c.id == tariff.id)
                    .values(currency=tariff.currency, body=body, version=version, updated_at=now)
                )
            await conn.execute(
                insert(billing_tariff_versions).values(tariff_id=tariff.id, version=version, body=body, valid_from=now)
            )
            return current is None

        created = await self.store.writer.run(op)
        row = await self.get_tariff(tariff.id)
        assert row is not None
        return row, created

    async def delete_tariff(self, tariff_id: str) -> None:
        """Delete a tariff that nothing is assigned to (raises TariffInUse / Missing). Its versions
        stay: CDRs already carry a copy, and history explains them."""

        async def op(conn: AsyncConnection) -> None:
            used = [
                aware_row(r)
                for r in (
                    await conn.execute(select(billing_assignments).where(billing_assignments.c.tariff_id == tariff_id))
                ).mappings()
            ]
            if used:
                raise TariffInUse(tariff_id, used)
            result = await conn.execute(delete(billing_tariffs).where(billing_tariffs.c.id == tariff_id))
            if result.rowcount == 0:
                raise Missing(tariff_id)

        await self.store.writer.run(op)

    # -- assignments -----------------------------------------------------------------------------

    async def assign(self, scope: str, key: str, tariff_id: str | None, now: datetime) -> None:
        """Assign a tariff (``None``: remove the assignment). The tariff must exist: checked in the
        same transaction, so a tariff deleted meanwhile is not assigned half-way."""

        async def op(conn: AsyncConnection) -> None:
            where = and_(billing_assignments.c.scope == scope, billing_assignments.c.key == key)
            if tariff_id is None:
                await conn.execute(delete(billing_assignments).where(where))
                return
            exists = (await conn.execute(select(billing_tariffs.c.id).where(billing_tariffs.c.id == tariff_id))).first()
            if exists is None:
                raise Missing(tariff_id)
            changed = await conn.execute(
                update(billing_assignments).where(where).values(tariff_id=tariff_id, assigned_at=now)
            )
            if changed.rowcount == 0:
                await conn.execute(
                    insert(billing_assignments).values(scope=scope, key=key, tariff_id=tariff_id, assigned_at=now)
                )

        await self.store.writer.run(op)

    async def assignment(self, scope: str, key: str) -> Row | None:
        return await self._one(
            select(billing_assignments).where(billing_assignments.c.scope == scope, billing_assignments.c.key == key)
        )

    async def assignments(self, *, tariff_id: str | None = None, scope: str | None = None) -> list[Row]:
        query = select(billing_assignments).order_by(billing_assignments.c.scope, billing_assignments.c.key)
        if tariff_id is not None:
            query = query.where(billing_assignments.c.tariff_id == tariff_id)
        if scope is not None:
            query = query.where(billing_assignments.c.scope == scope)
        return await self._all(query)

    # -- station profiles and meter keys ---------------------------------------------------------

    async def profile(self, station_id: str) -> Row | None:
        return await self._one(
            select(billing_station_profiles).where(billing_station_profiles.c.station_id == station_id)
        )

    async def put_profile(self, station_id: str, values: dict[str, Any], now: datetime) -> Row:
        async def op(conn: AsyncConnection) -> None:
            where = billing_station_profiles.c.station_id == station_id
            changed = await conn.execute(update(billing_station_profiles).where(where).values(**values, updated_at=now))
            if changed.rowcount == 0:
                row = {"require_signed": False, **values}
                await conn.execute(
                    insert(billing_station_profiles).values(station_id=station_id, updated_at=now, **row)
                )

        await self.store.writer.run(op)
        row = await self.profile(station_id)
        assert row is not None
        return row

    async def add_meter_key(self, station_id: str, key_text: str, source: str, now: datetime) -> tuple[Row, bool]:
        """Register a key (hex or base64 DER; raises MeterKeyError). Registering a key twice returns it."""
        key, curve = parse_public_key(key_text)

        async def op(conn: AsyncConnection) -> bool:
            existing = (
                await conn.execute(
                    select(billing_meter_keys.c.id).where(
                        billing_meter_keys.c.station_id == station_id,
                        billing_meter_keys.c.public_key == key,
                        billing_meter_keys.c.revoked_at.is_(None),
                    )
                )
            ).first()
            if existing is not None:
                return False
            await conn.execute(
                insert(billing_meter_keys).values(
                    station_id=station_id, public_key=key, curve=curve, source=source, created_at=now
                )
            )
            return True

        created = await self.store.writer.run(op)
        row = await self._one(
            select(billing_meter_keys).where(
                billing_meter_keys.c.station_id == station_id,
                billing_meter_keys.c.public_key == key,
                billing_meter_keys.c.revoked_at.is_(None),
            )
        )
        assert row is not None
        return row, created

    async def meter_keys(self, station_id: str, *, include_revoked: bool = False) -> list[Row]:
        query = select(billing_meter_keys).where(billing_meter_keys.c.station_id == station_id)
        if not include_revoked:
            query = query.where(billing_meter_keys.c.revoked_at.is_(None))
        return await self._all(query.order_by(billing_meter_keys.c.id))

    async def revoke_meter_key(self, station_id: str, key_id: int, now: datetime) -> bool:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(billing_meter_keys)
                .where(
                    billing_meter_keys.c.station_id == station_id,
                    billing_meter_keys.c.id == key_id,
                    billing_meter_keys.c.revoked_at.is_(None),
                )
                .values(revoked_at=now)
            )
            return int(result.rowcount)

        return await self.store.writer.run(op) > 0

    # -- CDRs ------------------------------------------------------------------------------------

    async def list_cdrs(self, where: CdrFilter, limit: int, offset: int) -> tuple[list[Row], int]:
        query = where.apply(select(billing_cdrs)).order_by(billing_cdrs.c.pk).limit(limit).offset(offset)
        rows = await self._all(query)
        total = await self._one(where.apply(select(func.count().label("n")).select_from(billing_cdrs)))
        return rows, int(total["n"]) if total else 0

    async def get_cdr(self, cdr_id: str) -> Row | None:
        return await self._one(select(billing_cdrs).where(billing_cdrs.c.id == cdr_id))

    async def cdr_of_transaction(self, station_id: str, transaction_id: str) -> Row | None:
        return await self._one(
            select(billing_cdrs)
            .where(
                billing_cdrs.c.station_id == station_id,
                billing_cdrs.c.transaction_id == transaction_id,
                billing_cdrs.c.credit.is_(False),
            )
            .order_by(billing_cdrs.c.pk.desc())
        )

    async def cdr_pages(self, where: CdrFilter, page_size: int) -> Any:
        """Pages of CDR rows in primary-key order (keyset pagination)."""
        after = None
        while True:
            query = where.apply(select(billing_cdrs)).order_by(billing_cdrs.c.pk).limit(page_size)
            if after is not None:
                query = query.where(billing_cdrs.c.pk > after)
            rows = await self._all(query)
            if not rows:
                return
            yield rows
            if len(rows) < page_size:
                return
            after = rows[-1]["pk"]

    async def review(self, cdr_id: str, decision: str, who: str, now: datetime) -> Row:
        async def op(conn: AsyncConnection) -> int:
            result = await conn.execute(
                update(billing_cdrs)
                .where(billing_cdrs.c.id == cdr_id, billing_cdrs.c.review_decision.is_(None))
                .values(review_decision=decision, reviewed_at=now, reviewed_by=who[:100])
            )
            return int(result.rowcount)

        if await self.store.writer.run(op) == 0:
            row = await self.get_cdr(cdr_id)
            if row is None:
                raise Missing(cdr_id)
            raise Conflict(f"CDR {cdr_id} was already reviewed ({row['review_decision']})")
        row = await self.get_cdr(cdr_id)
        assert row is not None
        return row

    async def add_credit(self, original: Row, body: dict[str, Any], now: datetime, who: str) -> Row:
        """Insert a credit CDR for ``original`` and mark the original credited, in one transaction."""

        async def op(conn: AsyncConnection) -> None:
            marked = await conn.execute(
                update(billing_cdrs)
                .where(
                    billing_cdrs.c.pk == original["pk"],
                    or_(billing_cdrs.c.review_decision.is_(None), billing_cdrs.c.review_decision == "approved"),
                )
                .values(review_decision="credited", reviewed_at=now, reviewed_by=who[:100])
            )
            if marked.rowcount == 0:
                raise Conflict(f"CDR {original['id']} was already credited")
            await conn.execute(
                insert(billing_cdrs).values(
                    id=body["id"],
                    station_id=original["station_id"],
                    transaction_id=original["transaction_id"],
                    transaction_pk=None,
                    id_token=original["id_token"],
                    group_id=original["group_id"],
                    tariff_id=original["tariff_id"],
                    currency=original["currency"],
                    start_date_time=original["start_date_time"],
                    end_date_time=original["end_date_time"],
                    total_energy_wh="-" + original["total_energy_wh"].lstrip("-"),
                    total_cost_excl=str(body["total_cost"]["excl_vat"]),
                    total_cost_incl=str(body["total_cost"]["incl_vat"]) if "incl_vat" in body["total_cost"] else None,
                    verdict="ok",
                    reasons=[],
                    credit=True,
                    credit_reference_id=original["id"],
                    body=dumps(body),
                    created_at=now,
                )
            )

        await self.store.writer.run(op)
        row = await self.get_cdr(body["id"])
        assert row is not None
        return row


def cdr_row(cdr: Cdr, station_id: str, tx: Row, group_id: str | None, now: datetime) -> dict[str, Any]:
    return {
        "id": cdr.id,
        "station_id": station_id,
        "transaction_id": tx["transaction_id"],
        "transaction_pk": int(tx["pk"]),
        "id_token": tx.get("id_token"),
        "group_id": group_id,
        "tariff_id": cdr.tariff_id,
        "currency": cdr.currency,
        "start_date_time": cdr.start,
        "end_date_time": cdr.end,
        "total_energy_wh": str(cdr.total_energy_wh),
        "total_cost_excl": str(cdr.total_cost.excl_vat),
        "total_cost_incl": str(cdr.total_cost.incl_vat) if cdr.total_cost.incl_vat is not None else None,
        "verdict": cdr.verdict,
        "reasons": [r.to_json() for r in cdr.reasons],
        "credit": False,
        "credit_reference_id": None,
        "body": dumps(cdr.body),
        "created_at": now,
    }


def only_stations(principal_stations: Collection[str] | None) -> frozenset[str] | None:
    return frozenset(principal_stations) if principal_stations is not None else None
