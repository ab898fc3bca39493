"""Presence: which node holds each station's socket, in NATS JetStream key-value buckets.

Two buckets (see docs/adr/0004-cluster.md for the numbers behind the TTLs):

- ``{prefix}-nodes``: one key per node, its heartbeat, rewritten every quarter of
  ``cluster_node_ttl_s`` (bucket max age = that TTL). Every node watches it: a node whose
  heartbeat is older than the TTL is dead and every station entry naming it is void at once,
  so a dead node's stations are released within the node TTL.
- ``{prefix}-presence``: one key per station (its token), the :class:`Holder` entry, written
  by the node that takes the socket (a revision-checked create/update: two nodes never both
  win), rewritten by it every third of ``cluster_presence_ttl_s`` and vacated (the station's
  history kept) when the socket closes. Every node watches the bucket, so ``connected``
  and command routing are dictionary look-ups, and a node learns at once that another one
  took its station over.

A node that loses its entry to another (a newer connection of the station elsewhere) closes
its socket without marking the station disconnected (``on_yield``); a node whose own writes
could not be made (NATS away) writes them again when it can, and the newest connection wins
(:func:`chargebridge.cluster.takeover.on_conflict`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, replace
from typing import Any

from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from chargebridge.cluster.names import Names, station_from_token, station_token
from chargebridge.cluster.takeover import Conflict, Decision, Holder, Liveness, decide, ended_established, holds
from chargebridge.cluster.takeover import on_conflict as resolve_conflict
from chargebridge.security.replacement import Session
from chargebridge.tasks import BackgroundTasks, cancel_and_wait

log = logging.getLogger(__name__)

OP_TIMEOUT_S = 2.0  # one key-value operation; a slower NATS counts as away


class NodeIdInUse(RuntimeError):
    pass


async def ensure_bucket(js: JetStreamContext, bucket: str, ttl_s: float) -> KeyValue:
    """The bucket, created if missing (an existing one is used as it is)."""
    try:
        return await js.create_key_value(KeyValueConfig(bucket=bucket, ttl=ttl_s, history=1, storage=StorageType.FILE))
    except Exception as exc:  # exists with another TTL (another node's settings): use it, say so
        kv = await js.key_value(bucket)
        log.warning("NATS bucket %s exists with another configuration (%s); using it as it is", bucket, exc)
        return kv


@dataclass(slots=True)
class _Held:
    entry: Holder
    revision: int  # 0: not written yet (NATS was away)
    written_at: float  # monotonic time of the last successful write
    # Whose claim this is (the gateway's handshake or socket, compared by identity): a release
    # by anyone else (an older socket of the station on this node) leaves it alone.
    owner: object = None


@dataclass(slots=True)
class PresenceStats:
    claims: int = 0
    takeovers: int = 0  # claims that replaced a live holder on another node
    yields: int = 0  # our sockets closed because another node took the station
    refreshes: int = 0
    conflicts: int = 0
    write_failures: int = 0
    heartbeat_lapses: int = 0
    # The longest time between two heartbeats written (the loop's stalls show here; it must stay
    # well under the node TTL or a busy node is taken for dead), since start.
    max_heartbeat_gap_s: float = 0.0


class Presence:
    def __init__(
        self,
        js: JetStreamContext,
        names: Names,
        node: str,
        boot: str,
        *,
        node_ttl_s: float,
        presence_ttl_s: float,
        replacement_limit: int,
        replacement_window_s: float,
    ):
        self.js = js
        self.names = names
        self.node = node
        self.boot = boot
        self.node_ttl_s = node_ttl_s
        self.presence_ttl_s = presence_ttl_s
        self.replacement_limit = replacement_limit
        self.replacement_window_s = replacement_window_s
        self.liveness = Liveness(node_ttl_s)
        self.cache: dict[str, tuple[Holder, int]] = {}
        self.held: dict[str, _Held] = {}
        self.nodes_info: dict[str, dict[str, Any]] = {}
        self.stats = PresenceStats()
        # Set by the node: close our socket of a station another node holds now (not a disconnect).
        self.on_yield: Callable[[str], Awaitable[None]] | None = None
        # Set by the node: ask node ``n`` to close its socket of a station we took over.
        self.close_remote: Callable[[str, str], Awaitable[Any]] | None = None
        # Set by the node: our heartbeat had lapsed (others counted us dead) and is back.
        self.on_lapse_over: Callable[[], Coroutine[Any, Any, None]] | None = None
        # What the heartbeat tells the other nodes (ports, counts), set by the node.
        self.heartbeat_info: Callable[[], dict[str, Any]] = dict
        self.kv: KeyValue | None = None
        self.nodes_kv: KeyValue | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._watchers: list[Any] = []
        self._watch_tasks: list[asyncio.Task[None]] = []
        self._background = BackgroundTasks(log, "presence task failed")
        self._last_beat_ok = time.monotonic()
        self._refresh_now = asyncio.Event()
        self._counts: dict[str, int] = {}
        self._counted_at = -1.0
        self.started_at = time.monotonic()

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        self.nodes_kv = await ensure_bucket(self.js, self.names.nodes_bucket, self.node_ttl_s)
        self.kv = await ensure_bucket(self.js, self.names.presence_bucket, self.presence_ttl_s)
        await self._check_node_id_free()
        await self._beat()
        await self.restart_watchers()
        self._tasks = [
            asyncio.create_task(self._heartbeat_loop(), name="cluster-heartbeat"),
            asyncio.create_task(self._refresh_loop(), name="cluster-presence-refresh"),
        ]
        self.started_at = time.monotonic()

    async def stop(self) -> None:
        for task in self._tasks:
            await cancel_and_wait(task)
        await self._stop_watchers()
        await self._background.wait()
        if self.nodes_kv is not None:  # goodbye: the others stop counting on us at once
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.nodes_kv.delete(self.node), OP_TIMEOUT_S)

    async def _check_node_id_free(self) -> None:
        assert self.nodes_kv is not None
        try:
            entry = await asyncio.wait_for(self.nodes_kv.get(self.node), OP_TIMEOUT_S)
        except KeyNotFoundError:
            return
        try:
            info = json.loads(entry.value or b"{}")
        except ValueError:
            return
        age = time.time() - float(info.get("at", 0))
        if info.get("boot") != self.boot and age < self.node_ttl_s:
            raise NodeIdInUse(
                f"node id {self.node!r} is in use by a running node (heartbeat {age:.1f} s ago): "
                "give each node its own --node-id"
            )

    # -- heartbeat -------------------------------------------------------------------------

    async def _beat(self) -> None:
        assert self.nodes_kv is not None
        info = {"boot": self.boot, "at": round(time.time(), 3), **self.heartbeat_info()}
        await asyncio.wait_for(self.nodes_kv.put(self.node, json.dumps(info).encode()), OP_TIMEOUT_S)

    async def _heartbeat_loop(self) -> None:
        every = self.node_ttl_s / 4
        while True:
            await asyncio.sleep(every)
            sent = time.monotonic()
            try:
                await self._beat()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("cluster heartbeat not written: %s", exc)
                continue
            gap = sent - self._last_beat_ok
            self.stats.max_heartbeat_gap_s = max(self.stats.max_heartbeat_gap_s, round(gap, 3))
            lapsed = gap >= self.node_ttl_s
            self._last_beat_ok = sent
            if lapsed:
                # The other nodes counted us dead meanwhile (and may have released our stations):
                # write every entry again and let the node put its stations back.
                self.stats.heartbeat_lapses += 1
                log.warning("cluster heartbeat was away for %.1f s or more; re-asserting our stations", self.node_ttl_s)
                for held in self.held.values():
                    held.written_at = 0.0
                self._refresh_now.set()
                if self.on_lapse_over is not None:
                    self._background.spawn(self.on_lapse_over())

    # -- watchers --------------------------------------------------------------------------

    async def restart_watchers(self) -> None:
        """(Re)build both caches from the buckets: at start and after NATS came back."""
        await self._stop_watchers()
        assert self.kv is not None and self.nodes_kv is not None
        nodes = await self.nodes_kv.watchall()
        presence = await self.kv.watchall()
        self._watchers = [nodes, presence]
        self._watch_tasks = [
            asyncio.create_task(self._follow(nodes, self._node_seen), name="cluster-watch-nodes"),
            asyncio.create_task(self._follow(presence, self._entry_seen), name="cluster-watch-presence"),
        ]

    async def _stop_watchers(self) -> None:
        for task in self._watch_tasks:
            await cancel_and_wait(task)
        for watcher in self._watchers:
            with contextlib.suppress(Exception):
                await watcher.stop()
        self._watch_tasks, self._watchers = [], []

    async def _follow(self, watcher: Any, seen: Callable[[Any], None]) -> None:
        async for entry in watcher:
            if entry is None:
                continue
            try:
                seen(entry)
            except Exception:
                log.exception("cluster: could not apply a key-value update (%s)", getattr(entry, "key", "?"))

    def _node_seen(self, entry: Any) -> None:
        node = str(entry.key)
        if entry.operation in ("DEL", "PURGE") or not entry.value:
            self.liveness.gone(node)
            self.nodes_info.pop(node, None)
            return
        info = json.loads(entry.value)
        self.nodes_info[node] = info
        self.liveness.heard(node, str(info.get("boot", "")), time.time() - float(info.get("at", 0)), time.monotonic())

    def _entry_seen(self, entry: Any) -> None:
        station_id = station_from_token(str(entry.key))
        revision = int(entry.revision or 0)
        previous = self.cache.get(station_id)
        if previous is not None and previous[1] > revision:
            return  # older than what we know
        if entry.operation in ("DEL", "PURGE") or not entry.value:
            self.cache.pop(station_id, None)
            return
        holder = Holder.decode(entry.value)
        self.cache[station_id] = (holder, revision)
        mine = self.held.get(station_id)
        if mine is None or revision <= mine.revision or self._ours(holder):
            return
        # Someone else wrote over our entry: a newer connection elsewhere, or a stale claim.
        self.stats.conflicts += 1
        self._background.spawn(self._resolve(station_id))

    # -- queries ---------------------------------------------------------------------------

    def _ours(self, holder: Holder) -> bool:
        return holder.node == self.node and holder.boot == self.boot

    def live(self, holder: Holder | None) -> bool:
        """Whether ``holder`` names a live holder now (its node alive with that boot, entry fresh)."""
        if holder is None or holder.vacant:
            return False
        alive = self._ours(holder) or self.liveness.alive(holder.node, holder.boot, time.monotonic())
        return holds(holder, alive=alive, now=time.time(), presence_ttl_s=self.presence_ttl_s)

    def holder(self, station_id: str) -> Holder | None:
        """The live holder of the station per this node's cache (ours included), or None."""
        cached = self.cache.get(station_id)
        if cached is None:
            return None
        return cached[0] if self.live(cached[0]) else None

    def connected_count(self) -> int:
        return sum(self.connected_by_node().values())

    def connected_by_node(self) -> dict[str, int]:
        """Live stations per node (recounted at most once a second: a pass over the whole map
        costs about a microsecond per station)."""
        now = time.monotonic()
        if now - self._counted_at >= 1.0:
            counts: dict[str, int] = {}
            for holder, _ in list(self.cache.values()):
                if self.live(holder):
                    counts[holder.node] = counts.get(holder.node, 0) + 1
            self._counts, self._counted_at = counts, now
        return dict(self._counts)

    async def lookup(self, station_id: str) -> tuple[Holder | None, int]:
        """The entry as the bucket has it now (not the cache), with its revision (0: none)."""
        assert self.kv is not None
        try:
            entry = await asyncio.wait_for(self.kv.get(station_token(station_id)), OP_TIMEOUT_S)
        except KeyNotFoundError:
            return None, 0
        if not entry.value:
            return None, int(entry.revision or 0)
        try:
            holder = Holder.decode(entry.value)
        except ValueError:
            return None, int(entry.revision or 0)
        self.cache[station_id] = (holder, int(entry.revision or 0))
        return holder, int(entry.revision or 0)

    # -- handshake: the replacement rules on the network's state ---------------------------

    async def decide(
        self, station_id: str, source: str, *, authenticated: bool, local: Session | None
    ) -> tuple[Decision, Holder | None]:
        """The replacement verdict for a new connection, from the station's entry (raises when
        NATS cannot be asked: the gateway then decides from what it knows itself)."""
        current, _ = await self.lookup(station_id)
        live = self.live(current)
        mine = self.held.get(station_id)
        if local is not None and mine is not None and not live:
            current, live = mine.entry, True  # our socket, entry not written (NATS was away)
        decision = decide(
            station_id,
            current,
            live,
            source,
            authenticated=authenticated,
            limit=self.replacement_limit,
            window_s=self.replacement_window_s,
            now=time.time(),
        )
        return decision, current if live else None

    # -- claims ----------------------------------------------------------------------------

    def entry(
        self, *, version: str, source: str, authenticated: bool, since: float, decision: Decision | None
    ) -> Holder:
        now = time.time()
        return Holder(
            node=self.node,
            boot=self.boot,
            version=version,
            source=source,
            authenticated=authenticated,
            since=since,
            at=now,
            established=decision.established if decision is not None else None,
            counted=decision.counted if decision is not None else (),
        )

    async def claim(self, station_id: str, ours: Holder, owner: object = None) -> Holder | None:
        """Write our entry (revision-checked); returns the live holder on another node that we
        replaced (the caller asks it to close its socket). When NATS is away the entry is kept
        and written by the refresher later; raises then. ``owner``: who may release it."""
        self.held[station_id] = held = _Held(ours, 0, 0.0, owner)
        self.cache[station_id] = (ours, self.cache.get(station_id, (ours, 0))[1])
        replaced = await self._write_over(station_id, held)
        self.stats.claims += 1
        if replaced is not None:
            self.stats.takeovers += 1
        return replaced

    async def _write_over(self, station_id: str, held: _Held) -> Holder | None:
        assert self.kv is not None
        key = station_token(station_id)
        for _ in range(8):
            current, revision = await self.lookup(station_id)
            entry = held.entry
            if current is not None and entry.established is None and current.established is not None:
                entry = held.entry = replace(entry, established=current.established)
            sent = time.monotonic()
            try:
                if revision == 0:
                    new_revision = await asyncio.wait_for(self.kv.create(key, entry.encode()), OP_TIMEOUT_S)
                else:
                    new_revision = await asyncio.wait_for(
                        self.kv.update(key, entry.encode(), last=revision), OP_TIMEOUT_S
                    )
            except KeyWrongLastSequenceError:
                continue  # written meanwhile: read again
            if self.held.get(station_id) is not held:
                # Our socket closed while we wrote: take back what we wrote (unless someone wrote since).
                with contextlib.suppress(Exception):
                    vacant = replace(entry.vacated(time.time()), established=entry.established)
                    await asyncio.wait_for(self.kv.update(key, vacant.encode(), last=new_revision), OP_TIMEOUT_S)
                return None
            held.revision, held.written_at = new_revision, sent
            self.cache[station_id] = (entry, new_revision)
            if current is not None and not self._ours(current) and self.live(current):
                return current
            return None
        raise RuntimeError(f"presence entry of {station_id!r} kept changing")

    async def release(self, station_id: str, owner: object = None) -> bool:
        """Our socket of the station closed (or the handshake that claimed it never opened one):
        vacate our entry if it is still ``owner``'s. False when the station is held by another
        node now (its socket moved: not a disconnect)."""
        held = self.held.get(station_id)
        if held is None or held.owner is not owner or self.kv is None:
            return True  # not ours to vacate (another claim of this node holds it now)
        del self.held[station_id]
        now = time.time()
        established = ended_established(held.entry, self.replacement_window_s, now)
        vacant = replace(held.entry.vacated(now), established=established)
        key = station_token(station_id)
        try:
            revision = held.revision
            if not revision:  # our write may have landed unconfirmed (cancelled, timed out): ours if unchanged
                current, revision = await self.lookup(station_id)
                if current is None or current.encode() != held.entry.encode():
                    revision = 0
            if revision:
                try:
                    revision = await asyncio.wait_for(self.kv.update(key, vacant.encode(), last=revision), OP_TIMEOUT_S)
                    self.cache[station_id] = (vacant, revision)
                    return True
                except KeyWrongLastSequenceError:
                    pass
            current, _ = await self.lookup(station_id)
            return not (current is not None and not self._ours(current) and self.live(current))
        except Exception as exc:  # NATS away: count it as a disconnect (the database row is per node)
            log.info("%s: presence entry not vacated (%s)", station_id, exc)
            self.stats.write_failures += 1
            return True

    def hold_unwritten(self, station_id: str, ours: Holder, owner: object = None) -> None:
        """Our socket, while NATS is away: the refresher writes the entry once it is back."""
        self.held[station_id] = _Held(ours, 0, 0.0, owner)
        self.stats.claims += 1

    def give_back(self, station_id: str, owner: object, back: Holder, back_owner: object) -> None:
        """``owner``'s claim was made for a handshake that never opened its socket, over our live
        socket ``back`` of the station (``back_owner``'s): the entry is ``back``'s again, with the
        history the claim carried (its counted replacement stays counted). Written by the
        refresher (revision-checked: a newer connection on another node meanwhile keeps it)."""
        held = self.held.get(station_id)
        if held is None or held.owner is not owner:
            return
        entry = replace(back, established=held.entry.established, counted=held.entry.counted)
        self.held[station_id] = _Held(entry, 0, 0.0, back_owner)
        self._refresh_now.set()

    def request_refresh(self) -> None:
        self._refresh_now.set()

    def forget(self, station_id: str, owner: object = None) -> None:
        """Another node took the station (or, ``owner`` given, ``owner``'s socket closed while
        NATS is away): stop refreshing its entry (it is not ours)."""
        held = self.held.get(station_id)
        if held is not None and (owner is None or held.owner is owner):
            del self.held[station_id]

    # -- refresh and conflicts -------------------------------------------------------------

    async def _refresh_loop(self) -> None:
        every = min(10.0, self.presence_ttl_s / 6)
        stale_after = self.presence_ttl_s / 3
        gate = asyncio.Semaphore(64)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._refresh_now.wait(), every)
            self._refresh_now.clear()
            now = time.monotonic()
            due = [
                sid
                for sid, held in list(self.held.items())
                if held.revision == 0 or now - held.written_at >= stale_after
            ]

            async def one(station_id: str) -> None:
                async with gate:
                    await self._refresh(station_id)

            if due:
                await asyncio.gather(*(one(sid) for sid in due))

    async def _refresh(self, station_id: str) -> None:
        held = self.held.get(station_id)
        if held is None or self.kv is None:
            return
        sent = time.monotonic()
        entry = held.entry.refreshed(time.time())
        try:
            if held.revision == 0:
                await self._resolve(station_id)
                return
            try:
                revision = await asyncio.wait_for(
                    self.kv.update(station_token(station_id), entry.encode(), last=held.revision), OP_TIMEOUT_S
                )
            except KeyWrongLastSequenceError:
                self.stats.conflicts += 1
                await self._resolve(station_id)
                return
            if self.held.get(station_id) is held:
                held.entry, held.revision, held.written_at = entry, revision, sent
                self.cache[station_id] = (entry, revision)
                self.stats.refreshes += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self.stats.write_failures += 1
            log.debug("%s: presence refresh failed: %s", station_id, exc)

    async def _resolve(self, station_id: str) -> None:
        """Our entry was changed by someone else (or never written): keep or give up the station."""
        held = self.held.get(station_id)
        if held is None:
            return
        current, _ = await self.lookup(station_id)
        verdict = resolve_conflict(
            current, node=self.node, boot=self.boot, since=held.entry.since, current_live=self.live(current)
        )
        if verdict is Conflict.YIELD:
            self.stats.yields += 1
            self.held.pop(station_id, None)
            assert current is not None
            log.warning("%s: held by node %s now (a newer connection there); closing ours", station_id, current.node)
            if self.on_yield is not None:
                await self.on_yield(station_id)
            return
        replaced = await self._write_over(station_id, held)
        if replaced is not None and self.close_remote is not None:
            await self.close_remote(replaced.node, station_id)
