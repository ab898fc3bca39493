"""What happens on an accepted TCP connection before websockets reads the HTTP upgrade.

Stages, each optional, in the order the bytes arrive:

1. **PROXY protocol header** (``proxy_protocol`` on and the peer is a trusted proxy): read and
   parsed (:func:`chargebridge.gateway.proxy.parse_proxy_header`); the client address it names
   becomes the connection's ``remote_address``. A trusted peer that sends no valid header, or
   not within the handshake timeout, is dropped (logged). Untrusted peers are served directly:
   whether a header is expected depends on who connects, never on guessing from the bytes.
2. **TLS** on the wss port (:class:`chargebridge.gateway.tls.TlsHandshakes`), with the bytes
   read after the PROXY header replayed into it.
3. **websockets** (``ServerConnection.connection_made``), then the opening handshake as usual.

websockets is given :class:`StagedServerConnection` (``serve(create_connection=...)``) bound to
one :class:`Listener`; connections still in stage 1 or 2 are unknown to websockets, so the
listener tracks them and :meth:`Listener.close` drops them on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, ClassVar

from websockets.asyncio.server import ServerConnection

from chargebridge.gateway.proxy import ProxyProtocolError, TrustedProxies, parse_proxy_header
from chargebridge.gateway.tls import TlsHandshakes

log = logging.getLogger(__name__)

PROXY_HEADER_MAX_BYTES = 16 + 65535  # PROXY v2: fixed part + a 16-bit length


class StagedServerConnection(ServerConnection):
    """A websockets server connection that starts only after the listener's stages."""

    listener: ClassVar[Listener]
    _ready = False
    _client: tuple[str, int] | None = None
    _header: _ProxyHeaderStage | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.listener.begin(self, transport)  # type: ignore[arg-type]

    def open(self, transport: asyncio.Transport, early: bytes = b"") -> None:
        """The stages are done: websockets takes the connection (``early``: bytes already read)."""
        self._ready = True
        self._header = None
        super().connection_made(transport)
        if early:
            super().data_received(early)

    @property
    def remote_address(self) -> Any:
        return self._client if self._client is not None else super().remote_address

    def data_received(self, data: bytes) -> None:
        if self._ready:
            super().data_received(data)
        elif self._header is not None:
            self._header.feed(data)

    def eof_received(self) -> None:
        if self._ready:
            super().eof_received()
        elif self._header is not None:
            self._header.fail("the connection ended before the PROXY protocol header")

    def connection_lost(self, exc: Exception | None) -> None:
        # Closed before websockets had it (refused, dropped on stop, a TLS failure): websockets
        # never saw this connection, so there is nothing of its own to tear down.
        if self._ready:
            super().connection_lost(exc)
        elif self._header is not None:
            self._header.lost()


class _ProxyHeaderStage:
    def __init__(self, listener: Listener, connection: StagedServerConnection, transport: asyncio.Transport, peer: str):
        self.listener = listener
        self.connection = connection
        self.transport = transport
        self.peer = peer
        self.buffer = b""
        self.timer = asyncio.get_running_loop().call_later(listener.timeout_s, self.timed_out)

    def feed(self, data: bytes) -> None:
        self.buffer += data
        try:
            header = parse_proxy_header(self.buffer)
        except ProxyProtocolError as exc:
            self.fail(str(exc))
            return
        if header is None:
            if len(self.buffer) > PROXY_HEADER_MAX_BYTES:
                self.fail("PROXY protocol header too long")
            return
        self.done()
        source = self.peer
        if header.source is not None:
            source = header.source
            self.connection._client = (header.source, header.source_port or 0)
        self.listener.after_header(self.connection, self.transport, source, self.buffer[header.length :])

    def timed_out(self) -> None:
        self.fail("no PROXY protocol header within the handshake timeout")

    def fail(self, reason: str) -> None:
        self.done()
        log.warning("connection from trusted proxy %s dropped: %s", self.peer, reason)
        self.transport.abort()

    def lost(self) -> None:
        self.done()

    def done(self) -> None:
        self.timer.cancel()
        self.connection._header = None
        self.listener.pending.discard(self)


class Listener:
    """The stages of one listening port."""

    def __init__(
        self,
        *,
        trusted: TrustedProxies,
        proxy_protocol: bool,
        tls: TlsHandshakes | None,
        timeout_s: float,
    ):
        self.trusted = trusted
        self.proxy_protocol = proxy_protocol
        self.tls = tls
        self.timeout_s = timeout_s
        self.pending: set[_ProxyHeaderStage] = set()

    @property
    def staged(self) -> bool:
        """False when websockets can take connections directly (no stage applies to any)."""
        return self.tls is not None or (self.proxy_protocol and bool(self.trusted))

    def connection_class(self) -> type[ServerConnection]:
        """A :class:`StagedServerConnection` bound to this listener (for ``serve(create_connection=)``)."""

        class BoundServerConnection(StagedServerConnection):
            pass

        BoundServerConnection.listener = self
        return BoundServerConnection

    def begin(self, connection: StagedServerConnection, transport: asyncio.Transport) -> None:
        peer = _peer_host(transport.get_extra_info("peername"))
        if self.proxy_protocol and self.trusted.trusts(peer):
            stage = _ProxyHeaderStage(self, connection, transport, peer)
            connection._header = stage
            self.pending.add(stage)
            return
        self.after_header(connection, transport, peer, b"")

    def after_header(
        self, connection: StagedServerConnection, transport: asyncio.Transport, source: str, rest: bytes
    ) -> None:
        if self.tls is not None:
            self.tls.begin(connection, transport, source, rest)
        else:
            connection.open(transport, rest)

    async def close(self) -> None:
        for stage in list(self.pending):
            stage.done()
            stage.transport.abort()
        if self.tls is not None:
            await self.tls.close()


def _peer_host(peername: Any) -> str:
    return str(peername[0]) if isinstance(peername, tuple) and peername else "unknown"
