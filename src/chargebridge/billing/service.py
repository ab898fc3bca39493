"""The billing service: writes the CDR of every finished transaction inside the commit that
records its stop, answers running cost, and sends 2.0.1 CostUpdated to stations that want it.

Imports no gateway or web framework: commands go through the ``execute`` callable it is given.
"""

from __future__ import annotations

import asyncio
import fnmatch
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.billing.cdr import Bounds, Cdr, CdrInput, Reason, build_cdr, cdr_id, iso, meter_points
from chargebridge.billing.commands import CostUpdated
from chargebridge.billing.config import BillingConfig
from chargebridge.billing.store import BillingStore, cdr_row, tariff_of
from chargebridge.billing.tables import (
    billing_assignments,
    billing_cdrs,
    billing_meter_keys,
    billing_station_profiles,
    billing_tariff_versions,
)
from chargebridge.billing.tariff import (
    ZERO,
    Costing,
    Price,
    SessionUsage,
    Tariff,
    price_session,
    quantize,
    tariff_active,
)
from chargebridge.bus.memory import EventBus
from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.transactions import TransactionState
from chargebridge.services.clock import Clock
from chargebridge.store.repository import AfterCommit, Row, Store, aware_row
from chargebridge.store.schema import id_tokens, meter_samples, signed_meter_values, stations, transactions
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

Execute = Callable[[str, Command], Awaitable[CommandOutcome]]


@dataclass(frozen=True, slots=True)
class Resolved:
    tariff: Tariff | None
    source: str | None  # group | station | site | default


async def _rows(conn: AsyncConnection, query: Any) -> list[Row]:
    return [aware_row(r) for r in (await conn.execute(query)).mappings()]


async def _row(conn: AsyncConnection, query: Any) -> Row | None:
    rows = await _rows(conn, query)
    return rows[0] if rows else None


class BillingService:
    def __init__(
        self, store: Store, bus: EventBus, clock: Clock, config: BillingConfig, execute: Execute | None = None
    ):
        self.store = store
        self.bus = bus
        self.clock = clock
        self.config = config
        self.billing = BillingStore(store)
        self.execute = execute
        # (station, transaction) -> the total of the CDR just written, for the TransactionEvent answer
        self._final_costs: dict[tuple[str, str], Price] = {}
        self._sender: asyncio.Task[None] | None = None
        self.cost_updates_sent = 0
        self.cdrs_written = 0
        self.cdrs_held = 0

    # -- lifecycle -------------------------------------------------------------------------------

    def start(self) -> None:
        self.store.finalise_hooks.append(self.on_transaction_ended)
        if self.execute is not None:
            self._sender = asyncio.create_task(self._send_cost_updates(), name="billing-cost-updates")

    async def stop(self) -> None:
        if self.on_transaction_ended in self.store.finalise_hooks:
            self.store.finalise_hooks.remove(self.on_transaction_ended)
        if self._sender is not None:
            await cancel_and_wait(self._sender)
            self._sender = None

    # -- the CDR, within the stop's commit ----------------------------------------------------------

    async def on_transaction_ended(
        self, conn: AsyncConnection, state: TransactionState, pk: int, now: datetime
    ) -> AfterCommit | None:
        """The store's finalise hook: build and insert the CDR in the database transaction that
        finalises the transaction (its stop, or for a 2.0.1 transaction with missing seqNos the
        message that completed it or the end of the wait). A transaction gets one CDR (a unique
        index on its primary key)."""
        exists = (await conn.execute(select(billing_cdrs.c.id).where(billing_cdrs.c.transaction_pk == pk))).first()
        if exists is not None:
            return None
        tx = await _row(conn, select(transactions).where(transactions.c.pk == pk))
        if tx is None:
            return None
        try:
            # a savepoint: whatever goes wrong with the CDR never costs the station its stop
            async with conn.begin_nested():
                cdr, group_id = await self._build(conn, tx, now)
                await conn.execute(insert(billing_cdrs).values(**cdr_row(cdr, state.station_id, tx, group_id, now)))
        except Exception as exc:
            log.exception("%s: the CDR of transaction %s could not be built", state.station_id, state.transaction_id)
            cdr, group_id = self._failed(tx, now, exc), None
            try:
                async with conn.begin_nested():
                    await conn.execute(insert(billing_cdrs).values(**cdr_row(cdr, state.station_id, tx, None, now)))
            except Exception:
                log.exception("%s: not even a held CDR could be written for %s", state.station_id, state.transaction_id)
                return None

        def published() -> None:
            self.cdrs_written += 1
            if cdr.verdict != "ok":
                self.cdrs_held += 1
            self._final_costs[(state.station_id, state.transaction_id)] = cdr.total_cost
            if len(self._final_costs) > 10_000:  # answers never asked for (1.6 stations) do not pile up
                self._final_costs.pop(next(iter(self._final_costs)))
            self.bus.publish(DomainEvent(EventKind.CDR_CREATED, state.station_id, now, cdr_event(cdr, tx)))

        return published

    def _failed(self, tx: Row, now: datetime, exc: Exception) -> Cdr:
        """A held, zero-cost CDR standing for a transaction whose CDR could not be built (a bug):
        the session stays visible for review instead of vanishing from billing."""
        currency = self.config.currency
        start = tx.get("started_at") or tx.get("stopped_at") or now
        end = tx.get("stopped_at") or now
        identifier = cdr_id(tx["station_id"], int(tx["pk"]))
        zero = Price(quantize(ZERO, currency), quantize(ZERO, currency))
        body = {
            "country_code": self.config.country_code,
            "party_id": self.config.party_id,
            "id": identifier,
            "start_date_time": iso(start),
            "end_date_time": iso(end),
            "session_id": str(tx["transaction_id"]),
            "currency": currency,
            "tariffs": [],
            "charging_periods": [],
            "total_cost": zero.to_json(),
            "total_energy": ZERO,
            "total_time": ZERO,
            "credit": False,
            "last_updated": iso(now),
        }
        reason = Reason("cdr_build_failed", f"the CDR could not be built: {type(exc).__name__}: {exc}"[:500])
        return Cdr(identifier, body, "needs_review", (reason,), ZERO, zero, currency, start, end, None, None)

    async def _build(self, conn: AsyncConnection, tx: Row, now: datetime) -> tuple[Cdr, str | None]:
        station_id = tx["station_id"]
        token = (
            await _row(conn, select(id_tokens).where(id_tokens.c.id_token == tx["id_token"]))
            if tx.get("id_token")
            else None
        )
        group_id = token["group_id"] if token else None
        profile = await _row(
            conn, select(billing_station_profiles).where(billing_station_profiles.c.station_id == station_id)
        )
        station = await _row(conn, select(stations.c.meter_serial_number).where(stations.c.id == station_id))
        started = tx.get("started_at") or tx.get("stopped_at") or now
        resolved = await self.resolve(conn, station_id, group_id, profile, started)
        samples = await _rows(
            conn,
            select(meter_samples).where(
                meter_samples.c.station_id == station_id, meter_samples.c.transaction_id == tx["transaction_id"]
            ),
        )
        signed = await _rows(
            conn,
            select(signed_meter_values).where(
                signed_meter_values.c.station_id == station_id,
                signed_meter_values.c.transaction_id == tx["transaction_id"],
            ),
        )
        keys = await _rows(
            conn,
            select(billing_meter_keys.c.public_key)
            .where(billing_meter_keys.c.station_id == station_id, billing_meter_keys.c.revoked_at.is_(None))
            .order_by(billing_meter_keys.c.id),
        )
        cdr = build_cdr(
            CdrInput(
                station_id=station_id,
                transaction=tx,
                samples=samples,
                signed=signed,
                received_at=now,
                tariff=resolved.tariff,
                tariff_source=resolved.source,
                id_token_type=token["type"] if token else None,
                group_id=group_id,
                site_id=profile["site_id"] if profile else None,
                meter_id=station["meter_serial_number"] if station else None,
                zone=self.zone(profile),
                bounds=self.bounds(profile),
                require_signed=bool(profile["require_signed"]) if profile else False,
                public_keys=tuple(k["public_key"] for k in keys),
                country_code=self.config.country_code,
                party_id=self.config.party_id,
                currency=self.config.currency,
            )
        )
        return cdr, group_id

    def zone(self, profile: Mapping[str, Any] | None) -> ZoneInfo:
        name = (profile or {}).get("time_zone") or self.config.time_zone
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(self.config.time_zone)

    def bounds(self, profile: Mapping[str, Any] | None) -> Bounds:
        max_power_w = (profile or {}).get("max_power_w") or self.config.default_max_power_kw * 1000
        return Bounds(
            clock_skew_s=self.config.clock_skew_s,
            late_stop_s=self.config.late_stop_s,
            max_power_w=float(max_power_w),
            power_tolerance=self.config.power_tolerance,
            signed_energy_tolerance_wh=self.config.signed_energy_tolerance_wh,
        )

    async def resolve(
        self,
        conn: AsyncConnection,
        station_id: str,
        group_id: str | None,
        profile: Mapping[str, Any] | None,
        at: datetime,
    ) -> Resolved:
        """The tariff of a session started at ``at``: id-token group (fleet contract) > station >
        site > default, the first whose tariff exists and is valid at ``at``; the tariff's version
        in force at ``at``."""
        site_id = (profile or {}).get("site_id")
        candidates = [("group", group_id), ("station", station_id), ("site", site_id), ("default", "")]
        for scope, key in candidates:
            if key is None:
                continue
            assignment = await _row(
                conn,
                select(billing_assignments).where(
                    billing_assignments.c.scope == scope, billing_assignments.c.key == key
                ),
            )
            if assignment is None:
                continue
            tariff = await self._version_at(conn, assignment["tariff_id"], at)
            if tariff is not None and tariff_active(tariff, at):
                return Resolved(tariff, scope)
        return Resolved(None, None)

    async def _version_at(self, conn: AsyncConnection, tariff_id: str, at: datetime) -> Tariff | None:
        versions = billing_tariff_versions.c
        row = await _row(
            conn,
            select(billing_tariff_versions)
            .where(versions.tariff_id == tariff_id, versions.valid_from <= at)
            .order_by(versions.version.desc())
            .limit(1),
        )
        if row is None:  # assigned after the session started: its first version
            row = await _row(
                conn,
                select(billing_tariff_versions)
                .where(versions.tariff_id == tariff_id)
                .order_by(versions.version)
                .limit(1),
            )
        return tariff_of(row["body"]) if row is not None else None

    def final_cost(self, station_id: str, transaction_id: str) -> Price | None:
        """The total of the CDR written for this transaction's stop (taken once, for the station's answer)."""
        return self._final_costs.pop((station_id, transaction_id), None)

    # -- running cost ----------------------------------------------------------------------------

    async def running_cost(self, station_id: str, transaction_id: str) -> dict[str, Any] | None:
        """Cost so far of a transaction (its CDR's total once it ended)."""
        tx = await self.store.get_transaction(station_id, transaction_id)
        if tx is None:
            return None
        if not tx["active"]:
            cdr = await self.billing.cdr_of_transaction(station_id, transaction_id)
            if cdr is not None:
                return {
                    "transaction_id": transaction_id,
                    "active": False,
                    "currency": cdr["currency"],
                    "total_cost": {"excl_vat": Decimal(cdr["total_cost_excl"])}
                    | ({"incl_vat": Decimal(cdr["total_cost_incl"])} if cdr["total_cost_incl"] is not None else {}),
                    "verdict": cdr["verdict"],
                    "cdr_id": cdr["id"],
                }
        now = self.clock.now()
        async with self.store.engine.connect() as conn:
            costing, tariff = await self._cost_so_far(conn, tx, now)
        out: dict[str, Any] = {"transaction_id": transaction_id, "active": bool(tx["active"])}
        if costing is None or tariff is None:
            out |= {"currency": None, "total_cost": None, "tariff_id": None}
            return out
        out |= {
            "currency": costing.currency,
            "tariff_id": tariff.id,
            "total_cost": costing.total_cost.to_json(),
            "total_energy": costing.total_energy_kwh,
            "total_time": costing.total_time_h.quantize(Decimal("0.0001")),
        }
        return out

    async def _cost_so_far(self, conn: AsyncConnection, tx: Row, now: datetime) -> tuple[Costing | None, Tariff | None]:
        station_id = tx["station_id"]
        token = (
            await _row(conn, select(id_tokens.c.group_id).where(id_tokens.c.id_token == tx["id_token"]))
            if tx.get("id_token")
            else None
        )
        profile = await _row(
            conn, select(billing_station_profiles).where(billing_station_profiles.c.station_id == station_id)
        )
        start = tx.get("started_at") or now
        resolved = await self.resolve(conn, station_id, token["group_id"] if token else None, profile, start)
        if resolved.tariff is None:
            return None, None
        samples = await _rows(
            conn,
            select(meter_samples).where(
                meter_samples.c.station_id == station_id, meter_samples.c.transaction_id == tx["transaction_id"]
            ),
        )
        meter_start = tx.get("meter_start_wh")
        start_wh = Decimal(repr(float(meter_start))) if meter_start is not None else None
        points = meter_points(samples, start_wh, start, now) if start_wh is not None else []
        energy = max((p.energy_wh for p in points), default=ZERO)
        end = max(now, start)
        usage = SessionUsage(start, end, max(energy, ZERO), tuple(points))
        return price_session(resolved.tariff, usage, self.zone(profile)), resolved.tariff

    def running_cost_enabled(self, profile: Mapping[str, Any] | None) -> bool:
        value = (profile or {}).get("running_cost")
        return self.config.running_cost if value is None else bool(value)

    async def stations_with_running_cost(self, candidates: list[str]) -> list[str]:
        if not candidates:
            return []
        rows = await self.billing._all(
            select(billing_station_profiles).where(billing_station_profiles.c.station_id.in_(candidates))
        )
        profiles = {row["station_id"]: row for row in rows}
        return [sid for sid in candidates if self.running_cost_enabled(profiles.get(sid))]

    async def send_cost_update(self, station_id: str, transaction_id: str) -> CommandOutcome | None:
        """Send the cost so far of one running 2.0.1 transaction as CostUpdated."""
        if self.execute is None:
            return None
        cost = await self.running_cost(station_id, transaction_id)
        if cost is None or cost.get("total_cost") is None:
            return None
        total = cost["total_cost"]
        amount = total.get("incl_vat", total["excl_vat"])
        outcome = await self.execute(station_id, CostUpdated(transaction_id=transaction_id, total_cost=amount))
        self.cost_updates_sent += 1
        return outcome

    async def _send_cost_updates(self) -> None:
        interval = self.config.running_cost_interval_s
        while True:
            await asyncio.sleep(interval)
            try:
                await self._cost_round()
            except Exception:
                log.exception("running cost round failed")

    async def _cost_round(self) -> None:
        rows, _ = await self.store.list_transactions(active=True, limit=1000)
        by_station: dict[str, list[str]] = {}
        for row in rows:
            if row["ocpp_version"] == "2.0.1":
                by_station.setdefault(row["station_id"], []).append(row["transaction_id"])
        for station_id in await self.stations_with_running_cost(sorted(by_station)):
            for transaction_id in by_station[station_id]:
                try:
                    await self.send_cost_update(station_id, transaction_id)
                except Exception as exc:  # station gone, timed out, refused: next round tries again
                    log.info("%s: CostUpdated for %s not delivered: %s", station_id, transaction_id, exc)


def cdr_event(cdr: Cdr, tx: Mapping[str, Any]) -> dict[str, Any]:
    """The ``cdr.created`` event data: JSON-ready (money as exact decimal strings)."""

    def money(price: Price) -> dict[str, Any]:
        out: dict[str, Any] = {"excl_vat": str(price.excl_vat)}
        if price.incl_vat is not None:
            out["incl_vat"] = str(price.incl_vat)
        return out

    return {
        "cdr_id": cdr.id,
        "transaction_id": tx["transaction_id"],
        "id_token": tx.get("id_token"),
        "tariff_id": cdr.tariff_id,
        "currency": cdr.currency,
        "total_cost": money(cdr.total_cost),
        "total_energy_wh": str(cdr.total_energy_wh),
        "start_date_time": cdr.body["start_date_time"],
        "end_date_time": cdr.body["end_date_time"],
        "verdict": cdr.verdict,
        "reasons": [r.to_json() for r in cdr.reasons],
    }


def glob_match(station_id: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(station_id, p) for p in patterns)
