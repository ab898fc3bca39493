"""Electric vehicles on a charger: battery state and the charging power curves (pure).

AC charging holds the on-board charger's power and tapers a little near full; DC charging
holds the charger's (or car's) peak power up to about 80 % state of charge and then tapers
steeply, as lithium-ion packs do. Energy is integrated in short simulated steps.

When its limit rises, an EV does not jump to the new power: it ramps up at a bounded rate
(``RAMP_A_PER_S`` per phase on AC, ``DC_RAMP_W_PER_S`` on DC), reaching a higher limit within a few
seconds; a lower limit is followed at once. The ramp is linear and deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

AC_TAPER_FROM_SOC = 95.0
AC_TAPER_END_FRACTION = 0.15
DC_TAPER_FROM_SOC = 80.0
DC_TAPER_END_FRACTION = 0.1
AC_VOLTAGE_V = 230.0
AC_PHASES = 3
INTEGRATION_STEP_S = 15.0
RAMP_A_PER_S = 3.0  # AC: 6 A -> 32 A in under 9 s, as on-board chargers do
DC_RAMP_W_PER_S = 10_000.0


class ChargerKind(StrEnum):
    AC = "AC"
    DC = "DC"


@dataclass(frozen=True, slots=True)
class ChargerSpec:
    """What one connector can deliver."""

    kind: ChargerKind
    max_power_w: float

    def voltage_v(self, soc: float) -> float:
        if self.kind is ChargerKind.AC:
            return AC_VOLTAGE_V
        # A 400 V class pack: voltage rises with the state of charge.
        return 350.0 + 0.6 * soc

    def current_a(self, power_w: float, soc: float) -> float:
        """Current per phase (AC) or DC current for ``power_w``."""
        if self.kind is ChargerKind.AC:
            return power_w / (AC_PHASES * AC_VOLTAGE_V)
        return power_w / self.voltage_v(soc)

    def watts_for_amps(self, amps: float, soc: float) -> float:
        if self.kind is ChargerKind.AC:
            return amps * AC_PHASES * AC_VOLTAGE_V
        return amps * self.voltage_v(soc)


@dataclass(frozen=True, slots=True)
class Vehicle:
    capacity_wh: float
    max_ac_w: float
    max_dc_w: float


@dataclass(frozen=True, slots=True)
class EvState:
    """A vehicle being charged: where its battery is and where the driver wants it."""

    vehicle: Vehicle
    soc: float
    target_soc: float = 100.0

    @property
    def full(self) -> bool:
        return self.soc >= self.target_soc - 1e-6


def power_at(spec: ChargerSpec, ev: EvState, limit_w: float | None = None) -> float:
    """Instantaneous charging power in W at the EV's state of charge."""
    if ev.full:
        return 0.0
    if spec.kind is ChargerKind.AC:
        peak = min(spec.max_power_w, ev.vehicle.max_ac_w)
        taper_from, end_fraction = AC_TAPER_FROM_SOC, AC_TAPER_END_FRACTION
    else:
        peak = min(spec.max_power_w, ev.vehicle.max_dc_w)
        taper_from, end_fraction = DC_TAPER_FROM_SOC, DC_TAPER_END_FRACTION
    power = peak
    if ev.soc > taper_from:
        progress = (ev.soc - taper_from) / (100.0 - taper_from)
        power = peak * (1.0 - (1.0 - end_fraction) * progress)
    if limit_w is not None:
        power = min(power, max(0.0, limit_w))
    return max(0.0, power)


def charge(spec: ChargerSpec, ev: EvState, seconds: float, limit_w: float | None = None) -> tuple[EvState, float]:
    """Charge for ``seconds`` simulated seconds; returns the new state and the energy delivered in Wh."""
    energy_wh = 0.0
    remaining = max(0.0, seconds)
    soc = ev.soc
    while remaining > 1e-9 and soc < ev.target_soc:
        step = min(INTEGRATION_STEP_S, remaining)
        power = power_at(spec, EvState(ev.vehicle, soc, ev.target_soc), limit_w)
        if power <= 0.0:
            break
        delta_wh = power * step / 3600.0
        room_wh = (ev.target_soc - soc) / 100.0 * ev.vehicle.capacity_wh
        if delta_wh >= room_wh:
            energy_wh += room_wh
            soc = ev.target_soc
            break
        energy_wh += delta_wh
        soc += delta_wh / ev.vehicle.capacity_wh * 100.0
        remaining -= step
    return EvState(ev.vehicle, min(soc, 100.0), ev.target_soc), energy_wh


def ramp_rate_w(spec: ChargerSpec, ramp_a_per_s: float | None) -> float | None:
    """How fast (W per second) the EV's power may rise on ``spec``; None: at once."""
    if ramp_a_per_s is None:
        return None
    if spec.kind is ChargerKind.AC:
        return ramp_a_per_s * AC_PHASES * AC_VOLTAGE_V
    return DC_RAMP_W_PER_S


def ramped_charge(
    spec: ChargerSpec,
    ev: EvState,
    seconds: float,
    limit_w: float | None,
    power_w: float,
    rate_w_per_s: float | None,
) -> tuple[EvState, float, float]:
    """:func:`charge` for ``seconds`` under ``limit_w`` when the EV draws ``power_w`` at the start: a
    higher power is reached at ``rate_w_per_s`` (the ramp's energy at its average power), a lower one
    at once. Returns the new state, the energy in Wh and the power at the end."""
    target = power_at(spec, ev, limit_w)
    if rate_w_per_s is None or rate_w_per_s <= 0 or target <= power_w + 1e-9:
        state, energy = charge(spec, ev, seconds, limit_w)
        return state, energy, power_at(spec, state, limit_w)
    ramp_s = (target - power_w) / rate_w_per_s
    if ramp_s >= seconds:
        end = power_w + rate_w_per_s * max(0.0, seconds)
        state, energy = charge(spec, ev, seconds, (power_w + end) / 2)
        return state, energy, min(end, power_at(spec, state, limit_w))
    state, first = charge(spec, ev, ramp_s, (power_w + target) / 2)
    state, rest = charge(spec, state, seconds - ramp_s, limit_w)
    return state, first + rest, power_at(spec, state, limit_w)
