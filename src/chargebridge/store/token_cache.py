"""A bounded in-memory cache of recently seen id-token rows, for answering Authorize while the
database is unreachable.

Every successful lookup fills it (Authorize, transactions), including "not found" (a token the
database does not know is remembered as unknown); the id-token API's writes update it. Entries
are dropped least recently used beyond ``max_entries`` and ignored when older than
``max_age_s``. It holds only what the authorization answer needs (status, expiry, group).
Per node: a change made through another node reaches this cache only through its next lookup.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

_FIELDS = ("status", "expires_at", "group_id")


@dataclass(frozen=True, slots=True)
class CachedToken:
    row: dict[str, Any] | None  # None: the database did not know the token
    seen_at: float  # monotonic
    seen_at_wall: datetime

    def age_s(self, now: float) -> float:
        return now - self.seen_at


class TokenCache:
    def __init__(
        self,
        max_entries: int = 10_000,
        max_age_s: float = 86_400.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], datetime] = lambda: datetime.now(UTC),
    ):
        self.max_entries = max_entries
        self.max_age_s = max_age_s
        self._clock = clock
        self._wall = wall
        self._entries: OrderedDict[str, CachedToken] = OrderedDict()
        self._generation = 0  # bumped by every write: a read that began before it must not fill

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def generation(self) -> int:
        return self._generation

    def fill(self, value: str, row: Mapping[str, Any] | None, generation: int) -> None:
        """Remember what a read returned, unless a write happened since the read began."""
        if generation == self._generation:
            self._put(value, row)

    def written(self, value: str, row: Mapping[str, Any] | None) -> None:
        """The id-token API changed (or, with None, deleted) a token."""
        self._generation += 1
        self._put(value, row)

    def get(self, value: str) -> CachedToken | None:
        """The entry if it is fresh enough; a stale one is dropped."""
        entry = self._entries.get(value)
        if entry is None:
            return None
        if entry.age_s(self._clock()) > self.max_age_s:
            del self._entries[value]
            return None
        self._entries.move_to_end(value)
        return entry

    def _put(self, value: str, row: Mapping[str, Any] | None) -> None:
        if self.max_entries <= 0:
            return
        kept = {name: row[name] for name in _FIELDS} if row is not None else None
        self._entries[value] = CachedToken(kept, self._clock(), self._wall())
        self._entries.move_to_end(value)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
