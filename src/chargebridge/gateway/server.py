"""The OCPP-J WebSocket server: ``ws://HOST:PORT/ocpp/{station_id}``.

Handshake rules (checked before the upgrade, so a refused station never gets a socket):
the path must name one valid station id; the station must be registered unless
auto-registration is on (HTTP 404 otherwise); a station with a password must present HTTP
Basic credentials with its id as the user name (HTTP 401 otherwise); the charger must offer
``ocpp2.0.1`` or ``ocpp1.6`` (2.0.1 preferred; none -> HTTP 400).

A second connection with the same station id replaces the first: the new socket becomes
the station's, the old one is closed with code 1000 "replaced by a new connection", and the
old socket's close never marks the station disconnected.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Protocol

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import NegotiationError
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargebridge.domain.adapter import VersionAdapter
from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.gateway.connection import CallAnswer, ConnectionStats, RequestHandler, StationConnection
from chargebridge.gateway.station_ids import InvalidStationId, parse_station_path
from chargebridge.rpc import OcppVersion, RpcEndpoint, StationNotConnected, schemas_for
from chargebridge.rpc.version import PREFERRED_SUBPROTOCOLS, select_subprotocol
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class GatewaySettings:
    host: str = "127.0.0.1"
    port: int = 9000
    auto_register: bool = False
    max_frame_bytes: int = 256 * 1024
    call_timeout_s: float = 30.0
    # A silent (half-open) socket is dropped after at most interval + timeout + close wait,
    # i.e. under 2 x ping_interval_s with the defaults the composition root derives.
    ping_interval_s: float = 30.0
    ping_timeout_s: float = 15.0
    open_timeout_s: float = 10.0


class ConnectionHooks(RequestHandler, Protocol):
    """What the gateway tells the services about sockets (implemented by StationRequests)."""

    async def connected(self, station_id: str, version: str) -> None: ...

    async def disconnected(self, station_id: str) -> None: ...


PasswordCheck = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class CommandAnswer:
    action: str
    outcome: CommandOutcome
    round_trip_ms: float


class Gateway:
    def __init__(
        self,
        settings: GatewaySettings,
        services: ConnectionHooks,
        store: Store,
        adapters: Mapping[OcppVersion, VersionAdapter],
        verify_password: PasswordCheck,
        clock: Clock,
    ):
        self.clock = clock
        self.settings = settings
        self.services = services
        self.store = store
        self.adapters = adapters
        self.verify_password = verify_password
        self.connections: dict[str, StationConnection] = {}
        self.stats = ConnectionStats()
        self.port: int | None = None
        self._server: Server | None = None
        self._handlers: set[asyncio.Task[Any]] = set()

    async def start(self) -> int:
        for version in self.adapters:
            schemas_for(version).warm()
        self._server = await serve(
            self._handle,
            self.settings.host,
            self.settings.port,
            subprotocols=[Subprotocol(sub) for sub in PREFERRED_SUBPROTOCOLS],
            select_subprotocol=_choose_subprotocol,
            process_request=self._process_request,
            max_size=self.settings.max_frame_bytes,
            ping_interval=self.settings.ping_interval_s,
            ping_timeout=self.settings.ping_timeout_s,
            # A peer that stopped answering won't answer the close frame either: don't wait long for it.
            close_timeout=min(5.0, self.settings.ping_interval_s / 4),
            open_timeout=self.settings.open_timeout_s,
            server_header="chargebridge",
        )
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        log.info("OCPP gateway listening on ws://%s:%s/ocpp/{station_id}", self.settings.host, self.port)
        return self.port

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close(close_connections=True)
            await self._server.wait_closed()
            self._server = None

    # -- handshake -------------------------------------------------------------------------

    async def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        try:
            station_id = parse_station_path(request.path)
        except (InvalidStationId, UnicodeDecodeError) as exc:
            status = HTTPStatus.NOT_FOUND if not request.path.startswith("/ocpp/") else HTTPStatus.BAD_REQUEST
            return connection.respond(status, f"{exc}\n")
        station = await self.store.get_station(station_id)
        if station is None:
            if not self.settings.auto_register:
                return connection.respond(HTTPStatus.NOT_FOUND, "unknown station\n")
            station = await self.store.add_station(station_id, now=self.clock.now(), if_missing=True)
        if station["password_hash"]:
            refusal = self._check_basic_auth(connection, request.headers, station_id, station["password_hash"])
            if refusal is not None:
                return refusal
        return None

    def _check_basic_auth(
        self, connection: ServerConnection, headers: Headers, station_id: str, password_hash: str
    ) -> Response | None:
        user, password = _basic_credentials(headers.get("Authorization"))
        if user is None or password is None or user != station_id or not self.verify_password(password, password_hash):
            response = connection.respond(HTTPStatus.UNAUTHORIZED, "authentication required\n")
            response.headers["WWW-Authenticate"] = 'Basic realm="chargebridge", charset="UTF-8"'
            return response
        return None

    # -- connection ------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        station_id = parse_station_path(ws.request.path if ws.request else "")
        version = OcppVersion.from_subprotocol(ws.subprotocol or "")
        adapter = self.adapters[version]
        endpoint = RpcEndpoint(schemas_for(version), accepts=adapter.accepts)
        conn = StationConnection(station_id, ws, endpoint, adapter, self.services, self.stats)
        previous = self.connections.get(station_id)
        self.connections[station_id] = conn
        if previous is not None:
            log.warning("%s: new connection replaces the live one", station_id)
            task = asyncio.create_task(previous.close(1000, "replaced by a new connection"))
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        try:
            await self.services.connected(station_id, version.value)
            await conn.run()
        finally:
            if self.connections.get(station_id) is conn:
                del self.connections[station_id]
                with contextlib.suppress(Exception):
                    await self.services.disconnected(station_id)

    # -- commands --------------------------------------------------------------------------

    def connection(self, station_id: str) -> StationConnection:
        conn = self.connections.get(station_id)
        if conn is None:
            raise StationNotConnected(station_id)
        return conn

    def version_of(self, station_id: str) -> OcppVersion:
        return self.connection(station_id).adapter.version

    async def execute(self, station_id: str, command: Command, timeout_s: float | None = None) -> CommandAnswer:
        """Send a neutral command in the station's own OCPP version and read its answer."""
        conn = self.connection(station_id)
        action, payload = conn.adapter.encode_command(command)
        answer = await conn.call(action, payload, timeout_s or self.settings.call_timeout_s)
        return CommandAnswer(action, conn.adapter.decode_outcome(action, answer.payload), answer.round_trip_ms)

    async def call_raw(
        self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float | None = None
    ) -> CallAnswer:
        """Send any action of the station's version with a version-specific payload."""
        conn = self.connection(station_id)
        return await conn.call(action, payload, timeout_s or self.settings.call_timeout_s)


def _basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)


def _choose_subprotocol(_connection: ServerConnection, offered: Sequence[Subprotocol]) -> Subprotocol:
    """2.0.1 when offered, else 1.6; anything else refuses the handshake (HTTP 400)."""
    chosen = select_subprotocol(list(offered))
    if chosen is None:
        raise NegotiationError(f"no supported OCPP subprotocol offered; supported: {', '.join(PREFERRED_SUBPROTOCOLS)}")
    return Subprotocol(chosen)
