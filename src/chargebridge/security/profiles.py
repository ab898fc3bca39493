"""OCPP security profiles, decided per station at the WebSocket handshake (no I/O here).

=======  ==============================  =====================================================
profile  transport                       station authenticates with
=======  ==============================  =====================================================
0        ws or wss                       nothing (labs only; refused when security is required)
1        ws or wss                       HTTP Basic: user = station id, password 16-40 chars
2        wss (TLS, server certificate)   HTTP Basic, as 1
3        wss with a client certificate   the certificate: chains to our CA, subject CN = station id
=======  ==============================  =====================================================

A station is never accepted at a lower profile than the one it is registered with. Changing a
station's profile may only go up, except 3 -> 2 when explicitly allowed (never down to 1 or 0).

:func:`tls_refusal` names a failed TLS handshake (wrong CA, expired certificate, old protocol,
no shared cipher) as a :class:`SecurityEvent`, so the gateway can record and count it like an
HTTP-level refusal.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from enum import StrEnum
from http import HTTPStatus

from chargebridge.security.secrets import constant_time_equal
from chargebridge.security.tls import peer_common_name

PROFILES = (0, 1, 2, 3)


class SecurityEvent(StrEnum):
    """Security events the server records itself (station events of kind ``security_event``)."""

    AUTH_MISSING = "BasicAuthMissing"
    AUTH_FAILED = "InvalidBasicAuth"
    CERT_MISSING = "ClientCertificateMissing"
    CERT_REJECTED = "InvalidClientCertificate"
    INSECURE_TRANSPORT = "InsecureTransportRefused"
    PROFILE_REFUSED = "SecurityProfileRefused"
    CONNECTION_REPLACED = "ConnectionReplaced"
    TAKEOVER_LIMITED = "ReplacementRateLimited"
    # TLS handshakes the server refused (no station id is known yet: these have no station).
    TLS_VERSION_REFUSED = "TlsVersionRefused"
    TLS_CIPHER_REFUSED = "TlsCipherSuiteRefused"
    TLS_HANDSHAKE_FAILED = "TlsHandshakeFailed"
    # Password rotation: the station accepted a new password; the station first used it (the old one retired).
    PASSWORD_CHANGED = "BasicAuthPasswordChanged"
    PASSWORD_ACTIVATED = "BasicAuthPasswordActivated"
    # A command message on the MQTT command topic refused: no or a bad API token, stale or replayed, not allowed.
    MQTT_COMMAND_REFUSED = "MqttCommandRefused"


@dataclass(frozen=True, slots=True)
class Refusal:
    status: HTTPStatus
    reason: str
    event: SecurityEvent | None = None
    counts: bool = True  # counts towards the source address's failure limit


def effective_profile(security_profile: int | None, password_hash: str | None) -> int:
    """The stored profile; a station that has a password but profile 0 (older records) is profile 1."""
    profile = security_profile or 0
    return max(profile, 1) if password_hash and profile == 0 else profile


def check_profile(
    profile: int,
    station_id: str,
    *,
    tls: bool,
    require_security: bool,
    ssl_object: ssl.SSLObject | ssl.SSLSocket | None,
    user: str | None,
    has_password: bool,
) -> Refusal | None:
    """Everything about the handshake except the password hash itself (checked by the caller)."""
    if profile == 0:
        if require_security:
            return Refusal(
                HTTPStatus.FORBIDDEN, "security profile 0 is not allowed", SecurityEvent.PROFILE_REFUSED, counts=False
            )
        return None
    if profile >= 2 and not tls:
        return Refusal(
            HTTPStatus.FORBIDDEN,
            f"security profile {profile} requires TLS",
            SecurityEvent.INSECURE_TRANSPORT,
            counts=False,
        )
    if profile == 3:
        common_name = peer_common_name(ssl_object)
        if common_name is None:
            return Refusal(HTTPStatus.FORBIDDEN, "a valid client certificate is required", SecurityEvent.CERT_MISSING)
        if not constant_time_equal(common_name, station_id):
            return Refusal(
                HTTPStatus.FORBIDDEN, "the client certificate is not this station's", SecurityEvent.CERT_REJECTED
            )
        return None
    if user is None or not has_password:
        return Refusal(HTTPStatus.UNAUTHORIZED, "authentication required", SecurityEvent.AUTH_MISSING, counts=False)
    if not constant_time_equal(user, station_id):
        return Refusal(HTTPStatus.UNAUTHORIZED, "authentication required", SecurityEvent.AUTH_FAILED)
    return None


def check_profile_change(current: int, new: int, *, allow_downgrade: bool = False) -> str | None:
    """Why a station may not move from ``current`` to ``new`` (None when it may)."""
    if new not in PROFILES:
        return f"unknown security profile {new}"
    if new >= current:
        return None
    if current == 3 and new == 2:
        return None if allow_downgrade else "a downgrade from 3 to 2 must be explicitly allowed"
    return f"a station may not be downgraded from security profile {current} to {new}"


# OpenSSL reasons for a client that offers no protocol version we allow (TLS 1.0/1.1, SSLv3).
_VERSION_REASONS = frozenset({"UNSUPPORTED_PROTOCOL", "WRONG_VERSION_NUMBER", "TLSV1_ALERT_PROTOCOL_VERSION"})
_CIPHER_REASONS = frozenset({"NO_SHARED_CIPHER", "NO_CIPHERS_AVAILABLE", "NO_SUITABLE_SIGNATURE_ALGORITHM"})
_TECH_INFO_MAX = 255


@dataclass(frozen=True, slots=True)
class TlsRefusal:
    event: SecurityEvent
    tech_info: str
    counts: bool = True  # counts towards the source address's failure limit


def tls_refusal(exc: BaseException, *, timed_out: bool = False) -> TlsRefusal | None:
    """What a failed server-side TLS handshake was, as a security event; None when there is
    nothing to record (the client closed the connection without a TLS error: a port probe, a
    health check, or a client that gave up).

    A client certificate that does not verify (another CA, expired, not yet valid, revoked ...)
    is ``InvalidClientCertificate``; a protocol version below TLS 1.2 ``TlsVersionRefused``; no
    common AEAD suite ``TlsCipherSuiteRefused``; anything else ``TlsHandshakeFailed``. A TLS
    alert from the client (it refused *our* certificate) is recorded but not counted: it proves
    nothing about the client's credentials.
    """
    if timed_out:
        return TlsRefusal(SecurityEvent.TLS_HANDSHAKE_FAILED, "the TLS handshake did not finish in time")
    if isinstance(exc, ssl.SSLCertVerificationError):
        detail = getattr(exc, "verify_message", None) or getattr(exc, "reason", None) or "verification failed"
        return TlsRefusal(SecurityEvent.CERT_REJECTED, _cut(f"client certificate refused: {detail}"))
    if not isinstance(exc, ssl.SSLError):
        return None
    reason = str(getattr(exc, "reason", None) or "")
    if reason in _VERSION_REASONS:
        return TlsRefusal(SecurityEvent.TLS_VERSION_REFUSED, _cut(f"protocol version refused ({reason})"))
    if reason in _CIPHER_REASONS:
        return TlsRefusal(SecurityEvent.TLS_CIPHER_REFUSED, _cut(f"no shared cipher suite ({reason})"))
    if reason == "HTTP_REQUEST":
        return TlsRefusal(SecurityEvent.TLS_HANDSHAKE_FAILED, "plain HTTP sent to the TLS port")
    if reason.startswith(("TLSV1_ALERT_", "SSLV3_ALERT_", "TLSV13_ALERT_")):
        return TlsRefusal(
            SecurityEvent.TLS_HANDSHAKE_FAILED, _cut(f"the client sent an alert ({reason})"), counts=False
        )
    return TlsRefusal(SecurityEvent.TLS_HANDSHAKE_FAILED, _cut(reason or type(exc).__name__))


def _cut(text: str) -> str:
    return text[:_TECH_INFO_MAX]


def unauthenticated_warning(
    count: int, sample: list[str], *, auto_register: bool, require_security: bool
) -> str | None:
    """The start-up warning about stations anyone can impersonate (profile 0), or None."""
    parts: list[str] = []
    if count:
        shown = ", ".join(sample[:5]) + (", ..." if count > len(sample[:5]) else "")
        if require_security:
            parts.append(f"{count} station(s) at security profile 0 will be refused (require_security): {shown}")
        else:
            parts.append(
                f"{count} station(s) at security profile 0 connect WITHOUT AUTHENTICATION: anyone who knows "
                f"the id can take the station over ({shown}); give them a password (PUT /api/v1/stations/"
                "{id}/security)"
            )
    if auto_register and not require_security:
        parts.append("--auto-register is ON: any unknown id is registered at profile 0 and let in")
    return "SECURITY: " + "; ".join(parts) if parts else None
