"""The OCPP-J WebSocket server: ``ws://HOST:PORT/ocpp/{station_id}`` and, with TLS configured,
``wss://HOST:TLS_PORT/ocpp/{station_id}``.

Handshake rules (checked before the upgrade, so a refused station never gets a socket):
the path must name one valid station id (HTTP 400); a (source address, station id) pair with
too many recent authentication failures is locked out (HTTP 429); the station must be
registered unless auto-registration is on (HTTP 404 otherwise, and HTTP 429 once the source
address sent too many handshakes for unknown ids: a known station is never refused for
that); then the station's security profile decides
(see :mod:`chargebridge.security.profiles`): profile 0 needs nothing (and is refused with 403
when security is required), 1 needs HTTP Basic credentials with the station id as user name
(401 otherwise), 2 needs the same over TLS (403 on the plain port), 3 needs TLS and a client
certificate from the configured CA whose subject CN is the station id (403 otherwise); the
charger must offer ``ocpp2.0.1`` or ``ocpp1.6`` (2.0.1 preferred; none -> HTTP 400).

A second, fully admitted connection with the same station id replaces the first: the new
socket becomes the station's, the old one is closed with code 1000 "replaced by a new
connection", and the old socket's close never marks the station disconnected. A refused
handshake never touches the live connection. Replacements are recorded as security events and
limited by :class:`chargebridge.security.replacement.ReplacementPolicy` (an authenticated
connection always beats an unauthenticated one, a reconnect from the same or the station's
established address is never limited, a flapping address gets HTTP 429 and the live
connection stays).

The source address is the TCP peer's, or, when the peer is a trusted proxy, the client named in
its PROXY protocol header (:mod:`chargebridge.gateway.listener`) or X-Forwarded-For
(:mod:`chargebridge.gateway.proxy`).

On the TLS port the gateway runs the TLS handshake itself (:mod:`chargebridge.gateway.tls`): a
failed handshake (client certificate of another CA or expired, TLS below 1.2, no shared cipher
suite) is recorded as a security event without a station, with the source address, and counts
as a probe of that address (like an unknown station id).

Cluster mode (:mod:`chargebridge.cluster`): ``Gateway.peers`` is the rest of the network. The
replacement rules are decided on the station's presence entry (so they hold across nodes), and
an admitted connection writes the entry (its claim) during the handshake, before the 101 is
sent (websockets' ``process_response``): once a station's handshake has completed on one node,
a second one on any node is decided on it. A station taken over from another node has its old
socket closed there by the claim (before the 101 too). A claim whose socket never opens (the
handshake failed after it, the client went away, the 101 could not be sent) is released: the
entry is vacated if it is still that handshake's, or given back to this node's live socket of
the station it was to replace. With NATS away the handshake is not held up: the entry is
written when NATS is back. A command for a station whose socket another node holds is sent
there (``execute``/``call_raw`` route it, so every capability's commands do).

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
import time
import weakref
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
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
    FrameTap,
    NeutralAnswerer,
    RequestHandler,
    StationConnection,
)
from chargebridge.gateway.keepalive import KeepaliveWheel
from chargebridge.gateway.listener import Listener
from chargebridge.gateway.proxy import TrustedProxies, parse_networks
from chargebridge.gateway.station_ids import InvalidStationId, parse_station_path
from chargebridge.gateway.tls import TlsHandshakes
from chargebridge.rpc import OcppVersion, RpcEndpoint, StationNotConnected, schemas_for
from chargebridge.rpc.endpoint import RelaxHook
from chargebridge.rpc.version import PREFERRED_SUBPROTOCOLS, select_subprotocol
from chargebridge.security.certificates import record_client_certificate
from chargebridge.security.profiles import Refusal, SecurityEvent, check_profile, effective_profile, tls_refusal
from chargebridge.security.ratelimit import FailureLimiter
from chargebridge.security.replacement import ReplacementPolicy, Session, Verdict
from chargebridge.security.rotation import password_from_authorization_key
from chargebridge.security.secrets import hash_password, needs_rehash
from chargebridge.security.tls import CertKeyPair, server_context
from chargebridge.services.clock import Clock
from chargebridge.store.database import StoreUnavailable
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
    # Per (source address, station id): this many authentication failures within the window -> locked out.
    auth_failure_limit: int = 10
    auth_failure_window_s: float = 60.0
    auth_lockout_s: float = 60.0
    # Per source address: this many handshakes naming no known station (unknown ids, failed TLS
    # handshakes) within the window -> its unknown-id handshakes get 429 for probe_lockout_s.
    probe_limit: int = 10
    probe_window_s: float = 60.0
    probe_lockout_s: float = 60.0
    # Per (station, source address): replacements of a live connection within the window (see
    # security/replacement.py for the reconnects that are never counted).
    replacement_limit: int = 10
    replacement_window_s: float = 60.0
    # Proxies (addresses or networks) whose X-Forwarded-For / PROXY protocol header is believed.
    trusted_proxies: tuple[str, ...] = ()
    proxy_protocol: bool = False
    # Subprotocols in order of preference when a charger offers several (the translating gateway
    # prefers its upstream's version: a station that can speak it is passed through).
    subprotocols: tuple[str, ...] = PREFERRED_SUBPROTOCOLS


@dataclass(frozen=True, slots=True)
class PeerVerdict:
    """The replacement verdict the cluster reached for a new connection (see Peers.decide)."""

    verdict: Verdict
    live_source: str | None  # the connection that would be replaced, wherever it is
    claim: Any  # what Peers.claim needs to write the station's entry


@dataclass(frozen=True, slots=True)
class Opening:
    """An admitted connection as the cluster records it, known before its socket exists (its
    claim is written before the 101). Claims are told apart by ``session`` (its identity: each
    handshake has its own), so a release only vacates its own claim."""

    station_id: str
    version: str  # OCPP version of the chosen subprotocol ("1.6" | "2.0.1")
    session: Session


class Peers(Protocol):
    """The other nodes of a cluster (``chargebridge.cluster.node.ClusterNode``); None on one node."""

    async def decide(
        self, station_id: str, source: str, *, authenticated: bool, local: Session | None
    ) -> PeerVerdict | None:
        """The replacement verdict on the network's state; None when the cluster cannot be
        asked now (the gateway then decides from what this node knows)."""
        ...

    async def claim(self, opening: Opening, verdict: PeerVerdict | None) -> str | None:
        """The connection is ours (called during its handshake, before the 101): record it; a
        live socket on another node is closed there (its source is returned for the security
        event). Raises when the record cannot be written now (it is written later)."""
        ...

    async def release(self, opening: Opening, *, back_to: Opening | None = None) -> bool:
        """``opening``'s socket closed, or never opened after its claim: vacate its record if it
        is still its own (``back_to``: this node's live socket of the station, which the one that
        never opened was to replace: the record is that one's again). False when another node
        holds the station now (not a disconnect)."""
        ...

    def version_elsewhere(self, station_id: str) -> OcppVersion | None:
        """The OCPP version of the station's socket on another node, None when it has none."""
        ...

    async def call(self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float) -> CallAnswer:
        """A CALL to a station whose socket another node holds, answered or raised as locally."""
        ...

    async def close_elsewhere(self, station_id: str, reason: str) -> bool: ...

    def connected_count(self) -> int:
        """Stations connected to any node of the network."""
        ...


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


# Sends one command type its own way (e.g. split into several CALLs): (station_id, command, timeout_s).
CommandExecutor = Callable[[str, Any, float | None], Awaitable[CommandAnswer]]


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
        self._listeners: list[Listener] = []
        self._handlers = BackgroundTasks(log, "background security task failed")
        self._admitted: weakref.WeakKeyDictionary[ServerConnection, _Admission] = weakref.WeakKeyDictionary()
        self.keepalive = KeepaliveWheel(settings.ping_interval_s, settings.ping_timeout_s)
        self.trusted_proxies = TrustedProxies(parse_networks(settings.trusted_proxies))
        if settings.proxy_protocol and not self.trusted_proxies:
            raise ValueError("the PROXY protocol needs trusted proxies (trusted_proxies)")
        # Bad credentials: per (source address, station id), so one station's failures never lock out another.
        self.auth_failures: FailureLimiter[tuple[str, str]] = FailureLimiter(
            settings.auth_failure_limit, settings.auth_failure_window_s, settings.auth_lockout_s, max_keys=100_000
        )
        # Handshakes that name no known station: per source address; only unknown ids are refused for it.
        self.probes: FailureLimiter[str] = FailureLimiter(
            settings.probe_limit, settings.probe_window_s, settings.probe_lockout_s
        )
        self.replacements = ReplacementPolicy(settings.replacement_limit, settings.replacement_window_s)
        self._executors: dict[type, CommandExecutor] = {}
        # Cluster mode: the other nodes (set by the composition root before start()).
        self.peers: Peers | None = None
        # Observers of one station's frames (see tap()); handshakes refused for a while (hold_off()).
        self._taps: dict[str, FrameTap] = {}
        self._held_off: dict[str, float] = {}

    def tap(self, station_id: str, observer: FrameTap | None) -> None:
        """Give every frame exchanged with ``station_id`` (on this and any later socket) to
        ``observer`` until it is removed (None). One observer per station; frames of other
        stations cost one dictionary lookup."""
        if observer is None:
            self._taps.pop(station_id, None)
        elif self._taps.get(station_id, observer) is not observer:
            raise ValueError(f"{station_id} already has a frame observer")
        else:
            self._taps[station_id] = observer

    def hold_off(self, station_id: str, seconds: float) -> None:
        """Refuse ``station_id``'s handshakes with 503 for ``seconds`` (0: no longer). The
        validation bench keeps a station offline this way after dropping its socket."""
        if seconds <= 0:
            self._held_off.pop(station_id, None)
        else:
            self._held_off[station_id] = time.monotonic() + seconds

    def register_executor(self, command_type: type, executor: CommandExecutor) -> None:
        """Send every ``command_type`` command through ``executor`` (which sends its CALLs with
        :meth:`execute_single`), e.g. the device model splitting GetVariables by the station's limits."""
        if command_type in self._executors:
            raise ValueError(f"{command_type.__name__} already has an executor")
        self._executors[command_type] = executor

    async def start(self) -> int:
        for version in self.adapters:
            schemas_for(version).warm()
        self.keepalive.start()
        tls_context = self._tls_context()
        self._server = await self._serve(self.settings.port, self._listener(None))
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        log.info("OCPP gateway listening on ws://%s:%s/ocpp/{station_id}", self.settings.host, self.port)
        if tls_context is not None and self.settings.tls_port is not None:
            self._tls_handshakes = TlsHandshakes(
                tls_context,
                handshake_timeout_s=self.settings.open_timeout_s,
                shutdown_timeout_s=self._close_timeout_s(),
                refused=self._tls_refused,
            )
            self._tls_server = await self._serve(self.settings.tls_port, self._listener(self._tls_handshakes))
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

    def _listener(self, tls: TlsHandshakes | None) -> Listener:
        listener = Listener(
            trusted=self.trusted_proxies,
            proxy_protocol=self.settings.proxy_protocol,
            tls=tls,
            timeout_s=self.settings.open_timeout_s,
        )
        self._listeners.append(listener)
        return listener

    async def _serve(self, port: int, listener: Listener) -> Server:
        # No ``ssl=``: on the TLS port the connection class runs the TLS handshake itself (after
        # the PROXY protocol header when one is expected).
        extra: dict[str, Any] = {}
        if listener.staged:
            extra = {"create_connection": listener.connection_class()}
        tls = listener.tls is not None
        return await serve(
            self._handle,
            self.settings.host,
            port,
            subprotocols=[Subprotocol(sub) for sub in self.settings.subprotocols],
            select_subprotocol=functools.partial(_choose_subprotocol, preferred=self.settings.subprotocols),
            process_request=functools.partial(self._process_request, tls=tls),
            process_response=self._process_response,
            max_size=self.settings.max_frame_bytes,
            # keepalive: one timer wheel for every socket (gateway/keepalive.py), not a task per socket
            ping_interval=None,
            ping_timeout=None,
            close_timeout=self._close_timeout_s(),
            open_timeout=self.settings.open_timeout_s,
            server_header="chargebridge",
            **extra,
        )

    async def drain(self, timeout_s: float) -> None:
        """Graceful shutdown: stop accepting (an opening handshake gets 503), answer the CALLs each
        station already sent for at most ``timeout_s``, then close every socket with 1001."""
        for server in (self._server, self._tls_server):
            if server is not None:
                server.close(close_connections=False)
        connections = list(self.connections.values())
        if connections:
            await asyncio.gather(*(conn.drain(timeout_s) for conn in connections), return_exceptions=True)

    async def stop(self) -> None:
        for server in (self._server, self._tls_server):
            if server is not None:
                server.close(close_connections=True)
        for listener in self._listeners:
            await listener.close()
        for server in (self._server, self._tls_server):
            if server is not None:
                await server.wait_closed()
        self._server = self._tls_server = None
        self._listeners.clear()
        await self.keepalive.stop()

    # -- handshake -------------------------------------------------------------------------

    def client_address(self, connection: ServerConnection, request: Request) -> str:
        """The client's address: the peer's, or (behind a trusted proxy) the one its PROXY protocol
        header or X-Forwarded-For names."""
        peer = _source_address(connection)
        return self.trusted_proxies.client_address(peer, request.headers.get_all("X-Forwarded-For"))

    async def _process_request(
        self, connection: ServerConnection, request: Request, *, tls: bool = False
    ) -> Response | None:
        try:
            station_id = parse_station_path(request.path)
        except InvalidStationId as exc:
            self.stats.count_refusal("InvalidPath")
            status = HTTPStatus.NOT_FOUND if not request.path.startswith("/ocpp/") else HTTPStatus.BAD_REQUEST
            return connection.respond(status, f"{exc}\n")
        held = self._held_off.get(station_id)
        if held is not None:
            if held > time.monotonic():
                self.stats.count_refusal("HeldOff")
                return _respond(
                    connection, Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "try again later"), held - time.monotonic()
                )
            del self._held_off[station_id]
        source = self.client_address(connection, request)
        wait = self.auth_failures.retry_after((source, station_id))
        if wait is not None:
            self.stats.count_refusal("LockedOut")
            return _respond(connection, Refusal(HTTPStatus.TOO_MANY_REQUESTS, "too many failed attempts"), wait)
        try:
            station = await self.store.get_station_for_connect(station_id)
        except StoreUnavailable:  # the outage is logged once by the store's health monitor
            return _respond(connection, Refusal(HTTPStatus.SERVICE_UNAVAILABLE, "database unavailable"), 10)
        if station is None:
            if not self.settings.auto_register or self.settings.require_security:
                return self._unknown_station(connection, source, station_id)
            station = await self.store.add_station(station_id, now=self.clock.now(), if_missing=True)
            log.warning(
                "%s: auto-registered at security profile 0: it connects without any authentication (from %s)",
                station_id,
                source,
            )
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
        refused, claim = await self._check_replacement(connection, station_id, source, tls, profile)
        if refused is not None:
            return refused
        # read once: the services need the row when the socket opens
        self._admitted[connection] = _Admission(station_id, station, source, profile >= 1, claim)
        if profile == 3 and ssl_object is not None:
            # The certificate inventory (expiry listing, renewal) knows every client certificate in use.
            der = ssl_object.getpeercert(binary_form=True)
            if der:
                self._background(record_client_certificate(self.store, station_id, der, self.clock.now()))
        return None

    async def _process_response(self, connection: ServerConnection, request: Request, response: Response) -> None:
        """Cluster mode: an admitted connection is about to get its 101: write its claim first, so
        a handshake of the station on any node from now on is decided on it."""
        if self.peers is None or response.status_code != HTTPStatus.SWITCHING_PROTOCOLS:
            return
        admission = self._admitted.get(connection)
        task = asyncio.current_task()
        if admission is None or task is None:
            return
        version = OcppVersion.from_subprotocol(connection.subprotocol or "")
        session = Session(admission.source, admission.authenticated, self.replacements.now())
        admission.opening = opening = Opening(admission.station_id, version.value, session)
        # The handshake's task ends without _handle having taken the admission: the socket never
        # opened (handshake failed or timed out after this, client gone, 101 not sent).
        task.add_done_callback(lambda _: self._handshake_over(connection))
        await self._claim(connection, opening, admission.claim)

    def _handshake_over(self, connection: ServerConnection) -> None:
        admission = self._admitted.pop(connection, None)
        if admission is not None and admission.opening is not None:
            self._background(self._abandon(admission.opening))

    async def _abandon(self, opening: Opening) -> None:
        """A claim whose socket never opened: released, or given back to our live socket of the
        station if we have one (the claim was to replace it)."""
        assert self.peers is not None
        station_id = opening.station_id
        live = self.connections.get(station_id)
        back_to = Opening(station_id, live.version, live.session) if live is not None and live.session else None
        log.info("%s: the connection from %s never opened; releasing its claim", station_id, opening.session.source)
        try:
            await self.peers.release(opening, back_to=back_to)
        except Exception:
            log.exception("%s: cluster release failed", station_id)

    def _unknown_station(self, connection: ServerConnection, source: str, station_id: str) -> Response:
        """404, or 429 once ``source`` probed too many unknown ids (never applied to known stations)."""
        wait = self.probes.retry_after(source)
        if wait is not None:
            self.stats.count_refusal("ProbeLimited")
            refusal = Refusal(HTTPStatus.TOO_MANY_REQUESTS, "too many handshakes for unknown stations")
            return _respond(connection, refusal, wait)
        self.stats.count_refusal("UnknownStation")
        log.info("handshake from %s refused: unknown station %r", source, station_id)
        self._count_probe(source)
        return connection.respond(HTTPStatus.NOT_FOUND, "unknown station\n")

    async def _check_replacement(
        self, connection: ServerConnection, station_id: str, source: str, tls: bool, profile: int
    ) -> tuple[Response | None, PeerVerdict | None]:
        live = self.connections.get(station_id)
        local = live.session if live is not None else None
        peer = None
        if self.peers is not None:  # the rules on the network's state (the live socket may be on another node)
            peer = await self.peers.decide(station_id, source, authenticated=profile >= 1, local=local)
        if peer is not None:
            verdict, live_source = peer.verdict, peer.live_source
        else:
            verdict = self.replacements.decide(station_id, local, source, authenticated=profile >= 1)
            live_source = local.source if local is not None else None
        if not verdict.refused:
            return None, peer
        assert live_source is not None
        if verdict is Verdict.UNAUTHENTICATED:
            self.stats.count_refusal("ReplacementUnauthenticated")
            reason = "an authenticated connection holds this station"
            status = HTTPStatus.CONFLICT
        else:
            self.stats.count_refusal(SecurityEvent.TAKEOVER_LIMITED.value)
            reason = "too many replacements from this address"
            status = HTTPStatus.TOO_MANY_REQUESTS
        self.stats.replacements_refused += 1
        self.record_security_event(
            station_id,
            SecurityEvent.TAKEOVER_LIMITED,
            source,
            tls,
            profile,
            reason,
            live_source=live_source,
        )
        log.warning(
            "%s: replacement from %s refused (%s); the connection from %s stays",
            station_id,
            source,
            reason,
            live_source,
        )
        retry = self.replacements.window_s if status == HTTPStatus.TOO_MANY_REQUESTS else None
        return _respond(connection, Refusal(status, reason), retry), peer

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
        cache = self.store.station_cache
        if password_hash and cache.verified(station_id, password, password_hash):
            return None  # the same password proved against the same hash a moment ago: no argon2 again
        # argon2 costs a few ms of CPU: keep it off the event loop.
        matched = await asyncio.to_thread(self._match_password, password, hashes)
        if matched is not None and matched[0] == password_hash and not needs_rehash(password_hash):
            cache.remember_verified(station_id, password, password_hash)
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
        self.stats.count_refusal(refusal.event.value if refusal.event is not None else f"Http{refusal.status.value}")
        if refusal.counts:
            self._count_failure(source, station_id)
        if refusal.event is not None:
            self.record_security_event(station_id, refusal.event, source, tls, profile, refusal.reason)
        return _respond(connection, refusal)

    def _count_failure(self, source: str, station_id: str) -> None:
        if self.auth_failures.failure((source, station_id)):
            log.warning(
                "%s: source %s locked out for %.0f s after repeated failures (other stations on that address are not)",
                station_id,
                source,
                self.settings.auth_lockout_s,
            )

    def _count_probe(self, source: str) -> None:
        if self.probes.failure(source):
            log.warning(
                "source %s: unknown station ids refused for %.0f s after %d probes (known stations still connect)",
                source,
                self.settings.probe_lockout_s,
                self.settings.probe_limit,
            )

    def _tls_refused(self, source: str, exc: BaseException, timed_out: bool) -> None:
        """A TLS handshake on the wss port failed (see :mod:`chargebridge.gateway.tls`)."""
        refusal = tls_refusal(exc, timed_out=timed_out)
        if refusal is None:
            log.debug("TLS connection from %s closed during the handshake (%s)", source, type(exc).__name__)
            return
        log.warning("TLS handshake from %s refused: %s", source, refusal.tech_info)
        self.stats.count_refusal(refusal.event.value)
        if refusal.counts:
            self._count_probe(source)
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
        admission = self._admitted.pop(ws, None)  # first: the socket is open, its claim is this handler's
        station_id = parse_station_path(ws.request.path if ws.request else "")
        version = OcppVersion.from_subprotocol(ws.subprotocol or "")
        adapter = self.adapters[version]
        relax = self.relax_for(station_id) if self.relax_for is not None else None
        endpoint = RpcEndpoint(schemas_for(version), accepts=self.answerer.accepts(version), relax=relax)
        conn = StationConnection(station_id, ws, endpoint, adapter, self.answerer, self.stats, self._taps)
        keepalive = self.keepalive.add(ws)
        source = admission.source if admission is not None else (conn.remote_address or "unknown")
        conn.remote_address = source
        opening = admission.opening if admission is not None else None
        claimed = opening is not None
        if opening is None:  # not claimed during the handshake (no cluster then, or no admission)
            authenticated = admission.authenticated if admission is not None else False
            opening = Opening(station_id, version.value, Session(source, authenticated, self.replacements.now()))
        session = conn.session = opening.session
        previous = self.connections.get(station_id)
        self.connections[station_id] = conn
        if previous is not None:
            self.stats.replacements += 1
            previous_source = previous.session.source if previous.session is not None else previous.remote_address
            log.warning(
                "%s: new connection from %s replaces the live one (from %s)", station_id, source, previous_source
            )
            self.record_security_event(
                station_id,
                SecurityEvent.CONNECTION_REPLACED,
                source,
                _is_tls(ws),
                None,
                previous_source=previous_source,
                authenticated=session.authenticated,
            )
            self._handlers.spawn(previous.close(1000, "replaced by a new connection"))
        try:
            if self.peers is not None and not claimed:
                await self._claim(ws, opening, admission.claim if admission is not None else None)
            await self.services.connected(
                station_id, version.value, admission.station if admission is not None else None
            )
            log.info("%s connected (OCPP %s from %s)", station_id, version.value, source)
            await conn.run()
        finally:
            self.keepalive.discard(keepalive)
            self.replacements.ended(station_id, session)
            if self.connections.get(station_id) is conn:
                log.info("%s disconnected (close code %s)", station_id, ws.close_code)
                del self.connections[station_id]
                # In a cluster the station may be on another node already: then it did not disconnect.
                if self.peers is None or await self._released(opening):
                    with contextlib.suppress(Exception):
                        await self.services.disconnected(station_id)

    async def _claim(self, ws: ServerConnection, opening: Opening, verdict: PeerVerdict | None) -> None:
        """Cluster mode: record that this node holds the station (before the 101); a socket
        another node held is closed there (a replacement, recorded like a local one)."""
        assert self.peers is not None
        try:
            replaced = await self.peers.claim(opening, verdict)
        except Exception as exc:  # NATS away: the node writes the entry when it is back
            log.warning("%s: could not record the connection in the cluster yet: %s", opening.station_id, exc)
            return
        if replaced is not None:
            self.stats.replacements += 1
            source = opening.session.source
            log.warning(
                "%s: new connection from %s replaces the one on another node (from %s)",
                opening.station_id,
                source,
                replaced,
            )
            self.record_security_event(
                opening.station_id,
                SecurityEvent.CONNECTION_REPLACED,
                source,
                _is_tls(ws),
                None,
                previous_source=replaced,
                authenticated=opening.session.authenticated,
            )

    async def _released(self, opening: Opening) -> bool:
        assert self.peers is not None
        try:
            return await self.peers.release(opening)
        except Exception:
            log.exception("%s: cluster release failed", opening.station_id)
            return True

    async def drop(self, station_id: str, reason: str = "replaced by a new connection") -> bool:
        """Close our socket of the station without marking it disconnected (another node holds
        it now). False when this node has none."""
        conn = self.connections.pop(station_id, None)
        if conn is None:
            return False
        log.warning("%s: %s (on another node); closing the socket here", station_id, reason)
        self._handlers.spawn(conn.close(1000, reason))
        return True

    # -- commands --------------------------------------------------------------------------

    def connection(self, station_id: str) -> StationConnection:
        """This node's socket of the station (commands should use execute/call_raw, which also
        reach a station on another node)."""
        conn = self.connections.get(station_id)
        if conn is None:
            raise StationNotConnected(station_id)
        return conn

    def is_connected(self, station_id: str) -> bool:
        """Whether the station has a live socket on this node or (cluster mode) on any node."""
        if station_id in self.connections:
            return True
        return self.peers is not None and self.peers.version_elsewhere(station_id) is not None

    def connected_count(self) -> int:
        """Stations connected to the network (this node's own: ``len(connections)``)."""
        return self.peers.connected_count() if self.peers is not None else len(self.connections)

    def version_of(self, station_id: str) -> OcppVersion:
        conn = self.connections.get(station_id)
        if conn is not None:
            return conn.adapter.version
        version = self.peers.version_elsewhere(station_id) if self.peers is not None else None
        if version is None:
            raise StationNotConnected(station_id)
        return version

    async def execute(self, station_id: str, command: Command, timeout_s: float | None = None) -> CommandAnswer:
        """Send a neutral command in the station's own OCPP version and read its answer (through
        the executor registered for its type, if any)."""
        executor = self._executors.get(type(command))
        if executor is not None:
            return await executor(station_id, command, timeout_s)
        return await self.execute_single(station_id, command, timeout_s)

    async def execute_single(self, station_id: str, command: Command, timeout_s: float | None = None) -> CommandAnswer:
        """Send a neutral command as one CALL and read its answer (on whichever node holds its socket)."""
        adapter = self.adapters[self.version_of(station_id)]
        action, payload = adapter.encode_command(command)
        answer = await self.call_raw(station_id, action, payload, timeout_s)
        return CommandAnswer(action, adapter.decode_outcome(action, answer.payload), answer.round_trip_ms)

    async def call_raw(
        self,
        station_id: str,
        action: str,
        payload: dict[str, Any],
        timeout_s: float | None = None,
        *,
        validate: bool = True,
    ) -> CallAnswer:
        """Send any action of the station's version with a version-specific payload (``validate``
        False: not checked against the schema, for a deliberately malformed request; a CALL routed
        to another node is always checked)."""
        timeout = timeout_s or self.settings.call_timeout_s
        conn = self.connections.get(station_id)
        if conn is not None:
            return await conn.call(action, payload, timeout, validate=validate)
        if self.peers is None:
            raise StationNotConnected(station_id)
        return await self.peers.call(station_id, action, payload, timeout)

    async def call_local(self, station_id: str, action: str, payload: dict[str, Any], timeout_s: float) -> CallAnswer:
        """A CALL another node routed here: only this node's socket (never routed on)."""
        return await self.connection(station_id).call(action, payload, timeout_s)

    async def disconnect(self, station_id: str, reason: str) -> bool:
        """Close the station's socket wherever it is (e.g. the station was deregistered)."""
        conn = self.connections.get(station_id)
        if conn is not None:
            await conn.close(1000, reason)
            return True
        return self.peers is not None and await self.peers.close_elsewhere(station_id, reason)


@dataclass(slots=True)
class _Admission:
    """What the handshake learnt, for when the socket opens."""

    station_id: str
    station: dict[str, Any]
    source: str
    authenticated: bool
    claim: PeerVerdict | None = None  # cluster mode: the verdict the station's entry is written with
    opening: Opening | None = None  # cluster mode: claimed before the 101 (process_response)


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
