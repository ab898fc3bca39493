"""An OCSP client with a bounded cache (RFC 6960 over HTTP POST, RFC 5019 caching rules).

:meth:`OcspClient.check` turns an OCPP OCSPRequestData into a real OCSP request to the responder
it names, parses and checks the answer (a successful response that answers for exactly that
certificate, fresh at ``now``) and caches it until its ``nextUpdate`` (bounded in size and age).
Concurrent checks of the same certificate share one request. A responder that cannot be reached,
answers late (``timeout_s`` bounds the whole exchange), answers too much or answers nonsense
raises :class:`OcspFailure` with a short code and a sentence; nothing ever waits unbounded.

The responder URL comes from a station (and through it from an EV), so only http(s) URLs are
followed, never redirects, and by default only to public addresses: ``allowed_hosts`` lists the
responders the operator permits (host names or addresses, which may be private).
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import urlsplit

import httpx
from cryptography.x509 import ocsp

from chargebridge.domain.iso15118 import OcspRequestData
from chargebridge.iso15118.pki import HASHES

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=5)  # tolerated between the responder's clock and ours
MAX_RESPONSE_BYTES = 64 * 1024


class CertStatus(StrEnum):
    GOOD = "good"
    REVOKED = "revoked"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class OcspAnswer:
    """One checked OCSP answer for one certificate. ``der`` is the responder's OCSPResponse as received."""

    status: CertStatus
    der: bytes
    response: ocsp.OCSPResponse
    this_update: datetime
    next_update: datetime | None
    revoked_at: datetime | None = None
    from_cache: bool = False


class OcspFailure(Exception):
    """No usable answer. ``code`` is a short reason (at most 20 characters, OCPP's statusInfo.reasonCode)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class OcspSettings:
    timeout_s: float = 5.0
    cache_size: int = 10_000
    max_cache_s: float = 24 * 3600.0
    # An answer without nextUpdate ("newer information is always available") is kept this long.
    min_cache_s: float = 60.0
    allowed_hosts: Collection[str] = ()


@dataclass(slots=True)
class _Cached:
    answer: OcspAnswer
    until: datetime


def parse_request(data: OcspRequestData) -> tuple[bytes, bytes, int]:
    """Issuer name hash, issuer key hash and serial of OCSPRequestData; OcspFailure when unusable."""
    algorithm = HASHES.get(data.hash_algorithm)
    if algorithm is None or data.hash_algorithm == "SHA1":
        raise OcspFailure("InvalidRequest", f"hash algorithm {data.hash_algorithm[:20]!r} is not SHA256/384/512")
    try:
        name_hash = bytes.fromhex(data.issuer_name_hash)
        key_hash = bytes.fromhex(data.issuer_key_hash)
        serial = int(data.serial_number, 16)
    except ValueError as exc:
        raise OcspFailure("InvalidRequest", "the issuer hashes and the serial number must be hexadecimal") from exc
    size = algorithm().digest_size
    if len(name_hash) != size or len(key_hash) != size:
        raise OcspFailure("InvalidRequest", f"issuer hashes must be {size} bytes for {data.hash_algorithm}")
    return name_hash, key_hash, serial


def build_request(data: OcspRequestData) -> bytes:
    """The DER OCSPRequest for one certificate, from its CertID fields."""
    name_hash, key_hash, serial = parse_request(data)
    builder = ocsp.OCSPRequestBuilder().add_certificate_by_hash(
        name_hash, key_hash, serial, HASHES[data.hash_algorithm]()
    )
    from cryptography.hazmat.primitives import serialization

    return builder.build().public_bytes(serialization.Encoding.DER)


def read_answer(der: bytes, data: OcspRequestData, now: datetime) -> OcspAnswer:
    """Check a responder's DER answer against the request; OcspFailure when it is not usable."""
    try:
        response = ocsp.load_der_ocsp_response(der)
    except ValueError as exc:
        raise OcspFailure("InvalidResponse", "the responder's answer is not a DER OCSP response") from exc
    if response.response_status is not ocsp.OCSPResponseStatus.SUCCESSFUL:
        name = response.response_status.name.lower()
        raise OcspFailure("ResponderError", f"the responder answered {name}")
    name_hash, key_hash, serial = parse_request(data)
    for single in response.responses:
        if (
            single.serial_number == serial
            and single.issuer_name_hash == name_hash
            and single.issuer_key_hash == key_hash
            and single.hash_algorithm.name.upper().replace("-", "") == data.hash_algorithm
        ):
            break
    else:
        raise OcspFailure("InvalidResponse", "the responder's answer is not about the requested certificate")
    this_update = single.this_update_utc
    next_update = single.next_update_utc
    if this_update > now + CLOCK_SKEW:
        raise OcspFailure("InvalidResponse", "the responder's answer is dated in the future")
    if next_update is not None and next_update < now - CLOCK_SKEW:
        raise OcspFailure("StaleResponse", "the responder's answer is out of date (nextUpdate has passed)")
    status = {
        ocsp.OCSPCertStatus.GOOD: CertStatus.GOOD,
        ocsp.OCSPCertStatus.REVOKED: CertStatus.REVOKED,
        ocsp.OCSPCertStatus.UNKNOWN: CertStatus.UNKNOWN,
    }[single.certificate_status]
    return OcspAnswer(status, der, response, this_update, next_update, single.revocation_time_utc)


async def _public_only(host: str, port: int) -> None:
    """Refuse responders on loopback, private, link-local or otherwise non-public addresses."""
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise OcspFailure("Unreachable", f"the responder host {host[:100]!r} does not resolve") from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise OcspFailure(
                "ResponderNotAllowed", f"the responder {host[:100]!r} is not a public address (see ocsp_allowed_hosts)"
            )


class OcspClient:
    """Real OCSP requests with a bounded, freshness-respecting cache shared by every caller."""

    def __init__(
        self, settings: OcspSettings, now: Callable[[], datetime], transport: httpx.AsyncBaseTransport | None = None
    ):
        self.settings = settings
        self._now = now
        self._allowed = {host.lower() for host in settings.allowed_hosts}
        self._cache: OrderedDict[tuple[str, str, str, str], _Cached] = OrderedDict()
        self._inflight: dict[tuple[str, str, str, str], asyncio.Future[OcspAnswer]] = {}
        self._http = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_s),
            follow_redirects=False,
            transport=transport,
            limits=httpx.Limits(max_connections=50, max_keepalive_connections=10),
        )
        self.requests_sent = 0

    async def close(self) -> None:
        await self._http.aclose()

    @property
    def cache_size(self) -> int:
        return len(self._cache)

    def cached(self, data: OcspRequestData) -> OcspAnswer | None:
        entry = self._cache.get(data.key())
        if entry is None:
            return None
        if entry.until <= self._now():
            del self._cache[data.key()]
            return None
        self._cache.move_to_end(data.key())
        return entry.answer

    async def check(self, data: OcspRequestData) -> OcspAnswer:
        """The certificate's status from the cache or its responder; raises OcspFailure."""
        parse_request(data)  # a malformed request fails before anything else
        hit = self.cached(data)
        if hit is not None:
            return OcspAnswer(
                hit.status, hit.der, hit.response, hit.this_update, hit.next_update, hit.revoked_at, from_cache=True
            )
        key = data.key()
        pending = self._inflight.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[OcspAnswer] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            answer = await self._fetch(data)
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc if isinstance(exc, Exception) else OcspFailure("Cancelled", "cancelled"))
                future.exception()  # retrieved: nobody else may be waiting
            raise
        else:
            future.set_result(answer)
            self._store(key, answer)
            return answer
        finally:
            self._inflight.pop(key, None)

    def _store(self, key: tuple[str, str, str, str], answer: OcspAnswer) -> None:
        now = self._now()
        limit = now + timedelta(seconds=self.settings.max_cache_s)
        until = (
            min(answer.next_update, limit) if answer.next_update else now + timedelta(seconds=self.settings.min_cache_s)
        )
        if until <= now:
            return
        self._cache[key] = _Cached(answer, until)
        self._cache.move_to_end(key)
        while len(self._cache) > self.settings.cache_size:
            self._cache.popitem(last=False)

    async def _check_url(self, url: str) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise OcspFailure("InvalidRequest", f"the responder URL {url[:100]!r} is not an http(s) URL")
        host = parts.hostname.lower()
        if self._allowed:
            if host not in self._allowed:
                raise OcspFailure("ResponderNotAllowed", f"the responder {host[:100]!r} is not in ocsp_allowed_hosts")
            return
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        await _public_only(host, port)

    async def _fetch(self, data: OcspRequestData) -> OcspAnswer:
        url = data.responder_url.strip()
        await self._check_url(url)
        body = build_request(data)
        self.requests_sent += 1
        try:
            async with asyncio.timeout(self.settings.timeout_s):
                async with self._http.stream(
                    "POST",
                    url,
                    content=body,
                    headers={"Content-Type": "application/ocsp-request", "Accept": "application/ocsp-response"},
                ) as reply:
                    if reply.status_code != 200:
                        raise OcspFailure("ResponderError", f"the responder answered HTTP {reply.status_code}")
                    der = bytearray()
                    async for chunk in reply.aiter_bytes():
                        der.extend(chunk)
                        if len(der) > MAX_RESPONSE_BYTES:
                            raise OcspFailure("InvalidResponse", "the responder's answer is too large")
        except TimeoutError as exc:
            log.warning("OCSP responder %s did not answer within %.1f s", url[:200], self.settings.timeout_s)
            raise OcspFailure("Timeout", f"the responder did not answer within {self.settings.timeout_s:g} s") from exc
        except httpx.HTTPError as exc:
            log.warning("OCSP responder %s unreachable: %s", url[:200], exc)
            raise OcspFailure("Unreachable", f"the responder cannot be reached ({type(exc).__name__})") from exc
        answer = read_answer(bytes(der), data, self._now())
        log.debug("OCSP %s serial %s: %s", url[:200], data.serial_number[:40], answer.status)
        return answer
