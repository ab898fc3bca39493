"""The firmware extension: wires the firmware service and campaign manager into a node."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, status

from chargebridge.domain.publishing import PublishFirmwareStatusRequest
from chargebridge.firmware.campaign import CampaignManager
from chargebridge.firmware.publishing import Publisher
from chargebridge.firmware.requirements import UnknownRequirement, parse_requirements
from chargebridge.firmware.routes import build_routers
from chargebridge.firmware.service import FirmwareOptions, FirmwareService

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class FirmwareExtension:
    name = "firmware"

    def __init__(self, settings: Settings, options: FirmwareOptions | None = None):
        self.settings = settings
        self.options = options or FirmwareOptions(
            max_image_bytes=settings.firmware_max_image_bytes, max_upload_bytes=settings.diagnostics_max_upload_bytes
        )
        # Where stations reach chargebridge's HTTP port; None: the URL the operator's API request came in on.
        self.base_url: str | None = settings.firmware_base_url
        self.service: FirmwareService | None = None
        self.campaigns: CampaignManager | None = None
        self.publisher: Publisher | None = None
        self._context: ApiContext | None = None

    def routers(self) -> list[APIRouter]:
        return build_routers(self)

    async def start(self, context: ApiContext) -> None:
        self.service = FirmwareService(
            context.store,
            context.gateway,
            context.bus,
            context.clock,
            self.settings.data_dir,
            self.options,
            base_url=self.base_url,
            node_id=context.cluster.node if context.cluster is not None else None,
        )
        self.service.start()
        self.publisher = Publisher(self.service)
        context.requests.register(PublishFirmwareStatusRequest, self.publisher.status_notification)
        self.campaigns = CampaignManager(self.service, context.leases)
        await self.campaigns.start()
        self._context = context
        context.station_updaters.append(self.update_station_fields)

    async def update_station_fields(self, station_id: str, given: dict[str, Any], principal: Any) -> dict[str, Any]:
        """``PATCH /api/v1/stations/{id}``: ``required_profiles`` (requirement names; [] or null clears)."""
        if "required_profiles" not in given:
            return {}
        if self.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the firmware service is not running")
        try:
            requires = parse_requirements(given["required_profiles"] or [])
        except UnknownRequirement as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        by = getattr(principal, "name", None) or getattr(principal, "token_id", None)
        await self.service.db.set_requirements(station_id, requires, self.service.clock.now(), by)
        return {"required_profiles": requires}

    async def stop(self) -> None:
        if self._context is not None and self.update_station_fields in self._context.station_updaters:
            self._context.station_updaters.remove(self.update_station_fields)
        if self.campaigns is not None:
            await self.campaigns.stop()
        if self.service is not None:
            await self.service.stop()
