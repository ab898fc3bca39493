"""The MQTT command envelope and replay guard (pure logic, no broker)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from chargebridge.api.auth import Principal, Role
from chargebridge.integrations.mqtt import CommandRule
from chargebridge.integrations.mqtt_auth import CommandRefused, ReplayGuard, parse_envelope, read_payload, token_of

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def refusal(call: object) -> CommandRefused:
    with pytest.raises(CommandRefused) as caught:
        call()  # type: ignore[operator]
    return caught.value


@pytest.mark.parametrize("payload", [b"", b"not json", b"[1, 2]", b'"text"', b"\xff\xfe", None])
def test_a_payload_that_is_no_json_object_is_unauthenticated(payload: bytes | None) -> None:
    refused = refusal(lambda: read_payload(payload))
    assert (refused.code, refused.denied) == (401, True)


@pytest.mark.parametrize("data", [{}, {"token": ""}, {"token": 42}, {"type": "hard"}])
def test_a_message_without_a_token_is_unauthenticated(data: dict[str, object]) -> None:
    refused = refusal(lambda: token_of(data))
    assert (refused.code, refused.denied) == (401, True) and "no API token" in refused.reason


def test_envelope_fields_are_checked() -> None:
    good = {"token": "cb_x", "nonce": "n" * 8, "sent_at": "2026-11-23T10:00:00Z", "body": {"type": "hard"}}
    envelope = parse_envelope(good)
    assert envelope.sent_at == NOW and envelope.body == {"type": "hard"}
    assert parse_envelope({k: v for k, v in good.items() if k != "body"}).body == {}
    for broken in (
        {k: v for k, v in good.items() if k != "nonce"},
        {k: v for k, v in good.items() if k != "sent_at"},
        good | {"nonce": "short"},
        good | {"nonce": "nonce\nwith newline"},
        good | {"sent_at": "2026-11-23T10:00:00"},  # no time zone: refused, not guessed
        good | {"body": [1]},
        good | {"type": "hard"},  # a body field outside "body"
    ):
        refused = refusal(lambda broken=broken: parse_envelope(broken))
        assert (refused.code, refused.denied) == (422, False)
        assert "cb_x" not in json.dumps(refused.details)  # the token is not echoed back


def test_replay_guard_refuses_stale_future_and_repeated_messages() -> None:
    guard = ReplayGuard(60)
    guard.check("t1", "nonce-1", NOW - timedelta(seconds=59), NOW)
    guard.check("t1", "nonce-2", NOW + timedelta(seconds=59), NOW)  # a sender clock a little ahead
    assert refusal(lambda: guard.check("t1", "nonce-1", NOW, NOW + timedelta(seconds=1))).code == 409
    guard.check("t2", "nonce-1", NOW, NOW)  # nonces are per token
    stale = refusal(lambda: guard.check("t1", "nonce-3", NOW - timedelta(seconds=61), NOW))
    future = refusal(lambda: guard.check("t1", "nonce-4", NOW + timedelta(seconds=61), NOW))
    assert (stale.code, stale.denied, future.code) == (401, True, 401) and "replay window" in stale.reason


def test_replay_guard_forgets_a_nonce_only_once_every_copy_is_stale() -> None:
    guard = ReplayGuard(60)
    sent_at = NOW + timedelta(seconds=60)  # the latest accepted time: fresh until NOW + 120 s
    guard.check("t1", "nonce-1", sent_at, NOW)
    assert refusal(lambda: guard.check("t1", "nonce-1", sent_at, NOW + timedelta(seconds=119))).code == 409
    later = NOW + timedelta(seconds=121)
    assert refusal(lambda: guard.check("t1", "nonce-1", sent_at, later)).code == 401  # stale by now
    guard.check("t1", "nonce-2", later, later)
    assert len(guard) == 1  # the expired nonce was dropped


def test_replay_guard_is_bounded_and_fails_closed() -> None:
    guard = ReplayGuard(60, max_entries=2)
    guard.check("t1", "nonce-1", NOW, NOW)
    guard.check("t1", "nonce-2", NOW, NOW)
    full = refusal(lambda: guard.check("t1", "nonce-3", NOW, NOW))
    assert full.code == 429 and len(guard) == 2
    guard.check("t1", "nonce-3", NOW + timedelta(seconds=121), NOW + timedelta(seconds=121))


def test_rules_match_the_authenticated_token_name_or_id() -> None:
    rule = CommandRule(clients=["fleet-*"], stations=["CP-*"], commands=["reset"])
    named = Principal("a1b2", "fleet-manager", Role.OPERATOR)
    assert rule.allows(named, "CP-1", "reset")
    assert not rule.allows(named, "XY-1", "reset") and not rule.allows(named, "CP-1", "unlock")
    assert not rule.allows(Principal("a1b2", "other", Role.OPERATOR), "CP-1", "reset")
    assert CommandRule(clients=["a1b2"], stations=["*"]).allows(Principal("a1b2", None, Role.OPERATOR), "CP-1", "x")
