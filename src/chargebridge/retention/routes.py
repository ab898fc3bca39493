"""Routes: the aggregates of a station's meter samples, and the retention job's state.

- ``GET /api/v1/stations/{station_id}/meter-aggregates``: per-session, per-hour aggregates of
  samples older than the raw retention (viewer).
- ``GET /api/v1/retention``: the policy and the job's progress (viewer, fleet-wide).
- ``POST /api/v1/retention/run``: run the job now and wait for it (admin, fleet-wide).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, status

from chargebridge.api.auth import Admin, Scope, Viewer, scope
from chargebridge.api.deps import Context, Offset
from chargebridge.retention.store import aggregate_view

if TYPE_CHECKING:
    from chargebridge.retention.extension import RetentionExtension
    from chargebridge.retention.service import RetentionJob

StationId = Annotated[str, Path(min_length=1, max_length=48)]
Text = Annotated[str | None, Query(max_length=64)]


def build_router(ext: RetentionExtension) -> APIRouter:
    api = APIRouter(prefix="/api/v1")

    def job() -> RetentionJob:
        if ext.job is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the retention job is not running")
        return ext.job

    @api.get("/stations/{station_id}/meter-aggregates", tags=["stations"], openapi_extra=scope(Scope.STATION))
    async def meter_aggregates(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        since: datetime | None = None,
        until: datetime | None = None,
        transaction_id: Annotated[str | None, Query(max_length=36)] = None,
        measurand: Text = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        if await ctx.store.get_station(station_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
        rows = await job().store.list_aggregates(
            station_id,
            since=since,
            until=until,
            transaction_id=transaction_id,
            measurand=measurand,
            limit=limit,
            offset=offset,
        )
        return {"items": [aggregate_view(r) for r in rows], "limit": limit, "offset": offset}

    @api.get("/retention", tags=["system"], openapi_extra=scope(Scope.FLEET))
    async def retention_status(_: Viewer) -> dict[str, Any]:
        current = job()
        oldest = await current.store.oldest_sample_at()
        oldest_event = await current.store.oldest_event_at()
        return {**current.status(), "oldest_sample_at": oldest, "oldest_event_at": oldest_event}

    @api.post("/retention/run", tags=["system"], openapi_extra=scope(Scope.FLEET))
    async def retention_run(_: Admin) -> dict[str, Any]:
        current = job()
        if not current.enabled:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                "meter_retention_days and station_event_retention_days are 0: everything is kept forever",
            )
        if current.running:
            raise HTTPException(status.HTTP_409_CONFLICT, "a retention run is already under way")
        result = await current.run_once()
        return {
            "cutoff": result.cutoff,
            "batches": result.batches,
            "deleted": result.deleted,
            "kept": result.kept,
            "aggregates": result.aggregates,
            "events_deleted": result.events_deleted,
            "event_cutoff": result.event_cutoff,
            "seconds": round(result.seconds, 3),
        }

    return api
