"""One live station socket: drives its RpcEndpoint, answers its CALLs, sends our commands.

Inbound CALLs are answered in arrival order by one worker task; replies to our CALLs are
matched as soon as they arrive. Outbound CALLs are serialised by a FIFO lock, so operator
commands to one station queue up and never interleave (OCPP-J allows one outstanding CALL).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed

from chargebridge.domain.adapter import VersionAdapter
from chargebridge.domain.requests import StationRequest, StationResponse
from chargebridge.histogram import LatencyHistogram
from chargebridge.rpc import (
    CallInProgress,
    CallReceived,
    CallRejected,
    CallTimeout,
    ErrorCode,
    ErrorReceived,
    OcppError,
    OcppVersion,
    ProtocolViolation,
    ResultReceived,
    RpcEndpoint,
    UnmatchedReply,
)
from chargebridge.security.replacement import Session
from chargebridge.store.database import StoreUnavailable
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

# Inbound CALLs waiting for an answer per connection (the spec allows one; some chargers pipeline a few).
MAX_QUEUED_CALLS = 16


# An observer of one station's frames: (direction "in" | "out", the frame as sent on the wire).
# Called synchronously on the connection's task: it must be cheap and must not raise.
FrameTap = Callable[[str, str | bytes], None]


@runtime_checkable
class RequestHandler(Protocol):
    async def handle(self, station_id: str, version: str, request: StationRequest) -> StationResponse: ...


class CallAnswerer(Protocol):
    """Answers the CALLs of every station socket of a gateway (the pluggable half of a connection).

    ``accepts`` names the actions a station of ``version`` may send (others get NotSupported from the
    rpc layer); ``answer`` returns the CALLRESULT payload for one valid CALL, or raises ``OcppError``
    for the CALLERROR to send. Anything else it raises is answered ``InternalError`` and logged."""

    def accepts(self, version: OcppVersion) -> Callable[[str], bool]: ...

    async def answer(self, conn: StationConnection, call: CallReceived) -> dict[str, Any]: ...


class NeutralAnswerer:
    """The CSMS's answerer: the station's adapter decodes the CALL into a neutral request, the
    services answer it, the adapter encodes the answer (``chargebridge serve``)."""

    def __init__(self, adapters: Mapping[OcppVersion, VersionAdapter], handler: RequestHandler):
        self.adapters = adapters
        self.handler = handler

    def accepts(self, version: OcppVersion) -> Callable[[str], bool]:
        return self.adapters[version].accepts

    async def answer(self, conn: StationConnection, call: CallReceived) -> dict[str, Any]:
        decoded = conn.adapter.decode(call.action, call.payload)
        response = await self.handler.handle(conn.station_id, conn.version, decoded.request)
        return conn.adapter.encode_response(call.action, response)


@dataclass(slots=True)
class ConnectionStats:
    calls_in: int = 0
    calls_out: int = 0
    errors_sent: int = 0
    protocol_violations: int = 0
    unmatched_replies: int = 0
    by_action: dict[str, int] = field(default_factory=dict)
    # inbound CALLs by (action, "ok" | the CALLERROR code sent)
    by_action_result: dict[tuple[str, str], int] = field(default_factory=dict)
    # our CALLs by (action, "answered" | "callerror" | "timeout" | "disconnected")
    calls_out_by_result: dict[tuple[str, str], int] = field(default_factory=dict)
    call_round_trip: LatencyHistogram = field(default_factory=LatencyHistogram)

    # refused WebSocket handshakes and TLS handshakes, by reason (a security event type or a short name)
    handshake_refusals: dict[str, int] = field(default_factory=dict)
    replacements: int = 0  # live connections replaced by a new one
    replacements_refused: int = 0  # new connections refused to protect the live one

    def count_refusal(self, reason: str) -> None:
        self.handshake_refusals[reason] = self.handshake_refusals.get(reason, 0) + 1

    def count_in(self, action: str, result: str) -> None:
        key = (action, result)
        self.by_action_result[key] = self.by_action_result.get(key, 0) + 1

    def count_out(self, action: str, result: str) -> None:
        key = (action, result)
        self.calls_out_by_result[key] = self.calls_out_by_result.get(key, 0) + 1


@dataclass(frozen=True, slots=True)
class CallAnswer:
    payload: dict[str, Any]
    round_trip_ms: float


class StationConnection:
    def __init__(
        self,
        station_id: str,
        ws: ServerConnection,
        endpoint: RpcEndpoint,
        adapter: VersionAdapter,
        answerer: CallAnswerer,
        stats: ConnectionStats,
        taps: Mapping[str, FrameTap] | None = None,
    ):
        self.station_id = station_id
        self.ws = ws
        self.endpoint = endpoint
        self.adapter = adapter
        self.version = adapter.version.value
        self.answerer = answerer
        self.stats = stats
        # The client's address (the gateway sets the one behind a trusted proxy) and what the
        # replacement policy knows of this connection.
        self.remote_address: str | None = str(ws.remote_address[0]) if ws.remote_address else None
        self.session: Session | None = None
        # CALLs received and not started yet, and the task answering them one at a time: both exist
        # only while the station has something to answer (an idle connection holds neither).
        self._inbound: deque[CallReceived] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._draining = False
        self._call_lock = asyncio.Lock()
        self._reply: asyncio.Future[ResultReceived | ErrorReceived] | None = None
        self._reply_id: str | None = None
        # The gateway's frame taps by station id (empty unless something observes this station,
        # e.g. a validation run); looked up per frame so a tap also covers a reconnected socket.
        self._taps: Mapping[str, FrameTap] = taps if taps is not None else {}

    def _tap(self, direction: str, frame: str | bytes) -> None:
        tap = self._taps.get(self.station_id) if self._taps else None
        if tap is not None:
            try:
                tap(direction, frame)
            except Exception:  # an observer's bug never breaks the station's connection
                log.exception("%s: frame tap failed", self.station_id)

    async def run(self) -> None:
        """Read until the socket closes. Never raises for anything the station sends."""
        try:
            async for message in self.ws:
                await self._on_message(message)
        except ConnectionClosed:
            pass
        finally:
            if self._worker is not None:
                await cancel_and_wait(self._worker)
            if self._reply is not None and not self._reply.done():
                self._reply.cancel()

    async def _on_message(self, message: str | bytes) -> None:
        self._tap("in", message)
        for event in self.endpoint.receive(message):
            match event:
                case CallReceived() if self._draining:
                    # Shutting down: a CALL that arrives now is not started; the socket closes
                    # (1001) as soon as the ones already received are answered, and the station
                    # sends it again after reconnecting. Nothing of it was stored or acknowledged.
                    log.debug("%s: %s not started: shutting down", self.station_id, event.action)
                case CallReceived() if self._inbound is not None and len(self._inbound) >= MAX_QUEUED_CALLS:
                    # OCPP-J allows one outstanding CALL; a station flooding us gets refused, not buffered.
                    self.stats.errors_sent += 1
                    self.endpoint.send_error(event.message_id, ErrorCode.GENERIC_ERROR, "too many outstanding calls")
                case CallReceived():
                    if self._inbound is None:
                        self._inbound = deque()
                    self._inbound.append(event)
                    if self._worker is None:
                        self._worker = asyncio.get_running_loop().create_task(self._answer_calls())
                case ResultReceived() | ErrorReceived():
                    if self._reply is not None and self._reply_id == event.message_id and not self._reply.done():
                        self._reply.set_result(event)
                case UnmatchedReply():
                    self.stats.unmatched_replies += 1
                    log.warning(
                        "%s: dropped %s for no outstanding call (%s)", self.station_id, event.kind, event.message_id
                    )
                case ProtocolViolation():
                    self.stats.protocol_violations += 1
                    log.debug("%s: %s %s: %s", self.station_id, event.code.value, event.action or "", event.description)
        await self._flush()

    async def _flush(self) -> None:
        for frame in self.endpoint.data_to_send():
            self._tap("out", frame)
            await self.ws.send(frame)

    async def _answer_calls(self) -> None:
        """Answer the received CALLs in order, then end (started again by the next CALL)."""
        try:
            while self._inbound:
                await self._answer(self._inbound.popleft())
        finally:
            if not self._inbound:
                self._inbound = None
            self._worker = None

    async def drain(self, timeout_s: float, reason: str = "server shutting down") -> bool:
        """Graceful close: start no new CALL, answer those already received (each after its
        commit, as always) for at most ``timeout_s``, then close with 1001 (going away). True when
        every received CALL was answered before the close."""
        self._draining = True
        answered = True
        try:
            async with asyncio.timeout(timeout_s):
                while self._worker is not None:
                    await asyncio.wait([self._worker])
        except TimeoutError:
            answered = False
            log.warning("%s: CALLs still unanswered at shutdown; closing anyway", self.station_id)
        await self.ws.close(1001, reason)  # bounded by the server's close timeout
        return answered

    async def _answer(self, call: CallReceived) -> None:
        self.stats.calls_in += 1
        self.stats.by_action[call.action] = self.stats.by_action.get(call.action, 0) + 1
        try:
            payload = await self.answerer.answer(self, call)
        except OcppError as exc:  # the station's message was refused (spec error code)
            self.stats.errors_sent += 1
            self.stats.count_in(call.action, exc.code.value)
            self.endpoint.send_error(call.message_id, exc.code, exc.description, exc.details)
        except StoreUnavailable:
            # The database did not come back within the retry window (the outage is logged once,
            # by the store's health monitor): nothing was acknowledged; the station sends it again.
            self.stats.errors_sent += 1
            self.stats.count_in(call.action, ErrorCode.INTERNAL_ERROR.value)
            self.endpoint.send_error(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
        except Exception:
            # Our bug or an unavailable store: never leak internals, never acknowledge.
            log.exception("%s: failed to answer %s", self.station_id, call.action)
            self.stats.errors_sent += 1
            self.stats.count_in(call.action, ErrorCode.INTERNAL_ERROR.value)
            self.endpoint.send_error(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
        else:
            try:
                self.endpoint.send_result(call.message_id, call.action, payload)
                self.stats.count_in(call.action, "ok")
            except OcppError:  # our own answer broke the schema: a bug of ours, not the station's
                log.exception("%s: our %s answer violates the schema", self.station_id, call.action)
                self.stats.errors_sent += 1
                self.stats.count_in(call.action, ErrorCode.INTERNAL_ERROR.value)
                self.endpoint.send_error(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
        try:
            await self._flush()
        except ConnectionClosed:
            log.debug("%s: socket closed before the answer to %s was sent", self.station_id, call.action)

    async def call(
        self, action: str, payload: dict[str, Any], timeout_s: float, *, validate: bool = True
    ) -> CallAnswer:
        """Send one CALL and wait for its answer. Queued behind any CALL in flight. ``validate``
        False sends a payload that breaks the schema on purpose (the validation bench's probe)."""
        async with self._call_lock:
            if self.endpoint.pending_call is not None:
                raise CallInProgress("a CALL is still outstanding")
            loop = asyncio.get_running_loop()
            message_id = self.endpoint.send_call(action, payload, validate=validate)
            self._reply_id = message_id
            self._reply = reply = loop.create_future()
            started = time.perf_counter()
            self.stats.calls_out += 1
            try:
                await self._flush()
                answer = await asyncio.wait_for(reply, timeout_s)
            except TimeoutError as exc:
                self.endpoint.cancel_call(message_id)
                self.stats.count_out(action, "timeout")
                raise CallTimeout(action, timeout_s) from exc
            except (ConnectionClosed, asyncio.CancelledError) as exc:
                self.endpoint.cancel_call(message_id)
                self.stats.count_out(action, "disconnected")
                if isinstance(exc, asyncio.CancelledError) and not reply.cancelled():
                    raise
                raise ConnectionError(f"{self.station_id} disconnected before answering {action}") from exc
            finally:
                self._reply = None
                self._reply_id = None
            round_trip_s = time.perf_counter() - started
            round_trip_ms = round_trip_s * 1000
            self.stats.call_round_trip.observe(round_trip_s)
            if isinstance(answer, ErrorReceived):
                self.stats.count_out(action, "callerror")
                raise CallRejected(action, answer.code, answer.description, answer.details)
            self.stats.count_out(action, "answered")
            return CallAnswer(answer.payload, round_trip_ms)

    async def close(self, code: int = 1000, reason: str = "") -> None:
        await self.ws.close(code, reason)
