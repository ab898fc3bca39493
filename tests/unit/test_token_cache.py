"""The token cache and offline policies behind Authorize during a database outage, and the
database health state machine (no sockets)."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta

import pytest

from chargebridge.domain.model import AuthorizationStatus, IdToken
from chargebridge.services.authorization import CachedStatusPolicy, UnknownTokenPolicy, token_info
from chargebridge.store.health import DatabaseHealth
from chargebridge.store.token_cache import TokenCache

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
Row = dict[str, object]


def _row(
    status: str = "Accepted", expires_at: datetime | None = None, group_id: str | None = None
) -> dict[str, object]:
    return {"id_token": "x", "status": status, "expires_at": expires_at, "group_id": group_id, "type": "RFID"}


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_cache_is_bounded_least_recently_used_first() -> None:
    cache = TokenCache(max_entries=2)
    cache.fill("A", _row(), cache.generation)
    cache.fill("B", _row(), cache.generation)
    assert cache.get("A") is not None  # A is now the most recently used
    cache.fill("C", _row(), cache.generation)
    assert len(cache) == 2
    assert cache.get("B") is None and cache.get("A") is not None and cache.get("C") is not None


def test_old_entries_are_not_used() -> None:
    clock = _Clock()
    cache = TokenCache(max_entries=10, max_age_s=60, clock=clock)
    cache.fill("A", _row(), cache.generation)
    clock.now += 59
    assert cache.get("A") is not None
    clock.now += 2
    assert cache.get("A") is None and len(cache) == 0


def test_a_read_that_began_before_a_write_does_not_overwrite_it() -> None:
    cache = TokenCache()
    generation = cache.generation  # a lookup starts
    cache.written("A", _row("Blocked"))  # the API blocks the token meanwhile
    cache.fill("A", _row("Accepted"), generation)  # the lookup's (older) answer arrives
    entry = cache.get("A")
    assert entry is not None and entry.row is not None and entry.row["status"] == "Blocked"


def test_only_what_the_answer_needs_is_kept_and_unknown_tokens_are_remembered() -> None:
    cache = TokenCache()
    cache.fill("A", _row(group_id="G"), cache.generation)
    cache.fill("NOPE", None, cache.generation)
    entry = cache.get("A")
    assert entry is not None and entry.row == {"status": "Accepted", "expires_at": None, "group_id": "G"}
    unknown = cache.get("NOPE")
    assert unknown is not None and unknown.row is None
    cache.written("A", None)  # deleted through the API
    deleted = cache.get("A")
    assert deleted is not None and deleted.row is None


def test_a_zero_size_cache_keeps_nothing() -> None:
    cache = TokenCache(max_entries=0)
    cache.fill("A", _row(), cache.generation)
    assert len(cache) == 0 and cache.get("A") is None


def test_cached_status_applies_expiry_when_answering() -> None:
    cache = TokenCache()
    cache.fill("A", _row(expires_at=NOW + timedelta(hours=1)), cache.generation)
    policy = CachedStatusPolicy(cache)
    decided = policy.decide(IdToken("A"), NOW)
    assert decided is not None and decided[0].status is AuthorizationStatus.ACCEPTED
    assert decided[1] is not None  # when the status was seen
    later = policy.decide(IdToken("A"), NOW + timedelta(hours=2))
    assert later is not None and later[0].status is AuthorizationStatus.EXPIRED
    assert policy.decide(IdToken("B"), NOW) is None  # not this policy's to say


def test_unknown_token_policy_answers_everything() -> None:
    assert UnknownTokenPolicy().decide(IdToken("Z"), NOW) == (token_info(None, NOW), None)
    accepted = UnknownTokenPolicy(AuthorizationStatus.ACCEPTED).decide(IdToken("Z"), NOW)
    assert accepted is not None and accepted[0].status is AuthorizationStatus.ACCEPTED


async def test_an_outage_is_logged_once_at_each_end(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="chargebridge.store.health")
    answers = {"ok": True}
    recovered: list[bool] = []

    async def probe() -> None:
        if not answers["ok"]:
            raise ConnectionRefusedError("refused")

    health = DatabaseHealth(probe, probe_timeout_s=1, interval_up_s=0.05, interval_down_s=0.05)
    health.on_recovered(lambda: recovered.append(True))
    health.start()
    try:
        answers["ok"] = False
        health.failed(ConnectionRefusedError("refused"))
        for _ in range(100):
            if health.down:
                break
            await asyncio.sleep(0.02)
        assert health.down and health.outages == 1
        await asyncio.sleep(0.3)  # several failed probes: still one outage, one log line
        assert health.outages == 1 and health.outage_s > 0.2
        answers["ok"] = True
        for _ in range(100):
            if health.up:
                break
            await asyncio.sleep(0.02)
        assert health.up and recovered == [True]
        assert health.outage_seconds_total > 0.2 and health.outage_s == 0
    finally:
        await health.stop()
    messages = [r.getMessage() for r in caplog.records]
    assert sum("database unreachable since" in m for m in messages) == 1
    assert sum("reachable again after an outage of" in m for m in messages) == 1


async def test_a_slow_statement_alone_is_not_an_outage() -> None:
    async def probe() -> None:
        return None

    health = DatabaseHealth(probe, probe_timeout_s=1)
    health.failed(TimeoutError())  # one statement ran out of time; the probe answers
    await health.check()
    assert health.up and health.outages == 0
    await health.stop()
