"""The transaction-status extension: GetTransactionStatus routes and the wait for missing events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.txstatus.routes import build_router
from chargebridge.txstatus.service import CompletenessService, CompletenessSettings

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class TransactionStatusExtension:
    name = "transaction-status"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.service: CompletenessService | None = None

    def routers(self) -> list[APIRouter]:
        return [build_router(self)]

    async def start(self, context: ApiContext) -> None:
        s = self.settings
        tick = max(0.2, min(2.0, s.transaction_gap_grace_s / 4 if s.transaction_gap_grace_s else 2.0))
        self.service = CompletenessService(
            context.store,
            context.bus,
            context.gateway,
            context.clock,
            CompletenessSettings(wait_s=s.transaction_gap_wait_s, grace_s=s.transaction_gap_grace_s, tick_s=tick),
        )
        self.service.start()

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
