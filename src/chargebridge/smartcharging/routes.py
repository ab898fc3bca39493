"""REST routes of smart charging, under ``/api/v1/stations/{station_id}``.

Routes that send a command need the operator role and a connected station; lists need the viewer
role. The station id in the path is checked against a scoped token like every station route.
Commands are audited: POST/DELETE by the audit middleware, and ``GET /composite-schedule`` (which
sends GetCompositeSchedule) by an explicit entry here.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, status
from pydantic import ValidationError

from chargebridge.api.auth import Operator, Principal, Scope, Viewer, scope
from chargebridge.api.deps import ApiContext, Context
from chargebridge.api.routes import COMMAND_FAILURES, _call_failure, _live_station, _station_or_404
from chargebridge.domain import charging as ch
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.timeutil import format_datetime
from chargebridge.security.store import AuditEntry, SecurityStore
from chargebridge.smartcharging.bodies import MAX_DURATION_S, PurposeName, ReportBody, SetProfileBody
from chargebridge.smartcharging.service import SmartChargingService
from chargebridge.store.repository import Row

if TYPE_CHECKING:
    from chargebridge.smartcharging.extension import SmartChargingExtension

StationId = Annotated[str, Path(min_length=1, max_length=48)]
ProfileId = Annotated[int, Path(ge=0, le=2**31 - 1)]
Evse = Annotated[int | None, Query(ge=0, le=2**31 - 1)]


def _time(value: Any) -> str | None:
    return format_datetime(value) if value is not None else None


def profile_view(row: Row) -> dict[str, Any]:
    return {
        "profile_id": row["profile_id"],
        "evse_id": row["evse_id"],
        "purpose": row["purpose"],
        "stack_level": row["stack_level"],
        "transaction_id": row["transaction_id"],
        "origin": row["origin"],
        "limit_source": row["limit_source"],
        "profile": row["profile"],
        "installed_at": _time(row["installed_at"]),
        "updated_at": _time(row["updated_at"]),
    }


def limit_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "evse_id": row["evse_id"],
        "source": row["source"],
        "grid_critical": row["grid_critical"],
        "schedules": row["schedules"],
        "reported_at": _time(row["reported_at"]),
        "cleared_at": _time(row["cleared_at"]),
        "active": row["cleared_at"] is None,
    }


def needs_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "evse_id": row["evse_id"],
        "transaction_id": row["transaction_id"],
        "needs": row["needs"],
        "max_schedule_tuples": row["max_schedule_tuples"],
        "status": row["status"],
        "reason": row["reason"],
        "profile_id": row["profile_id"],
        "schedule": row["schedule"],
        "profile_status": row["profile_status"],
        "received_at": _time(row["received_at"]),
    }


def ev_schedule_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "evse_id": row["evse_id"],
        "time_base": _time(row["time_base"]),
        "schedule": row["schedule"],
        "accepted": row["accepted"],
        "reason": row["reason"],
        "received_at": _time(row["received_at"]),
    }


def _answer(name: str, answer: Any) -> dict[str, Any]:
    return {
        "command": name,
        "action": answer.action,
        "status": answer.outcome.status,
        "response": answer.outcome.response,
        "round_trip_ms": round(answer.round_trip_ms, 3),
    }


def _completed(ctx: ApiContext, station_id: str, principal: Principal, result: dict[str, Any]) -> None:
    data = {key: result[key] for key in ("command", "action", "status", "response", "round_trip_ms")}
    ctx.bus.publish(
        DomainEvent(EventKind.COMMAND_COMPLETED, station_id, ctx.clock.now(), {**data, "by": principal.token_id})
    )


async def _audit_read_command(
    ctx: ApiContext, request: Request, principal: Principal, station_id: str, status_code: int, detail: Any
) -> None:
    """A GET that sends a command to a station is audited like any command."""
    client = request.client
    entry = AuditEntry(
        at=ctx.clock.now(),
        action="get_composite_schedule",
        method=request.method,
        path=str(getattr(request.scope.get("route"), "path", request.url.path)),
        result="ok" if status_code < 400 else "error",
        status_code=status_code,
        actor=principal.token_id,
        actor_name=principal.name,
        role=principal.role.name.lower(),
        station_id=station_id,
        parameters={"path": dict(request.path_params), "query": str(request.url.query)},
        detail=detail,
        source=client.host if client else None,
    )
    await SecurityStore(ctx.store).append_audit(entry)


def build_router(ext: SmartChargingExtension) -> APIRouter:
    api = APIRouter(prefix="/api/v1/stations/{station_id}", tags=["smart charging"])

    def service() -> SmartChargingService:
        if ext.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "smart charging is not running")
        return ext.service

    # -- charging profiles ------------------------------------------------------------------

    @api.post("/charging-profiles", openapi_extra=scope(Scope.STATION))
    async def set_charging_profile(
        ctx: Context, principal: Operator, station_id: StationId, body: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        """SetChargingProfile (1.6 / 2.0.1). Body ``{evse_id, profile}``; the profile in the neutral
        form or either version's OCPP form. Stored when the station accepts it."""
        svc = service()
        try:
            parsed = SetProfileBody.model_validate(body)
        except ValidationError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, json.loads(exc.json())) from exc
        await _live_station(ctx, station_id)
        profile, _ = parsed.parsed(await svc.data.next_profile_id(station_id))
        try:
            answer = await svc.set_profile(station_id, parsed.evse_id, profile)
        except ch.ProfileError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        result = _answer("set-charging-profile", answer) | {
            "evse_id": parsed.evse_id,
            "profile": ch.profile_json(profile),
        }
        _completed(ctx, station_id, principal, result)
        return result

    @api.get("/charging-profiles", openapi_extra=scope(Scope.STATION))
    async def list_charging_profiles(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        evse_id: Evse = None,
        purpose: Annotated[PurposeName | Literal["ChargingStationExternalConstraints"] | None, Query()] = None,
    ) -> dict[str, Any]:
        """The profiles the station holds, as far as the CSMS knows: accepted or reported."""
        await _station_or_404(ctx, station_id)
        rows = await service().data.profiles(
            station_id, evse_id=evse_id, purpose=ch.ProfilePurpose.parse(purpose) if purpose else None
        )
        return {"items": [profile_view(row) for row in rows]}

    @api.delete("/charging-profiles/{profile_id}", openapi_extra=scope(Scope.STATION))
    async def clear_charging_profile(
        ctx: Context, principal: Operator, station_id: StationId, profile_id: ProfileId
    ) -> dict[str, Any]:
        """ClearChargingProfile by id."""
        return await _clear(ctx, principal, station_id, profile_id=profile_id)

    @api.delete("/charging-profiles", openapi_extra=scope(Scope.STATION))
    async def clear_charging_profiles(
        ctx: Context,
        principal: Operator,
        station_id: StationId,
        evse_id: Evse = None,
        purpose: Annotated[PurposeName | None, Query()] = None,
        stack_level: Annotated[int | None, Query(ge=0, le=2**31 - 1)] = None,
    ) -> dict[str, Any]:
        """ClearChargingProfile by criteria (all given must match; none: every profile)."""
        return await _clear(
            ctx,
            principal,
            station_id,
            evse_id=evse_id,
            purpose=ch.ProfilePurpose.parse(purpose) if purpose else None,
            stack_level=stack_level,
        )

    async def _clear(ctx: ApiContext, principal: Principal, station_id: str, **criteria: Any) -> dict[str, Any]:
        svc = service()
        await _live_station(ctx, station_id)
        try:
            answer, removed = await svc.clear_profiles(station_id, **criteria)
        except ch.ProfileError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        result = _answer("clear-charging-profile", answer) | {"removed": [row["profile_id"] for row in removed]}
        _completed(ctx, station_id, principal, result)
        return result

    @api.post("/charging-profiles/report", openapi_extra=scope(Scope.STATION))
    async def report_charging_profiles(
        ctx: Context,
        principal: Operator,
        station_id: StationId,
        body: Annotated[dict[str, Any] | None, Body()] = None,
    ) -> dict[str, Any]:
        """GetChargingProfiles (2.0.1; a 1.6 station cannot report its profiles: 422) and the
        profiles its ReportChargingProfiles listed; the store is brought in line with them."""
        svc = service()
        try:
            parsed = ReportBody.model_validate(body or {})
        except ValidationError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, json.loads(exc.json())) from exc
        await _live_station(ctx, station_id)
        try:
            report = await svc.report(
                station_id,
                evse_id=parsed.evse_id,
                purpose=parsed.purpose_value(),
                stack_level=parsed.stack_level,
                profile_ids=parsed.profile_ids,
                sources=[ch.LimitSource(s) for s in parsed.sources],
            )
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        result = {
            "command": "get-charging-profiles",
            "action": "GetChargingProfiles",
            "status": report.status,
            "response": {"status": report.status},
            "round_trip_ms": round(report.round_trip_ms, 3),
            "request_id": report.request_id,
            "complete": report.complete,
            "profiles": [
                {"evse_id": evse_id, "limit_source": source, "profile": ch.profile_json(profile)}
                for evse_id, profile, source in report.profiles
            ],
        }
        _completed(ctx, station_id, principal, result)
        return result

    # -- composite schedule -----------------------------------------------------------------

    @api.get("/composite-schedule", openapi_extra=scope(Scope.STATION))
    async def composite_schedule(
        ctx: Context,
        request: Request,
        principal: Operator,
        station_id: StationId,
        duration_s: Annotated[int, Query(gt=0, le=MAX_DURATION_S)] = 3600,
        evse_id: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
        unit: Annotated[Literal["A", "W"] | None, Query()] = None,
    ) -> dict[str, Any]:
        """GetCompositeSchedule: what the station says it will allow. ``expected`` is what the CSMS
        computes from the profiles and external limits it knows of (None where nothing limits)."""
        svc = service()
        await _live_station(ctx, station_id)
        rate = ch.RateUnit(unit) if unit else None
        try:
            answer = await svc.get_composite_schedule(station_id, evse_id, duration_s, rate)
        except COMMAND_FAILURES as exc:
            failure = _call_failure(exc)
            await _audit_read_command(ctx, request, principal, station_id, failure.status_code, failure.detail)
            raise failure from exc
        composite = answer.outcome.composite
        result = _answer("get-composite-schedule", answer) | {
            "schedule": ch.composite_json(composite) if composite is not None else None
        }
        expected_unit = composite.unit if composite is not None else (rate or ch.RateUnit.AMPERES)
        start = composite.start if composite is not None else ctx.clock.now()
        expected = await svc.limits_for(station_id, evse_id, expected_unit, start=start, duration_s=duration_s)
        result["expected"] = {
            "unit": expected_unit.value,
            "start": format_datetime(start),
            "periods": [{"start_s": p.start_s, "limit": p.limit, "number_phases": p.number_phases} for p in expected],
        }
        await _audit_read_command(
            ctx, request, principal, station_id, 200, {"status": result["status"], "action": result["action"]}
        )
        _completed(ctx, station_id, principal, result)
        return result

    # -- external limits and ISO 15118 -----------------------------------------------------

    @api.get("/charging-limits", openapi_extra=scope(Scope.STATION))
    async def charging_limits(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        active: bool = True,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """External limits the station reported (NotifyChargingLimit); ``active=false``: with released ones."""
        await _station_or_404(ctx, station_id)
        rows = await service().data.limits(station_id, active_only=active, limit=limit)
        return {"items": [limit_view(row) for row in rows]}

    @api.get("/ev-charging-needs", openapi_extra=scope(Scope.STATION))
    async def ev_charging_needs(
        ctx: Context, _: Viewer, station_id: StationId, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> dict[str, Any]:
        """ISO 15118 charging needs with our answer and the schedule we sent, newest first, and the
        schedules the EVs chose (NotifyEVChargingSchedule) with our verdict."""
        await _station_or_404(ctx, station_id)
        svc = service()
        needs = await svc.data.needs(station_id, limit=limit)
        schedules = await svc.data.ev_schedules(station_id, limit=limit)
        return {"items": [needs_view(row) for row in needs], "ev_schedules": [ev_schedule_view(r) for r in schedules]}

    return api
