"""``chargebridge gateway``: the translating gateway as one process.

Stations connect to the same station-facing server as ``chargebridge serve`` (the :class:`Gateway`
with its handshake checks, security profiles 1-3, TLS, keepalive and limits); instead of the
CSMS's services, this object answers their CALLs (it is the gateway's :class:`CallAnswerer` and
its connection hooks), through one :class:`Bridge` per station, each with its own connection to
the upstream CSMS. State lives in the same database as a node's (SQLite in the data directory by
default, PostgreSQL with ``--database-url``), in the translator's tables.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Body, FastAPI, Header, HTTPException, Path, Query, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, ConfigDict, Field

from chargebridge.bus.memory import EventBus
from chargebridge.gateway.connection import StationConnection
from chargebridge.gateway.server import Gateway, GatewaySettings
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import CallReceived, ErrorCode, OcppError, OcppVersion, schemas_for
from chargebridge.security.secrets import verify_password
from chargebridge.services.clock import Clock, SystemClock
from chargebridge.store.repository import Store
from chargebridge.translate.actions import STATION_ACTIONS
from chargebridge.translate.bridge import Bridge
from chargebridge.translate.config import TranslatorConfig
from chargebridge.translate.metrics import GatewayCollector, GatewayStats
from chargebridge.translate.model import Payload
from chargebridge.translate.store import TranslatorStore, outbound_of
from chargebridge.translate.translations import translation_for
from chargebridge.translate.upstream import UpstreamSettings

log = logging.getLogger(__name__)

DEAD_LETTER = "/api/v1/gateway/dead-letters/{station_id}/{item_no}"
MAX_ITEM_NO = 2**63 - 1  # item numbers are BIGINT


class OperatorNote(BaseModel):
    """The optional JSON body of the dead-letter write routes (or the same as query parameters)."""

    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=500)
    by: str | None = Field(default=None, max_length=100)


def _row_view(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "created_at": row["created_at"].isoformat()}


@dataclass(frozen=True, slots=True)
class TranslatorSettings:
    upstream: UpstreamSettings
    stations: GatewaySettings  # the station-facing listener
    database_url: str
    http_port: int | None = None  # /metrics and the gateway's state; None: no HTTP listener


class TranslatingGateway:
    def __init__(self, settings: TranslatorSettings, config: TranslatorConfig, clock: Clock | None = None):
        self.settings = settings
        self.config = config
        self.clock = clock or SystemClock()
        self.bus = EventBus()  # the station-facing gateway publishes its security events here
        self.stats = GatewayStats()
        self.bridges: dict[str, Bridge] = {}
        g = config.gateway
        self.upstream_settings = UpstreamSettings(
            url=settings.upstream.url,
            version=settings.upstream.version,
            call_timeout_s=g.call_timeout_s,
            reconnect_min_s=g.reconnect_min_s,
            reconnect_max_s=g.reconnect_max_s,
            open_timeout_s=settings.upstream.open_timeout_s,
            ping_interval_s=settings.upstream.ping_interval_s,
            max_frame_bytes=settings.upstream.max_frame_bytes,
        )
        self.call_timeout_s = g.call_timeout_s
        self.answer_wait_s = g.answer_wait_s
        self.max_attempts = g.max_attempts
        self.store: Store | None = None
        self._translator_store: TranslatorStore | None = None
        self.gateway: Gateway | None = None
        self.http_port: int | None = None
        self._bridge_lock = asyncio.Lock()
        self._http: Any = None
        self._http_task: asyncio.Task[None] | None = None
        self._http_socket: socket.socket | None = None

    @property
    def translator_store(self) -> TranslatorStore:
        assert self._translator_store is not None, "the gateway is not started"
        return self._translator_store

    @property
    def upstream_version(self) -> OcppVersion:
        return self.settings.upstream.version

    # -- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> int:
        schemas_for(self.upstream_version).warm()
        self.store = store = await Store.open(self.settings.database_url)
        self._translator_store = TranslatorStore(store)
        self.gateway = Gateway(
            self.settings.stations,
            self,
            store,
            {OcppVersion.V16: Ocpp16Adapter(), OcppVersion.V201: Ocpp201Adapter()},
            verify_password,
            self.clock,
            answerer=self,
        )
        # Stations with messages still queued get their queue delivered, connected or not.
        for station_id in await self.translator_store.stations_with_queue():
            await self._bridge(station_id, None)
        port = await self.gateway.start()
        log.info(
            "translating gateway: stations on ws://%s:%s/ocpp/{station_id}, upstream %s (OCPP %s)",
            self.settings.stations.host,
            port,
            self.settings.upstream.url,
            self.upstream_version.value,
        )
        if self.settings.http_port is not None:
            await self._start_http()
        return port

    async def stop(self) -> None:
        await self._stop_http()  # first: a retried dead letter in progress may still make a bridge
        if self.gateway is not None:
            await self.gateway.stop()
        for bridge in list(self.bridges.values()):
            await bridge.stop()
        self.bridges.clear()
        if self.store is not None:
            await self.store.close()
            self.store = None

    # -- the station-facing gateway's hooks ---------------------------------------------------------

    async def connected(self, station_id: str, version: str, station: dict[str, Any] | None = None) -> None:
        assert self.gateway is not None
        station_version = OcppVersion(version)
        bridge = await self._bridge(station_id, station_version)
        conn = self.gateway.connections.get(station_id)
        if conn is not None:
            bridge.attach(
                conn, translation_for(station_version, self.upstream_version, self.config.options(station_id))
            )
        log.info("%s: station connected (OCPP %s), translation %s", station_id, version, bridge.translation.name)

    async def disconnected(self, station_id: str) -> None:
        bridge = self.bridges.get(station_id)
        if bridge is not None:
            bridge.detach()
        log.info("%s: station disconnected", station_id)

    def accepts(self, version: OcppVersion) -> Callable[[str], bool]:
        return STATION_ACTIONS[version].__contains__

    async def answer(self, conn: StationConnection, call: CallReceived) -> Payload:
        bridge = self.bridges.get(conn.station_id)
        if bridge is None:
            raise OcppError(ErrorCode.INTERNAL_ERROR, "the station's bridge is not ready")
        return await bridge.answer(conn, call)

    # -- bridges --------------------------------------------------------------------------------

    async def _bridge(self, station_id: str, version: OcppVersion | None) -> Bridge:
        async with self._bridge_lock:
            bridge = self.bridges.get(station_id)
            if bridge is not None:
                return bridge
            state, queued = await self.translator_store.load(station_id, self.clock.now())
            station_version = version or (
                OcppVersion(state.station_version) if state.station_version else self.upstream_version
            )
            state.station_version = station_version.value
            translation = translation_for(station_version, self.upstream_version, self.config.options(station_id))
            bridge = Bridge(self, station_id, state, queued, translation)
            self.bridges[station_id] = bridge
            bridge.start()
            if queued:
                log.info("%s: %d queued message(s) to deliver upstream", station_id, len(queued))
            return bridge

    async def retire(self, bridge: Bridge) -> bool:
        """A bridge with no station and nothing queued closes its upstream leg and is forgotten (its
        state stays in the database). False when the station came back meanwhile."""
        async with self._bridge_lock:
            if bridge.station is not None or bridge.queued:
                return False
            if self.bridges.get(bridge.station_id) is bridge:
                del self.bridges[bridge.station_id]
        if bridge.upstream is not None:
            await bridge.upstream.close()
        return True

    # -- dead letters ---------------------------------------------------------------------------

    async def retry_dead_letter(self, station_id: str, item_no: int) -> dict[str, Any] | None:
        """Put a dead letter back in its station's queue and have it delivered: by the station's
        bridge when there is one (after what it has queued), else by a bridge made for it exactly as
        the queues of absent stations are drained at start. None when there is no such dead letter."""
        async with self._bridge_lock:  # no bridge is made (reading the queue) or retired meanwhile
            row = await self.translator_store.requeue(station_id, item_no)
            if row is None:
                return None
            bridge = self.bridges.get(station_id)
            if bridge is not None:
                await bridge.requeue(outbound_of(row))
        if bridge is None:
            await self._bridge(station_id, None)  # reads the row back with the station's queue
        self.stats.dead_letters_retried += 1
        return row

    async def discard_dead_letter(self, station_id: str, item_no: int) -> dict[str, Any] | None:
        """Delete a dead letter on purpose; the row it was, or None when there is no such dead letter."""
        row = await self.translator_store.discard(station_id, item_no)
        if row is not None:
            self.stats.dead_letters_discarded += 1
        return row

    # -- HTTP: /metrics and the gateway's state -----------------------------------------------------

    def stations_view(self) -> list[dict[str, Any]]:
        out = []
        for station_id, bridge in sorted(self.bridges.items()):
            upstream = bridge.upstream
            out.append(
                {
                    "station_id": station_id,
                    "station_connected": bridge.station is not None,
                    "station_version": bridge.state.station_version,
                    "translation": bridge.translation.name,
                    "upstream_state": upstream.state if upstream is not None else "closed",
                    "upstream_error": upstream.last_error if upstream is not None else None,
                    "queued": bridge.queued,
                    "open_transactions": sum(1 for s in bridge.state.sessions.values() if not s.ended),
                }
            )
        return out

    def http_app(self) -> FastAPI:
        registry = CollectorRegistry()
        registry.register(GatewayCollector(self))
        metrics = self.config.metrics
        token = metrics.token()
        app = FastAPI(title="chargebridge gateway", docs_url=None, redoc_url=None, openapi_url=None)

        def check(authorization: str | None) -> None:
            if token is None:
                return
            scheme, _, given = (authorization or "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
                raise HTTPException(status.HTTP_401_UNAUTHORIZED, "a valid bearer token is required")

        @app.get(metrics.path)
        async def prometheus(authorization: Annotated[str | None, Header()] = None) -> Response:
            check(authorization)
            return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

        @app.get("/api/v1/gateway/stations")
        async def stations(authorization: Annotated[str | None, Header()] = None) -> list[dict[str, Any]]:
            check(authorization)
            return self.stations_view()

        def check_write(authorization: str | None) -> None:
            """The routes that change something are never open: without a token they are refused."""
            if not token:
                raise HTTPException(
                    status.HTTP_403_FORBIDDEN,
                    "the gateway's write routes need a bearer token: set bearer_token or bearer_token_env"
                    " in the [metrics] section of the gateway's config file",
                )
            check(authorization)

        def operator(request: Request, note: OperatorNote | None, reason: str | None, by: str | None) -> str:
            """Who did it and why, for the log line (quoted: whatever the caller sent stays one line)."""
            reason = reason if reason is not None else note.reason if note is not None else None
            by = by if by is not None else note.by if note is not None else None
            client = request.client.host if request.client is not None else "?"
            who = (f"by {by!r} " if by else "") + f"from {client}"
            return who + (f", reason {reason!r}" if reason else "")

        @app.get("/api/v1/gateway/dead-letters")
        async def dead_letters(
            authorization: Annotated[str | None, Header()] = None,
            station_id: Annotated[str | None, Query(max_length=48)] = None,
        ) -> list[dict[str, Any]]:
            check(authorization)
            rows = await self.translator_store.failed(station_id)
            return [_row_view(row) for row in rows]

        @app.post(DEAD_LETTER + "/retry")
        async def retry_dead_letter(
            request: Request,
            station_id: Annotated[str, Path(max_length=48)],
            item_no: Annotated[int, Path(ge=0, le=MAX_ITEM_NO)],
            authorization: Annotated[str | None, Header()] = None,
            note: Annotated[OperatorNote | None, Body()] = None,
            reason: Annotated[str | None, Query(max_length=500)] = None,
            by: Annotated[str | None, Query(max_length=100)] = None,
        ) -> dict[str, Any]:
            check_write(authorization)
            row = await self.retry_dead_letter(station_id, item_no)
            if row is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, f"no dead letter {item_no} of station {station_id}")
            log.warning(
                "%s: dead letter %d (%s) retried %s: back in the station's queue",
                station_id,
                item_no,
                row["action"],
                operator(request, note, reason, by),
            )
            return _row_view(row)

        @app.delete(DEAD_LETTER, status_code=status.HTTP_204_NO_CONTENT)
        async def discard_dead_letter(
            request: Request,
            station_id: Annotated[str, Path(max_length=48)],
            item_no: Annotated[int, Path(ge=0, le=MAX_ITEM_NO)],
            authorization: Annotated[str | None, Header()] = None,
            note: Annotated[OperatorNote | None, Body()] = None,
            reason: Annotated[str | None, Query(max_length=500)] = None,
            by: Annotated[str | None, Query(max_length=100)] = None,
        ) -> Response:
            check_write(authorization)
            row = await self.discard_dead_letter(station_id, item_no)
            if row is None:
                raise HTTPException(status.HTTP_404_NOT_FOUND, f"no dead letter {item_no} of station {station_id}")
            log.warning(
                "%s: dead letter %d (%s) discarded %s: deleted, it will not reach the upstream",
                station_id,
                item_no,
                row["action"],
                operator(request, note, reason, by),
            )
            return Response(status_code=status.HTTP_204_NO_CONTENT)

        @app.get("/healthz")
        async def health() -> dict[str, str]:
            return {"status": "ok"}

        return app

    async def _start_http(self) -> None:
        import uvicorn

        host = self.settings.stations.host
        self._http_socket = sock = socket.create_server((host, self.settings.http_port or 0))
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.http_port = sock.getsockname()[1]
        config = uvicorn.Config(self.http_app(), log_level="warning", lifespan="off", access_log=False)
        self._http = server = uvicorn.Server(config)
        self._http_task = asyncio.create_task(server.serve(sockets=[sock]), name="gateway-http")
        while not server.started:
            if self._http_task.done():
                await self._http_task
            await asyncio.sleep(0.01)
        log.info("gateway metrics on http://%s:%s%s", host, self.http_port, self.config.metrics.path)

    async def _stop_http(self) -> None:
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True
            with contextlib.suppress(Exception):
                await self._http_task
        self._http = self._http_task = None
        if self._http_socket is not None:
            self._http_socket.close()
            self._http_socket = None
