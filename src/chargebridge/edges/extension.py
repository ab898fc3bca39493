"""The edges extension: the server side of ``chargebridge edge`` (routes, service)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.edges.routes import build_router
from chargebridge.edges.service import EdgeService

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class EdgesExtension:
    name = "edges"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.service: EdgeService | None = None

    def routers(self) -> list[APIRouter]:
        return [build_router(self)]

    async def start(self, context: ApiContext) -> None:
        self.service = EdgeService(context.store, context.bus, context.clock)

    async def stop(self) -> None:
        self.service = None

    def stats(self) -> dict[str, float]:
        return self.service.stats() if self.service is not None else {}
