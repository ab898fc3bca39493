"""The wss listener runs each TLS handshake itself, so that a refused one is seen and recorded.

With ``ssl=`` on the listening socket, asyncio runs the TLS handshake before any websockets code
sees the connection: a client certificate from another CA, an expired one, TLS 1.1 or no shared
cipher suite just close the socket, and nobody learns of it. Here the listener is plain TCP and
websockets is given (``create_connection=``) a :class:`ServerConnection` subclass whose
``connection_made`` does not start the WebSocket side. Instead :class:`TlsHandshakes`:

1. refuses (aborts) the connection at once when the source address is locked out, before any
   TLS work is spent on it;
2. otherwise runs ``loop.start_tls(..., server_side=True)`` on the raw transport in a task, with
   the handshake timeout;
3. on success hands the TLS transport to websockets (``ServerConnection.connection_made``), which
   then reads the HTTP upgrade exactly as with ``ssl=``: ``get_extra_info("ssl_object")`` and
   ``peername`` answer as before;
4. on failure tells the gateway (``refused(source, exc, timed_out)``) and closes the socket.

Until step 3 the TLS protocol's application side is a small buffer: asyncio may deliver the
first application bytes (the HTTP request that follows the client's Finished message) before
``start_tls`` returns, and websockets must not see anything before ``connection_made``. Pending
handshakes are tracked and cancelled by :meth:`TlsHandshakes.close`.
"""

from __future__ import annotations

import asyncio
import logging
import ssl
import time
from collections.abc import Callable
from typing import Any, ClassVar, cast

from websockets.asyncio.server import ServerConnection

from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class _EarlyData(asyncio.Protocol):
    """The TLS transport's application protocol until websockets takes over: keeps what arrives,
    then forwards anything scheduled for it before the switch (asyncio queues connection_lost)."""

    def __init__(self) -> None:
        self.target: asyncio.Protocol | None = None
        self.chunks: list[bytes] = []
        self.eof = False
        self.lost = False
        self.lost_exc: Exception | None = None

    def data_received(self, data: bytes) -> None:
        if self.target is not None:
            self.target.data_received(data)
        else:
            self.chunks.append(data)

    def eof_received(self) -> bool | None:
        if self.target is not None:
            return self.target.eof_received()
        self.eof = True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        if self.target is not None:
            self.target.connection_lost(exc)
        else:
            self.lost, self.lost_exc = True, exc

    def pause_writing(self) -> None:
        if self.target is not None:
            self.target.pause_writing()

    def resume_writing(self) -> None:
        if self.target is not None:
            self.target.resume_writing()

    def hand_over(self, target: asyncio.Protocol) -> None:
        self.target = target
        for chunk in self.chunks:
            target.data_received(chunk)
        self.chunks.clear()
        if self.eof:
            target.eof_received()
        if self.lost:
            target.connection_lost(self.lost_exc)


class TlsServerConnection(ServerConnection):
    """A websockets server connection whose transport becomes TLS before websockets starts.

    The class attribute :attr:`handshakes` is set on a per-listener subclass
    (:meth:`TlsHandshakes.connection_class`)."""

    handshakes: ClassVar[TlsHandshakes]
    _tls_ready = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.handshakes.begin(self, cast(asyncio.Transport, transport))

    def tls_established(self, transport: asyncio.Transport) -> None:
        self._tls_ready = True
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        # The raw socket closed before TLS was up (refused, or aborted on stop): websockets never
        # saw this connection, so there is nothing of its own to tear down.
        if self._tls_ready:
            super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._tls_ready:
            super().data_received(data)

    def eof_received(self) -> None:
        if self._tls_ready:
            super().eof_received()


Refused = Callable[[str, BaseException, bool], None]


class TlsHandshakes:
    def __init__(
        self,
        context: ssl.SSLContext,
        *,
        handshake_timeout_s: float,
        shutdown_timeout_s: float,
        locked_out: Callable[[str], bool],
        refused: Refused,
    ):
        self.context = context
        self.handshake_timeout_s = handshake_timeout_s
        self.shutdown_timeout_s = shutdown_timeout_s
        self._locked_out = locked_out
        self._refused = refused
        self._pending: dict[asyncio.Task[None], asyncio.Transport] = {}

    def connection_class(self) -> type[ServerConnection]:
        """A :class:`TlsServerConnection` bound to this listener (for ``serve(create_connection=)``)."""

        class BoundTlsServerConnection(TlsServerConnection):
            pass

        BoundTlsServerConnection.handshakes = self
        return BoundTlsServerConnection

    @property
    def pending(self) -> int:
        return len(self._pending)

    def begin(self, connection: TlsServerConnection, transport: asyncio.Transport) -> None:
        # Nothing may be read before start_tls owns the transport (the ClientHello is for it).
        transport.pause_reading()
        source = _peer_host(transport.get_extra_info("peername"))
        if self._locked_out(source):
            log.debug("TLS connection from %s refused: locked out", source)
            transport.abort()
            return
        task = asyncio.get_running_loop().create_task(self._handshake(connection, transport, source))
        self._pending[task] = transport
        task.add_done_callback(self._done)

    async def _handshake(self, connection: TlsServerConnection, transport: asyncio.Transport, source: str) -> None:
        early = _EarlyData()
        started = time.monotonic()
        try:
            tls = await asyncio.get_running_loop().start_tls(
                transport,
                early,
                self.context,
                server_side=True,
                ssl_handshake_timeout=self.handshake_timeout_s,
                ssl_shutdown_timeout=self.shutdown_timeout_s,
            )
        except asyncio.CancelledError:
            transport.abort()
            raise
        except Exception as exc:  # ssl.SSLError, ConnectionError, the handshake timeout ...
            transport.abort()
            timed_out = time.monotonic() - started >= self.handshake_timeout_s
            self._refused(source, exc, timed_out)
            return
        if tls is None:  # the transport closed under us
            transport.abort()
            return
        tls.set_protocol(connection)
        connection.tls_established(tls)
        early.hand_over(connection)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._pending.pop(task, None)
        if not task.cancelled() and task.exception() is not None:
            log.error("TLS handshake task failed", exc_info=task.exception())

    async def close(self) -> None:
        """Cancel the handshakes in progress and drop their sockets."""
        pending = list(self._pending.items())
        for task, transport in pending:
            task.cancel()
            transport.abort()
        if pending:
            await asyncio.gather(*(cancel_and_wait(task, timeout_s=2.0) for task, _ in pending))


def _peer_host(peername: Any) -> str:
    return str(peername[0]) if isinstance(peername, tuple) and peername else "unknown"
