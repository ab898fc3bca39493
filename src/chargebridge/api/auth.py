"""Bearer-token authentication, roles (viewer < operator < admin) and station scopes.

**Roles.** ``Viewer``, ``Operator`` and ``Admin`` are the dependencies a route takes; each
authenticates the request and checks the role.

**Station scopes (object-level authorization).** A token may be limited to a set of stations.
What such a token may do is decided per route from what the route touches, never from what
the request claims: every ``/api`` route declares its :class:`Scope` with
``openapi_extra=scope(Scope....)`` (it is published in the OpenAPI document as
``x-chargebridge-scope``), :func:`check_route_scopes` refuses to build an API with an
``/api`` route that declares none, and a route without a declaration is refused to scoped
tokens anyway. For a scoped token:

- ``STATION``: the route touches the one station named by ``{station_id}`` in its path; any
  other station answers 404, as if it did not exist.
- ``FILTERED``: a list or aggregate the handler itself limits to ``principal.stations``.
- ``OBJECT``: the handler loads the object it touches (a token, a diagnostics file) and checks
  its stations itself; objects outside the scope answer 404, creations that would widen the
  scope 403.
- ``FLEET``: fleet-wide data or actions (id tokens, webhooks, campaigns, system status, ...):
  refused with 403.
- ``NONE``: touches no station's data (who am I, the firmware catalog, a public certificate).

A ``?station_id=`` query parameter never proves anything: naming a station outside the scope
there answers 404 on every route (it can only narrow), and only ``FILTERED`` routes use it.

**Failed authentication** is counted, logged and throttled per source address by
:class:`~chargebridge.security.bearer.BearerGuard`. The principal is left in
``request.state.principal`` for the audit log.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request, status
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.routing import BaseRoute

from chargebridge.api.headers import ApiSecurityHeaders
from chargebridge.security import bearer
from chargebridge.security.secrets import hash_api_token
from chargebridge.security.store import SecurityStore

if TYPE_CHECKING:
    from fastapi.dependencies.models import Dependant

    from chargebridge.api.deps import ApiContext
    from chargebridge.store.repository import Store


class Role(IntEnum):
    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3

    @classmethod
    def parse(cls, name: str) -> Role:
        return cls[name.upper()]


@dataclass(frozen=True, slots=True)
class Principal:
    token_id: str
    name: str | None
    role: Role
    stations: frozenset[str] | None = None  # None: every station
    expires_at: datetime | None = None

    @property
    def scoped(self) -> bool:
        return self.stations is not None

    def can_access(self, station_id: str) -> bool:
        return self.stations is None or station_id in self.stations

    def covers(self, stations: Collection[str] | None) -> bool:
        """True when every station of ``stations`` (None: every station) is within this token's scope."""
        if self.stations is None:
            return True
        return stations is not None and set(stations) <= self.stations


class Scope(StrEnum):
    """How a route treats a token limited to stations (see the module docstring)."""

    STATION = "station"
    FILTERED = "filtered"
    OBJECT = "object"
    FLEET = "fleet"
    NONE = "none"


SCOPE_KEY = "x-chargebridge-scope"
API_PREFIX = "/api/"


def scope(kind: Scope) -> dict[str, Any]:
    """The ``openapi_extra`` that declares a route's :class:`Scope`."""
    return {SCOPE_KEY: kind.value}


def declared_scope(route: object) -> Scope | None:
    extra = getattr(route, "openapi_extra", None)
    value = extra.get(SCOPE_KEY) if isinstance(extra, dict) else None
    try:
        return Scope(value) if value is not None else None
    except ValueError:
        return None


NOT_RECOGNISED = "token not recognised or revoked"
EXPIRED = "token expired"
HEADER_REQUIRED = "a valid 'Authorization: Bearer <token>' header is required"

_bearer = HTTPBearer(auto_error=False)


async def verify_token(store: Store, token: str, now: datetime) -> Principal | str:
    """The principal of an API token, or why it is refused (unknown or revoked, expired).

    The one verification of a bearer token: the REST API and the MQTT command envelope use it."""
    row = await store.find_api_token(hash_api_token(token))
    if row is None or row["revoked_at"] is not None:
        return bearer.UNKNOWN if row is None else bearer.REVOKED
    if row["expires_at"] is not None and row["expires_at"] <= now:
        return bearer.EXPIRED
    stations = await SecurityStore(store).token_stations(row["id"])
    return Principal(row["id"], row["name"], Role.parse(row["role"]), stations, row["expires_at"])


async def principal_of_token(store: Store, token: str, now: datetime) -> Principal | None:
    """The principal of an API token, or None when it is unknown, revoked or expired."""
    verified = await verify_token(store, token, now)
    return verified if isinstance(verified, Principal) else None


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a request's bearer token is not accepted, as the HTTP answer to give."""

    status: int
    detail: str
    headers: dict[str, str]


async def bearer_principal(
    context: ApiContext, source: str, authorization: str | None, method: str, path: str
) -> Principal | Refusal:
    """The one check of a request's ``Authorization`` header: the throttle of its source address,
    the token, and the counting and logging of a refusal. :func:`authenticate` and the body-limit
    middleware (api/limits.py, which checks before reading a body) both use it."""
    guard = context.bearer_guard
    wait = guard.retry_after(source)
    if wait is not None:
        return Refusal(
            status.HTTP_429_TOO_MANY_REQUESTS,
            "too many refused bearer tokens from this address; try again later",
            {"Retry-After": str(max(1, math.ceil(wait)))},
        )
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        guard.refused(source, bearer.MISSING, method, path)
        return Refusal(status.HTTP_401_UNAUTHORIZED, HEADER_REQUIRED, {"WWW-Authenticate": "Bearer"})
    verified = await verify_token(context.store, token.strip(), context.clock.now())
    if not isinstance(verified, Principal):
        guard.refused(source, verified, method, path)
        detail = EXPIRED if verified == bearer.EXPIRED else NOT_RECOGNISED
        return Refusal(status.HTTP_401_UNAUTHORIZED, detail, {"WWW-Authenticate": "Bearer"})
    return verified


async def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    # ``credentials`` declares the bearer scheme in the OpenAPI document; the header is read below.
    principal = getattr(request.state, "principal", None)  # already checked by the body-limit middleware
    if not isinstance(principal, Principal):
        source = request.client.host if request.client else "unknown"
        checked = await bearer_principal(
            request.app.state.cb, source, request.headers.get("authorization"), request.method, request.url.path
        )
        if isinstance(checked, Refusal):
            raise HTTPException(checked.status, checked.detail, headers=checked.headers)
        principal = checked
    request.state.principal = principal
    _check_scope(request, principal)
    return principal


def _not_registered(station_id: str) -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")


def _check_scope(request: Request, principal: Principal) -> None:
    if principal.stations is None:
        return
    kind = declared_scope(request.scope.get("route"))
    if kind is None or kind is Scope.FLEET:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, "this token is limited to certain stations; this route covers the whole fleet"
        )
    path_station = request.path_params.get("station_id")
    if path_station is not None and not principal.can_access(str(path_station)):
        raise _not_registered(str(path_station))
    # A station named in the query can only narrow what a route returns, never widen it.
    for station_id in request.query_params.getlist("station_id"):
        if station_id and not principal.can_access(station_id):
            raise _not_registered(station_id)


def require(role: Role) -> object:
    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role < role:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {role.name.lower()} role")
        return principal

    return Depends(check)


Viewer = Annotated[Principal, require(Role.VIEWER)]
Operator = Annotated[Principal, require(Role.OPERATOR)]
Admin = Annotated[Principal, require(Role.ADMIN)]


# -- checks of the route table -------------------------------------------------------------


def _calls(dependant: Dependant) -> Iterable[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def api_routes(routes: Sequence[BaseRoute]) -> Iterator[tuple[str, APIRoute]]:
    """(served path, route) of every FastAPI route, through included routers (newer FastAPI
    versions keep an included router as one entry of ``app.routes``)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: included routes are copied into app.routes
        for route in routes:
            if isinstance(route, APIRoute):
                yield route.path, route
        return
    for context in iter_route_contexts(routes):
        original = context.original_route
        if isinstance(original, APIRoute):
            yield str(context.path or original.path), original


def route_problems(routes: Sequence[BaseRoute]) -> list[str]:
    """Every ``/api`` route that does not authenticate, declares no :class:`Scope`, or declares
    ``STATION`` without a ``{station_id}`` in its path."""
    problems = []
    for path, route in api_routes(routes):
        if not path.startswith(API_PREFIX):
            continue
        name = f"{sorted(route.methods or ())} {path}"
        kind = declared_scope(route)
        if kind is None:
            problems.append(f"{name}: no station scope declared (openapi_extra=scope(Scope....))")
        elif kind is Scope.STATION and "{station_id}" not in path:
            problems.append(f"{name}: declares Scope.STATION but has no {{station_id}} in its path")
        if authenticate not in set(_calls(route.dependant)):
            problems.append(f"{name}: does not authenticate (take Viewer, Operator or Admin)")
    return problems


def check_route_scopes(app: FastAPI) -> None:
    """Refuse to serve an API in which an ``/api`` route is open or undeclared for scoped tokens."""
    problems = route_problems(app.routes)
    if problems:
        raise RuntimeError("API routes without authorization:\n" + "\n".join(problems))


def install_auth(app: FastAPI) -> None:
    """Security headers on every ``/api`` answer, and the route-table check. Call after every
    router is included."""
    check_route_scopes(app)
    app.add_middleware(ApiSecurityHeaders, prefix=API_PREFIX)
