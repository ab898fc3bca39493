"""HTTP routes of the validation bench (see docs/validation.md and docs/api.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, status
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from chargebridge.api.auth import Operator, Principal, Scope, Viewer, scope
from chargebridge.api.deps import Limit, Offset
from chargebridge.validation.catalogue import CASES
from chargebridge.validation.model import Level, RunSettings
from chargebridge.validation.report import render_html
from chargebridge.validation.service import Busy, NotConnected, ValidationService

if TYPE_CHECKING:
    from chargebridge.validation.extension import ValidationExtension

StationId = Annotated[str, Path(min_length=1, max_length=48)]
RunId = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")]


class RunBody(BaseModel):
    """How the run behaves; every field is optional (see docs/validation.md for the defaults)."""

    model_config = ConfigDict(extra="forbid")

    level: Literal["basic", "standard", "advanced"] = "advanced"
    manual_step_timeout_s: float = Field(default=300.0, gt=0, le=3600)
    response_timeout_s: float = Field(default=30.0, gt=0, le=600)
    reboot_timeout_s: float = Field(default=180.0, gt=0, le=3600)
    firmware_timeout_s: float = Field(default=600.0, gt=0, le=7200)
    heartbeat_interval_s: int = Field(default=10, ge=1, le=3600)
    heartbeat_window_s: float | None = Field(default=None, gt=0, le=7200)
    meter_interval_s: int = Field(default=10, ge=1, le=3600)
    meter_samples: int = Field(default=3, ge=2, le=50)
    power_tolerance: float = Field(default=0.1, ge=0, le=1)
    power_margin_w: float = Field(default=100.0, ge=0, le=10_000)
    offline_s: float | None = Field(default=None, gt=0, le=3600)
    evse_id: int = Field(default=1, ge=1, le=1000)
    id_token: str | None = Field(default=None, min_length=1, max_length=20, pattern=r"^[A-Za-z0-9._:*+-]+$")
    firmware_image_id: str | None = Field(default=None, min_length=1, max_length=32)
    security_upgrade: bool = True

    def settings(self) -> RunSettings:
        values = self.model_dump()
        values["level"] = Level(values["level"])
        return RunSettings(**values)


def build_routers(ext: ValidationExtension) -> list[APIRouter]:
    api = APIRouter(prefix="/api/v1", tags=["validation"])

    def service() -> ValidationService:
        if ext.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the validation service is not running")
        return ext.service

    def base_url(request: Request) -> str:
        return ext.settings.firmware_base_url or str(request.base_url).rstrip("/")

    async def visible_run(run_id: str, principal: Principal) -> dict[str, Any]:
        svc = service()
        station_id = await svc.station_of(run_id)
        if station_id is None or not principal.can_access(station_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no validation run {run_id!r}")
        view = await svc.view(run_id)
        if view is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no validation run {run_id!r}")
        return view

    @api.post(
        "/stations/{station_id}/validation-runs",
        status_code=status.HTTP_201_CREATED,
        openapi_extra=scope(Scope.STATION),
    )
    async def start_validation_run(
        station_id: StationId, request: Request, who: Operator, body: Annotated[RunBody | None, Body()] = None
    ) -> dict[str, Any]:
        """Start a validation run against a connected station: 201 with the run (its ``id``);
        409 when the station is not connected or a run is already active for it."""
        body = body or RunBody()
        try:
            run = await service().start_run(
                station_id, body.settings(), requested_by=who.name or who.token_id, base_url=base_url(request)
            )
        except LookupError as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        except (NotConnected, Busy) as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        return run.view()

    @api.get("/validation-runs", openapi_extra=scope(Scope.FILTERED))
    async def list_validation_runs(
        principal: Viewer, station_id: str | None = None, limit: Limit = 50, offset: Offset = 0
    ) -> dict[str, Any]:
        """Runs, newest first (without their reports); a token limited to stations sees theirs."""
        items = await service().list_runs(station_id=station_id, only=principal.stations, limit=limit, offset=offset)
        return {"items": items, "limit": limit, "offset": offset}

    @api.get("/validation-runs/{run_id}", openapi_extra=scope(Scope.OBJECT))
    async def get_validation_run(run_id: RunId, principal: Viewer, evidence: bool = True) -> dict[str, Any]:
        """The run and its report: cases with their evidence (the frames exchanged), latency per
        command, quirks, restoration, the prompt for the person at the station while one is open.
        ``evidence=false`` leaves the frames out (``evidence_entries`` counts them): for polling."""
        view = await visible_run(run_id, principal)
        if not evidence:
            view["cases"] = [
                {**{k: v for k, v in case.items() if k != "evidence"}, "evidence_entries": len(case["evidence"])}
                for case in view["cases"]
            ]
        return view

    @api.get("/validation-runs/{run_id}/report.html", response_class=HTMLResponse, openapi_extra=scope(Scope.OBJECT))
    async def validation_report_html(run_id: RunId, principal: Viewer) -> HTMLResponse:
        """The report as one self-contained HTML page (procurement summary, cases, latency chart)."""
        view = await visible_run(run_id, principal)
        return HTMLResponse(render_html(view))

    @api.post("/validation-runs/{run_id}/abort", openapi_extra=scope(Scope.OBJECT))
    async def abort_validation_run(run_id: RunId, principal: Operator) -> dict[str, Any]:
        """Stop a running run: its cases stop, the station is put back, the run ends aborted."""
        view = await visible_run(run_id, principal)
        if not service().abort(run_id, f"aborted by {principal.name or principal.token_id}"):
            raise HTTPException(status.HTTP_409_CONFLICT, f"validation run {run_id} is {view['status']}")
        return {"id": run_id, "aborting": True}

    @api.get("/validation-cases", openapi_extra=scope(Scope.NONE))
    async def list_validation_cases(_: Viewer) -> list[dict[str, Any]]:
        """Every case: id, name, level, messages per version, the rule its evidence must satisfy."""
        return [case.to_json() for case in CASES]

    @api.get("/validation-quirks", openapi_extra=scope(Scope.FILTERED))
    async def list_validation_quirks(
        principal: Viewer,
        vendor: str | None = None,
        model: str | None = None,
        firmware_version: str | None = None,
        run_id: str | None = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> dict[str, Any]:
        """Quirks validation runs recorded per vendor/model/firmware (newest first)."""
        rows = await service().db.list_quirks(
            vendor=vendor,
            model=model,
            firmware_version=firmware_version,
            run_id=run_id,
            only=principal.stations,
            limit=limit,
        )
        return {"items": rows}

    @api.get("/integrity-failures", openapi_extra=scope(Scope.FILTERED))
    async def list_integrity_failures(
        principal: Viewer, station_id: str | None = None, include_acknowledged: bool = False
    ) -> dict[str, Any]:
        """Secure-boot / integrity failures stations reported (not yet acknowledged, unless asked)."""
        rows = await service().db.list_integrity_failures(
            station_id=station_id, only=principal.stations, include_acknowledged=include_acknowledged
        )
        return {"items": rows, "stations": sorted({r["station_id"] for r in rows if r["acknowledged_at"] is None})}

    @api.post("/stations/{station_id}/integrity-failures/acknowledge", openapi_extra=scope(Scope.STATION))
    async def acknowledge_integrity_failures(station_id: StationId, who: Operator) -> dict[str, Any]:
        """Clear the station's integrity mark (the failures stay listed as acknowledged)."""
        svc = service()
        count = await svc.db.acknowledge_integrity(station_id, svc.ports.clock.now(), who.name or who.token_id)
        return {"station_id": station_id, "acknowledged": count}

    return [api]
