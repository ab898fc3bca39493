"""Leases: background work that must run once per network (no I/O in this module).

A lease is a named right to do some work (``firmware.campaigns``, ``cluster.sweep``, a
balancer's ``energy.site.<id>``...). One node at a time holds it; when that node dies or
stops, another takes it over within the lease TTL. Capabilities use it through the
:class:`Leases` protocol, so the same code runs on one node (:class:`LocalLeases`: every lease
is always held) and in a cluster (:class:`chargebridge.cluster.kv_leases.KvLeases`, a NATS
JetStream key-value bucket with revision-checked updates and a TTL).

Usage::

    await leases.run_while_held("firmware.campaigns", work)   # runs until cancelled

``work`` is started when this node gets the lease and cancelled as soon as it may have lost
it; it is started again when the lease comes back. Inside ``work``, ``leases.held(name)``
answers whether the lease is still held (e.g. before a write that must not happen twice).

Safety: a holder counts its lease as held only until ``sent + ttl - safety`` where ``sent`` is
when it sent its last successful renewal, so it stops working before the bucket can expire
the key and let another node in (``LeaseState``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

Work = Callable[[], Coroutine[Any, Any, None]]


class Leases(Protocol):
    distributed: bool  # False on one node: every lease is held

    def held(self, name: str) -> bool: ...

    async def run_while_held(self, name: str, work: Work) -> None:
        """Forever: wait for the lease, run ``work`` while it is held (cancelled when it is lost)."""
        ...


class LocalLeases:
    """One node: it holds every lease; ``work`` runs once, until cancelled."""

    distributed = False

    def held(self, name: str) -> bool:
        return True

    async def run_while_held(self, name: str, work: Work) -> None:
        await work()
        await asyncio.Event().wait()  # work returned: stay "held" until cancelled, as in a cluster

    def stats(self) -> dict[str, object]:
        return {}


@dataclass(slots=True)
class LeaseState:
    """One lease as its (would-be) holder sees it. Times are this process's monotonic clock."""

    ttl_s: float
    safety_s: float
    revision: int = 0  # of our entry in the bucket; 0 = not ours
    valid_until: float = 0.0
    acquired: int = 0  # how many times it was taken (for stats and tests)
    lost_count: int = 0

    def held(self, now: float) -> bool:
        return self.revision > 0 and now < self.valid_until

    def renewed(self, revision: int, sent_at: float) -> None:
        """A create/update sent at ``sent_at`` was acknowledged with ``revision``."""
        if self.revision == 0:
            self.acquired += 1
        self.revision = revision
        self.valid_until = sent_at + self.ttl_s - self.safety_s

    def lost(self) -> None:
        if self.revision:
            self.lost_count += 1
        self.revision = 0
        self.valid_until = 0.0

    def renew_every(self) -> float:
        """Renewals come often enough that two can fail in a row before the lease lapses."""
        return max(0.2, (self.ttl_s - self.safety_s) / 4)


def safety_for(ttl_s: float) -> float:
    """How long before the key can expire a holder stops counting its lease: a fifth of the
    TTL, at least half a second (covers the bucket's expiry timer and clock rate drift)."""
    return max(0.5, ttl_s / 5)


@dataclass(frozen=True, slots=True)
class LeaseRecord:
    node: str
    boot: str

    def encode(self, at: float) -> bytes:
        return f'{{"node":"{self.node}","boot":"{self.boot}","at":{at:.3f}}}'.encode()

    @classmethod
    def decode(cls, data: bytes) -> LeaseRecord:
        import json

        try:
            body = json.loads(data)
            return cls(str(body["node"]), str(body["boot"]))
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"not a lease record: {exc}") from exc


def may_take_over(current: LeaseRecord | None, *, node: str, boot: str) -> bool:
    """Whether we may write the lease over ``current`` (None: the key is absent or deleted).
    Only our own record (same boot) is taken over; another node's waits for its TTL."""
    return current is None or (current.node == node and current.boot == boot)
