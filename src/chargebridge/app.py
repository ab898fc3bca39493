"""The composition root: builds store, bus, services, gateway and API, and runs them in one loop."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
import time
from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import uvicorn

from chargebridge.api.app import create_api
from chargebridge.api.deps import ApiContext
from chargebridge.bus.memory import EventBus
from chargebridge.cluster.leases import Leases, LocalLeases
from chargebridge.config import Settings
from chargebridge.domain.commands import TriggerMessage
from chargebridge.domain.model import AuthorizationStatus
from chargebridge.extensions import Extension, build_extensions
from chargebridge.gateway.server import Gateway, GatewaySettings
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.readiness import DatabaseCheck, NatsCheck, Readiness
from chargebridge.rpc import OcppVersion
from chargebridge.security.certificates import signing_ca
from chargebridge.security.logfilter import install_log_redaction
from chargebridge.security.profiles import unauthenticated_warning
from chargebridge.security.secrets import verify_password
from chargebridge.security.settings import gateway_security_settings
from chargebridge.security.store import SecurityStore
from chargebridge.services.authorization import CachedStatusPolicy, UnknownTokenPolicy
from chargebridge.services.clock import Clock, SystemClock
from chargebridge.services.station_requests import CsmsSettings, StationRequests
from chargebridge.store.database import DatabaseTimeouts
from chargebridge.store.repository import Store
from chargebridge.store.token_cache import TokenCache
from chargebridge.tasks import stop_within

if TYPE_CHECKING:
    from chargebridge.cluster.node import ClusterNode

log = logging.getLogger(__name__)


def tune_gc_for_serving() -> None:
    """Process-wide GC settings for a long-running server (call once, after start-up).

    A full (generation 2) collection walks every live object; with thousands of connections it
    stalls the event loop for hundreds of milliseconds (measured: 208 ms with 1,000 stations).
    Start-up objects (modules, compiled schemas) are frozen out of collection, and the
    thresholds make young collections rarer and full ones very rare. Reference counting still
    frees almost everything at once; only reference cycles wait longer. See docs/benchmarks.md.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


class _HttpServer(uvicorn.Server):
    """uvicorn without its signal handling: signals belong to the node (``chargebridge serve``).

    uvicorn installs SIGINT/SIGTERM handlers while it serves and puts the previous ones back
    when it stops. A SIGTERM that came while it started was taken by uvicorn alone (the HTTP
    server stopped, the rest of the node never heard of it and waited forever), and putting the
    handlers back at shutdown removed the node's own (a second SIGTERM killed the process
    without the node knowing)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


@dataclass
class Running:
    ocpp_port: int
    http_port: int


class Chargebridge:
    """One chargebridge node: OCPP gateway and HTTP API in the same asyncio loop."""

    def __init__(self, settings: Settings, clock: Clock | None = None, extensions: list[Extension] | None = None):
        self.settings = settings
        self.extensions = build_extensions(settings) if extensions is None else extensions
        self._started_extensions: list[Extension] = []
        self.clock = clock or SystemClock()
        self.bus = EventBus()
        self.store: Store | None = None
        self.gateway: Gateway | None = None
        self.requests: StationRequests | None = None
        # Cluster mode (settings.nats_url): this node's membership of the network.
        self.cluster: ClusterNode | None = None
        self.leases: Leases = LocalLeases()
        self._http: uvicorn.Server | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._http_socket: socket.socket | None = None
        self.unauthenticated_warning: str | None = None
        self.readiness = Readiness()

    async def start(self) -> Running:
        s = self.settings
        problem = s.cluster_problem()
        if problem is not None:
            raise ValueError(problem)
        ca = signing_ca(s)  # a bad CA key refuses to start before anything is opened
        self.store = store = await Store.open(
            s.resolved_database_url(),
            retry_window_s=s.store_retry_window_s,
            timeouts=DatabaseTimeouts(
                connect_s=s.db_connect_timeout_s, statement_s=s.db_statement_timeout_s, pool_s=s.db_pool_timeout_s
            ),
            token_cache=TokenCache(s.authorize_cache_size, s.authorize_cache_max_age_s),
            linger_s=s.store_linger_ms / 1000,
        )
        store.station_cache.ttl_s = s.station_cache_ttl_s
        store.station_cache.verified_ttl_s = s.password_verify_cache_s
        store.health.start()
        self.readiness.add(DatabaseCheck(store.health))
        if s.clustered:
            await self._join_cluster(store)
        store.clock_skew_limit_s = s.clock_skew_limit_s
        self.requests = StationRequests(
            store,
            self.bus,
            self.clock,
            CsmsSettings(
                heartbeat_interval_s=s.heartbeat_interval_s,
                boot_retry_interval_s=s.boot_retry_interval_s,
                clock_skew_limit_s=s.clock_skew_limit_s,
            ),
            # Authorize with the database away: the cached status, else the answer for unknown tokens.
            # (the authorization extension adds its local list between the two)
            offline_policies=[
                CachedStatusPolicy(store.token_cache),
                UnknownTokenPolicy(AuthorizationStatus(s.authorize_offline_unknown)),
            ],
        )
        await self.requests.start()
        self.gateway = Gateway(
            GatewaySettings(
                host=s.host,
                port=s.ocpp_port,
                auto_register=s.auto_register,
                max_frame_bytes=s.max_frame_bytes,
                call_timeout_s=s.call_timeout_s,
                ping_interval_s=s.ping_interval_s,
                ping_timeout_s=s.ping_interval_s / 2,
                open_timeout_s=s.handshake_timeout_s,
                **gateway_security_settings(s),
            ),
            self.requests,
            store,
            {OcppVersion.V16: Ocpp16Adapter(), OcppVersion.V201: Ocpp201Adapter()},
            verify_password,
            self.clock,
        )
        self.requests.certificates.configure(ca, self.gateway, valid_days=s.station_certificate_days)
        # A station whose boot is Pending may send what a TriggerMessage asked for (2.0.1 B02).
        self.gateway.register_executor(TriggerMessage, self.requests.trigger_executor(self.gateway.execute_single))
        if self.cluster is not None:
            await self.cluster.attach(self.gateway, store)
        context = ApiContext(
            store=store,
            gateway=self.gateway,
            bus=self.bus,
            clock=self.clock,
            settings=s,
            requests=self.requests,
            readiness=self.readiness,
            cluster=self.cluster,
            leases=self.leases,
        )
        if self.cluster is not None:
            self.readiness.add(NatsCheck(self.cluster))
        api = create_api(context, [router for ext in self.extensions for router in ext.routers()])
        # Extensions start before the OCPP listener opens: the request handlers they register
        # (StationRequests.register) are in place before the first station can connect.
        for ext in self.extensions:
            await ext.start(context)
            self._started_extensions.append(ext)
        ocpp_port = await self.gateway.start()
        await self._warn_unauthenticated(store)
        self._http_socket = sock = socket.create_server((s.host, s.http_port), reuse_port=False)
        # asyncio turns Nagle off only for sockets whose protocol number says TCP, and
        # create_server()'s socket says 0: without this, a response whose headers and body go
        # out in two writes waited for the client's delayed ACK (about 40 ms). Accepted
        # sockets inherit the option from the listener.
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        http_port = sock.getsockname()[1]
        config = uvicorn.Config(
            api, log_level=s.log_level.lower(), lifespan="off", access_log=False, timeout_graceful_shutdown=2
        )
        install_log_redaction()  # after uvicorn's Config, which replaces its loggers' handlers
        self._http = _HttpServer(config)
        self._http_task = asyncio.create_task(self._http.serve(sockets=[sock]), name="http")
        while not self._http.started:
            if self._http_task.done():
                await self._http_task
            await asyncio.sleep(0.01)
        log.info("HTTP API on http://%s:%s (docs at /docs)", s.host, http_port)
        if self.cluster is not None:
            self.cluster.addresses = {"ocpp_port": ocpp_port, "http_port": http_port, "host": s.host}
        return Running(ocpp_port, http_port)

    async def _join_cluster(self, store: Store) -> None:
        """Cluster mode: connect to NATS before anything serves; the store records this node's
        id on the stations it holds (and start-up only clears this node's)."""
        from chargebridge.cluster.node import ClusterNode, ClusterSettings

        cluster = ClusterNode(ClusterSettings.from_settings(self.settings), self.bus, self.clock)
        try:
            await cluster.connect()
        except BaseException:
            await cluster.stop()
            await store.close()
            self.store = None
            raise
        self.cluster = cluster
        store.node_id = cluster.node
        assert cluster.leases is not None
        self.leases = cluster.leases

    async def _warn_unauthenticated(self, store: Store) -> None:
        """A loud start-up line when stations connect without authentication (profile 0)."""
        count, sample = await SecurityStore(store).unauthenticated_stations()
        self.unauthenticated_warning = unauthenticated_warning(
            count, sample, auto_register=self.settings.auto_register, require_security=self.settings.require_security
        )
        if self.unauthenticated_warning:
            log.warning("%s", self.unauthenticated_warning)

    async def stop(self, timeout_s: float | None = None) -> None:
        """Graceful, bounded shutdown (``timeout_s``, default ``shutdown_timeout_s``).

        1. /readyz turns 503; no new HTTP request or WebSocket is accepted.
        2. Each station's CALLs already received are answered (after their commit, as always),
           then its socket is closed with 1001; at most half of the time goes to this.
        3. Extensions, the HTTP server, the gateway, the services and the store stop, each
           within what is left (a component that does not is named in a warning and left behind).
        4. The writer commits what is queued; what cannot be committed in time is refused (its
           station got no acknowledgement and sends it again).
        """
        budget = self.settings.shutdown_timeout_s if timeout_s is None else timeout_s
        deadline = time.monotonic() + budget

        def left(cap: float | None = None) -> float:
            remaining = max(0.0, deadline - time.monotonic())
            return min(remaining, cap) if cap is not None else remaining

        self.readiness.shutting_down = True
        if self._http is not None:
            self._http.should_exit = True  # stop accepting; requests in flight get up to 2 s
        if self.gateway is not None:
            await stop_within("gateway drain", lambda: self._drain(budget / 2), left(budget / 2 + 1.0))
        for ext in reversed(self._started_extensions):
            await stop_within(f"extension {ext.name}", ext.stop, left(5.0))
        self._started_extensions.clear()
        if self._http is not None and self._http_task is not None:
            http_task = self._http_task
            await stop_within("HTTP server", lambda: http_task, left(3.0))
        if self.gateway is not None:
            await stop_within("gateway", self.gateway.stop, left(3.0))
        if self.cluster is not None:  # after the gateway: its closing sockets vacate their entries
            cluster = self.cluster
            await stop_within("cluster", cluster.stop, left(3.0))
        if self.requests is not None:
            await stop_within("station services", self.requests.stop, left(5.0))
        if self.store is not None:
            store = self.store
            # the store gets at least a moment: its queue is refused (never silently dropped) when over
            await stop_within("store", lambda: store.close(timeout_s=max(0.5, left() - 2.5)), max(3.0, left()))
        if self._http_socket is not None:
            self._http_socket.close()

    async def _drain(self, timeout_s: float) -> None:
        assert self.gateway is not None
        await self.gateway.drain(timeout_s)
