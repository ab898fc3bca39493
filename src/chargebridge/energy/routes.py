"""REST routes of energy management: sites, their limits (curtailments, schedules), live allocation,
and the energy settings of stations and EVSEs.

Sites are fleet objects: every route declares ``Scope.FLEET`` (a token limited to certain stations
gets 403), and the energy fields of ``PATCH /api/v1/stations/{id}`` are refused to such tokens too -
a station's site, maximum and priority change what every other station of the site may draw.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, HTTPException, Path, Query, Response, status
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from chargebridge.api.auth import Admin, Operator, Principal, Scope, Viewer, scope
from chargebridge.api.deps import Context
from chargebridge.domain.timeutil import format_datetime
from chargebridge.energy.limits import DAYS, kw_to_amps, parse_entry
from chargebridge.energy.service import EnergyError, EnergyService
from chargebridge.energy.store import SiteExists, SiteInUse
from chargebridge.store.repository import Row

if TYPE_CHECKING:
    from chargebridge.energy.extension import EnergyExtension

SITE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$"
SiteId = Annotated[str, Path(min_length=1, max_length=48, pattern=SITE_ID_PATTERN)]
StationId = Annotated[str, Path(min_length=1, max_length=48)]
MAX_AMPS = 100_000.0
MAX_CURTAILMENT_S = 7 * 24 * 3600

Amps = Annotated[float, Field(ge=0, le=MAX_AMPS, allow_inf_nan=False)]
PositiveAmps = Annotated[float, Field(gt=0, le=MAX_AMPS, allow_inf_nan=False)]


class ScheduleItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    day: str = Field(description="mon, tue, wed, thu, fri, sat or sun")
    start: str = Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", description="local time HH:MM")
    limit_a: Amps | None = Field(default=None, description="null: no schedule limit from then on")

    @field_validator("day")
    @classmethod
    def _day(cls, value: str) -> str:
        day = value.lower()[:3]
        if day not in DAYS or value.lower() not in (day, _long_day(day)):
            raise ValueError(f"must be one of {', '.join(DAYS)}")
        return day


def _long_day(day: str) -> str:
    return {
        "mon": "monday",
        "tue": "tuesday",
        "wed": "wednesday",
        "thu": "thursday",
        "fri": "friday",
        "sat": "saturday",
        "sun": "sunday",
    }[day]


def _check_schedule(items: list[ScheduleItem]) -> list[ScheduleItem]:
    seen = set()
    for item in items:
        key = (item.day, item.start)
        if key in seen:
            raise ValueError(f"two entries for {item.day} {item.start}")
        seen.add(key)
    return items


def _check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {value!r}") from exc
    return value


class SiteFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    parent_id: str | None = Field(default=None, min_length=1, max_length=48, pattern=SITE_ID_PATTERN)
    grid_limit_a: PositiveAmps | None = None
    phases: Literal[1, 3] | None = None
    voltage_v: float | None = Field(default=None, gt=0, le=1000, allow_inf_nan=False)
    min_current_a: Amps | None = None
    safety_margin_a: Amps | None = None
    fallback_limit_a: Amps | None = None
    meter: str | None = Field(default=None, min_length=1, max_length=100)
    meter_includes_charging: bool | None = None
    timezone: str | None = Field(default=None, max_length=64)
    schedule: list[ScheduleItem] | None = Field(default=None, max_length=7 * 96)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return _check_timezone(value) if value is not None else None

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: list[ScheduleItem] | None) -> list[ScheduleItem] | None:
        return _check_schedule(value) if value is not None else None


class SiteCreate(SiteFields):
    id: str = Field(min_length=1, max_length=48, pattern=SITE_ID_PATTERN)
    grid_limit_a: PositiveAmps
    phases: Literal[1, 3] = 3
    voltage_v: float = Field(default=230.0, gt=0, le=1000, allow_inf_nan=False)
    min_current_a: Amps = 6.0
    safety_margin_a: Amps = 0.0
    meter_includes_charging: bool = False
    timezone: str = Field(default="UTC", max_length=64)


class SiteUpdate(SiteFields):
    pass


class LimitBody(BaseModel):
    """A grid-operator or aggregator limit for ``duration_s`` seconds (from ``starts_at``, default now)."""

    model_config = ConfigDict(extra="forbid")
    limit_a: Amps | None = None
    limit_kw: float | None = Field(default=None, ge=0, le=100_000, allow_inf_nan=False)
    duration_s: int = Field(gt=0, le=MAX_CURTAILMENT_S)
    source: str = Field(default="operator", min_length=1, max_length=64)
    starts_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one_limit(self) -> LimitBody:
        if (self.limit_a is None) == (self.limit_kw is None):
            raise ValueError("give exactly one of limit_a and limit_kw")
        if not self.source.isprintable():
            raise ValueError("source must be printable")
        return self


class ScheduleBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timezone: str | None = Field(default=None, max_length=64)
    entries: list[ScheduleItem] = Field(max_length=7 * 96)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, value: str | None) -> str | None:
        return _check_timezone(value) if value is not None else None

    @field_validator("entries")
    @classmethod
    def _entries(cls, value: list[ScheduleItem]) -> list[ScheduleItem]:
        return _check_schedule(value)


class EvseEnergy(BaseModel):
    model_config = ConfigDict(extra="forbid")
    evse_id: int = Field(ge=1, le=1000)
    max_current_a: PositiveAmps | None = None
    priority: int | None = Field(default=None, ge=-1000, le=1000)


class StationEnergy(BaseModel):
    """A station's energy settings; only the fields given change (null clears)."""

    model_config = ConfigDict(extra="forbid")
    site_id: str | None = Field(default=None, min_length=1, max_length=48)
    max_current_a: PositiveAmps | None = None
    priority: int | None = Field(default=None, ge=-1000, le=1000)
    phase_rotation: Literal["RST", "RTS", "SRT", "STR", "TRS", "TSR"] | None = None
    evses: list[EvseEnergy] | None = Field(default=None, max_length=100)

    @field_validator("evses")
    @classmethod
    def _unique(cls, value: list[EvseEnergy] | None) -> list[EvseEnergy] | None:
        if value is not None and len({e.evse_id for e in value}) != len(value):
            raise ValueError("an EVSE is given twice")
        return value


STATION_FIELDS = ("site_id", "max_current_a", "priority")


def site_view(row: Row, service: EnergyService | None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": row["id"],
        "name": row["name"],
        "parent_id": row["parent_id"],
        "grid_limit_a": row["grid_limit_a"],
        "phases": row["phases"],
        "voltage_v": row["voltage_v"],
        "min_current_a": row["min_current_a"],
        "safety_margin_a": row["safety_margin_a"],
        "fallback_limit_a": row["fallback_limit_a"],
        "meter": row["meter"],
        "meter_includes_charging": row["meter_includes_charging"],
        "timezone": row["timezone"],
        "schedule": row["schedule"] or [],
        "created_at": format_datetime(row["created_at"]),
        "updated_at": format_datetime(row["updated_at"]),
    }
    if service is not None and row["id"] in service.sites:
        view["live"] = service.site_live(row["id"])
    return view


def _error(exc: EnergyError) -> HTTPException:
    return HTTPException(exc.status, exc.message)


def build_router(ext: EnergyExtension) -> APIRouter:
    api = APIRouter(prefix="/api/v1", tags=["energy"])

    def service() -> EnergyService:
        if ext.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "energy management is not running")
        return ext.service

    async def site_or_404(ctx: Context, site_id: str) -> Row:
        row = await service().data.get_site(site_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"site {site_id!r} does not exist")
        return row

    # -- sites ---------------------------------------------------------------------------------

    @api.post("/sites", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
    async def create_site(ctx: Context, _: Admin, body: SiteCreate) -> dict[str, Any]:
        svc = service()
        values = body.model_dump()
        values["name"] = body.name or body.id
        values["schedule"] = [parse_entry(item.model_dump()).to_json() for item in body.schedule or []]
        try:
            await ext.check_site(svc, body.id, values, existing=None)
        except EnergyError as exc:
            raise _error(exc) from exc
        now = ctx.clock.now()
        try:
            await svc.data.add_site({**values, "created_at": now, "updated_at": now})
        except SiteExists as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, f"site {body.id!r} already exists") from exc
        await svc.site_changed(body.id)
        return site_view(await site_or_404(ctx, body.id), svc)

    @api.get("/sites", openapi_extra=scope(Scope.FLEET))
    async def list_sites(ctx: Context, _: Viewer) -> dict[str, Any]:
        svc = service()
        return {"items": [site_view(row, svc) for row in await svc.data.list_sites()]}

    @api.get("/sites/{site_id}", openapi_extra=scope(Scope.FLEET))
    async def get_site(ctx: Context, _: Viewer, site_id: SiteId) -> dict[str, Any]:
        return site_view(await site_or_404(ctx, site_id), service())

    @api.patch("/sites/{site_id}", openapi_extra=scope(Scope.FLEET))
    async def update_site(ctx: Context, _: Admin, site_id: SiteId, body: SiteUpdate) -> dict[str, Any]:
        svc = service()
        row = await site_or_404(ctx, site_id)
        given = body.model_dump(exclude_unset=True)
        for key in ("name", "grid_limit_a", "phases", "voltage_v", "min_current_a", "safety_margin_a", "timezone"):
            if key in given and given[key] is None:
                raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"{key} cannot be null")
        if given.get("meter_includes_charging", False) is None:
            given["meter_includes_charging"] = False
        if "schedule" in given:
            given["schedule"] = [parse_entry(item).to_json() for item in given["schedule"] or []]
        merged = {**dict(row), **given}
        try:
            await ext.check_site(svc, site_id, merged, existing=row)
        except EnergyError as exc:
            raise _error(exc) from exc
        old_root = svc.root_of(site_id)
        if given:
            await svc.data.update_site(site_id, {**given, "updated_at": ctx.clock.now()})
        await svc.site_changed(site_id, old_root)
        return site_view(await site_or_404(ctx, site_id), svc)

    @api.delete("/sites/{site_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=scope(Scope.FLEET))
    async def delete_site(ctx: Context, _: Admin, site_id: SiteId) -> Response:
        svc = service()
        await site_or_404(ctx, site_id)
        old_root = svc.root_of(site_id)
        try:
            await svc.data.delete_site(site_id)
        except SiteInUse as exc:
            parts = []
            if exc.children:
                parts.append(f"sites {exc.children}")
            if exc.stations:
                parts.append(f"stations {exc.stations}")
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"site {site_id!r} still has {' and '.join(parts)}; move them first"
            ) from exc
        await svc.site_changed(None, old_root if old_root != site_id else None)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @api.get("/sites/{site_id}/history", openapi_extra=scope(Scope.FLEET))
    async def site_history(
        ctx: Context,
        _: Viewer,
        site_id: SiteId,
        minutes: Annotated[float, Query(gt=0, le=24 * 60)] = 60,
    ) -> dict[str, Any]:
        await site_or_404(ctx, site_id)
        since = ctx.clock.now() - timedelta(minutes=minutes)
        return {"site_id": site_id, "points": service().history(site_id, since)}

    @api.post("/sites/{site_id}/replan", openapi_extra=scope(Scope.FLEET))
    async def replan(ctx: Context, _: Operator, site_id: SiteId) -> dict[str, Any]:
        """Plan the site's tree now and answer with what was applied."""
        svc = service()
        await site_or_404(ctx, site_id)
        root = svc.root_of(site_id) or site_id
        result = await svc.replan(root, "requested")
        return {
            "root": result.root,
            "allocations": result.allocations,
            "waiting": sorted(result.waiting),
            "lowered": result.lowered,
            "raised": result.raised,
            "failed": result.failed,
            "duration_ms": result.duration_ms,
        }

    # -- limits: curtailments and the time-of-use schedule ----------------------------------------

    @api.post("/sites/{site_id}/limits", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
    async def add_limit(ctx: Context, principal: Operator, site_id: SiteId, body: LimitBody) -> dict[str, Any]:
        try:
            return await ext.curtail(site_id, body, principal, via="rest")
        except EnergyError as exc:
            raise _error(exc) from exc

    @api.get("/sites/{site_id}/limits", openapi_extra=scope(Scope.FLEET))
    async def list_limits(
        ctx: Context, _: Viewer, site_id: SiteId, active: bool = True, limit: Annotated[int, Query(ge=1, le=1000)] = 100
    ) -> dict[str, Any]:
        await site_or_404(ctx, site_id)
        rows = await service().data.curtailments(site_id, active_at=ctx.clock.now() if active else None, limit=limit)
        return {"items": [curtailment_view(row, ctx.clock.now()) for row in rows]}

    @api.delete(
        "/sites/{site_id}/limits/{limit_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=scope(Scope.FLEET)
    )
    async def release_limit(
        ctx: Context, _: Operator, site_id: SiteId, limit_id: Annotated[int, Path(ge=1, le=2**63 - 1)]
    ) -> Response:
        svc = service()
        row = await svc.data.get_curtailment(limit_id)
        if row is None or row["site_id"] != site_id:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"site {site_id!r} has no limit {limit_id}")
        if not await svc.data.clear_curtailment(limit_id, ctx.clock.now()):
            raise HTTPException(status.HTTP_409_CONFLICT, f"limit {limit_id} already ended or was released")
        await svc.curtailments_changed(site_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @api.get("/sites/{site_id}/schedule", openapi_extra=scope(Scope.FLEET))
    async def get_schedule(ctx: Context, _: Viewer, site_id: SiteId) -> dict[str, Any]:
        row = await site_or_404(ctx, site_id)
        return {"timezone": row["timezone"], "entries": row["schedule"] or []}

    @api.put("/sites/{site_id}/schedule", openapi_extra=scope(Scope.FLEET))
    async def put_schedule(ctx: Context, _: Admin, site_id: SiteId, body: ScheduleBody) -> dict[str, Any]:
        svc = service()
        row = await site_or_404(ctx, site_id)
        entries = [parse_entry(item.model_dump()).to_json() for item in body.entries]
        values: dict[str, Any] = {"schedule": entries, "updated_at": ctx.clock.now()}
        if body.timezone is not None:
            values["timezone"] = body.timezone
        await svc.data.update_site(site_id, values)
        await svc.site_changed(site_id)
        return {"timezone": values.get("timezone", row["timezone"]), "entries": entries}

    # -- stations -----------------------------------------------------------------------------------

    @api.get("/stations/{station_id}/energy", openapi_extra=scope(Scope.FLEET))
    async def get_station_energy(ctx: Context, _: Viewer, station_id: StationId) -> dict[str, Any]:
        if await ctx.store.get_station(station_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
        return await ext.station_energy(station_id)

    @api.put("/stations/{station_id}/energy", openapi_extra=scope(Scope.FLEET))
    async def put_station_energy(ctx: Context, _: Admin, station_id: StationId, body: StationEnergy) -> dict[str, Any]:
        if await ctx.store.get_station(station_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
        try:
            await ext.set_station(station_id, body.model_dump(exclude_unset=True))
        except EnergyError as exc:
            raise _error(exc) from exc
        return await ext.station_energy(station_id)

    return api


def curtailment_view(row: Row, now: datetime) -> dict[str, Any]:
    cleared = row["cleared_at"]
    return {
        "id": row["id"],
        "site_id": row["site_id"],
        "limit_a": row["limit_a"],
        "limit_kw": row["limit_kw"],
        "source": row["source"],
        "starts_at": format_datetime(row["starts_at"]),
        "ends_at": format_datetime(row["ends_at"]),
        "cleared_at": format_datetime(cleared) if cleared else None,
        "active": cleared is None and row["starts_at"] <= now < row["ends_at"],
        "via": row["via"],
        "created_by": row["created_by"],
        "created_at": format_datetime(row["created_at"]),
    }


def limit_values(body: LimitBody, site: Row) -> tuple[float, float | None]:
    """(limit in A per phase, the kW given or None)."""
    if body.limit_kw is not None:
        return kw_to_amps(body.limit_kw, float(site["voltage_v"]), int(site["phases"])), body.limit_kw
    assert body.limit_a is not None
    return float(body.limit_a), None


def principal_name(principal: Principal | None) -> str | None:
    if principal is None:
        return None
    return principal.token_id if not principal.name else f"{principal.name} ({principal.token_id})"[:100]
