"""/api/v1 security routes: the audit log, security events, station security profiles and
password rotation, API tokens and their scopes.

:func:`install_security` adds these routes and the audit middleware to the API application.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, FastAPI, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, field_validator

from chargebridge.api.auth import Admin, Principal, Scope, Viewer, scope
from chargebridge.api.deps import Context, Limit, Offset
from chargebridge.domain.timeutil import format_datetime
from chargebridge.gateway.passwords import RotationRefused, rotate_password
from chargebridge.gateway.station_ids import InvalidStationId, validate_station_id
from chargebridge.security.audit import AuditMiddleware
from chargebridge.security.profiles import check_profile_change, effective_profile
from chargebridge.security.secrets import (
    WeakPassword,
    check_station_password,
    hash_api_token,
    hash_password,
    new_api_token,
)
from chargebridge.security.store import SecurityStore
from chargebridge.store.repository import Row

router = APIRouter(prefix="/api/v1")

StationId = Annotated[str, Path(min_length=1, max_length=48)]
TokenId = Annotated[str, Path(min_length=1, max_length=32)]


def install_security(app: FastAPI) -> None:
    """Serve the security routes and audit every changing request."""
    app.include_router(router)
    app.add_middleware(AuditMiddleware)


# -- audit log -----------------------------------------------------------------------------


@router.get("/audit", tags=["security"], openapi_extra=scope(Scope.FILTERED))
async def list_audit(
    ctx: Context,
    principal: Admin,
    station_id: Annotated[str | None, Query(max_length=48)] = None,
    actor: Annotated[str | None, Query(max_length=32)] = None,
    since: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Audit entries, newest first: who (token id, name, role), what, station, parameters, result, when.
    A token limited to stations sees the entries of its stations only."""
    rows = await SecurityStore(ctx.store).list_audit(
        station_id=station_id, actor=actor, since=since, limit=limit, offset=offset, only=principal.stations
    )
    return {"items": rows, "limit": limit, "offset": offset}


# -- security events -----------------------------------------------------------------------


@router.get("/security-events", tags=["security"], openapi_extra=scope(Scope.FILTERED))
async def list_security_events(
    ctx: Context,
    principal: Admin,
    station_id: Annotated[str | None, Query(max_length=48)] = None,
    event_type: Annotated[str | None, Query(alias="type", max_length=64, description="e.g. InvalidBasicAuth")] = None,
    since: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Security events, newest first: those stations report (SecurityEventNotification) and those
    the CSMS records itself (``data.origin`` = ``csms``: refused handshakes, TLS failures, which
    have no station, replacements, password rotation). A token limited to stations sees the events
    of its stations only."""
    rows = await ctx.store.list_security_events(
        station_id=station_id, type=event_type, since=since, limit=limit, offset=offset, only=principal.stations
    )
    return {"items": rows, "limit": limit, "offset": offset}


# -- station security profiles -------------------------------------------------------------


class StationSecurity(BaseModel):
    model_config = ConfigDict(extra="forbid")
    profile: Literal[0, 1, 2, 3]
    password: str | None = Field(default=None, description="HTTP Basic password (profiles 1 and 2), 16-40 characters")
    allow_downgrade: bool = Field(default=False, description="permit 3 -> 2 (no other downgrade is possible)")

    @field_validator("password")
    @classmethod
    def _strong(cls, value: str | None) -> str | None:
        if value is not None:
            check_station_password(value)
        return value


def _security_view(row: Row, live: bool) -> dict[str, Any]:
    return {
        "station_id": row["id"],
        "security_profile": effective_profile(row["security_profile"], row["password_hash"]),
        "has_password": bool(row["password_hash"]),
        # A rotation the station accepted but has not logged in with yet: both passwords work.
        "password_pending": bool(row["pending_password_hash"]),
        "password_changed_at": row["password_changed_at"],
        "connected": live,
    }


async def _station(ctx: Context, station_id: str) -> Row:
    row = await ctx.store.get_station(station_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
    return row


@router.get("/stations/{station_id}/security", tags=["security"], openapi_extra=scope(Scope.STATION))
async def get_station_security(ctx: Context, _: Viewer, station_id: StationId) -> dict[str, Any]:
    row = await _station(ctx, station_id)
    return _security_view(row, ctx.gateway.is_connected(station_id))


@router.put("/stations/{station_id}/security", tags=["security"], openapi_extra=scope(Scope.STATION))
async def set_station_security(ctx: Context, _: Admin, station_id: StationId, body: StationSecurity) -> dict[str, Any]:
    """Set a station's security profile (and password). Takes effect at the station's next connection."""
    row = await _station(ctx, station_id)
    current = effective_profile(row["security_profile"], row["password_hash"])
    refusal = check_profile_change(current, body.profile, allow_downgrade=body.allow_downgrade)
    if refusal is not None:
        raise HTTPException(status.HTTP_409_CONFLICT, refusal)
    values: dict[str, Any] = {"security_profile": body.profile}
    if body.password is not None:
        # Set out of band: this is the password now, and a rotation still pending is void.
        values.update(
            password_hash=hash_password(body.password), pending_password_hash=None, password_changed_at=ctx.clock.now()
        )
    elif body.profile in (1, 2) and not row["password_hash"]:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"security profile {body.profile} needs a password")
    row = await ctx.store.update_station(station_id, **values)
    return _security_view(row, ctx.gateway.is_connected(station_id))


class PasswordRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str | None = Field(
        default=None,
        min_length=16,
        max_length=40,
        description="the new password; omitted: a random one of the longest length the station's OCPP version "
        "carries (1.6: 20 bytes, 2.0.1: 40 characters)",
    )


@router.post("/stations/{station_id}/password", tags=["security"], openapi_extra=scope(Scope.STATION))
async def rotate_station_password(
    ctx: Context, principal: Admin, station_id: StationId, body: PasswordRotation | None = None
) -> dict[str, Any]:
    """Send a connected station at security profile 1 or 2 a new password (1.6 ChangeConfiguration
    AuthorizationKey, 2.0.1 SetVariables SecurityCtrlr.BasicAuthPassword). When it accepts, the
    old password keeps working until the station logs in with the new one. The new password is in
    this answer only (never in the audit log). 409 when the station is offline, not at profile 1
    or 2, or refuses (nothing changed); 504/502 when its answer is unknown (see ``pending``)."""
    await _station(ctx, station_id)
    try:
        rotation = await rotate_password(
            ctx.gateway, station_id, body.password if body else None, actor=principal.token_id
        )
    except WeakPassword as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    except RotationRefused as exc:
        raise HTTPException(exc.status, {"reason": exc.reason, "pending": exc.pending_kept}) from exc
    answer: dict[str, Any] = {
        "station_id": station_id,
        "password": rotation.password,
        "ocpp_version": rotation.ocpp_version,
        "station_status": rotation.station_status,
        "pending": True,
        "password_changed_at": rotation.changed_at,
    }
    if rotation.authorization_key is not None:
        answer["authorization_key"] = rotation.authorization_key
    return answer


# -- API tokens ----------------------------------------------------------------------------


def _check_station_ids(value: list[str] | None) -> list[str] | None:
    for station_id in value or []:
        try:
            validate_station_id(station_id)
        except InvalidStationId as exc:
            raise ValueError(str(exc)) from exc
    return value


class TokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    role: Literal["admin", "operator", "viewer"]
    name: str | None = Field(default=None, max_length=100)
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    stations: list[str] | None = Field(default=None, min_length=1, max_length=1000)

    @field_validator("stations")
    @classmethod
    def _valid_ids(cls, value: list[str] | None) -> list[str] | None:
        return _check_station_ids(value)


class TokenScope(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stations: list[str] | None = Field(min_length=1, max_length=1000, description="null: every station")

    @field_validator("stations")
    @classmethod
    def _valid_ids(cls, value: list[str] | None) -> list[str] | None:
        return _check_station_ids(value)


async def _token_view(ctx: Context, row: Row, stations: frozenset[str] | None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "name": row["name"],
        "role": row["role"],
        "created_at": row["created_at"],
        "expires_at": row["expires_at"],
        "revoked_at": row["revoked_at"],
        "stations": sorted(stations) if stations is not None else None,
    }


async def _token_row(ctx: Context, token_id: str) -> Row:
    for row in await ctx.store.list_api_tokens():
        if row["id"] == token_id:
            return row
    raise HTTPException(status.HTTP_404_NOT_FOUND, "no such token")


async def _scoped_tokens(ctx: Context, principal: Principal) -> list[tuple[Row, frozenset[str] | None]]:
    """Every token with its stations; for a token limited to stations, only the tokens limited to
    some of its own stations (its own included): those it may see and revoke."""
    security = SecurityStore(ctx.store)
    out = []
    for row in await ctx.store.list_api_tokens():
        stations = await security.token_stations(row["id"])
        if principal.stations is None or (stations is not None and principal.covers(stations)):
            out.append((row, stations))
    return out


@router.get("/tokens", tags=["security"], openapi_extra=scope(Scope.FILTERED))
async def list_tokens(ctx: Context, principal: Admin) -> dict[str, Any]:
    """API tokens (never their secrets). A token limited to stations sees only the tokens limited to
    some of its own stations."""
    return {"items": [await _token_view(ctx, row, stations) for row, stations in await _scoped_tokens(ctx, principal)]}


def _check_creation(principal: Principal, body: TokenCreate, expires_at: datetime | None) -> None:
    """A token never creates one that reaches further than itself: in stations or in time."""
    if not principal.covers(body.stations):
        mine = ", ".join(sorted(principal.stations or ()))
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"this token is limited to stations {mine}: a token it creates must name some of them in 'stations'",
        )
    if principal.expires_at is not None and (expires_at is None or expires_at > principal.expires_at):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "a token cannot create one that outlives it: give 'expires_in_days' ending before "
            f"{format_datetime(principal.expires_at)}",
        )


@router.post("/tokens", tags=["security"], status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.OBJECT))
async def create_token(ctx: Context, principal: Admin, body: TokenCreate) -> dict[str, Any]:
    """Create a token; the secret is in this answer only (and never in the audit log). A token
    limited to stations can only create tokens limited to some of its stations, and no token
    creates one that expires after itself."""
    now = ctx.clock.now()
    expires_at = now + timedelta(days=body.expires_in_days) if body.expires_in_days else None
    _check_creation(principal, body, expires_at)
    token_id, token = new_api_token()
    await SecurityStore(ctx.store).add_api_token(
        token_id=token_id,
        name=body.name,
        token_hash=hash_api_token(token),
        role=body.role,
        now=now,
        expires_at=expires_at,
        stations=body.stations,
    )
    stations = frozenset(body.stations) if body.stations else None
    return {**await _token_view(ctx, await _token_row(ctx, token_id), stations), "token": token}


@router.put("/tokens/{token_id}/stations", tags=["security"], openapi_extra=scope(Scope.FLEET))
async def set_token_stations(ctx: Context, _: Admin, token_id: TokenId, body: TokenScope) -> dict[str, Any]:
    """Change a token's scope (``null``: every station). Refused to tokens limited to stations:
    they can neither widen their own scope nor change another's."""
    row = await _token_row(ctx, token_id)
    await SecurityStore(ctx.store).set_token_stations(token_id, body.stations)
    return await _token_view(ctx, row, await SecurityStore(ctx.store).token_stations(token_id))


@router.delete(
    "/tokens/{token_id}", tags=["security"], status_code=status.HTTP_204_NO_CONTENT, openapi_extra=scope(Scope.OBJECT)
)
async def revoke_token(ctx: Context, principal: Admin, token_id: TokenId) -> Response:
    """Revoke a token. A token limited to stations may revoke only tokens limited to some of its
    stations (others answer 404, as if they did not exist)."""
    if not any(row["id"] == token_id for row, _stations in await _scoped_tokens(ctx, principal)):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such token")
    if not await ctx.store.revoke_api_token(token_id, ctx.clock.now()):
        raise HTTPException(status.HTTP_409_CONFLICT, "the token is already revoked")
    return Response(status_code=status.HTTP_204_NO_CONTENT)
