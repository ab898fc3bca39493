"""The simulator's reservations and local list as pure logic (the station's side of blocks H and D)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chargebridge.rpc import OcppVersion
from chargebridge.sim import authorization as auth
from chargebridge.sim.commands import SendStatus, answer
from chargebridge.sim.ev import ChargerKind, ChargerSpec
from chargebridge.sim.state import ConfigStore, Connector, StationState

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LATER = "2026-03-01T13:00:00Z"


def state(**config: str) -> StationState:
    spec = ChargerSpec(ChargerKind.AC, 11_000)
    values = {
        "LocalAuthListEnabled": "true",
        "LocalAuthListMaxLength": "3",
        "SendLocalListMaxLength": "2",
        "ReserveConnectorZeroSupported": "true",
        "LocalAuthorizeOffline": "true",
        "LocalPreAuthorize": "false",
        "AllowOfflineTxForUnknownId": "false",
        **config,
    }
    return StationState({1: Connector(1, spec), 2: Connector(2, spec)}, ConfigStore(values))


def reserve16(s: StationState, rid: int, connector: int, tag: str = "R", parent: str | None = None) -> Any:
    payload: dict[str, Any] = {"connectorId": connector, "expiryDate": LATER, "idTag": tag, "reservationId": rid}
    if parent:
        payload["parentIdTag"] = parent
    return answer(OcppVersion.V16, "ReserveNow", payload, s)


def test_reserve_answers_and_status() -> None:
    s = state()
    first = reserve16(s, 1, 1)
    assert first.payload == {"status": "Accepted"} and first.intents == (SendStatus(1),)
    assert reserve16(s, 2, 1).payload == {"status": "Occupied"}  # reserved for someone else already
    s.connectors[2].operative = False
    assert reserve16(s, 3, 2).payload == {"status": "Unavailable"}
    s.connectors[2].operative, s.connectors[2].faulted_until = True, 10.0
    assert reserve16(s, 3, 2).payload == {"status": "Faulted"}
    assert reserve16(s, 4, 9).payload == {"status": "Rejected"}  # no such connector
    # The same reservation id replaces the reservation (moves it).
    s.connectors[2].faulted_until = None
    moved = reserve16(s, 1, 2)
    assert moved.payload == {"status": "Accepted"} and set(moved.intents) == {SendStatus(1), SendStatus(2)}
    assert auth.reserved_for(s, 1) is None and auth.reserved_for(s, 2) is not None


def test_connector_zero_needs_the_setting_and_a_free_connector() -> None:
    s = state(ReserveConnectorZeroSupported="false")
    assert reserve16(s, 1, 0).payload == {"status": "Rejected"}
    s = state()
    assert reserve16(s, 1, 0).payload == {"status": "Accepted"}
    assert reserve16(s, 2, 0).payload == {"status": "Accepted"}
    assert reserve16(s, 3, 0).payload == {"status": "Occupied"}  # two connectors, two held for anyone
    # Another token may not take one of the two connectors both reservations need.
    assert auth.claim(s, 1, "STRANGER") == auth.Claim(False)
    assert auth.claim(s, 1, "R") == auth.Claim(True, 1)


def test_reserved_connector_starts_only_for_its_token_or_group() -> None:
    s = state()
    reserve16(s, 7, 1, "R", parent="FLEET")
    assert auth.claim(s, 1, "OTHER") == auth.Claim(False)
    assert auth.claim(s, 1, "R") == auth.Claim(True, 7)
    assert auth.claim(s, 2, "OTHER") == auth.Claim(True)  # the free connector
    # A token whose group (from the local list) is the reservation's parent idTag.
    s.authorization.local_list["MATE"] = auth.ListEntry("Accepted", group="FLEET")
    assert auth.claim(s, 1, "MATE") == auth.Claim(True, 7)
    auth.consume(s, 7)
    assert auth.claim(s, 1, "OTHER") == auth.Claim(True)


def test_cancel_and_expiry() -> None:
    s = state()
    reserve16(s, 1, 1)
    assert answer(OcppVersion.V16, "CancelReservation", {"reservationId": 1}, s).intents == (SendStatus(1),)
    assert answer(OcppVersion.V16, "CancelReservation", {"reservationId": 1}, s).payload == {"status": "Rejected"}
    reserve16(s, 2, 2)
    assert auth.next_expiry(s) == datetime(2026, 3, 1, 13, 0, tzinfo=UTC)
    assert auth.expire(s, NOW) == []
    gone = auth.expire(s, NOW + timedelta(hours=2))
    assert [r.reservation_id for r in gone] == [2] and auth.next_expiry(s) is None


def test_reserve_now_201_without_evse_and_with_group() -> None:
    s = state()
    payload = {
        "id": 5,
        "expiryDateTime": LATER,
        "idToken": {"idToken": "R", "type": "ISO14443"},
        "groupIdToken": {"idToken": "G", "type": "Central"},
    }
    assert answer(OcppVersion.V201, "ReserveNow", payload, s).payload == {"status": "Accepted"}
    held = s.authorization.reservations[5]
    assert held.connector_id is None and held.group == "G"


def item16(tag: str, status: str | None = "Accepted") -> dict[str, Any]:
    return {"idTag": tag, "idTagInfo": {"status": status}} if status else {"idTag": tag}


def send16(s: StationState, version: int, kind: str, *items: dict[str, Any]) -> str:
    payload: dict[str, Any] = {"listVersion": version, "updateType": kind}
    if items:
        payload["localAuthorizationList"] = list(items)
    return str(answer(OcppVersion.V16, "SendLocalList", payload, s).payload["status"])


def test_local_list_versions_differentials_and_limits() -> None:
    s = state()
    assert send16(s, 4, "Full", item16("A"), item16("B", "Blocked")) == "Accepted"
    assert answer(OcppVersion.V16, "GetLocalListVersion", {}, s).payload == {"listVersion": 4}
    assert send16(s, 4, "Differential", item16("C")) == "VersionMismatch"  # not above the held version
    assert send16(s, 5, "Differential", item16("C"), item16("A", None)) == "Accepted"
    assert set(s.authorization.local_list) == {"B", "C"}
    assert send16(s, 6, "Full", item16("A"), item16("B"), item16("C")) == "Failed"  # over SendLocalListMaxLength
    assert send16(s, 6, "Differential", item16("D"), item16("E")) == "Failed"  # 4 entries > LocalAuthListMaxLength
    assert s.authorization.list_version == 5 and set(s.authorization.local_list) == {"B", "C"}
    off = state(LocalAuthListEnabled="false")
    assert send16(off, 1, "Full") == "NotSupported"
    assert answer(OcppVersion.V16, "GetLocalListVersion", {}, off).payload == {"listVersion": -1}
    payload = {"versionNumber": 1, "updateType": "Full"}
    assert answer(OcppVersion.V201, "SendLocalList", payload, off).payload == {"status": "Failed"}


def test_local_list_201_entries() -> None:
    s = state()
    payload = {
        "versionNumber": 2,
        "updateType": "Full",
        "localAuthorizationList": [
            {
                "idToken": {"idToken": "A", "type": "ISO14443"},
                "idTokenInfo": {"status": "Accepted", "groupIdToken": {"idToken": "G", "type": "Central"}},
            }
        ],
    }
    assert answer(OcppVersion.V201, "SendLocalList", payload, s).payload == {"status": "Accepted"}
    assert s.authorization.local_list["A"] == auth.ListEntry("Accepted", None, "G")
    assert answer(OcppVersion.V201, "GetLocalListVersion", {}, s).payload == {"versionNumber": 2}


def test_offline_and_pre_authorization_by_the_local_list() -> None:
    s = state()
    send16(s, 1, "Full", item16("OK"), item16("NO", "Blocked"))
    s.authorization.local_list["OLD"] = auth.ListEntry("Accepted", expires_at=NOW - timedelta(seconds=1))
    assert auth.offline_decision(s, "OK", NOW) is True
    assert auth.offline_decision(s, "NO", NOW) is False
    assert auth.offline_decision(s, "OLD", NOW) is False  # past its expiry
    assert auth.offline_decision(s, "UNKNOWN", NOW) is False  # AllowOfflineTxForUnknownId false
    assert auth.offline_decision(state(AllowOfflineTxForUnknownId="true"), "UNKNOWN", NOW) is True
    assert auth.offline_decision(state(LocalAuthorizeOffline="false"), "OK", NOW) is False
    assert auth.pre_authorized(s, "OK", NOW) is False  # LocalPreAuthorize off
    s.config.set("LocalPreAuthorize", "true")
    assert auth.pre_authorized(s, "OK", NOW) is True and auth.pre_authorized(s, "NO", NOW) is False
