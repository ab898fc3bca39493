"""Password rotation for a connected station at security profile 1 or 2 (the I/O side of
:mod:`chargebridge.security.rotation`).

Order, and why:

1. The new password's hash is stored as the station's *pending* password **before** the station
   is told. A station that accepts a new password may reconnect with it at once (2.0.1 asks it
   to); if the hash were stored only after its answer, that reconnect could arrive first and be
   refused.
2. The password goes out in the station's version (1.6 ChangeConfiguration ``AuthorizationKey``
   in hex, 2.0.1 SetVariables ``SecurityCtrlr.BasicAuthPassword``).
3. The station refuses (``Rejected``, ``NotSupported``, a CALLERROR) or disconnects before the
   CALL could be sent: the pending password is put back as it was, so nothing changed.
   The station does not answer in time, or drops the connection after it got the CALL: it may
   or may not have taken the password, so the pending one stays (the old one keeps working as
   well, and a later rotation replaces the pending one).
4. It accepts: a ``BasicAuthPasswordChanged`` security event is recorded; the old password keeps
   working until the station first logs in with the new one (the gateway then makes it the
   password: ``BasicAuthPasswordActivated``).

The password itself is returned to the caller once and is never logged or stored in clear.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import TYPE_CHECKING

from chargebridge.rpc import CallInProgress, CallRejected, CallTimeout, OcppVersion, StationNotConnected
from chargebridge.security.profiles import SecurityEvent, effective_profile
from chargebridge.security.rotation import (
    ACCEPTED_STATUSES,
    authorization_key,
    check_rotation_password,
    generate_password,
    password_command,
)
from chargebridge.security.secrets import hash_password

if TYPE_CHECKING:
    from chargebridge.gateway.server import Gateway

log = logging.getLogger(__name__)

# One rotation per station at a time (a second one waits): the pending hash is read and written around the CALL.
_locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()


class RotationRefused(Exception):
    """The password was not changed (or the station's answer is unknown); ``status`` is the HTTP status."""

    def __init__(self, status: HTTPStatus, reason: str, *, pending_kept: bool = False):
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.pending_kept = pending_kept


@dataclass(frozen=True, slots=True)
class Rotation:
    password: str
    ocpp_version: str
    station_status: str  # Accepted or RebootRequired
    changed_at: datetime
    authorization_key: str | None = None  # 1.6: the value sent (hex of the password)


async def rotate_password(
    gateway: Gateway, station_id: str, password: str | None = None, *, actor: str | None = None
) -> Rotation:
    """Give a connected profile 1/2 station a new password (``password`` or a generated one).
    Raises :class:`RotationRefused` (HTTP 409, 502 or 504) or ``WeakPassword`` (the given
    password does not fit the station's OCPP version)."""
    lock = _locks.get(station_id)
    if lock is None:
        lock = _locks[station_id] = asyncio.Lock()
    async with lock:
        return await _rotate(gateway, station_id, password, actor)


async def _rotate(gateway: Gateway, station_id: str, password: str | None, actor: str | None) -> Rotation:
    row = await gateway.store.get_station(station_id)
    if row is None:
        raise RotationRefused(HTTPStatus.NOT_FOUND, f"station {station_id!r} is not registered")
    profile = effective_profile(row["security_profile"], row["password_hash"])
    if profile not in (1, 2):
        raise RotationRefused(
            HTTPStatus.CONFLICT, f"password rotation is for security profiles 1 and 2; the station is at {profile}"
        )
    if not gateway.is_connected(station_id):  # its socket may be on another node of a cluster
        raise RotationRefused(
            HTTPStatus.CONFLICT, "the station is not connected: a new password can only be sent to a connected station"
        )
    version = gateway.version_of(station_id)
    if password is None:
        password = generate_password(version)
    else:
        check_rotation_password(version, password)
    new_hash = await asyncio.to_thread(hash_password, password)
    before = {"pending_password_hash": row["pending_password_hash"], "password_changed_at": row["password_changed_at"]}
    now = gateway.clock.now()
    await gateway.store.update_station(station_id, pending_password_hash=new_hash, password_changed_at=now)
    try:
        answer = await gateway.execute(station_id, password_command(version, password))
    except (CallTimeout, ConnectionError) as exc:
        # The CALL went out: the station may have taken the password. Keep it pending (the old one works too).
        http_status = HTTPStatus.GATEWAY_TIMEOUT if isinstance(exc, CallTimeout) else HTTPStatus.BAD_GATEWAY
        what = "did not answer in time" if isinstance(exc, CallTimeout) else "disconnected before answering"
        log.warning("%s: password rotation: the station %s; the new password stays pending", station_id, what)
        raise RotationRefused(
            http_status,
            f"the station {what}; it may have taken the new password, which is accepted as well as the old one "
            "until the station uses it or another rotation replaces it",
            pending_kept=True,
        ) from exc
    except (StationNotConnected, CallInProgress, CallRejected) as exc:
        await gateway.store.update_station(station_id, **before)
        raise RotationRefused(HTTPStatus.CONFLICT, _refusal_reason(exc)) from exc
    except BaseException:
        await asyncio.shield(gateway.store.update_station(station_id, **before))
        raise
    status = answer.outcome.status
    if status not in ACCEPTED_STATUSES:
        await gateway.store.update_station(station_id, **before)
        raise RotationRefused(
            HTTPStatus.CONFLICT, f"the station refused the new password ({answer.action}: {status}); nothing changed"
        )
    conn = gateway.connections.get(station_id)  # None when its socket is on another node of a cluster
    source = (conn.remote_address if conn is not None else None) or "unknown"
    tls = conn is not None and conn.ws.transport.get_extra_info("ssl_object") is not None
    reason = "reboot required before it is used" if status == "RebootRequired" else None
    gateway.record_security_event(station_id, SecurityEvent.PASSWORD_CHANGED, source, tls, profile, reason, by=actor)
    log.info("%s: the station accepted a new password (pending until it logs in with it)", station_id)
    return Rotation(
        password=password,
        ocpp_version=version.value,
        station_status=status,
        changed_at=now,
        authorization_key=authorization_key(password) if version is OcppVersion.V16 else None,
    )


def _refusal_reason(exc: BaseException) -> str:
    if isinstance(exc, StationNotConnected):
        return "the station disconnected before the new password could be sent; nothing changed"
    if isinstance(exc, CallRejected):
        return f"the station refused the new password with a CALLERROR ({exc.code}: {exc.description}); nothing changed"
    return f"{exc}; nothing changed"
