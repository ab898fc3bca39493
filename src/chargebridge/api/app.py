"""The FastAPI application factory."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline

from chargebridge import __version__
from chargebridge.api.auth import api_routes, install_auth
from chargebridge.api.certificate_routes import install_certificates
from chargebridge.api.deps import ApiContext
from chargebridge.api.errors import validation_error_handler
from chargebridge.api.health import install_health
from chargebridge.api.limits import BodyLimitMiddleware, BodyLimits, streamed_routes
from chargebridge.api.routes import router
from chargebridge.api.security_routes import install_security


def operation_id(route: APIRoute) -> str:
    """A route's OpenAPI ``operationId``: its handler's name. The client SDK's functions are named
    after it (``chargebridge_client.api.<tag>.<operationId>``), so it must not change when other
    routes come and go; a route whose handler name is taken passes ``operation_id=`` itself."""
    return route.name


def operation_id_problems(app: FastAPI) -> list[str]:
    """Operation ids used by more than one (method, path): the SDK could not name them apart."""
    seen: dict[str, list[str]] = defaultdict(list)
    for path, route in api_routes(app.routes):
        if isinstance(route, APIRoute) and route.include_in_schema:
            for method in sorted(route.methods or ()):
                seen[route.unique_id].append(f"{method} {path}")
    return [
        f"operationId {name!r} is used by {', '.join(uses)}: give the routes operation_id=... of their own"
        for name, uses in sorted(seen.items())
        if len(uses) > 1
    ]


def truthful_422(document: dict[str, Any]) -> dict[str, Any]:
    """A 422 carries FastAPI's list of validation errors or, when a handler refuses a value
    itself (``HTTPException(422, "...")``), one message: say so in the schema, so that a client
    generated from it (the SDK) parses both."""
    schema = document.get("components", {}).get("schemas", {}).get("HTTPValidationError")
    if schema is not None:
        detail = schema["properties"]["detail"]
        if "anyOf" not in detail:
            schema["properties"]["detail"] = {"anyOf": [detail, {"type": "string"}], "title": "Detail"}
    return document


def create_api(context: ApiContext, extra_routers: list[APIRouter] | None = None) -> FastAPI:
    # /docs (Swagger UI) and /redoc load their scripts from the package (fastapi-offline ships them,
    # under /static-offline-docs), never from a CDN: chargers' networks and labs are often offline.
    app = FastAPIOffline(
        title="chargebridge",
        version=__version__,
        description="Operator API of chargebridge: stations, transactions, id tokens and remote commands.",
        generate_unique_id_function=operation_id,
    )
    app.state.cb = context
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.include_router(router)
    settings = context.settings
    limits = BodyLimits(settings.api_max_body_bytes, settings.api_max_json_depth, settings.api_max_json_items)
    # Added before install_security's audit middleware, so it runs inside it: a token that is
    # refused for its body's size is still named in the audit log.
    routers = [router, *(extra_routers or [])]
    app.add_middleware(BodyLimitMiddleware, limits=limits, streamed=streamed_routes(routers))
    install_security(app)
    install_certificates(app)
    install_health(app)  # /healthz, /readyz, 503 for an unreachable database
    for extra in extra_routers or []:
        app.include_router(extra)

    @app.get("/health", tags=["system"])
    async def health() -> dict[str, object]:
        return {"status": "ok", "connected_stations": len(context.gateway.connections)}

    install_auth(app)  # last: checks that every /api route above declares its station scope
    problems = operation_id_problems(app)
    if problems:
        raise RuntimeError("; ".join(problems))
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = truthful_422(plain_openapi())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
