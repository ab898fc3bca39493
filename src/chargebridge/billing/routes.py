"""Billing's /api/v1 routes: tariffs and their assignment, station billing settings and meter keys,
CDRs (list, review, credit), running cost and CostUpdated, CDR exports and fleet statements.

Answers carrying money are written by :func:`~chargebridge.billing.cdr.dumps`: every amount is the
exact decimal as a JSON number, never a float's approximation.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from chargebridge.api.auth import Admin, Operator, Principal, Scope, Viewer, scope
from chargebridge.api.deps import Context, Limit, Offset
from chargebridge.billing import exports
from chargebridge.billing.cdr import credit_body, dumps, loads
from chargebridge.billing.commands import CostUpdated
from chargebridge.billing.ocmf import MeterKeyError
from chargebridge.billing.service import BillingService
from chargebridge.billing.store import CdrFilter, Conflict, Missing, TariffInUse
from chargebridge.billing.tariff import TariffError, parse_tariff
from chargebridge.domain.commands import GetConfiguration, VariableRef
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.store.repository import Row

if TYPE_CHECKING:
    from chargebridge.billing.extension import BillingExtension

StationId = Annotated[str, Path(min_length=1, max_length=48)]
TariffId = Annotated[str, Path(min_length=1, max_length=36)]
KeyName = Annotated[str, Path(min_length=1, max_length=255)]
MAX_BODY = 256 * 1024
StationQ = Annotated[str | None, Query(max_length=48)]
TokenQ = Annotated[str | None, Query(max_length=255)]
Since = Annotated[datetime | None, Query(description="ended at or after (RFC 3339)")]
Until = Annotated[datetime | None, Query(description="ended before (RFC 3339)")]
VerdictQ = Annotated[str | None, Query(pattern="^(ok|needs_review)$")]
CdrId = Annotated[str, Path(min_length=1, max_length=39)]


def exact(value: Any, status_code: int = 200) -> Response:
    return Response(content=dumps(value), status_code=status_code, media_type="application/json")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AssignmentBody(_Strict):
    tariff_id: str | None = Field(default=None, min_length=1, max_length=36)


class ProfileBody(_Strict):
    site_id: str | None = Field(default=None, min_length=1, max_length=64)
    time_zone: str | None = Field(default=None, max_length=64)
    max_power_kw: float | None = Field(default=None, gt=0, le=2000)
    require_signed: bool | None = None
    running_cost: bool | None = None


class MeterKeyBody(_Strict):
    public_key: str = Field(min_length=16, max_length=2048, description="EC public key, hex or base64 DER")


class ReviewBody(_Strict):
    decision: str = Field(pattern="^approved$", description="approved: bill it as it is (a wrong CDR gets a credit)")


class CreditBody(_Strict):
    remark: str | None = Field(default=None, max_length=255)


class CostUpdatedBody(_Strict):
    transaction_id: str = Field(min_length=1, max_length=36)
    total_cost: Decimal | None = Field(default=None, ge=0, description="default: the running cost computed now")


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, "tariff body too large")
    try:
        return json.loads(raw or b"null", parse_float=Decimal)
    except (ValueError, UnicodeDecodeError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"body is not JSON: {exc}") from exc


def _tariff_or_422(body: Any) -> Any:
    try:
        return parse_tariff(body)
    except TariffError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, exc.problems) from exc


def tariff_view(row: Row, assignments: list[Row] | None = None) -> dict[str, Any]:
    body = loads(row["body"])
    body["last_updated"] = row["updated_at"]
    out: dict[str, Any] = {**body, "version": row["version"], "created_at": row["created_at"]}
    if assignments is not None:
        out["assignments"] = [{"scope": a["scope"], "key": a["key"]} for a in assignments]
    return out


def cdr_view(row: Row) -> dict[str, Any]:
    body = loads(row["body"])
    return {
        **body,
        "station_id": row["station_id"],
        "transaction_id": row["transaction_id"],
        "group_id": row["group_id"],
        "verdict": row["verdict"],
        "reasons": row["reasons"],
        "review": {"decision": row["review_decision"], "at": row["reviewed_at"], "by": row["reviewed_by"]}
        if row["review_decision"]
        else None,
        "created_at": row["created_at"],
    }


def _who(principal: Principal) -> str:
    return principal.name or principal.token_id


def _validate_zone(name: str | None) -> None:
    if name is None:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"unknown time zone {name!r}") from exc


def build_routers(ext: BillingExtension) -> list[APIRouter]:
    router = APIRouter(prefix="/api/v1", tags=["billing"])

    def service() -> BillingService:
        if ext.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "billing is not running")
        return ext.service

    async def assign(scope_name: str, key: str, body: AssignmentBody, now: datetime) -> dict[str, Any]:
        try:
            await service().billing.assign(scope_name, key, body.tariff_id, now)
        except Missing as exc:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, f"tariff {body.tariff_id!r} does not exist"
            ) from exc
        return {"scope": scope_name, "key": key, "tariff_id": body.tariff_id}

    # -- tariffs (fleet-wide objects) ------------------------------------------------------------------

    @router.post("/tariffs", status_code=201, openapi_extra=scope(Scope.FLEET))
    async def create_tariff(ctx: Context, _: Admin, request: Request) -> Response:
        tariff = _tariff_or_422(await _json_body(request))
        try:
            row, _created = await service().billing.put_tariff(tariff, ctx.clock.now(), create=True)
        except Conflict as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, f"tariff {tariff.id!r} already exists") from exc
        return exact(tariff_view(row, []), 201)

    @router.get("/tariffs", openapi_extra=scope(Scope.FLEET))
    async def list_tariffs(_: Viewer, limit: Limit = 100, offset: Offset = 0) -> Response:
        rows, total = await service().billing.list_tariffs(limit, offset)
        items = [tariff_view(r) for r in rows]
        next_offset = offset + len(items)
        return exact(
            {
                "items": items,
                "total": total,
                "limit": limit,
                "offset": offset,
                "next_offset": next_offset if next_offset < total else None,
            }
        )

    @router.get("/tariffs/{tariff_id}", openapi_extra=scope(Scope.FLEET))
    async def get_tariff(_: Viewer, tariff_id: TariffId) -> Response:
        row = await service().billing.get_tariff(tariff_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"tariff {tariff_id!r} does not exist")
        return exact(tariff_view(row, await service().billing.assignments(tariff_id=tariff_id)))

    @router.put("/tariffs/{tariff_id}", openapi_extra=scope(Scope.FLEET))
    async def replace_tariff(ctx: Context, _: Admin, tariff_id: TariffId, request: Request) -> Response:
        body = await _json_body(request)
        if isinstance(body, dict) and body.setdefault("id", tariff_id) != tariff_id:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the body's id differs from the path's")
        tariff = _tariff_or_422(body)
        try:
            row, _created = await service().billing.put_tariff(tariff, ctx.clock.now(), create=False)
        except Missing as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"tariff {tariff_id!r} does not exist") from exc
        return exact(tariff_view(row, await service().billing.assignments(tariff_id=tariff_id)))

    @router.delete("/tariffs/{tariff_id}", status_code=204, openapi_extra=scope(Scope.FLEET))
    async def delete_tariff(_: Admin, tariff_id: TariffId) -> Response:
        try:
            await service().billing.delete_tariff(tariff_id)
        except Missing as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"tariff {tariff_id!r} does not exist") from exc
        except TariffInUse as exc:
            raise HTTPException(
                status.HTTP_409_CONFLICT,
                {
                    "reason": f"tariff {tariff_id!r} is assigned; remove its assignments first",
                    "assignments": [{"scope": a["scope"], "key": a["key"]} for a in exc.assignments],
                },
            ) from exc
        return Response(status_code=204)

    # -- assignments ----------------------------------------------------------------------------------

    @router.get("/billing/assignments", openapi_extra=scope(Scope.FLEET))
    async def list_assignments(_: Viewer, scope_name: Annotated[str | None, Query(alias="scope")] = None) -> Response:
        rows = await service().billing.assignments(scope=scope_name)
        return exact([{k: r[k] for k in ("scope", "key", "tariff_id", "assigned_at")} for r in rows])

    @router.put("/billing/default-tariff", openapi_extra=scope(Scope.FLEET))
    async def set_default_tariff(ctx: Context, _: Admin, body: AssignmentBody) -> dict[str, Any]:
        return await assign("default", "", body, ctx.clock.now())

    @router.put("/sites/{site_id}/tariff", openapi_extra=scope(Scope.FLEET))
    async def set_site_tariff(
        ctx: Context, _: Admin, site_id: Annotated[str, Path(min_length=1, max_length=64)], body: AssignmentBody
    ) -> dict[str, Any]:
        return await assign("site", site_id, body, ctx.clock.now())

    @router.put("/id-token-groups/{group_id}/tariff", openapi_extra=scope(Scope.FLEET))
    async def set_group_tariff(ctx: Context, _: Admin, group_id: KeyName, body: AssignmentBody) -> dict[str, Any]:
        return await assign("group", group_id, body, ctx.clock.now())

    # -- per station -----------------------------------------------------------------------------------

    async def station_row(ctx: Any, station_id: str) -> Row:
        row = await ctx.store.get_station(station_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
        return dict(row)

    async def profile_view(station_id: str) -> dict[str, Any]:
        billing = service().billing
        profile = await billing.profile(station_id) or {}
        assignment = await billing.assignment("station", station_id)
        max_power = profile.get("max_power_w")
        return {
            "station_id": station_id,
            "tariff_id": assignment["tariff_id"] if assignment else None,
            "site_id": profile.get("site_id"),
            "time_zone": profile.get("time_zone"),
            "max_power_kw": max_power / 1000 if max_power is not None else None,
            "require_signed": bool(profile.get("require_signed", False)),
            "running_cost": service().running_cost_enabled(profile or None),
            "meter_keys": len(await billing.meter_keys(station_id)),
        }

    @router.get("/stations/{station_id}/billing", openapi_extra=scope(Scope.STATION))
    async def get_billing_profile(ctx: Context, _: Viewer, station_id: StationId) -> dict[str, Any]:
        await station_row(ctx, station_id)
        return await profile_view(station_id)

    @router.put("/stations/{station_id}/billing", openapi_extra=scope(Scope.STATION))
    async def put_billing_profile(ctx: Context, _: Admin, station_id: StationId, body: ProfileBody) -> dict[str, Any]:
        await station_row(ctx, station_id)
        _validate_zone(body.time_zone)
        values: dict[str, Any] = {}
        for name in body.model_fields_set:
            value = getattr(body, name)
            if name == "max_power_kw":
                values["max_power_w"] = value * 1000 if value is not None else None
            elif name == "require_signed":
                values[name] = bool(value)
            else:
                values[name] = value
        if values:
            await service().billing.put_profile(station_id, values, ctx.clock.now())
        return await profile_view(station_id)

    @router.get("/stations/{station_id}/meter-keys", openapi_extra=scope(Scope.STATION))
    async def list_meter_keys(ctx: Context, _: Viewer, station_id: StationId) -> list[dict[str, Any]]:
        await station_row(ctx, station_id)
        return [_key_view(r) for r in await service().billing.meter_keys(station_id, include_revoked=True)]

    @router.post("/stations/{station_id}/meter-keys", status_code=201, openapi_extra=scope(Scope.STATION))
    async def add_meter_key(
        ctx: Context, _: Admin, station_id: StationId, body: MeterKeyBody, response: Response
    ) -> dict[str, Any]:
        await station_row(ctx, station_id)
        try:
            row, created = await service().billing.add_meter_key(station_id, body.public_key, "api", ctx.clock.now())
        except MeterKeyError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        if not created:
            response.status_code = 200
        return _key_view(row)

    @router.delete("/stations/{station_id}/meter-keys/{key_id}", status_code=204, openapi_extra=scope(Scope.STATION))
    async def revoke_meter_key(
        ctx: Context, _: Admin, station_id: StationId, key_id: Annotated[int, Path(ge=1, le=2**62)]
    ) -> Response:
        if not await service().billing.revoke_meter_key(station_id, key_id, ctx.clock.now()):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no active meter key {key_id} on station {station_id!r}")
        return Response(status_code=204)

    @router.post("/stations/{station_id}/meter-keys/read", openapi_extra=scope(Scope.STATION))
    async def read_meter_key(ctx: Context, _: Admin, station_id: StationId) -> dict[str, Any]:
        """Ask the station for its meter's public key (2.0.1 GetVariables of the configured
        component/variable, 1.6 GetConfiguration of the configured keys) and register what it says."""
        from chargebridge.api.routes import COMMAND_FAILURES, _call_failure

        station = await station_row(ctx, station_id)
        if station_id not in ctx.gateway.connections:
            raise HTTPException(status.HTTP_409_CONFLICT, f"station {station_id!r} is not connected")
        config = ext.config
        if station.get("ocpp_version") == "2.0.1":
            command = GetConfiguration(variables=(VariableRef(config.meter_key_component, config.meter_key_variable),))
        else:
            command = GetConfiguration(keys=tuple(config.meter_key_config_keys))
        try:
            answer = await ctx.gateway.execute(station_id, command)
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        key = _key_in_answer(answer.outcome.response)
        if key is None:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the station reported no meter public key")
        try:
            row, created = await service().billing.add_meter_key(station_id, key, "station", ctx.clock.now())
        except MeterKeyError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"the station's key: {exc}") from exc
        return {**_key_view(row), "created": created}

    @router.get("/stations/{station_id}/transactions/{transaction_id}/cost", openapi_extra=scope(Scope.STATION))
    async def transaction_cost(
        ctx: Context,
        _: Viewer,
        station_id: StationId,
        transaction_id: Annotated[str, Path(min_length=1, max_length=36)],
    ) -> Response:
        cost = await service().running_cost(station_id, transaction_id)
        if cost is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no transaction {transaction_id!r} on {station_id!r}")
        return exact(cost)

    @router.post("/stations/{station_id}/cost-updated", openapi_extra=scope(Scope.STATION))
    async def cost_updated(ctx: Context, principal: Operator, station_id: StationId, body: CostUpdatedBody) -> Response:
        """Send OCPP 2.0.1 CostUpdated (1.6 has none: 422 CommandNotSupported)."""
        from chargebridge.api.routes import COMMAND_FAILURES, _call_failure

        await station_row(ctx, station_id)
        if station_id not in ctx.gateway.connections:
            raise HTTPException(status.HTTP_409_CONFLICT, f"station {station_id!r} is not connected")
        total = body.total_cost
        if total is None:
            cost = await service().running_cost(station_id, body.transaction_id)
            if cost is None or cost.get("total_cost") is None:
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT, "no running cost: unknown transaction or no tariff applies"
                )
            total = cost["total_cost"].get("incl_vat", cost["total_cost"]["excl_vat"])
        try:
            answer = await ctx.gateway.execute(station_id, CostUpdated(body.transaction_id, total))
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        result = {
            "command": "cost-updated",
            "action": answer.action,
            "status": answer.outcome.status,
            "total_cost": total,
            "round_trip_ms": round(answer.round_trip_ms, 3),
        }
        event = {**result, "total_cost": str(total), "by": principal.token_id}
        ctx.bus.publish(DomainEvent(EventKind.COMMAND_COMPLETED, station_id, ctx.clock.now(), event))
        return exact(result)

    # -- CDRs --------------------------------------------------------------------------------------------

    def cdr_filter(
        principal: Principal,
        station_id: str | None,
        id_token: str | None,
        since: datetime | None,
        until: datetime | None,
        verdict: str | None = None,
        group_id: str | None = None,
    ) -> CdrFilter:
        since, until = _aware(since), _aware(until)
        if since is not None and until is not None and until <= since:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "until must be after since")
        only = frozenset(principal.stations) if principal.stations is not None else None
        return CdrFilter(station_id, id_token, group_id, since, until, verdict, only)

    @router.get("/cdrs", openapi_extra=scope(Scope.FILTERED))
    async def list_cdrs(
        principal: Viewer,
        station_id: StationQ = None,
        id_token: TokenQ = None,
        since: Since = None,
        until: Until = None,
        verdict: VerdictQ = None,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> Response:
        where = cdr_filter(principal, station_id, id_token, since, until, verdict)
        rows, total = await service().billing.list_cdrs(where, limit, offset)
        next_offset = offset + len(rows)
        return exact(
            {
                "items": [cdr_view(r) for r in rows],
                "total": total,
                "limit": limit,
                "offset": offset,
                "next_offset": next_offset if next_offset < total else None,
            }
        )

    async def cdr_or_404(principal: Principal, cdr_id: str) -> Row:
        row = await service().billing.get_cdr(cdr_id)
        if row is None or not principal.can_access(row["station_id"]):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"CDR {cdr_id!r} does not exist")
        return row

    @router.get("/cdrs/{cdr_id}", openapi_extra=scope(Scope.OBJECT))
    async def get_cdr(principal: Viewer, cdr_id: CdrId) -> Response:
        return exact(cdr_view(await cdr_or_404(principal, cdr_id)))

    @router.post("/cdrs/{cdr_id}/review", openapi_extra=scope(Scope.OBJECT))
    async def review_cdr(ctx: Context, principal: Operator, cdr_id: CdrId, body: ReviewBody) -> Response:
        row = await cdr_or_404(principal, cdr_id)
        if row["credit"]:
            raise HTTPException(status.HTTP_409_CONFLICT, "a credit CDR needs no review")
        try:
            row = await service().billing.review(cdr_id, body.decision, _who(principal), ctx.clock.now())
        except Conflict as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        return exact(cdr_view(row))

    @router.post("/cdrs/{cdr_id}/credit", status_code=201, openapi_extra=scope(Scope.OBJECT))
    async def credit_cdr(ctx: Context, principal: Admin, cdr_id: CdrId, body: CreditBody) -> Response:
        """A CDR is immutable: a correction is a credit CDR (every amount negated) referencing it."""
        row = await cdr_or_404(principal, cdr_id)
        if row["credit"]:
            raise HTTPException(status.HTTP_409_CONFLICT, "a credit CDR cannot be credited")
        now = ctx.clock.now()
        credit = credit_body(loads(row["body"]), f"{row['id']}-C", now, body.remark)
        try:
            created = await service().billing.add_credit(row, credit, now, _who(principal))
        except Conflict as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        view = cdr_view(created)
        ctx.bus.publish(
            DomainEvent(
                EventKind.CDR_CREATED,
                row["station_id"],
                now,
                {
                    "cdr_id": created["id"],
                    "credit": True,
                    "credit_reference_id": row["id"],
                    "transaction_id": row["transaction_id"],
                    "currency": row["currency"],
                    "total_cost": {k: str(v) for k, v in credit["total_cost"].items()},
                },
            )
        )
        return exact(view, 201)

    # -- exports -----------------------------------------------------------------------------------------

    page_size = 500

    @router.get("/exports/cdrs.csv", response_class=StreamingResponse, openapi_extra=scope(Scope.FILTERED))
    async def export_cdrs_csv(
        ctx: Context,
        principal: Viewer,
        station_id: StationQ = None,
        id_token: TokenQ = None,
        since: Since = None,
        until: Until = None,
    ) -> StreamingResponse:
        where = cdr_filter(principal, station_id, id_token, since, until)
        return StreamingResponse(
            exports.csv_stream(service().billing.cdr_pages(where, page_size)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="cdrs.csv"'},
        )

    @router.get("/exports/cdrs.xml", response_class=StreamingResponse, openapi_extra=scope(Scope.FILTERED))
    async def export_cdrs_xml(
        ctx: Context,
        principal: Viewer,
        station_id: StationQ = None,
        id_token: TokenQ = None,
        since: Since = None,
        until: Until = None,
    ) -> StreamingResponse:
        where = cdr_filter(principal, station_id, id_token, since, until)
        return StreamingResponse(
            exports.xml_stream(service().billing.cdr_pages(where, page_size), ctx.clock.now()),
            media_type="application/xml",
            headers={"Content-Disposition": 'attachment; filename="cdrs.xml"'},
        )

    @router.get("/exports/cdrs.xsd", openapi_extra=scope(Scope.NONE))
    async def export_cdrs_schema(_: Viewer) -> Response:
        return Response(exports.xsd_text(), media_type="application/xml")

    @router.get(
        "/exports/statements/{group_id}.csv", response_class=StreamingResponse, openapi_extra=scope(Scope.FILTERED)
    )
    async def group_statement(
        ctx: Context,
        principal: Viewer,
        group_id: KeyName,
        month: Annotated[str, Query(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="YYYY-MM (UTC)")],
    ) -> StreamingResponse:
        """A fleet's (id-token group's) monthly statement: its CDRs that ended in the month, and the totals."""
        year, number = int(month[:4]), int(month[5:])
        if not 1 <= year <= 9998:  # the month and the next one must be dates Python can hold
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "month: the year must be 0001-9998")
        since = datetime(year, number, 1, tzinfo=UTC)
        until = datetime(year + (number == 12), number % 12 + 1, 1, tzinfo=UTC)
        where = cdr_filter(principal, None, None, since, until, group_id=group_id)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", group_id)[:64]
        return StreamingResponse(
            exports.statement_stream(service().billing.cdr_pages(where, page_size), group_id, month),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="statement-{name}-{month}.csv"'},
        )

    return [router]


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _key_view(row: Row) -> dict[str, Any]:
    return {
        "id": row["id"],
        "station_id": row["station_id"],
        "public_key": row["public_key"],
        "curve": row["curve"],
        "source": row["source"],
        "created_at": row["created_at"],
        "revoked_at": row["revoked_at"],
    }


def _key_in_answer(response: Any) -> str | None:
    """The public key in a GetVariables / GetConfiguration answer."""
    if not isinstance(response, dict):
        return None
    for result in response.get("getVariableResult", ()):
        if result.get("attributeStatus") == "Accepted" and result.get("attributeValue"):
            return str(result["attributeValue"])
    for item in response.get("configurationKey", ()):
        if item.get("value"):
            return str(item["value"])
    return None


_ = (Body, replace, csv, io, AsyncIterator)  # keep imports used by type hints of FastAPI stable
