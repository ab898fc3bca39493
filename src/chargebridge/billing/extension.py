"""The billing extension: wires the billing service into a node (see docs/billing.md)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.billing.config import BillingConfig
from chargebridge.billing.datatransfer import data_transfer_hook
from chargebridge.billing.routes import build_routers
from chargebridge.billing.service import BillingService
from chargebridge.domain.commands import Command, CommandOutcome

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class BillingExtension:
    name = "billing"

    def __init__(self, settings: Settings | None = None, config: BillingConfig | None = None):
        if config is None:
            from chargebridge.integrations.config import config_from_settings

            config = config_from_settings(settings).billing if settings is not None else BillingConfig()
        self.config = config
        self.service: BillingService | None = None

    def routers(self) -> list[APIRouter]:
        return build_routers(self)

    async def start(self, context: ApiContext) -> None:
        if not self.config.enabled:
            return
        gateway = context.gateway

        async def execute(station_id: str, command: Command) -> CommandOutcome:
            return (await gateway.execute(station_id, command)).outcome

        self.service = BillingService(context.store, context.bus, context.clock, self.config, execute)
        self.service.start()
        service = self.service

        async def total_cost(station_id: str, version: str, transaction_id: str) -> Decimal | None:
            """TransactionEventResponse.totalCost at Ended, for 2.0.1 stations with running cost on,
            when the CDR just written is billable (a held CDR's amount is not told to the driver)."""
            price = service.final_cost(station_id, transaction_id)
            if version != "2.0.1" or price is None:
                return None
            if not service.running_cost_enabled(await service.billing.profile(station_id)):
                return None
            cdr = await service.billing.cdr_of_transaction(station_id, transaction_id)
            if cdr is None or cdr["verdict"] != "ok":
                return None
            return price.incl_vat if price.incl_vat is not None else price.excl_vat

        context.requests.total_cost_hook = total_cost
        # OCMF records sent by DataTransfer (1.6 vendor form); other DataTransfers go on to the vendor decoders
        context.requests.data_transfer_hook = data_transfer_hook(context.store, context.requests.data_transfer_hook)

    async def stop(self) -> None:
        if self.service is not None:
            await self.service.stop()

    def stats(self) -> dict[str, float]:
        if self.service is None:
            return {}
        return {
            "cdrs_written": float(self.service.cdrs_written),
            "cdrs_held": float(self.service.cdrs_held),
            "cost_updates_sent": float(self.service.cost_updates_sent),
        }
