"""The validation extension: wires the bench into a node (routes, the service, the firmware
compatibility matrix's validated level). It uses the firmware and authorization capabilities
when they run on the node (their cases are skipped with a reason otherwise)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter

from chargebridge.validation.bench import Ports
from chargebridge.validation.routes import build_routers
from chargebridge.validation.service import ValidationService

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class ValidationExtension:
    name = "validation"

    def __init__(self, settings: Settings, others: Sequence[Any] = ()):
        self.settings = settings
        self.others = list(others)
        self.service: ValidationService | None = None

    def routers(self) -> list[APIRouter]:
        return build_routers(self)

    def _other(self, name: str) -> Any:
        return next((ext for ext in self.others if getattr(ext, "name", None) == name), None)

    async def start(self, context: ApiContext) -> None:
        firmware = self._other("firmware")
        authorization = self._other("authorization")
        ports = Ports(
            store=context.store,
            gateway=context.gateway,
            clock=context.clock,
            settings=context.settings,
            requests=context.requests,
            command_observers=context.command_observers,
            firmware=getattr(firmware, "service", None),
            reservations=getattr(authorization, "reservations", None),
            local_list=getattr(authorization, "local_list", None),
        )
        self.service = ValidationService(ports)
        await self.service.start()
        if ports.firmware is not None:
            ports.firmware.matrix_annotators.append(self.service.annotate_matrix)

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
