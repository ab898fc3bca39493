"""OCPP 2.0.1 blocks H (reservation) and D (local authorization list management): the neutral
commands of :mod:`chargebridge.domain.authorization` as 2.0.1 CALLs, and the station's
ReservationStatusUpdate as a neutral request (answered with an empty CALLRESULT).

Merged into ``inbound.DECODERS``, ``outbound.COMMAND_ENCODERS`` and ``outbound.ACK_ACTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import authorization as auth
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.model import IdToken, IdTokenInfo
from chargebridge.domain.requests import StationRequest
from chargebridge.domain.timeutil import format_datetime

ID_TOKEN_MAX_LENGTH = 36  # IdTokenType.idToken
# A token stored without a type: what a card presented at the station (the point of a local list) is.
DEFAULT_LIST_TOKEN_TYPE = "ISO14443"
DEFAULT_COMMAND_TOKEN_TYPE = "Central"

ACK_ACTIONS = frozenset({"ReservationStatusUpdate"})


def _id_token(token: IdToken, default_type: str) -> dict[str, Any]:
    if len(token.value) > ID_TOKEN_MAX_LENGTH:
        raise CommandNotSupported(f"2.0.1 idTokens are at most {ID_TOKEN_MAX_LENGTH} characters")
    return {"idToken": token.value, "type": token.type or default_type}


def id_token_info(info: IdTokenInfo) -> dict[str, Any]:
    out: dict[str, Any] = {"status": info.status.value}
    if info.expires_at is not None:
        out["cacheExpiryDateTime"] = format_datetime(info.expires_at)
    if info.group_id is not None and len(info.group_id) <= ID_TOKEN_MAX_LENGTH:
        out["groupIdToken"] = {"idToken": info.group_id, "type": "Central"}
    return out


def fits(entry: auth.AuthorizationEntry) -> bool:
    return len(entry.id_token.value) <= ID_TOKEN_MAX_LENGTH


def _reserve_now(command: auth.ReserveNow) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {
        "id": command.reservation_id,
        "expiryDateTime": format_datetime(command.expires_at),
        "idToken": _id_token(command.id_token, DEFAULT_COMMAND_TOKEN_TYPE),
    }
    if command.evse_id:  # None or 0: any EVSE
        payload["evseId"] = command.evse_id
    if command.connector_type is not None:
        payload["connectorType"] = command.connector_type
    if command.group_id_token is not None:
        payload["groupIdToken"] = _id_token(IdToken(command.group_id_token, "Central"), "Central")
    return "ReserveNow", payload


def _send_local_list(command: auth.SendLocalList) -> tuple[str, dict[str, Any]]:
    if command.version <= 0:
        raise CommandNotSupported("2.0.1 local list versions are above 0 (D01.FR.18)")
    entries = []
    for entry in command.entries:
        item: dict[str, Any] = {"idToken": _id_token(entry.id_token, DEFAULT_LIST_TOKEN_TYPE)}
        if entry.info is not None:
            item["idTokenInfo"] = id_token_info(entry.info)
        elif command.update_type is auth.UpdateType.FULL:
            raise CommandNotSupported("a full local list carries an idTokenInfo for every entry")
        entries.append(item)
    payload: dict[str, Any] = {"versionNumber": command.version, "updateType": command.update_type.value}
    if entries:  # the schema wants at least one item when the list is present
        payload["localAuthorizationList"] = entries
    return "SendLocalList", payload


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {
        auth.ReserveNow: _reserve_now,
        auth.CancelReservation: lambda c: ("CancelReservation", {"reservationId": c.reservation_id}),
        auth.SendLocalList: _send_local_list,
        auth.GetLocalListVersion: lambda c: ("GetLocalListVersion", {}),
    }
)


def _reservation_status_update(payload: Mapping[str, Any], notes: list[str]) -> StationRequest:
    return auth.ReservationStatusUpdateRequest(
        payload["reservationId"], auth.ReservationUpdate(payload["reservationUpdateStatus"])
    )


DECODERS: Mapping[str, Callable[[Mapping[str, Any], list[str]], StationRequest]] = MappingProxyType(
    {"ReservationStatusUpdate": _reservation_status_update}
)
