"""Read endpoints for dashboards and a live event stream (Server-Sent Events).

Everything here is an ordinary ``/api/v1`` route behind the bearer token, so the web dashboard
is just another API client:

- ``GET /me``: who the token is (the dashboard hides command buttons from viewers).
- ``GET /fleet/summary``: station counts (also of unauthenticated, profile-0 ones), total power
  now, energy today.
- ``GET /fleet/power``: recent fleet power history (kept in memory from meter events).
- ``GET /fleet/stations``: stations filtered by state/vendor/model/firmware/version, sorted, paged.
- ``GET /fleet/facets``: distinct vendors, models, firmware and OCPP versions (for filter menus).
- ``GET /fleet/faults``, ``GET /fleet/events``: recent faults and station events of every station.
- ``GET /fleet/sessions``: transactions with filters and the energy total of all matches.
- ``GET /events/stream``: bus events as ``text/event-stream``, plus a ``fleet.power`` tick.

For a token limited to stations each of these covers its stations only (``Scope.FILTERED``):
counts, power and energy of its stations, no fleet power history, no events of other stations
or of none.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from datetime import datetime, time
from time import monotonic
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse
from sqlalchemy import Integer, and_, exists, func, or_, select
from sqlalchemy.sql.elements import ColumnElement

from chargebridge.api.auth import Scope, Viewer, scope
from chargebridge.api.deps import ApiContext, Context, Limit, Offset
from chargebridge.api.views import fault_view, station_view, transaction_view
from chargebridge.bus.memory import EventBus, Subscription
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.timeutil import format_datetime
from chargebridge.services.clock import Clock
from chargebridge.store.repository import aware_row
from chargebridge.store.schema import connectors, faults, station_events, stations, transactions
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

POWER_MEASURAND = "Power.Active.Import"
# The live stream's batching: what arrives within STREAM_BATCH_S of a quiet stream's first event
# is sent with it as one chunk, at most STREAM_BATCH_MAX events.
STREAM_BATCH_S = 0.05
STREAM_BATCH_MAX = 500
STATES = ("online", "offline", "charging", "faulted", "available")
SORTABLE = {
    "id": stations.c.id,
    "vendor": stations.c.vendor,
    "model": stations.c.model,
    "firmware_version": stations.c.firmware_version,
    "ocpp_version": stations.c.ocpp_version,
    "last_seen": stations.c.last_seen,
}
Text = Annotated[str | None, Query(max_length=64)]


@dataclass
class LiveState:
    """Fleet power now and a short history, folded from bus events.

    Power per (station, EVSE) is the last ``Power.Active.Import`` sample (W, any phase summed
    when only phase values are sent); it drops to zero when the EVSE's transaction ends or the
    station disconnects. Every ``step_s`` the total is appended to a history of ``history_s``.
    """

    clock: Clock
    step_s: float = 5.0
    history_s: float = 3600.0
    power_w: dict[tuple[str, int], float] = field(default_factory=dict)
    history: deque[tuple[float, float]] = field(default_factory=deque)
    closing: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)
    _sub: Subscription | None = None
    _bus: EventBus | None = None

    @property
    def total_w(self) -> float:
        return sum(self.power_w.values())

    def power_of(self, only: Collection[str] | None) -> float:
        """Power now of these stations (None: the whole fleet)."""
        if only is None:
            return self.total_w
        return sum(w for (station_id, _evse), w in self.power_w.items() if station_id in only)

    def apply(self, event: DomainEvent) -> None:
        match event.kind:
            case EventKind.METER_SAMPLED:
                evse = int(event.data.get("evse_id") or 0)
                values = [v for v in event.data.get("values", []) if v.get("measurand") == POWER_MEASURAND]
                total = [v for v in values if not v.get("phase")]
                phases = [v for v in values if str(v.get("phase") or "").startswith("L")]
                if total:
                    self.power_w[(event.station_id, evse)] = float(total[-1]["value"])
                elif phases:
                    self.power_w[(event.station_id, evse)] = sum(float(v["value"]) for v in phases)
            case EventKind.TRANSACTION_ENDED:
                ended = event.data.get("evse_id")
                if ended is not None:
                    self.power_w.pop((event.station_id, int(ended)), None)
                else:
                    self._drop_station(event.station_id)
            case EventKind.STATION_DISCONNECTED:
                self._drop_station(event.station_id)

    def _drop_station(self, station_id: str) -> None:
        for key in [k for k in self.power_w if k[0] == station_id]:
            del self.power_w[key]

    def sample(self) -> None:
        now = self.clock.now().timestamp()
        self.history.append((now, self.total_w))
        while self.history and self.history[0][0] < now - self.history_s:
            self.history.popleft()

    async def start(self, bus: EventBus) -> None:
        self._bus = bus
        self._sub = bus.subscribe(
            "dashboard-live",
            {EventKind.METER_SAMPLED, EventKind.TRANSACTION_ENDED, EventKind.STATION_DISCONNECTED},
        )
        self.closing.clear()
        self.sample()
        self._tasks = [
            asyncio.create_task(self._consume(self._sub), name="dashboard-live"),
            asyncio.create_task(self._tick(), name="dashboard-power-history"),
        ]

    async def stop(self) -> None:
        self.closing.set()
        await asyncio.gather(*(cancel_and_wait(task) for task in self._tasks))  # each bounded
        self._tasks = []
        if self._bus is not None and self._sub is not None:
            self._bus.unsubscribe(self._sub)
        self._sub = None

    async def _consume(self, sub: Subscription) -> None:
        while True:
            first = await sub.get()
            for event in (first, *sub.drain(1000)):  # a burst in one pass
                try:
                    self.apply(event)
                except (KeyError, TypeError, ValueError):
                    log.warning("dashboard: ignored malformed %s event from %s", event.kind, event.station_id)

    async def _tick(self) -> None:
        while True:
            await asyncio.sleep(self.step_s)
            self.sample()


def _sse(event: str, data: Any, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {json.dumps(data, separators=(',', ':'), default=str)}\n\n"


def _unauthenticated_condition() -> ColumnElement[bool]:
    """Security profile 0 (as ``effective_profile`` decides: a password makes it profile 1)."""
    return and_(
        or_(stations.c.security_profile == 0, stations.c.security_profile.is_(None)),
        stations.c.password_hash.is_(None),
    )


def _state_condition(state: str) -> ColumnElement[bool]:
    active_fault = exists().where(faults.c.station_id == stations.c.id, faults.c.cleared_at.is_(None))
    faulted_connector = exists().where(connectors.c.station_id == stations.c.id, connectors.c.status == "Faulted")
    charging = exists().where(
        transactions.c.station_id == stations.c.id, transactions.c.active.is_(True), transactions.c.orphan.is_(False)
    )
    faulted = or_(active_fault, faulted_connector)
    online = stations.c.connected.is_(True)
    match state:
        case "online":
            return online
        case "offline":
            return stations.c.connected.is_(False)
        case "charging":
            return and_(online, charging)
        case "faulted":
            return faulted
        case _:  # available: online, not charging, not faulted
            return and_(online, ~charging, ~faulted)


def _station_state(view: dict[str, Any], charging: bool) -> str:
    faulted = bool(view["faults"]) or view["status"] == "Faulted"
    faulted = faulted or any(c["status"] == "Faulted" for e in view["evses"] for c in e["connectors"])
    if faulted:
        return "faulted"
    if not view["connected"]:
        return "offline"
    return "charging" if charging else "available"


def build_router(
    live: LiveState,
    *,
    stream_tick_s: float = 2.0,
    stream_queue: int = 1000,
    stream_batch_s: float = STREAM_BATCH_S,
) -> APIRouter:
    """The dashboard's read routes and event stream, bound to one :class:`LiveState`."""
    router = APIRouter(prefix="/api/v1")

    @router.get("/me", tags=["system"], openapi_extra=scope(Scope.NONE))
    async def me(principal: Viewer) -> dict[str, Any]:
        scope = sorted(principal.stations) if principal.stations is not None else None
        return {
            "token_id": principal.token_id,
            "name": principal.name,
            "role": principal.role.name.lower(),
            "stations": scope,
        }

    @router.get("/fleet/summary", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def fleet_summary(ctx: Context, principal: Viewer) -> dict[str, Any]:
        """Station counts by state, power now, energy and sessions today: of the whole fleet, or of
        the token's stations when it is limited to some."""
        now = ctx.clock.now()
        only = principal.stations
        midnight = datetime.combine(now.date(), time(0), tzinfo=now.tzinfo)
        counts = select(
            func.count(),
            *(func.coalesce(func.sum(_state_condition(s).cast(Integer)), 0) for s in STATES),
        ).select_from(stations)
        energy = select(func.coalesce(func.sum(transactions.c.energy_wh), 0.0), func.count()).where(
            transactions.c.orphan.is_(False),
            or_(transactions.c.active.is_(True), transactions.c.stopped_at >= midnight),
        )
        unauthenticated = select(func.count()).select_from(stations).where(_unauthenticated_condition())
        if only is not None:
            counts = counts.where(stations.c.id.in_(sorted(only)))
            energy = energy.where(transactions.c.station_id.in_(sorted(only)))
            unauthenticated = unauthenticated.where(stations.c.id.in_(sorted(only)))
        gateway = ctx.gateway
        async with ctx.store.engine.connect() as conn:
            row = (await conn.execute(counts)).one()
            energy_row = (await conn.execute(energy)).one()
            unauthenticated_count = int((await conn.execute(unauthenticated)).scalar_one())
        by_state = dict(zip(STATES, (int(v) for v in row[1:]), strict=True))
        return {
            "stations": int(row[0]),
            **by_state,
            # on any node of a cluster
            "connected_now": gateway.connected_count()
            if only is None
            else sum(1 for sid in only if gateway.is_connected(sid)),
            "power_w": round(live.power_of(only), 1),
            "energy_today_wh": round(float(energy_row[0]), 1),
            "sessions_today": int(energy_row[1]),
            # profile-0 stations: no password, no certificate (the dashboard warns about them)
            "unauthenticated": unauthenticated_count,
            "at": format_datetime(now),
        }

    @router.get("/fleet/power", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def fleet_power(principal: Viewer) -> dict[str, Any]:
        """Fleet power now and its recent history. The history is kept for the whole fleet only, so
        a token limited to stations gets the power of its stations and no history points."""
        if principal.stations is not None:
            return {"step_s": live.step_s, "power_w": round(live.power_of(principal.stations), 1), "points": []}
        return {
            "step_s": live.step_s,
            "power_w": round(live.total_w, 1),
            "points": [[round(t, 3), round(w, 1)] for t, w in live.history],
        }

    @router.get("/fleet/facets", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def fleet_facets(ctx: Context, principal: Viewer) -> dict[str, Any]:
        out: dict[str, Any] = {"states": list(STATES)}
        async with ctx.store.engine.connect() as conn:
            for name in ("vendor", "model", "firmware_version", "ocpp_version"):
                column = stations.c[name]
                query = select(column).where(column.is_not(None)).distinct().order_by(column).limit(500)
                if principal.stations is not None:
                    query = query.where(stations.c.id.in_(sorted(principal.stations)))
                out[name] = [r[0] for r in await conn.execute(query)]
        return out

    @router.get("/fleet/stations", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def fleet_stations(
        ctx: Context,
        principal: Viewer,
        limit: Limit = 50,
        offset: Offset = 0,
        q: Text = None,
        state: Literal["online", "offline", "charging", "faulted", "available"] | None = None,
        vendor: Text = None,
        model: Text = None,
        firmware_version: Text = None,
        ocpp_version: Text = None,
        unauthenticated: bool | None = None,
        sort: Literal["id", "vendor", "model", "firmware_version", "ocpp_version", "last_seen"] = "id",
        order: Literal["asc", "desc"] = "asc",
    ) -> dict[str, Any]:
        conditions: list[ColumnElement[bool]] = []
        if principal.stations is not None:
            conditions.append(stations.c.id.in_(sorted(principal.stations)))
        if q:
            # case-insensitive on both databases (SQLite's LIKE is, PostgreSQL's is not)
            conditions.append(func.lower(stations.c.id).contains(q.lower(), autoescape=True))
        if state:
            conditions.append(_state_condition(state))
        if unauthenticated is not None:
            condition = _unauthenticated_condition()
            conditions.append(condition if unauthenticated else ~condition)
        for name, value in (
            ("vendor", vendor),
            ("model", model),
            ("firmware_version", firmware_version),
            ("ocpp_version", ocpp_version),
        ):
            if value:
                conditions.append(stations.c[name] == value)
        column = SORTABLE[sort]
        ordering = [column.desc() if order == "desc" else column.asc()]
        if sort != "id":
            ordering.append(stations.c.id.asc())
        query = select(stations).where(*conditions).order_by(*ordering).limit(limit).offset(offset)
        total_query = select(func.count()).select_from(stations).where(*conditions)
        async with ctx.store.engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
            total = int((await conn.execute(total_query)).scalar_one())
            ids = [r["id"] for r in rows]
            active = {
                r[0]
                for r in await conn.execute(
                    select(transactions.c.station_id)
                    .where(
                        transactions.c.station_id.in_(ids),
                        transactions.c.active.is_(True),
                        transactions.c.orphan.is_(False),
                    )
                    .distinct()
                )
            }
        items = await _views(ctx, rows)
        for item in items:
            item["state"] = _station_state(item, item["id"] in active)
            item["power_w"] = round(sum(w for (sid, _e), w in live.power_w.items() if sid == item["id"]), 1)
        next_offset = offset + len(items)
        return {
            "items": items,
            "total": total,
            "limit": limit,
            "offset": offset,
            "next_offset": next_offset if next_offset < total else None,
        }

    @router.get("/fleet/faults", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def fleet_faults(ctx: Context, principal: Viewer, active: bool = True, limit: Limit = 20) -> dict[str, Any]:
        query = select(faults).order_by(faults.c.raised_at.desc(), faults.c.id.desc()).limit(limit)
        if principal.stations is not None:
            query = query.where(faults.c.station_id.in_(sorted(principal.stations)))
        if active:
            query = query.where(faults.c.cleared_at.is_(None))
        async with ctx.store.engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        return {"items": [{"station_id": r["station_id"], **fault_view(r)} for r in rows]}

    @router.get("/fleet/events", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def fleet_events(ctx: Context, principal: Viewer, kind: Text = None, limit: Limit = 20) -> dict[str, Any]:
        # The fleet feed is about stations: server security events that name none (refused TLS
        # handshakes) are listed by GET /api/v1/security-events (admin).
        query = (
            select(station_events)
            .where(station_events.c.station_id.is_not(None))
            .order_by(station_events.c.id.desc())
            .limit(limit)
        )
        if principal.stations is not None:
            query = query.where(station_events.c.station_id.in_(sorted(principal.stations)))
        if kind:
            query = query.where(station_events.c.kind == kind)
        async with ctx.store.engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        return {"items": rows}

    @router.get("/fleet/sessions", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def fleet_sessions(
        ctx: Context,
        principal: Viewer,
        station_id: Text = None,
        id_token: Text = None,
        active: bool | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        conditions: list[ColumnElement[bool]] = []
        if principal.stations is not None:
            conditions.append(transactions.c.station_id.in_(sorted(principal.stations)))
        if station_id:
            conditions.append(transactions.c.station_id == station_id)
        if id_token:
            conditions.append(transactions.c.id_token == id_token)
        if active is not None:
            conditions.append(transactions.c.active.is_(active))
        if since is not None:
            conditions.append(or_(transactions.c.started_at >= since, transactions.c.stopped_at >= since))
        if until is not None:
            conditions.append(transactions.c.started_at < until)
        query = select(transactions).where(*conditions).order_by(transactions.c.pk.desc()).limit(limit).offset(offset)
        totals = select(func.count(), func.coalesce(func.sum(transactions.c.energy_wh), 0.0)).where(*conditions)
        async with ctx.store.engine.connect() as conn:
            rows = [dict(r) for r in (await conn.execute(query)).mappings()]
            count, energy = (await conn.execute(totals)).one()
        items = [transaction_view(aware_row(r)) for r in rows]
        next_offset = offset + len(items)
        return {
            "items": items,
            "total": int(count),
            "energy_wh": round(float(energy), 1),
            "limit": limit,
            "offset": offset,
            "next_offset": next_offset if next_offset < int(count) else None,
        }

    @router.get("/events/stream", tags=["fleet"], openapi_extra=scope(Scope.FILTERED))
    async def event_stream(
        ctx: Context,
        principal: Viewer,
        station_id: Text = None,
        kinds: Annotated[str | None, Query(max_length=1000)] = None,
    ) -> StreamingResponse:
        wanted = None
        if kinds:
            known = {k.value for k in EventKind}
            wanted = {EventKind(k) for k in (p.strip() for p in kinds.split(",")) if k in known}
        return StreamingResponse(
            _stream(
                ctx,
                live,
                _Filter(station_id, principal.stations, wanted),
                stream_tick_s,
                stream_queue,
                stream_batch_s,
            ),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return router


async def _views(ctx: ApiContext, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = [aware_row(r) for r in rows]
    ids = [r["id"] for r in rows]
    conns = await ctx.store.connectors_of(ids)
    active_faults = await ctx.store.faults_of(ids)
    return [
        station_view(r, conns[r["id"]], active_faults[r["id"]], live=ctx.gateway.is_connected(r["id"])) for r in rows
    ]


@dataclass(frozen=True, slots=True)
class _Filter:
    """What one stream client gets: one station (``?station_id=``) or all, within the token's
    stations (``only``; None: every station, and events of no station too), of these kinds."""

    station_id: str | None
    only: frozenset[str] | None
    kinds: set[EventKind] | None

    def wants(self, event: DomainEvent) -> bool:
        if self.only is not None and event.station_id not in self.only:  # "" (no station) is never in it
            return False
        return self.station_id is None or event.station_id == self.station_id


async def _stream(
    ctx: ApiContext,
    live: LiveState,
    what: _Filter,
    tick_s: float,
    queue_size: int,
    batch_s: float = STREAM_BATCH_S,
) -> AsyncIterator[str]:
    """One client's stream: ``hello``, then bus events as they come, a ``fleet.power`` tick every
    ``tick_s`` (it doubles as a keep-alive; the power of the token's stations when it is limited to
    some), and ``gap`` when events were dropped for this client.

    Events are sent in batches: after the first event of a quiet stream, what arrives within
    ``batch_s`` goes out with it as one chunk (at most ``STREAM_BATCH_MAX`` events). A dashboard
    watching 1,000 meter samples a second then costs the node about 1/``batch_s`` wake-ups and
    writes a second instead of one per event; each event keeps its own ``id:`` and frame."""
    sub = ctx.bus.subscribe(f"sse-{id(object())}", what.kinds, queue_size=queue_size)
    seq = 0
    dropped = 0
    try:
        yield "retry: 3000\n\n"
        yield _sse("hello", {"at": format_datetime(ctx.clock.now()), "power_w": round(live.power_of(what.only), 1)})
        next_tick = monotonic() + tick_s
        while not live.closing.is_set():
            wait = min(0.5, next_tick - monotonic())
            if wait <= 0:
                next_tick = monotonic() + tick_s
                at = ctx.clock.now()
                power = live.power_of(what.only)
                yield _sse("fleet.power", {"at": format_datetime(at), "t": at.timestamp(), "power_w": power})
                continue
            try:
                async with asyncio.timeout(wait):
                    first = await sub.get()
            except TimeoutError:
                continue
            if batch_s > 0 and sub.queue.qsize() < STREAM_BATCH_MAX:
                await asyncio.sleep(batch_s)
            events = [first, *sub.drain(STREAM_BATCH_MAX - 1)]
            chunk: list[str] = []
            if sub.dropped != dropped:
                dropped = sub.dropped
                chunk.append(_sse("gap", {"dropped": dropped}))
            for event in events:
                if what.wants(event):
                    seq += 1
                    chunk.append(_sse(event.kind.value, event.to_json(), seq))
            if chunk:
                yield "".join(chunk)
    finally:
        ctx.bus.unsubscribe(sub)
