"""Timestamps on the wire: RFC 3339 text <-> timezone-aware UTC datetimes."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_datetime(text: str) -> datetime:
    """Parse an OCPP timestamp; naive times are taken as UTC (a common charger quirk).

    Raises ValueError for text that is not an ISO 8601 date-time."""
    try:
        value = datetime.fromisoformat(text.replace("z", "Z"))
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC)
    except OverflowError as exc:  # e.g. 9999-12-31T23:59:59-05:00 is past datetime.max in UTC
        raise ValueError(f"timestamp {text[:40]!r} is out of range") from exc


def format_datetime(value: datetime) -> str:
    """UTC, millisecond precision, 'Z' suffix, as OCPP recommends (isoformat: several times faster
    than strftime on this hot path, and the year always has four digits as RFC 3339 wants)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"
