"""Reservations and local authorization lists, version-neutral (OCPP 2.0.1 blocks H and D,
OCPP 1.6 Reservation and Local Auth List Management profiles).

Commands the CSMS sends (ReserveNow, CancelReservation, SendLocalList, GetLocalListVersion)
and the one request a 2.0.1 station sends (ReservationStatusUpdate). The adapters encode
them in ``ocpp16/authorization.py`` and ``ocpp201/authorization.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.model import IdToken, IdTokenInfo
from chargebridge.domain.requests import StationRequest


@dataclass(frozen=True, slots=True)
class ReserveNow(Command):
    """1.6 ReserveNow (connectorId = ``evse_id``, 0 = any) / 2.0.1 ReserveNow (evseId; none = any).

    ``group_id_token`` is the 1.6 parentIdTag / 2.0.1 groupIdToken; ``connector_type`` (a 2.0.1
    ConnectorEnumType name) has no 1.6 form."""

    reservation_id: int
    id_token: IdToken
    expires_at: datetime
    evse_id: int | None = None
    connector_type: str | None = None
    group_id_token: str | None = None


@dataclass(frozen=True, slots=True)
class CancelReservation(Command):
    reservation_id: int


class UpdateType(StrEnum):
    FULL = "Full"
    DIFFERENTIAL = "Differential"


@dataclass(frozen=True, slots=True)
class AuthorizationEntry:
    """One entry of a local authorization list. ``info`` None in a differential update removes the token."""

    id_token: IdToken
    info: IdTokenInfo | None


@dataclass(frozen=True, slots=True)
class SendLocalList(Command):
    """1.6 SendLocalList (listVersion) / 2.0.1 SendLocalList (versionNumber)."""

    version: int
    update_type: UpdateType
    entries: tuple[AuthorizationEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class GetLocalListVersion(Command):
    pass


# What GetLocalListVersion answers: 0 = no list on the station, -1 = local lists not supported.
LIST_VERSION_EMPTY = 0
LIST_VERSION_UNSUPPORTED = -1


def list_version_of(outcome: CommandOutcome) -> int:
    """The version a GetLocalListVersion answer reports (1.6 listVersion, 2.0.1 versionNumber)."""
    for key in ("listVersion", "versionNumber"):
        value = outcome.response.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    raise ValueError("the answer carries no list version")


class ReservationUpdate(StrEnum):
    """2.0.1 ReservationUpdateStatusEnumType."""

    EXPIRED = "Expired"
    REMOVED = "Removed"


@dataclass(frozen=True, slots=True)
class ReservationStatusUpdateRequest(StationRequest):
    """2.0.1 ReservationStatusUpdate: the station ended a reservation on its own (answered with an Ack)."""

    reservation_id: int
    status: ReservationUpdate
