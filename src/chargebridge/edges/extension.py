"""The edges extension: the server side of ``chargebridge edge`` (routes, service)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.edges.brokers import MqttConsumer, NatsConsumer
from chargebridge.edges.config import EdgesConfig
from chargebridge.edges.routes import build_router
from chargebridge.edges.service import EdgeService

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class EdgesExtension:
    name = "edges"

    def __init__(self, settings: Settings, config: EdgesConfig | None = None):
        from chargebridge.integrations.config import config_from_settings

        self.settings = settings
        self.config = config if config is not None else config_from_settings(settings).edges
        self.service: EdgeService | None = None
        self.consumers: list[MqttConsumer | NatsConsumer] = []

    def routers(self) -> list[APIRouter]:
        return [build_router(self)]

    async def start(self, context: ApiContext) -> None:
        self.service = EdgeService(context.store, context.bus, context.clock)
        if self.config.enabled:
            if self.config.mqtt_url is not None:
                self.consumers.append(MqttConsumer(self.config, self.service))
            if self.config.nats_url is not None:
                self.consumers.append(NatsConsumer(self.config, self.service))
        for consumer in self.consumers:
            consumer.start()

    async def stop(self) -> None:
        if self.service is not None:
            self.service.close()  # long polls and waiting diagnostics answer now, not at their deadline
        for consumer in self.consumers:
            await consumer.stop()  # bounded (cancel_and_wait)
        self.consumers = []
        self.service = None

    def stats(self) -> dict[str, float]:
        out = dict(self.service.stats()) if self.service is not None else {}
        for consumer in self.consumers:
            out.update(consumer.stats())
        return out
