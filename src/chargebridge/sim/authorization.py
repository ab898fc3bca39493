"""What a simulated station does about reservations and its local authorization list (pure: no I/O).

Reservations (1.6 section 5.13, 2.0.1 H01-H04): ReserveNow on a connector (or any, 1.6
connector 0 / 2.0.1 without evseId) answered Accepted / Occupied / Faulted / Unavailable /
Rejected; a reserved connector reports ``Reserved`` and only starts for the reserved token or
a token whose group (as the local list tells it) matches; a reservation for any connector keeps
enough connectors free; the reservation ends when its token starts (its id goes into the
StartTransaction / TransactionEvent), when cancelled, or when it expires (2.0.1 then sends
ReservationStatusUpdate Expired).

Local list (1.6 Local Auth List Management, 2.0.1 D01/D02): SendLocalList Full / Differential
with versions (a differential at or below the held version is a VersionMismatch; more items
than SendLocalListMaxLength / ItemsPerMessage, or a list longer than LocalAuthListMaxLength, is
Failed), GetLocalListVersion (-1 when local lists are off). The list authorizes offline
(LocalAuthorizeOffline) and, with LocalPreAuthorize, online without an Authorize.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chargebridge.domain.timeutil import parse_datetime

if TYPE_CHECKING:  # sim.state holds an AuthorizationState: import it for typing only
    from chargebridge.sim.state import StationState


# The commands this module answers (both versions).
ACTIONS = frozenset({"ReserveNow", "CancelReservation", "SendLocalList", "GetLocalListVersion"})


@dataclass(frozen=True, slots=True)
class Reservation:
    reservation_id: int
    connector_id: int | None  # None: any connector
    id_token: str
    group: str | None
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class ListEntry:
    status: str
    expires_at: datetime | None = None
    group: str | None = None


@dataclass(slots=True)
class AuthorizationState:
    reservations: dict[int, Reservation] = field(default_factory=dict)
    list_version: int = 0
    local_list: dict[str, ListEntry] = field(default_factory=dict)
    refused_starts: int = 0  # starts refused by a reservation or the authorization (local list, Authorize)


# -- configuration ------------------------------------------------------------------------------


def _flag(state: StationState, name: str, default: bool) -> bool:
    key = state.config.key(name)
    if key is None:
        return default
    return state.config.get(name) == "true"


def _limit(state: StationState, name: str) -> int | None:
    if state.config.key(name) is None:
        return None
    value = state.config.get(name)
    return int(value) if value.isdigit() and int(value) > 0 else None


def list_enabled(state: StationState) -> bool:
    return _flag(state, "LocalAuthListEnabled", True)


# -- reservations -------------------------------------------------------------------------------


def reserved_for(state: StationState, connector_id: int) -> Reservation | None:
    """The reservation holding this connector, if any."""
    for reservation in state.authorization.reservations.values():
        if reservation.connector_id == connector_id:
            return reservation
    return None


def _free(state: StationState, connector_id: int) -> bool:
    connector = state.connectors[connector_id]
    return (
        connector.session is None
        and connector.operative
        and connector.faulted_until is None
        and reserved_for(state, connector_id) is None
    )


def reserve(
    state: StationState,
    reservation_id: int,
    connector_id: int | None,
    id_token: str,
    group: str | None,
    expires_at: datetime,
) -> tuple[str, list[int]]:
    """ReserveNow: the status to answer and the connectors whose status changes."""
    held = state.authorization.reservations
    replaced = held.pop(reservation_id, None)  # the same id replaces the reservation (1.6 5.13)
    touched = [replaced.connector_id] if replaced is not None and replaced.connector_id is not None else []
    if connector_id is None:
        if not _flag(state, "ReserveConnectorZeroSupported", True):
            return "Rejected", touched
        others = sum(1 for r in held.values() if r.connector_id is None)
        if sum(1 for n in state.connectors if _free(state, n)) <= others:
            return "Occupied", touched
    else:
        connector = state.connectors.get(connector_id)
        if connector is None:
            return "Rejected", touched
        if connector.faulted_until is not None:
            return "Faulted", touched
        if not connector.operative:
            return "Unavailable", touched
        if connector.session is not None or reserved_for(state, connector_id) is not None:
            return "Occupied", touched
        touched.append(connector_id)
    held[reservation_id] = Reservation(reservation_id, connector_id, id_token, group, expires_at)
    return "Accepted", touched


def cancel(state: StationState, reservation_id: int) -> tuple[str, list[int]]:
    reservation = state.authorization.reservations.pop(reservation_id, None)
    if reservation is None:
        return "Rejected", []
    return "Accepted", [reservation.connector_id] if reservation.connector_id is not None else []


def expire(state: StationState, now: datetime) -> list[Reservation]:
    """Remove and return the reservations whose expiry has passed."""
    held = state.authorization.reservations
    gone = [r for r in held.values() if r.expires_at <= now]
    for reservation in gone:
        del held[reservation.reservation_id]
    return gone


def next_expiry(state: StationState) -> datetime | None:
    return min((r.expires_at for r in state.authorization.reservations.values()), default=None)


def _group_of(state: StationState, token: str) -> str | None:
    entry = state.authorization.local_list.get(token)
    return entry.group if entry is not None else None


def _matches(reservation: Reservation, token: str, group: str | None) -> bool:
    allowed = {reservation.id_token.casefold()}
    if reservation.group:
        allowed.add(reservation.group.casefold())
    return token.casefold() in allowed or (group is not None and group.casefold() in allowed)


@dataclass(frozen=True, slots=True)
class Claim:
    allowed: bool
    reservation_id: int | None = None


def claim(state: StationState, connector_id: int, token: str) -> Claim:
    """May ``token`` start on ``connector_id``, and which reservation does it use? (Changes nothing.)"""
    group = _group_of(state, token)
    own = reserved_for(state, connector_id)
    if own is not None:
        return Claim(True, own.reservation_id) if _matches(own, token, group) else Claim(False)
    anywhere = [r for r in state.authorization.reservations.values() if r.connector_id is None]
    for reservation in anywhere:
        if _matches(reservation, token, group):
            return Claim(True, reservation.reservation_id)
    if not anywhere:
        return Claim(True)
    free_after = sum(1 for n in state.connectors if n != connector_id and _free(state, n))
    return Claim(free_after >= len(anywhere))


def consume(state: StationState, reservation_id: int) -> None:
    state.authorization.reservations.pop(reservation_id, None)


# -- the local list -----------------------------------------------------------------------------


def _entry_16(raw: dict[str, Any]) -> tuple[str, ListEntry | None]:
    info = raw.get("idTagInfo")
    if info is None:
        return raw["idTag"], None
    expiry = info.get("expiryDate")
    return raw["idTag"], ListEntry(info["status"], parse_datetime(expiry) if expiry else None, info.get("parentIdTag"))


def _entry_201(raw: dict[str, Any]) -> tuple[str, ListEntry | None]:
    info = raw.get("idTokenInfo")
    token = raw["idToken"]["idToken"]
    if info is None:
        return token, None
    expiry = info.get("cacheExpiryDateTime")
    group = (info.get("groupIdToken") or {}).get("idToken")
    return token, ListEntry(info["status"], parse_datetime(expiry) if expiry else None, group)


def send_local_list(state: StationState, v16: bool, payload: dict[str, Any]) -> str:
    """SendLocalList: the status to answer (the list changes only when Accepted)."""
    if not list_enabled(state):
        return "NotSupported" if v16 else "Failed"
    auth = state.authorization
    version = payload["listVersion" if v16 else "versionNumber"]
    items = [(_entry_16 if v16 else _entry_201)(raw) for raw in payload.get("localAuthorizationList", ())]
    per_message = _limit(state, "SendLocalListMaxLength")
    if per_message is not None and len(items) > per_message:
        return "Failed"
    full = payload["updateType"] == "Full"
    if not full and version <= auth.list_version:
        return "VersionMismatch"
    entries = {} if full else dict(auth.local_list)
    for token, entry in items:
        if entry is None:
            entries.pop(token, None)
        else:
            entries[token] = entry
    max_length = _limit(state, "LocalAuthListMaxLength")
    if max_length is not None and len(entries) > max_length:
        return "Failed"
    auth.local_list = entries
    auth.list_version = version
    return "Accepted"


def list_version(state: StationState) -> int:
    return state.authorization.list_version if list_enabled(state) else -1


def local_decision(state: StationState, token: str, now: datetime) -> bool | None:
    """What the local list says about ``token`` (None: not on the list, or lists are off)."""
    if not list_enabled(state):
        return None
    entry = state.authorization.local_list.get(token)
    if entry is None:
        return None
    return entry.status == "Accepted" and (entry.expires_at is None or entry.expires_at > now)


def offline_decision(state: StationState, token: str, now: datetime) -> bool:
    """May ``token`` start while the station is offline?"""
    local = local_decision(state, token, now) if _flag(state, "LocalAuthorizeOffline", True) else None
    if local is not None:
        return local
    return _flag(state, "AllowOfflineTxForUnknownId", True)


def pre_authorized(state: StationState, token: str, now: datetime) -> bool:
    """Online, with LocalPreAuthorize: a token Accepted by the list starts without Authorize."""
    return _flag(state, "LocalPreAuthorize", False) and local_decision(state, token, now) is True


# -- the command handlers (payload in, answer payload and changed connectors out) ---------------


def reserve_now_16(payload: dict[str, Any], state: StationState) -> tuple[dict[str, Any], list[int]]:
    connector_id = payload["connectorId"]
    status, touched = reserve(
        state,
        payload["reservationId"],
        connector_id or None,
        payload["idTag"],
        payload.get("parentIdTag"),
        parse_datetime(payload["expiryDate"]),
    )
    return {"status": status}, touched


def reserve_now_201(payload: dict[str, Any], state: StationState) -> tuple[dict[str, Any], list[int]]:
    group = payload.get("groupIdToken")
    status, touched = reserve(
        state,
        payload["id"],
        payload.get("evseId") or None,
        payload["idToken"]["idToken"],
        group["idToken"] if group else None,
        parse_datetime(payload["expiryDateTime"]),
    )
    return {"status": status}, touched


def cancel_reservation(payload: dict[str, Any], state: StationState) -> tuple[dict[str, Any], list[int]]:
    status, touched = cancel(state, payload["reservationId"])
    return {"status": status}, touched
