"""``/api/v1/iso15118``: the V2G and MO roots of the CA store, and what Plug & Charge is configured with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, status
from pydantic import BaseModel, ConfigDict, Field

from chargebridge.api.auth import Admin, Scope, Viewer, scope
from chargebridge.api.deps import Context, RowId
from chargebridge.iso15118.service import Iso15118Service
from chargebridge.iso15118.store import BadRoot, anchor_view

if TYPE_CHECKING:
    from chargebridge.iso15118.extension import Iso15118Extension

RootKind = Literal["V2GRootCertificate", "MORootCertificate"]


class RootBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: RootKind
    certificate: str = Field(min_length=1, max_length=10_000, description="PEM of one self-signed CA certificate")


def build_router(ext: Iso15118Extension) -> APIRouter:
    api = APIRouter(prefix="/api/v1/iso15118", tags=["iso15118"])

    def service() -> Iso15118Service:
        if ext.service is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the ISO 15118 service is not running")
        return ext.service

    @api.get("/roots", openapi_extra=scope(Scope.NONE))
    async def list_roots(ctx: Context, _: Viewer, kind: Annotated[RootKind | None, Query()] = None) -> dict[str, Any]:
        """The V2G and MO root certificates the CSMS trusts (public certificates, with their PEM)."""
        now = ctx.clock.now()
        return {"items": [anchor_view(row, now) for row in await service().anchors.rows(kind)]}

    @api.post("/roots", status_code=status.HTTP_201_CREATED, openapi_extra=scope(Scope.FLEET))
    async def add_root(ctx: Context, principal: Admin, body: RootBody) -> dict[str, Any]:
        """Import a V2G root or an MO root (self-signed CA, valid now). The same certificate again is 200."""
        svc = service()
        now = ctx.clock.now()
        try:
            row, created = await svc.anchors.add(body.kind, body.certificate, now, principal.name or principal.token_id)
        except BadRoot as exc:
            raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from exc
        await svc.refresh_anchors()
        if not created:
            raise HTTPException(
                status.HTTP_409_CONFLICT, f"this certificate is already root {row['id']} ({row['kind']})"
            )
        return anchor_view(row, now)

    @api.delete("/roots/{root_id}", status_code=status.HTTP_204_NO_CONTENT, openapi_extra=scope(Scope.FLEET))
    async def remove_root(root_id: RowId, _: Admin) -> None:
        svc = service()
        if not await svc.anchors.remove(root_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no root {root_id}")
        await svc.refresh_anchors()

    @api.get("/status", openapi_extra=scope(Scope.NONE))
    async def pnc_status(ctx: Context, _: Viewer) -> dict[str, Any]:
        """What Plug & Charge runs with: the V2G sub-CA, the contract provider, the OCSP client."""
        svc = service()
        signer = svc.v2g_signer
        return {
            "v2g_sub_ca": None
            if signer is None
            else {
                "subject": signer.sub_ca.cert.subject.rfc4514_string(),
                "not_after": signer.sub_ca.cert.not_valid_after_utc,
                "chains_to_v2g_root": signer.check_chain(),
            },
            "contract_certificate_provider": svc.provider.name,
            "v2g_roots": len(svc.v2g_roots()),
            "mo_roots": len(svc.all_roots()) - len(svc.v2g_roots()),
            "ocsp": {"requests_sent": svc.ocsp.requests_sent, "cached": svc.ocsp.cache_size},
        }

    return api
