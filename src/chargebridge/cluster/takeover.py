"""Who holds a station's socket, and the takeover rules across nodes (no I/O here).

A station's presence entry (key-value bucket ``{prefix}-presence``, key = its station token)
names the node that holds its socket and what the replacement policy needs to decide about a
new connection: the live connection's source address and whether it authenticated, when it
opened, the station's established address and the replacements counted within the window.
So :class:`chargebridge.security.replacement.ReplacementPolicy` applies its rules to the
network's state, whichever node the load balancer sent the new connection to: the decision is
made by a policy restored from the entry (:func:`decide`).

Times here are wall-clock seconds (epoch): entries travel between machines.

An entry is *vacant* (``node`` empty) once the station disconnected: it keeps the station's
history (established address, counted replacements) until the bucket's TTL removes it.

Entry validity: an entry names a live holder only while its node is alive (its heartbeat,
:class:`Liveness`) with the same boot id (a restarted node holds none of its old sockets) and
the entry is younger than the presence TTL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Any

from chargebridge.security.replacement import ReplacementPolicy, Session, Verdict


@dataclass(frozen=True, slots=True)
class Holder:
    node: str  # "" = vacant
    boot: str  # the holding node's boot id (a node restarted under the same id has a new one)
    version: str  # OCPP version of the socket ("1.6" | "2.0.1")
    source: str
    authenticated: bool
    since: float  # when the connection opened
    at: float  # when this entry was written (claim or refresh)
    established: str | None = None
    counted: tuple[tuple[str, float], ...] = ()

    @property
    def vacant(self) -> bool:
        return not self.node

    def encode(self) -> bytes:
        body: dict[str, Any] = {
            "node": self.node,
            "boot": self.boot,
            "version": self.version,
            "source": self.source,
            "auth": self.authenticated,
            "since": round(self.since, 3),
            "at": round(self.at, 3),
        }
        if self.established is not None:
            body["est"] = self.established
        if self.counted:
            body["counted"] = [[source, round(at, 3)] for source, at in self.counted]
        return json.dumps(body, separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Holder:
        """ValueError for anything that is not an entry of ours."""
        try:
            body = json.loads(data)
            if not isinstance(body, dict):
                raise TypeError("not an object")
            counted = tuple((str(source), float(at)) for source, at in body.get("counted", []))
            return cls(
                node=str(body["node"]),
                boot=str(body["boot"]),
                version=str(body["version"]),
                source=str(body["source"]),
                authenticated=bool(body["auth"]),
                since=float(body["since"]),
                at=float(body["at"]),
                established=str(body["est"]) if body.get("est") is not None else None,
                counted=counted,
            )
        except (ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"not a presence entry: {exc}") from exc

    def vacated(self, at: float) -> Holder:
        """The entry once the station left: no holder, the history stays."""
        return replace(self, node="", boot="", at=at)

    def refreshed(self, at: float) -> Holder:
        return replace(self, at=at)


class Liveness:
    """Which nodes are alive, from the heartbeats seen in the nodes bucket.

    ``heard(node, boot, age_s, now)`` records a heartbeat that was ``age_s`` old when it arrived;
    a node is alive until ``ttl_s`` after its last heartbeat was written. ``now`` is a monotonic
    clock of this process (heartbeats carry the writer's wall clock only to compute their age).
    """

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s
        self._last: dict[str, tuple[str, float]] = {}

    def heard(self, node: str, boot: str, age_s: float, now: float) -> None:
        written = now - max(0.0, age_s)
        previous = self._last.get(node)
        if previous is None or previous[0] != boot or written > previous[1]:
            self._last[node] = (boot, written)

    def gone(self, node: str) -> None:
        """The node said goodbye (stopped cleanly)."""
        self._last.pop(node, None)

    def alive(self, node: str, boot: str | None, now: float) -> bool:
        last = self._last.get(node)
        if last is None or now - last[1] >= self.ttl_s:
            return False
        return boot is None or last[0] == boot

    def alive_nodes(self, now: float) -> dict[str, str]:
        """node id -> boot id of every live node."""
        return {node: boot for node, (boot, at) in self._last.items() if now - at < self.ttl_s}

    def boot_of(self, node: str) -> str | None:
        last = self._last.get(node)
        return last[0] if last is not None else None


def holds(entry: Holder | None, *, alive: bool, now: float, presence_ttl_s: float) -> bool:
    """Whether ``entry`` names a live holder (``alive``: its node and boot are alive)."""
    return entry is not None and not entry.vacant and alive and now - entry.at < presence_ttl_s


@dataclass(frozen=True, slots=True)
class Decision:
    verdict: Verdict
    live: Session | None  # the connection the new one would replace (wall-clock ``since``)
    established: str | None  # what the new entry carries
    counted: tuple[tuple[str, float], ...]


def decide(
    station_id: str,
    entry: Holder | None,
    live: bool,
    source: str,
    *,
    authenticated: bool,
    limit: int,
    window_s: float,
    now: float,
) -> Decision:
    """The replacement rules (``ReplacementPolicy``) applied to the network's state in ``entry``.

    ``live``: whether ``entry`` names a live holder (else there is nothing to replace, but its
    history still counts). A COUNTED verdict is added to the history the new entry carries."""
    policy = ReplacementPolicy(limit, window_s, monotonic=lambda: now)
    history = tuple((s, at) for s, at in (entry.counted if entry else ()) if at > now - window_s)
    if entry is not None:
        policy.restore(station_id, entry.established, history)
    session = Session(entry.source, entry.authenticated, entry.since) if entry is not None and live else None
    verdict = policy.decide(station_id, session, source, authenticated=authenticated)
    if verdict is Verdict.COUNTED:
        history = (*history, (source, now))
    return Decision(verdict, session, policy.established(station_id), history)


def ended_established(entry: Holder, window_s: float, now: float) -> str | None:
    """The established address once ``entry``'s connection ended (``ReplacementPolicy.ended``):
    its source when it held the station for at least the window."""
    if now - entry.since >= window_s and not entry.vacant:
        return entry.source
    return entry.established


class Conflict(StrEnum):
    """What a node does when its entry for a station it holds was changed by someone else."""

    RECLAIM = "reclaim"  # write our entry again (the entry is gone, vacant, ours, or older than our socket)
    YIELD = "yield"  # a newer connection holds the station elsewhere: close ours, it is not ours any more


def on_conflict(current: Holder | None, *, node: str, boot: str, since: float, current_live: bool) -> Conflict:
    """``current``: the entry as it is now; ``since``: when our socket opened.

    The newest connection wins, as on one node: a claim written on another node for a
    connection that opened after ours means the station is there now."""
    if current is None or current.vacant or not current_live:
        return Conflict.RECLAIM
    if current.node == node and current.boot == boot:
        return Conflict.RECLAIM
    return Conflict.YIELD if current.since >= since else Conflict.RECLAIM
