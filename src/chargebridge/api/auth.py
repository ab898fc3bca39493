"""Bearer-token authentication, roles (viewer < operator < admin) and station scopes.

A token may be limited to a set of stations (object-level authorization). For such a token a
route that names a station (``{station_id}`` in the path or ``?station_id=``) outside the set
answers 404, as if the station did not exist; a route that names no station is refused (403)
unless it is one of :data:`SCOPE_FILTERED_ROUTES`, which filter their lists by the token's
stations. New routes are therefore closed to scoped tokens until they are made scope-aware.

The authenticated principal is also left in ``request.state.principal`` for the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from chargebridge.security.secrets import hash_api_token
from chargebridge.security.store import SecurityStore

if TYPE_CHECKING:
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

    def can_access(self, station_id: str) -> bool:
        return self.stations is None or station_id in self.stations


# (method, route path) of list routes that filter their items by a scoped token's stations.
SCOPE_FILTERED_ROUTES = frozenset(
    {
        ("GET", "/api/v1/stations"),
        ("GET", "/api/v1/transactions"),
        ("GET", "/api/v1/certificates"),
        ("GET", "/api/v1/reservations"),
        ("GET", "/api/v1/me"),  # names no station data: who am I, my role, my stations
    }
)

_bearer = HTTPBearer(auto_error=False)


async def principal_of_token(store: Store, token: str, now: datetime) -> Principal | None:
    """The principal of an API token, or None when it is unknown, revoked or expired.

    The one verification of a bearer token: the REST API and the MQTT command envelope use it."""
    row = await store.find_api_token(hash_api_token(token))
    if row is None or row["revoked_at"] is not None or (row["expires_at"] is not None and row["expires_at"] <= now):
        return None
    stations = await SecurityStore(store).token_stations(row["id"])
    return Principal(row["id"], row["name"], Role.parse(row["role"]), stations)


async def authenticate(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    unauthorized = HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "a valid 'Authorization: Bearer <token>' header is required",
        headers={"WWW-Authenticate": "Bearer"},
    )
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise unauthorized
    app = request.app.state.cb
    principal = await principal_of_token(app.store, credentials.credentials, app.clock.now())
    if principal is None:
        raise unauthorized
    request.state.principal = principal
    _check_scope(request, principal)
    return principal


def _check_scope(request: Request, principal: Principal) -> None:
    if principal.stations is None:
        return
    named = [
        value for value in (request.path_params.get("station_id"), request.query_params.get("station_id")) if value
    ]
    for station_id in named:
        if not principal.can_access(station_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
    route = request.scope.get("route")
    route_key = (request.method, getattr(route, "path", request.url.path))
    if not named and route_key not in SCOPE_FILTERED_ROUTES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this token is limited to certain stations")


def require(role: Role) -> object:
    async def check(principal: Annotated[Principal, Depends(authenticate)]) -> Principal:
        if principal.role < role:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {role.name.lower()} role")
        return principal

    return Depends(check)


Viewer = Annotated[Principal, require(Role.VIEWER)]
Operator = Annotated[Principal, require(Role.OPERATOR)]
Admin = Annotated[Principal, require(Role.ADMIN)]
