"""The authorization extension: reservations and local authorization lists on a node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.authorization.local_list_service import LocalListOptions, LocalListService
from chargebridge.authorization.reservation_service import ReservationOptions, ReservationService
from chargebridge.authorization.routes import build_routers
from chargebridge.domain.authorization import ReservationStatusUpdateRequest

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class AuthorizationExtension:
    name = "authorization"

    def __init__(
        self,
        settings: Settings,
        reservation_options: ReservationOptions | None = None,
        local_list_options: LocalListOptions | None = None,
    ):
        self.settings = settings
        self.reservation_options = reservation_options or ReservationOptions()
        self.local_list_options = local_list_options or LocalListOptions(policy=settings.local_list_policy)
        self.reservations: ReservationService | None = None
        self.local_list: LocalListService | None = None

    def routers(self) -> list[APIRouter]:
        return build_routers(self)

    async def start(self, context: ApiContext) -> None:
        reservations = ReservationService(
            context.store, context.gateway, context.bus, context.clock, self.reservation_options
        )
        await reservations.start()
        context.requests.register(ReservationStatusUpdateRequest, reservations.status_update)
        context.requests.transaction_policy = reservations
        self.reservations = reservations
        self.local_list = LocalListService(
            context.store, context.gateway, context.bus, context.clock, self.local_list_options
        )
        await self.local_list.start()
        context.requests.authorization.add_policy(self.local_list.offline)

    async def stop(self) -> None:
        if self.local_list is not None:
            await self.local_list.stop()
        if self.reservations is not None:
            await self.reservations.stop()
