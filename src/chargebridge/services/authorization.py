"""Token authorization, also while the database is unreachable.

Online, a token's status is read from the database (:func:`token_info`). When that read fails
because the database is away, the answer comes from an ordered list of offline policies, the
first one that knows the token winning:

1. :class:`CachedStatusPolicy` - the token's status as last read or written (the store's
   bounded :class:`~chargebridge.store.token_cache.TokenCache`), expiry applied now;
2. the local authorization list (``authorization/``: every token of the id-token store as the
   list last saw it, a node-wide copy kept in memory), registered by its extension;
3. :class:`UnknownTokenPolicy` - the configured answer for a token nobody knows
   (``authorize_offline_unknown``, default ``Invalid``).

Every offline answer is counted and remembered (bounded). When the database is back,
:meth:`Authorization.reconcile` stores each one as an ``authorize_offline`` station event, reads
the token again and records an ``authorize_discrepancy`` event (and a warning) where the
database's answer differs from the one given.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chargebridge.bus.memory import EventBus
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.domain.timeutil import format_datetime
from chargebridge.services.clock import Clock
from chargebridge.store.database import is_unavailable
from chargebridge.store.repository import Store
from chargebridge.store.token_cache import TokenCache
from chargebridge.tasks import BackgroundTasks

log = logging.getLogger(__name__)

RETRY_S = 2.0  # reconciliation retry while reads fail but no outage was declared


def token_info(row: dict[str, Any] | None, now: datetime) -> IdTokenInfo:
    """The authorization a stored token grants now; unknown tokens are not accepted."""
    if row is None:
        return IdTokenInfo(AuthorizationStatus.INVALID)
    status = AuthorizationStatus(row["status"])
    expires_at = row["expires_at"]
    if status is AuthorizationStatus.ACCEPTED and expires_at is not None and expires_at <= now:
        status = AuthorizationStatus.EXPIRED
    return IdTokenInfo(status, expires_at=expires_at, group_id=row["group_id"])


@dataclass(frozen=True, slots=True)
class OfflineAnswer:
    """An authorization given without the database: what, to whom, from which policy."""

    station_id: str
    id_token: str
    info: IdTokenInfo
    source: str  # the policy's name: "cache", "local_list" or "policy"
    answered_at: datetime
    seen_at: datetime | None = None  # when the cached status was read or written


class OfflinePolicy(Protocol):
    """Decides a token's status while the database is unreachable; None: not this policy's to say."""

    name: str

    def decide(self, token: IdToken, now: datetime) -> tuple[IdTokenInfo, datetime | None] | None: ...


class CachedStatusPolicy:
    name = "cache"

    def __init__(self, cache: TokenCache):
        self.cache = cache

    def decide(self, token: IdToken, now: datetime) -> tuple[IdTokenInfo, datetime | None] | None:
        entry = self.cache.get(token.value)
        if entry is None:
            return None
        return token_info(entry.row, now), entry.seen_at_wall


class UnknownTokenPolicy:
    """The answer for a token no other policy knows (operator setting; default Invalid)."""

    name = "policy"

    def __init__(self, status: AuthorizationStatus = AuthorizationStatus.INVALID):
        self.status = status

    def decide(self, token: IdToken, now: datetime) -> tuple[IdTokenInfo, datetime | None] | None:
        return IdTokenInfo(self.status), None


@dataclass(slots=True)
class _Pending:
    answer: OfflineAnswer
    stored: bool = False  # its authorize_offline event is written


@dataclass(slots=True)
class AuthorizationStats:
    offline_answers: dict[tuple[str, str], int]  # (source, status) -> count
    discrepancies: int = 0
    reconciled: int = 0
    dropped: int = 0  # offline answers not kept for reconciliation (the backlog was full)


class Authorization:
    def __init__(
        self,
        store: Store,
        bus: EventBus,
        clock: Clock,
        policies: Sequence[OfflinePolicy] | None = None,
        *,
        max_pending: int = 10_000,
    ):
        self.store = store
        self.bus = bus
        self.clock = clock
        self.policies: list[OfflinePolicy] = list(
            policies if policies is not None else [CachedStatusPolicy(store.token_cache), UnknownTokenPolicy()]
        )
        self.stats = AuthorizationStats({})
        self._pending: deque[_Pending] = deque()
        self._max_pending = max_pending
        self._tasks = BackgroundTasks(log, "authorization reconciliation failed")
        self._reconciling: asyncio.Task[None] | None = None
        store.health.on_recovered(self.schedule_reconcile)

    def add_policy(self, policy: OfflinePolicy) -> None:
        """Add an offline policy before the last one (the answer for unknown tokens stays last)."""
        self.policies.insert(max(0, len(self.policies) - 1), policy)

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def authorize(
        self, station_id: str, token: IdToken, now: datetime
    ) -> tuple[IdTokenInfo, OfflineAnswer | None]:
        """The token's authorization; with the database away, from the offline policies (the
        second value is then what :meth:`record` must be given once the answer is sent)."""
        try:
            row = await self.store.get_id_token(token.value)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            return self._offline(station_id, token, now)
        return token_info(row, now), None

    def _offline(self, station_id: str, token: IdToken, now: datetime) -> tuple[IdTokenInfo, OfflineAnswer]:
        for policy in self.policies:
            decided = policy.decide(token, now)
            if decided is not None:
                info, seen_at = decided
                return info, OfflineAnswer(station_id, token.value, info, policy.name, now, seen_at)
        raise AssertionError("the last offline policy must decide every token")  # UnknownTokenPolicy does

    def record(self, answer: OfflineAnswer) -> None:
        """An offline answer was given: count it, and keep it for the reconciliation (bounded)."""
        key = (answer.source, answer.info.status.value)
        self.stats.offline_answers[key] = self.stats.offline_answers.get(key, 0) + 1
        log.debug(
            "%s: authorized %s offline from %s: %s",
            answer.station_id,
            answer.id_token,
            answer.source,
            answer.info.status.value,
        )
        if len(self._pending) >= self._max_pending:
            self.stats.dropped += 1  # counted, not kept: the backlog is bounded
        else:
            self._pending.append(_Pending(answer))
        if self.store.health.up:  # the database came back while this was answered
            self.schedule_reconcile()

    def schedule_reconcile(self) -> None:
        if self._pending and (self._reconciling is None or self._reconciling.done()):
            self._reconciling = self._tasks.spawn(self.reconcile())

    async def reconcile(self) -> None:
        """Store each offline answer as a station event and compare it with the database's answer
        now; a different status is recorded as ``authorize_discrepancy``. Stops (keeping the rest)
        if the database goes away again."""
        while self._pending:
            pending = self._pending[0]
            answer = pending.answer
            try:
                if not pending.stored:
                    await self.store.add_station_event(
                        answer.station_id, "authorize_offline", answer.answered_at, _offline_json(answer)
                    )
                    pending.stored = True
                # what the database would have answered at that moment
                actual = token_info(await self.store.get_id_token(answer.id_token), answer.answered_at)
                if actual.status is not answer.info.status:
                    await self._discrepancy(answer, actual)
            except Exception as exc:
                if not is_unavailable(exc):
                    log.exception("could not reconcile the offline authorization of %s", answer.id_token)
                elif self.store.health.down:
                    return  # the end of the outage schedules the rest
                else:  # a failure the health monitor did not (yet) call an outage: try again soon
                    await asyncio.sleep(RETRY_S)
                    continue
            self._pending.popleft()
            self.stats.reconciled += 1

    async def _discrepancy(self, answer: OfflineAnswer, actual: IdTokenInfo) -> None:
        data = {
            **_offline_json(answer),
            "database_status": actual.status.value,
        }
        log.warning(
            "%s: token %s was answered %s offline (from %s) but the database says %s",
            answer.station_id,
            answer.id_token,
            answer.info.status.value,
            answer.source,
            actual.status.value,
        )
        now = self.clock.now()
        await self.store.add_station_event(answer.station_id, "authorize_discrepancy", now, data)
        self.stats.discrepancies += 1
        self.bus.publish(
            DomainEvent(EventKind.STATION_EVENT, answer.station_id, now, {"kind": "authorize_discrepancy", **data})
        )

    async def stop(self) -> None:
        await self._tasks.wait(timeout_s=2.0)


def _offline_json(answer: OfflineAnswer) -> dict[str, Any]:
    return {
        "id_token": answer.id_token,
        "status": answer.info.status.value,
        "source": answer.source,
        "answered_at": format_datetime(answer.answered_at),
        "cached_at": format_datetime(answer.seen_at) if answer.seen_at is not None else None,
    }
