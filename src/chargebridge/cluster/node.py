"""One node's membership of a cluster: the NATS connection and everything that rides on it.

:class:`ClusterNode` is what the gateway knows as its ``peers``
(:class:`chargebridge.gateway.server.Peers`): it decides replacements on the station's presence
entry, records this node's connections (during the handshake, before the 101) and releases
them, routes commands to the node that holds a
station (NATS request/reply on ``{prefix}.node.{id}.call``) and answers the ones routed here,
closes this node's socket of a station another node took over (``{prefix}.node.{id}.close``).
It also runs the cluster bus (:mod:`chargebridge.cluster.bus`), the leases
(:mod:`chargebridge.cluster.kv_leases`) and, under the ``cluster.sweep`` lease, the sweep that
releases the stations of a node that died.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import nats
from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.errors import NoRespondersError
from nats.errors import TimeoutError as NatsTimeout
from nats.js import JetStreamContext

from chargebridge.bus.memory import EventBus
from chargebridge.cluster import store as cluster_store
from chargebridge.cluster.bus import JetStreamBus
from chargebridge.cluster.cache_sync import StationCacheSync
from chargebridge.cluster.kv_leases import KvLeases
from chargebridge.cluster.names import Names, nats_servers, safe_nats_url, station_token
from chargebridge.cluster.presence import OP_TIMEOUT_S, Presence, ensure_bucket
from chargebridge.cluster.takeover import Decision, Holder
from chargebridge.cluster.wire import (
    REPLY_MARGIN_S,
    CallRequest,
    CloseRequest,
    decode_reply,
    encode_answer,
    encode_failure,
)
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.gateway.connection import CallAnswer
from chargebridge.gateway.server import Gateway, Opening, PeerVerdict
from chargebridge.rpc import CallTimeout, OcppVersion, StationNotConnected, StationUnreachable
from chargebridge.security.replacement import Session
from chargebridge.tasks import BackgroundTasks, cancel_and_wait

if TYPE_CHECKING:
    from chargebridge.config import Settings
    from chargebridge.services.clock import Clock
    from chargebridge.store.repository import Store

log = logging.getLogger(__name__)

SWEEP_LEASE = "cluster.sweep"


@dataclass(frozen=True, slots=True)
class ClusterSettings:
    nats_url: str
    node_id: str
    prefix: str = "chargebridge"
    node_ttl_s: float = 6.0
    presence_ttl_s: float = 600.0
    lease_ttl_s: float = 10.0
    replacement_limit: int = 10
    replacement_window_s: float = 60.0
    bus_buffer: int = 100_000

    @classmethod
    def from_settings(cls, s: Settings) -> ClusterSettings:
        assert s.nats_url is not None
        return cls(
            nats_url=s.nats_url,
            node_id=s.resolved_node_id(),
            prefix=s.cluster_prefix,
            node_ttl_s=s.cluster_node_ttl_s,
            presence_ttl_s=s.cluster_presence_ttl_s,
            lease_ttl_s=s.cluster_lease_ttl_s,
            replacement_limit=s.replacement_limit,
            replacement_window_s=s.replacement_window_s,
        )


@dataclass(slots=True)
class RoutingStats:
    routed_out: int = 0  # commands sent to another node
    routed_in: int = 0  # commands other nodes sent here
    moved_retries: int = 0  # the station had moved on: asked again
    closes_sent: int = 0
    closes_received: int = 0
    swept: int = 0  # stations of dead nodes marked disconnected
    reconnects: int = 0


class ClusterNode:
    def __init__(self, settings: ClusterSettings, bus: EventBus, clock: Clock):
        self.settings = settings
        self.node = settings.node_id
        self.boot = secrets.token_hex(6)
        self.names = Names(settings.prefix)
        self.local_bus = bus
        self.clock = clock
        self.stats = RoutingStats()
        self.nc: NATS | None = None
        self.js: JetStreamContext | None = None
        self.presence: Presence | None = None
        self.leases: KvLeases | None = None
        self.bus: JetStreamBus | None = None
        self.gateway: Gateway | None = None
        self.store: Store | None = None
        self.cache_sync: StationCacheSync | None = None
        self._subs: list[Any] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._background = BackgroundTasks(log, "cluster task failed")
        self._connected = asyncio.Event()
        self._online_since = time.monotonic()  # last (re)connect to NATS
        self._stopping = False
        self.addresses: dict[str, Any] = {}

    # -- lifecycle -------------------------------------------------------------------------

    async def connect(self) -> None:
        """Join the network: NATS, the buckets and the stream (raises when NATS cannot be reached)."""
        s = self.settings
        self.nc = await nats.connect(
            servers=nats_servers(s.nats_url),
            name=f"chargebridge-{self.node}",
            max_reconnect_attempts=-1,
            reconnect_time_wait=0.5,
            connect_timeout=5,
            ping_interval=5,
            max_outstanding_pings=3,
            allow_reconnect=True,
            disconnected_cb=self._disconnected,
            reconnected_cb=self._reconnected,
            error_cb=self._error,
        )
        self._connected.set()
        self.js = self.nc.jetstream(timeout=OP_TIMEOUT_S, publish_async_max_pending=8192)
        self.presence = Presence(
            self.js,
            self.names,
            self.node,
            self.boot,
            node_ttl_s=s.node_ttl_s,
            presence_ttl_s=s.presence_ttl_s,
            replacement_limit=s.replacement_limit,
            replacement_window_s=s.replacement_window_s,
        )
        self.presence.heartbeat_info = self._heartbeat_info
        await self.presence.start()
        leases_kv = await ensure_bucket(self.js, self.names.leases_bucket, s.lease_ttl_s)
        self.leases = KvLeases(leases_kv, self.node, self.boot, s.lease_ttl_s)
        self.bus = JetStreamBus(self.nc, self.js, self.names, self.node, self.local_bus, buffer=s.bus_buffer)
        await self.bus.start()
        log.info("cluster: node %s joined network %r at %s", self.node, s.prefix, safe_nats_url(s.nats_url))

    async def attach(self, gateway: Gateway, store: Store) -> None:
        """Serve the other nodes: commands routed here, takeovers of our stations; start the sweep."""
        assert self.nc is not None and self.presence is not None and self.leases is not None
        self.gateway = gateway
        self.store = store
        self.presence.on_yield = self._yield
        self.presence.close_remote = self._ask_close
        self.presence.on_lapse_over = self._reassert
        await self._subscribe()
        self.cache_sync = StationCacheSync(self.nc, self.names, self.node, store.station_cache)
        await self.cache_sync.start()
        gateway.peers = self
        leases = self.leases
        self._tasks.append(asyncio.create_task(leases.run_while_held(SWEEP_LEASE, self._sweep_loop), name="sweep"))

    async def _subscribe(self) -> None:
        assert self.nc is not None
        for sub in self._subs:
            with contextlib.suppress(Exception):
                await sub.unsubscribe()
        self._subs = [
            await self.nc.subscribe(self.names.node_call(self.node), cb=self._on_call),
            await self.nc.subscribe(self.names.node_close(self.node), cb=self._on_close),
        ]

    async def stop(self) -> None:
        """Leave the network (after the gateway closed our sockets, so their entries are vacated)."""
        self._stopping = True
        for task in self._tasks:
            await cancel_and_wait(task)
        self._tasks.clear()
        if self.cache_sync is not None:
            await self.cache_sync.stop()
        if self.leases is not None:
            await self.leases.stop()
        if self.bus is not None:
            await self.bus.stop()
        if self.presence is not None:
            await self.presence.stop()
        await self._background.wait()
        if self.nc is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.nc.drain(), 5.0)
            with contextlib.suppress(Exception):
                await self.nc.close()

    def ready(self) -> tuple[bool, str]:
        """Readiness: NATS reachable (this node can route commands and share events)."""
        if self.nc is None or not self.nc.is_connected:
            return False, "NATS is not connected"
        url = self.nc.connected_url
        return True, f"connected to {url.hostname}:{url.port}" if url is not None else "connected"

    def _heartbeat_info(self) -> dict[str, Any]:
        return {"stations": len(self.gateway.connections) if self.gateway is not None else 0, **self.addresses}

    # -- NATS connection events ------------------------------------------------------------

    async def _disconnected(self) -> None:
        self._connected.clear()
        if self._stopping:
            return
        log.warning("cluster: NATS connection lost; reconnecting (commands to other nodes answer 503 meanwhile)")

    async def _reconnected(self) -> None:
        self._connected.set()
        self._online_since = time.monotonic()
        self.stats.reconnects += 1
        log.warning("cluster: NATS connection back")
        self._background.spawn(self._after_reconnect())

    async def _error(self, exc: Exception) -> None:
        log.debug("cluster: NATS error: %s", exc)

    async def _after_reconnect(self) -> None:
        """The server may have restarted (or lost its storage): make sure everything exists again,
        rebuild the caches, resume the stream, and write every entry of ours again."""
        assert self.presence is not None and self.bus is not None and self.js is not None
        try:
            s = self.settings
            self.presence.nodes_kv = await ensure_bucket(self.js, self.names.nodes_bucket, s.node_ttl_s)
            self.presence.kv = await ensure_bucket(self.js, self.names.presence_bucket, s.presence_ttl_s)
            if self.leases is not None:
                self.leases.kv = await ensure_bucket(self.js, self.names.leases_bucket, s.lease_ttl_s)
            await self.presence.restart_watchers()
            await self.bus.start_stream()
            await self.bus.resubscribe()
            for held in self.presence.held.values():
                held.written_at = 0.0
            self.presence.request_refresh()
        except Exception:
            log.exception("cluster: could not resume after the NATS reconnect; retrying in 2 s")
            await asyncio.sleep(2.0)
            if self.nc is not None and self.nc.is_connected:
                self._background.spawn(self._after_reconnect())

    # -- Peers (what the gateway asks) -----------------------------------------------------

    def _online(self) -> bool:
        return self.nc is not None and self.nc.is_connected

    async def decide(
        self, station_id: str, source: str, *, authenticated: bool, local: Session | None
    ) -> PeerVerdict | None:
        assert self.presence is not None
        if not self._online():
            return None
        try:
            decision, live = await self.presence.decide(station_id, source, authenticated=authenticated, local=local)
        except Exception as exc:
            log.warning("%s: cluster could not be asked about the replacement (%s); deciding locally", station_id, exc)
            return None
        return PeerVerdict(decision.verdict, live.source if live is not None else None, decision)

    def _entry(self, opening: Opening, verdict: PeerVerdict | None) -> Holder:
        assert self.presence is not None
        session = opening.session
        decision = verdict.claim if verdict is not None and isinstance(verdict.claim, Decision) else None
        return self.presence.entry(
            version=opening.version,
            source=session.source,
            authenticated=session.authenticated,
            since=time.time() - (time.monotonic() - session.since),
            decision=decision,
        )

    async def claim(self, opening: Opening, verdict: PeerVerdict | None) -> str | None:
        assert self.presence is not None
        ours = self._entry(opening, verdict)
        # The claim is the handshake's session's (its identity): only its own release vacates it.
        if not self._online():
            self.presence.hold_unwritten(opening.station_id, ours, opening.session)
            return None
        replaced = await self.presence.claim(opening.station_id, ours, opening.session)
        if replaced is None:
            return None
        await self._ask_close(replaced.node, opening.station_id)
        return replaced.source

    async def release(self, opening: Opening, *, back_to: Opening | None = None) -> bool:
        assert self.presence is not None
        if back_to is not None:
            self.presence.give_back(opening.station_id, opening.session, self._entry(back_to, None), back_to.session)
            return True
        if not self._online():
            self.presence.forget(opening.station_id, opening.session)
            return True
        return await self.presence.release(opening.station_id, opening.session)

    def version_elsewhere(self, station_id: str) -> OcppVersion | None:
        holder = self.presence.holder(station_id) if self.presence is not None else None
        if holder is None or holder.node == self.node:
            return None
        try:
            return OcppVersion(holder.version)
        except ValueError:
            return None

    def connected_count(self) -> int:
        if self.presence is None:
            return 0
        return self.presence.connected_count()

    async def call(self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float) -> CallAnswer:
        assert self.presence is not None
        request = CallRequest(station_id, action, payload, timeout_s).encode()
        holder = self.presence.holder(station_id)
        for attempt in range(2):
            if holder is None or holder.node == self.node:
                raise StationNotConnected(station_id)
            if not self._online():
                raise StationUnreachable(station_id, "this node's NATS connection is down")
            assert self.nc is not None
            self.stats.routed_out += 1
            try:
                reply = await self.nc.request(
                    self.names.node_call(holder.node), request, timeout=timeout_s + REPLY_MARGIN_S
                )
            except NoRespondersError:
                reply = None  # that node is gone
            except NatsTimeout as exc:
                raise CallTimeout(action, timeout_s) from exc
            except Exception as exc:
                raise StationUnreachable(station_id, f"{type(exc).__name__}") from exc
            if reply is not None:
                try:
                    return decode_reply(reply.data, station_id)
                except StationNotConnected:
                    if attempt:
                        raise
            # The station is not (or no longer) there: look it up in the bucket itself, once.
            self.stats.moved_retries += 1
            try:
                current, _ = await self.presence.lookup(station_id)
            except Exception as exc:
                raise StationUnreachable(station_id, f"{type(exc).__name__}") from exc
            holder = current if self.presence.live(current) else None
            if holder is not None and holder.node == self.node and self.gateway is not None:
                return await self.gateway.call_local(station_id, action, payload, timeout_s)
        raise StationNotConnected(station_id)

    async def close_elsewhere(self, station_id: str, reason: str) -> bool:
        holder = self.presence.holder(station_id) if self.presence is not None else None
        if holder is None or holder.node == self.node or not self._online():
            return False
        return await self._ask_close(holder.node, station_id, reason)

    # -- serving the other nodes -----------------------------------------------------------

    async def _on_call(self, msg: Msg) -> None:
        self._background.spawn(self._answer_call(msg))

    async def _answer_call(self, msg: Msg) -> None:
        self.stats.routed_in += 1
        try:
            request = CallRequest.decode(msg.data)
        except ValueError as exc:
            await msg.respond(json.dumps({"error": "internal", "message": str(exc)}).encode())
            return
        assert self.gateway is not None
        try:
            answer = await self.gateway.call_local(
                request.station_id, request.action, request.payload, request.timeout_s
            )
        except Exception as exc:
            if not isinstance(exc, StationNotConnected | CallTimeout | ConnectionError):
                log.info("%s: routed %s failed here: %s", request.station_id, request.action, exc)
            await msg.respond(encode_failure(exc, request.station_id))
            return
        await msg.respond(encode_answer(answer))

    async def _on_close(self, msg: Msg) -> None:
        self.stats.closes_received += 1
        try:
            request = CloseRequest.decode(msg.data)
        except ValueError:
            await msg.respond(b'{"closed":false}')
            return
        assert self.presence is not None and self.gateway is not None
        self.presence.forget(request.station_id)
        closed = await self.gateway.drop(request.station_id, request.reason)
        await msg.respond(json.dumps({"closed": closed}).encode())

    async def _ask_close(self, node: str, station_id: str, reason: str = "replaced by a new connection") -> bool:
        """Ask ``node`` to close its socket of the station and wait (briefly) until it has."""
        if self.nc is None or node == self.node:
            return False
        self.stats.closes_sent += 1
        try:
            reply = await self.nc.request(
                self.names.node_close(node), CloseRequest(station_id, self.node, reason).encode(), timeout=OP_TIMEOUT_S
            )
        except Exception as exc:  # no responders (dead) or slow: the presence watch tells it later
            log.info("%s: node %s did not confirm closing its socket (%s)", station_id, node, type(exc).__name__)
            return False
        with contextlib.suppress(ValueError, AttributeError):
            return bool(json.loads(reply.data).get("closed"))
        return False

    async def _yield(self, station_id: str) -> None:
        if self.gateway is not None:
            await self.gateway.drop(station_id, "replaced by a new connection")

    async def _reassert(self) -> None:
        """Our heartbeat was away long enough for the sweep to release our stations: put them back."""
        if self.gateway is None or self.store is None:
            return
        ids = list(self.gateway.connections)
        changed = await cluster_store.reassert(self.store, ids, self.node, self.clock.now())
        for station_id in changed:
            conn = self.gateway.connections.get(station_id)
            data = {"ocpp_version": conn.version} if conn is not None else {}
            self.local_bus.publish(DomainEvent(EventKind.STATION_CONNECTED, station_id, self.clock.now(), data))
        if changed:
            log.warning("cluster: %d station(s) marked connected again after our heartbeat lapse", len(changed))

    # -- the sweep (one node at a time: lease cluster.sweep) -------------------------------

    async def _sweep_loop(self) -> None:
        # Just got the lease (maybe after NATS came back): hear every live node's heartbeat
        # before judging anyone dead.
        await asyncio.sleep(self.settings.node_ttl_s)
        while True:
            try:
                await self.sweep_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("cluster sweep failed")
            await asyncio.sleep(self.settings.node_ttl_s / 2)

    async def sweep_once(self) -> int:
        """Release the stations of dead nodes: database rows marked disconnected (with a
        ``station.disconnected`` event for each), presence entries vacated."""
        assert self.presence is not None and self.store is not None and self.leases is not None
        presence = self.presence
        if time.monotonic() - self._online_since < self.settings.node_ttl_s or not self._online():
            return 0  # our view of the heartbeats is not complete yet
        alive = set(presence.liveness.alive_nodes(time.monotonic())) | {self.node}
        released = 0
        for station_id, node in await cluster_store.orphaned(self.store, alive):
            if presence.holder(station_id) is not None or not self.leases.held(SWEEP_LEASE):
                continue  # on a live node already (its write is on its way), or the lease is gone
            now = self.clock.now()
            if await cluster_store.mark_orphan_disconnected(self.store, station_id, node, now):
                released += 1
                data = {"reason": "node lost", "node": node}
                self.local_bus.publish(DomainEvent(EventKind.STATION_DISCONNECTED, station_id, now, data))
        kv = presence.kv
        wall = time.time()
        for station_id, (holder, revision) in list(presence.cache.items()):
            if holder.vacant or presence.live(holder) or kv is None:
                continue
            with contextlib.suppress(Exception):
                vacated = holder.vacated(wall)
                new_revision = await asyncio.wait_for(
                    kv.update(station_token(station_id), vacated.encode(), last=revision), OP_TIMEOUT_S
                )
                presence.cache[station_id] = (vacated, new_revision)
        if released:
            self.stats.swept += released
            log.warning("cluster sweep: %d station(s) of dead nodes marked disconnected", released)
        return released

    # -- views -----------------------------------------------------------------------------

    def status(self) -> dict[str, Any]:
        presence = self.presence
        now = time.monotonic()
        nodes: list[dict[str, Any]] = []
        if presence is not None:
            for node, info in sorted(presence.nodes_info.items()):
                nodes.append(
                    {
                        "node_id": node,
                        "alive": presence.liveness.alive(node, str(info.get("boot")), now) or node == self.node,
                        "stations": info.get("stations"),
                        **{k: v for k, v in info.items() if k not in ("boot", "at", "stations")},
                    }
                )
        return {
            "node_id": self.node,
            "prefix": self.settings.prefix,
            "nats_connected": self._online(),
            "nodes": nodes,
            "connected_stations": self.connected_count(),
            "held_here": len(presence.held) if presence is not None else 0,
            "presence": asdict(presence.stats) if presence is not None else {},
            "routing": asdict(self.stats),
            "bus": (asdict(self.bus.stats) | {"buffered": self.bus.buffered}) if self.bus is not None else {},
            "leases": self.leases.stats() if self.leases is not None else {},
        }
