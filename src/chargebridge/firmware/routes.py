"""HTTP routes of the firmware lifecycle.

``/api/v1/firmware/...`` is the operator API (bearer tokens and roles). ``/ocpp-files/...`` is
what stations use: image downloads and diagnostics uploads, each authorised by the expiring
token inside the URL chargebridge gave the station (stations have no API token).
"""

from __future__ import annotations

import secrets
from datetime import date, datetime
from pathlib import Path as FsPath
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Path, Query, Request, Response, status
from fastapi.responses import FileResponse, PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from chargebridge.api.auth import Admin, Operator, Principal, Role, Scope, Viewer, scope
from chargebridge.api.deps import RowId
from chargebridge.api.limits import streamed_body
from chargebridge.api.routes import COMMAND_FAILURES, _call_failure
from chargebridge.firmware.plan import Compatibility, Gates
from chargebridge.firmware.procurement import record_view
from chargebridge.firmware.publishing import Publisher, publication_view
from chargebridge.firmware.requirements import UnknownRequirement, parse_requirements, profile_of
from chargebridge.firmware.service import FirmwareService, NeedsOverride, Refused
from chargebridge.firmware.signing import BadToken
from chargebridge.firmware.states import CampaignEvent, IllegalTransition
from chargebridge.firmware.uploads import BadUpload, Spooled, UploadTooLarge, spool
from chargebridge.rpc import OcppVersion, StationNotConnected

if TYPE_CHECKING:
    from chargebridge.firmware.campaign import CampaignManager
    from chargebridge.firmware.extension import FirmwareExtension

StationId = Annotated[str, Path(min_length=1, max_length=48)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignatureBody(_Strict):
    signature: str = Field(min_length=1, max_length=800)
    signing_certificate: str = Field(min_length=1, max_length=5500)


class HardwareBody(_Strict):
    hardware_revision: str | None = Field(default=None, max_length=32)
    tags: list[str] = Field(default_factory=list, max_length=50)


class UpdateBody(_Strict):
    image_id: str
    override_reason: str | None = Field(default=None, min_length=3, max_length=500)
    # Admin only: roll it out although its certification records do not meet the station's
    # required_profiles (audited).
    override: bool = False
    signed: bool = True  # 1.6: SignedUpdateFirmware (security extension) instead of UpdateFirmware


class PublishBody(_Strict):
    image_id: str = Field(min_length=1, max_length=32)
    retries: int | None = Field(default=None, ge=0, le=100)
    retry_interval_s: int | None = Field(default=None, ge=0, le=86_400)


class UnpublishBody(_Strict):
    image_id: str | None = Field(default=None, min_length=1, max_length=32)
    checksum: str | None = Field(default=None, pattern=r"^[0-9a-fA-F]{32}$", description="MD5, hex")


class CompatibilityBody(_Strict):
    vendor: str = Field(max_length=50)
    model: str = Field(max_length=50)
    hardware_revision: str = Field(default="", max_length=32)
    firmware_version: str = Field(max_length=64)
    status: Compatibility
    notes: str | None = None


class CertificationBody(_Strict):
    vendor: str = Field(min_length=1, max_length=50)
    model: str = Field(min_length=1, max_length=50)
    firmware_version: str = Field(min_length=1, max_length=64)
    kind: Literal["oca", "metering"]
    certificate_id: str = Field(min_length=1, max_length=100)
    ocpp_version: Literal["1.6", "2.0.1"] | None = None  # oca
    profiles: list[str] = Field(default_factory=list, max_length=10)  # oca: core, advanced-security, ...
    scheme: Literal["eichrecht", "mid"] | None = None  # metering
    issued_on: date | None = Field(default=None, description="the certificate's date")
    link: str | None = Field(default=None, max_length=500)
    notes: str | None = Field(default=None, max_length=2000)

    def values(self) -> dict[str, Any]:
        """The row's values; ValueError when fields of the other kind are given or needed ones missing."""
        values = self.model_dump(exclude={"profiles"})
        if self.kind == "oca":
            if self.ocpp_version is None:
                raise ValueError("an OCA certificate needs its ocpp_version (1.6 or 2.0.1)")
            if self.scheme is not None:
                raise ValueError("scheme is for metering approvals")
            profiles = sorted({profile_of(name) for name in self.profiles} or {"core"})
            return values | {"profiles": profiles}
        if self.scheme is None:
            raise ValueError("a metering approval needs its scheme (eichrecht or mid)")
        if self.ocpp_version is not None or self.profiles:
            raise ValueError("ocpp_version and profiles are for OCA certificates")
        return values | {"profiles": []}


class TargetBody(_Strict):
    vendor: str | None = None
    model: str | None = None
    hardware_revisions: list[str] = Field(default_factory=list)
    current_versions: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)
    station_ids: list[str] = Field(default_factory=list)


class WindowBody(_Strict):
    start: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM UTC")
    end: str = Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM UTC")


_GATES = Gates()


class GatesBody(_Strict):
    min_success_rate: float = Field(default=_GATES.min_success_rate, ge=0, le=1)
    online_deadline_s: float = Field(default=_GATES.online_deadline_s, gt=0)
    soak_s: float = Field(default=_GATES.soak_s, ge=0)
    max_boots: int = Field(default=_GATES.max_boots, ge=1)
    max_new_faults_per_station: float = Field(default=_GATES.max_new_faults_per_station, ge=0)
    max_security_events: int = Field(default=_GATES.max_security_events, ge=0)


class CampaignBody(_Strict):
    name: str = Field(min_length=1, max_length=100)
    image_id: str
    target: TargetBody = Field(default_factory=TargetBody)
    waves: list[float] = Field(default_factory=lambda: [1.0, 10.0, 50.0, 100.0], min_length=1, max_length=20)
    window: WindowBody | None = None
    gates: GatesBody = Field(default_factory=GatesBody)
    auto_rollback: bool = True
    override_reason: str | None = Field(default=None, min_length=3, max_length=500)
    override: bool = False  # admin only: also stations whose required_profiles the firmware does not meet
    signed: bool = True
    start: bool = False


class RollbackBody(_Strict):
    hardware_revision: str | None = None


class DiagnosticsBody(_Strict):
    log_type: Literal["DiagnosticsLog", "SecurityLog"] = "DiagnosticsLog"
    since: datetime | None = None
    until: datetime | None = None
    use_get_log_16: bool = False  # 1.6 stations: the security extension's GetLog instead of GetDiagnostics


def _who(principal: Principal) -> str:
    return principal.name or principal.token_id


def _need_admin_for_override(principal: Principal, reason: str | None, override: bool = False) -> None:
    if (reason or override) and principal.role < Role.ADMIN:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "an override needs the admin role")


def _refused(exc: Refused) -> HTTPException:
    code = status.HTTP_409_CONFLICT if isinstance(exc, NeedsOverride) else status.HTTP_422_UNPROCESSABLE_CONTENT
    return HTTPException(code, str(exc))


# A multipart body carries a little more than its file: boundaries, part headers, form fields.
MULTIPART_SLACK = 64 * 1024


async def spool_body(request: Request, directory: FsPath, limit: int, what: str) -> Spooled:
    """The request body (or its multipart file part) streamed to a temporary file, hashed; 413 past ``limit``."""
    try:
        return await spool(request.stream(), request.headers.get("content-type"), directory, limit)
    except UploadTooLarge as exc:
        detail = f"{what} is larger than {exc.limit} bytes"
        raise HTTPException(status.HTTP_413_CONTENT_TOO_LARGE, detail, headers={"Connection": "close"}) from None
    except BadUpload as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from None


def build_routers(ext: FirmwareExtension) -> list[APIRouter]:
    api = APIRouter(prefix="/api/v1/firmware", tags=["firmware"])
    files = APIRouter(prefix="/ocpp-files", tags=["station files"])

    def service() -> FirmwareService:
        if ext.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the firmware service is not running")
        return ext.service

    def campaigns() -> CampaignManager:
        if ext.campaigns is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the firmware service is not running")
        return ext.campaigns

    def base_url(request: Request) -> str:
        return ext.base_url or str(request.base_url).rstrip("/")

    def publisher() -> Publisher:
        if ext.publisher is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the firmware service is not running")
        return ext.publisher

    # -- images -----------------------------------------------------------------------------

    @api.post(
        "/images",
        status_code=status.HTTP_201_CREATED,
        openapi_extra=scope(Scope.FLEET) | streamed_body(ext.options.max_image_bytes + MULTIPART_SLACK),
    )
    async def upload_image(
        request: Request,
        _: Admin,
        vendor: Annotated[str, Query(min_length=1, max_length=50)],
        model: Annotated[list[str], Query(min_length=1)],
        version: Annotated[str, Query(min_length=1, max_length=64)],
        hardware_revision: Annotated[list[str] | None, Query()] = None,
        notes: str | None = None,
        filename: str | None = None,
        replace: bool = False,
    ) -> dict[str, Any]:
        """The image is the request body (application/octet-stream, or one file in multipart/form-data).
        An image of the same vendor, version, model and hardware revision is refused (409) unless
        ``replace=true``: then the new one takes its place."""
        svc = service()
        image = await spool_body(request, svc.incoming_dir, svc.options.max_image_bytes, "the image")
        try:
            return await svc.add_image(
                image,
                vendor=vendor,
                models=model,
                version=version,
                hardware_revisions=hardware_revision or [],
                notes=notes,
                filename=filename or image.filename,
                replace=replace,
            )
        except Refused as exc:
            raise _refused(exc) from exc

    @api.get("/images", openapi_extra=scope(Scope.NONE))
    async def list_images(_: Viewer, vendor: str | None = None) -> list[dict[str, Any]]:
        return await service().db.list_images(vendor)

    @api.get("/images/{image_id}", openapi_extra=scope(Scope.NONE))
    async def get_image(image_id: str, _: Viewer) -> dict[str, Any]:
        image = await service().db.get_image(image_id)
        if image is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no image {image_id!r}")
        return image | {"signature_valid": await service().signature_valid(image)}

    @api.put("/images/{image_id}/signature", openapi_extra=scope(Scope.FLEET))
    async def set_signature(image_id: str, body: SignatureBody, _: Admin) -> dict[str, Any]:
        """Record an OEM's signature and signing certificate as given (replaces chargebridge's)."""
        svc = service()
        if not await svc.set_oem_signature(image_id, body.signature, body.signing_certificate):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no image {image_id!r}")
        image = await svc.db.get_image(image_id)
        assert image is not None
        return image | {"signature_valid": await svc.signature_valid(image)}

    @api.get("/images/{image_id}/downloads", openapi_extra=scope(Scope.FILTERED))
    async def image_downloads(image_id: str, principal: Viewer) -> list[dict[str, Any]]:
        return await service().db.list_downloads(image_id, only=principal.stations)

    @api.get("/signing-certificate", response_class=PlainTextResponse, openapi_extra=scope(Scope.NONE))
    async def signing_certificate(_: Viewer) -> str:
        """chargebridge's firmware-signing certificate (PEM): install it on stations as the trust anchor."""
        return service().signer.certificate_pem

    # -- stations and single updates --------------------------------------------------------

    @api.get("/stations/{station_id}", openapi_extra=scope(Scope.STATION))
    async def station_firmware(station_id: StationId, _: Viewer) -> dict[str, Any]:
        svc = service()
        # The updates are read before the station's row: an update is confirmed only after the boot
        # that confirms it was committed, so read in this order an answer never shows a confirmed
        # update next to the version the station ran before it (read the other way round, a boot
        # committed between the two reads did exactly that).
        updates = await svc.db.list_updates(station_id=station_id, limit=20)
        try:
            station, revision = await svc.station_identity(station_id)
        except Refused as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        hardware = (await svc.db.hardware_of([station_id])).get(station_id)
        return {
            "station_id": station_id,
            "vendor": station["vendor"],
            "model": station["model"],
            "firmware_version": station["firmware_version"],
            "hardware_revision": revision or None,
            "tags": hardware["tags"] if hardware else [],
            "required_profiles": await svc.db.requirements_of(station_id),
            "updates": updates,
        }

    @api.put("/stations/{station_id}/hardware", openapi_extra=scope(Scope.STATION))
    async def set_hardware(station_id: StationId, body: HardwareBody, _: Admin) -> dict[str, Any]:
        """OCPP does not report a hardware revision: set it here (or in bulk with PUT /hardware)."""
        svc = service()
        await svc.db.set_hardware(station_id, body.hardware_revision, body.tags, svc.clock.now())
        return {"station_id": station_id, "hardware_revision": body.hardware_revision, "tags": body.tags}

    @api.put("/hardware", openapi_extra=scope(Scope.FLEET))
    async def set_hardware_bulk(body: dict[str, HardwareBody], _: Admin) -> dict[str, int]:
        svc = service()
        now = svc.clock.now()
        for station_id, item in body.items():
            await svc.db.set_hardware(station_id, item.hardware_revision, item.tags, now)
        return {"updated": len(body)}

    @api.post(
        "/stations/{station_id}/update", operation_id="update_station_firmware", openapi_extra=scope(Scope.STATION)
    )
    async def update_station(station_id: StationId, body: UpdateBody, request: Request, who: Operator) -> Any:
        """Send one image to one station (refused for blocked/unknown combinations without an admin
        override, and when the firmware's certification records do not meet the station's
        required_profiles unless an admin sets ``override``)."""
        _need_admin_for_override(who, body.override_reason, body.override)
        svc = service()
        image = await svc.db.get_image(body.image_id)
        if image is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no image {body.image_id!r}")
        try:
            station, revision = await svc.station_identity(station_id)
            await svc.check_allowed(station, revision, image, body.override_reason)
            await svc.check_requirements(station, image, override=body.override, by=_who(who))
            if not svc.gateway.is_connected(station_id):  # on any node of a cluster
                raise StationNotConnected(station_id)
            return await svc.send_update(
                station_id,
                image,
                base_url=base_url(request),
                override_reason=body.override_reason,
                requested_by=_who(who),
                signed_16=body.signed,
            )
        except Refused as exc:
            raise _refused(exc) from exc
        except StationNotConnected as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, f"station {station_id!r} is not connected") from exc

    @api.get("/updates", openapi_extra=scope(Scope.FILTERED))
    async def list_updates(
        principal: Viewer, station_id: str | None = None, campaign_id: str | None = None
    ) -> list[dict[str, Any]]:
        return await service().db.list_updates(station_id=station_id, campaign_id=campaign_id, only=principal.stations)

    # -- compatibility matrix ---------------------------------------------------------------

    @api.get("/compatibility", openapi_extra=scope(Scope.FLEET))
    async def compatibility(
        _: Viewer,
        vendor: str | None = None,
        model: str | None = None,
        hardware_revision: str | None = None,
        firmware_version: str | None = None,
        status_: Annotated[Compatibility | None, Query(alias="status")] = None,
    ) -> list[dict[str, Any]]:
        return await service().matrix(
            vendor=vendor,
            model=model,
            hardware_revision=hardware_revision,
            firmware_version=firmware_version,
            status=status_.value if status_ else None,
        )

    @api.put("/compatibility", openapi_extra=scope(Scope.FLEET))
    async def set_compatibility(body: CompatibilityBody, who: Admin) -> dict[str, Any]:
        svc = service()
        key = (body.vendor, body.model, body.hardware_revision, body.firmware_version)
        await svc.db.set_compat(
            key, status=body.status.value, notes=body.notes, source="admin", now=svc.clock.now(), by=_who(who)
        )
        row = await svc.db.get_compat(*key)
        assert row is not None
        return row

    # -- certification records and the procurement check --------------------------------------

    @api.get("/matrix", openapi_extra=scope(Scope.FLEET))
    async def matrix(
        _: Viewer, vendor: str | None = None, model: str | None = None, firmware_version: str | None = None
    ) -> dict[str, Any]:
        """The compatibility matrix per vendor/model/firmware: its compatibility entries (per
        hardware revision), OCA certificates, metering approvals and the validation bench's level."""
        items = await service().procurement.matrix(vendor=vendor, model=model, firmware_version=firmware_version)
        return {"items": items}

    @api.get("/matrix/check", openapi_extra=scope(Scope.FLEET))
    async def matrix_check(
        _: Viewer,
        requires: Annotated[str, Query(min_length=1, max_length=500, description="e.g. 2.0.1,advanced-security")],
        vendor: str | None = None,
        model: str | None = None,
    ) -> dict[str, Any]:
        """Which models/firmware meet a requirement set, with the evidence for each requirement
        (``matches``), and what the others miss (``others``). Unknown names: 422."""
        try:
            wanted = parse_requirements(requires)
        except UnknownRequirement as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        if not wanted:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "requires names no requirement")
        items = await service().procurement.check(wanted, vendor=vendor, model=model)
        return {
            "requires": wanted,
            "matches": [item for item in items if item["meets"]],
            "others": [item for item in items if not item["meets"]],
        }

    @api.post("/certifications", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
    async def add_certification(body: CertificationBody, who: Admin) -> dict[str, Any]:
        """Record an OCA certificate (``kind`` oca: ``ocpp_version``, ``profiles``) or a metering
        approval (``kind`` metering: ``scheme`` eichrecht | mid) of a vendor/model/firmware."""
        svc = service()
        try:
            values = body.values()
        except ValueError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        values |= {"id": secrets.token_hex(8), "created_at": svc.clock.now(), "created_by": _who(who)}
        await svc.db.add_certification(values)
        row = await svc.db.get_certification(values["id"])
        assert row is not None
        return record_view(row)

    @api.get("/certifications", openapi_extra=scope(Scope.FLEET))
    async def list_certifications(
        _: Viewer,
        vendor: str | None = None,
        model: str | None = None,
        firmware_version: str | None = None,
        kind: Literal["oca", "metering"] | None = None,
    ) -> dict[str, Any]:
        rows = await service().db.list_certifications(
            vendor=vendor, model=model, firmware_version=firmware_version, kind=kind
        )
        return {"items": [record_view(row) for row in rows]}

    @api.delete("/certifications/{record_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=scope(Scope.FLEET))
    async def delete_certification(record_id: Annotated[str, Path(min_length=1, max_length=32)], _: Admin) -> Response:
        if not await service().db.delete_certification(record_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no certification record {record_id!r}")
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    # -- campaigns --------------------------------------------------------------------------

    @api.post("/campaigns", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
    async def create_campaign(body: CampaignBody, request: Request, who: Operator) -> dict[str, Any]:
        _need_admin_for_override(who, body.override_reason, body.override)
        manager = campaigns()
        spec = body.model_dump(mode="json", exclude={"name", "image_id", "start"})
        try:
            row = await manager.create(
                name=body.name, image_id=body.image_id, spec=spec, base_url=base_url(request), created_by=_who(who)
            )
            if body.start:
                await manager.act(row["id"], CampaignEvent.START)
        except Refused as exc:
            raise _refused(exc) from exc
        except ValueError as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        progress = await manager.progress(row["id"])
        assert progress is not None
        return progress

    @api.get("/campaigns", openapi_extra=scope(Scope.FLEET))
    async def list_campaigns(_: Viewer, state: str | None = None) -> list[dict[str, Any]]:
        return await service().db.list_campaigns(state)

    @api.get("/campaigns/{campaign_id}", openapi_extra=scope(Scope.FLEET))
    async def campaign_progress(campaign_id: str, _: Viewer) -> dict[str, Any]:
        progress = await campaigns().progress(campaign_id)
        if progress is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no campaign {campaign_id!r}")
        return progress

    @api.post("/campaigns/{campaign_id}/rollback", openapi_extra=scope(Scope.FLEET))
    async def rollback_campaign(
        campaign_id: str, _: Operator, body: Annotated[RollbackBody | None, Body()] = None
    ) -> dict[str, int]:
        try:
            count = await campaigns().rollback(campaign_id, body.hardware_revision if body else None)
        except Refused as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        return {"rolling_back": count}

    @api.post("/campaigns/{campaign_id}/{action}", openapi_extra=scope(Scope.FLEET))
    async def campaign_action(
        campaign_id: str, action: Literal["start", "pause", "resume", "abort"], _: Operator
    ) -> dict[str, Any]:
        try:
            return await campaigns().act(campaign_id, CampaignEvent(action))
        except Refused as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        except IllegalTransition as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc

    # -- diagnostics ------------------------------------------------------------------------

    @api.post(
        "/stations/{station_id}/diagnostics", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.STATION)
    )
    async def request_diagnostics(
        station_id: StationId, request: Request, who: Operator, body: Annotated[DiagnosticsBody | None, Body()] = None
    ) -> dict[str, Any]:
        """1.6 GetDiagnostics (or GetLog) / 2.0.1 GetLog; the station uploads to a one-request URL."""
        body = body or DiagnosticsBody()
        try:
            return await service().request_diagnostics(
                station_id,
                base_url=base_url(request),
                log_type=body.log_type,
                since=body.since,
                until=body.until,
                requested_by=_who(who),
                use_get_log_16=body.use_get_log_16,
            )
        except StationNotConnected as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, f"station {station_id!r} is not connected") from exc

    @api.get("/diagnostics", openapi_extra=scope(Scope.FILTERED))
    async def list_diagnostics(principal: Viewer, station_id: str | None = None) -> list[dict[str, Any]]:
        return await service().db.list_diagnostics(station_id, only=principal.stations)

    @api.get("/diagnostics/{request_id}/file", openapi_extra=scope(Scope.OBJECT))
    async def diagnostics_file(request_id: RowId, principal: Viewer) -> FileResponse:
        svc = service()
        row = await svc.db.get_diagnostics(request_id)
        if row is not None and not principal.can_access(row["station_id"]):
            row = None  # another station's file: as if there were none
        path = svc.upload_path(row) if row else None
        if row is None or path is None or not path.exists():
            raise HTTPException(status.HTTP_404_NOT_FOUND, "no file for this request")
        return FileResponse(path, filename=row["filename"], media_type="application/octet-stream")

    # -- station side -----------------------------------------------------------------------

    @files.get("/firmware/{token}/{filename}")
    async def download(token: str, filename: str, request: Request) -> FileResponse:
        svc = service()
        remote = request.client.host if request.client else None
        try:
            image, path = await svc.open_download(token, remote)
        except BadToken as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"download link {exc.reason}") from exc
        except Refused as exc:
            raise HTTPException(status.HTTP_404_NOT_FOUND, str(exc)) from exc
        return FileResponse(path, filename=image["filename"], media_type="application/octet-stream")

    upload_cap = streamed_body(ext.options.max_upload_bytes + MULTIPART_SLACK)

    async def upload(token: str, filename: str | None, request: Request) -> Response:
        svc = service()
        try:
            svc.tokens.check(token, "upload", svc.clock.now())  # before reading a large body
            upload = await spool_body(request, svc.incoming_dir, svc.options.max_upload_bytes, "the file")
            await svc.store_upload(token, filename or upload.filename, upload)
        except BadToken as exc:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"upload link {exc.reason}") from exc
        except Refused as exc:
            raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
        return Response(status_code=status.HTTP_201_CREATED)

    @files.put("/diagnostics/{token}", operation_id="put_diagnostics_upload", openapi_extra=upload_cap)
    @files.post("/diagnostics/{token}", operation_id="post_diagnostics_upload", openapi_extra=upload_cap)
    async def upload_plain(token: str, request: Request) -> Response:
        return await upload(token, None, request)

    named = "/diagnostics/{token}/{filename}"

    @files.put(named, operation_id="put_diagnostics_upload_named", openapi_extra=upload_cap)
    @files.post(named, operation_id="post_diagnostics_upload_named", openapi_extra=upload_cap)
    async def upload_named(token: str, filename: str, request: Request) -> Response:
        return await upload(token, filename, request)

    # -- publishing through a local controller (2.0.1 L03/L04) -------------------------------

    stations = APIRouter(prefix="/api/v1/stations", tags=["firmware"])

    async def connected_201(station_id: str) -> None:
        if await service().store.get_station(station_id) is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"station {station_id!r} is not registered")
        if station_id not in service().gateway.connections:
            raise HTTPException(status.HTTP_409_CONFLICT, f"station {station_id!r} is not connected")
        if service().gateway.version_of(station_id) is not OcppVersion.V201:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "PublishFirmware exists in OCPP 2.0.1 only (local controllers)"
            )

    def answer_of(answer: Any) -> dict[str, Any]:
        return {
            "action": answer.action,
            "status": answer.outcome.status,
            "response": answer.outcome.response,
            "round_trip_ms": round(answer.round_trip_ms, 3),
        }

    @stations.post(
        "/{station_id}/firmware/publish", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.STATION)
    )
    async def publish_firmware(station_id: StationId, body: PublishBody, request: Request, who: Operator) -> Any:
        """Ask a local controller to download an image of the registry and serve it to its stations
        (PublishFirmware with a download link and the image's MD5). Returns the publication and the
        controller's answer; PublishFirmwareStatusNotifications then move the publication's state."""
        image = await service().db.get_image(body.image_id)
        if image is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no image {body.image_id!r}")
        await connected_201(station_id)
        try:
            row, answer = await publisher().publish(
                station_id,
                image,
                base_url=base_url(request),
                retries=body.retries,
                retry_interval_s=body.retry_interval_s,
                requested_by=_who(who),
            )
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        return {"publication": publication_view(row), **answer_of(answer)}

    @stations.post("/{station_id}/firmware/unpublish", openapi_extra=scope(Scope.STATION))
    async def unpublish_firmware(station_id: StationId, body: UnpublishBody, who: Operator) -> Any:
        """Ask a local controller to stop serving an image (by ``image_id`` or its MD5 ``checksum``).
        ``status`` is the controller's answer: Unpublished, NoFirmware or DownloadOngoing."""
        if (body.image_id is None) == (body.checksum is None):
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "give image_id or checksum, not both")
        if body.image_id is not None:
            image = await service().db.get_image(body.image_id)
            if image is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, f"no image {body.image_id!r}")
            checksum = await publisher().checksum(image)
        else:
            assert body.checksum is not None
            checksum = body.checksum.lower()
        await connected_201(station_id)
        try:
            answer = await publisher().unpublish(station_id, checksum)
        except COMMAND_FAILURES as exc:
            raise _call_failure(exc) from exc
        return {"checksum": checksum, **answer_of(answer)}

    @stations.get("/{station_id}/firmware/publications", openapi_extra=scope(Scope.STATION))
    async def list_publications(station_id: StationId, _: Viewer) -> dict[str, Any]:
        """The station's publications (as a local controller), newest first, with their states."""
        return {"items": [publication_view(row) for row in await publisher().list(station_id)]}

    return [api, files, stations]
