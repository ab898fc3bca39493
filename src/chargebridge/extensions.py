"""Extensions: integrations that ride on a running node (MQTT bridge, webhooks, dashboard, ...).

Each one has the same lifecycle: it may contribute API routers (collected before the API is
built), is started once the store, bus and gateway run, and is stopped before them. The
composition root builds the list in :func:`build_extensions` from the settings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from fastapi import APIRouter

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class Extension(Protocol):
    name: str

    def routers(self) -> list[APIRouter]:
        """API routers this extension serves (may be empty)."""
        ...

    async def start(self, context: ApiContext) -> None: ...

    async def stop(self) -> None: ...


def build_extensions(settings: Settings) -> list[Extension]:
    """Every extension the settings enable. One line per extension; keep the order stable."""
    extensions: list[Extension] = []
    from chargebridge.web.extension import DashboardExtension  # the dashboard is always on

    extensions.append(DashboardExtension(settings))
    from chargebridge.integrations import build_integrations  # [metrics] [mqtt] [webhooks] [exports] of the TOML file

    extensions.extend(build_integrations(settings))
    from chargebridge.firmware.extension import FirmwareExtension  # registry, matrix, OTA campaigns, diagnostics

    extensions.append(FirmwareExtension(settings))
    from chargebridge.smartcharging.extension import SmartChargingExtension  # profiles, limits, ISO 15118 needs

    extensions.append(SmartChargingExtension(settings))
    from chargebridge.authorization.extension import AuthorizationExtension  # reservations, local authorization lists

    extensions.append(AuthorizationExtension(settings))
    from chargebridge.devicemodel.extension import DeviceModelExtension  # device model, monitoring, display messages

    extensions.append(DeviceModelExtension(settings))
    from chargebridge.iso15118.extension import Iso15118Extension  # V2G/MO roots, V2G sub-CA, OCSP, contracts

    extensions.append(Iso15118Extension(settings))
    from chargebridge.txstatus.extension import TransactionStatusExtension  # GetTransactionStatus, seqNo gaps

    extensions.append(TransactionStatusExtension(settings))
    from chargebridge.billing.extension import BillingExtension  # tariffs, CDRs, running cost, OCMF ([billing])

    extensions.append(BillingExtension(settings))
    from chargebridge.edges.extension import EdgesExtension  # site controllers: batches, devices, diagnostics

    extensions.append(EdgesExtension(settings))
    from chargebridge.retention.extension import RetentionExtension  # meter samples -> hourly aggregates

    extensions.append(RetentionExtension(settings))
    from chargebridge.energy.extension import EnergyExtension  # sites, grid limits, load balancing, curtailment

    extensions.append(EnergyExtension(settings, extensions))  # finds smart charging, MQTT and metrics in the list
    return extensions
