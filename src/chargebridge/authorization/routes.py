"""HTTP routes of reservations and local authorization lists (``/api/v1``).

Every route that sends a command is audited: the POST/PATCH/DELETE ones by the audit
middleware, ``GET .../local-list/version`` (it sends GetLocalListVersion) by an entry of its own.
Station-scoped API tokens reach the routes of their stations; ``GET /api/v1/reservations``
lists only their stations' reservations.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field, model_validator

from chargebridge.api.auth import Admin, Operator, Principal, Scope, Viewer, scope
from chargebridge.api.deps import ApiContext, Context, Limit, Offset, RowId
from chargebridge.api.routes import COMMAND_FAILURES, _call_failure, page
from chargebridge.authorization import reservations as rules
from chargebridge.authorization.local_list_service import LocalListService, SyncRefused, entry_view
from chargebridge.authorization.reservation_service import NotActive, ReservationService, reservation_view
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import IdToken
from chargebridge.gateway.server import CommandAnswer
from chargebridge.security.store import AuditEntry, SecurityStore

if TYPE_CHECKING:
    from chargebridge.authorization.extension import AuthorizationExtension

StationId = Annotated[str, Path(min_length=1, max_length=48)]

# 2.0.1 ConnectorEnumType (ReserveNow.connectorType).
ConnectorType = Literal[
    "cCCS1",
    "cCCS2",
    "cG105",
    "cTesla",
    "cType1",
    "cType2",
    "s309-1P-16A",
    "s309-1P-32A",
    "s309-3P-16A",
    "s309-3P-32A",
    "sBS1361",
    "sCEE-7-7",
    "sType2",
    "sType3",
    "Other1PhMax16A",
    "Other1PhOver16A",
    "Other3Ph",
    "Pan",
    "wInductive",
    "wResonant",
    "Undetermined",
    "Unknown",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ReservationBody(_Strict):
    id_token: str = Field(min_length=1, max_length=36)
    id_token_type: str | None = Field(default=None, max_length=20)
    evse_id: int | None = Field(default=None, ge=0, description="1.6 connectorId; none or 0: any")
    connector_id: int | None = Field(default=None, ge=0, description="without evse_id: the 1.6 connector N = EVSE N")
    expiry_date_time: datetime
    group_id_token: str | None = Field(default=None, min_length=1, max_length=36)
    connector_type: ConnectorType | None = Field(default=None, description="2.0.1 only")

    @model_validator(mode="after")
    def _aware(self) -> ReservationBody:
        if self.expiry_date_time.tzinfo is None:
            raise ValueError("expiry_date_time needs a time zone (e.g. Z)")
        return self

    def evse(self) -> int | None:
        return self.evse_id if self.evse_id is not None else self.connector_id


class LocalListFlag(_Strict):
    enabled: bool | None = Field(description="true: gets a list; false: never; null: the node's policy decides")


class SyncBody(_Strict):
    update_type: Literal["auto", "full", "differential"] = "auto"


def _command_json(answer: CommandAnswer) -> dict[str, Any]:
    return {
        "action": answer.action,
        "status": answer.outcome.status,
        "response": answer.outcome.response,
        "round_trip_ms": round(answer.round_trip_ms, 3),
    }


def _publish_command(ctx: ApiContext, station_id: str, principal: Principal, name: str, answer: CommandAnswer) -> None:
    data = {"command": name, **_command_json(answer), "by": principal.token_id}
    ctx.bus.publish(DomainEvent(EventKind.COMMAND_COMPLETED, station_id, ctx.clock.now(), data))


async def _station_or_404(ctx: ApiContext, station_id: str) -> None:
    if await ctx.store.get_station(station_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")


def _live(ctx: ApiContext, station_id: str) -> None:
    if station_id not in ctx.gateway.connections:
        raise HTTPException(status.HTTP_409_CONFLICT, f"station {station_id!r} is not connected")


def _states(state: list[str] | None, active: bool | None) -> list[str] | None:
    wanted = set(state or ())
    unknown = wanted - rules.STATES
    if unknown:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown state(s) {sorted(unknown)}")
    if active is True:
        wanted = (wanted or set(rules.STATES)) & rules.ACTIVE_STATES
        return sorted(wanted) or ["-"]
    if active is False:
        wanted = (wanted or set(rules.STATES)) - rules.ACTIVE_STATES
        return sorted(wanted) or ["-"]
    return sorted(wanted) or None


def build_routers(ext: AuthorizationExtension) -> list[APIRouter]:
    api = APIRouter(prefix="/api/v1")

    def reservations() -> ReservationService:
        if ext.reservations is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the reservation service is not running")
        return ext.reservations

    def local_list() -> LocalListService:
        if ext.local_list is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the local list service is not running")
        return ext.local_list

    # -- reservations -----------------------------------------------------------------------

    @api.post(
        "/stations/{station_id}/reservations",
        tags=["reservations"],
        status_code=status.HTTP_201_CREATED,
        openapi_extra=scope(Scope.STATION),
    )
    async def create_reservation(
        ctx: Context, principal: Operator, station_id: StationId, body: ReservationBody
    ) -> dict[str, Any]:
        """Reserve an EVSE (or any, without evse_id) for a token: ReserveNow, answered with the
        reservation as recorded (its ``state`` is the station's answer) and the command's outcome."""
        service = reservations()
        await _station_or_404(ctx, station_id)
        _live(ctx, station_id)
        id_token_type = body.id_token_type
        if id_token_type is None:
            stored = await ctx.store.get_id_token(body.id_token)
            id_token_type = stored["type"] if stored is not None else None
        try:
            row, answer = await service.reserve(
                station_id,
                id_token=IdToken(body.id_token, id_token_type),
                expires_at=body.expiry_date_time,
                evse_id=body.evse(),
                connector_type=body.connector_type,
                group_id_token=body.group_id_token,
                requested_by=principal.name or principal.token_id,
            )
        except ValueError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        _publish_command(ctx, station_id, principal, "reserve-now", answer)
        return {"reservation": reservation_view(row), "command": _command_json(answer)}

    @api.get("/stations/{station_id}/reservations", tags=["reservations"], openapi_extra=scope(Scope.STATION))
    async def station_reservations(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        state: Annotated[list[str] | None, Query()] = None,
        active: bool | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        await _station_or_404(ctx, station_id)
        rows, total = await reservations().db.list_reservations(
            station_id=station_id, states=_states(state, active), limit=limit, offset=offset
        )
        return page([reservation_view(r) for r in rows], total, limit, offset)

    @api.get("/reservations", tags=["reservations"], openapi_extra=scope(Scope.FILTERED))
    async def list_reservations(
        ctx: Context,
        principal: Viewer,
        station_id: str | None = None,
        state: Annotated[list[str] | None, Query()] = None,
        active: bool | None = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> dict[str, Any]:
        rows, total = await reservations().db.list_reservations(
            station_id=station_id,
            states=_states(state, active),
            only=principal.stations,
            limit=limit,
            offset=offset,
        )
        return page([reservation_view(r) for r in rows], total, limit, offset)

    @api.get(
        "/stations/{station_id}/reservations/{reservation_id}",
        tags=["reservations"],
        openapi_extra=scope(Scope.STATION),
    )
    async def get_reservation(ctx: Context, _: Viewer, station_id: StationId, reservation_id: RowId) -> dict[str, Any]:
        row = await reservations().db.get_reservation(reservation_id, station_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such reservation")
        return reservation_view(row)

    async def _cancel(ctx: ApiContext, principal: Principal, station_id: str, reservation_id: int) -> dict[str, Any]:
        service = reservations()
        existing = await service.db.get_reservation(reservation_id, station_id)
        if existing is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such reservation")
        if existing["state"] not in rules.ACTIVE_STATES:
            raise HTTPException(status.HTTP_409_CONFLICT, f"reservation {reservation_id} is {existing['state']}")
        _live(ctx, station_id)
        try:
            row, answer = await service.cancel(station_id, reservation_id)
        except LookupError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no such reservation") from exc
        except NotActive as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        _publish_command(ctx, station_id, principal, "cancel-reservation", answer)
        return {"reservation": reservation_view(row), "command": _command_json(answer)}

    @api.post(
        "/stations/{station_id}/reservations/{reservation_id}/cancel",
        tags=["reservations"],
        openapi_extra=scope(Scope.STATION),
    )
    async def cancel_reservation(
        ctx: Context, principal: Operator, station_id: StationId, reservation_id: RowId
    ) -> dict[str, Any]:
        """CancelReservation; the reservation is ``cancelled`` when the station accepts."""
        return await _cancel(ctx, principal, station_id, reservation_id)

    @api.delete(
        "/stations/{station_id}/reservations/{reservation_id}",
        tags=["reservations"],
        openapi_extra=scope(Scope.STATION),
    )
    async def delete_reservation(
        ctx: Context, principal: Operator, station_id: StationId, reservation_id: RowId
    ) -> dict[str, Any]:
        """The same as POST .../cancel (the record stays, state ``cancelled``)."""
        return await _cancel(ctx, principal, station_id, reservation_id)

    # -- local lists ------------------------------------------------------------------------

    @api.get("/local-list", tags=["local-list"], openapi_extra=scope(Scope.FLEET))
    async def the_local_list(ctx: Context, _: Viewer, limit: Limit = 100, offset: Offset = 0) -> dict[str, Any]:
        """The node's local authorization list (derived from the id-token store) at its newest version."""
        service = local_list()
        version = await service.db.list_version()
        rows = await service.db.entry_rows(limit=limit, offset=offset)
        total = await service.db.count_entries()
        return {
            "version": version,
            "policy": service.options.policy,
            **page([entry_view(r) for r in rows], total, limit, offset),
        }

    @api.get("/stations/{station_id}/local-list", tags=["local-list"], openapi_extra=scope(Scope.STATION))
    async def station_local_list(
        ctx: Context, principal: Viewer, station_id: StationId, limit: Limit = 100, offset: Offset = 0
    ) -> dict[str, Any]:
        """What chargebridge knows of the station's list: its version and state, and the entries
        it holds (the list at the station's version). The entries are id tokens, which are fleet
        data: a token limited to stations sees the version and state only (``entries`` null)."""
        await _station_or_404(ctx, station_id)
        service = local_list()
        view = await service.view(station_id)
        if principal.stations is not None:
            return {**view, "entries": None}
        rows, total = await service.station_entries(station_id, limit=limit, offset=offset)
        return {**view, "entries": page([entry_view(r) for r in rows], total, limit, offset)}

    @api.patch("/stations/{station_id}/local-list", tags=["local-list"], openapi_extra=scope(Scope.STATION))
    async def set_station_local_list(
        ctx: Context, _: Admin, station_id: StationId, body: LocalListFlag
    ) -> dict[str, Any]:
        """Opt the station in (true) or out (false) of local lists, or leave it to the policy (null)."""
        await _station_or_404(ctx, station_id)
        return await local_list().set_enabled(station_id, body.enabled)

    @api.post("/stations/{station_id}/local-list", tags=["local-list"], openapi_extra=scope(Scope.STATION))
    async def sync_station_local_list(
        ctx: Context,
        principal: Operator,
        station_id: StationId,
        body: Annotated[SyncBody | None, Body()] = None,
    ) -> dict[str, Any]:
        """Send the list now: ``auto`` (differential when the station holds its recorded version,
        else full), ``full`` or ``differential``. Rebuilds the list from the id-token store first."""
        await _station_or_404(ctx, station_id)
        _live(ctx, station_id)
        service = local_list()
        await service.refresh()
        try:
            result = await service.sync(station_id, (body or SyncBody()).update_type, reason="api")
        except SyncRefused as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        return {**result, "station": await service.view(station_id)}

    @api.get("/stations/{station_id}/local-list/version", tags=["local-list"], openapi_extra=scope(Scope.STATION))
    async def station_local_list_version(
        request: Request, ctx: Context, principal: Operator, station_id: StationId
    ) -> dict[str, Any]:
        """Ask the station (GetLocalListVersion): 0 = no list, -1 = local lists not supported."""
        await _station_or_404(ctx, station_id)
        _live(ctx, station_id)
        service = local_list()
        try:
            version = await service.get_version(station_id)
        except COMMAND_FAILURES as exc:
            failure = _call_failure(exc)
            await _audit(ctx, request, principal, station_id, failure.status_code, {"detail": failure.detail})
            raise failure from exc
        row = await service.db.station_state(station_id)
        result = {
            "station_id": station_id,
            "version": version,
            "recorded_version": row["version"] if row is not None else None,
            "list_version": await service.db.list_version(),
        }
        await _audit(ctx, request, principal, station_id, 200, result)
        return result

    return [api]


async def _audit(
    ctx: ApiContext, request: Request, principal: Principal, station_id: str, status_code: int, detail: Any
) -> None:
    """An audit entry for a GET that sends a command (the middleware audits changing methods only)."""
    client = request.client
    await SecurityStore(ctx.store).append_audit(
        AuditEntry(
            at=ctx.clock.now(),
            action="get_local_list_version",
            method="GET",
            path="/api/v1/stations/{station_id}/local-list/version",
            result="ok" if status_code < 400 else "error",
            status_code=status_code,
            actor=principal.token_id,
            actor_name=principal.name,
            role=principal.role.name.lower(),
            station_id=station_id,
            parameters={"path": {"station_id": station_id}},
            detail=detail,
            source=client.host if client else None,
        )
    )
