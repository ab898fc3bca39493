"""The charging profile model and the composite schedule (pure, no sockets)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargebridge.domain import charging as ch
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.composite import (
    ActiveTransaction,
    Conversion,
    LimitPeriod,
    composite_schedule,
    limit_at,
    limit_periods,
    schedule_excess,
    schedule_for_needs,
)
from chargebridge.ocpp16.charging import profile_from_v16, profile_to_v16
from chargebridge.ocpp201 import charging as k201
from chargebridge.rpc import OcppVersion, schemas_for

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday, midnight
A, W = ch.RateUnit.AMPERES, ch.RateUnit.WATTS


def schedule(*periods: tuple[int, float], unit: ch.RateUnit = A, **kwargs: Any) -> ch.ChargingSchedule:
    return ch.ChargingSchedule(unit, tuple(ch.SchedulePeriod(s, v) for s, v in periods), **kwargs)


def profile(
    pid: int,
    purpose: ch.ProfilePurpose,
    sched: ch.ChargingSchedule,
    *,
    level: int = 0,
    kind: ch.ProfileKind = ch.ProfileKind.ABSOLUTE,
    **kwargs: Any,
) -> ch.ChargingProfile:
    return ch.ChargingProfile(pid, level, purpose, kind, (sched,), **kwargs)


def installed(evse: int, p: ch.ChargingProfile) -> ch.InstalledProfile:
    return ch.InstalledProfile(evse, p)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def amps(items: list[ch.InstalledProfile], evse: int, when: datetime, tx: ActiveTransaction | None = None) -> Any:
    found = limit_at(items, evse, when, A, transaction=tx)
    return None if found is None else found[0]


TX_DEFAULT, TX, MAX, EXT = (
    ch.ProfilePurpose.TX_DEFAULT,
    ch.ProfilePurpose.TX,
    ch.ProfilePurpose.STATION_MAX,
    ch.ProfilePurpose.EXTERNAL,
)


def test_higher_stack_level_wins_while_it_runs_and_the_lower_one_applies_after() -> None:
    base = profile(1, TX_DEFAULT, schedule((0, 32.0), start=T0))
    peak = profile(2, TX_DEFAULT, schedule((0, 16.0), start=at(8), duration_s=10 * 3600), level=1)
    items = [installed(1, base), installed(1, peak)]
    assert amps(items, 1, at(7.99)) == 32.0
    assert amps(items, 1, at(8)) == 16.0
    assert amps(items, 1, at(17.99)) == 16.0
    assert amps(items, 1, at(18)) == 32.0


def test_tx_profile_overrules_tx_default_only_for_its_transaction() -> None:
    items = [
        installed(0, profile(1, TX_DEFAULT, schedule((0, 32.0), start=T0))),
        installed(1, profile(2, TX, schedule((0, 10.0)), kind=ch.ProfileKind.RELATIVE, transaction_id="T1")),
    ]
    assert amps(items, 1, at(1)) == 32.0  # no transaction
    assert amps(items, 1, at(1), ActiveTransaction("T2", at(0.5))) == 32.0  # another transaction
    assert amps(items, 1, at(1), ActiveTransaction("T1", at(0.5))) == 10.0
    assert amps(items, 2, at(1), ActiveTransaction("T1", at(0.5))) == 32.0  # another EVSE


def test_station_max_and_every_external_limit_cap_the_transaction_limit() -> None:
    items = [
        installed(1, profile(1, TX_DEFAULT, schedule((0, 32.0), start=T0))),
        installed(0, profile(2, MAX, schedule((0, 20.0), start=T0))),
    ]
    assert amps(items, 1, at(1)) == 20.0
    items.append(installed(0, profile(-1, EXT, schedule((0, 25.0), start=T0))))
    items.append(installed(1, profile(-2, EXT, schedule((0, 40.0), (3600, 12.0), start=T0))))
    assert amps(items, 1, at(0.5)) == 20.0
    assert amps(items, 1, at(1.5)) == 12.0
    # EVSE 0: the station-wide limits only.
    assert amps(items, 0, at(1.5)) == 20.0


def test_an_evse_profile_wins_over_the_station_wide_one_at_the_same_stack_level() -> None:
    items = [
        installed(0, profile(1, TX_DEFAULT, schedule((0, 32.0), start=T0))),
        installed(2, profile(2, TX_DEFAULT, schedule((0, 13.0), start=T0))),
    ]
    assert amps(items, 2, at(1)) == 13.0
    assert amps(items, 1, at(1)) == 32.0


def test_recurring_daily_profile_repeats_every_day_also_before_its_first_start() -> None:
    night = profile(
        1,
        TX_DEFAULT,
        schedule((0, 6.0), (8 * 3600, 32.0), start=at(22), duration_s=24 * 3600),
        kind=ch.ProfileKind.RECURRING,
        recurrency=ch.Recurrency.DAILY,
    )
    items = [installed(1, night)]
    assert amps(items, 1, at(23)) == 6.0
    assert amps(items, 1, at(24 + 5)) == 6.0  # 07:00 the next day, 9 h after 22:00
    assert amps(items, 1, at(24 + 7)) == 32.0
    assert amps(items, 1, at(7)) == 32.0  # the recurrence that started the day before
    assert amps(items, 1, at(5)) == 6.0


def test_weekly_recurrence_and_validity_window() -> None:
    weekly = profile(
        1,
        TX_DEFAULT,
        schedule((0, 10.0), start=T0, duration_s=24 * 3600),
        kind=ch.ProfileKind.RECURRING,
        recurrency=ch.Recurrency.WEEKLY,
        valid_to=T0 + timedelta(days=14),
    )
    items = [installed(1, weekly)]
    assert amps(items, 1, at(12)) == 10.0
    assert amps(items, 1, at(36)) is None  # Tuesday: the schedule's day is over
    assert amps(items, 1, at(7 * 24 + 12)) == 10.0
    assert amps(items, 1, at(14 * 24 + 12)) is None  # past valid_to


def test_relative_schedule_starts_with_the_transaction() -> None:
    relative = profile(1, TX_DEFAULT, schedule((0, 8.0), (600, 16.0)), kind=ch.ProfileKind.RELATIVE)
    tx = ActiveTransaction("T", at(2))
    items = [installed(1, relative)]
    assert amps(items, 1, at(2) + timedelta(seconds=599), tx) == 8.0
    assert amps(items, 1, at(2) + timedelta(seconds=600), tx) == 16.0


def test_units_convert_with_the_number_of_phases_and_never_round_up() -> None:
    one_phase = ch.ChargingSchedule(A, (ch.SchedulePeriod(0, 16.0, 1),), start=T0)
    items = [installed(1, profile(1, TX_DEFAULT, one_phase))]
    assert limit_at(items, 1, at(1), W) == (3680.0, 1)
    watts = [installed(1, profile(1, TX_DEFAULT, schedule((0, 11000.0), unit=W, start=T0)))]
    assert limit_at(watts, 1, at(1), A) == (15.9, None)  # 11000 / 690 = 15.94
    dc = Conversion(400.0, dc=True)
    assert limit_at(items, 1, at(1), W, conversion=dc) == (6400.0, 1)


def test_limit_periods_merge_and_composite_fills_the_evse_maximum() -> None:
    items = [
        installed(1, profile(1, TX_DEFAULT, schedule((0, 16.0), (3600, 16.0), (7200, 10.0), start=at(1)))),
    ]
    periods = limit_periods(items, 1, T0, 4 * 3600, A)
    assert periods == (LimitPeriod(0, None), LimitPeriod(3600, 16.0), LimitPeriod(3 * 3600, 10.0))
    composite = composite_schedule(items, 1, T0, 4 * 3600, A, no_limit=32.0)
    assert [(p.start_s, p.limit) for p in composite.periods] == [(0, 32.0), (3600, 16.0), (10800, 10.0)]
    assert composite.duration_s == 4 * 3600 and composite.limit_at(3 * 3600 + 1) == composite.periods[2]
    empty = composite_schedule([], 1, T0, 60, W, no_limit=22000.0)
    assert [(p.start_s, p.limit) for p in empty.periods] == [(0, 22000.0)]


# -- ISO 15118 --------------------------------------------------------------------------------------


def test_schedule_for_ac_needs_keeps_to_limits_and_the_ev_maximum() -> None:
    needs = ch.EvChargingNeeds(ch.EnergyTransfer.AC_THREE_PHASE, ev_min_current_a=6, ev_max_current_a=16)
    allowed = (LimitPeriod(0, 32.0), LimitPeriod(1800, 10.0), LimitPeriod(3600, None))
    result = schedule_for_needs(needs, allowed, A, T0, 7200)
    assert result.unit is A and result.start == T0 and result.duration_s == 7200
    assert [(p.start_s, p.limit, p.number_phases) for p in result.periods] == [
        (0, 16.0, 3),
        (1800, 10.0, 3),
        (3600, 16.0, 3),
    ]


def test_schedule_for_needs_levels_the_energy_until_departure() -> None:
    # 22 kWh in 4 h: 5.5 kW on average, 6.05 kW with the margin = 8.7 A on three phases.
    needs = ch.EvChargingNeeds(
        ch.EnergyTransfer.AC_THREE_PHASE,
        departure=at(4),
        energy_wh=22_000,
        ev_min_current_a=6,
        ev_max_current_a=32,
    )
    result = schedule_for_needs(needs, (LimitPeriod(0, 32.0),), A, T0, 24 * 3600)
    assert result.duration_s == 4 * 3600
    assert [(p.start_s, p.limit) for p in result.periods] == [(0, 8.7)]


def test_schedule_for_dc_needs_is_in_watts_and_respects_max_tuples() -> None:
    needs = ch.EvChargingNeeds(ch.EnergyTransfer.DC, ev_max_current_a=200, ev_max_voltage_v=400, ev_max_power_w=50_000)
    allowed = tuple(LimitPeriod(i * 600, 40_000.0 + i * 1000) for i in range(8))
    result = schedule_for_needs(needs, allowed, W, T0, 3 * 3600, max_periods=3)
    assert result.unit is W and len(result.periods) == 3
    assert [p.limit for p in result.periods] == [40_000.0, 41_000.0, 42_000.0]
    assert result.duration_s == 1800  # cut where the fourth period would start


def test_schedule_excess_compares_an_ev_schedule_with_the_limits() -> None:
    allowed = (LimitPeriod(0, 16.0), LimitPeriod(3600, 10.0))
    fits = schedule((0, 16.0), (3600, 8.0), duration_s=7200)
    assert schedule_excess(fits, T0, allowed, T0, A) is None
    too_much = schedule((0, 16.0), (1800, 12.0), duration_s=7200)  # 12 A still at 01:00
    reason = schedule_excess(too_much, T0, allowed, T0, A)
    assert reason is not None and "12 A" in reason and "10 A" in reason
    watts = schedule((0, 11_040.0), unit=W, duration_s=600)
    assert schedule_excess(watts, T0, allowed, T0, A) is None  # 11 040 W = 16 A on three phases


# -- validation and conversions ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evse", "changes", "message"),
    [
        (1, {"purpose": MAX}, "evse_id must be 0"),
        (
            0,
            {"purpose": MAX, "kind": ch.ProfileKind.RELATIVE, "schedules": (schedule((0, 1.0)),)},
            "cannot be Relative",
        ),
        (0, {"purpose": TX}, "evse_id must be above 0"),
        (1, {"purpose": EXT}, "external systems"),
        (1, {"transaction_id": "T"}, "only a TxProfile"),
        (1, {"kind": ch.ProfileKind.RECURRING}, "needs a recurrency"),
        (1, {"recurrency": ch.Recurrency.DAILY}, "only a Recurring"),
        (1, {"schedules": (schedule((5, 1.0), start=T0),)}, "first period must start at 0"),
        (1, {"schedules": (schedule((0, 1.0), (0, 2.0), start=T0),)}, "must increase"),
        (1, {"kind": ch.ProfileKind.RELATIVE}, "no start schedule"),
        (1, {"schedules": (schedule((0, -1.0), start=T0),)}, "0 or more"),
        (1, {"schedules": ()}, "1 to 3 schedules"),
        (1, {"valid_from": at(2), "valid_to": at(1)}, "valid_to must be after"),
    ],
)
def test_check_profile_refuses_what_the_specification_forbids(evse: int, changes: dict[str, Any], message: str) -> None:
    base = profile(1, TX_DEFAULT, schedule((0, 16.0), start=T0))
    values = {f: getattr(base, f) for f in base.__dataclass_fields__} | changes
    with pytest.raises(ch.ProfileError, match=message):
        ch.check_profile(evse, ch.ChargingProfile(**values))


def test_profiles_round_trip_through_json_and_both_versions() -> None:
    original = ch.ChargingProfile(
        id=3,
        stack_level=1,
        purpose=TX,
        kind=ch.ProfileKind.ABSOLUTE,
        schedules=(
            ch.ChargingSchedule(A, (ch.SchedulePeriod(0, 16.0, 3), ch.SchedulePeriod(900, 6.5, 1)), 1, T0, 3600, 6.0),
        ),
        valid_from=T0,
        valid_to=at(5),
        transaction_id="77",
    )
    assert ch.profile_from_json(ch.profile_json(original)) == original
    assert profile_from_v16(profile_to_v16(original)) == ch.ChargingProfile(
        **{f: getattr(original, f) for f in original.__dataclass_fields__}
        | {"schedules": (ch.ChargingSchedule(A, original.schedule.periods, None, T0, 3600, 6.0),)}
    )
    assert k201.profile_from_v201(k201.profile_to_v201(original)) == original
    schemas_for(OcppVersion.V16).validate_request(
        "SetChargingProfile", {"connectorId": 1, "csChargingProfiles": profile_to_v16(original)}
    )
    schemas_for(OcppVersion.V201).validate_request(
        "SetChargingProfile", {"evseId": 1, "chargingProfile": k201.profile_to_v201(original)}
    )


@pytest.mark.parametrize(
    "changes",
    [
        {"schedules": (schedule((0, 1.0)), schedule((0, 2.0)))},
        {"purpose": EXT},
        {"schedules": (ch.ChargingSchedule(A, (ch.SchedulePeriod(0, 1.0, 1, 2),)),)},
        {"schedules": (schedule((0, 1.0), sales_tariff={"id": 1, "salesTariffEntry": []}),)},
        {"purpose": TX, "transaction_id": "not-a-number"},
    ],
)
def test_what_16_cannot_say_is_command_not_supported(changes: dict[str, Any]) -> None:
    base = profile(1, TX_DEFAULT, schedule((0, 16.0)), kind=ch.ProfileKind.RELATIVE)
    values = {f: getattr(base, f) for f in base.__dataclass_fields__} | changes
    with pytest.raises(CommandNotSupported):
        profile_to_v16(ch.ChargingProfile(**values))


def test_a_16_composite_answer_becomes_a_neutral_schedule() -> None:
    from chargebridge.ocpp16.charging import decode_composite

    payload = {
        "status": "Accepted",
        "connectorId": 1,
        "scheduleStart": "2026-03-02T00:00:00Z",
        "chargingSchedule": {
            "duration": 600,
            "chargingRateUnit": "A",
            "chargingSchedulePeriod": [
                {"startPeriod": 0, "limit": 10.0},
                {"startPeriod": 300, "limit": 6.0, "numberPhases": 1},
            ],
        },
    }
    outcome = decode_composite(payload)
    assert outcome.status == "Accepted" and outcome.composite is not None
    assert outcome.composite.evse_id == 1 and outcome.composite.start == T0 and outcome.composite.unit is A
    assert outcome.composite.periods == (ch.CompositePeriod(0, 10.0), ch.CompositePeriod(300, 6.0, 1))
    assert decode_composite({"status": "Rejected"}).composite is None
