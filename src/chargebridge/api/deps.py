"""What the API handlers need, injected by the composition root (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Path, Query, Request

from chargebridge.bus.memory import EventBus
from chargebridge.config import Settings
from chargebridge.gateway.server import Gateway
from chargebridge.readiness import Readiness
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Store


@dataclass(frozen=True, slots=True)
class ApiContext:
    store: Store
    gateway: Gateway
    bus: EventBus
    clock: Clock
    settings: Settings
    # What /readyz checks; extensions add theirs in start() (see chargebridge/readiness.py).
    readiness: Readiness = field(default_factory=Readiness)


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.cb
    return context


Context = Annotated[ApiContext, Depends(_context)]


# Integers from the URL are bounded so nothing larger than a BIGINT ever reaches the database.
_MAX_ROW = 2**63 - 1
Limit = Annotated[int, Query(ge=1, le=1000)]
Offset = Annotated[int, Query(ge=0, le=_MAX_ROW)]
RowId = Annotated[int, Path(ge=0, le=_MAX_ROW)]
