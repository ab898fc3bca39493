"""Downsampling meter samples into per-session, per-hour aggregates (pure)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from chargebridge.retention.aggregate import Aggregate, BucketKey, downsample, hour_of

T0 = datetime(2030, 1, 1, 10, 0, tzinfo=UTC)


def row(
    minutes: float, value: float, *, tx: str | None = "T1", measurand: str = "Energy.Active.Import.Register"
) -> dict[str, Any]:
    return {
        "station_id": "CP-1",
        "evse_id": 1,
        "transaction_id": tx,
        "timestamp": T0 + timedelta(minutes=minutes),
        "measurand": measurand,
        "value": value,
        "unit": "Wh",
        "phase": None,
        "location": None,
    }


def test_hour_buckets_and_the_register_energy_of_each_hour() -> None:
    rows = [row(m, 1000 + 10 * m) for m in range(0, 120, 15)]  # two hours of a register, every 15 min
    buckets = downsample(rows)
    assert sorted(k.hour for k in buckets) == [T0, T0 + timedelta(hours=1)]
    first_hour = buckets[BucketKey("CP-1", 1, "T1", T0, "Energy.Active.Import.Register", "", "", "Wh")]
    assert first_hour.samples == 4
    assert (first_hour.first_value, first_hour.last_value) == (1000, 1450)  # energy of the hour: 450 Wh
    assert (first_hour.min_value, first_hour.max_value, first_hour.sum_value) == (1000, 1450, 4900)
    assert first_hour.first_at == T0 and first_hour.last_at == T0 + timedelta(minutes=45)


def test_no_transaction_phase_or_location_are_empty_keys() -> None:
    (key,) = downsample([row(1, 5.0, tx=None, measurand="Power.Active.Import")])
    assert (key.transaction_id, key.phase, key.location) == ("", "", "")
    assert hour_of(datetime(2030, 1, 1, 10, 59, 59, 999999)) == T0  # naive: UTC


@given(st.lists(st.tuples(st.floats(0, 600), st.floats(-1e6, 1e6)), min_size=1, max_size=60), st.integers(1, 10))
def test_folding_in_batches_is_the_same_as_folding_at_once(points: list[tuple[float, float]], cut: int) -> None:
    rows = [row(m, v) for m, v in points]
    random.Random(cut).shuffle(rows)
    whole = downsample(rows)
    merged: dict[BucketKey, Aggregate] = {}
    for start in range(0, len(rows), cut):
        for key, part in downsample(rows[start : start + cut]).items():
            merged[key] = part if key not in merged else merged[key].merge(part)
    assert merged.keys() == whole.keys()
    for key, aggregate in whole.items():
        other = merged[key]
        assert other.samples == aggregate.samples
        assert (other.min_value, other.max_value) == (aggregate.min_value, aggregate.max_value)
        assert abs(other.sum_value - aggregate.sum_value) <= 1e-6 * max(1.0, abs(aggregate.sum_value))
        assert other.first_at == aggregate.first_at and other.last_at == aggregate.last_at
