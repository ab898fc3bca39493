"""The retention extension: the background job, its routes, and its counters on /metrics."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi import APIRouter

from chargebridge.retention.routes import build_router
from chargebridge.retention.service import RetentionJob, RetentionPolicy
from chargebridge.retention.store import RetentionStore

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings


class RetentionExtension:
    name = "retention"

    def __init__(self, settings: Settings):
        self.settings = settings
        self.job: RetentionJob | None = None

    def routers(self) -> list[APIRouter]:
        return [build_router(self)]

    async def start(self, context: ApiContext) -> None:
        s = self.settings
        policy = RetentionPolicy(
            days=s.meter_retention_days,
            event_days=s.station_event_retention_days,
            interval_s=s.retention_interval_s,
            batch_size=s.retention_batch_size,
        )
        self.job = RetentionJob(RetentionStore(context.store), context.clock, policy)
        context.stats_reporters.append(self)
        self.job.start()

    def stats(self) -> Mapping[str, float]:
        return self.job.stats() if self.job is not None else {}

    async def stop(self) -> None:
        if self.job is not None:
            await self.job.stop()
