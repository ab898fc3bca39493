"""Transaction (charge detail record) exports as CSV and XML, streamed page by page.

One column list drives both formats; the XML follows ``schemas/transactions.xsd`` (shipped in
the package, namespace :data:`XML_NAMESPACE`). Rows are read in primary-key order in pages
of ``page_size`` with keyset pagination, so an export of any size holds one page in memory.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any, Literal
from xml.sax.saxutils import escape

from fastapi import APIRouter, Depends, HTTPException, Query, status
from fastapi.responses import StreamingResponse
from pydantic import Field
from sqlalchemy import Select, select

from chargebridge.api.auth import Scope, Viewer, scope
from chargebridge.api.deps import Context
from chargebridge.domain.timeutil import format_datetime
from chargebridge.integrations.base import Section
from chargebridge.store.schema import transactions

if TYPE_CHECKING:
    from chargebridge.store.repository import Store

XML_NAMESPACE = "urn:chargebridge:transactions:1"
XSD_RESOURCE = "schemas/transactions.xsd"

ColumnType = Literal["string", "int", "double", "dateTime", "boolean"]


class ExportsConfig(Section):
    enabled: bool = True
    page_size: int = Field(default=500, ge=1, le=10_000)


@dataclass(frozen=True, slots=True)
class ExportColumn:
    name: str
    type: ColumnType
    value: Callable[[dict[str, Any]], Any]


def _col(name: str, kind: ColumnType, source: str | None = None) -> ExportColumn:
    key = source or name
    return ExportColumn(name, kind, lambda row: row[key])


def _duration_s(row: dict[str, Any]) -> float | None:
    start, stop = row["started_at"], row["stopped_at"]
    if start is None or stop is None:
        return None
    return float((_aware(stop) - _aware(start)).total_seconds())


COLUMNS: tuple[ExportColumn, ...] = (
    _col("transaction_id", "string"),
    _col("station_id", "string"),
    _col("ocpp_version", "string"),
    _col("evse_id", "int"),
    _col("connector_id", "int"),
    _col("id_token", "string"),
    _col("id_token_status", "string"),
    _col("started_at", "dateTime"),
    _col("stopped_at", "dateTime"),
    ExportColumn("duration_s", "double", _duration_s),
    _col("meter_start_wh", "double"),
    _col("meter_stop_wh", "double"),
    _col("energy_wh", "double"),
    _col("stop_reason", "string"),
    _col("active", "boolean"),
    _col("orphan", "boolean"),
    _col("offline", "boolean"),
    _col("energy_mismatch", "boolean"),
    _col("energy_note", "string"),
)


def xsd_text() -> str:
    return resources.files("chargebridge.integrations").joinpath(XSD_RESOURCE).read_text(encoding="utf-8")


def _aware(value: datetime) -> datetime:
    from datetime import UTC

    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _text(kind: ColumnType, value: Any) -> str | None:
    """The lexical form shared by CSV and XML (xs:dateTime, xs:double, xs:boolean); None = absent."""
    if value is None:
        return None
    if kind == "dateTime":
        return format_datetime(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "double":
        number = float(value)
        if math.isnan(number):
            return "NaN"
        if math.isinf(number):
            return "INF" if number > 0 else "-INF"
        return repr(number)
    if kind == "int":
        return str(int(value))
    return str(value)


# Characters XML 1.0 cannot carry at all (stations send anything): replaced by U+FFFD.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A cell starting like a formula is prefixed with ' so spreadsheets show it as text (CSV injection).
_REPLACEMENT = "\ufffd"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(kind: ColumnType, value: Any) -> str:
    text = _text(kind, value)
    if text is None:
        return ""
    if kind == "string" and text.startswith(_FORMULA_START):
        return "'" + text
    return text


def xml_row(row: dict[str, Any]) -> str:
    parts = ["<transaction>"]
    for column in COLUMNS:
        text = _text(column.type, column.value(row))
        if text is None:
            continue
        clean = escape(_XML_ILLEGAL.sub(_REPLACEMENT, text))
        parts.append(f"<{column.name}>{clean}</{column.name}>")
    parts.append("</transaction>\n")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class ExportFilter:
    station_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    active: bool | None = None
    only: frozenset[str] | None = None  # a station-scoped API token's stations

    def apply(self, query: Select[Any]) -> Select[Any]:
        t = transactions.c
        if self.only is not None:
            query = query.where(t.station_id.in_(sorted(self.only)))
        if self.station_id is not None:
            query = query.where(t.station_id == self.station_id)
        if self.since is not None:
            query = query.where(t.started_at >= self.since)
        if self.until is not None:
            query = query.where(t.started_at < self.until)
        if self.active is not None:
            query = query.where(t.active.is_(self.active))
        return query


async def transaction_pages(store: Store, where: ExportFilter, page_size: int) -> AsyncIterator[list[dict[str, Any]]]:
    """Pages of transaction rows in primary-key order (keyset pagination: stable and O(page))."""
    after = None
    while True:
        query = where.apply(select(transactions)).order_by(transactions.c.pk).limit(page_size)
        if after is not None:
            query = query.where(transactions.c.pk > after)
        async with store.engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        if not rows:
            return
        yield rows
        if len(rows) < page_size:
            return
        after = rows[-1]["pk"]


async def csv_stream(store: Store, where: ExportFilter, page_size: int) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    yield buffer.getvalue().encode()
    async for rows in transaction_pages(store, where, page_size):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([csv_cell(c.type, c.value(row)) for c in COLUMNS] for row in rows)
        yield buffer.getvalue().encode()


async def xml_stream(store: Store, where: ExportFilter, page_size: int, generated_at: datetime) -> AsyncIterator[bytes]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<transactions xmlns="{XML_NAMESPACE}" generated_at="{format_datetime(generated_at)}">\n'
    ).encode()
    async for rows in transaction_pages(store, where, page_size):
        yield "".join(xml_row(row) for row in rows).encode()
    yield b"</transactions>\n"


StationFilter = Annotated[str | None, Query(max_length=48)]
Since = Annotated[datetime | None, Query(description="started at or after (RFC 3339)")]
Until = Annotated[datetime | None, Query(description="started before (RFC 3339)")]


def export_filter(
    station_id: StationFilter = None, since: Since = None, until: Until = None, active: bool | None = None
) -> ExportFilter:
    """The query parameters both export formats take."""
    if since is not None and until is not None and _aware(until) <= _aware(since):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "until must be after since")
    return ExportFilter(station_id, since, until, active)


Filter = Annotated[ExportFilter, Depends(export_filter)]


class ExportsExtension:
    name = "exports"

    def __init__(self, config: ExportsConfig):
        self.config = config

    async def start(self, context: Any) -> None:
        return None

    async def stop(self) -> None:
        return None

    def routers(self) -> list[APIRouter]:
        router = APIRouter(prefix="/api/v1/exports", tags=["exports"])
        page_size = self.config.page_size

        @router.get("/transactions.csv", response_class=StreamingResponse, openapi_extra=scope(Scope.FILTERED))
        async def export_csv(ctx: Context, principal: Viewer, where: Filter) -> StreamingResponse:
            return StreamingResponse(
                csv_stream(ctx.store, replace(where, only=principal.stations), page_size),
                media_type="text/csv; charset=utf-8",
                headers={"Content-Disposition": 'attachment; filename="transactions.csv"'},
            )

        @router.get("/transactions.xml", response_class=StreamingResponse, openapi_extra=scope(Scope.FILTERED))
        async def export_xml(ctx: Context, principal: Viewer, where: Filter) -> StreamingResponse:
            return StreamingResponse(
                xml_stream(ctx.store, replace(where, only=principal.stations), page_size, ctx.clock.now()),
                media_type="application/xml",
                headers={"Content-Disposition": 'attachment; filename="transactions.xml"'},
            )

        @router.get("/transactions.xsd", openapi_extra=scope(Scope.NONE))
        async def export_schema(_: Viewer) -> StreamingResponse:
            async def body() -> AsyncIterator[bytes]:
                yield xsd_text().encode()

            return StreamingResponse(body(), media_type="application/xml")

        return [router]
