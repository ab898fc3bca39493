"""What the API handlers need, injected by the composition root (no module globals)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from chargebridge.bus.memory import EventBus
from chargebridge.config import Settings
from chargebridge.gateway.server import Gateway
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Store


@dataclass(frozen=True, slots=True)
class ApiContext:
    store: Store
    gateway: Gateway
    bus: EventBus
    clock: Clock
    settings: Settings


def _context(request: Request) -> ApiContext:
    context: ApiContext = request.app.state.cb
    return context


Context = Annotated[ApiContext, Depends(_context)]
