"""OCPP 1.6 Reservation and Local Auth List Management profiles: the neutral commands of
:mod:`chargebridge.domain.authorization` as 1.6 CALLs.

Merged into the adapter's ``COMMAND_ENCODERS``. The answers carry a ``status`` (ReserveNow,
CancelReservation, SendLocalList) or none (GetLocalListVersion: ``listVersion``), which the
adapter's default outcome decoding handles. 1.6 has no station-to-CSMS message here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import authorization as auth
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.model import AuthorizationStatus, IdTokenInfo
from chargebridge.domain.timeutil import format_datetime

ID_TAG_MAX_LENGTH = 20  # IdToken of 1.6: CiString20Type


def _id_tag(value: str, field: str) -> str:
    if len(value) > ID_TAG_MAX_LENGTH:
        raise CommandNotSupported(f"1.6 {field} is at most {ID_TAG_MAX_LENGTH} characters, got {len(value)}")
    return value


def id_tag_info(info: IdTokenInfo) -> dict[str, Any]:
    """IdTagInfo: 1.6 has no Unknown (sent as Invalid); a group longer than a 1.6 idTag is left out."""
    status = AuthorizationStatus.INVALID if info.status is AuthorizationStatus.UNKNOWN else info.status
    out: dict[str, Any] = {"status": status.value}
    if info.expires_at is not None:
        out["expiryDate"] = format_datetime(info.expires_at)
    if info.group_id is not None and len(info.group_id) <= ID_TAG_MAX_LENGTH:
        out["parentIdTag"] = info.group_id
    return out


def fits(entry: auth.AuthorizationEntry) -> bool:
    """Whether a list entry can be said in 1.6 at all (its idTag fits a CiString20)."""
    return len(entry.id_token.value) <= ID_TAG_MAX_LENGTH


def _reserve_now(command: auth.ReserveNow) -> tuple[str, dict[str, Any]]:
    if command.connector_type is not None:
        raise CommandNotSupported("1.6 ReserveNow has no connector type")
    payload: dict[str, Any] = {
        "connectorId": command.evse_id or 0,  # 0: any connector of the charge point
        "expiryDate": format_datetime(command.expires_at),
        "idTag": _id_tag(command.id_token.value, "idTag"),
        "reservationId": command.reservation_id,
    }
    if command.group_id_token is not None:
        payload["parentIdTag"] = _id_tag(command.group_id_token, "parentIdTag")
    return "ReserveNow", payload


def _send_local_list(command: auth.SendLocalList) -> tuple[str, dict[str, Any]]:
    entries = []
    for entry in command.entries:
        item: dict[str, Any] = {"idTag": _id_tag(entry.id_token.value, "idTag")}
        if entry.info is not None:
            item["idTagInfo"] = id_tag_info(entry.info)
        elif command.update_type is auth.UpdateType.FULL:
            raise CommandNotSupported("a full local list carries an idTagInfo for every entry")
        entries.append(item)
    payload: dict[str, Any] = {"listVersion": command.version, "updateType": command.update_type.value}
    if entries:
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
