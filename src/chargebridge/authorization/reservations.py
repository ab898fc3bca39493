"""Reservation rules as pure logic (no I/O): states, the station's answers, and what a
transaction message means for the reservations of its station.

OCPP 1.6 section 5.13: a reserved connector refuses every idTag except the reservation's own or
one whose parent idTag matches the reservation's idTag or parent idTag; 2.0.1 H03 the same with
idToken and groupIdToken. Stations enforce this themselves; the CSMS checks it again when the
transaction reaches it (a station that let the wrong token start, or a transaction queued
offline), answers that token ``Invalid`` and records it, and marks the reservation used when
its own token starts (with or without the reservationId in the message).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebridge.domain.requests import TransactionEventRequest, TransactionEventType

REQUESTED = "requested"
ACCEPTED = "accepted"
ERROR = "error"  # no usable answer (timeout, CALLERROR, connection lost)
USED = "used"
CANCELLED = "cancelled"
EXPIRED = "expired"
REMOVED = "removed"  # 2.0.1 ReservationStatusUpdate Removed
# A reservation that holds (or may hold, until the station answered) an EVSE.
ACTIVE_STATES = frozenset({REQUESTED, ACCEPTED})
STATES = frozenset(
    {REQUESTED, ACCEPTED, "rejected", "faulted", "occupied", "unavailable", ERROR, USED, CANCELLED, EXPIRED, REMOVED}
)

# ReserveNowStatus (the same five in 1.6 and 2.0.1) -> the reservation's state.
_ANSWER_STATES = {
    "Accepted": ACCEPTED,
    "Faulted": "faulted",
    "Occupied": "occupied",
    "Rejected": "rejected",
    "Unavailable": "unavailable",
}


def state_for_answer(status: str) -> str:
    """The state a ReserveNow answer leaves a reservation in (an unknown status is an error)."""
    return _ANSWER_STATES.get(status, ERROR)


def token_matches(
    reserved_token: str, reserved_group: str | None, presented_token: str, presented_group: str | None
) -> bool:
    """1.6 5.13 / 2.0.1 H03: the presented token or its group equals the reservation's token or group.

    Tokens compare case-insensitively (both versions call identifiers case insensitive)."""
    allowed = {reserved_token.casefold()}
    if reserved_group:
        allowed.add(reserved_group.casefold())
    return presented_token.casefold() in allowed or (
        presented_group is not None and presented_group.casefold() in allowed
    )


@dataclass(frozen=True, slots=True)
class Decision:
    """What a transaction message does to its station's reservations."""

    consume: int | None = None  # the reservation this transaction uses
    refuse: int | None = None  # the reservation whose EVSE the presented token may not use


NO_DECISION = Decision()


def _active_at(row: Mapping[str, Any], at: datetime) -> bool:
    """Held at ``at``: accepted, made before and expiring after (a transaction queued offline
    that started before the reservation existed is not the reservation's business)."""
    return bool(row["state"] == ACCEPTED and row["created_at"] <= at < row["expires_at"])


def decide(
    request: TransactionEventRequest,
    reservations: Iterable[Mapping[str, Any]],
    presented_group: str | None,
    named: Mapping[str, Any] | None = None,
) -> Decision:
    """Judge one transaction message against the station's active reservations.

    ``reservations`` are the station's active ones; ``named`` is the reservation the message
    names by reservationId (looked up whatever its state), if any. Only messages that start or
    authorize a transaction count (1.6 StartTransaction, 2.0.1 Started/Updated events that carry
    an idToken); an ending transaction is never refused."""
    if request.event_type is TransactionEventType.ENDED:
        return NO_DECISION
    token = request.id_token
    if named is not None:
        if token is not None and not token_matches(
            named["id_token"], named["group_id_token"], token.value, presented_group
        ):
            return Decision(refuse=int(named["id"]))
        return Decision(consume=int(named["id"])) if named["state"] != USED else NO_DECISION
    if token is None or not request.evse_id:
        return NO_DECISION
    for row in reservations:
        # A reservation for any EVSE (1.6 connector 0) holds no particular one: the station
        # keeps one free for it, which the CSMS cannot judge from one message.
        if row["evse_id"] != request.evse_id or not _active_at(row, request.timestamp):
            continue
        if token_matches(row["id_token"], row["group_id_token"], token.value, presented_group):
            return Decision(consume=int(row["id"]))
        return Decision(refuse=int(row["id"]))
    return NO_DECISION
