"""Which connection keeps a station when a second one arrives with its id (no I/O here).

A new, fully admitted connection normally replaces the live one at once (a charger whose
network dropped comes back before its old socket times out). Replacements are limited so that
two parties holding the same id cannot flap forever, but the limit must never protect an
impostor's socket against the real station (issue: after six unauthenticated takeovers of a
profile-0 station the real one got 429). The rules, in order:

1. An authenticated connection (security profile >= 1 when admitted) always replaces an
   unauthenticated one (admitted at profile 0, e.g. before the station's profile was raised).
2. An unauthenticated connection never replaces an authenticated one.
3. A connection from the live connection's own address is a reconnect, never limited (the
   station itself after a network drop; behind one NAT address two parties cannot be told
   apart anyway).
4. A connection from the station's *established* address is never limited: the address of the
   last connection that held the station for at least ``window_s`` (the station before the
   takeovers started).
5. Anything else counts against ``limit`` replacements per ``(station, source address)`` within
   ``window_s``: the flapping address is refused, never the one coming back.

So an attacker who took a profile-0 station over repeatedly is refused from its own address
once over the limit, while the real station, returning from its address, is let in each time.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum

from chargebridge.security.ratelimit import EventLimiter


@dataclass(frozen=True, slots=True)
class Session:
    """What the policy knows of a live connection."""

    source: str
    authenticated: bool
    since: float  # monotonic seconds when it opened


class Verdict(StrEnum):
    NEW = "new"  # no live connection: not a replacement
    UPGRADE = "upgrade"  # rule 1
    RECONNECT = "reconnect"  # rule 3
    RETURNING = "returning"  # rule 4
    COUNTED = "counted"  # rule 5, within the limit
    UNAUTHENTICATED = "unauthenticated"  # rule 2: refused
    LIMITED = "limited"  # rule 5, over the limit: refused

    @property
    def refused(self) -> bool:
        return self in (Verdict.UNAUTHENTICATED, Verdict.LIMITED)


class ReplacementPolicy:
    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        max_keys: int = 100_000,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.limit = limit
        self.window_s = window_s
        self._monotonic = monotonic
        self._by_source: EventLimiter[tuple[str, str]] = EventLimiter(
            limit, window_s, max_keys=max_keys, monotonic=monotonic
        )
        self._established: OrderedDict[str, str] = OrderedDict()
        self._max_keys = max_keys

    def now(self) -> float:
        return self._monotonic()

    def decide(self, station_id: str, live: Session | None, source: str, *, authenticated: bool) -> Verdict:
        """Whether a connection from ``source`` may replace ``live``; a COUNTED verdict is recorded."""
        if live is None:
            return Verdict.NEW
        self._note_stable(station_id, live)
        if authenticated and not live.authenticated:
            return Verdict.UPGRADE
        if live.authenticated and not authenticated:
            return Verdict.UNAUTHENTICATED
        if source == live.source:
            return Verdict.RECONNECT
        if self._established.get(station_id) == source:
            return Verdict.RETURNING
        if self._by_source.allow((station_id, source)):
            return Verdict.COUNTED
        return Verdict.LIMITED

    def restore(self, station_id: str, established: str | None, counted: Iterable[tuple[str, float]]) -> None:
        """Take over what another node knew of the station: its established address and the
        replacements it counted, as ``(source, time)`` on this policy's clock. In cluster mode
        the presence entry carries both, so the rules above hold across nodes (see
        :mod:`chargebridge.cluster.takeover`)."""
        if established is not None:
            self._established[station_id] = established
            self._established.move_to_end(station_id)
        by_source: dict[str, list[float]] = {}
        for source, at in counted:
            by_source.setdefault(source, []).append(at)
        for source, times in by_source.items():
            self._by_source.restore((station_id, source), times)

    def ended(self, station_id: str, session: Session) -> None:
        """A connection of the station closed (or was replaced)."""
        self._note_stable(station_id, session)

    def established(self, station_id: str) -> str | None:
        return self._established.get(station_id)

    def _note_stable(self, station_id: str, session: Session) -> None:
        if self._monotonic() - session.since < self.window_s:
            return
        self._established[station_id] = session.source
        self._established.move_to_end(station_id)
        while len(self._established) > self._max_keys:
            self._established.popitem(last=False)
