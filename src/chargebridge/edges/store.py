"""Reads and writes of the edges capability. A batch is applied in one database transaction."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import MeterSample, ReadingContext, SampledValue
from chargebridge.domain.timeutil import format_datetime
from chargebridge.edge.protocol import Batch, WireDeviceStatus, WireRecord
from chargebridge.edges.tables import edge_commands, edge_devices, edge_outboxes, edge_samples, edges
from chargebridge.store.repository import Row, Store, aware_row, sample_rows
from chargebridge.store.schema import faults, meter_samples, stations

FAULT_SOURCE = "edge"


class EdgeForbidden(Exception):
    """The token may not report for this edge (it is pinned to another token)."""


@dataclass
class Applied:
    acked_seq: int = 0
    applied: int = 0
    duplicates: int = 0
    rejected: list[str] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    new_outbox: bool = False


def _context(value: str) -> ReadingContext:
    try:
        return ReadingContext(value)
    except ValueError:
        return ReadingContext.OTHER


def _target(edge_id: str, device: Row | None) -> str:
    """The bus target of a device's readings: its station, else its site, else the edge itself."""
    if device is not None and device["station_id"]:
        return str(device["station_id"])
    if device is not None and device["site_id"]:
        return f"site:{device['site_id']}"
    return f"edge:{edge_id}"


class EdgeStore:
    def __init__(self, store: Store):
        self.store = store

    # -- reads ------------------------------------------------------------------------------

    async def edge(self, edge_id: str) -> Row | None:
        return await self.store._fetch_one(select(edges).where(edges.c.id == edge_id))

    async def edges(self) -> list[Row]:
        return await self.store._fetch_all(select(edges).order_by(edges.c.id))

    async def devices(self, edge_id: str | None = None) -> list[Row]:
        query = select(edge_devices).order_by(edge_devices.c.edge_id, edge_devices.c.device)
        if edge_id is not None:
            query = query.where(edge_devices.c.edge_id == edge_id)
        return await self.store._fetch_all(query)

    async def samples(self, edge_id: str, device: str | None, limit: int) -> list[Row]:
        query = select(edge_samples).where(edge_samples.c.edge_id == edge_id)
        if device is not None:
            query = query.where(edge_samples.c.device == device)
        return await self.store._fetch_all(query.order_by(edge_samples.c.seq.desc()).limit(limit))

    async def sample_count(self, edge_id: str) -> int:
        async with self.store.reading() as conn:
            result = await conn.execute(
                select(func.count()).select_from(edge_samples).where(edge_samples.c.edge_id == edge_id)
            )
            return int(result.scalar() or 0)

    # -- batches ----------------------------------------------------------------------------

    async def apply(
        self, batch: Batch, *, token_id: str | None, may_take_over: bool, uplink: str, now: datetime
    ) -> Applied:
        async def op(conn: AsyncConnection) -> Applied:
            return await self._apply(conn, batch, token_id, may_take_over, uplink, now)

        return await self.store.writer.run(op)

    async def _apply(
        self,
        conn: AsyncConnection,
        batch: Batch,
        token_id: str | None,
        may_take_over: bool,
        uplink: str,
        now: datetime,
    ) -> Applied:
        out = Applied()
        query = self.store._for_update(select(edges).where(edges.c.id == batch.edge_id))
        first = (await conn.execute(query)).mappings().first()
        found = aware_row(first) if first is not None else None
        if found is None:
            await conn.execute(
                insert(edges).values(
                    id=batch.edge_id,
                    token_id=token_id,
                    uplink=uplink,
                    outbox_id=batch.outbox_id,
                    last_seq=0,
                    first_seen_at=now,
                )
            )
            status_at = None
        else:
            pinned = found["token_id"]
            if token_id is not None and pinned is not None and pinned != token_id and not may_take_over:
                raise EdgeForbidden(f"edge {batch.edge_id!r} reports with another token")
            status_at = found["status_at"]
        outbox_key = and_(edge_outboxes.c.edge_id == batch.edge_id, edge_outboxes.c.outbox_id == batch.outbox_id)
        seen = (await conn.execute(self.store._for_update(select(edge_outboxes.c.last_seq).where(outbox_key)))).first()
        if seen is None:
            await conn.execute(
                insert(edge_outboxes).values(
                    edge_id=batch.edge_id, outbox_id=batch.outbox_id, last_seq=0, first_seen_at=now, last_seen_at=now
                )
            )
            out.new_outbox = found is not None  # the edge's disk was replaced: a new sequence starts
            last_seq = 0
        else:
            last_seq = int(seen[0])
        if batch.status is not None:
            for device_status in batch.status.devices:
                await self._upsert_device(conn, batch.edge_id, device_status, now)
        devices = {
            row["device"]: aware_row(row)
            for row in (
                await conn.execute(select(edge_devices).where(edge_devices.c.edge_id == batch.edge_id))
            ).mappings()
        }
        mapped = sorted({str(d["station_id"]) for d in devices.values() if d["station_id"]})
        known_stations: set[str] = set()
        if mapped:
            rows = await conn.execute(select(stations.c.id).where(stations.c.id.in_(mapped)))
            known_stations = {str(r[0]) for r in rows}
        new_seq = last_seq
        touched: set[str] = set()
        for record in batch.records:
            if record.seq <= last_seq:
                out.duplicates += 1
                continue
            new_seq = record.seq
            device = devices.get(record.device)
            if device is None:
                device = {
                    "edge_id": batch.edge_id,
                    "device": record.device,
                    "station_id": None,
                    "site_id": None,
                    "evse_id": 0,
                    "active_faults": {},
                    "last_sample_at": None,
                }
                await conn.execute(
                    insert(edge_devices).values(edge_id=batch.edge_id, device=record.device, evse_id=0, updated_at=now)
                )
                devices[record.device] = device
            try:
                await self._apply_record(conn, batch.edge_id, record, device, known_stations, now, out)
            except ValueError as exc:
                out.rejected.append(str(exc)[:200])
                continue
            touched.add(record.device)
            out.applied += 1
        for name in touched:
            device = devices[name]
            await conn.execute(
                update(edge_devices)
                .where(and_(edge_devices.c.edge_id == batch.edge_id, edge_devices.c.device == name))
                .values(active_faults=device["active_faults"] or {}, last_sample_at=device["last_sample_at"])
            )
        values: dict[str, Any] = {
            "last_seq": new_seq,
            "outbox_id": batch.outbox_id,
            "last_seen_at": now,
            "uplink": uplink,
            "records_total": edges.c.records_total + out.applied,
            "duplicates_total": edges.c.duplicates_total + out.duplicates,
            "rejected_total": edges.c.rejected_total + len(out.rejected),
        }
        if batch.status is not None and (status_at is None or batch.status.at >= status_at):
            values["status"] = batch.status.model_dump(mode="json", exclude={"devices"})
            values["status_at"] = batch.status.at
        await conn.execute(update(edges).where(edges.c.id == batch.edge_id).values(**values))
        await conn.execute(update(edge_outboxes).where(outbox_key).values(last_seq=new_seq, last_seen_at=now))
        out.acked_seq = new_seq
        return out

    async def _upsert_device(self, conn: AsyncConnection, edge_id: str, d: WireDeviceStatus, now: datetime) -> None:
        values = {
            "transport": d.transport,
            "station_id": d.station_id,
            "site_id": d.site_id,
            "evse_id": d.evse_id,
            "reachable": d.reachable,
            "last_good_read_at": d.last_good_read_at,
            "last_error": d.last_error,
            "counters": dict(d.counters),
            "updated_at": now,
        }
        where = and_(edge_devices.c.edge_id == edge_id, edge_devices.c.device == d.name)
        result = await conn.execute(update(edge_devices).where(where).values(**values))
        if not result.rowcount:
            await conn.execute(insert(edge_devices).values(edge_id=edge_id, device=d.name, active_faults={}, **values))

    async def _apply_record(
        self,
        conn: AsyncConnection,
        edge_id: str,
        record: WireRecord,
        device: dict[str, Any],
        known_stations: set[str],
        now: datetime,
        out: Applied,
    ) -> None:
        station_id = device["station_id"] if device["station_id"] in known_stations else None
        evse_id = int(device["evse_id"] or 0)
        meta = {"source": FAULT_SOURCE, "edge_id": edge_id, "device": record.device, "site_id": device["site_id"]}
        target = _target(edge_id, device)
        if record.kind == "sample":
            wire = record.values()
            stored = [v.model_dump() for v in wire]
            await conn.execute(
                insert(edge_samples).values(
                    edge_id=edge_id,
                    device=record.device,
                    seq=record.seq,
                    timestamp=record.at,
                    sampled_values=stored,
                    received_at=now,
                )
            )
            sample = MeterSample(
                record.at,
                tuple(
                    SampledValue(
                        measurand=v.measurand,
                        value=v.value,
                        unit=v.unit,
                        context=_context(v.context),
                        phase=v.phase,
                        location=v.location,
                    )
                    for v in wire
                ),
            )
            if station_id is not None and sample.values:
                await conn.execute(insert(meter_samples), sample_rows(station_id, evse_id, None, None, (sample,)))
            if device["last_sample_at"] is None or record.at > device["last_sample_at"]:
                device["last_sample_at"] = record.at
            out.events.append(
                DomainEvent(
                    EventKind.METER_SAMPLED,
                    target,
                    record.at,
                    {
                        **meta,
                        "evse_id": evse_id,
                        "transaction_id": None,
                        "timestamp": format_datetime(record.at),
                        "values": stored,
                    },
                )
            )
            return
        code = record.code()
        active = dict(device["active_faults"] or {})
        if record.kind == "fault":
            info = str(record.data.get("info") or "")[:500]
            vendor = record.data.get("vendor_code")
            vendor_code = str(vendor)[:255] if vendor is not None else None
            already = code in active
            active[code] = info
            device["active_faults"] = active
            if already:
                return
            if station_id is not None:
                await conn.execute(
                    insert(faults).values(
                        station_id=station_id,
                        evse_id=evse_id,
                        connector_id=0,
                        source=FAULT_SOURCE,
                        code=code,
                        vendor_code=vendor_code,
                        info=info,
                        raised_at=record.at,
                    )
                )
            out.events.append(
                DomainEvent(
                    EventKind.FAULT_RAISED,
                    target,
                    record.at,
                    {**meta, "evse_id": evse_id, "code": code, "vendor_code": vendor_code, "info": info},
                )
            )
            return
        if active.pop(code, None) is None:
            return
        device["active_faults"] = active
        if station_id is not None:
            await conn.execute(
                update(faults)
                .where(
                    faults.c.station_id == station_id,
                    faults.c.source == FAULT_SOURCE,
                    faults.c.code == code,
                    faults.c.evse_id == evse_id,
                    faults.c.cleared_at.is_(None),
                )
                .values(cleared_at=record.at)
            )
        out.events.append(
            DomainEvent(EventKind.FAULT_CLEARED, target, record.at, {**meta, "evse_id": evse_id, "code": code})
        )

    # -- commands ---------------------------------------------------------------------------

    async def add_command(
        self, edge_id: str, type_: str, params: dict[str, Any], now: datetime, expires_at: datetime, by: str | None
    ) -> Row:
        command_id = secrets.token_hex(16)
        values = {
            "id": command_id,
            "edge_id": edge_id,
            "type": type_,
            "params": params,
            "state": "pending",
            "created_at": now,
            "expires_at": expires_at,
            "created_by": by,
        }

        async def op(conn: AsyncConnection) -> None:
            await conn.execute(insert(edge_commands).values(**values))

        await self.store.writer.run(op)
        return {**values, "answered_at": None, "answer": None}

    async def command(self, command_id: str) -> Row | None:
        return await self.store._fetch_one(select(edge_commands).where(edge_commands.c.id == command_id))

    async def commands(self, edge_id: str, *, pending_at: datetime | None, limit: int) -> list[Row]:
        query = select(edge_commands).where(edge_commands.c.edge_id == edge_id)
        if pending_at is not None:
            query = query.where(edge_commands.c.state == "pending", edge_commands.c.expires_at > pending_at)
            return await self.store._fetch_all(query.order_by(edge_commands.c.created_at).limit(limit))
        return await self.store._fetch_all(query.order_by(edge_commands.c.created_at.desc()).limit(limit))

    async def answer_command(self, command_id: str, answer: dict[str, Any], now: datetime) -> bool:
        """Record the first answer of a pending command; False if it was answered already."""

        async def op(conn: AsyncConnection) -> bool:
            result = await conn.execute(
                update(edge_commands)
                .where(edge_commands.c.id == command_id, edge_commands.c.state == "pending")
                .values(state="answered", answer=answer, answered_at=now)
            )
            return bool(result.rowcount)

        return await self.store.writer.run(op)
