"""The smart charging extension: wires the service into a node (request handlers, command
observer, routes). Started before the OCPP listener opens, so every block K message a station
sends finds its handler."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.domain import charging as ch
from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.smartcharging.routes import build_router
from chargebridge.smartcharging.service import SmartChargingService

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class SmartChargingExtension:
    name = "smartcharging"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.service: SmartChargingService | None = None

    def routers(self) -> list[APIRouter]:
        return [build_router(self)]

    async def start(self, context: ApiContext) -> None:
        self.service = SmartChargingService(
            context.store,
            context.gateway,
            context.bus,
            context.clock,
            report_timeout_s=self.settings.call_timeout_s,
        )
        self.service.register(context.requests)
        context.command_observers.append(self.observe_command)
        self.service.start()

    async def observe_command(self, station_id: str, command: Command, outcome: CommandOutcome) -> None:
        """Profiles set or cleared through the neutral command route are recorded like the route's own."""
        service = self.service
        if service is None or outcome.status != "Accepted":
            return
        if isinstance(command, ch.SetChargingProfile):
            await service.installed(station_id, command.evse_id, command.profile)
        elif isinstance(command, ch.ClearChargingProfile):
            await service.cleared(station_id, command)

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
