"""Station certificates signed by the CSMS (OCPP 2.0.1 A02/A03, the 1.6 security whitepaper).

A station sends SignCertificate with a CSR, on its own when its certificate nears expiry (A03)
or after a TriggerMessage SignChargingStationCertificate / ExtendedTriggerMessage
SignChargePointCertificate (A02). The CSMS answers at once: Accepted when the CSR passes
:func:`~chargebridge.security.csr.check_csr` and a CA with its key is configured, else
Rejected (with a security event that says why). After an Accepted answer the certificate is
signed and stored ``pending``, and CertificateSigned carries the chain to the station in the
background; its answer makes the certificate ``active`` (older ones of the station
``superseded``) or ``rejected``.

Other certificate types (V2GCertificate, ISO 15118) are signed by the signer a capability
registers for them (:meth:`CertificateService.register_signer`; the iso15118 package registers
its V2G sub-CA); without one they are refused.
"""

from __future__ import annotations

import logging
from collections.abc import Coroutine
from datetime import datetime
from typing import Any, Protocol

from cryptography import x509

from chargebridge.bus.memory import EventBus
from chargebridge.domain.commands import STATION_CERTIFICATE, CertificateSigned, Command, CommandOutcome
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.requests import SignCertificateRequest, SignCertificateResponse
from chargebridge.security.ca import Issued
from chargebridge.security.certificates import add_signed_certificate, settle_signed_certificate
from chargebridge.security.csr import DEFAULT_VALID_DAYS, CsrAccepted, CsrRefused, check_csr, pem_chain, sign_csr
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Store
from chargebridge.tasks import BackgroundTasks

log = logging.getLogger(__name__)

# Type of the security event the CSMS records when it refuses a SignCertificate.
SIGN_REFUSED_EVENT = "SignCertificateRejected"


class _Answered(Protocol):
    @property
    def outcome(self) -> CommandOutcome: ...


class CommandChannel(Protocol):
    """Sends a neutral command to a connected station (the gateway)."""

    async def execute(self, station_id: str, command: Command, timeout_s: float | None = None) -> _Answered: ...


class CsrSigner(Protocol):
    """Signs CSRs of one certificate type: ``check`` decides (never raises for what the station
    sent), ``sign`` returns the certificate and its issuers, nearest first (the chain sent back)."""

    def check(self, pem: str, station_id: str) -> CsrAccepted | CsrRefused: ...

    def sign(
        self, csr: x509.CertificateSigningRequest, station_id: str, now: datetime
    ) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]]: ...


class CertificateService:
    """Signs station CSRs with the node's CA and delivers the certificates."""

    def __init__(self, store: Store, bus: EventBus, clock: Clock, *, valid_days: int = DEFAULT_VALID_DAYS):
        self.store = store
        self.bus = bus
        self.clock = clock
        self.valid_days = valid_days
        self.ca: Issued | None = None
        self.channel: CommandChannel | None = None
        self._deliveries = BackgroundTasks(log, "certificate delivery failed")
        # Signers of other certificate types than the station certificate (V2GCertificate).
        self.signers: dict[str, CsrSigner] = {}

    def register_signer(self, certificate_type: str, signer: CsrSigner) -> None:
        """Sign CSRs of ``certificate_type`` with ``signer`` (called by a capability when it starts)."""
        self.signers[certificate_type] = signer

    def configure(self, ca: Issued | None, channel: CommandChannel, *, valid_days: int | None = None) -> None:
        """Give the service its CA (None: every CSR is refused) and the way to reach stations."""
        self.ca = ca
        self.channel = channel
        if valid_days is not None:
            self.valid_days = valid_days

    async def stop(self) -> None:
        await self._deliveries.wait(timeout_s=5.0)

    def _check(self, station_id: str, request: SignCertificateRequest) -> CsrAccepted | CsrRefused:
        signer = self.signers.get(request.certificate_type)
        if signer is not None:
            if self.channel is None:
                return CsrRefused("this CSMS cannot reach stations to deliver certificates", "NotSupported")
            return signer.check(request.csr, station_id)
        if request.certificate_type != STATION_CERTIFICATE:
            return CsrRefused(
                f"{request.certificate_type} is not signed here: no signer (V2G sub-CA) is configured", "NotSupported"
            )
        if self.ca is None or self.channel is None:
            return CsrRefused("this CSMS has no CA key configured to sign certificates", "NotSupported")
        return check_csr(request.csr, station_id)

    async def sign(self, station_id: str, request: SignCertificateRequest, now: datetime) -> SignCertificateResponse:
        checked = self._check(station_id, request)
        if isinstance(checked, CsrRefused):
            await self._refused(station_id, request, checked, now)
            return SignCertificateResponse(False, checked.reason_code, checked.reason)
        signer = self.signers.get(request.certificate_type)
        if signer is not None:
            cert, issuers = signer.sign(checked.csr, station_id, now)
        else:
            ca = self.ca
            assert ca is not None
            cert, issuers = sign_csr(ca, checked.csr, station_id, now=now, valid_days=self.valid_days), (ca.cert,)
        row_id = await add_signed_certificate(self.store, station_id, request.certificate_type, cert, issuers[0], now)
        chain = pem_chain(cert, *issuers)
        # Started last: it runs after this answer was queued, so CertificateSigned follows it on the wire.
        self._background(self._deliver(station_id, row_id, chain, request.certificate_type))
        return SignCertificateResponse(True)

    async def _refused(
        self, station_id: str, request: SignCertificateRequest, refusal: CsrRefused, now: datetime
    ) -> None:
        data: dict[str, Any] = {
            "type": SIGN_REFUSED_EVENT,
            "origin": "csms",
            "tech_info": refusal.reason,
            "certificate_type": request.certificate_type,
        }
        log.warning("%s: SignCertificate refused: %s", station_id, refusal.reason)
        await self.store.add_station_event(station_id, "security_event", now, data)
        self.bus.publish(DomainEvent(EventKind.SECURITY_RECORDED, station_id, now, data))

    async def _deliver(self, station_id: str, row_id: int, chain: str, certificate_type: str) -> None:
        assert self.channel is not None
        try:
            answer = await self.channel.execute(station_id, CertificateSigned(chain, certificate_type))
        except Exception as exc:  # disconnected, timeout, CALLERROR: the certificate stays pending
            log.warning("%s: CertificateSigned was not answered: %s", station_id, exc)
            return
        accepted = answer.outcome.status == "Accepted"
        await settle_signed_certificate(self.store, row_id, accepted, self.clock.now())
        if not accepted:
            log.warning("%s: the station rejected its signed certificate", station_id)

    def _background(self, work: Coroutine[Any, Any, None]) -> None:
        self._deliveries.spawn(work)
