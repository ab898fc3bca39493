"""/api/v1 routes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Response, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from chargebridge.api.auth import Admin, Operator, Role, Scope, Viewer, scope
from chargebridge.api.commands import ADMIN_COMMANDS, COMMAND_BODIES, RemoteStartBody, to_command
from chargebridge.api.deps import ApiContext, Context, Limit, Offset
from chargebridge.api.views import fault_view, id_token_view, meter_value_view, station_view, transaction_view
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.gateway.station_ids import InvalidStationId, validate_station_id
from chargebridge.rpc import CallRejected, CallTimeout, OcppError, StationNotConnected
from chargebridge.rpc.errors import CallInProgress, StationUnreachable
from chargebridge.security.certificates import record_command_outcome
from chargebridge.security.secrets import hash_password
from chargebridge.store.repository import NotFound, Row, StationExists

router = APIRouter(prefix="/api/v1")

StationId = Annotated[str, Path(min_length=1, max_length=48)]


def page(items: list[dict[str, Any]], total: int, limit: int, offset: int) -> dict[str, Any]:
    next_offset = offset + len(items)
    return {
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "next_offset": next_offset if next_offset < total else None,
    }


async def _station_views(ctx: ApiContext, rows: list[Row]) -> list[dict[str, Any]]:
    ids = [r["id"] for r in rows]
    connectors = await ctx.store.connectors_of(ids)
    faults = await ctx.store.faults_of(ids)
    return [station_view(r, connectors[r["id"]], faults[r["id"]], live=ctx.gateway.is_connected(r["id"])) for r in rows]


async def _station_or_404(ctx: ApiContext, station_id: str) -> Row:
    row = await ctx.store.get_station(station_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
    return row


# -- stations ------------------------------------------------------------------------------


class StationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=48)
    # OCPP 2.0.1 BasicAuthPassword: 16-40 characters
    password: str | None = Field(default=None, min_length=16, max_length=40)
    security_profile: Literal[0, 1, 2, 3] | None = None
    registration_status: Literal["Accepted", "Pending", "Rejected"] = "Accepted"

    @model_validator(mode="after")
    def _profile_fits_password(self) -> StationCreate:
        profile = self.profile()
        if profile in (1, 2) and self.password is None:
            raise ValueError(f"security profile {profile} needs a password (16-40 characters)")
        if profile in (0, 3) and self.password is not None:
            raise ValueError(f"security profile {profile} takes no password")
        return self

    def profile(self) -> int:
        """Default: profile 1 with a password, else 0 (labs)."""
        if self.security_profile is not None:
            return self.security_profile
        return 1 if self.password else 0


class StationUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str | None = Field(default=None, min_length=16, max_length=40)
    registration_status: Literal["Accepted", "Pending", "Rejected"] | None = None
    # billing: the station's tariff (null removes the assignment), see docs/billing.md
    tariff_id: str | None = Field(default=None, min_length=1, max_length=36)
    # Energy management (energy/ takes them through ctx.station_updaters; null clears).
    site_id: str | None = Field(default=None, min_length=1, max_length=48)
    max_current_a: float | None = Field(default=None, gt=0, le=10_000, allow_inf_nan=False)
    priority: int | None = Field(default=None, ge=-1000, le=1000)
    # Firmware (firmware/ takes it through ctx.station_updaters): requirement names the station
    # must keep across firmware updates, e.g. ["2.0.1", "advanced-security"]; [] or null clears.
    required_profiles: list[str] | None = Field(default=None, max_length=20)


@router.get("/stations", tags=["stations"], openapi_extra=scope(Scope.FILTERED))
async def list_stations(
    ctx: Context,
    principal: Viewer,
    limit: Limit = 100,
    offset: Offset = 0,
    connected: bool | None = None,
    q: Annotated[str | None, Query(max_length=48)] = None,
) -> dict[str, Any]:
    rows, total = await ctx.store.list_stations(
        limit=limit, offset=offset, connected=connected, search=q, only=principal.stations
    )
    return page(await _station_views(ctx, rows), total, limit, offset)


@router.post("/stations", tags=["stations"], status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
async def create_station(ctx: Context, _: Admin, body: StationCreate) -> dict[str, Any]:
    try:
        validate_station_id(body.id)
    except InvalidStationId as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
    try:
        row = await ctx.store.add_station(
            body.id,
            now=ctx.clock.now(),
            registration_status=body.registration_status,
            password_hash=hash_password(body.password) if body.password else None,
            security_profile=body.profile(),
        )
    except StationExists as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, f"station {body.id!r} already exists") from exc
    return (await _station_views(ctx, [row]))[0]


@router.get("/stations/{station_id}", tags=["stations"], openapi_extra=scope(Scope.STATION))
async def get_station(ctx: Context, _: Viewer, station_id: StationId) -> dict[str, Any]:
    return (await _station_views(ctx, [await _station_or_404(ctx, station_id)]))[0]


@router.patch("/stations/{station_id}", tags=["stations"], openapi_extra=scope(Scope.STATION))
async def update_station(ctx: Context, principal: Admin, station_id: StationId, body: StationUpdate) -> dict[str, Any]:
    # Checks before anything is written: a refused field changes nothing.
    assign_tariff = "tariff_id" in body.model_fields_set
    if assign_tariff:
        from chargebridge.billing.store import BillingStore, Missing

        billing = BillingStore(ctx.store)
        await _station_or_404(ctx, station_id)
        if body.tariff_id is not None and await billing.get_tariff(body.tariff_id) is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"tariff {body.tariff_id!r} does not exist")
    extra: dict[str, Any] = {}
    if ctx.station_updaters:
        await _station_or_404(ctx, station_id)
        given = body.model_dump(exclude_unset=True)
        for updater in ctx.station_updaters:
            extra.update(await updater(station_id, given, principal))
    values: dict[str, Any] = {}
    if body.password is not None:
        values["password_hash"] = hash_password(body.password)
    if body.registration_status is not None:
        values["registration_status"] = body.registration_status
    try:
        row = await ctx.store.update_station(station_id, **values) if values else await _station_or_404(ctx, station_id)
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered") from exc
    if body.registration_status is not None:
        ctx.requests.registration_changed(station_id)  # the next BootNotification, also on an open socket
    view = {**(await _station_views(ctx, [row]))[0], **extra}
    if assign_tariff:
        try:
            await billing.assign("station", station_id, body.tariff_id, ctx.clock.now())
        except Missing as exc:  # deleted between the check and the write
            raise HTTPException(status.HTTP_409_CONFLICT, f"tariff {body.tariff_id!r} was deleted meanwhile") from exc
        view["tariff_id"] = body.tariff_id
    return view


@router.delete(
    "/stations/{station_id}",
    tags=["stations"],
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=scope(Scope.STATION),
)
async def delete_station(ctx: Context, _: Admin, station_id: StationId) -> Response:
    if not await ctx.store.delete_station(station_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
    await ctx.gateway.disconnect(station_id, "station deregistered")  # on whichever node holds it
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/stations/{station_id}/events", tags=["stations"], openapi_extra=scope(Scope.STATION))
async def station_events(
    ctx: Context,
    _: Viewer,
    station_id: StationId,
    limit: Limit = 100,
    offset: Offset = 0,
    kind: str | None = None,
) -> dict[str, Any]:
    await _station_or_404(ctx, station_id)
    rows = await ctx.store.list_station_events(station_id, kind=kind, limit=limit, offset=offset)
    return {"items": rows, "limit": limit, "offset": offset}


@router.get("/stations/{station_id}/faults", tags=["stations"], openapi_extra=scope(Scope.STATION))
async def station_faults(ctx: Context, _: Viewer, station_id: StationId, active: bool = True) -> dict[str, Any]:
    await _station_or_404(ctx, station_id)
    faults = await ctx.store.faults_of([station_id], active_only=active)
    return {"items": [fault_view(f) for f in faults[station_id]]}


@router.get("/stations/{station_id}/meter-values", tags=["stations"], openapi_extra=scope(Scope.STATION))
async def meter_values(
    ctx: Context,
    _: Viewer,
    station_id: StationId,
    since: datetime | None = None,
    transaction_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Offset = 0,
) -> dict[str, Any]:
    await _station_or_404(ctx, station_id)
    rows = await ctx.store.list_meter_values(
        station_id, since=since, transaction_id=transaction_id, limit=limit, offset=offset
    )
    return {"items": [meter_value_view(r) for r in rows], "limit": limit, "offset": offset}


# -- transactions --------------------------------------------------------------------------


@router.get("/transactions", tags=["transactions"], openapi_extra=scope(Scope.FILTERED))
async def list_transactions(
    ctx: Context,
    principal: Viewer,
    station_id: str | None = None,
    active: bool | None = None,
    since: datetime | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    rows, total = await ctx.store.list_transactions(
        station_id=station_id, active=active, since=since, limit=limit, offset=offset, only=principal.stations
    )
    return page([transaction_view(r) for r in rows], total, limit, offset)


@router.get(
    "/stations/{station_id}/transactions/{transaction_id}", tags=["transactions"], openapi_extra=scope(Scope.STATION)
)
async def get_transaction(ctx: Context, _: Viewer, station_id: StationId, transaction_id: str) -> dict[str, Any]:
    row = await ctx.store.get_transaction(station_id, transaction_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such transaction")
    return transaction_view(row)


# -- id tokens -----------------------------------------------------------------------------


class IdTokenBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id_token: str = Field(min_length=1, max_length=255)
    status: Literal["Accepted", "Blocked", "Expired", "Invalid"] = "Accepted"
    type: str | None = Field(default=None, max_length=20)
    expires_at: datetime | None = None
    group_id: str | None = Field(default=None, max_length=255)


class IdTokenUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: Literal["Accepted", "Blocked", "Expired", "Invalid"]
    type: str | None = Field(default=None, max_length=20)
    expires_at: datetime | None = None
    group_id: str | None = Field(default=None, max_length=255)


@router.post("/id-tokens", tags=["id-tokens"], status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
async def create_id_token(ctx: Context, _: Admin, body: IdTokenBody) -> dict[str, Any]:
    try:
        row, _created = await ctx.store.upsert_id_token(
            body.id_token,
            status=body.status,
            type=body.type,
            expires_at=body.expires_at,
            group_id=body.group_id,
            now=ctx.clock.now(),
            create_only=True,
        )
    except StationExists as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, "id token already exists; use PUT to change it") from exc
    return id_token_view(row)


@router.get("/id-tokens", tags=["id-tokens"], openapi_extra=scope(Scope.FLEET))
async def list_id_tokens(ctx: Context, _: Viewer, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
    rows = await ctx.store.list_id_tokens(limit=limit, offset=offset)
    return {"items": [id_token_view(r) for r in rows], "limit": limit, "offset": offset}


@router.get("/id-tokens/{id_token}", tags=["id-tokens"], openapi_extra=scope(Scope.FLEET))
async def get_id_token(ctx: Context, _: Viewer, id_token: str) -> dict[str, Any]:
    row = await ctx.store.get_id_token(id_token)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such id token")
    return id_token_view(row)


@router.put("/id-tokens/{id_token}", tags=["id-tokens"], openapi_extra=scope(Scope.FLEET))
async def update_id_token(ctx: Context, _: Admin, id_token: str, body: IdTokenUpdate) -> dict[str, Any]:
    row, _created = await ctx.store.upsert_id_token(
        id_token,
        status=body.status,
        type=body.type,
        expires_at=body.expires_at,
        group_id=body.group_id,
        now=ctx.clock.now(),
    )
    return id_token_view(row)


@router.delete(
    "/id-tokens/{id_token}",
    tags=["id-tokens"],
    status_code=status.HTTP_204_NO_CONTENT,
    openapi_extra=scope(Scope.FLEET),
)
async def delete_id_token(ctx: Context, _: Admin, id_token: str) -> Response:
    if not await ctx.store.delete_id_token(id_token):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such id token")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- commands ------------------------------------------------------------------------------

CommandName = Literal[
    "remote-start",
    "remote-stop",
    "reset",
    "unlock",
    "change-availability",
    "get-configuration",
    "set-configuration",
    "trigger-message",
    "clear-cache",
    "data-transfer",
    "install-certificate",
    "delete-certificate",
    "get-installed-certificate-ids",
    "set-charging-profile",
    "clear-charging-profile",
    "get-charging-profiles",
    "get-composite-schedule",
]


async def _live_station(ctx: ApiContext, station_id: str) -> None:
    await _station_or_404(ctx, station_id)
    if not ctx.gateway.is_connected(station_id):  # on any node of a cluster
        raise HTTPException(status.HTTP_409_CONFLICT, f"station {station_id!r} is not connected")


# What sending a command to a station can fail with; _call_failure turns each into its HTTP answer.
COMMAND_FAILURES: tuple[type[Exception], ...] = (
    CallTimeout,
    CallRejected,
    StationNotConnected,
    ConnectionError,
    CommandNotSupported,
    OcppError,
    CallInProgress,
    StationUnreachable,
)


def _call_failure(exc: Exception) -> HTTPException:
    if isinstance(exc, CallTimeout):
        return HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, str(exc))
    if isinstance(exc, CallRejected):
        return HTTPException(
            status.HTTP_502_BAD_GATEWAY,
            {
                "reason": "the station answered with a CALLERROR",
                "error_code": exc.code,
                "description": exc.description,
                "details": exc.details,
            },
        )
    if isinstance(exc, StationUnreachable):  # cluster mode: the holding node cannot be reached now
        return HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, str(exc))
    if isinstance(exc, StationNotConnected | ConnectionError):
        return HTTPException(status.HTTP_409_CONFLICT, str(exc))
    if isinstance(exc, CommandNotSupported):
        return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc))
    if isinstance(exc, OcppError):
        return HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            {
                "reason": "payload violates the OCPP schema",
                "error_code": exc.code.value,
                "description": exc.description,
            },
        )
    if isinstance(exc, CallInProgress):
        return HTTPException(status.HTTP_409_CONFLICT, str(exc))
    raise exc


@router.post("/stations/{station_id}/commands/{command}", tags=["commands"], openapi_extra=scope(Scope.STATION))
async def send_command(
    ctx: Context,
    principal: Operator,
    station_id: StationId,
    command: CommandName,
    body: Annotated[dict[str, Any] | None, Body()] = None,
) -> dict[str, Any]:
    if command in ADMIN_COMMANDS and principal.role < Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this needs the admin role")
    try:
        parsed = COMMAND_BODIES[command].model_validate(body or {})
    except ValidationError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, json.loads(exc.json())) from exc
    await _live_station(ctx, station_id)
    if isinstance(parsed, RemoteStartBody) and parsed.id_token_type is None:
        # 2.0.1 stations match the token type too: use the type the token is registered with.
        stored = await ctx.store.get_id_token(parsed.id_token)
        if stored is not None and stored["type"]:
            parsed = parsed.model_copy(update={"id_token_type": stored["type"]})
    neutral = to_command(command, parsed)
    try:
        answer = await ctx.gateway.execute(station_id, neutral)
    except COMMAND_FAILURES as exc:
        raise _call_failure(exc) from exc
    await record_command_outcome(ctx.store, station_id, neutral, answer.outcome, ctx.clock.now())
    for observe in ctx.command_observers:  # capability packages keep their records (e.g. profiles accepted)
        await observe(station_id, neutral, answer.outcome)
    result = {
        "command": command,
        "action": answer.action,
        "status": answer.outcome.status,
        "response": answer.outcome.response,
        "round_trip_ms": round(answer.round_trip_ms, 3),
    }
    ctx.bus.publish(
        DomainEvent(EventKind.COMMAND_COMPLETED, station_id, ctx.clock.now(), {**result, "by": principal.token_id})
    )
    return result


@router.post("/stations/{station_id}/call/{action}", tags=["commands"], openapi_extra=scope(Scope.STATION))
async def raw_call(
    ctx: Context,
    principal: Admin,
    station_id: StationId,
    action: Annotated[str, Path(pattern=r"^[A-Za-z0-9]{1,64}$")],
    payload: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    await _live_station(ctx, station_id)
    try:
        answer = await ctx.gateway.call_raw(station_id, action, payload)
    except COMMAND_FAILURES as exc:
        raise _call_failure(exc) from exc
    result = {"action": action, "response": answer.payload, "round_trip_ms": round(answer.round_trip_ms, 3)}
    ctx.bus.publish(
        DomainEvent(EventKind.COMMAND_COMPLETED, station_id, ctx.clock.now(), {**result, "by": principal.token_id})
    )
    return result


@router.get("/status", tags=["system"], openapi_extra=scope(Scope.FLEET))
async def system_status(ctx: Context, _: Viewer) -> dict[str, Any]:
    stats = ctx.gateway.stats
    writer = ctx.store.writer.stats
    return {
        "connected_stations": len(ctx.gateway.connections),
        "messages": {
            "calls_in": stats.calls_in,
            "calls_out": stats.calls_out,
            "errors_sent": stats.errors_sent,
            "protocol_violations": stats.protocol_violations,
            "by_action": stats.by_action,
        },
        "store": {
            "commits": writer.commits,
            "ops": writer.ops,
            "retries": writer.retries,
            "failures": writer.failures,
            "backlog": ctx.store.writer.backlog,
        },
        "bus": ctx.bus.stats(),
        # Cluster mode: this node's id, the nodes it sees, network-wide connected stations, routing.
        "cluster": ctx.cluster.status() if ctx.cluster is not None else None,
    }
