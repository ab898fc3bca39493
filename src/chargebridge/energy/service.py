"""The energy manager at run time: keeps the picture of every site, re-plans and sends the limits.

What it knows is kept in memory and refreshed from the bus (sessions starting and ending, meter
values of stations and site meters, stations connecting and disconnecting) and from the smart
charging service (external limits a station reports, ISO 15118 EV needs). Sites, station settings and
curtailments are stored (energy tables); the picture is rebuilt from them and from the active
transactions at start.

**Re-planning.** :meth:`EnergyService.replan` is the single entry point: it plans one site tree (a
root site and everything under it) with :func:`chargebridge.energy.plan.plan` and applies the result.
Triggers (a session starting or ending, a meter value that changes the picture, a limit change, a
station connecting or disconnecting) call :meth:`request_replan`, which coalesces them: at most one
plan per tree every ``replan_interval_s``. A cluster lease owner gates it with ``may_plan``.

**Transitions keep the invariant.** Applying a plan first lowers the sessions whose limit decreases
and waits for their answers; only when every lowering was accepted are the others raised. A lowering
that fails (rejected, CALLERROR, timeout, disconnected) marks the station unresponsive: it is counted
at its maximum from then on and the tree is re-planned, so the others come down instead. Sessions
whose limit is unknown (after a restart, a reconnect, or a station joining a site) count as
lowerings: they are limited before anyone else is raised.

**Safe defaults.** A station in a site holds a TxDefaultProfile of 0 A on EVSE 0 (and its
ChargingStationMaxProfile when a maximum is set), installed before the balancer controls it: a new
session starts paused and charges only once the balancer gave it a TxProfile. Until that profile was
accepted the station counts as unresponsive (at its maximum).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chargebridge.bus.memory import EventBus, Subscription
from chargebridge.domain import charging as ch
from chargebridge.domain.composite import Conversion, limit_periods
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.timeutil import format_datetime
from chargebridge.energy.limits import (
    ROTATIONS,
    Curtailment,
    LimitState,
    ScheduleEntry,
    SiteSettings,
    drawing_phases,
    effective_limit,
    parse_entry,
    phase_currents,
    site_phases,
)
from chargebridge.energy.plan import ALL_PHASES, FixedLoad, Plan, PlanNode, PlanSession, plan, reuse_cap, violations
from chargebridge.energy.store import EnergyStore
from chargebridge.security.store import AuditEntry, SecurityStore
from chargebridge.services.clock import Clock
from chargebridge.smartcharging.service import EvNeedsNotice, ExternalLimitNotice, Notice, SmartChargingService
from chargebridge.smartcharging.store import limit_profiles
from chargebridge.store.repository import Row, Store
from chargebridge.tasks import BackgroundTasks, cancel_and_wait

log = logging.getLogger(__name__)

SITE_PREFIX = "site:"
STATION_PREFIX = "station:"
UNLIMITED_A = 1_000_000.0
SAME_A = 0.001  # limits are multiples of 0.1 A: closer than this is the same limit
HISTORY_BUDGET = 200_000  # allocation values kept per site over ``history_s``


@dataclass(frozen=True, slots=True)
class EnergyOptions:
    replan_interval_s: float = 1.0  # at most one plan per site tree this often
    tick_s: float = 1.0  # schedules, curtailment ends, meter silence and retries are checked this often
    meter_timeout_s: float | None = None  # None: 3 x the meter's poll interval + its timeout, at least 10 s
    default_max_current_a: float = 32.0  # a station or EVSE without a configured maximum
    profile_timeout_s: float = 10.0  # the answer to a SetChargingProfile of the balancer
    stack_level: int = 1  # of the balancer's TxDefaultProfile, TxProfiles and ChargingStationMaxProfile
    verify: bool = True  # check lowered limits with GetCompositeSchedule where the station supports it
    verify_interval_s: float = 60.0  # at most one check per station this often
    raise_threshold_a: float = 1.0  # raises smaller than this are not sent (no flood of tiny changes)
    ramp_s: float = 10.0  # after a limit changes, meter values are not judged for this long
    compliance_tolerance_a: float = 2.0  # drawing more than limit + this (twice in a row): ignores profiles
    retry_s: float = 60.0  # an unresponsive station is tried again after this (doubling, at most 1 h)
    history_s: float = 3600.0  # allocation history kept per site (memory)
    history_every_s: float = 10.0  # a history point at least this often (a small site: see history_interval_s)
    history_min_s: float = 2.0  # and at most this often


@dataclass(frozen=True, slots=True)
class MeterInfo:
    """A Modbus meter of the integrations config (the name a site's ``meter`` refers to)."""

    name: str
    poll_interval_s: float
    timeout_s: float
    site_id: str | None = None
    station_id: str | None = None


class EnergyError(Exception):
    """A request the energy manager refuses: ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


# -- the picture ------------------------------------------------------------------------------------


@dataclass(slots=True)
class SiteRuntime:
    row: Row
    schedule: tuple[ScheduleEntry, ...] = ()
    curtailments: list[Curtailment] = field(default_factory=list)
    building_a: tuple[float, ...] | None = None  # per phase, from the site meter
    meter_at: float | None = None  # loop time of the last site meter reading
    meter_fault: bool = False
    limit: LimitState | None = None
    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=4000))
    history_at: float = -math.inf
    published: tuple[Any, ...] = ()  # what the last site.allocation said
    history_due: bool = False  # a plan changed something since the last history point

    @property
    def id(self) -> str:
        return str(self.row["id"])

    @property
    def parent(self) -> str | None:
        parent = self.row["parent_id"]
        return str(parent) if parent is not None else None

    @property
    def phases(self) -> int:
        return int(self.row["phases"])

    def settings(self) -> SiteSettings:
        r = self.row
        return SiteSettings(
            id=self.id,
            grid_limit_a=float(r["grid_limit_a"]),
            phases=int(r["phases"]),
            voltage_v=float(r["voltage_v"]),
            safety_margin_a=float(r["safety_margin_a"]),
            fallback_limit_a=float(r["fallback_limit_a"]) if r["fallback_limit_a"] is not None else None,
            has_meter=r["meter"] is not None,
            timezone=str(r["timezone"]),
        )


@dataclass(slots=True)
class SessionRuntime:
    station_id: str
    evse_id: int
    transaction_id: str | None
    started: float  # loop time: the admission order
    sent_a: float | None = None  # the limit the station accepted for it (None: unknown - counts as a lowering)
    sent_at: float = -math.inf
    target_a: float = 0.0  # the latest plan's allocation
    admitted: bool = False
    waiting: bool = False
    measured_a: tuple[float, ...] | None = None  # per phase, station terms
    measured_at: float = -math.inf
    station_phases: frozenset[int] | None = None  # the phases it draws on, station terms (0 = L1)
    ev_min_a: float | None = None
    ev_max_a: float | None = None
    dc: bool = False
    reuse_a: float | None = None
    overdraws: int = 0

    @property
    def key(self) -> str:
        return session_key(self.station_id, self.evse_id)


@dataclass(slots=True)
class StationRuntime:
    station_id: str
    site_id: str | None
    max_current_a: float | None = None
    priority: int = 0
    phase_rotation: str | None = None
    evses: dict[int, tuple[float | None, int | None]] = field(default_factory=dict)  # evse -> (max, priority)
    connected: bool = False
    ready: bool = False  # its safe defaults are installed: the balancer controls it
    unresponsive: str | None = None  # why it is counted at its maximum
    unresponsive_at: datetime | None = None
    retry_at: float = 0.0
    retry_delay_s: float = 0.0
    preparing: bool = False
    external: list[ch.InstalledProfile] = field(default_factory=list)
    composite_supported: bool | None = None
    verified_at: float = -math.inf
    sessions: dict[int, SessionRuntime] = field(default_factory=dict)

    @property
    def controllable(self) -> bool:
        return self.connected and self.ready and self.unresponsive is None


def session_key(station_id: str, evse_id: int) -> str:
    return f"{station_id}/{evse_id}"


@dataclass(frozen=True, slots=True)
class ReplanResult:
    """What one :meth:`EnergyService.replan` did."""

    root: str
    allocations: dict[str, float]
    waiting: frozenset[str]
    lowered: int
    raised: int
    failed: int
    duration_ms: float
    violations: tuple[str, ...] = ()


@dataclass(slots=True)
class _Send:
    session: SessionRuntime
    target: float
    station: StationRuntime


class EnergyService:
    def __init__(
        self,
        store: Store,
        bus: EventBus,
        clock: Clock,
        smart: SmartChargingService,
        *,
        connected: Callable[[str], bool],
        meters: Mapping[str, MeterInfo] | None = None,
        options: EnergyOptions | None = None,
    ):
        self.store = store
        self.data = EnergyStore(store)
        self.bus = bus
        self.clock = clock
        self.smart = smart
        self.is_connected = connected
        self.meters: dict[str, MeterInfo] = dict(meters or {})
        self.options = options or EnergyOptions()
        self.sites: dict[str, SiteRuntime] = {}
        self.stations: dict[str, StationRuntime] = {}
        # A cluster lease owner decides whether this node plans a tree (None: always).
        self.may_plan: Callable[[str], bool] | None = None
        self._locks: dict[str, asyncio.Lock] = {}
        self._dirty: dict[str, str] = {}
        self._workers: dict[str, asyncio.Task[None]] = {}
        self._last_plan: dict[str, float] = {}
        self._last_capacity: dict[str, dict[tuple[str, int], float]] = {}
        self._last_plan_result: dict[str, Plan] = {}
        self._children: dict[str, list[str]] = {}
        self._members: dict[str, list[str]] = {}
        self._background = BackgroundTasks(log, "energy management background work failed")
        self._subscription: Subscription | None = None
        self._consumer: asyncio.Task[None] | None = None
        self._ticker: asyncio.Task[None] | None = None
        self._started = 0.0
        # counters for /metrics
        self.replans = 0
        self.replan_seconds_total = 0.0
        self.last_replan_ms = 0.0
        self.profiles_sent: dict[str, int] = {}

    # -- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        self._started = self._loop_time()
        self._subscription = self.bus.subscribe(
            "energy",
            {
                EventKind.TRANSACTION_STARTED,
                EventKind.TRANSACTION_ENDED,
                EventKind.METER_SAMPLED,
                EventKind.STATION_CONNECTED,
                EventKind.STATION_DISCONNECTED,
                EventKind.CHARGING_PROFILE,
            },
            queue_size=50_000,
        )
        await self.reload()
        self.smart.add_listener(self._on_notice)
        self.smart.balanced = self.balanced
        self._consumer = asyncio.create_task(self._consume(self._subscription), name="energy-events")
        self._ticker = asyncio.create_task(self._tick_loop(), name="energy-tick")
        for station in list(self.stations.values()):
            if station.site_id is not None and station.connected:
                self._background.spawn(self._prepare(station))
        for root in self.roots():
            self.request_replan(root, "start")

    async def stop(self) -> None:
        self.smart.remove_listener(self._on_notice)
        if self.smart.balanced == self.balanced:
            self.smart.balanced = None
        if self._subscription is not None:
            self.bus.unsubscribe(self._subscription)
        for task in [self._consumer, self._ticker, *self._workers.values()]:
            if task is not None:
                await cancel_and_wait(task)
        self._workers.clear()
        await self._background.wait()

    async def reload(self) -> None:
        """Rebuild the picture from the database (sites, station settings, curtailments, the active
        transactions of the stations in sites)."""
        now = self.clock.now()
        sites: dict[str, SiteRuntime] = {}
        for row in await self.data.list_sites():
            old = self.sites.get(row["id"])
            runtime = SiteRuntime(row)
            if old is not None:
                runtime.building_a, runtime.meter_at = old.building_a, old.meter_at
                runtime.meter_fault, runtime.limit = old.meter_fault, old.limit
                runtime.history, runtime.history_at = old.history, old.history_at
            runtime.schedule = tuple(parse_entry(e) for e in row["schedule"] or [])
            sites[row["id"]] = runtime
        for row in await self.data.curtailments(active_at=now, limit=10_000):
            site = sites.get(row["site_id"])
            if site is not None:
                site.curtailments.append(_curtailment(row))
        self.sites = sites
        evses: dict[str, dict[int, tuple[float | None, int | None]]] = {}
        for row in await self.data.evse_settings():
            evses.setdefault(row["station_id"], {})[int(row["evse_id"])] = (row["max_current_a"], row["priority"])
        members: set[str] = set()
        for row in await self.data.station_settings():
            if await self._apply_station_row(row, evses.get(row["station_id"], {}), now) is not None:
                members.add(str(row["station_id"]))
        for station_id in [s for s in self.stations if s not in members]:
            self.stations.pop(station_id, None)  # left every site (or was deleted)
        self._reindex()

    async def _apply_station_row(
        self, row: Row, evses: dict[int, tuple[float | None, int | None]], now: datetime
    ) -> StationRuntime | None:
        station_id = str(row["station_id"])
        station = self.stations.get(station_id)
        site_id = row["site_id"]
        if site_id is None:
            return None
        if station is None:
            station = StationRuntime(station_id, site_id)
            station.connected = self.is_connected(station_id)
            self.stations[station_id] = station
            await self._load_sessions(station)
            await self._load_external(station)
        station.site_id = site_id
        station.max_current_a = row["max_current_a"]
        station.priority = int(row["priority"] or 0)
        station.phase_rotation = row["phase_rotation"]
        station.evses = evses
        return station

    async def _load_sessions(self, station: StationRuntime) -> None:
        rows, _ = await self.store.list_transactions(station_id=station.station_id, active=True, limit=100)
        for row in rows:
            if row["orphan"] or row["evse_id"] is None:
                continue
            evse_id = int(row["evse_id"])
            if evse_id not in station.sessions:
                # What the station allows now is unknown: a lowering, limited before anyone is raised.
                station.sessions[evse_id] = SessionRuntime(
                    station.station_id, evse_id, row["transaction_id"], self._loop_time()
                )

    async def _load_external(self, station: StationRuntime) -> None:
        try:
            station.external = limit_profiles(await self.smart.data.limits(station.station_id))
        except Exception:
            log.exception("%s: could not read its external charging limits", station.station_id)

    def balanced(self, station_id: str, evse_id: int) -> bool:
        station = self.stations.get(station_id)
        return station is not None and station.site_id is not None

    # -- the tree -----------------------------------------------------------------------------------

    def root_of(self, site_id: str) -> str | None:
        seen: set[str] = set()
        current: str | None = site_id
        root = None
        while current is not None and current in self.sites and current not in seen:
            seen.add(current)
            root = current
            current = self.sites[current].parent
        return root

    def roots(self) -> list[str]:
        return sorted({r for s in self.sites if (r := self.root_of(s)) is not None})

    def _reindex(self) -> None:
        """The children of each site and the stations of each site (rebuilt whenever they change)."""
        self._children = {}
        for site in self.sites.values():
            if site.parent is not None:
                self._children.setdefault(site.parent, []).append(site.id)
        self._members = {}
        for station in self.stations.values():
            if station.site_id is not None:
                self._members.setdefault(station.site_id, []).append(station.station_id)

    def subtree(self, site_id: str) -> list[str]:
        """``site_id`` and every site under it."""
        out: list[str] = []
        seen: set[str] = set()
        todo = [site_id]
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            out.append(current)
            todo.extend(self._children.get(current, []))
        return out

    def stations_under(self, site_id: str) -> list[StationRuntime]:
        return [
            self.stations[station_id]
            for site in self.subtree(site_id)
            for station_id in self._members.get(site, [])
            if station_id in self.stations
        ]

    # -- limits ----------------------------------------------------------------------------------

    def meter_timeout(self, site: SiteRuntime) -> float:
        if self.options.meter_timeout_s is not None:
            return self.options.meter_timeout_s
        info = self.meters.get(str(site.row["meter"])) if site.row["meter"] is not None else None
        if info is None:
            return 30.0
        return max(10.0, 3 * info.poll_interval_s + info.timeout_s)

    def limit_state(self, site: SiteRuntime, now: datetime | None = None) -> LimitState:
        now = now or self.clock.now()
        silent = False
        if site.row["meter"] is not None:
            age = self._loop_time() - (site.meter_at if site.meter_at is not None else -math.inf)
            silent = site.building_a is None or age > self.meter_timeout(site)
        building = site.building_a
        if building is not None and site.row["meter_includes_charging"]:
            building = self._minus_charging(site, building)
        return effective_limit(
            site.settings(),
            now,
            schedule=site.schedule,
            curtailments=site.curtailments,
            building_a=building,
            meter_silent=silent,
        )

    def _minus_charging(self, site: SiteRuntime, building: tuple[float, ...]) -> tuple[float, ...]:
        """The building load when the site meter also measures the chargers: minus what each session
        under the site was measured to draw, on every phase the plan counts it on (all three when its
        phases are unknown). That is safe as long as EVs draw at most their limits: a session counted on
        a phase it does not draw on has its draw subtracted there but its whole limit counted there too."""
        load = list(building)
        for station in self.stations_under(site.id):
            for session in station.sessions.values():
                if session.measured_a is None:
                    continue
                amps = max(session.measured_a)
                if len(load) == 1:
                    load[0] -= amps
                    continue
                for p in self._session_site_phases(station, session):
                    load[p] -= amps
        return tuple(max(0.0, v) for v in load)

    def _session_site_phases(self, station: StationRuntime, session: SessionRuntime) -> frozenset[int]:
        if session.station_phases is None:
            return ALL_PHASES
        if session.station_phases == ALL_PHASES:
            return ALL_PHASES
        return site_phases(session.station_phases, station.phase_rotation)

    def _external_a(self, station: StationRuntime, evse_id: int, site: SiteRuntime) -> float | None:
        if not station.external:
            return None
        conversion = Conversion(float(site.row["voltage_v"]), 1 if site.phases == 1 else 3)
        now = self.clock.now()
        periods = limit_periods(station.external, evse_id, now, 1, ch.RateUnit.AMPERES, conversion=conversion, now=now)
        return periods[0].limit if periods else None

    # -- planning ----------------------------------------------------------------------------------

    def request_replan(self, site_id: str, reason: str) -> None:
        """Plan the tree of ``site_id`` soon (coalesced; at most once per ``replan_interval_s``)."""
        root = self.root_of(site_id)
        if root is None:
            return
        self._dirty[root] = reason
        worker = self._workers.get(root)
        if worker is None or worker.done():
            self._workers[root] = asyncio.create_task(self._worker(root), name=f"energy-plan-{root}")

    async def _worker(self, root: str) -> None:
        while root in self._dirty:
            wait = self._last_plan.get(root, -math.inf) + self.options.replan_interval_s - self._loop_time()
            if wait > 0:
                await asyncio.sleep(wait)
            reason = self._dirty.pop(root, "")
            if self.may_plan is not None and not self.may_plan(root):
                continue
            try:
                await self.replan(root, reason)
            except Exception:
                log.exception("energy: planning site tree %s failed", root)
                self._last_plan[root] = self._loop_time()

    def inputs(self, root: str) -> tuple[list[PlanNode], list[PlanSession], list[FixedLoad]]:
        """The plan's inputs for the tree of ``root`` from the current picture (no I/O)."""
        nodes: list[PlanNode] = []
        sessions: list[PlanSession] = []
        fixed: list[FixedLoad] = []
        now = self.clock.now()
        for site_id in self.subtree(root):
            site = self.sites[site_id]
            site.limit = self.limit_state(site, now)
            parent = SITE_PREFIX + site.parent if site.parent is not None and site_id != root else None
            nodes.append(PlanNode(SITE_PREFIX + site_id, parent, site.limit.available_a))
        for station in self.stations_under(root):
            site = self.sites[station.site_id or ""]
            node = STATION_PREFIX + station.station_id
            station_cap = station.max_current_a if station.max_current_a is not None else UNLIMITED_A
            external0 = self._external_a(station, 0, site)
            if external0 is not None:
                station_cap = min(station_cap, external0)
            nodes.append(PlanNode(node, SITE_PREFIX + site.id, (station_cap, station_cap, station_cap)))
            if not station.sessions:
                continue
            if not station.controllable:
                assumed = sum(self.session_max(station, s) for s in station.sessions.values())
                if station.max_current_a is not None:
                    assumed = min(assumed, station.max_current_a)
                phases = frozenset().union(*(self._session_site_phases(station, s) for s in station.sessions.values()))
                fixed.append(FixedLoad(node, assumed, phases or ALL_PHASES, key=station.station_id))
                continue
            for session in station.sessions.values():
                sessions.append(self._plan_session(station, session, site, node))
        return nodes, sessions, fixed

    def session_max(self, station: StationRuntime, session: SessionRuntime) -> float:
        """The most a session can draw by configuration (EVSE, station or the default maximum)."""
        evse_max = station.evses.get(session.evse_id, (None, None))[0]
        if evse_max is not None:
            return float(evse_max)
        if station.max_current_a is not None:
            return float(station.max_current_a)
        return self.options.default_max_current_a

    def _plan_session(
        self, station: StationRuntime, session: SessionRuntime, site: SiteRuntime, node: str
    ) -> PlanSession:
        minimum = float(site.row["min_current_a"])
        if session.ev_min_a is not None:
            minimum = max(minimum, session.ev_min_a)
        maximum = self.session_max(station, session)
        if session.ev_max_a is not None:
            maximum = min(maximum, session.ev_max_a)
        external = self._external_a(station, session.evse_id, site)
        if external is not None:
            maximum = min(maximum, external)
        if session.reuse_a is not None:
            maximum = min(maximum, max(minimum, session.reuse_a))
        evse_priority = station.evses.get(session.evse_id, (None, None))[1]
        return PlanSession(
            key=session.key,
            node=node,
            min_a=minimum,
            max_a=maximum,
            phases=self._session_site_phases(station, session),
            priority=evse_priority if evse_priority is not None else station.priority,
            rank=session.started,
            running=session.admitted,
        )

    async def replan(self, root: str, reason: str = "") -> ReplanResult:
        """Plan the site tree of ``root`` and apply it (the single entry point; see the module docstring)."""
        lock = self._locks.setdefault(root, asyncio.Lock())
        async with lock:
            started = time.perf_counter()
            self._last_plan[root] = self._loop_time()
            self.replans += 1
            self._publish_limit_changes(root)
            nodes, sessions, fixed = self.inputs(root)
            result = plan(nodes, sessions, fixed)
            problems = tuple(violations(nodes, sessions, fixed, result.allocations))
            if problems:  # never expected: the plan is property-tested; refuse to raise anyone on it
                log.error("energy: plan of %s breaks the invariant, not applied: %s", root, "; ".join(problems))
                zero = dict.fromkeys(result.allocations, 0.0)
                result = Plan(zero, result.waiting, result.residual_a, result.capacity_a)
            self._last_capacity[root] = dict(result.capacity_a)
            self._last_plan_result[root] = result
            lowered, raised, failed = await self._apply(root, result)
            duration = time.perf_counter() - started
            self.replan_seconds_total += duration
            self.last_replan_ms = duration * 1000
            self._record(root, result, reason)
            if failed:
                self.request_replan(root, "a station did not take its limit")
            return ReplanResult(
                root,
                dict(result.allocations),
                result.waiting,
                lowered,
                raised,
                failed,
                round(duration * 1000, 3),
                problems,
            )

    async def _apply(self, root: str, result: Plan) -> tuple[int, int, int]:
        lowerings: list[_Send] = []
        raises: list[_Send] = []
        for station in self.stations_under(root):
            if not station.controllable:
                for session in station.sessions.values():
                    session.admitted = False
                continue
            for session in station.sessions.values():
                target = result.allocations.get(session.key)
                if target is None:
                    continue
                session.target_a = target
                session.admitted = target > 0
                session.waiting = session.key in result.waiting
                current = session.sent_a
                if current is None or target < current - SAME_A:
                    lowerings.append(_Send(session, target, station))
                elif target > current + SAME_A:
                    minimum = float(self.sites[station.site_id or ""].row["min_current_a"])
                    small = target - current < self.options.raise_threshold_a
                    if small and current >= minimum - SAME_A and target < self.session_max(station, session):
                        continue  # not worth a message: the session keeps a lower limit (safe)
                    raises.append(_Send(session, target, station))
        failed = 0
        if lowerings:
            outcomes = await asyncio.gather(*(self._send(item) for item in lowerings))
            failed += outcomes.count(False)
            for item, ok in zip(lowerings, outcomes, strict=True):
                if ok:
                    self._maybe_verify(item.station, item.session)
        if failed:
            return len(lowerings) - failed, 0, failed  # the others wait: re-planned with the failures counted
        if raises:
            outcomes = await asyncio.gather(*(self._send(item) for item in raises))
            failed += outcomes.count(False)
        return len(lowerings), len(raises) - failed, failed

    async def _send(self, item: _Send) -> bool:
        session, station = item.session, item.station
        site = self.sites.get(station.site_id or "")
        if site is None or not station.controllable:
            return False
        unit = ch.RateUnit.AMPERES
        limit = item.target
        if session.dc:
            unit = ch.RateUnit.WATTS
            limit = math.floor(item.target * float(site.row["voltage_v"]) * (1 if site.phases == 1 else 3))
        reason = None
        try:
            answer = await self.smart.set_limit(
                station.station_id,
                session.evse_id,
                limit,
                unit,
                transaction_id=session.transaction_id,
                stack_level=self.options.stack_level,
                timeout_s=self.options.profile_timeout_s,
            )
            status = answer.outcome.status
            if status != "Accepted":
                reason = f"SetChargingProfile answered {status}"
        except Exception as exc:  # timeout, disconnected, CALLERROR, a profile the station cannot take
            status = type(exc).__name__
            reason = f"SetChargingProfile failed: {type(exc).__name__}: {exc}"
        self.profiles_sent[status] = self.profiles_sent.get(status, 0) + 1
        if reason is not None:
            self._unresponsive(station, reason)
            return False
        if session.sent_a is None or item.target > session.sent_a:
            session.overdraws = 0
        session.sent_a = item.target
        session.sent_at = self._loop_time()
        return True

    def _maybe_verify(self, station: StationRuntime, session: SessionRuntime) -> None:
        if not self.options.verify or station.composite_supported is False or session.dc:
            return
        now = self._loop_time()
        if now - station.verified_at < self.options.verify_interval_s:
            return
        station.verified_at = now
        self._background.spawn(self._verify(station, session))

    async def _verify(self, station: StationRuntime, session: SessionRuntime) -> None:
        """GetCompositeSchedule: the station's composite on the EVSE must not be above what it accepted."""
        expected = session.sent_a
        try:
            answer = await self.smart.get_composite_schedule(
                station.station_id, session.evse_id, 300, ch.RateUnit.AMPERES
            )
        except Exception as exc:
            log.info("%s: GetCompositeSchedule not usable for verification: %s", station.station_id, exc)
            station.composite_supported = False
            return
        composite = getattr(answer.outcome, "composite", None)
        if answer.outcome.status != "Accepted" or composite is None:
            station.composite_supported = False
            return
        station.composite_supported = True
        period = composite.limit_at(0)
        if expected is None or period is None or session.sent_a != expected:
            return  # changed meanwhile: the next verification judges
        limit = period.limit
        if composite.unit is ch.RateUnit.WATTS:
            site = self.sites.get(station.site_id or "")
            voltage = float(site.row["voltage_v"]) if site is not None else 230.0
            limit = limit / (voltage * (period.number_phases or 3))
        if limit > expected + 0.5:
            self._unresponsive(
                station,
                f"its composite schedule allows {limit:g} A on EVSE {session.evse_id}, "
                f"above the {expected:g} A it accepted",
            )
            self.request_replan(station.site_id or "", "composite schedule check failed")

    # -- stations: safe defaults, unresponsive ---------------------------------------------------

    async def _prepare(self, station: StationRuntime) -> None:
        """Install the safe defaults (TxDefaultProfile 0 A on EVSE 0; the station maximum when set)."""
        if station.preparing or station.site_id is None:
            return
        station.preparing = True
        try:
            problems = []
            try:
                answer = await self.smart.set_limit(
                    station.station_id,
                    0,
                    0.0,
                    ch.RateUnit.AMPERES,
                    purpose=ch.ProfilePurpose.TX_DEFAULT,
                    stack_level=self.options.stack_level,
                    timeout_s=self.options.profile_timeout_s,
                )
                if answer.outcome.status != "Accepted":
                    problems.append(f"TxDefaultProfile answered {answer.outcome.status}")
                if station.max_current_a is not None and not problems:
                    answer = await self.smart.set_limit(
                        station.station_id,
                        0,
                        station.max_current_a,
                        ch.RateUnit.AMPERES,
                        purpose=ch.ProfilePurpose.STATION_MAX,
                        stack_level=self.options.stack_level,
                        timeout_s=self.options.profile_timeout_s,
                    )
                    if answer.outcome.status != "Accepted":
                        problems.append(f"ChargingStationMaxProfile answered {answer.outcome.status}")
            except Exception as exc:
                problems.append(f"{type(exc).__name__}: {exc}")
            if not problems:
                conflict = await self._conflicting_default(station)
                if conflict is not None:
                    problems.append(conflict)
            if problems:
                self._unresponsive(station, "safe defaults not installed: " + "; ".join(problems))
                return
            for session in station.sessions.values():
                session.sent_a = None  # unknown until the balancer's TxProfile is accepted
            was = station.unresponsive
            station.ready = True
            station.unresponsive = None
            station.unresponsive_at = None
            station.retry_delay_s = 0.0
            if was is not None:
                self._publish_station(station, "responsive", None)
        finally:
            station.preparing = False
        self.request_replan(station.site_id or "", "station ready")

    async def _conflicting_default(self, station: StationRuntime) -> str | None:
        """Another TxDefaultProfile that lets a new session draw before the balancer's TxProfile: one
        above the balancer's stack level, or a non-zero one in its slot (as far as the CSMS knows)."""
        try:
            rows = await self.smart.data.profiles(station.station_id, purpose=ch.ProfilePurpose.TX_DEFAULT)
        except Exception:
            log.exception("%s: could not read its charging profiles", station.station_id)
            return "its charging profiles could not be read"
        level = self.options.stack_level
        for row in rows:
            profile = ch.profile_from_json(row["profile"])
            allows = any(p.limit > 0 for schedule in profile.schedules for p in schedule.periods)
            if allows and row["stack_level"] >= level:
                return (
                    f"TxDefaultProfile {row['profile_id']} (stack level {row['stack_level']}, EVSE {row['evse_id']}) "
                    "lets a new session charge before the balancer limits it"
                )
        return None

    def _on_profile(self, station: StationRuntime, data: dict[str, Any]) -> None:
        """A TxDefaultProfile of a station in a site was set, cleared or reported: the safe default is
        checked again (a station whose default is gone or overridden counts at its maximum)."""
        if data.get("purpose") != ch.ProfilePurpose.TX_DEFAULT.value or not station.connected:
            return
        if data.get("action") in ("cleared", "gone", "set", "reported") and station.controllable:
            self._background.spawn(self._recheck_default(station))

    async def _recheck_default(self, station: StationRuntime) -> None:
        rows = await self.smart.data.profiles(station.station_id, evse_id=0, purpose=ch.ProfilePurpose.TX_DEFAULT)
        ours = [r for r in rows if r["stack_level"] == self.options.stack_level]
        conflict = await self._conflicting_default(station)
        if conflict is not None:
            self._unresponsive(station, conflict)
        elif not ours:
            self._unresponsive(station, "the balancer's TxDefaultProfile of 0 A was removed")
        else:
            return
        self.request_replan(station.site_id or "", "safe default changed")

    def _unresponsive(self, station: StationRuntime, reason: str) -> None:
        first = station.unresponsive is None
        station.unresponsive = reason
        station.ready = False
        if first:
            station.unresponsive_at = self.clock.now()
            station.retry_delay_s = self.options.retry_s
            log.warning("%s: counted at its maximum: %s", station.station_id, reason)
            self._publish_station(station, "unresponsive", reason)
        else:
            station.retry_delay_s = min(3600.0, max(self.options.retry_s, station.retry_delay_s * 2))
        station.retry_at = self._loop_time() + station.retry_delay_s
        for session in station.sessions.values():
            session.admitted = False

    async def _release(self, station_id: str) -> None:
        """A station left its site: the balancer's profiles go (best effort)."""
        if not self.is_connected(station_id):
            return
        for purpose in (ch.ProfilePurpose.TX_DEFAULT, ch.ProfilePurpose.TX, ch.ProfilePurpose.STATION_MAX):
            try:
                await self.smart.clear_profiles(station_id, purpose=purpose, stack_level=self.options.stack_level)
            except Exception as exc:
                log.info("%s: could not clear the balancer's %s: %s", station_id, purpose.value, exc)

    # -- events ------------------------------------------------------------------------------------

    async def _consume(self, subscription: Subscription) -> None:
        while True:
            event = await subscription.get()
            try:
                await self._on_event(event)
            except Exception:
                log.exception("energy: could not handle %s of %s", event.kind.value, event.station_id)

    async def _on_event(self, event: DomainEvent) -> None:
        if event.kind is EventKind.METER_SAMPLED and event.station_id.startswith(SITE_PREFIX):
            self._on_site_meter(event)
            return
        if event.kind is EventKind.METER_SAMPLED and event.data.get("source") == "modbus":
            self._on_site_meter(event)  # a meter configured for a station may also be named by a site
        station = self.stations.get(event.station_id)
        if station is None or station.site_id is None:
            return
        match event.kind:
            case EventKind.STATION_CONNECTED:
                station.connected = True
                station.ready = False
                self._background.spawn(self._prepare(station))
                self.request_replan(station.site_id, "station connected")
            case EventKind.STATION_DISCONNECTED:
                station.connected = False
                station.ready = False
                if station.sessions:
                    self._publish_station(station, "disconnected", "counted at its maximum while it has sessions")
                self.request_replan(station.site_id, "station disconnected")
            case EventKind.TRANSACTION_STARTED:
                evse_id = event.data.get("evse_id")
                if isinstance(evse_id, int) and evse_id > 0 and not event.data.get("orphan"):
                    session = SessionRuntime(
                        station.station_id, evse_id, event.data.get("transaction_id"), self._loop_time()
                    )
                    # A new session starts under the TxDefaultProfile of 0 A the balancer installed.
                    session.sent_a = 0.0 if station.controllable else None
                    station.sessions[evse_id] = session
                    self.request_replan(station.site_id, "session started")
            case EventKind.TRANSACTION_ENDED:
                evse_id = event.data.get("evse_id")
                tx = event.data.get("transaction_id")
                for key, session in list(station.sessions.items()):
                    if session.transaction_id == tx or (tx is None and key == evse_id):
                        del station.sessions[key]
                self.request_replan(station.site_id, "session ended")
            case EventKind.METER_SAMPLED:
                self._on_station_meter(station, event)
            case EventKind.CHARGING_PROFILE:
                self._on_profile(station, event.data)

    def _on_site_meter(self, event: DomainEvent) -> None:
        device = event.data.get("device")
        values = event.data.get("values") or []
        for site in self.sites.values():
            if site.row["meter"] is None or site.row["meter"] != device:
                continue
            currents = phase_currents(values, float(site.row["voltage_v"]), site.phases)
            if currents is None:
                continue
            site.building_a = currents
            site.meter_at = self._loop_time()
            self._check_picture(site, "site meter")

    def _on_station_meter(self, station: StationRuntime, event: DomainEvent) -> None:
        evse_id = event.data.get("evse_id")
        session = station.sessions.get(evse_id) if isinstance(evse_id, int) else None
        if session is None:
            return
        site = self.sites.get(station.site_id or "")
        if site is None:
            return
        currents = phase_currents(event.data.get("values") or [], float(site.row["voltage_v"]), 3)
        if currents is None:
            return
        now = self._loop_time()
        session.measured_a = currents
        session.measured_at = now
        drawing = drawing_phases(currents)
        values = event.data.get("values") or []
        per_phase = any(v.get("phase") for v in values if v.get("measurand") == "Current.Import")
        if drawing is not None and per_phase:
            session.station_phases = drawing
        if now - session.sent_at < self.options.ramp_s or session.sent_a is None:
            return  # still ramping to (or from) its limit: not judged yet
        measured = max(currents)
        if measured > session.sent_a + self.options.compliance_tolerance_a and station.controllable:
            session.overdraws += 1
            if session.overdraws >= 2:
                self._unresponsive(
                    station,
                    f"EVSE {session.evse_id} draws {measured:.1f} A, above the {session.sent_a:g} A it accepted",
                )
                self.request_replan(station.site_id or "", "station ignores its limit")
                return
        else:
            session.overdraws = 0
        cap = reuse_cap(session.reuse_a, measured, session.sent_a)
        if cap != session.reuse_a:
            session.reuse_a = cap
            self.request_replan(station.site_id or "", "measured draw")

    async def _on_notice(self, notice: Notice) -> None:
        station = self.stations.get(notice.station_id)
        if station is None or station.site_id is None:
            return
        if isinstance(notice, ExternalLimitNotice):
            await self._load_external(station)
            self.request_replan(station.site_id, "external limit")
        elif isinstance(notice, EvNeedsNotice):
            session = station.sessions.get(notice.evse_id)
            if session is None:
                return
            needs = notice.needs
            session.dc = needs.transfer is ch.EnergyTransfer.DC
            session.ev_min_a = float(needs.ev_min_current_a) if needs.ev_min_current_a is not None else None
            session.ev_max_a = float(needs.ev_max_current_a) if needs.ev_max_current_a is not None else None
            if not session.dc:
                session.station_phases = frozenset(range(needs.transfer.phases))
            self.request_replan(station.site_id, "EV charging needs")

    def _check_picture(self, site: SiteRuntime, reason: str) -> None:
        """Re-plan when the site's available current fell, or rose by at least ``raise_threshold_a``."""
        state = self.limit_state(site)
        root = self.root_of(site.id)
        if root is None:
            return
        before = self._last_capacity.get(root)
        if before is None:
            self.request_replan(site.id, reason)
            return
        for phase, amps in enumerate(state.available_a):
            old = before.get((SITE_PREFIX + site.id, phase))
            if old is None or amps < old - SAME_A or amps >= old + self.options.raise_threshold_a:
                self.request_replan(site.id, reason)
                return

    # -- the tick: schedules, curtailment ends, meter silence, retries ------------------------------

    async def _tick_loop(self) -> None:
        while True:
            await asyncio.sleep(self.options.tick_s)
            try:
                await self.tick()
            except Exception:
                log.exception("energy: tick failed")

    async def tick(self) -> None:
        now = self.clock.now()
        loop_now = self._loop_time()
        for site in list(self.sites.values()):
            await self._check_meter(site, loop_now, now)
            state = self.limit_state(site, now)
            if site.limit is None or state.key() != site.limit.key():
                self.request_replan(site.id, "limit changed")
            else:
                self._check_picture(site, "tick")
            if site.history_due or loop_now - site.history_at >= self.options.history_every_s:
                root = self.root_of(site.id)
                if root is not None and root in self._last_plan_result:
                    self._history_point(site, now)
        for station in list(self.stations.values()):
            if (
                station.site_id is not None
                and station.connected
                and not station.ready
                and not station.preparing
                and station.unresponsive is not None
                and loop_now >= station.retry_at
            ):
                self._background.spawn(self._prepare(station))

    async def _check_meter(self, site: SiteRuntime, loop_now: float, now: datetime) -> None:
        if site.row["meter"] is None:
            if site.meter_fault:
                await self._meter_fault(site, False, now)
            return
        heard = site.meter_at if site.meter_at is not None else self._started
        silent = loop_now - heard > self.meter_timeout(site)
        if silent != site.meter_fault:
            await self._meter_fault(site, silent, now)

    async def _meter_fault(self, site: SiteRuntime, raised: bool, now: datetime) -> None:
        site.meter_fault = raised
        meter = site.row["meter"]
        data: dict[str, Any] = {"source": "energy", "site_id": site.id, "code": "SiteMeterSilent", "device": meter}
        if raised:
            fallback = site.row["fallback_limit_a"]
            data["info"] = (
                f"site meter {meter!r} silent for more than {self.meter_timeout(site):g} s: charging falls back to "
                f"{fallback if fallback is not None else 0:g} A"
            )
            log.warning("site %s: %s", site.id, data["info"])
        self.bus.publish(
            DomainEvent(EventKind.FAULT_RAISED if raised else EventKind.FAULT_CLEARED, SITE_PREFIX + site.id, now, data)
        )

    # -- limit changes: events and audit ------------------------------------------------------------

    def _publish_limit_changes(self, root: str) -> None:
        now = self.clock.now()
        for site_id in self.subtree(root):
            site = self.sites[site_id]
            state = self.limit_state(site, now)
            previous = site.limit
            site.limit = state
            if previous is not None and previous.key() == state.key():
                continue
            data = {
                "site_id": site_id,
                **limit_json(state),
                "previous_limit_a": previous.limit_a if previous is not None else None,
                "previous_source": previous.source if previous is not None else None,
            }
            self.bus.publish(DomainEvent(EventKind.SITE_LIMIT, SITE_PREFIX + site_id, now, data))
            self._background.spawn(self._audit_limit(site_id, data, now))

    async def _audit_limit(self, site_id: str, data: dict[str, Any], now: datetime) -> None:
        entry = AuditEntry(
            at=now,
            action="site_limit_changed",
            method="SYSTEM",
            path=f"/api/v1/sites/{site_id}"[:255],
            result="ok",
            status_code=200,
            parameters={"site_id": site_id, "limit_a": data["limit_a"], "source": data["source"]},
            detail=data,
            source="energy",
        )
        await SecurityStore(self.store).append_audit(entry)

    def _publish_station(self, station: StationRuntime, state: str, reason: str | None) -> None:
        data = {"site_id": station.site_id, "state": state, "reason": reason}
        self.bus.publish(DomainEvent(EventKind.SITE_STATION, station.station_id, self.clock.now(), data))

    # -- visibility -----------------------------------------------------------------------------------

    def _record(self, root: str, result: Plan, reason: str) -> None:
        """After a plan: a history point (when due) and ``site.allocation`` for each site of the tree
        whose allocation changed (a steady site publishes nothing)."""
        now = self.clock.now()
        for site_id in self.subtree(root):
            site = self.sites[site_id]
            view = self.allocation_json(site_id)
            self._history_point(site, now)
            fingerprint = (
                view["limit"]["limit_a"],
                tuple(view["limit"]["available_a"]),
                tuple((s["key"], s["allocation_a"], s["limit_a"], s["status"]) for s in view["sessions"]),
            )
            if fingerprint == site.published:
                continue
            site.published = fingerprint
            data = {"site_id": site_id, "reason": reason, **view}
            self.bus.publish(DomainEvent(EventKind.SITE_ALLOCATION, SITE_PREFIX + site_id, now, data))

    def history_interval_s(self, sessions: int) -> float:
        """Points at least this far apart: memory per site stays within ``HISTORY_BUDGET`` values
        over ``history_s`` (a site with many sessions keeps coarser points)."""
        return max(self.options.history_min_s, sessions * self.options.history_s / HISTORY_BUDGET)

    def _history_point(self, site: SiteRuntime, now: datetime) -> None:
        members = self.stations_under(site.id)
        sessions = sum(len(station.sessions) for station in members)
        if self._loop_time() - site.history_at < self.history_interval_s(sessions):
            site.history_due = True  # the tick adds it once the interval has passed
            return
        site.history_due = False
        state = site.limit or self.limit_state(site, now)
        allocations: dict[str, float] = {}
        for station in members:
            for session in station.sessions.values():
                allocations[session.key] = self.in_effect(station, session)
        site.history.append(
            {
                "at": now,
                "limit_a": state.limit_a,
                "available_a": round(min(state.available_a), 2),
                "building_a": round(max(state.building_a), 2) if state.building_a else None,
                "allocations": allocations,
            }
        )
        site.history_at = self._loop_time()
        horizon = now - timedelta(seconds=self.options.history_s)
        while site.history and site.history[0]["at"] < horizon:
            site.history.popleft()

    def in_effect(self, station: StationRuntime, session: SessionRuntime) -> float:
        """The limit that counts for a session now: what it accepted, or its maximum while its station
        is not controlled (or its limit is unknown)."""
        if not station.controllable or session.sent_a is None:
            return self.session_max(station, session)
        return session.sent_a

    def allocation_json(self, site_id: str) -> dict[str, Any]:
        site = self.sites[site_id]
        state = self.limit_state(site)
        sessions: list[dict[str, Any]] = []
        for station in sorted(self.stations_under(site_id), key=lambda s: s.station_id):
            for session in sorted(station.sessions.values(), key=lambda s: s.evse_id):
                if not station.controllable:
                    status = "unresponsive" if station.connected else "disconnected"
                elif session.sent_a is None:
                    status = "pending"
                elif session.waiting or (session.sent_a == 0 and session.target_a == 0):
                    status = "waiting"
                else:
                    status = "charging"
                sessions.append(
                    {
                        "key": session.key,
                        "station_id": station.station_id,
                        "evse_id": session.evse_id,
                        "site_id": station.site_id,
                        "transaction_id": session.transaction_id,
                        "allocation_a": session.target_a,
                        "limit_a": session.sent_a,
                        "counted_a": self.in_effect(station, session),
                        "measured_a": round(max(session.measured_a), 2) if session.measured_a else None,
                        "phases": sorted(p + 1 for p in self._session_site_phases(station, session)),
                        "status": status,
                        "reuse_cap_a": session.reuse_a,
                    }
                )
        counted = round(sum(float(s["counted_a"]) for s in sessions), 2)
        return {"limit": limit_json(state), "allocated_a": counted, "sessions": sessions}

    def station_json(self, station: StationRuntime) -> dict[str, Any]:
        return {
            "station_id": station.station_id,
            "site_id": station.site_id,
            "connected": station.connected,
            "controlled": station.controllable,
            "unresponsive": station.unresponsive,
            "unresponsive_at": format_datetime(station.unresponsive_at) if station.unresponsive_at else None,
            "max_current_a": station.max_current_a,
            "priority": station.priority,
            "phase_rotation": station.phase_rotation,
            "sessions": len(station.sessions),
        }

    def site_live(self, site_id: str) -> dict[str, Any]:
        site = self.sites.get(site_id)
        if site is None:
            return {}
        children = sorted(s.id for s in self.sites.values() if s.parent == site_id)
        members = sorted(
            (self.stations[m] for m in self._members.get(site_id, []) if m in self.stations),
            key=lambda s: s.station_id,
        )
        stations = [self.station_json(s) for s in members]
        now = self.clock.now()
        root = self.root_of(site_id)
        return {
            **self.allocation_json(site_id),
            "root": root,
            "children": children,
            "stations": stations,
            "meter_silent": site.meter_fault or (site.limit.meter_silent if site.limit else False),
            "curtailments": [curtailment_json(c) for c in site.curtailments if c.active(now) or c.starts_at > now],
        }

    def history(self, site_id: str, since: datetime | None = None) -> list[dict[str, Any]]:
        site = self.sites.get(site_id)
        if site is None:
            return []
        return [
            {**point, "at": format_datetime(point["at"])}
            for point in site.history
            if since is None or point["at"] >= since
        ]

    # -- changes from the API -------------------------------------------------------------------------

    async def site_changed(self, site_id: str | None = None, old_root: str | None = None) -> None:
        """Sites were added, changed or removed: reload and re-plan what they touch."""
        await self.reload()
        for station in list(self.stations.values()):
            if station.connected and not station.ready and not station.preparing and station.unresponsive is None:
                self._background.spawn(self._prepare(station))
        if old_root is not None and old_root in self.sites:
            self.request_replan(old_root, "site changed")
        if site_id is not None and site_id in self.sites:
            self.request_replan(site_id, "site changed")

    async def station_changed(self, station_id: str, previous_site: str | None) -> None:
        """A station's settings changed (site, maximum, priority, EVSEs)."""
        old_root = self.root_of(previous_site) if previous_site is not None else None
        await self.reload()
        station = self.stations.get(station_id)
        if previous_site is not None and (station is None or station.site_id != previous_site):
            self._background.spawn(self._release(station_id))
        if station is not None:
            station.connected = self.is_connected(station_id)
            if station.connected:
                station.ready = False
                self._background.spawn(self._prepare(station))
            self.request_replan(station.site_id or "", "station settings changed")
        if old_root is not None:
            self.request_replan(old_root, "station left")

    async def curtailments_changed(self, site_id: str) -> None:
        now = self.clock.now()
        site = self.sites.get(site_id)
        if site is None:
            return
        rows = await self.data.curtailments(site_id, active_at=now, limit=1000)
        site.curtailments = [_curtailment(row) for row in rows]
        self.request_replan(site_id, "curtailment")

    # -- helpers ---------------------------------------------------------------------------------------

    @staticmethod
    def _loop_time() -> float:
        try:
            return asyncio.get_running_loop().time()
        except RuntimeError:
            return time.monotonic()

    def stats(self) -> dict[str, float]:
        return {
            "sites": len(self.sites),
            "stations": len(self.stations),
            "sessions": sum(len(s.sessions) for s in self.stations.values()),
            "unresponsive_stations": sum(1 for s in self.stations.values() if s.unresponsive is not None),
            "replans_total": self.replans,
            "last_replan_seconds": self.last_replan_ms / 1000,
        }


def _curtailment(row: Row) -> Curtailment:
    return Curtailment(
        int(row["id"]), float(row["limit_a"]), str(row["source"]), row["starts_at"], row["ends_at"], row["cleared_at"]
    )


def curtailment_json(c: Curtailment) -> dict[str, Any]:
    return {
        "id": c.id,
        "limit_a": c.limit_a,
        "source": c.source,
        "starts_at": format_datetime(c.starts_at),
        "ends_at": format_datetime(c.ends_at),
    }


def limit_json(state: LimitState) -> dict[str, Any]:
    return {
        "limit_a": state.limit_a,
        "source": state.source,
        "available_a": [round(a, 2) for a in state.available_a],
        "grid_limit_a": state.grid_a,
        "schedule_limit_a": state.schedule_a,
        "curtailment_limit_a": state.curtailment_a,
        "curtailment_source": state.curtailment_source,
        "meter_silent": state.meter_silent,
        "building_load_a": [round(a, 2) for a in state.building_a] if state.building_a is not None else None,
        "next_change": format_datetime(state.next_change) if state.next_change else None,
    }


def rotation_ok(value: str | None) -> bool:
    return value is None or value in ROTATIONS
