"""The device model extension: wires the device model, monitoring, customer information and
display message services into a node.

On start (before the OCPP listener opens) it registers the handlers of NotifyReport,
NotifyMonitoringReport, NotifyCustomerInformation and NotifyDisplayMessages with the station
request services, the monitor-event hook of NotifyEvent, and the gateway executors that split
GetVariables/GetConfiguration, SetVariables, SetVariableMonitoring and ClearVariableMonitoring
by the station's message limits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.devicemodel.customer import CustomerInformationService
from chargebridge.devicemodel.display import DisplayMessageService
from chargebridge.devicemodel.monitoring import MonitoringService
from chargebridge.devicemodel.routes import build_routers
from chargebridge.devicemodel.service import DeviceModelService

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class DeviceModelExtension:
    name = "devicemodel"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.core: DeviceModelService | None = None
        self.monitoring: MonitoringService | None = None
        self.customer: CustomerInformationService | None = None
        self.display: DisplayMessageService | None = None

    def routers(self) -> list[APIRouter]:
        return build_routers(self)

    async def start(self, context: ApiContext) -> None:
        core = DeviceModelService(context.store, context.gateway, context.bus, context.clock, context.requests)
        monitoring = MonitoringService(core)
        customer = CustomerInformationService(core)
        display = DisplayMessageService(core)
        for service in (core, monitoring, customer, display):
            service.start()
        self.core, self.monitoring, self.customer, self.display = core, monitoring, customer, display

    async def stop(self) -> None:
        self.core = self.monitoring = self.customer = self.display = None
