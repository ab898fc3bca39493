"""What the API handlers need, injected by the composition root (no module globals)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Path, Query, Request

from chargebridge.bus.memory import EventBus
from chargebridge.cluster.leases import Leases, LocalLeases
from chargebridge.config import Settings
from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.gateway.server import Gateway
from chargebridge.readiness import Readiness
from chargebridge.security.bearer import BearerGuard
from chargebridge.services.clock import Clock
from chargebridge.services.station_requests import StationRequests
from chargebridge.store.repository import Store

CommandObserver = Callable[[str, Command, CommandOutcome], Awaitable[None]]
if TYPE_CHECKING:
    from chargebridge.cluster.node import ClusterNode
# Takes the fields of a PATCH /api/v1/stations/{id} body that a capability keeps (station id, the
# fields given, the caller's principal); checks them before anything is written (HTTPException),
# stores them and returns what to add to the answer ({} when the body has none of its fields).
StationUpdater = Callable[[str, dict[str, Any], Any], Awaitable[dict[str, Any]]]


@dataclass(frozen=True, slots=True)
class ApiContext:
    store: Store
    gateway: Gateway
    bus: EventBus
    clock: Clock
    settings: Settings
    # The station-request services: capability extensions register their request handlers here.
    requests: StationRequests
    # Told of every command the command route sent and its answer: (station_id, command, outcome).
    # Capability extensions add theirs when they start (smart charging stores accepted profiles).
    command_observers: list[CommandObserver] = field(default_factory=list)
    # What /readyz checks; extensions add theirs in start() (see chargebridge/readiness.py).
    readiness: Readiness = field(default_factory=Readiness)
    # Cluster mode (docs/scaling.md): this node's membership; None on one node.
    cluster: ClusterNode | None = None
    # Background work once per network (campaign steps, sweeps, re-plans): see cluster/leases.py.
    leases: Leases = field(default_factory=LocalLeases)
    # Extensions whose counters /metrics exports (``name`` and ``stats()``, integrations.base.ReportsStats);
    # they add themselves when they start (the retention job).
    stats_reporters: list[Any] = field(default_factory=list)
    # Capability settings of PATCH /api/v1/stations/{id} (energy: site_id, max_current_a, priority).
    station_updaters: list[StationUpdater] = field(default_factory=list)
    # Refused bearer tokens of this API: counted, logged, throttled per source address.
    bearer_guard: BearerGuard = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        s = self.settings
        guard = BearerGuard(s.api_auth_failure_limit, s.api_auth_failure_window_s, s.api_auth_lockout_s)
        object.__setattr__(self, "bearer_guard", guard)


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.cb
    return context


Context = Annotated[ApiContext, Depends(_context)]


# Integers from the URL are bounded so nothing larger than a BIGINT ever reaches the database.
_MAX_ROW = 2**63 - 1
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=_MAX_ROW)]
RowId = Annotated[int, Path(ge=0, le=_MAX_ROW)]
