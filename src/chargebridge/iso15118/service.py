"""The CSMS side of ISO 15118 Plug & Charge: answers Get15118EVCertificate, GetCertificateStatus and
Authorize with a contract certificate, and holds the trust anchors, the OCSP client and the V2G signer.

Handlers are registered with :meth:`StationRequests.register` when the extension starts. Every
answer is an answer (Accepted / Failed / a certificate status), never a CALLERROR, and every
outcome is recorded as a station event (``iso15118``) and logged when it failed.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from datetime import datetime
from typing import Any

from cryptography import x509

from chargebridge.domain.iso15118 import (
    AuthorizeCertificateStatus,
    ContractAuthorizeRequest,
    ContractAuthorizeResponse,
    Get15118EVCertificateRequest,
    Get15118EVCertificateResponse,
    GetCertificateStatusRequest,
    GetCertificateStatusResponse,
    OcspRequestData,
)
from chargebridge.domain.model import AuthorizationStatus, IdTokenInfo
from chargebridge.domain.requests import AuthorizeRequest, AuthorizeResponse
from chargebridge.iso15118.contracts import ContractCertificateProvider, ContractRequest, ContractResult
from chargebridge.iso15118.ocsp import CertStatus, OcspClient, OcspFailure
from chargebridge.iso15118.pki import SignerTrust, check_contract_chain, check_ocsp_signer
from chargebridge.iso15118.store import MO_ROOT, V2G_ROOT, TrustAnchorStore
from chargebridge.iso15118.v2g import V2GSigner
from chargebridge.security.csr import load_chain
from chargebridge.services.station_requests import StationRequests

log = logging.getLogger(__name__)

EVENT_KIND = "iso15118"  # station_events.kind of every Plug & Charge outcome


class Iso15118Service:
    def __init__(
        self,
        requests: StationRequests,
        ocsp: OcspClient,
        provider: ContractCertificateProvider,
        *,
        provider_timeout_s: float = 20.0,
        fail_open: bool = False,
        v2g_signer: V2GSigner | None = None,
    ):
        self.requests = requests
        self.store = requests.store
        self.clock = requests.clock
        self.anchors = TrustAnchorStore(requests.store)
        self.ocsp = ocsp
        self.provider = provider
        self.provider_timeout_s = provider_timeout_s
        self.fail_open = fail_open
        self.v2g_signer = v2g_signer
        self._roots: dict[str, list[x509.Certificate]] = {V2G_ROOT: [], MO_ROOT: []}

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> None:
        await self.refresh_anchors()
        self.requests.register(Get15118EVCertificateRequest, self._ev_certificate)
        self.requests.register(GetCertificateStatusRequest, self._certificate_status)
        self.requests.register(ContractAuthorizeRequest, self._authorize)
        if self.v2g_signer is not None:
            self.requests.certificates.register_signer("V2GCertificate", self.v2g_signer)

    async def stop(self) -> None:
        await self.ocsp.close()
        await self.provider.close()

    async def refresh_anchors(self) -> None:
        """Re-read the V2G and MO roots (after the CA store changed)."""
        roots: dict[str, list[x509.Certificate]] = {V2G_ROOT: [], MO_ROOT: []}
        for row in await self.anchors.rows():
            roots.setdefault(row["kind"], []).append(x509.load_pem_x509_certificate(row["pem"].encode()))
        self._roots = roots

    def v2g_roots(self) -> list[x509.Certificate]:
        return list(self._roots[V2G_ROOT])

    def all_roots(self) -> list[x509.Certificate]:
        return [*self._roots[V2G_ROOT], *self._roots[MO_ROOT]]

    def _pool(self) -> list[x509.Certificate]:
        return list(self.v2g_signer.sub_ca.chain) if self.v2g_signer is not None else []

    async def _record(self, station_id: str, now: datetime, data: dict[str, Any]) -> None:
        await self.store.add_station_event(station_id, EVENT_KIND, now, data)

    # -- Get15118EVCertificate (M01/M02) -----------------------------------------------------

    async def _ev_certificate(
        self, station_id: str, version: str, request: Get15118EVCertificateRequest, now: datetime
    ) -> Get15118EVCertificateResponse:
        contract = ContractRequest(station_id, request.schema_version, request.action.value, request.exi_request)
        try:
            async with asyncio.timeout(self.provider_timeout_s):
                result = await self.provider.get_certificate(contract)
        except TimeoutError:
            log.warning("%s: contract certificate provider %s timed out", station_id, self.provider.name)
            result = ContractResult(
                False, reason_code="Timeout", reason=f"the provider did not answer in {self.provider_timeout_s:g} s"
            )
        except Exception:
            log.exception("%s: contract certificate provider %s failed", station_id, self.provider.name)
            result = ContractResult(
                False, reason_code="ProviderError", reason="the contract certificate provider failed"
            )
        exi = result.exi_response if result.accepted else ""
        code: str | None
        reason: str | None
        if result.accepted and len(exi) > 7500:
            result_accepted, code, reason = False, "TooLarge", "the provider's exiResponse exceeds 7500 characters"
        else:
            result_accepted, code, reason = result.accepted, result.reason_code, result.reason
        await self._record(
            station_id,
            now,
            {
                "message": "Get15118EVCertificate",
                "action": request.action.value,
                "schema_version": request.schema_version,
                "provider": self.provider.name,
                "status": "Accepted" if result_accepted else "Failed",
                "reason": reason,
            },
        )
        if not result_accepted:
            log.warning("%s: Get15118EVCertificate failed: %s", station_id, reason)
            return Get15118EVCertificateResponse(False, reason_code=code or "Failed", reason=reason)
        return Get15118EVCertificateResponse(True, exi)

    # -- GetCertificateStatus (M06) ----------------------------------------------------------

    async def _certificate_status(
        self, station_id: str, version: str, request: GetCertificateStatusRequest, now: datetime
    ) -> GetCertificateStatusResponse:
        data = request.ocsp
        event: dict[str, Any] = {"message": "GetCertificateStatus", "serial_number": data.serial_number}
        try:
            answer = await self.ocsp.check(data)
        except OcspFailure as failure:
            log.warning(
                "%s: GetCertificateStatus for serial %s failed: %s", station_id, data.serial_number[:40], failure
            )
            await self._record(station_id, now, {**event, "status": "Failed", "reason": failure.message})
            return GetCertificateStatusResponse(False, reason_code=failure.code, reason=failure.message)
        trust = check_ocsp_signer(answer.response, data, self._pool(), self.all_roots(), now)
        if trust is SignerTrust.BAD_SIGNATURE:
            reason = "the OCSP response's signature does not verify"
            await self._record(station_id, now, {**event, "status": "Failed", "reason": reason})
            return GetCertificateStatusResponse(False, reason_code="InvalidSignature", reason=reason)
        await self._record(
            station_id,
            now,
            {
                **event,
                "status": "Accepted",
                "certificate_status": answer.status.value,
                "cached": answer.from_cache,
                "signer": trust.value,
            },
        )
        return GetCertificateStatusResponse(True, base64.b64encode(answer.der).decode("ascii"))

    # -- Authorize with a contract certificate (C07/C08) ---------------------------------------

    async def _authorize(
        self, station_id: str, version: str, request: ContractAuthorizeRequest, now: datetime
    ) -> ContractAuthorizeResponse:
        # The token itself is judged by the core rules (unknown, blocked, expired, cache ...).
        base = await self.requests.handle(station_id, version, AuthorizeRequest(request.id_token))
        assert isinstance(base, AuthorizeResponse)
        info = base.id_token_info
        status, reason = await self.contract_status(request, now)
        if status is None:  # revocation could not be checked and the policy is to reject
            info = IdTokenInfo(AuthorizationStatus.UNKNOWN, group_id=info.group_id)
        elif status is not AuthorizeCertificateStatus.ACCEPTED:
            info = IdTokenInfo(AuthorizationStatus.INVALID, group_id=info.group_id)
        await self._record(
            station_id,
            now,
            {
                "message": "Authorize",
                "id_token": request.id_token.value,
                "certificate_status": status.value if status is not None else None,
                "id_token_status": info.status.value,
                "reason": reason,
            },
        )
        if status is not AuthorizeCertificateStatus.ACCEPTED:
            log.warning("%s: contract authorization of %s: %s", station_id, request.id_token.value[:40], reason)
        return ContractAuthorizeResponse(info, status)

    async def contract_status(
        self, request: ContractAuthorizeRequest, now: datetime
    ) -> tuple[AuthorizeCertificateStatus | None, str]:
        """The certificateStatus of a contract Authorize and why (None: revocation unknown, rejected)."""
        pool = self._pool()
        to_check: list[OcspRequestData] = []
        if request.certificate is not None:
            try:
                chain = load_chain(request.certificate)
            except ValueError:
                return AuthorizeCertificateStatus.CERT_CHAIN_ERROR, "the certificate is not a PEM certificate chain"
            verdict = check_contract_chain(chain, self.all_roots(), now, pool)
            if verdict.status is not AuthorizeCertificateStatus.ACCEPTED:
                return verdict.status, verdict.reason
            to_check.extend(verdict.to_check)
            pool = [*pool, *chain]
        seen = {item.key() for item in to_check}
        to_check.extend(item for item in request.hash_data if item.key() not in seen)
        unreachable: list[str] = []
        for item in to_check:
            try:
                answer = await self.ocsp.check(item)
            except OcspFailure as failure:
                if failure.code in ("InvalidRequest", "InvalidResponse"):
                    return AuthorizeCertificateStatus.CERT_CHAIN_ERROR, failure.message
                unreachable.append(f"serial {item.serial_number[:40]}: {failure.message}")
                continue
            trust = check_ocsp_signer(answer.response, item, pool, self.all_roots(), now)
            if trust is SignerTrust.BAD_SIGNATURE:
                return AuthorizeCertificateStatus.SIGNATURE_ERROR, "an OCSP response's signature does not verify"
            if trust is SignerTrust.UNVERIFIED:
                return (
                    AuthorizeCertificateStatus.CERT_CHAIN_ERROR,
                    "an OCSP response is not signed by a responder that chains to an MO or V2G root",
                )
            if answer.status is CertStatus.REVOKED:
                return AuthorizeCertificateStatus.CERTIFICATE_REVOKED, f"serial {item.serial_number[:40]} is revoked"
            if answer.status is CertStatus.UNKNOWN:
                return (
                    AuthorizeCertificateStatus.CERT_CHAIN_ERROR,
                    f"the responder does not know serial {item.serial_number[:40]}",
                )
        if unreachable:
            reason = "revocation status unknown: " + "; ".join(unreachable)
            return (AuthorizeCertificateStatus.ACCEPTED if self.fail_open else None), reason
        return AuthorizeCertificateStatus.ACCEPTED, "certificates good"
