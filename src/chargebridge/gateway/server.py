"""The OCPP-J WebSocket server: ``ws://HOST:PORT/ocpp/{station_id}`` and, with TLS configured,
``wss://HOST:TLS_PORT/ocpp/{station_id}``.

Handshake rules (checked before the upgrade, so a refused station never gets a socket):
a source address with too many recent authentication failures is locked out (HTTP 429);
the path must name one valid station id; the station must be registered unless
auto-registration is on (HTTP 404 otherwise); then the station's security profile decides
(see :mod:`chargebridge.security.profiles`): profile 0 needs nothing (and is refused with 403
when security is required), 1 needs HTTP Basic credentials with the station id as user name
(401 otherwise), 2 needs the same over TLS (403 on the plain port), 3 needs TLS and a client
certificate from the configured CA whose subject CN is the station id (403 otherwise); the
charger must offer ``ocpp2.0.1`` or ``ocpp1.6`` (2.0.1 preferred; none -> HTTP 400).

A second, fully authenticated connection with the same station id replaces the first: the new
socket becomes the station's, the old one is closed with code 1000 "replaced by a new
connection", and the old socket's close never marks the station disconnected. A refused
handshake never touches the live connection. Replacements are recorded as security events
and limited per station (HTTP 429 beyond the limit, the live connection stays).

On the TLS port the gateway runs the TLS handshake itself (:mod:`chargebridge.gateway.tls`): a
source that is locked out is refused before TLS, and a failed handshake (client certificate of
another CA or expired, TLS below 1.2, no shared cipher suite) is recorded as a security event
without a station, with the source address, and counts towards that source's lockout.

Password rotation (:mod:`chargebridge.gateway.passwords`): a station at profile 1 or 2 may log
in with its password or with the pending one it was sent; the first login with the pending one
makes it the password and the old one stops working. Every security event the gateway records
is also published on the bus (``security.recorded``).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import functools
import logging
import ssl
import weakref
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any, Protocol

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import NegotiationError
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from chargebridge.bus.memory import EventBus
from chargebridge.domain.adapter import VersionAdapter
from chargebridge.domain.commands import Command, CommandOutcome
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.gateway.connection import (
    CallAnswer,
    CallAnswerer,
    ConnectionStats,
    NeutralAnswerer,
    RequestHandler,
    StationConnection,
)
from chargebridge.gateway.station_ids import InvalidStationId, parse_station_path
from chargebridge.gateway.tls import TlsHandshakes
from chargebridge.rpc import OcppVersion, RpcEndpoint, StationNotConnected, schemas_for
from chargebridge.rpc.endpoint import RelaxHook
from chargebridge.rpc.version import PREFERRED_SUBPROTOCOLS, select_subprotocol
from chargebridge.security.certificates import record_client_certificate
from chargebridge.security.profiles import Refusal, SecurityEvent, check_profile, effective_profile, tls_refusal
from chargebridge.security.ratelimit import EventLimiter, FailureLimiter
from chargebridge.security.rotation import password_from_authorization_key
from chargebridge.security.secrets import hash_password, needs_rehash
from chargebridge.security.tls import CertKeyPair, server_context
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Row, Store
from chargebridge.tasks import BackgroundTasks

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
    # TLS listener (security profiles 2 and 3): port, (certificate, key) file pairs, client CA.
    tls_port: int | None = None
    tls_chains: tuple[tuple[str, str], ...] = ()
    tls_ca_file: str | None = None
    require_security: bool = False
    # Per source address: this many authentication failures within the window -> locked out.
    auth_failure_limit: int = 10
    auth_failure_window_s: float = 60.0
    auth_lockout_s: float = 60.0
    # Per station: at most this many replacements of a live connection within the window.
    takeover_limit: int = 5
    takeover_window_s: float = 60.0
    # Subprotocols in order of preference when a charger offers several (the translating gateway
    # prefers its upstream's version: a station that can speak it is passed through).
    subprotocols: tuple[str, ...] = PREFERRED_SUBPROTOCOLS


class ConnectionHooks(Protocol):
    """What the gateway tells the services about sockets (implemented by StationRequests, and by
    the translating gateway's bridges). The gateway publishes its own security events on the bus."""

    bus: EventBus

    async def connected(self, station_id: str, version: str, station: dict[str, Any] | None = None) -> None: ...

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
        *,
        answerer: CallAnswerer | None = None,
    ):
        """``answerer`` answers the stations' CALLs; by default the ``services`` do, through the
        adapters and the neutral model (then ``services`` must also be a :class:`RequestHandler`)."""
        if answerer is None:
            if not isinstance(services, RequestHandler):
                raise TypeError("without an answerer the services must answer requests (handle)")
            answerer = NeutralAnswerer(adapters, services)
        self.answerer = answerer
        self.clock = clock
        # Per-station quirk relaxation of schema violations (vendor profiles); None = strict.
        self.relax_for: Callable[[str], RelaxHook] | None = None
        self.settings = settings
        self.services = services
        self.store = store
        self.adapters = adapters
        self.verify_password = verify_password
        self.connections: dict[str, StationConnection] = {}
        self.stats = ConnectionStats()
        self.port: int | None = None
        self.tls_port: int | None = None
        self._server: Server | None = None
        self._tls_server: Server | None = None
        self._tls_handshakes: TlsHandshakes | None = None
        self._handlers = BackgroundTasks(log, "background security task failed")
        self._admitted: weakref.WeakKeyDictionary[ServerConnection, dict[str, Any]] = weakref.WeakKeyDictionary()
        self.auth_failures = FailureLimiter(
            settings.auth_failure_limit, settings.auth_failure_window_s, settings.auth_lockout_s
        )
        self.takeovers = EventLimiter(settings.takeover_limit, settings.takeover_window_s)

    async def start(self) -> int:
        for version in self.adapters:
            schemas_for(version).warm()
        tls_context = self._tls_context()
        self._server = await self._serve(self.settings.port, None)
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        log.info("OCPP gateway listening on ws://%s:%s/ocpp/{station_id}", self.settings.host, self.port)
        if tls_context is not None and self.settings.tls_port is not None:
            self._tls_handshakes = TlsHandshakes(
                tls_context,
                handshake_timeout_s=self.settings.open_timeout_s,
                shutdown_timeout_s=self._close_timeout_s(),
                locked_out=lambda source: self.auth_failures.retry_after(source) is not None,
                refused=self._tls_refused,
            )
            self._tls_server = await self._serve(self.settings.tls_port, self._tls_handshakes)
            self.tls_port = next(iter(self._tls_server.sockets)).getsockname()[1]
            log.info("OCPP gateway listening on wss://%s:%s/ocpp/{station_id}", self.settings.host, self.tls_port)
        return self.port

    @property
    def tls_pending_handshakes(self) -> int:
        """TLS handshakes in progress on the wss port (each one's socket is not yet a WebSocket)."""
        return self._tls_handshakes.pending if self._tls_handshakes is not None else 0

    def _tls_context(self) -> ssl.SSLContext | None:
        if self.settings.tls_port is None:
            return None
        if not self.settings.tls_chains:
            raise ValueError("a TLS port needs a server certificate and key (tls_cert_file, tls_key_file)")
        chains = [CertKeyPair(Path(cert), Path(key)) for cert, key in self.settings.tls_chains]
        ca_file = Path(self.settings.tls_ca_file) if self.settings.tls_ca_file else None
        return server_context(chains, ca_file)

    def _close_timeout_s(self) -> float:
        # A peer that stopped answering won't answer the close frame either: don't wait long for it.
        return min(5.0, self.settings.ping_interval_s / 4)

    async def _serve(self, port: int, tls: TlsHandshakes | None) -> Server:
        # No ``ssl=``: on the TLS port the connection class runs the TLS handshake itself.
        extra: dict[str, Any] = {}
        if tls is not None:
            extra = {"create_connection": tls.connection_class()}
        return await serve(
            self._handle,
            self.settings.host,
            port,
            subprotocols=[Subprotocol(sub) for sub in self.settings.subprotocols],
            select_subprotocol=functools.partial(_choose_subprotocol, preferred=self.settings.subprotocols),
            process_request=functools.partial(self._process_request, tls=tls is not None),
            max_size=self.settings.max_frame_bytes,
            ping_interval=self.settings.ping_interval_s,
            ping_timeout=self.settings.ping_timeout_s,
            close_timeout=self._close_timeout_s(),
            open_timeout=self.settings.open_timeout_s,
            server_header="chargebridge",
            **extra,
        )

    async def stop(self) -> None:
        for server in (self._server, self._tls_server):
            if server is not None:
                server.close(close_connections=True)
                if server is self._tls_server and self._tls_handshakes is not None:
                    await self._tls_handshakes.close()
                await server.wait_closed()
        self._server = self._tls_server = None

    # -- handshake -------------------------------------------------------------------------

    async def _process_request(
        self, connection: ServerConnection, request: Request, *, tls: bool = False
    ) -> Response | None:
        source = _source_address(connection)
        wait = self.auth_failures.retry_after(source)
        if wait is not None:
            return _respond(connection, Refusal(HTTPStatus.TOO_MANY_REQUESTS, "too many failed attempts"), wait)
        try:
            station_id = parse_station_path(request.path)
        except (InvalidStationId, UnicodeDecodeError) as exc:
            status = HTTPStatus.NOT_FOUND if not request.path.startswith("/ocpp/") else HTTPStatus.BAD_REQUEST
            return connection.respond(status, f"{exc}\n")
        station = await self.store.get_station(station_id)
        if station is None:
            if not self.settings.auto_register or self.settings.require_security:
                self._count_failure(source)
                log.info("handshake from %s refused: unknown station %r", source, station_id)
                return connection.respond(HTTPStatus.NOT_FOUND, "unknown station\n")
            station = await self.store.add_station(station_id, now=self.clock.now(), if_missing=True)
        profile = effective_profile(station["security_profile"], station["password_hash"])
        ssl_object = connection.transport.get_extra_info("ssl_object") if tls else None
        user, password = _basic_credentials(request.headers.get("Authorization"))
        refusal = check_profile(
            profile,
            station_id,
            tls=tls,
            require_security=self.settings.require_security,
            ssl_object=ssl_object,
            user=user,
            has_password=password is not None,
        )
        if refusal is None and profile in (1, 2):
            refusal = await self._check_password(station_id, password or "", station, source, tls, profile)
        if refusal is not None:
            return self._refuse(connection, source, station_id, profile, tls, refusal)
        self._admitted[connection] = station  # read once: the services need it when the socket opens
        if profile == 3 and ssl_object is not None:
            # The certificate inventory (expiry listing, renewal) knows every client certificate in use.
            der = ssl_object.getpeercert(binary_form=True)
            if der:
                self._background(record_client_certificate(self.store, station_id, der, self.clock.now()))
        if station_id in self.connections and not self.takeovers.allow(station_id):
            self.record_security_event(station_id, SecurityEvent.TAKEOVER_LIMITED, source, tls, profile)
            log.warning("%s: replacement from %s refused: too many replacements", station_id, source)
            refusal = Refusal(HTTPStatus.TOO_MANY_REQUESTS, "too many reconnections")
            return _respond(connection, refusal, self.settings.takeover_window_s)
        return None

    async def _check_password(
        self, station_id: str, password: str, station: Row, source: str, tls: bool, profile: int
    ) -> Refusal | None:
        """The station's password or, during a rotation, the pending one; the first login with the
        pending one makes it the password (and the old one stops working)."""
        password_hash: str | None = station["password_hash"]
        pending_hash: str | None = station["pending_password_hash"]
        if not password_hash and not pending_hash:
            log.error("%s: security profile needs a password but none is set; refusing", station_id)
            return Refusal(HTTPStatus.UNAUTHORIZED, "authentication required", SecurityEvent.AUTH_FAILED, counts=False)
        hashes = [h for h in (password_hash, pending_hash) if h]
        # argon2 costs a few ms of CPU: keep it off the event loop.
        matched = await asyncio.to_thread(self._match_password, password, hashes)
        if matched is None:
            return Refusal(HTTPStatus.UNAUTHORIZED, "authentication required", SecurityEvent.AUTH_FAILED)
        used, given = matched
        if used == pending_hash and used != password_hash:
            try:
                activated = await self.store.activate_pending_password(station_id, used)
            except Exception:  # it proved the pending password: let it in, the next login tries again
                log.exception("%s: could not make the new password the station's password", station_id)
                activated = False
            if activated:
                log.info("%s: logged in with its new password; the old one no longer works", station_id)
                self.record_security_event(station_id, SecurityEvent.PASSWORD_ACTIVATED, source, tls, profile)
        elif needs_rehash(used):
            self._background(self._rehash(station_id, given))
        return None

    def _match_password(self, password: str, hashes: list[str]) -> tuple[str, str] | None:
        """(the matching hash, the password it matched) or None. A 1.6 station that sends its
        AuthorizationKey in hex (the key's transport form, not the password) is also let in."""
        candidates = [password]
        decoded = password_from_authorization_key(password)
        if decoded is not None and decoded != password:
            candidates.append(decoded)
        for candidate in candidates:
            for stored in hashes:
                if self.verify_password(candidate, stored):
                    return stored, candidate
        return None

    async def _rehash(self, station_id: str, password: str) -> None:
        new_hash = await asyncio.to_thread(hash_password, password)
        await self.store.update_station(station_id, password_hash=new_hash)
        log.info("%s: password hash upgraded to argon2id", station_id)

    def _refuse(
        self, connection: ServerConnection, source: str, station_id: str, profile: int, tls: bool, refusal: Refusal
    ) -> Response:
        # Never log credentials: only the station, the source and why.
        log.warning("%s: handshake from %s refused (%s): %s", station_id, source, refusal.status.value, refusal.reason)
        if refusal.counts:
            self._count_failure(source)
        if refusal.event is not None:
            self.record_security_event(station_id, refusal.event, source, tls, profile, refusal.reason)
        return _respond(connection, refusal)

    def _count_failure(self, source: str) -> None:
        if self.auth_failures.failure(source):
            log.warning("source %s locked out for %.0f s after repeated failures", source, self.settings.auth_lockout_s)

    def _tls_refused(self, source: str, exc: BaseException, timed_out: bool) -> None:
        """A TLS handshake on the wss port failed (see :mod:`chargebridge.gateway.tls`)."""
        refusal = tls_refusal(exc, timed_out=timed_out)
        if refusal is None:
            log.debug("TLS connection from %s closed during the handshake (%s)", source, type(exc).__name__)
            return
        log.warning("TLS handshake from %s refused: %s", source, refusal.tech_info)
        if refusal.counts:
            self._count_failure(source)
        self.record_security_event(None, refusal.event, source, True, None, refusal.tech_info)

    def record_security_event(
        self,
        station_id: str | None,
        kind: SecurityEvent,
        source: str,
        tls: bool,
        profile: int | None,
        reason: str | None = None,
        **extra: Any,
    ) -> None:
        """Store a security event the CSMS observed (in the background: never delays a handshake)
        and publish it on the bus as ``security.recorded``. ``station_id`` None: no station known."""
        now = self.clock.now()
        data: dict[str, Any] = {"type": kind.value, "origin": "csms", "source": source, "tls": tls}
        if profile is not None:
            data["security_profile"] = profile
        if reason:
            data["tech_info"] = reason
        data.update(extra)
        self._background(self.store.add_station_event(station_id, "security_event", now, data))
        self.services.bus.publish(DomainEvent(EventKind.SECURITY_RECORDED, station_id or "", now, dict(data)))

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        self._handlers.spawn(coro)

    # -- connection ------------------------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        station_id = parse_station_path(ws.request.path if ws.request else "")
        version = OcppVersion.from_subprotocol(ws.subprotocol or "")
        adapter = self.adapters[version]
        relax = self.relax_for(station_id) if self.relax_for is not None else None
        endpoint = RpcEndpoint(schemas_for(version), accepts=self.answerer.accepts(version), relax=relax)
        conn = StationConnection(station_id, ws, endpoint, adapter, self.answerer, self.stats)
        previous = self.connections.get(station_id)
        self.connections[station_id] = conn
        if previous is not None:
            source = conn.remote_address or "unknown"
            log.warning("%s: new connection from %s replaces the live one", station_id, source)
            self.record_security_event(station_id, SecurityEvent.CONNECTION_REPLACED, source, _is_tls(ws), None)
            self._handlers.spawn(previous.close(1000, "replaced by a new connection"))
        try:
            await self.services.connected(station_id, version.value, self._admitted.pop(ws, None))
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


def _source_address(connection: ServerConnection) -> str:
    address = connection.remote_address
    return str(address[0]) if address else "unknown"


def _is_tls(connection: ServerConnection) -> bool:
    return connection.transport.get_extra_info("ssl_object") is not None


def _respond(connection: ServerConnection, refusal: Refusal, retry_after: float | None = None) -> Response:
    response = connection.respond(refusal.status, f"{refusal.reason}\n")
    if refusal.status == HTTPStatus.UNAUTHORIZED:
        response.headers["WWW-Authenticate"] = 'Basic realm="chargebridge", charset="UTF-8"'
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
    return response


def _basic_credentials(header: str | None) -> tuple[str | None, str | None]:
    if not header or not header.lower().startswith("basic "):
        return None, None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None, None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else (None, None)


def _choose_subprotocol(
    _connection: ServerConnection, offered: Sequence[Subprotocol], preferred: tuple[str, ...] = PREFERRED_SUBPROTOCOLS
) -> Subprotocol:
    """The first of ``preferred`` offered (2.0.1, else 1.6, by default); none refuses the handshake (HTTP 400)."""
    chosen = select_subprotocol(list(offered), preferred)
    if chosen is None:
        raise NegotiationError(f"no supported OCPP subprotocol offered; supported: {', '.join(preferred)}")
    return Subprotocol(chosen)
