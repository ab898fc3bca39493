"""A site's effective limit (pure): grid limit, weekly schedule in the site's time zone, curtailments,
the measured building load per phase, the fallback while the site meter is silent; meter readings."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chargebridge.energy.limits import (
    Curtailment,
    ScheduleEntry,
    SiteSettings,
    drawing_phases,
    effective_limit,
    kw_to_amps,
    parse_entry,
    phase_currents,
    schedule_limit,
    site_phases,
)

MONDAY_NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
SITE = SiteSettings("s", grid_limit_a=63.0, safety_margin_a=3.0, fallback_limit_a=20.0, has_meter=True)


def entries(*items: tuple[str, str, float | None]) -> list[ScheduleEntry]:
    return [parse_entry({"day": d, "start": s, "limit_a": a}) for d, s, a in items]


def test_schedule_picks_the_latest_entry_and_wraps_the_week() -> None:
    table = entries(("mon", "08:00", 40.0), ("mon", "18:00", None), ("sat", "00:00", 20.0))
    assert schedule_limit(table, MONDAY_NOON)[0] == 40.0
    assert schedule_limit(table, MONDAY_NOON.replace(hour=19))[0] is None
    limit, change = schedule_limit(table, MONDAY_NOON.replace(hour=7))  # before Monday's first: Saturday's
    assert limit == 20.0 and change == MONDAY_NOON.replace(hour=8)
    assert schedule_limit(table, MONDAY_NOON)[1] == MONDAY_NOON.replace(hour=18)
    sunday = MONDAY_NOON + timedelta(days=6)
    assert schedule_limit(table, sunday) == (20.0, MONDAY_NOON.replace(hour=8) + timedelta(days=7))
    assert schedule_limit([], MONDAY_NOON) == (None, None)


def test_schedule_is_in_the_sites_time_zone() -> None:
    table = entries(("mon", "12:00", 30.0), ("mon", "14:00", None))
    # 12:00 UTC is 13:00 in Berlin (winter): within the 12:00-14:00 local window
    assert schedule_limit(table, MONDAY_NOON, "Europe/Berlin")[0] == 30.0
    assert schedule_limit(table, MONDAY_NOON, "America/New_York")[0] is None  # 07:00 local: before it


def test_entry_round_trip_and_refusals() -> None:
    entry = parse_entry({"day": "Friday", "start": "06:30", "limit_a": 12.5})
    assert entry.to_json() == {"day": "fri", "start": "06:30", "limit_a": 12.5}
    with pytest.raises(ValueError):
        parse_entry({"day": "someday", "start": "06:30"})


def test_effective_limit_is_the_lowest_and_says_why() -> None:
    plain = effective_limit(SITE, MONDAY_NOON, building_a=(10.0, 12.0, 8.0))
    assert plain.limit_a == 63.0 and plain.source == "grid"
    assert plain.available_a == (50.0, 48.0, 52.0)  # 63 - load - 3 margin, per phase
    scheduled = effective_limit(SITE, MONDAY_NOON, schedule=entries(("mon", "00:00", 45.0)), building_a=(0, 0, 0))
    assert scheduled.limit_a == 45.0 and scheduled.source == "schedule"
    curtailments = [
        Curtailment(1, 32.0, "DSO", MONDAY_NOON - timedelta(minutes=1), MONDAY_NOON + timedelta(minutes=5)),
        Curtailment(2, 25.0, "aggregator", MONDAY_NOON + timedelta(minutes=1), MONDAY_NOON + timedelta(minutes=9)),
        Curtailment(3, 10.0, "old", MONDAY_NOON - timedelta(hours=2), MONDAY_NOON - timedelta(hours=1)),
        Curtailment(
            4, 5.0, "cleared", MONDAY_NOON - timedelta(minutes=1), MONDAY_NOON + timedelta(hours=1), MONDAY_NOON
        ),
    ]
    curtailed = effective_limit(SITE, MONDAY_NOON, curtailments=curtailments, building_a=(0, 0, 0))
    assert curtailed.limit_a == 32.0 and curtailed.source == "curtailment:DSO"
    assert curtailed.next_change == MONDAY_NOON + timedelta(minutes=1)  # the aggregator's start
    later = effective_limit(SITE, MONDAY_NOON + timedelta(minutes=2), curtailments=curtailments, building_a=(0, 0, 0))
    assert later.limit_a == 25.0 and later.curtailment_source == "aggregator"


def test_silent_meter_falls_back() -> None:
    silent = effective_limit(SITE, MONDAY_NOON, building_a=(10.0, 10.0, 10.0), meter_silent=True)
    assert silent.meter_silent and silent.source == "fallback" and silent.available_a == (20.0, 20.0, 20.0)
    # a curtailment below the fallback still wins
    low = [Curtailment(1, 15.0, "DSO", MONDAY_NOON, MONDAY_NOON + timedelta(hours=1))]
    both = effective_limit(SITE, MONDAY_NOON, curtailments=low, meter_silent=True)
    assert both.available_a == (12.0, 12.0, 12.0) and both.source == "curtailment:DSO"
    nothing = SiteSettings("s", grid_limit_a=63.0, has_meter=True)  # no fallback: charging stops
    assert effective_limit(nothing, MONDAY_NOON, meter_silent=True).available_a == (0.0, 0.0, 0.0)
    unmetered = SiteSettings("s", grid_limit_a=63.0)  # no meter: the building load is not known to matter
    assert effective_limit(unmetered, MONDAY_NOON, meter_silent=True).available_a == (63.0, 63.0, 63.0)


def test_single_phase_site_has_one_available_value() -> None:
    site = SiteSettings("s", grid_limit_a=40.0, phases=1, has_meter=True)
    assert effective_limit(site, MONDAY_NOON, building_a=(12.0,)).available_a == (28.0,)


def test_kilowatts_to_amps() -> None:
    assert kw_to_amps(22, 230, 3) == 31.8
    assert kw_to_amps(11, 230, 1) == 47.8
    assert kw_to_amps(0, 230, 3) == 0


def test_phase_currents_from_meter_values() -> None:
    per_phase = [
        {"measurand": "Current.Import", "value": 10.0, "unit": "A", "phase": "L1"},
        {"measurand": "Current.Import", "value": 12.0, "unit": "A", "phase": "L2"},
        {"measurand": "Current.Import", "value": 0.2, "unit": "A", "phase": "L3"},
        {"measurand": "Power.Active.Import", "value": 5000.0, "unit": "W", "phase": None},
    ]
    assert phase_currents(per_phase, 230, 3) == (10.0, 12.0, 0.2)
    assert drawing_phases((10.0, 12.0, 0.2)) == frozenset({0, 1})
    assert drawing_phases((0.0, 0.0, 0.0)) is None
    total_only = [{"measurand": "Current.Import", "value": 16.0, "unit": "A"}]
    assert phase_currents(total_only, 230, 3) == (16.0, 16.0, 16.0)
    power = [{"measurand": "Power.Active.Import", "value": 6900.0, "unit": "W"}]
    assert phase_currents(power, 230, 3) == (10.0, 10.0, 10.0)
    assert phase_currents([{"measurand": "Energy.Active.Import.Register", "value": 1.0}], 230, 3) is None
    assert phase_currents([{"measurand": "Current.Import", "value": "nan"}], 230, 3) is None


def test_phase_rotation_maps_station_phases_to_grid_phases() -> None:
    assert site_phases(frozenset({0}), "RST") == frozenset({0})
    assert site_phases(frozenset({0}), "STR") == frozenset({1})
    assert site_phases(frozenset({0}), "TRS") == frozenset({2})
    assert site_phases(frozenset({0, 1}), "TSR") == frozenset({2, 1})
    assert site_phases(frozenset({0}), None) == frozenset({0, 1, 2})  # unknown wiring: every phase (safe)
