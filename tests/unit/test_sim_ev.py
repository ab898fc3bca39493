"""EV charging curves and the simulated clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chargebridge.sim.clock import SimClock
from chargebridge.sim.ev import ChargerKind, ChargerSpec, EvState, Vehicle, charge, power_at

CAR = Vehicle(capacity_wh=60_000, max_ac_w=11_000, max_dc_w=120_000)
AC = ChargerSpec(ChargerKind.AC, 11_000)
DC = ChargerSpec(ChargerKind.DC, 150_000)

socs = st.floats(min_value=0.0, max_value=100.0, allow_nan=False)
seconds = st.floats(min_value=0.0, max_value=20_000.0, allow_nan=False)
specs = st.sampled_from([AC, DC, ChargerSpec(ChargerKind.DC, 50_000), ChargerSpec(ChargerKind.AC, 22_000)])
limits = st.none() | st.floats(min_value=0.0, max_value=200_000.0, allow_nan=False)


def test_ac_is_flat_then_tapers_near_full() -> None:
    assert power_at(AC, EvState(CAR, 20.0)) == power_at(AC, EvState(CAR, 94.0)) == 11_000
    assert power_at(AC, EvState(CAR, 98.0)) < 11_000
    assert power_at(AC, EvState(CAR, 100.0)) == 0.0


def test_dc_is_capped_by_the_car_and_tapers_above_80_percent() -> None:
    assert power_at(DC, EvState(CAR, 50.0)) == 120_000
    assert power_at(DC, EvState(CAR, 90.0)) < 0.6 * 120_000


@given(spec=specs, soc=socs, target=socs, secs=seconds, limit=limits)
def test_charge_conserves_energy_and_respects_limits(
    spec: ChargerSpec, soc: float, target: float, secs: float, limit: float | None
) -> None:
    before = EvState(CAR, soc, max(soc, target))
    after, energy_wh = charge(spec, before, secs, limit)
    assert energy_wh >= 0.0
    assert after.soc <= before.target_soc + 1e-9
    assert abs((after.soc - before.soc) / 100 * CAR.capacity_wh - energy_wh) < 1e-3
    peak = min(spec.max_power_w, CAR.max_ac_w if spec.kind is ChargerKind.AC else CAR.max_dc_w)
    if limit is not None:
        peak = min(peak, limit)
    assert energy_wh <= peak * secs / 3600 + 1e-6


@given(spec=specs, soc=socs, first=seconds, second=seconds)
def test_charging_longer_never_gives_less(spec: ChargerSpec, soc: float, first: float, second: float) -> None:
    state = EvState(CAR, soc)
    _, short = charge(spec, state, min(first, second))
    _, long = charge(spec, state, max(first, second))
    assert long >= short - 1e-9


def test_amps_limit_converts_to_watts() -> None:
    assert AC.watts_for_amps(16, 50) == 16 * 3 * 230
    assert round(DC.current_a(DC.watts_for_amps(100, 50), 50), 6) == 100


def test_sim_clock_runs_scaled() -> None:
    now = [100.0]
    start = datetime(2024, 1, 1, tzinfo=UTC)
    clock = SimClock(start, 60.0, monotonic=lambda: now[0])
    now[0] += 2.0
    assert clock.elapsed() == 120.0
    assert clock.now() == start + timedelta(minutes=2)
    assert clock.real_seconds(600) == 10.0
