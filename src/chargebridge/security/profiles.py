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
