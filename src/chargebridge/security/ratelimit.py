"""Sliding-window limits keyed by anything hashable (in memory, per node).

:class:`FailureLimiter` counts failures per key; after ``limit`` failures within ``window_s``
the key is locked out for ``lockout_s``. The gateway keeps two of them (see
:mod:`chargebridge.gateway.server`):

- bad credentials per ``(source address, station id)``: a wrong password for one station
  never locks out another station behind the same address (chargers behind a carrier NAT
  share addresses);
- probes per source address: handshakes that name no known station (unknown ids, failed TLS
  handshakes). At the limit only that address's *unknown-id* handshakes are refused; a known
  station with the right credentials is never refused because of it.

:class:`EventLimiter` allows at most ``limit`` events per key within ``window_s`` (used for
connection replacements, :mod:`chargebridge.security.replacement`). All of them forget old keys
and hold at most ``max_keys`` so that a flood of distinct keys cannot grow memory without bound.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


class EventLimiter(Generic[K]):
    def __init__(
        self, limit: int, window_s: float, *, max_keys: int = 10_000, monotonic: Callable[[], float] = time.monotonic
    ):
        self.limit = limit
        self.window_s = window_s
        self.max_keys = max_keys
        self._monotonic = monotonic
        self._events: OrderedDict[K, deque[float]] = OrderedDict()

    def _recent(self, key: K, now: float) -> deque[float]:
        events = self._events.get(key)
        if events is None:
            events = self._events[key] = deque()
            while len(self._events) > self.max_keys:
                self._events.popitem(last=False)
        else:
            self._events.move_to_end(key)
        while events and events[0] <= now - self.window_s:
            events.popleft()
        return events

    def count(self, key: K) -> int:
        return len(self._recent(key, self._monotonic()))

    def restore(self, key: K, times: Iterable[float]) -> None:
        """Make ``times`` (on this limiter's clock) the events of ``key``: state another node
        counted (cluster mode keeps a station's replacements in its presence entry)."""
        events = self._recent(key, self._monotonic())
        events.clear()
        events.extend(sorted(times))

    def allow(self, key: K) -> bool:
        """Record one event for ``key``; False (and nothing recorded) when over the limit."""
        now = self._monotonic()
        events = self._recent(key, now)
        if len(events) >= self.limit:
            return False
        events.append(now)
        return True


class FailureLimiter(Generic[K]):
    def __init__(
        self,
        limit: int,
        window_s: float,
        lockout_s: float,
        *,
        max_keys: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.limit = limit
        self.window_s = window_s
        self.lockout_s = lockout_s
        self._monotonic = monotonic
        self._failures: EventLimiter[K] = EventLimiter(limit, window_s, max_keys=max_keys, monotonic=monotonic)
        self._locked_until: OrderedDict[K, float] = OrderedDict()
        self._max_keys = max_keys

    def retry_after(self, key: K) -> float | None:
        """Seconds until ``key`` may try again, or None when it is not locked out."""
        until = self._locked_until.get(key)
        if until is None:
            return None
        left = until - self._monotonic()
        if left <= 0:
            del self._locked_until[key]
            return None
        return left

    def failure(self, key: K) -> bool:
        """Count one failure; True when this failure locks ``key`` out (the ``limit``-th in the window)."""
        self._failures.allow(key)
        if self._failures.count(key) < self._failures.limit:
            return False
        self._locked_until[key] = self._monotonic() + self.lockout_s
        self._locked_until.move_to_end(key)
        while len(self._locked_until) > self._max_keys:
            self._locked_until.popitem(last=False)
        return True
