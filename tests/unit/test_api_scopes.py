"""The route-table check that keeps /api closed to station-scoped tokens by default, the scope
arithmetic of a principal, and the bearer-failure throttle, without sockets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI

from chargebridge.api.app import create_api
from chargebridge.api.auth import (
    Principal,
    Role,
    Scope,
    Viewer,
    api_routes,
    check_route_scopes,
    declared_scope,
    route_problems,
    scope,
)
from chargebridge.api.deps import ApiContext
from chargebridge.bus.memory import EventBus
from chargebridge.config import Settings
from chargebridge.extensions import build_extensions
from chargebridge.security import bearer
from chargebridge.security.bearer import BearerGuard
from chargebridge.services.clock import SystemClock


def app_with(router: APIRouter) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    return app


def test_every_api_route_must_declare_its_scope_and_authenticate() -> None:
    router = APIRouter(prefix="/api/v1")

    @router.get("/declared/{station_id}", openapi_extra=scope(Scope.STATION))
    async def declared(_: Viewer, station_id: str) -> dict[str, Any]:
        return {}

    @router.get("/forgotten")
    async def forgotten(_: Viewer) -> dict[str, Any]:
        return {}

    @router.get("/misdeclared", openapi_extra=scope(Scope.STATION))
    async def misdeclared(_: Viewer) -> dict[str, Any]:
        return {}

    @router.get("/open", openapi_extra=scope(Scope.NONE))
    async def open_route() -> dict[str, Any]:
        return {}

    @router.get("/typo", openapi_extra={"x-chargebridge-scope": "stations"})
    async def typo(_: Viewer) -> dict[str, Any]:
        return {}

    outside = APIRouter()

    @outside.get("/health")
    async def health() -> dict[str, Any]:
        return {}

    app = app_with(router)
    app.include_router(outside)
    problems = route_problems(app.routes)
    assert len(problems) == 4, problems
    assert any("/forgotten: no station scope declared" in p for p in problems)
    assert any("/typo: no station scope declared" in p for p in problems)
    assert any("/misdeclared: declares Scope.STATION but has no {station_id}" in p for p in problems)
    assert any("/open: does not authenticate" in p for p in problems)
    with pytest.raises(RuntimeError, match="/forgotten"):
        check_route_scopes(app)


def test_a_fully_declared_api_passes() -> None:
    router = APIRouter(prefix="/api/v1")

    @router.get("/stations", openapi_extra=scope(Scope.FILTERED))
    async def stations(_: Viewer) -> dict[str, Any]:
        return {}

    check_route_scopes(app_with(router))


def test_principal_scope_arithmetic() -> None:
    fleet = Principal("a", None, Role.ADMIN)
    site = Principal("b", None, Role.ADMIN, frozenset({"CP-1", "CP-2"}))
    assert fleet.covers(None) and fleet.covers(["X"]) and fleet.can_access("X")
    assert site.covers(["CP-1"]) and site.covers({"CP-1", "CP-2"})
    assert not site.covers(None)  # every station is wider than two
    assert not site.covers(["CP-1", "CP-3"])
    assert site.can_access("CP-2") and not site.can_access("CP-3")


def test_bearer_guard_locks_out_after_the_limit_and_ignores_missing_headers() -> None:
    now = [0.0]
    guard = BearerGuard(3, 60.0, 30.0, monotonic=lambda: now[0])
    for _ in range(10):
        guard.refused("192.0.2.1", bearer.MISSING, "GET", "/api/v1/stations")
    assert guard.retry_after("192.0.2.1") is None
    guard.refused("192.0.2.1", bearer.UNKNOWN, "GET", "/api/v1/stations")
    guard.refused("192.0.2.1", bearer.REVOKED, "GET", "/api/v1/stations")
    assert guard.retry_after("192.0.2.1") is None and guard.lockouts == 0
    guard.refused("192.0.2.1", bearer.EXPIRED, "GET", "/api/v1/stations")
    assert guard.lockouts == 1
    assert guard.retry_after("192.0.2.1") == 30.0
    assert guard.retry_after("192.0.2.2") is None
    now[0] = 29.5
    assert guard.retry_after("192.0.2.1") == pytest.approx(0.5)
    now[0] = 30.0
    assert guard.retry_after("192.0.2.1") is None
    assert guard.throttled == 2
    assert dict(guard.failures) == {"missing": 10, "unknown": 1, "revoked": 1, "expired": 1}


def full_api(tmp_path: Path, extra: list[APIRouter] | None = None) -> FastAPI:
    """The API a node serves, with every extension's routes (no sockets, no database)."""
    config = tmp_path / "integrations.toml"
    config.write_text("".join(f"[{name}]\nenabled = true\n" for name in ("modbus", "canbus", "vendors", "metrics")))
    settings = Settings(data_dir=tmp_path, config_file=config)
    context = ApiContext(
        store=None,  # type: ignore[arg-type]
        gateway=None,  # type: ignore[arg-type]
        bus=EventBus(),
        clock=SystemClock(),
        settings=settings,
        requests=None,  # type: ignore[arg-type]
    )
    routers = [router for ext in build_extensions(settings) for router in ext.routers()]
    return create_api(context, routers + (extra or []))


def test_the_served_api_declares_a_scope_on_every_route(tmp_path: Path) -> None:
    app = full_api(tmp_path)
    served = [(path, route) for path, route in api_routes(app.routes) if path.startswith("/api/")]
    assert len(served) > 70  # the check walked the included routers, not an empty list
    assert route_problems(app.routes) == []
    kinds = {declared_scope(route) for _path, route in served}
    assert kinds == set(Scope)


def test_an_undeclared_route_stops_the_api_from_being_built(tmp_path: Path) -> None:
    router = APIRouter(prefix="/api/v1/new")

    @router.get("/thing")
    async def thing(_: Viewer) -> dict[str, Any]:
        return {}

    with pytest.raises(RuntimeError, match="/api/v1/new/thing: no station scope declared"):
        full_api(tmp_path, [router])
