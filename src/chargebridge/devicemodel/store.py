"""Reads and writes of the device model tables, over the node's :class:`Store` (same engine,
same group-commit writer). A report part is applied in one transaction: the part is recorded,
its items upserted, and the report completed when its last missing part arrives."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.devicemodel.chunks import is_complete
from chargebridge.devicemodel.tables import (
    device_model_variables,
    display_messages,
    report_parts,
    station_monitoring,
    station_reports,
    variable_monitors,
)
from chargebridge.store.repository import Row, Store, aware_row

# What a report kind does with a part's items / with the complete report (inside its transaction).
PartApply = Callable[[AsyncConnection, Row], Awaitable[None]]

_VARIABLE_KEY = (
    "station_id",
    "component",
    "component_instance",
    "evse_id",
    "connector_id",
    "variable",
    "variable_instance",
    "attribute",
)
_REPORTED_COLUMNS = (
    "value",
    "mutability",
    "persistent",
    "constant",
    "data_type",
    "unit",
    "min_limit",
    "max_limit",
    "values_list",
    "supports_monitoring",
    "source",
    "report_id",
    "updated_at",
)
_MONITOR_COLUMNS = (
    "component",
    "component_instance",
    "evse_id",
    "connector_id",
    "variable",
    "variable_instance",
    "type",
    "value",
    "severity",
    "transaction_only",
    "source",
    "report_id",
    "updated_at",
)
_MESSAGE_COLUMNS = (
    "priority",
    "state",
    "format",
    "language",
    "content",
    "start_at",
    "end_at",
    "transaction_id",
    "display",
    "source",
    "report_id",
    "updated_at",
)


@dataclass(frozen=True, slots=True)
class PartOutcome:
    report: Row
    new: bool  # False: this part was received before (a repeat is acknowledged, not applied again)
    complete: bool


@dataclass(frozen=True, slots=True)
class VariableFilter:
    component: str | None = None
    component_instance: str | None = None
    evse_id: int | None = None
    connector_id: int | None = None
    variable: str | None = None
    variable_instance: str | None = None
    attribute: str | None = None
    mutability: str | None = None


def new_request_id() -> int:
    """A positive 31-bit OCPP requestId (unique per station and kind, checked on insert)."""
    return secrets.randbelow(2_147_483_646) + 1


class DeviceModelStore:
    def __init__(self, store: Store):
        self.store = store
        v = device_model_variables
        ins = self._insert(v)
        self._upsert_reported = ins.on_conflict_do_update(
            index_elements=list(_VARIABLE_KEY), set_={c: ins.excluded[c] for c in _REPORTED_COLUMNS}
        )
        # A value read or written: keep what the report said about the variable, note the new value.
        ins = self._insert(v)
        self._upsert_value = ins.on_conflict_do_update(
            index_elements=list(_VARIABLE_KEY),
            set_={
                "value": ins.excluded.value,
                "source": ins.excluded.source,
                "updated_at": ins.excluded.updated_at,
                "mutability": func.coalesce(ins.excluded.mutability, v.c.mutability),
            },
        )
        ins = self._insert(variable_monitors)
        self._upsert_monitor = ins.on_conflict_do_update(
            index_elements=["station_id", "monitor_id"], set_={c: ins.excluded[c] for c in _MONITOR_COLUMNS}
        )
        ins = self._insert(display_messages)
        self._upsert_message = ins.on_conflict_do_update(
            index_elements=["station_id", "message_id"], set_={c: ins.excluded[c] for c in _MESSAGE_COLUMNS}
        )

    def _insert(self, table: Any) -> Any:
        return postgresql.insert(table) if self.store._dialect == "postgresql" else sqlite.insert(table)

    async def _all(self, query: Any) -> list[Row]:
        return await self.store._fetch_all(query)

    async def _one(self, query: Any) -> Row | None:
        return await self.store._fetch_one(query)

    # -- reports ---------------------------------------------------------------------------

    async def create_report(
        self,
        station_id: str,
        kind: str,
        action: str,
        parameters: dict[str, Any],
        now: datetime,
        *,
        requested_by: str | None = None,
        requested_by_name: str | None = None,
    ) -> Row:
        """A new request with a fresh requestId (state ``requested``)."""
        r = station_reports.c

        async def op(conn: AsyncConnection) -> int:
            while True:
                request_id = new_request_id()
                taken = await conn.execute(
                    select(r.id).where(r.station_id == station_id, r.kind == kind, r.request_id == request_id)
                )
                if taken.first() is None:
                    break
            result = await conn.execute(
                insert(station_reports).values(
                    station_id=station_id,
                    kind=kind,
                    request_id=request_id,
                    action=action,
                    parameters=parameters,
                    state="requested",
                    parts=0,
                    items=0,
                    requested_by=requested_by,
                    requested_by_name=requested_by_name,
                    requested_at=now,
                    updated_at=now,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

        report_id = await self.store.writer.run(op)
        row = await self._one(select(station_reports).where(r.id == report_id))
        assert row is not None
        return row

    async def report_answered(
        self, report_id: int, status: str, status_info: Any, state: str, now: datetime, **values: Any
    ) -> None:
        """The station answered the request. ``state`` applies only if no part came first."""
        r = station_reports.c
        await self.store.writer.run(
            lambda conn: conn.execute(
                update(station_reports)
                .where(r.id == report_id)
                .values(
                    status=status,
                    status_info=status_info,
                    state=case((r.state == "requested", state), else_=r.state),
                    updated_at=now,
                    **values,
                )
            )
        )

    async def finish_report(self, report_id: int, state: str, now: datetime, **values: Any) -> None:
        await self.store.writer.run(
            lambda conn: conn.execute(
                update(station_reports)
                .where(station_reports.c.id == report_id)
                .values(state=state, updated_at=now, completed_at=now, **values)
            )
        )

    async def receive_part(
        self,
        station_id: str,
        kind: str,
        request_id: int,
        seq_no: int | None,
        tbc: bool,
        items: int,
        now: datetime,
        *,
        generated_at: datetime | None = None,
        data: str | None = None,
        apply: PartApply | None = None,
        on_complete: PartApply | None = None,
    ) -> PartOutcome:
        """Record one part (``seq_no`` None: numbered in arrival order), apply its items and, when
        every part 0..last has arrived, complete the report. One transaction."""
        r = station_reports.c

        async def op(conn: AsyncConnection) -> PartOutcome:
            found = (
                (
                    await conn.execute(
                        select(station_reports).where(
                            r.station_id == station_id, r.kind == kind, r.request_id == request_id
                        )
                    )
                )
                .mappings()
                .first()
            )
            if found is None:  # parts nobody here asked for (another node, or before a reset): kept anyway
                await conn.execute(
                    insert(station_reports).values(
                        station_id=station_id,
                        kind=kind,
                        request_id=request_id,
                        action="",
                        parameters={},
                        state="receiving",
                        parts=0,
                        items=0,
                        requested_at=now,
                        updated_at=now,
                    )
                )
                found = (
                    (
                        await conn.execute(
                            select(station_reports).where(
                                r.station_id == station_id, r.kind == kind, r.request_id == request_id
                            )
                        )
                    )
                    .mappings()
                    .first()
                )
                assert found is not None
            report = aware_row(found)
            number = seq_no if seq_no is not None else int(report["parts"])
            seen = (
                await conn.execute(
                    select(report_parts.c.seq_no).where(
                        report_parts.c.report_id == report["id"], report_parts.c.seq_no == number
                    )
                )
            ).first()
            if seen is not None:
                return PartOutcome(report, new=False, complete=report["state"] == "complete")
            await conn.execute(
                insert(report_parts).values(
                    report_id=report["id"],
                    seq_no=number,
                    tbc=tbc,
                    items=items,
                    data=data,
                    generated_at=generated_at,
                    received_at=now,
                )
            )
            if apply is not None:
                await apply(conn, report)
            last = report["last_seq_no"] if tbc else number
            received = (
                await conn.execute(select(report_parts.c.seq_no).where(report_parts.c.report_id == report["id"]))
            ).scalars()
            complete = is_complete(received, last)
            values: dict[str, Any] = {
                "parts": report["parts"] + 1,
                "items": report["items"] + items,
                "last_seq_no": last,
                "updated_at": now,
                "state": "complete" if complete else "receiving",
            }
            if complete:
                values["completed_at"] = now
            report = report | values
            if complete and on_complete is not None:
                await on_complete(conn, report)
            await conn.execute(update(station_reports).where(r.id == report["id"]).values(**values))
            return PartOutcome(report, new=True, complete=complete)

        return await self.store.writer.run(op)

    async def set_result(self, conn: AsyncConnection, report_id: int, result: Any) -> None:
        await conn.execute(update(station_reports).where(station_reports.c.id == report_id).values(result=result))

    async def get_report(self, station_id: str, kind: str, request_id: int) -> Row | None:
        r = station_reports.c
        return await self._one(
            select(station_reports).where(r.station_id == station_id, r.kind == kind, r.request_id == request_id)
        )

    async def list_reports(
        self,
        kind: str,
        *,
        station_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
        parameter: tuple[str, str] | None = None,
    ) -> list[Row]:
        r = station_reports.c
        query = select(station_reports).where(r.kind == kind)
        if station_id is not None:
            query = query.where(r.station_id == station_id)
        rows = await self._all(query.order_by(r.id.desc()))
        if parameter is not None:  # a filter on the request's parameters (few rows per customer)
            name, wanted = parameter
            rows = [row for row in rows if (row["parameters"] or {}).get(name) == wanted]
        return rows[offset : offset + limit]

    async def part_numbers(self, report_id: int) -> list[int]:
        rows = await self._all(
            select(report_parts.c.seq_no).where(report_parts.c.report_id == report_id).order_by(report_parts.c.seq_no)
        )
        return [row["seq_no"] for row in rows]

    @staticmethod
    async def part_texts(conn: AsyncConnection, report_id: int) -> list[str]:
        result = await conn.execute(
            select(report_parts.c.data).where(report_parts.c.report_id == report_id).order_by(report_parts.c.seq_no)
        )
        return [text or "" for text in result.scalars()]

    @staticmethod
    async def forget_part_texts(conn: AsyncConnection, report_id: int) -> None:
        await conn.execute(update(report_parts).where(report_parts.c.report_id == report_id).values(data=None))

    # -- variables -------------------------------------------------------------------------

    async def upsert_reported(self, conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            # One row per key and statement (a report may list an attribute twice: the last one wins).
            latest = {tuple(row[k] for k in _VARIABLE_KEY): row for row in rows}
            await conn.execute(self._upsert_reported, list(latest.values()))

    async def drop_unreported(self, conn: AsyncConnection, station_id: str, report_id: int, only_keys: bool) -> int:
        """After a complete full inventory: forget what it did not list (``only_keys``: 1.6 keys only)."""
        v = device_model_variables.c
        where = and_(v.station_id == station_id, or_(v.report_id.is_(None), v.report_id != report_id))
        if only_keys:
            where = and_(where, v.component == "")
        result = await conn.execute(delete(device_model_variables).where(where))
        return int(result.rowcount or 0)

    async def store_values(self, rows: Sequence[dict[str, Any]]) -> None:
        """Values a GetVariables / GetConfiguration returned or a SetVariables set."""
        if not rows:
            return
        latest = {tuple(row[k] for k in _VARIABLE_KEY): row for row in rows}
        await self.store.writer.run(lambda conn: conn.execute(self._upsert_value, list(latest.values())))

    async def replace_keys(self, station_id: str, rows: Sequence[dict[str, Any]], report_id: int) -> None:
        """A 1.6 GetConfiguration of every key: the stored keys become exactly these."""

        async def op(conn: AsyncConnection) -> None:
            await self.upsert_reported(conn, rows)
            await self.drop_unreported(conn, station_id, report_id, only_keys=True)

        await self.store.writer.run(op)

    async def list_variables(
        self, station_id: str, where: VariableFilter, limit: int, offset: int
    ) -> tuple[list[Row], int]:
        v = device_model_variables.c
        conditions = [v.station_id == station_id]
        for name in (
            "component",
            "component_instance",
            "evse_id",
            "connector_id",
            "variable",
            "variable_instance",
            "attribute",
            "mutability",
        ):
            value = getattr(where, name)
            if value is not None:
                conditions.append(getattr(v, name) == value)
        query = select(device_model_variables).where(*conditions)
        total_query = select(func.count()).select_from(device_model_variables).where(*conditions)
        order = (v.component, v.component_instance, v.evse_id, v.connector_id, v.variable, v.variable_instance)
        rows = await self._all(query.order_by(*order, v.attribute).limit(limit).offset(offset))
        async with self.store.engine.connect() as conn:
            total = int((await conn.execute(total_query)).scalar_one())
        return rows, total

    async def values_of(
        self, station_id: str, component: str, wanted: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], str | None]:
        """Actual values of (variable, instance) of one component (no EVSE), as stored."""
        v = device_model_variables.c
        rows = await self._all(
            select(v.variable, v.variable_instance, v.value).where(
                v.station_id == station_id,
                v.component == component,
                v.component_instance == "",
                v.evse_id == 0,
                v.connector_id == 0,
                v.attribute == "Actual",
                v.variable.in_([name for name, _ in wanted]),
            )
        )
        found = {(row["variable"], row["variable_instance"]): row["value"] for row in rows}
        return {key: found[key] for key in wanted if key in found}

    # -- monitors --------------------------------------------------------------------------

    async def upsert_monitors(self, conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            latest = {(row["station_id"], row["monitor_id"]): row for row in rows}
            await conn.execute(self._upsert_monitor, list(latest.values()))

    async def save_monitors(self, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            await self.store.writer.run(lambda conn: self.upsert_monitors(conn, rows))

    async def delete_monitors(self, station_id: str, ids: Sequence[int]) -> None:
        if ids:
            m = variable_monitors.c
            await self.store.writer.run(
                lambda conn: conn.execute(
                    delete(variable_monitors).where(m.station_id == station_id, m.monitor_id.in_(list(ids)))
                )
            )

    async def drop_unreported_monitors(self, conn: AsyncConnection, station_id: str, report_id: int) -> None:
        m = variable_monitors.c
        await conn.execute(
            delete(variable_monitors).where(
                m.station_id == station_id, or_(m.report_id.is_(None), m.report_id != report_id)
            )
        )

    async def list_monitors(self, station_id: str) -> list[Row]:
        m = variable_monitors.c
        return await self._all(select(variable_monitors).where(m.station_id == station_id).order_by(m.monitor_id))

    async def get_monitors(self, station_id: str, ids: Sequence[int]) -> dict[int, Row]:
        if not ids:
            return {}
        m = variable_monitors.c
        rows = await self._all(select(variable_monitors).where(m.station_id == station_id, m.monitor_id.in_(list(ids))))
        return {row["monitor_id"]: row for row in rows}

    async def set_monitoring(self, station_id: str, now: datetime, **values: Any) -> None:
        s = station_monitoring.c

        async def op(conn: AsyncConnection) -> None:
            result = await conn.execute(
                update(station_monitoring).where(s.station_id == station_id).values(updated_at=now, **values)
            )
            if not result.rowcount:
                await conn.execute(insert(station_monitoring).values(station_id=station_id, updated_at=now, **values))

        await self.store.writer.run(op)

    async def monitoring_of(self, station_id: str) -> Row | None:
        return await self._one(select(station_monitoring).where(station_monitoring.c.station_id == station_id))

    # -- display messages ------------------------------------------------------------------

    async def upsert_messages(self, conn: AsyncConnection, rows: Sequence[dict[str, Any]]) -> None:
        if rows:
            latest = {(row["station_id"], row["message_id"]): row for row in rows}
            await conn.execute(self._upsert_message, list(latest.values()))

    async def save_message(self, row: dict[str, Any]) -> None:
        await self.store.writer.run(lambda conn: self.upsert_messages(conn, [row]))

    async def delete_message(self, station_id: str, message_id: int) -> None:
        d = display_messages.c
        await self.store.writer.run(
            lambda conn: conn.execute(
                delete(display_messages).where(d.station_id == station_id, d.message_id == message_id)
            )
        )

    async def drop_unreported_messages(self, conn: AsyncConnection, station_id: str, report_id: int) -> None:
        d = display_messages.c
        await conn.execute(
            delete(display_messages).where(
                d.station_id == station_id, or_(d.report_id.is_(None), d.report_id != report_id)
            )
        )

    async def list_messages(self, station_id: str) -> list[Row]:
        d = display_messages.c
        return await self._all(select(display_messages).where(d.station_id == station_id).order_by(d.message_id))

    async def next_message_id(self, station_id: str) -> int:
        d = display_messages.c
        async with self.store.engine.connect() as conn:
            top = (await conn.execute(select(func.max(d.message_id)).where(d.station_id == station_id))).scalar()
        return int(top or 0) + 1
