"""The composition root: builds store, bus, services, gateway and API, and runs them in one loop."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from dataclasses import dataclass

import uvicorn

from chargebridge.api.app import create_api
from chargebridge.api.deps import ApiContext
from chargebridge.bus.memory import EventBus
from chargebridge.config import Settings
from chargebridge.domain.commands import TriggerMessage
from chargebridge.extensions import Extension, build_extensions
from chargebridge.gateway.server import Gateway, GatewaySettings
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import OcppVersion
from chargebridge.security.certificates import signing_ca
from chargebridge.security.logfilter import install_log_redaction
from chargebridge.security.profiles import unauthenticated_warning
from chargebridge.security.secrets import verify_password
from chargebridge.security.settings import gateway_security_settings
from chargebridge.security.store import SecurityStore
from chargebridge.services.clock import Clock, SystemClock
from chargebridge.services.station_requests import CsmsSettings, StationRequests
from chargebridge.store.repository import Store

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
        self._http: uvicorn.Server | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._http_socket: socket.socket | None = None
        self.unauthenticated_warning: str | None = None

    async def start(self) -> Running:
        s = self.settings
        ca = signing_ca(s)  # a bad CA key refuses to start before anything is opened
        self.store = store = await Store.open(s.resolved_database_url(), retry_window_s=s.store_retry_window_s)
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
        context = ApiContext(
            store=store, gateway=self.gateway, bus=self.bus, clock=self.clock, settings=s, requests=self.requests
        )
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
        self._http = uvicorn.Server(config)
        self._http_task = asyncio.create_task(self._http.serve(sockets=[sock]), name="http")
        while not self._http.started:
            if self._http_task.done():
                await self._http_task
            await asyncio.sleep(0.01)
        log.info("HTTP API on http://%s:%s (docs at /docs)", s.host, http_port)
        return Running(ocpp_port, http_port)

    async def _warn_unauthenticated(self, store: Store) -> None:
        """A loud start-up line when stations connect without authentication (profile 0)."""
        count, sample = await SecurityStore(store).unauthenticated_stations()
        self.unauthenticated_warning = unauthenticated_warning(
            count, sample, auto_register=self.settings.auto_register, require_security=self.settings.require_security
        )
        if self.unauthenticated_warning:
            log.warning("%s", self.unauthenticated_warning)

    async def stop(self) -> None:
        for ext in reversed(self._started_extensions):
            try:
                await ext.stop()
            except Exception:
                log.exception("extension %s failed to stop", ext.name)
        self._started_extensions.clear()
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True
            await self._http_task
        if self.gateway is not None:
            await self.gateway.stop()
        if self.requests is not None:
            await self.requests.stop()
        if self.store is not None:
            await self.store.close()
        if self._http_socket is not None:
            self._http_socket.close()
