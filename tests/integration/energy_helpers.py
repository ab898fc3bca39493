"""Shared pieces of the energy management tests: a node tuned for quick re-planning, simulated
stations on one simulated clock, and the two checks every scenario makes - the limits in effect at
the stations never add up past the site's available current (sampled continuously while the scenario
runs), and the meter values the server stored, reconciled afterwards, never exceed it either."""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from chargebridge.domain.timeutil import parse_datetime
from chargebridge.rpc import OcppVersion
from chargebridge.sim import charging as sim_charging
from chargebridge.sim.clock import SimClock
from chargebridge.sim.ev import AC_PHASES, AC_VOLTAGE_V, ChargerKind, ChargerSpec
from chargebridge.sim.station import SimStation, StationConfig
from tests.conftest import Node, random_id, start_node

TOKEN = "EN-TOKEN-1"
TIME_SCALE = 60.0  # one simulated minute per real second: a MeterValues per station per second
ENERGY_SETTINGS: dict[str, object] = {
    "energy_replan_interval_s": 0.3,
    "energy_profile_timeout_s": 3.0,
    "energy_retry_s": 1.0,
    "energy_verify_interval_s": 0.0,
    "call_timeout_s": 5.0,
}


async def energy_node(tmp_path: Path, database_url: str | None = None, **settings: object) -> Node:
    return await start_node(tmp_path, database_url, auto_register=True, **{**ENERGY_SETTINGS, **settings})


async def wait_for(condition: Callable[[], Any], within: float = 15.0, what: str = "condition") -> None:
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met within {within} s")
        await asyncio.sleep(0.05)


async def add_token(node: Node, token: str = TOKEN) -> None:
    async with node.client() as http:
        answer = await http.put(f"/api/v1/id-tokens/{token}", json={"status": "Accepted"})
        assert answer.status_code in (200, 201), answer.text


async def create_site(node: Node, **body: Any) -> dict[str, Any]:
    async with node.client() as http:
        answer = await http.post("/api/v1/sites", json=body)
    assert answer.status_code == 201, answer.text
    created: dict[str, Any] = answer.json()
    return created


async def add_station(node: Node, station_id: str, site_id: str, **energy: Any) -> None:
    async with node.client() as http:
        answer = await http.post("/api/v1/stations", json={"id": station_id})
        assert answer.status_code == 201, answer.text
        answer = await http.patch(f"/api/v1/stations/{station_id}", json={"site_id": site_id, **energy})
        assert answer.status_code == 200, answer.text


async def site_live(node: Node, site_id: str) -> dict[str, Any]:
    async with node.client() as http:
        answer = await http.get(f"/api/v1/sites/{site_id}")
    assert answer.status_code == 200, answer.text
    live: dict[str, Any] = answer.json()["live"]
    return live


def station_limit_a(station: SimStation, connector_id: int = 1) -> float | None:
    """The limit in effect at a simulated station's connector now (A per phase; None: unlimited)."""
    connector = station.state.connectors.get(connector_id)
    if connector is None or connector.session is None:
        return 0.0
    at = station.clock.now()
    watts = sim_charging.limit_w(station.state, connector, at, connector.session.ev.soc)
    if watts is None:
        return None
    return watts / (AC_PHASES * AC_VOLTAGE_V)


@dataclass
class LimitWatch:
    """Samples the sum of the limits in effect at the stations every 20 ms while it runs."""

    stations: Sequence[SimStation]
    samples: list[tuple[float, float, list[float | None]]] = field(default_factory=list)
    _task: asyncio.Task[None] | None = None

    def total(self) -> float:
        return sum(limit if limit is not None else 1e9 for limit in self.limits())

    def limits(self) -> list[float | None]:
        return [station_limit_a(s) for s in self.stations]

    async def _run(self) -> None:
        while True:
            limits = self.limits()
            self.samples.append((time.monotonic(), sum(x if x is not None else 1e9 for x in limits), limits))
            await asyncio.sleep(0.02)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def peak(self, since: float = 0.0) -> float:
        return max((total for at, total, _ in self.samples if at >= since), default=0.0)


@contextlib.asynccontextmanager
async def sim_fleet(
    node: Node,
    version: OcppVersion,
    ids: Sequence[str],
    *,
    clock: SimClock | None = None,
    charger_w: float = 22_000.0,
    **overrides: Any,
) -> AsyncIterator[list[SimStation]]:
    """Simulated stations sharing one simulated clock (their meter value timestamps compare)."""
    clock = clock or SimClock(datetime.now(UTC), TIME_SCALE)
    stations = []
    for index, station_id in enumerate(ids):
        config = StationConfig(
            station_id=station_id,
            url=node.ocpp_url,
            version=version,
            charger=ChargerSpec(ChargerKind.AC, charger_w),
            meter_interval_s=60.0,
            heartbeat_interval_s=3600.0,
            id_tokens=(TOKEN,),
            **overrides,
        )
        stations.append(SimStation(config, clock, rng=random.Random(100 + index)))
    tasks = [asyncio.create_task(s.run()) for s in stations]
    try:
        await wait_for(lambda: all(s.booted for s in stations), 30, "all stations booted")
        yield stations
    finally:
        for s in stations:
            s.stop()
        async with asyncio.timeout(30):
            await asyncio.gather(*tasks, return_exceptions=True)


def fleet_ids(prefix: str, count: int) -> list[str]:
    base = random_id(prefix)
    return [f"{base}-{i:02d}" for i in range(count)]


async def meter_currents(node: Node, station_id: str) -> list[tuple[datetime, float]]:
    """(timestamp, Current.Import) of every sample the server stored for the station, in time order."""
    async with node.client() as http:
        answer = await http.get(f"/api/v1/stations/{station_id}/meter-values", params={"limit": 10_000})
    assert answer.status_code == 200, answer.text
    out = []
    for item in answer.json()["items"]:
        if item["measurand"] == "Current.Import" and item.get("phase") in (None, "L1"):
            out.append((parse_datetime(item["timestamp"]), float(item["value"])))
    return sorted(out)


async def transaction_windows(node: Node, station_id: str) -> list[tuple[datetime | None, datetime | None]]:
    async with node.client() as http:
        answer = await http.get("/api/v1/transactions", params={"station_id": station_id, "limit": 1000})
    assert answer.status_code == 200, answer.text
    windows = []
    for tx in answer.json()["items"]:
        start = parse_datetime(tx["started_at"]) if tx.get("started_at") else None
        stop = parse_datetime(tx["stopped_at"]) if tx.get("stopped_at") else None
        windows.append((start, stop))
    return windows


async def reconciled_peak(node: Node, station_ids: Sequence[str]) -> tuple[float, datetime | None]:
    """The highest sum of the stations' measured currents: each station's latest sample holds until its
    next sample or the end of its transaction (the meter values' sample-and-hold picture)."""
    series: dict[str, list[tuple[datetime, float]]] = {}
    ends: dict[str, list[datetime]] = {}
    for station_id in station_ids:
        series[station_id] = await meter_currents(node, station_id)
        ends[station_id] = [stop for _, stop in await transaction_windows(node, station_id) if stop is not None]
    instants = sorted({at for samples in series.values() for at, _ in samples})
    peak, peak_at = 0.0, None
    for instant in instants:
        total = 0.0
        for station_id, samples in series.items():
            latest = None
            for at, value in samples:
                if at > instant:
                    break
                latest = (at, value)
            if latest is None:
                continue
            if any(latest[0] <= stop < instant or stop == latest[0] for stop in ends[station_id]):
                continue  # its transaction ended after that sample: it draws nothing any more
            total += latest[1]
        if total > peak:
            peak, peak_at = total, instant
    return peak, peak_at
