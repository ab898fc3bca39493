"""CDR exports as CSV and XML (``schemas/cdrs.xsd``), and per-fleet monthly statements as CSV.

The same pattern as the transaction exports (integrations/exports.py): one column list drives
both formats, pages are streamed, spreadsheet formula injection is neutralised. Money columns are
the exact decimal text of the stored CDR.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from chargebridge.billing.cdr import loads
from chargebridge.domain.timeutil import format_datetime
from chargebridge.integrations.exports import ColumnType, csv_cell

XML_NAMESPACE = "urn:chargebridge:cdrs:1"
XSD_RESOURCE = "schemas/cdrs.xsd"


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColumnType | str  # "decimal": exact decimal text
    value: Callable[[dict[str, Any]], Any]


def _body(row: dict[str, Any]) -> dict[str, Any]:
    cached = row.get("_body")
    if cached is None:
        cached = loads(row["body"])
        row["_body"] = cached
    return dict(cached)


def _col(name: str, kind: str, source: str | None = None) -> Column:
    key = source or name
    return Column(name, kind, lambda row: row[key])


def _from_body(name: str, kind: str, path: tuple[str, ...]) -> Column:
    def value(row: dict[str, Any]) -> Any:
        current: Any = _body(row)
        for part in path:
            if not isinstance(current, dict) or part not in current:
                return None
            current = current[part]
        return current

    return Column(name, kind, value)


COLUMNS: tuple[Column, ...] = (
    _col("cdr_id", "string", "id"),
    _col("station_id", "string"),
    _col("transaction_id", "string"),
    _from_body("evse_id", "string", ("cdr_location", "evse_id")),
    _from_body("connector_id", "string", ("cdr_location", "connector_id")),
    _col("id_token", "string"),
    _col("group_id", "string"),
    _col("tariff_id", "string"),
    _col("start_date_time", "dateTime"),
    _col("end_date_time", "dateTime"),
    _from_body("total_energy_kwh", "decimal", ("total_energy",)),
    _from_body("total_time_h", "decimal", ("total_time",)),
    _from_body("total_parking_time_h", "decimal", ("total_parking_time",)),
    _col("currency", "string"),
    _col("total_cost_excl_vat", "decimal", "total_cost_excl"),
    _col("total_cost_incl_vat", "decimal", "total_cost_incl"),
    _col("verdict", "string"),
    Column("reasons", "string", lambda row: " ".join(r["code"] for r in row["reasons"] if r["severity"] == "review")),
    _col("review_decision", "string"),
    _col("credit", "boolean"),
    _col("credit_reference_id", "string"),
    _col("created_at", "dateTime"),
)


def _text(kind: str, value: Any) -> str | None:
    if value is None:
        return None
    if kind == "decimal":
        return format(Decimal(str(value)), "f")
    if kind == "dateTime":
        return format_datetime(value)
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _cell(kind: str, value: Any) -> str:
    if kind in ("decimal", "dateTime", "boolean"):
        return _text(kind, value) or ""
    return csv_cell("string", value)


_REPLACEMENT = "\ufffd"
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_row(row: dict[str, Any]) -> str:
    parts = ["<cdr>"]
    for column in COLUMNS:
        text = _text(column.type, column.value(row))
        if text is None:
            continue
        clean = escape(_XML_ILLEGAL.sub(_REPLACEMENT, text))
        parts.append(f"<{column.name}>{clean}</{column.name}>")
    parts.append("</cdr>\n")
    return "".join(parts)


def xsd_text() -> str:
    return resources.files("chargebridge.billing").joinpath(XSD_RESOURCE).read_text(encoding="utf-8")


async def csv_stream(pages: AsyncIterator[list[dict[str, Any]]]) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.name for c in COLUMNS])
    yield buffer.getvalue().encode()
    async for rows in pages:
        buffer.seek(0)
        buffer.truncate()
        writer.writerows([_cell(c.type, c.value(row)) for c in COLUMNS] for row in rows)
        yield buffer.getvalue().encode()


async def xml_stream(pages: AsyncIterator[list[dict[str, Any]]], generated_at: datetime) -> AsyncIterator[bytes]:
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<cdrs xmlns="{XML_NAMESPACE}" generated_at="{format_datetime(generated_at)}">\n'
    ).encode()
    async for rows in pages:
        yield "".join(xml_row(row) for row in rows).encode()
    yield b"</cdrs>\n"


STATEMENT_COLUMNS = (
    "cdr_id",
    "end_date_time",
    "station_id",
    "id_token",
    "total_energy_kwh",
    "currency",
    "total_cost_excl_vat",
    "total_cost_incl_vat",
    "verdict",
    "credit_reference_id",
)


async def statement_stream(
    pages: AsyncIterator[list[dict[str, Any]]], group_id: str, month: str
) -> AsyncIterator[bytes]:
    """One line per CDR of the fleet that ended in the month, then one total line per currency
    over the billable CDRs (verdict ok or approved, and every credit)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(STATEMENT_COLUMNS)
    totals: dict[str, list[Decimal]] = {}
    held = 0
    by_name = {c.name: c for c in COLUMNS}
    async for rows in pages:
        for row in rows:
            writer.writerow([_cell(by_name[name].type, by_name[name].value(row)) for name in STATEMENT_COLUMNS])
            billable = row["credit"] or row["verdict"] == "ok" or row["review_decision"] == "approved"
            if row["review_decision"] == "credited" and not row["credit"]:
                billable = True  # the original stays on the statement; its credit line cancels it
            if not billable:
                held += 1
                continue
            sums = totals.setdefault(row["currency"], [Decimal(0), Decimal(0), Decimal(0)])
            sums[0] += Decimal(str(_body(row).get("total_energy", 0)))
            sums[1] += Decimal(row["total_cost_excl"])
            sums[2] += Decimal(row["total_cost_incl"] or row["total_cost_excl"])
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    for currency, (energy, excl, incl) in sorted(totals.items()):
        writer.writerow(
            [
                f"TOTAL {month}",
                "",
                "",
                csv_cell("string", group_id),
                format(energy, "f"),
                currency,
                format(excl, "f"),
                format(incl, "f"),
                "",
                "",
            ]
        )
    writer.writerow(
        [f"HELD {month}", "", "", csv_cell("string", group_id), "", "", "", "", f"needs_review: {held}", ""]
    )
    yield buffer.getvalue().encode()
