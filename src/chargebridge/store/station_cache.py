"""A per-node cache of what a WebSocket handshake needs from a station's row (issue 18, lever 7).

Every connect read the station's row from the database (a pooled reader, a thread hop on SQLite,
a round trip on PostgreSQL). This cache keeps only the registration fields the handshake and the
connect bookkeeping use (security profile, password hashes, registration and boot status, clock
skew) for ``ttl_s`` seconds. Every write this node's store makes to those fields (the REST API,
the CLI inside the node, boots, password rotation and activation, clock skew) invalidates the
station's entry after its commit. A generation counter keeps a read that raced with such a write
from filling the cache with what it read before the write. In a cluster every such change is also
announced to the other nodes (``on_change``; :mod:`chargebridge.cluster.node` sends it over NATS),
which drop the station's entry (``drop``): a password changed, a station blocked or deleted
through one node is seen by the next handshake on every node (within milliseconds), not ``ttl_s``
later. Writes made by a CLI command in another process, or announcements lost while NATS is
away, reach this node after at most ``ttl_s``.

It also remembers successful password verifications (argon2 costs milliseconds of CPU per
connect): an HMAC of the given password under a per-process random key, with the stored hash it
matched, for ``verified_ttl_s``. A station that reconnects with the same password while the
stored hash is unchanged skips argon2; a changed hash or password, or an expired entry, verifies
again. The password itself is never kept.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

FIELDS = (
    "id",
    "security_profile",
    "password_hash",
    "pending_password_hash",
    "registration_status",
    "boot_status",
    "clock_skew_s",
    "clock_skew_at",
)


class _Entry:
    __slots__ = ("at", "values")

    def __init__(self, values: tuple[Any, ...], at: float):
        self.values = values
        self.at = at


class StationCache:
    def __init__(
        self,
        ttl_s: float = 10.0,
        *,
        verified_ttl_s: float = 300.0,
        max_entries: int = 100_000,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.ttl_s = ttl_s
        self.verified_ttl_s = verified_ttl_s
        self.max_entries = max_entries
        self._clock = clock
        self._rows: OrderedDict[str, _Entry] = OrderedDict()
        self._verified: dict[str, tuple[str, bytes, float]] = {}
        self._key = os.urandom(32)
        self.generation = 0
        self.hits = 0
        self.misses = 0
        # Told of every change this node made (a station id; None: every station), after it was applied.
        self.on_change: Callable[[str | None], None] | None = None
        self.dropped_by_peers = 0

    # -- rows ------------------------------------------------------------------------------

    def get(self, station_id: str) -> dict[str, Any] | None:
        """The cached registration fields of the station (a new dict), or None (not cached, expired)."""
        entry = self._rows.get(station_id)
        if entry is None or self.ttl_s <= 0:
            self.misses += 1
            return None
        if self._clock() - entry.at > self.ttl_s:
            del self._rows[station_id]
            self.misses += 1
            return None
        self.hits += 1
        return dict(zip(FIELDS, entry.values, strict=True))

    def fill(self, station_id: str, row: Mapping[str, Any], generation: int) -> None:
        """Remember ``row`` unless a write invalidated anything since ``generation`` was read."""
        if self.ttl_s <= 0 or generation != self.generation:
            return
        self._rows[station_id] = _Entry(tuple(row.get(name) for name in FIELDS), self._clock())
        self._rows.move_to_end(station_id)
        while len(self._rows) > self.max_entries:
            self._rows.popitem(last=False)

    def invalidate(self, station_id: str | None = None) -> None:
        """Forget the station (None: every station); reads in flight do not fill the cache."""
        self._forget(station_id)
        if self.on_change is not None:
            self.on_change(station_id)

    def drop(self, station_id: str | None) -> None:
        """Another node changed the station (None: every station): forget it and its verified
        password (not announced again)."""
        self._forget(station_id)
        if station_id is not None:
            self._verified.pop(station_id, None)
        self.dropped_by_peers += 1

    def _forget(self, station_id: str | None) -> None:
        self.generation += 1
        if station_id is None:
            self._rows.clear()
            self._verified.clear()
        else:
            self._rows.pop(station_id, None)

    def update(self, station_id: str, **fields: Any) -> None:
        """A committed write changed these fields: the cached entry (if any) takes them, keeping its
        age; reads in flight do not fill the cache (they may have read the old values)."""
        self.generation += 1
        if self.on_change is not None:
            self.on_change(station_id)
        entry = self._rows.get(station_id)
        if entry is None:
            return
        values = list(entry.values)
        for name, value in fields.items():
            values[FIELDS.index(name)] = value
        entry.values = tuple(values)

    def __len__(self) -> int:
        return len(self._rows)

    # -- verified passwords ----------------------------------------------------------------

    def _mac(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode("utf-8", "surrogatepass"), hashlib.sha256).digest()

    def verified(self, station_id: str, password: str, stored_hash: str) -> bool:
        """True if ``password`` was verified against ``stored_hash`` within ``verified_ttl_s``."""
        entry = self._verified.get(station_id)
        if entry is None or self.verified_ttl_s <= 0:
            return False
        hash_, mac, at = entry
        if self._clock() - at > self.verified_ttl_s:
            del self._verified[station_id]
            return False
        return hash_ == stored_hash and hmac.compare_digest(mac, self._mac(password))

    def remember_verified(self, station_id: str, password: str, stored_hash: str) -> None:
        if self.verified_ttl_s <= 0:
            return
        if len(self._verified) >= self.max_entries:
            self._verified.pop(next(iter(self._verified)))
        self._verified[station_id] = (stored_hash, self._mac(password), self._clock())

    def forget_verified(self, station_id: str) -> None:
        self._verified.pop(station_id, None)
