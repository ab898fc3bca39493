"""/api/v1 certificate routes: station certificates, their expiry, and renewal.

The certificates come from ``station_certificates`` (see :mod:`chargebridge.security.certificates`);
installing, deleting and listing certificates on a station are commands of the command endpoint
(``install-certificate``, ``delete-certificate``, ``get-installed-certificate-ids``).
:func:`install_certificates` adds these routes to the API application.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, status

from chargebridge.api.auth import Admin, Scope, Viewer, scope
from chargebridge.api.deps import Context, Limit, Offset
from chargebridge.api.routes import COMMAND_FAILURES, _call_failure, _live_station
from chargebridge.domain.commands import TriggerMessage
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.security.certificates import ACTIVE, DELETED, PENDING, REJECTED, SUPERSEDED, list_certificates
from chargebridge.store.repository import Row

router = APIRouter(prefix="/api/v1")

StationId = Annotated[str, Path(min_length=1, max_length=48)]
StatusFilter = Literal["active", "pending", "rejected", "superseded", "deleted", "any"]
_STATUSES = {s: {s} for s in (ACTIVE, PENDING, REJECTED, SUPERSEDED, DELETED)}

# The message that makes a station send SignCertificate (1.6: ExtendedTriggerMessage SignChargePointCertificate).
RENEW_TRIGGER = "SignChargingStationCertificate"


def install_certificates(app: FastAPI) -> None:
    """Serve the certificate routes."""
    app.include_router(router)


def certificate_view(row: Row, now: datetime, *, with_pem: bool = False) -> dict[str, Any]:
    not_after = row["not_after"]
    view = {
        "id": row["id"],
        "station_id": row["station_id"],
        "certificate_type": row["certificate_type"],
        "origin": row["origin"],
        "status": row["status"],
        "serial_number": row["serial_number"],
        "subject": row["subject"],
        "issuer": row["issuer"],
        "fingerprint": row["fingerprint"],
        "hash_data": row["hash_data"],
        "not_before": row["not_before"],
        "not_after": not_after,
        # Whole days until expiry, rounded down; negative once expired. None: expiry unknown (reported only).
        "days_left": (not_after - now) // timedelta(days=1) if not_after is not None else None,
        "expired": not_after is not None and not_after <= now,
        "created_at": row["created_at"],
        "updated_at": row["updated_at"],
    }
    if with_pem:
        view["pem"] = row["pem"]
    return view


@router.get("/certificates", tags=["certificates"], openapi_extra=scope(Scope.FILTERED))
async def list_all_certificates(
    ctx: Context,
    principal: Viewer,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=36_500)] = None,
    station_id: Annotated[str | None, Query(max_length=48)] = None,
    status: StatusFilter = "active",
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Station certificates, soonest expiry first. ``expiring_within_days``: only those that expire
    within N days (expired ones included); ``status`` is ``active`` unless asked otherwise."""
    now = ctx.clock.now()
    rows = await list_certificates(
        ctx.store,
        station_id=station_id,
        only=principal.stations,
        expiring_before=now + timedelta(days=expiring_within_days) if expiring_within_days is not None else None,
        statuses=_STATUSES.get(status),
        limit=limit,
        offset=offset,
    )
    return {"items": [certificate_view(row, now) for row in rows], "limit": limit, "offset": offset}


@router.get("/stations/{station_id}/certificates", tags=["certificates"], openapi_extra=scope(Scope.STATION))
async def get_station_certificates(
    ctx: Context, _: Viewer, station_id: StationId, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Every certificate recorded for the station, whatever its status, with its PEM when known."""
    if await ctx.store.get_station(station_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
    now = ctx.clock.now()
    rows = await list_certificates(ctx.store, station_id=station_id, limit=limit, offset=offset)
    return {"items": [certificate_view(row, now, with_pem=True) for row in rows], "limit": limit, "offset": offset}


@router.post("/stations/{station_id}/certificates/renew", tags=["certificates"], openapi_extra=scope(Scope.STATION))
async def renew_certificate(ctx: Context, principal: Admin, station_id: StationId) -> dict[str, Any]:
    """Ask the station for a new CSR (2.0.1 TriggerMessage SignChargingStationCertificate, 1.6
    ExtendedTriggerMessage SignChargePointCertificate) and return its answer. When it accepts,
    it sends SignCertificate and the usual signing flow follows."""
    await _live_station(ctx, station_id)
    try:
        answer = await ctx.gateway.execute(station_id, TriggerMessage(RENEW_TRIGGER))
    except COMMAND_FAILURES as exc:
        raise _call_failure(exc) from exc
    result = {
        "action": answer.action,
        "status": answer.outcome.status,
        "response": answer.outcome.response,
        "round_trip_ms": round(answer.round_trip_ms, 3),
    }
    ctx.bus.publish(
        DomainEvent(
            EventKind.COMMAND_COMPLETED,
            station_id,
            ctx.clock.now(),
            {"command": "renew-certificate", **result, "by": principal.token_id},
        )
    )
    return result
