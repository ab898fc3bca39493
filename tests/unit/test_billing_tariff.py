"""Tariff math against hand-computed cases and the OCPI 2.2.1 examples (mod_tariffs, mod_cdrs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from chargebridge.billing.tariff import (
    MeterPoint,
    SessionUsage,
    TariffError,
    parse_tariff,
    price_session,
    quantize,
    tariff_json,
)

D = Decimal
T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)  # a Monday


def tariff(elements: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"id": "T1", "currency": "EUR", "elements": elements, **extra}
    return parse_tariff(body)


def pc(kind: str, price: str, step: int = 1, vat: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"type": kind, "price": D(price), "step_size": step}
    if vat is not None:
        out["vat"] = D(vat)
    return out


def linear(start: datetime, minutes: float, wh: int, *, parking_min: float = 0, every_s: int = 60) -> SessionUsage:
    """Charging at constant power for ``minutes`` delivering ``wh``, then parking (no energy)."""
    charge_s = int(minutes * 60)
    points = [
        MeterPoint(start + timedelta(seconds=s), D(wh) * D(s) / D(charge_s)) for s in range(every_s, charge_s, every_s)
    ]
    points.append(MeterPoint(start + timedelta(seconds=charge_s), D(wh)))
    end = start + timedelta(seconds=charge_s + int(parking_min * 60))
    return SessionUsage(start, end, D(wh), tuple(points))


def test_energy_plus_flat_is_exact() -> None:
    t = tariff([{"price_components": [pc("ENERGY", "0.30"), pc("FLAT", "1.00")]}])
    costing = price_session(t, linear(T0, 60, 12_500))
    assert costing.total_cost.excl_vat == D("4.75")
    assert str(costing.total_cost.excl_vat) == "4.75"
    assert costing.total_energy_kwh == D("12.5")
    assert costing.total_cost.incl_vat is None  # no VAT given: incl. VAT unknown


def test_zero_energy_session_costs_the_flat_fee_only() -> None:
    t = tariff([{"price_components": [pc("ENERGY", "0.30"), pc("FLAT", "1.00", vat="19")]}])
    usage = SessionUsage(T0, T0 + timedelta(minutes=20), D(0), ())
    costing = price_session(t, usage)
    assert costing.total_cost.excl_vat == D("1.00")
    assert costing.total_cost.incl_vat == D("1.19")
    assert costing.total_energy_cost is None


def test_vat_per_component() -> None:
    # OCPI "reservation price" example without the reservation: start fee 0.50 (20 %), energy 0.25/kWh (10 %), 20 kWh
    t = tariff([{"price_components": [pc("FLAT", "0.50", vat="20.0"), pc("ENERGY", "0.25", vat="10.0")]}])
    costing = price_session(t, linear(T0, 120, 20_000))
    assert costing.total_cost.excl_vat == D("5.50")
    assert costing.total_cost.incl_vat == D("6.10")
    assert costing.total_fixed_cost is not None and costing.total_fixed_cost.incl_vat == D("0.60")
    assert costing.total_energy_cost is not None and costing.total_energy_cost.incl_vat == D("5.50")


def test_energy_step_size_over_the_session_total() -> None:
    # mod_tariffs: 115.2 Wh at 0.25/kWh: step 1 -> 116 Wh, step 25 -> 125 Wh, step 500 -> 500 Wh
    usage = SessionUsage(T0, T0 + timedelta(minutes=1), D("115.2"), ())
    for step, expected in ((1, "0.029"), (25, "0.03125"), (500, "0.125")):
        t = tariff([{"price_components": [pc("ENERGY", "0.25", step)]}])
        assert price_session(t, usage).unrounded_total.excl_vat == D(expected)


def test_energy_step_size_uses_the_total_not_the_last_period() -> None:
    # mod_cdrs: 0.20/kWh before 17:00, 0.27 after, both step 500 Wh; 4.3 kWh before, 1.1 kWh after -> 5.5 kWh total
    start = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)
    t = tariff(
        [
            {"price_components": [pc("ENERGY", "0.20", 500)], "restrictions": {"end_time": "17:00"}},
            {"price_components": [pc("ENERGY", "0.27", 500)], "restrictions": {"start_time": "17:00"}},
        ]
    )
    points = (MeterPoint(start + timedelta(hours=1), D(4300)),)
    usage = SessionUsage(start, start + timedelta(hours=2), D(5400), points)
    costing = price_session(t, usage)
    # 4.3 * 0.20 + (1.1 + 0.1) * 0.27
    assert costing.unrounded_total.excl_vat == D("0.86") + D("1.2") * D("0.27")
    assert [p.volume("ENERGY") for p in costing.charging_periods] == [D("4.3"), D("1.1")]


def test_time_step_size_switching_elements() -> None:
    # mod_cdrs: 5 EUR/h before 17:00, 7 after, step 10 min; 6 min before, 22 after -> 30 min total, 24 billed after
    start = datetime(2026, 3, 2, 16, 54, tzinfo=UTC)
    t = tariff(
        [
            {"price_components": [pc("TIME", "5.00", 600)], "restrictions": {"end_time": "17:00"}},
            {"price_components": [pc("TIME", "7.00", 600)], "restrictions": {"start_time": "17:00"}},
        ]
    )
    costing = price_session(t, linear(start, 28, 5_000))
    assert quantize(costing.unrounded_total.excl_vat, "KWD") == D("3.300")  # 0.50 + 2.80
    assert costing.total_cost.excl_vat == D("3.30")


def test_parking_step_size_only_on_parking() -> None:
    # mod_cdrs: charging 1.00/h, parking 2.00/h, step 10 min each; 21 min charging, 16 min parking -> 21 + 20
    t = tariff([{"price_components": [pc("TIME", "1.00", 600), pc("PARKING_TIME", "2.00", 600)]}])
    costing = price_session(t, linear(T0, 21, 3_000, parking_min=16))
    assert costing.total_cost.excl_vat == D("1.02")  # 21 min at 1.00/h = 0.35, 20 min at 2.00/h = 0.6667
    assert costing.total_parking_time_h * 60 == D(16)


def test_ocpi_complex_tariff_monday_morning() -> None:
    """mod_tariffs complex example: Monday 09:30, 165 min charging at 16 A, 42 min parking:
    9.00 EUR excl. VAT (2.50 start, 2.75 time, 3.75 parking for 45 min), 10.30 incl."""
    t = tariff(
        [
            {"price_components": [pc("FLAT", "2.50", 1, "15.0")]},
            {"price_components": [pc("TIME", "1.00", 900, "20.0")], "restrictions": {"max_current": D("32.00")}},
            {
                "price_components": [pc("TIME", "2.00", 600, "20.0")],
                "restrictions": {
                    "min_current": D("32.00"),
                    "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                },
            },
            {
                "price_components": [pc("TIME", "1.25", 600, "20.0")],
                "restrictions": {"min_current": D("32.00"), "day_of_week": ["SATURDAY", "SUNDAY"]},
            },
            {
                "price_components": [pc("PARKING_TIME", "5.00", 300, "10.0")],
                "restrictions": {
                    "start_time": "09:00",
                    "end_time": "18:00",
                    "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                },
            },
            {
                "price_components": [pc("PARKING_TIME", "6.00", 300, "10.0")],
                "restrictions": {"start_time": "10:00", "end_time": "17:00", "day_of_week": ["SATURDAY"]},
            },
        ]
    )
    base = linear(T0, 165, 10_000, parking_min=42)
    points = tuple(MeterPoint(p.at, p.energy_wh, current_a=D(16)) for p in base.points)
    costing = price_session(t, SessionUsage(base.start, base.end, base.energy_wh, points))
    assert costing.unrounded_total.excl_vat == D("9.00")
    assert costing.total_cost.excl_vat == D("9.00")
    # 2.50 * 1.15 + 2.75 * 1.2 + 3.75 * 1.1 = 2.875 + 3.30 + 4.125 = 10.30
    assert costing.total_cost.incl_vat == D("10.30")
    kinds = [{d.type for d in p.dimensions} for p in costing.charging_periods]
    assert "TIME" in kinds[0] and "PARKING_TIME" in kinds[-1]


def test_time_of_day_split_across_midnight() -> None:
    night = {"price_components": [pc("ENERGY", "0.20")], "restrictions": {"start_time": "22:00", "end_time": "06:00"}}
    day = {"price_components": [pc("ENERGY", "0.40")]}
    t = tariff([night, day])
    # 21:00 -> 23:00 at constant power: half at day price, half at night price
    start = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
    costing = price_session(t, linear(start, 120, 10_000))
    assert costing.unrounded_total.excl_vat == D("5") * D("0.40") + D("5") * D("0.20")
    # 23:00 -> 01:00 crosses midnight and stays on the night price
    start = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
    costing = price_session(t, linear(start, 120, 10_000))
    assert costing.unrounded_total.excl_vat == D("2.00")
    # 05:00 -> 07:00 local time in Berlin (UTC+1): half night, half day
    start = datetime(2026, 3, 3, 4, 0, tzinfo=UTC)
    costing = price_session(t, linear(start, 120, 10_000), ZoneInfo("Europe/Berlin"))
    assert costing.unrounded_total.excl_vat == D("3.00")
    assert len(costing.charging_periods) == 2


def test_weekday_changes_at_local_midnight() -> None:
    sunday = {"price_components": [pc("TIME", "0.00")], "restrictions": {"day_of_week": ["SUNDAY"]}}
    other = {"price_components": [pc("TIME", "6.00")]}
    t = tariff([sunday, other])
    start = datetime(2026, 3, 1, 23, 0, tzinfo=UTC)  # Sunday 23:00 -> Monday 01:00
    costing = price_session(t, linear(start, 120, 10_000))
    assert costing.unrounded_total.excl_vat == D("6.00")


def test_min_and_max_price() -> None:
    energy = {"price_components": [pc("ENERGY", "0.30", vat="20")]}
    t = tariff([energy], min_price={"excl_vat": D("2.00"), "incl_vat": D("2.40")})
    costing = price_session(t, linear(T0, 10, 1_000))
    assert costing.total_cost == type(costing.total_cost)(D("2.00"), D("2.40"))
    assert "min_price applied (excl. VAT)" in costing.notes
    t = tariff([energy], max_price={"excl_vat": D("10.00")})
    costing = price_session(t, linear(T0, 600, 50_000))
    assert costing.total_cost.excl_vat == D("10.00")
    assert costing.total_cost.incl_vat == D("18.00")  # no incl. bound given: the incl. total stands


def test_first_kwh_free_and_parking_hours() -> None:
    """mod_tariffs "first hour free energy": 20 kWh, 2:45 h parking -> 3.80 energy + 3.50 parking = 7.30."""
    t = tariff(
        [
            {"price_components": [pc("ENERGY", "0.00")], "restrictions": {"max_kwh": D("1.0")}},
            {"price_components": [pc("ENERGY", "0.20")], "restrictions": {"min_kwh": D("1.0")}},
            {"price_components": [pc("PARKING_TIME", "0.00", 60)], "restrictions": {"max_duration": 3600}},
            {
                "price_components": [pc("PARKING_TIME", "2.00", 60)],
                "restrictions": {"min_duration": 3600, "max_duration": 14400},
            },
            {"price_components": [pc("PARKING_TIME", "3.00", 60)], "restrictions": {"min_duration": 14400}},
        ]
    )
    # the parking hour thresholds count from the session start in OCPI; charge 20 kWh in 1 h, then park 2:45
    costing = price_session(t, linear(T0, 60, 20_000, parking_min=165))
    assert costing.total_energy_cost is not None and costing.total_energy_cost.excl_vat == D("3.80")
    # the duration thresholds count from the session start: parking runs from minute 60 to 225,
    # all of it between 1 h and 4 h of session time, at 2.00/h: 165 min -> 5.50
    assert costing.total_parking_cost is not None and costing.total_parking_cost.excl_vat == D("5.50")


def test_parking_time_priced_only_when_not_charging() -> None:
    t = tariff([{"price_components": [pc("ENERGY", "0.25"), pc("PARKING_TIME", "1.20", 60)]}])
    costing = price_session(t, linear(T0, 30, 4_000, parking_min=30))
    assert costing.unrounded_total.excl_vat == D("1.00") + D("0.60")
    assert costing.total_parking_time_h == D("0.5")
    assert costing.total_time_h == D(1)


def test_power_restrictions_use_the_pieces_average_power() -> None:
    """mod_tariffs max_power example: 1 kWh at 6 kW, 40 kWh at 48 kW, 0.5 kWh at 4 kW -> 20.30."""
    t = tariff(
        [
            {"price_components": [pc("ENERGY", "0.20")], "restrictions": {"max_power": D("16.00")}},
            {
                "price_components": [pc("ENERGY", "0.35")],
                "restrictions": {"min_power": D("16.00"), "max_power": D("32.00")},
            },
            {"price_components": [pc("ENERGY", "0.50")]},
        ]
    )
    a = T0 + timedelta(minutes=10)  # 1 kWh in 10 min = 6 kW
    b = a + timedelta(minutes=50)  # 40 kWh in 50 min = 48 kW
    c = b + timedelta(minutes=7, seconds=30)  # 0.5 kWh in 7.5 min = 4 kW
    usage = SessionUsage(T0, c, D(41_500), (MeterPoint(a, D(1000)), MeterPoint(b, D(41_000))))
    assert price_session(t, usage).total_cost.excl_vat == D("20.30")


def test_quantize_follows_the_currency() -> None:
    assert quantize(D("1.005"), "EUR") == D("1.01")
    assert quantize(D("123.5"), "JPY") == D("124")
    assert quantize(D("1.0005"), "KWD") == D("1.001")


def test_round_trip_json() -> None:
    body = {
        "id": "RT",
        "currency": "EUR",
        "elements": [
            {
                "price_components": [{"type": "ENERGY", "price": D("0.25"), "vat": D("19"), "step_size": 1}],
                "restrictions": {"start_time": "22:00", "end_time": "06:00", "day_of_week": ["MONDAY"]},
            }
        ],
        "min_price": {"excl_vat": D("1.00")},
    }
    assert parse_tariff(tariff_json(parse_tariff(body))) == parse_tariff(body)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"currency": "XYZ"}, "currency"),
        ({"elements": [{"price_components": [pc("ENERGY", "-0.10")]}]}, "must not be negative"),
        ({"elements": [{"price_components": [{"type": "ENERGY", "price": D("0.1"), "step_size": 0}]}]}, "step_size"),
        ({"elements": []}, "elements"),
        ({"elements": [{"price_components": [pc("ENERGY", "0.1", vat="120")]}]}, "percentage"),
        ({"elements": [{"price_components": [pc("POWER", "0.1")]}]}, "type"),
        ({"min_price": {"excl_vat": D(5)}, "max_price": {"excl_vat": D(2)}}, "min_price"),
        (
            {
                "elements": [
                    {"price_components": [pc("ENERGY", "0.1")], "restrictions": {"min_kwh": D(5), "max_kwh": D(2)}}
                ]
            },
            "min_kwh",
        ),
        (
            {
                "elements": [
                    {
                        "price_components": [pc("ENERGY", "0.1")],
                        "restrictions": {"start_time": "08:00", "end_time": "12:00"},
                    },
                    {
                        "price_components": [pc("ENERGY", "0.2")],
                        "restrictions": {"start_time": "10:00", "end_time": "14:00"},
                    },
                ]
            },
            "overlapping",
        ),
        (
            {
                "elements": [
                    {"price_components": [pc("ENERGY", "0.1")]},
                    {"price_components": [pc("ENERGY", "0.2")], "restrictions": {"start_time": "10:00"}},
                ]
            },
            "can never price",
        ),
        ({"elements": [{"price_components": [pc("ENERGY", "0.1")], "restrictions": {"start_time": "25:00"}}]}, "HH:MM"),
        ({"unexpected": 1}, "unknown fields"),
    ],
)
def test_bad_tariffs_are_refused_with_the_field_named(change: dict[str, Any], problem: str) -> None:
    body: dict[str, Any] = {"id": "BAD", "currency": "EUR", "elements": [{"price_components": [pc("FLAT", "1")]}]}
    body.update(change)
    with pytest.raises(TariffError) as caught:
        parse_tariff(body)
    assert problem in str(caught.value)


def test_specific_first_then_fallback_is_accepted() -> None:
    t = tariff(
        [
            {
                "price_components": [pc("ENERGY", "0.20")],
                "restrictions": {
                    "start_time": "22:00",
                    "end_time": "06:00",
                    "day_of_week": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY"],
                },
            },
            {"price_components": [pc("ENERGY", "0.30")], "restrictions": {"day_of_week": ["SATURDAY", "SUNDAY"]}},
            {"price_components": [pc("ENERGY", "0.40")]},
        ]
    )
    assert len(t.elements) == 3
    # the same tariff with the night element on every day overlaps the weekend element partially
    with pytest.raises(TariffError, match="overlapping"):
        tariff(
            [
                {
                    "price_components": [pc("ENERGY", "0.20")],
                    "restrictions": {"start_time": "22:00", "end_time": "06:00"},
                },
                {"price_components": [pc("ENERGY", "0.30")], "restrictions": {"day_of_week": ["SATURDAY"]}},
            ]
        )
