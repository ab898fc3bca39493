"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from chargebridge import __version__
from chargebridge.api.certificate_routes import install_certificates
from chargebridge.api.deps import ApiContext
from chargebridge.api.health import install_health
from chargebridge.api.routes import router
from chargebridge.api.security_routes import install_security


def create_api(context: ApiContext, extra_routers: list[APIRouter] | None = None) -> FastAPI:
    app = FastAPI(
        title="chargebridge",
        version=__version__,
        description="Operator API of chargebridge: stations, transactions, id tokens and remote commands.",
    )
    app.state.cb = context
    app.include_router(router)
    install_security(app)
    install_certificates(app)
    install_health(app)  # /healthz, /readyz, 503 for an unreachable database
    for extra in extra_routers or []:
        app.include_router(extra)

    @app.get("/health", tags=["system"])
    async def health() -> dict[str, object]:
        return {"status": "ok", "connected_stations": len(context.gateway.connections)}

    return app
