"""Downsampling, pure: meter samples -> per-session, per-hour aggregates.

An aggregate keeps what the dashboard and billing still need once the raw samples are gone:
the count, minimum, maximum and sum (so the average) of a measurand's values in one hour of
one transaction, and its first and last value with their times (for an energy register, the
energy of that hour is ``last_value - first_value``; across the hours of a session, the
session's energy by hour for time-of-use tariffs). Aggregates of the same bucket merge, so a
bucket folded in two batches is the same as one folded at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class BucketKey:
    station_id: str
    evse_id: int
    transaction_id: str  # '' when the sample belongs to no transaction
    hour: datetime
    measurand: str
    phase: str
    location: str
    unit: str


@dataclass(frozen=True, slots=True)
class Aggregate:
    samples: int
    min_value: float
    max_value: float
    sum_value: float
    first_at: datetime
    first_value: float
    last_at: datetime
    last_value: float

    @classmethod
    def of(cls, at: datetime, value: float) -> Aggregate:
        return cls(1, value, value, value, at, value, at, value)

    def merge(self, other: Aggregate) -> Aggregate:
        first = self if self.first_at <= other.first_at else other
        last = self if self.last_at >= other.last_at else other
        return Aggregate(
            self.samples + other.samples,
            min(self.min_value, other.min_value),
            max(self.max_value, other.max_value),
            self.sum_value + other.sum_value,
            first.first_at,
            first.first_value,
            last.last_at,
            last.last_value,
        )


def hour_of(at: datetime) -> datetime:
    """The start of the UTC hour ``at`` falls in (a naive time is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def bucket_of(row: Mapping[str, Any]) -> BucketKey:
    return BucketKey(
        station_id=row["station_id"],
        evse_id=int(row["evse_id"]),
        transaction_id=row["transaction_id"] or "",
        hour=hour_of(row["timestamp"]),
        measurand=row["measurand"],
        phase=row["phase"] or "",
        location=row["location"] or "",
        unit=row["unit"],
    )


def downsample(rows: Iterable[Mapping[str, Any]]) -> dict[BucketKey, Aggregate]:
    """Fold ``meter_samples`` rows into one aggregate per bucket."""
    out: dict[BucketKey, Aggregate] = {}
    for row in rows:
        key = bucket_of(row)
        at = row["timestamp"] if row["timestamp"].tzinfo is not None else row["timestamp"].replace(tzinfo=UTC)
        one = Aggregate.of(at, float(row["value"]))
        current = out.get(key)
        out[key] = one if current is None else current.merge(one)
    return out
