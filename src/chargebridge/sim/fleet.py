"""The fleet runner: many simulated stations in one event loop, a scenario, a ledger.

``run_fleet(SimConfig(...))`` starts the stations staggered (at most ``connect_concurrency``
handshakes at once), lets the scenario play for ``duration`` real seconds or until ``stop`` is
set, then stops every station gracefully (open sessions are stopped and reported) and returns
a :class:`FleetStats` snapshot. Every transaction becomes one ledger line.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from time import monotonic

from chargebridge.rpc import OcppVersion
from chargebridge.sim.clock import SimClock
from chargebridge.sim.ev import ChargerKind, ChargerSpec
from chargebridge.sim.firmware import FirmwareBatch
from chargebridge.sim.ledger import LedgerEntry, LedgerWriter
from chargebridge.sim.profiles import STANDARD, ProfileError, QuirkProfile, builtin_profile, load_profile
from chargebridge.sim.station import Behaviour, SimStation, StationConfig
from chargebridge.sim.stats import Counters, FleetStats

SCENARIOS: dict[str, Behaviour] = {
    # boot and heartbeats only
    "idle": Behaviour(),
    # sessions start and stop at random
    "charging": Behaviour(sessions=True, idle_mean_s=1200.0, session_mean_s=2700.0),
    # a small lively fleet for a dashboard, at real time (its timestamps are the wall clock's):
    # sessions of a few minutes, a fault now and then, a rare drop-out
    "demo": Behaviour(
        sessions=True,
        idle_mean_s=90.0,
        session_mean_s=300.0,
        fault_rate_per_h=1.0,
        fault_duration_s=90.0,
        disconnect_rate_per_h=0.2,
    ),
    # charging, and every station drops its connection at the same moment, repeatedly
    "storm": Behaviour(sessions=True, idle_mean_s=1200.0, session_mean_s=2700.0),
    # charging on a bad mobile network: drop-outs and offline periods
    "flaky": Behaviour(
        sessions=True,
        idle_mean_s=1200.0,
        session_mean_s=2700.0,
        disconnect_rate_per_h=0.5,
        offline_rate_per_h=0.3,
        offline_mean_s=600.0,
    ),
}
VERSIONS = ("1.6", "2.0.1", "mixed")


@dataclass(frozen=True, slots=True)
class SimConfig:
    """A simulated fleet. Durations named ``*_real_s`` and ``duration``/``ramp_up_s``/``storm_every_s``
    are real seconds; behavioural ones (meter interval, scenario) are simulated seconds."""

    url: str = "ws://127.0.0.1:9000/ocpp"
    stations: int = 10
    version: str = "mixed"  # "1.6" | "2.0.1" | "mixed" (alternating)
    scenario: str = "charging"
    profile: Path | None = None  # a quirk profile TOML file, or the name of a built-in one
    id_prefix: str = "SIM-"
    connect_concurrency: int = 100
    ramp_up_s: float | None = None  # spread first connects over this long (default: stations / 200 s)
    time_scale: float = 1.0
    seed: int | None = None
    duration: float | None = None  # None: until ``stop`` is set
    meter_interval_s: float = 60.0
    heartbeat_interval_s: float = 300.0
    connectors: int = 1
    dc_share: float = 0.25  # fraction of stations that are DC fast chargers
    behaviour: Behaviour | None = None  # None: the scenario's
    ledger: Path | None = None
    storm_every_s: float | None = None  # storm scenario: real seconds between storms (default 10)
    call_timeout_real_s: float = 30.0
    answer_delay_real_s: float = 0.0
    failure_rate: float = 0.0
    backoff_minimum_s: float = 10.0
    backoff_random_range_s: float = 10.0
    backoff_repeat_times: int = 5
    graceful_stop: bool = True
    shutdown_timeout_s: float = 60.0  # real seconds the stations wait for their last stops' answers
    password: str | None = field(default=None, repr=False)  # HTTP Basic, the same for every station
    start: datetime | None = None  # simulated start time (default: now)
    id_tokens: tuple[str, ...] = field(default_factory=tuple)
    iso15118: bool = False  # 2.0.1 stations' EVs send NotifyEVChargingNeeds / NotifyEVChargingSchedule
    # Hardware batches: stations are dealt out to them in turn (station 1 -> first batch, 2 -> second, ...).
    firmware_batches: tuple[FirmwareBatch, ...] = field(default_factory=tuple)

    def validate(self) -> None:
        if self.version not in VERSIONS:
            raise ValueError(f"version must be one of {', '.join(VERSIONS)}")
        if self.scenario not in SCENARIOS:
            raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
        if self.stations < 0 or self.connectors < 1:
            raise ValueError("stations must be >= 0 and connectors >= 1")
        if self.time_scale <= 0:
            raise ValueError("time_scale must be positive")


def resolve_profile(profile: Path | None) -> QuirkProfile:
    """A profile file, or a built-in profile named like ``voltara-dc150-fw4.0``."""
    if profile is None:
        return STANDARD
    if profile.is_file():
        return load_profile(profile)
    if profile.suffix != ".toml" and len(profile.parts) == 1:
        return builtin_profile(profile.name)
    raise ProfileError(f"no profile file {profile}")


def station_id(prefix: str, index: int, total: int) -> str:
    return f"{prefix}{index:0{max(4, len(str(total)))}d}"


class Fleet:
    """The stations of one run, their shared counters and the ledger."""

    def __init__(self, config: SimConfig, *, clock: SimClock | None = None):
        config.validate()
        self.config = config
        self.clock = clock or SimClock(config.start or datetime.now(UTC), config.time_scale)
        self.counters = Counters()
        self.ledger: list[LedgerEntry] = []
        self._writer = LedgerWriter(config.ledger) if config.ledger is not None else None
        self._started = monotonic()
        profile = resolve_profile(config.profile)
        behaviour = config.behaviour or SCENARIOS[config.scenario]
        master = random.Random(config.seed)
        gate = asyncio.Semaphore(max(1, config.connect_concurrency))
        self.stations: list[SimStation] = []
        for index in range(1, config.stations + 1):
            rng = random.Random(master.getrandbits(64))
            sid = station_id(config.id_prefix, index, config.stations)
            batches = config.firmware_batches
            batch = batches[(index - 1) % len(batches)] if batches else None
            station_config = StationConfig(
                station_id=sid,
                url=config.url,
                version=self._version_for(index),
                profile=profile,
                connectors=config.connectors,
                charger=self._charger(rng),
                behaviour=behaviour,
                meter_interval_s=config.meter_interval_s,
                heartbeat_interval_s=config.heartbeat_interval_s,
                call_timeout_real_s=config.call_timeout_real_s,
                answer_delay_real_s=config.answer_delay_real_s,
                failure_rate=config.failure_rate,
                backoff_minimum_s=config.backoff_minimum_s,
                backoff_random_range_s=config.backoff_random_range_s,
                backoff_repeat_times=config.backoff_repeat_times,
                graceful_stop=config.graceful_stop,
                shutdown_timeout_real_s=config.shutdown_timeout_s,
                password=config.password,
                id_tokens=config.id_tokens,
                hardware_revision=batch.hardware_revision if batch else None,
                firmware_fault=batch.fault if batch else None,
                iso15118=config.iso15118,
            )
            station = SimStation(
                station_config, self.clock, rng=rng, counters=self.counters, on_ledger=self._record, connect_gate=gate
            )
            self.stations.append(station)

    def _version_for(self, index: int) -> OcppVersion:
        if self.config.version == "mixed":
            return OcppVersion.V16 if index % 2 else OcppVersion.V201
        return OcppVersion(self.config.version)

    def _charger(self, rng: random.Random) -> ChargerSpec:
        if rng.random() < self.config.dc_share:
            return ChargerSpec(ChargerKind.DC, float(rng.choice((50_000, 100_000, 150_000))))
        return ChargerSpec(ChargerKind.AC, float(rng.choice((11_000, 11_000, 22_000, 7_400))))

    def _record(self, entry: LedgerEntry) -> None:
        self.ledger.append(entry)
        if self._writer is not None:
            self._writer.write(entry)

    def stats(self) -> FleetStats:
        counters = self.counters
        return FleetStats(
            stations_total=len(self.stations),
            connected=counters.connected,
            booted=sum(1 for station in self.stations if station.booted),
            active_sessions=sum(station.active_sessions for station in self.stations),
            messages_in=counters.messages_in,
            messages_out=counters.messages_out,
            errors=counters.errors,
            reconnects=counters.reconnects,
            call_timeouts=counters.call_timeouts,
            call_errors=counters.call_errors,
            commands=counters.commands,
            transactions_started=counters.transactions_started,
            transactions_completed=counters.transactions_completed,
            transactions_unacknowledged=counters.transactions_unacknowledged,
            elapsed_s=monotonic() - self._started,
            simulated_s=self.clock.elapsed(),
            peak_connected=counters.peak_connected,
            ever_booted=sum(1 for station in self.stations if station.boots > 0),
            error_reasons=tuple(sorted(counters.error_reasons.items())),
            authorize_refused=tuple(sorted(counters.authorize_refused.items())),
        )

    async def run(self, stop: asyncio.Event | None = None) -> FleetStats:
        stop = stop or asyncio.Event()
        self._started = monotonic()
        tasks: list[asyncio.Task[None]] = []
        launcher = asyncio.create_task(self._launch(tasks))
        storms = asyncio.create_task(self._storms()) if self.config.scenario == "storm" else None
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.config.duration):
                    await stop.wait()
        finally:
            launcher.cancel()
            if storms is not None:
                storms.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await launcher
            for station in self.stations:
                station.stop()
            if tasks:
                # Each station gives up on its own after shutdown_timeout_s (and still writes its
                # ledger lines); the margin only covers closing the sockets.
                done, pending = await asyncio.wait(tasks, timeout=self.config.shutdown_timeout_s + 15.0)
                for task in pending:
                    task.cancel()
                for task in done:
                    if not task.cancelled() and (exc := task.exception()) is not None:
                        self.counters.error(f"station task failed: {type(exc).__name__}")
            if self._writer is not None:
                self._writer.close()
        return self.stats()

    async def _launch(self, tasks: list[asyncio.Task[None]]) -> None:
        count = len(self.stations)
        ramp = self.config.ramp_up_s if self.config.ramp_up_s is not None else count / 200.0
        step = ramp / count if count else 0.0
        for station in self.stations:
            tasks.append(asyncio.create_task(station.run(), name=f"sim-{station.station_id}"))
            if step > 0:
                await asyncio.sleep(step)

    async def _storms(self) -> None:
        every = self.config.storm_every_s or 10.0
        while True:
            await asyncio.sleep(every)
            for station in self.stations:
                station.drop_connection()


async def run_fleet(config: SimConfig, stop: asyncio.Event | None = None) -> FleetStats:
    """Run a simulated fleet until ``config.duration`` real seconds pass or ``stop`` is set."""
    return await Fleet(replace(config)).run(stop)
