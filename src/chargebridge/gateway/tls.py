"""The wss listener runs each TLS handshake itself, so that a refused one is seen and recorded.

With ``ssl=`` on the listening socket, asyncio runs the TLS handshake before any websockets code
sees the connection: a client certificate from another CA, an expired one, TLS 1.1 or no shared
cipher suite just close the socket, and nobody learns of it. Here the listener is plain TCP and
websockets is given (``create_connection=``) a connection class whose ``connection_made`` does
not start the WebSocket side (:mod:`chargebridge.gateway.listener`, which first reads a PROXY
protocol header when one is expected). Then :class:`TlsHandshakes`:

1. runs ``loop.start_tls(..., server_side=True)`` on the raw transport in a task, with the
   handshake timeout (bytes already read after a PROXY header are replayed into it first);
2. on success hands the TLS transport to websockets (``ServerConnection.connection_made``), which
   then reads the HTTP upgrade exactly as with ``ssl=``: ``get_extra_info("ssl_object")`` and
   ``peername`` answer as before;
3. on failure tells the gateway (``refused(source, exc, timed_out)``) and closes the socket.

A failed handshake is never a reason to refuse the next one from the same address before TLS:
a certificate cannot be guessed, and behind a carrier NAT the next handshake may be another,
valid station's.

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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chargebridge.gateway.listener import StagedServerConnection

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


Refused = Callable[[str, BaseException, bool], None]


class TlsHandshakes:
    def __init__(
        self,
        context: ssl.SSLContext,
        *,
        handshake_timeout_s: float,
        shutdown_timeout_s: float,
        refused: Refused,
    ):
        self.context = context
        self.handshake_timeout_s = handshake_timeout_s
        self.shutdown_timeout_s = shutdown_timeout_s
        self._refused = refused
        self._pending: dict[asyncio.Task[None], asyncio.Transport] = {}

    @property
    def pending(self) -> int:
        return len(self._pending)

    def begin(
        self, connection: StagedServerConnection, transport: asyncio.Transport, source: str, early: bytes = b""
    ) -> None:
        """Run the TLS handshake of ``transport``; ``early``: bytes of it already read (after a
        PROXY protocol header), fed to TLS before anything else."""
        # Nothing may be read before start_tls owns the transport (the ClientHello is for it).
        transport.pause_reading()
        task = asyncio.get_running_loop().create_task(self._handshake(connection, transport, source, early))
        self._pending[task] = transport
        task.add_done_callback(self._done)

    async def _handshake(
        self, connection: StagedServerConnection, transport: asyncio.Transport, source: str, replay: bytes
    ) -> None:
        early = _EarlyData()
        started = time.monotonic()
        raw: asyncio.Transport = _Replay(transport, replay) if replay else transport  # type: ignore[assignment]
        try:
            tls = await asyncio.get_running_loop().start_tls(
                raw,
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
        connection.open(tls)
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


class _Replay:
    """The raw transport, seen by ``start_tls``, with bytes that were read before it (after a PROXY
    protocol header) given to the TLS protocol first, when start_tls resumes reading."""

    _start_tls_compatible = True

    def __init__(self, transport: asyncio.Transport, data: bytes):
        self._transport = transport
        self._data = data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)

    def resume_reading(self) -> None:
        data, self._data = self._data, b""
        if data:
            feed(self._transport.get_protocol(), data)
        if not self._transport.is_closing():
            self._transport.resume_reading()


def feed(protocol: asyncio.BaseProtocol, data: bytes) -> None:
    """Deliver ``data`` to a protocol as its transport would."""
    if isinstance(protocol, asyncio.BufferedProtocol):
        view = memoryview(data)
        while view:
            buffer = memoryview(protocol.get_buffer(len(view)))
            size = min(len(buffer), len(view))
            if size == 0:
                raise RuntimeError("protocol gave an empty buffer")
            buffer[:size] = view[:size]
            protocol.buffer_updated(size)
            view = view[size:]
    elif isinstance(protocol, asyncio.Protocol):
        protocol.data_received(data)
