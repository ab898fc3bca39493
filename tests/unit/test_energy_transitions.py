"""Applying a plan keeps the invariant while profiles are in flight: lowerings first (their answers
awaited), raises only after every lowering was accepted; a failed lowering counts the station at its
maximum and holds the raises back. A fake smart charging service answers; the store is a real SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chargebridge.bus.memory import EventBus
from chargebridge.domain.commands import CommandOutcome
from chargebridge.energy.service import EnergyOptions, EnergyService, SessionRuntime
from chargebridge.store.repository import Store

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


class FixedClock:
    def now(self) -> datetime:
        return NOW


@dataclass
class Answer:
    action: str
    outcome: CommandOutcome
    round_trip_ms: float = 1.0


@dataclass
class FakeData:
    async def limits(self, station_id: str) -> list[Any]:
        return []

    async def profiles(self, station_id: str, **kwargs: Any) -> list[Any]:
        return []


@dataclass
class FakeSmart:
    """Records what the balancer sends; a station's answer waits until the test releases it."""

    answers: dict[str, str] = field(default_factory=dict)  # station -> status (default Accepted)
    gates: dict[str, asyncio.Event] = field(default_factory=dict)
    log: list[tuple[str, str, float]] = field(default_factory=list)  # (sent|answered, station, limit)
    data: FakeData = field(default_factory=FakeData)
    balanced: Any = None

    async def set_limit(self, station_id: str, evse_id: int, limit: float, unit: Any, **kwargs: Any) -> Answer:
        self.log.append(("sent", station_id, limit))
        gate = self.gates.get(station_id)
        if gate is not None:
            await gate.wait()
        status = self.answers.get(station_id, "Accepted")
        self.log.append(("answered", station_id, limit))
        return Answer("SetChargingProfile", CommandOutcome(status, {"status": status}))

    async def get_composite_schedule(self, *args: Any, **kwargs: Any) -> Answer:
        raise RuntimeError("not supported here")

    async def clear_profiles(self, *args: Any, **kwargs: Any) -> Any:
        return None

    def add_listener(self, listener: Any) -> None:
        pass

    def remove_listener(self, listener: Any) -> None:
        pass


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[tuple[EnergyService, FakeSmart]]:
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'e.db'}")
    smart = FakeSmart()
    service = EnergyService(
        store,
        EventBus(),
        FixedClock(),
        smart,  # type: ignore[arg-type]
        connected=lambda station_id: True,
        options=EnergyOptions(verify=False, raise_threshold_a=0.0),
    )
    await service.data.add_site(
        {
            "id": "site",
            "name": "site",
            "parent_id": None,
            "grid_limit_a": 30.0,
            "phases": 3,
            "voltage_v": 230.0,
            "min_current_a": 6.0,
            "safety_margin_a": 0.0,
            "fallback_limit_a": None,
            "meter": None,
            "meter_includes_charging": False,
            "timezone": "UTC",
            "schedule": [],
            "created_at": NOW,
            "updated_at": NOW,
        }
    )
    for station_id in ("A", "B", "C"):
        await store.add_station(station_id, now=NOW)
        await service.data.set_station(station_id, {"site_id": "site", "max_current_a": 32.0}, NOW)
    await service.reload()
    for station in service.stations.values():
        station.connected = station.ready = True
    try:
        yield service, smart
    finally:
        await store.close()


def charging(service: EnergyService, station_id: str, sent: float | None, started: float) -> SessionRuntime:
    session = SessionRuntime(station_id, 1, f"tx-{station_id}", started, sent_a=sent)
    service.stations[station_id].sessions[1] = session
    return session


async def test_lowerings_are_answered_before_anything_is_raised(world: tuple[EnergyService, FakeSmart]) -> None:
    service, smart = world
    charging(service, "A", 30.0, 1.0)  # alone until now: all 30 A
    charging(service, "B", 0.0, 2.0)  # new: under the TxDefaultProfile of 0 A
    gate = smart.gates["A"] = asyncio.Event()
    replan = asyncio.create_task(service.replan("site"))
    await asyncio.sleep(0.05)
    assert smart.log == [("sent", "A", 15.0)]  # B's raise waits for A's answer
    gate.set()
    result = await replan
    assert smart.log == [("sent", "A", 15.0), ("answered", "A", 15.0), ("sent", "B", 15.0), ("answered", "B", 15.0)]
    assert (result.lowered, result.raised, result.failed) == (1, 1, 0)
    assert service.stations["A"].sessions[1].sent_a == 15.0 and service.stations["B"].sessions[1].sent_a == 15.0


async def test_a_failed_lowering_holds_the_raises_and_counts_the_station_at_its_maximum(
    world: tuple[EnergyService, FakeSmart],
) -> None:
    service, smart = world
    charging(service, "A", 30.0, 1.0)
    charging(service, "B", 0.0, 2.0)
    smart.answers["A"] = "Rejected"
    result = await service.replan("site")
    assert smart.log == [("sent", "A", 15.0), ("answered", "A", 15.0)]  # B was never raised
    assert result.failed == 1 and result.raised == 0
    station = service.stations["A"]
    assert station.unresponsive == "SetChargingProfile answered Rejected" and not station.controllable
    assert service.stations["B"].sessions[1].sent_a == 0.0
    # the next plan counts A at its 32 A maximum: nothing is left for B, which stays at 0
    smart.log.clear()
    result = await service.replan("site")
    assert result.allocations == {"B/1": 0.0} and smart.log == []
    view = service.allocation_json("site")
    assert {s["station_id"]: (s["status"], s["counted_a"]) for s in view["sessions"]} == {
        "A": ("unresponsive", 32.0),
        "B": ("waiting", 0.0),
    }


async def test_unknown_limits_are_lowerings_sent_before_any_raise(world: tuple[EnergyService, FakeSmart]) -> None:
    service, smart = world
    charging(service, "A", None, 1.0)  # after a restart: what it may draw is not known
    charging(service, "B", None, 2.0)
    charging(service, "C", 6.0, 3.0)
    gates = {s: smart.gates.setdefault(s, asyncio.Event()) for s in ("A", "B")}
    replan = asyncio.create_task(service.replan("site"))
    await asyncio.sleep(0.05)
    assert sorted(smart.log) == [("sent", "A", 10.0), ("sent", "B", 10.0)]
    gates["A"].set()
    await asyncio.sleep(0.05)
    assert ("sent", "C", 10.0) not in smart.log  # still waiting for B's answer
    gates["B"].set()
    await replan
    assert smart.log[-2:] == [("sent", "C", 10.0), ("answered", "C", 10.0)]


async def test_a_timeout_is_a_failure(world: tuple[EnergyService, FakeSmart]) -> None:
    service, smart = world
    charging(service, "A", 30.0, 1.0)
    charging(service, "B", 0.0, 2.0)

    async def times_out(*args: Any, **kwargs: Any) -> Answer:
        raise TimeoutError("no answer")

    smart.set_limit = times_out  # type: ignore[method-assign]
    result = await service.replan("site")
    assert result.failed == 1
    assert "TimeoutError" in (service.stations["A"].unresponsive or "")


async def test_a_meter_that_includes_the_chargers_has_their_draw_taken_out(
    world: tuple[EnergyService, FakeSmart],
) -> None:
    service, _ = world
    site = service.sites["site"]
    site.row = {**site.row, "meter": "grid", "meter_includes_charging": True}
    site.building_a, site.meter_at = (30.0, 28.0, 26.0), service._loop_time()
    a = charging(service, "A", 10.0, 1.0)
    a.measured_a = (10.0, 10.0, 10.0)  # phases unknown: counted, and subtracted, on all three
    b = charging(service, "B", 6.0, 2.0)
    b.measured_a, b.station_phases = (6.0, 0.0, 0.0), frozenset({0})
    service.stations["B"].phase_rotation = "STR"  # its L1 is the grid's S: phase 2
    state = service.limit_state(site)
    assert state.building_a == (20.0, 12.0, 16.0)
    assert state.available_a == (10.0, 18.0, 14.0)
    result = await service.replan("site")
    assert result.allocations == {"A/1": 9.0, "B/1": 9.0}  # phase 2 (18 A) binds first: an equal share
    # the EVs draw what they are given and the meter sees it: the same picture, no oscillation
    a.measured_a, b.measured_a = (9.0, 9.0, 9.0), (9.0, 0.0, 0.0)
    site.building_a = (20.0 + 9.0, 12.0 + 9.0 + 9.0, 16.0 + 9.0)
    assert service.limit_state(site).available_a == state.available_a
    assert (await service.replan("site")).allocations == result.allocations
