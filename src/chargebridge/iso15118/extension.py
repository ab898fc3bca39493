"""The ISO 15118 extension: trust anchors, V2G sub-CA, OCSP and contract certificates on a node."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.iso15118.contracts import build_provider
from chargebridge.iso15118.ocsp import OcspClient, OcspSettings
from chargebridge.iso15118.routes import build_router
from chargebridge.iso15118.service import Iso15118Service
from chargebridge.iso15118.v2g import V2GSigner, load_sub_ca

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class Iso15118Extension:
    name = "iso15118"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.service: Iso15118Service | None = None

    def routers(self) -> list[APIRouter]:
        return [build_router(self)]

    async def start(self, context: ApiContext) -> None:
        s = self.settings
        if (s.v2g_sub_ca_file is None) != (s.v2g_sub_ca_key_file is None):
            raise ValueError("v2g_sub_ca_file and v2g_sub_ca_key_file are given together")
        clock = context.clock
        service = Iso15118Service(
            context.requests,
            OcspClient(
                OcspSettings(
                    timeout_s=s.ocsp_timeout_s,
                    cache_size=s.ocsp_cache_size,
                    max_cache_s=s.ocsp_max_cache_s,
                    allowed_hosts=tuple(s.ocsp_allowed_hosts),
                ),
                clock.now,
            ),
            build_provider(s, clock.now),
            provider_timeout_s=s.contract_provider_timeout_s,
            fail_open=s.pnc_ocsp_unreachable == "accept",
        )
        if s.v2g_sub_ca_file is not None and s.v2g_sub_ca_key_file is not None:
            service.v2g_signer = V2GSigner(
                load_sub_ca(s.v2g_sub_ca_file, s.v2g_sub_ca_key_file),
                service.v2g_roots,
                clock.now,
                valid_days=s.v2g_certificate_days,
                ocsp_url=s.v2g_ocsp_url,
            )
        await service.start()
        self.service = service

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()
