"""``/healthz`` (liveness), ``/readyz`` (readiness) and the answer to an unreachable database.

- ``GET /healthz``: 200 while the process serves HTTP. It does not fail when the database is
  away (restarting the node would not bring the database back, and would drop every station's
  socket); the body says how the database is.
- ``GET /readyz``: 200 when every readiness check passes (database reachable, not shutting
  down), else 503 with each check's result and the reason. For load balancers and orchestrators.
- Any route whose database read or write fails because the database is unreachable answers 503
  with ``Retry-After`` instead of a 500 or a hang.
"""

from __future__ import annotations

import logging
import traceback
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from chargebridge.api.deps import ApiContext, Context
from chargebridge.store.database import StoreUnavailable, is_unavailable

log = logging.getLogger(__name__)

RETRY_AFTER_S = 5

router = APIRouter(tags=["system"])


@router.get("/healthz")
async def healthz(ctx: Context) -> dict[str, Any]:
    health = ctx.store.health
    return {
        "status": "ok",
        "database": "up" if health.up else "unreachable",
        "connected_stations": len(ctx.gateway.connections),
    }


@router.get("/readyz", responses={503: {"description": "not ready; the body names the failing checks"}})
async def readyz(
    ctx: Context,
    checks: Annotated[str | None, Query(max_length=200, description="only these checks, comma-separated")] = None,
) -> JSONResponse:
    """Every readiness check (database; NATS in cluster mode); ``?checks=database``: only those named
    (what a load balancer gates new stations on, see docs/scaling.md)."""
    only = {name.strip() for name in checks.split(",") if name.strip()} if checks else None
    unknown = sorted((only or set()) - set(ctx.readiness.names))
    if unknown:
        return JSONResponse({"detail": f"unknown checks: {', '.join(unknown)}"}, status_code=422)
    ready, results = await ctx.readiness.evaluate(only)
    checks_ = results
    body: dict[str, Any] = {"status": "ready" if ready else "not_ready", "checks": checks_}
    if ctx.readiness.shutting_down:
        body["status"] = "shutting_down"
    if ready:
        return JSONResponse(body)
    reasons = [
        f"{name}: {check.get('reason') or check.get('status')}" for name, check in checks_.items() if not check["ok"]
    ]
    if ctx.readiness.shutting_down:
        reasons.insert(0, "shutting down")
    body["reason"] = "; ".join(reasons)
    return JSONResponse(
        body, status_code=status.HTTP_503_SERVICE_UNAVAILABLE, headers={"Retry-After": str(RETRY_AFTER_S)}
    )


def _unavailable() -> JSONResponse:
    return JSONResponse(
        {"detail": "database unavailable, try again later"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


async def _store_unavailable(_request: Request, _exc: Exception) -> JSONResponse:
    return _unavailable()


def _from_database(exc: BaseException) -> bool:
    """Raised inside SQLAlchemy or the database driver (asyncpg lets its own time limits out as a
    bare TimeoutError): not, say, a station that dropped its socket during a command."""
    if isinstance(exc, DBAPIError | PoolTimeout):
        return True
    return any(
        str(frame.f_globals.get("__name__", "")).startswith(_DATABASE_MODULES)
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


_DATABASE_MODULES = ("sqlalchemy.", "asyncpg.", "aiosqlite.")


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A raw driver or pool error from a route that reads the engine itself."""
    if not (is_unavailable(exc) and _from_database(exc)):
        log.error("Exception in %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"detail": "Internal Server Error"}, status_code=status.HTTP_500_INTERNAL_SERVER_ERROR)
    context: ApiContext = request.app.state.cb
    context.store.health.failed(exc)
    context.store.health.refused_reads += 1
    return _unavailable()


def install_health(app: FastAPI) -> None:
    app.include_router(router)
    app.add_exception_handler(StoreUnavailable, _store_unavailable)
    for error in (DBAPIError, PoolTimeout, TimeoutError, ConnectionError):
        app.add_exception_handler(error, _database_error)
