"""A small OCSP responder for tests: an asyncio HTTP server on a free loopback port that answers
POSTed OCSP requests with responses built by ``cryptography``'s OCSPResponseBuilder.

Statuses are set per serial number (good, revoked, unknown); ``delay_s`` makes it slow,
``http_status`` makes it fail, ``garbage`` makes it answer bytes that are no OCSP response.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509 import ocsp

from chargebridge.security.ca import Issued


@dataclass
class Authority:
    """A CA the responder answers for: its certificate and key, and who signs the answers."""

    ca: Issued
    statuses: dict[int, str] = field(default_factory=dict)  # serial -> good | revoked (missing: unknown)
    responder: Issued | None = None  # a delegated responder (id-kp-OCSPSigning); None: the CA signs


class OcspResponder:
    def __init__(self, *authorities: Authority):
        self.authorities = list(authorities)
        self.requests = 0
        self.delay_s = 0.0
        self.http_status = 200
        self.garbage = False
        self.next_update = timedelta(hours=1)
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ocsp"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.decode("latin-1").split("\r\n"):
                if line.lower().startswith("content-length:"):
                    length = int(line.split(":", 1)[1])
            body = await reader.readexactly(length)
            self.requests += 1
            if self.delay_s:
                await asyncio.sleep(self.delay_s)
            der = b"not an ocsp response" if self.garbage else self.answer(body)
            writer.write(
                f"HTTP/1.1 {self.http_status} X\r\nContent-Type: application/ocsp-response\r\n"
                f"Content-Length: {len(der)}\r\nConnection: close\r\n\r\n".encode()
                + der
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass  # the client gave up (or the test ended) while we were slow
        finally:
            writer.close()

    def answer(self, body: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(body)
        now = datetime.now(UTC)
        for authority in self.authorities:
            issuer = authority.ca.cert
            probe = ocsp.OCSPRequestBuilder().add_certificate(issuer, issuer, request.hash_algorithm).build()
            if probe.issuer_key_hash != request.issuer_key_hash or probe.issuer_name_hash != request.issuer_name_hash:
                continue
            status = authority.statuses.get(request.serial_number)
            if status is None:
                cert_status, revoked_at = ocsp.OCSPCertStatus.UNKNOWN, None
            elif status == "revoked":
                cert_status, revoked_at = ocsp.OCSPCertStatus.REVOKED, now - timedelta(days=1)
            else:
                cert_status, revoked_at = ocsp.OCSPCertStatus.GOOD, None
            signer = authority.responder or authority.ca
            builder = (
                ocsp.OCSPResponseBuilder()
                .add_response_by_hash(
                    request.issuer_name_hash,
                    request.issuer_key_hash,
                    request.serial_number,
                    request.hash_algorithm,
                    cert_status,
                    now - timedelta(minutes=1),
                    now + self.next_update,
                    revoked_at,
                    x509.ReasonFlags.key_compromise if revoked_at else None,
                )
                .responder_id(ocsp.OCSPResponderEncoding.HASH, signer.cert)
            )
            if authority.responder is not None:
                # The delegated responder's certificate and its issuer (the CA), as responders send them.
                builder = builder.certificates([authority.responder.cert, issuer])
            response = builder.sign(signer.key, hashes.SHA256())
            return response.public_bytes(serialization.Encoding.DER)
        return ocsp.OCSPResponseBuilder.build_unsuccessful(ocsp.OCSPResponseStatus.UNAUTHORIZED).public_bytes(
            serialization.Encoding.DER
        )
