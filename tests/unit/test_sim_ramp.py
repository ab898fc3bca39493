"""The simulated EV's ramp: a higher limit is reached at a bounded rate, a lower one at once (pure)."""

from __future__ import annotations

import pytest

from chargebridge.sim.ev import (
    AC_PHASES,
    AC_VOLTAGE_V,
    RAMP_A_PER_S,
    ChargerKind,
    ChargerSpec,
    EvState,
    Vehicle,
    charge,
    ramp_rate_w,
    ramped_charge,
)

SPEC = ChargerSpec(ChargerKind.AC, 22_000.0)
EV = EvState(Vehicle(capacity_wh=60_000, max_ac_w=22_000, max_dc_w=100_000), soc=30.0)
W_PER_A = AC_PHASES * AC_VOLTAGE_V


def test_rate_is_per_phase_amps_on_ac() -> None:
    assert ramp_rate_w(SPEC, RAMP_A_PER_S) == RAMP_A_PER_S * W_PER_A
    assert ramp_rate_w(SPEC, None) is None


def test_rising_limit_is_reached_over_a_few_seconds() -> None:
    rate = ramp_rate_w(SPEC, 3.0)
    start, limit = 6 * W_PER_A, 30 * W_PER_A
    _, _, after_2s = ramped_charge(SPEC, EV, 2.0, limit, start, rate)
    assert after_2s == pytest.approx(12 * W_PER_A)  # 6 A + 2 s x 3 A/s
    _, _, after_20s = ramped_charge(SPEC, EV, 20.0, limit, start, rate)
    assert after_20s == pytest.approx(limit)  # reached in (30 - 6) / 3 = 8 s


def test_the_ramp_delivers_less_energy_than_a_jump_and_never_more_than_the_limit() -> None:
    rate = ramp_rate_w(SPEC, 3.0)
    limit = 30 * W_PER_A
    _, ramped, _ = ramped_charge(SPEC, EV, 60.0, limit, 0.0, rate)
    _, jumped = charge(SPEC, EV, 60.0, limit)
    assert ramped < jumped
    assert ramped <= limit * 60 / 3600 + 1e-9
    # the ramp's share: 30 A / 3 A/s = 10 s at half power
    assert jumped - ramped == pytest.approx(limit * (30 / 3.0) / 2 / 3600, rel=0.02)


def test_falling_limit_is_followed_at_once() -> None:
    rate = ramp_rate_w(SPEC, 3.0)
    _, energy, power = ramped_charge(SPEC, EV, 10.0, 6 * W_PER_A, 30 * W_PER_A, rate)
    assert power == pytest.approx(6 * W_PER_A)
    assert energy == pytest.approx(6 * W_PER_A * 10 / 3600)


def test_no_rate_means_no_ramp() -> None:
    _, energy, power = ramped_charge(SPEC, EV, 10.0, 16 * W_PER_A, 0.0, None)
    assert power == pytest.approx(16 * W_PER_A)
    assert energy == pytest.approx(16 * W_PER_A * 10 / 3600)
