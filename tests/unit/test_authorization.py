"""Reservations and local authorization lists as pure logic: the list derived from tokens, its
changes and versions, splitting into SendLocalList messages, the reservation rule, and the
1.6 / 2.0.1 encodings checked against the official schemas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chargebridge.authorization import locallist
from chargebridge.authorization import reservations as rules
from chargebridge.authorization.local_list_service import capabilities_16, capabilities_201
from chargebridge.domain import authorization as auth
from chargebridge.domain.commands import CommandNotSupported, CommandOutcome
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.domain.requests import Ack, TransactionEventRequest, TransactionEventType
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import OcppVersion, schemas_for

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def token(value: str, status: str = "Accepted", **extra: Any) -> dict[str, Any]:
    return {"id_token": value, "status": status, "type": None, "expires_at": None, "group_id": None, **extra}


# -- the list -----------------------------------------------------------------------------------


def test_desired_list_carries_every_token_with_its_status_now() -> None:
    rows = [
        token("A", group_id="G"),
        token("B", "Blocked"),
        token("C", expires_at=NOW - timedelta(seconds=1)),
        token("D", expires_at=NOW + timedelta(hours=1)),
    ]
    desired = locallist.desired_list(rows, NOW)
    assert desired["A"] == locallist.ListEntry("A", "Accepted", None, None, "G")
    assert desired["B"].status == "Blocked"
    assert desired["C"].status == "Expired"  # an Accepted token past its expiry
    assert desired["D"].status == "Accepted" and desired["D"].expires_at == NOW + timedelta(hours=1)


def test_changes_add_change_and_remove_once() -> None:
    current = {
        "A": locallist.ListEntry("A", "Accepted"),
        "B": locallist.ListEntry("B", "Accepted"),
        "GONE": locallist.ListEntry("GONE", None),  # removed earlier: a tombstone
        "C": locallist.ListEntry("C", "Accepted"),
    }
    desired = {
        "A": locallist.ListEntry("A", "Accepted"),
        "B": locallist.ListEntry("B", "Blocked"),
        "NEW": locallist.ListEntry("NEW", "Accepted"),
    }
    changed = locallist.changes(current, desired)
    assert changed == [
        locallist.ListEntry("B", "Blocked"),
        locallist.ListEntry("C", None),
        locallist.ListEntry("NEW", "Accepted"),
    ]
    assert locallist.changes(desired, desired) == []
    # A tombstoned token that comes back is a change again.
    assert locallist.changes({"X": locallist.ListEntry("X", None)}, {"X": locallist.ListEntry("X", "Accepted")})


def test_version_moves_by_the_number_of_changes() -> None:
    assert locallist.next_version(0, 5) == 5
    assert locallist.next_version(5, 1) == 6


def entries(n: int) -> list[auth.AuthorizationEntry]:
    return [auth.AuthorizationEntry(IdToken(f"T{i}"), IdTokenInfo(AuthorizationStatus.ACCEPTED)) for i in range(n)]


def test_split_by_items_and_plan_full_then_differential_with_rising_versions() -> None:
    chunks = locallist.split(entries(5), locallist.Limits(items_per_message=2))
    assert [len(c) for c in chunks] == [2, 2, 1]
    messages = locallist.plan(chunks, full=True, target_version=7, station_version=None)
    assert [(m.version, m.update_type) for m in messages] == [
        (5, auth.UpdateType.FULL),
        (6, auth.UpdateType.DIFFERENTIAL),
        (7, auth.UpdateType.DIFFERENTIAL),
    ]
    diff = locallist.plan(chunks, full=False, target_version=9, station_version=6)
    assert [m.version for m in diff] == [7, 8, 9] and {m.update_type for m in diff} == {auth.UpdateType.DIFFERENTIAL}


def test_plan_refuses_versions_it_cannot_give() -> None:
    chunks = locallist.split(entries(3), locallist.Limits(items_per_message=1))
    with pytest.raises(locallist.CannotSplit):
        locallist.plan(chunks, full=False, target_version=8, station_version=6)  # needs 6, 7, 8: 6 is held
    with pytest.raises(locallist.CannotSplit):
        locallist.plan(chunks, full=True, target_version=2, station_version=None)  # would need version 0
    assert [m.version for m in locallist.plan([[]], full=True, target_version=4, station_version=None)] == [4]


def test_split_by_bytes() -> None:
    chunks = locallist.split(entries(6), locallist.Limits(bytes_per_message=200), lambda e: 40, base_size=60)
    # 60 + 16 margin, then 41 per entry: three fit under 200.
    assert [len(c) for c in chunks] == [3, 3]
    with pytest.raises(locallist.CannotSplit):
        locallist.split(entries(1), locallist.Limits(bytes_per_message=100), lambda e: 90, base_size=20)


def test_split_empty_is_one_empty_message() -> None:
    assert locallist.split([], locallist.Limits(items_per_message=2)) == [[]]


# -- the reservation rule -----------------------------------------------------------------------


def reservation(rid: int, evse: int | None, tok: str = "R", group: str | None = None, state: str = "accepted") -> dict:
    return {
        "id": rid,
        "evse_id": evse,
        "id_token": tok,
        "group_id_token": group,
        "state": state,
        "created_at": NOW - timedelta(minutes=5),
        "expires_at": NOW + timedelta(minutes=30),
    }


def start(tok: str | None, evse: int | None = 1, reservation_id: int | None = None, at: datetime = NOW) -> Any:
    return TransactionEventRequest(
        event_type=TransactionEventType.STARTED,
        transaction_id=None,
        timestamp=at,
        evse_id=evse,
        connector_id=evse,
        id_token=IdToken(tok) if tok else None,
        reservation_id=reservation_id,
    )


def test_reserved_evse_refuses_other_tokens_and_lets_token_or_group_in() -> None:
    held = [reservation(1, 1, "R", "FLEET")]
    assert rules.decide(start("OTHER"), held, None) == rules.Decision(refuse=1)
    assert rules.decide(start("r"), held, None) == rules.Decision(consume=1)  # case-insensitive
    assert rules.decide(start("MATE"), held, "FLEET") == rules.Decision(consume=1)  # its group
    assert rules.decide(start("FLEET"), held, None) == rules.Decision(consume=1)  # the group token itself
    assert rules.decide(start("OTHER", evse=2), held, None) == rules.NO_DECISION  # another EVSE
    assert rules.decide(start(None), held, None) == rules.NO_DECISION  # no token yet (2.0.1 cable first)


def test_reservation_outside_its_time_or_for_any_evse_is_not_judged() -> None:
    assert rules.decide(start("OTHER", at=NOW + timedelta(hours=1)), [reservation(1, 1)], None) == rules.NO_DECISION
    assert rules.decide(start("OTHER", at=NOW - timedelta(hours=1)), [reservation(1, 1)], None) == rules.NO_DECISION
    assert rules.decide(start("OTHER"), [reservation(1, None)], None) == rules.NO_DECISION


def test_named_reservation_is_consumed_or_refused_whatever_the_evse() -> None:
    named = reservation(4, 3, "R")
    assert rules.decide(start("R", evse=1, reservation_id=4), [], None, named) == rules.Decision(consume=4)
    assert rules.decide(start("X", evse=1, reservation_id=4), [], None, named) == rules.Decision(refuse=4)
    used = reservation(4, 3, "R", state="used")
    assert rules.decide(start("R", reservation_id=4), [], None, used) == rules.NO_DECISION
    ended = TransactionEventRequest(TransactionEventType.ENDED, "7", NOW, id_token=IdToken("X"), evse_id=1)
    assert rules.decide(ended, [reservation(1, 1)], None) == rules.NO_DECISION


def test_answer_states() -> None:
    assert rules.state_for_answer("Accepted") == "accepted"
    assert rules.state_for_answer("Occupied") == "occupied"
    assert rules.state_for_answer("Nonsense") == "error"


# -- encodings ----------------------------------------------------------------------------------

# One case per command type, for the adapters' "every command type has a case" tests.
_RESERVE = auth.ReserveNow(3, IdToken("TAG"), NOW, evse_id=1)
COMMANDS_16: list[tuple[Any, str, dict[str, Any]]] = [
    (
        _RESERVE,
        "ReserveNow",
        {"connectorId": 1, "expiryDate": "2026-03-01T12:00:00.000Z", "idTag": "TAG", "reservationId": 3},
    ),
    (auth.CancelReservation(3), "CancelReservation", {"reservationId": 3}),
    (auth.SendLocalList(2, auth.UpdateType.FULL), "SendLocalList", {"listVersion": 2, "updateType": "Full"}),
    (auth.GetLocalListVersion(), "GetLocalListVersion", {}),
]
COMMANDS_201: list[tuple[Any, str, dict[str, Any]]] = [
    (
        _RESERVE,
        "ReserveNow",
        {
            "id": 3,
            "expiryDateTime": "2026-03-01T12:00:00.000Z",
            "idToken": {"idToken": "TAG", "type": "Central"},
            "evseId": 1,
        },
    ),
    (auth.CancelReservation(3), "CancelReservation", {"reservationId": 3}),
    (auth.SendLocalList(2, auth.UpdateType.FULL), "SendLocalList", {"versionNumber": 2, "updateType": "Full"}),
    (auth.GetLocalListVersion(), "GetLocalListVersion", {}),
]

V16, V201 = Ocpp16Adapter(), Ocpp201Adapter()


def encoded(adapter: Any, command: Any) -> tuple[str, dict[str, Any]]:
    action, payload = adapter.encode_command(command)
    schemas_for(adapter.version).validate_request(action, payload)
    return action, payload


def test_reserve_now_in_both_versions() -> None:
    command = auth.ReserveNow(9, IdToken("TAG", "ISO14443"), NOW, evse_id=2, group_id_token="FLEET")
    assert encoded(V16, command) == (
        "ReserveNow",
        {
            "connectorId": 2,
            "expiryDate": "2026-03-01T12:00:00.000Z",
            "idTag": "TAG",
            "reservationId": 9,
            "parentIdTag": "FLEET",
        },
    )
    assert encoded(V201, command) == (
        "ReserveNow",
        {
            "id": 9,
            "expiryDateTime": "2026-03-01T12:00:00.000Z",
            "idToken": {"idToken": "TAG", "type": "ISO14443"},
            "evseId": 2,
            "groupIdToken": {"idToken": "FLEET", "type": "Central"},
        },
    )
    anywhere = auth.ReserveNow(1, IdToken("TAG"), NOW)
    assert encoded(V16, anywhere)[1]["connectorId"] == 0
    assert "evseId" not in encoded(V201, anywhere)[1]
    typed = auth.ReserveNow(1, IdToken("TAG"), NOW, connector_type="cCCS2")
    assert encoded(V201, typed)[1]["connectorType"] == "cCCS2"
    with pytest.raises(CommandNotSupported):
        V16.encode_command(typed)
    with pytest.raises(CommandNotSupported):
        V16.encode_command(auth.ReserveNow(1, IdToken("T" * 21), NOW))


def test_send_local_list_in_both_versions() -> None:
    items = (
        auth.AuthorizationEntry(IdToken("A"), IdTokenInfo(AuthorizationStatus.ACCEPTED, expires_at=NOW, group_id="G")),
        auth.AuthorizationEntry(IdToken("B", "KeyCode"), IdTokenInfo(AuthorizationStatus.UNKNOWN)),
        auth.AuthorizationEntry(IdToken("C"), None),
    )
    command = auth.SendLocalList(5, auth.UpdateType.DIFFERENTIAL, items)
    assert encoded(V16, command)[1] == {
        "listVersion": 5,
        "updateType": "Differential",
        "localAuthorizationList": [
            {
                "idTag": "A",
                "idTagInfo": {"status": "Accepted", "expiryDate": "2026-03-01T12:00:00.000Z", "parentIdTag": "G"},
            },
            {"idTag": "B", "idTagInfo": {"status": "Invalid"}},  # 1.6 has no Unknown
            {"idTag": "C"},
        ],
    }
    assert encoded(V201, command)[1] == {
        "versionNumber": 5,
        "updateType": "Differential",
        "localAuthorizationList": [
            {
                "idToken": {"idToken": "A", "type": "ISO14443"},
                "idTokenInfo": {
                    "status": "Accepted",
                    "cacheExpiryDateTime": "2026-03-01T12:00:00.000Z",
                    "groupIdToken": {"idToken": "G", "type": "Central"},
                },
            },
            {"idToken": {"idToken": "B", "type": "KeyCode"}, "idTokenInfo": {"status": "Unknown"}},
            {"idToken": {"idToken": "C", "type": "ISO14443"}},
        ],
    }
    empty = auth.SendLocalList(3, auth.UpdateType.FULL)
    assert encoded(V201, empty)[1] == {"versionNumber": 3, "updateType": "Full"}  # minItems 1: no empty list
    assert encoded(V16, empty)[1] == {"listVersion": 3, "updateType": "Full"}
    with pytest.raises(CommandNotSupported):
        V201.encode_command(auth.SendLocalList(0, auth.UpdateType.FULL))  # D01.FR.18
    with pytest.raises(CommandNotSupported):
        V16.encode_command(auth.SendLocalList(1, auth.UpdateType.FULL, (items[2],)))  # a removal in a full list


def test_cancel_and_version_commands_and_outcomes() -> None:
    assert encoded(V16, auth.CancelReservation(4)) == ("CancelReservation", {"reservationId": 4})
    assert encoded(V201, auth.GetLocalListVersion()) == ("GetLocalListVersion", {})
    outcome16 = V16.decode_outcome("GetLocalListVersion", {"listVersion": 12})
    outcome201 = V201.decode_outcome("GetLocalListVersion", {"versionNumber": -1})
    assert auth.list_version_of(outcome16) == 12 and outcome16.status == "Accepted"
    assert auth.list_version_of(outcome201) == auth.LIST_VERSION_UNSUPPORTED
    with pytest.raises(ValueError):
        auth.list_version_of(CommandOutcome("Accepted", {}))
    assert V201.decode_outcome("SendLocalList", {"status": "VersionMismatch"}).status == "VersionMismatch"


def test_reservation_status_update_is_decoded_and_answered_empty() -> None:
    decoded = V201.decode("ReservationStatusUpdate", {"reservationId": 3, "reservationUpdateStatus": "Removed"})
    assert decoded.request == auth.ReservationStatusUpdateRequest(3, auth.ReservationUpdate.REMOVED)
    assert V201.encode_response("ReservationStatusUpdate", Ack()) == {}
    assert not V16.accepts("ReservationStatusUpdate")  # no such 1.6 message


def test_capabilities_read_from_both_versions() -> None:
    caps = capabilities_16(
        {
            "configurationKey": [
                {"key": "LocalAuthListEnabled", "readonly": False, "value": "True"},
                {"key": "LocalAuthListMaxLength", "readonly": True, "value": "500"},
                {"key": "SendLocalListMaxLength", "readonly": True, "value": "50"},
            ]
        }
    )
    assert (caps.station_enabled, caps.max_entries, caps.items_per_message) == (True, 500, 50)
    assert capabilities_16({"configurationKey": [], "unknownKey": ["LocalAuthListEnabled"]}).station_enabled is None
    result = {
        "getVariableResult": [
            {
                "attributeStatus": "Accepted",
                "attributeValue": "false",
                "component": {"name": "LocalAuthListCtrlr"},
                "variable": {"name": "Enabled"},
            },
            {
                "attributeStatus": "Accepted",
                "attributeValue": "20",
                "component": {"name": "LocalAuthListCtrlr"},
                "variable": {"name": "ItemsPerMessage"},
            },
            {
                "attributeStatus": "UnknownVariable",
                "component": {"name": "LocalAuthListCtrlr"},
                "variable": {"name": "BytesPerMessage"},
            },
        ]
    }
    caps = capabilities_201(result)
    assert (caps.station_enabled, caps.items_per_message, caps.bytes_per_message) == (False, 20, None)


def test_schema_versions_agree_on_the_new_actions() -> None:
    for version in (OcppVersion.V16, OcppVersion.V201):
        schemas = schemas_for(version)
        for action in ("ReserveNow", "CancelReservation", "SendLocalList", "GetLocalListVersion"):
            assert schemas.knows(action)
