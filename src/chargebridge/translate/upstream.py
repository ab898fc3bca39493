"""The upstream leg: one station's own WebSocket connection to the upstream CSMS.

The gateway connects to ``{upstream}/{station_id}`` with the upstream's subprotocol and the
station's upstream credentials (HTTP Basic with the station id as user name, and/or a client
certificate), so the upstream sees an ordinary charger. It drives an :class:`RpcEndpoint` of the
upstream's version from the station's side, like the simulator does: our CALLs go out one at a
time (:meth:`UpstreamLeg.call`), the upstream's CALLs are handed to ``on_command`` one at a time in
arrival order, and the connection is re-opened with back-off whenever it is lost or refused.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import logging
import random
import ssl
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.typing import Subprotocol

from chargebridge.rpc import (
    CallReceived,
    CallTimeout,
    ChargebridgeError,
    ErrorCode,
    ErrorReceived,
    OcppVersion,
    ProtocolViolation,
    ResultReceived,
    RpcEndpoint,
    UnmatchedReply,
    schemas_for,
)
from chargebridge.tasks import cancel_and_wait
from chargebridge.translate.actions import CSMS_ACTIONS

log = logging.getLogger(__name__)


class UpstreamUnavailable(ChargebridgeError):
    """The upstream connection is not open (or closed under a CALL)."""


@dataclass(frozen=True, slots=True)
class UpstreamCredentials:
    password: str | None = None
    client_cert_file: Path | None = None
    client_key_file: Path | None = None
    ca_file: Path | None = None


@dataclass(frozen=True, slots=True)
class UpstreamSettings:
    url: str  # ws[s]://HOST:PORT/PATH; the station id is appended
    version: OcppVersion
    call_timeout_s: float = 30.0
    reconnect_min_s: float = 1.0
    reconnect_max_s: float = 30.0
    open_timeout_s: float = 10.0
    ping_interval_s: float | None = 30.0
    max_frame_bytes: int = 256 * 1024


def station_url(base: str, station_id: str) -> str:
    return f"{base.rstrip('/')}/{quote(station_id, safe='')}"


def client_context(credentials: UpstreamCredentials) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(credentials.ca_file) if credentials.ca_file else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if credentials.client_cert_file is not None and credentials.client_key_file is not None:
        context.load_cert_chain(str(credentials.client_cert_file), str(credentials.client_key_file))
    return context


def describe_failure(exc: BaseException) -> str:
    if isinstance(exc, InvalidStatus):
        return f"refused the connection: HTTP {exc.response.status_code}"
    if isinstance(exc, TimeoutError):
        return "did not complete the handshake in time"
    if isinstance(exc, ssl.SSLError):
        return f"TLS failed: {exc.reason or exc}"
    if isinstance(exc, OSError):
        return f"is not reachable: {exc.strerror or exc}"
    return f"{type(exc).__name__}: {exc}"


class UpstreamLeg:
    """One station's connection to the upstream CSMS (see the module docstring)."""

    def __init__(
        self,
        station_id: str,
        settings: UpstreamSettings,
        credentials: Callable[[], UpstreamCredentials],
        on_command: Callable[[CallReceived], Awaitable[None]],
        on_online: Callable[[], None],
        on_offline: Callable[[str], None],
    ):
        self.station_id = station_id
        self.settings = settings
        self.url = station_url(settings.url, station_id)
        self._credentials = credentials
        self._on_command = on_command
        self._on_online = on_online
        self._on_offline = on_offline
        self._schemas = schemas_for(settings.version)
        self.online = False
        self.generation = 0  # counts the connections opened; a message queued on an older one is a replay
        self.state = "connecting"
        self.last_error: str | None = None
        self.connected_at: float | None = None
        self.garbage = 0  # broken frames and replies to nothing received from the upstream
        self._ws: ClientConnection | None = None
        self._endpoint: RpcEndpoint | None = None
        self._reply: asyncio.Future[ResultReceived | ErrorReceived] | None = None
        self._reply_id: str | None = None
        self._commands: asyncio.Queue[CallReceived] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        self._wake = asyncio.Event()
        self._call_lock = asyncio.Lock()
        self._failures = 0
        self._settled = asyncio.Event()  # set when a connection attempt ends (open or failed)

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"upstream:{self.station_id}")
            self._worker = asyncio.create_task(self._serve_commands(), name=f"upstream-commands:{self.station_id}")

    async def close(self, reason: str = "station left the gateway") -> None:
        self._closed = True
        self._wake.set()
        ws = self._ws
        if ws is not None:
            with contextlib.suppress(Exception):
                await ws.close(1000, reason)
        for task in (self._task, self._worker):
            if task is not None:
                await cancel_and_wait(task)
        self._task = self._worker = None
        self._went_offline("closed")
        self.state = "closed"

    def reconnect(self) -> None:
        """Close the connection and open a new one at once (new credentials, e.g. a rotated password)."""
        self._failures = 0
        ws = self._ws
        if ws is not None:
            asyncio.get_running_loop().create_task(ws.close(1000, "reconnecting"))
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def settled(self, timeout_s: float) -> None:
        """While the connection is being opened for the first time (or again after it was lost, not
        after a refusal), wait for the attempt to end: a station that boots the moment it connects
        should reach the upstream, not the gateway's fallback. Bounded by ``timeout_s``."""
        if self.online or self._failures or self.state != "connecting":
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_s):
                await self._settled.wait()

    # -- the connection loop --------------------------------------------------------------------

    async def _run(self) -> None:
        while not self._closed:
            self.state = "connecting"
            self._settled.clear()
            try:
                ws = await self._connect()
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI, ssl.SSLError, ValueError) as exc:
                self._failed(describe_failure(exc))
                self._settled.set()
                await self._backoff()
                continue
            await self._serve(ws)
            if not self._closed:
                await self._backoff()

    async def _connect(self) -> ClientConnection:
        credentials = self._credentials()
        headers: dict[str, str] = {}
        if credentials.password is not None:
            token = base64.b64encode(f"{self.station_id}:{credentials.password}".encode()).decode("ascii")
            headers["Authorization"] = f"Basic {token}"
        extra: dict[str, Any] = {}
        if self.url.startswith("wss://"):
            extra["ssl"] = client_context(credentials)
        subprotocol = self.settings.version.subprotocol
        ws = await connect(
            self.url,
            additional_headers=headers or None,
            subprotocols=[Subprotocol(subprotocol)],
            open_timeout=self.settings.open_timeout_s,
            ping_interval=self.settings.ping_interval_s,
            ping_timeout=self.settings.ping_interval_s / 2 if self.settings.ping_interval_s else None,
            close_timeout=2.0,
            max_size=self.settings.max_frame_bytes,
            compression=None,
            proxy=None,
            **extra,
        )
        if ws.subprotocol != subprotocol:
            await ws.close(1002, "subprotocol not accepted")
            raise ValueError(f"did not accept subprotocol {subprotocol}")
        return ws

    def _failed(self, reason: str) -> None:
        self._failures += 1
        if reason != self.last_error or self._failures in (1, 10) or self._failures % 100 == 0:
            log.warning("%s: upstream %s %s (attempt %d)", self.station_id, self.url, reason, self._failures)
        self.last_error = reason
        self._went_offline(reason)

    async def _backoff(self) -> None:
        if self._closed:
            return
        self.state = "backoff"
        s = self.settings
        delay = min(s.reconnect_max_s, s.reconnect_min_s * (2 ** min(self._failures, 16)))
        delay = delay / 2 + random.uniform(0, delay / 2)  # spread a fleet's reconnects
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(delay):
                await self._wake.wait()

    async def _serve(self, ws: ClientConnection) -> None:
        self._ws = ws
        # Message ids need only be unique on the connection: a counter costs less than a UUID per CALL.
        counter = itertools.count(1)
        prefix = f"gw{self.generation + 1}-"
        self._endpoint = endpoint = RpcEndpoint(
            self._schemas,
            accepts=CSMS_ACTIONS[self.settings.version].__contains__,
            new_message_id=lambda: f"{prefix}{next(counter)}",
            validate_outbound=False,
        )
        self.generation += 1
        self.online = True
        self.state = "online"
        self.connected_at = time.monotonic()
        if self.last_error is not None:
            log.info("%s: upstream connection open again after: %s", self.station_id, self.last_error)
        self._failures = 0
        self.last_error = None
        self._on_online()
        self._settled.set()
        reason = "closed by the upstream"
        try:
            async for message in ws:
                await self._receive(endpoint, message)
        except ConnectionClosed as exc:
            reason = f"connection lost ({exc.rcvd.code if exc.rcvd else 'no close frame'})"
        finally:
            self._ws = None
            self._endpoint = None
            if not self._closed:
                log.warning("%s: upstream %s", self.station_id, reason)
                self.last_error = reason
            self._went_offline(reason)

    def _went_offline(self, reason: str) -> None:
        if self._reply is not None and not self._reply.done():
            self._reply.set_exception(UpstreamUnavailable(reason))
        if self.online:
            self.online = False
            self._on_offline(reason)

    async def _receive(self, endpoint: RpcEndpoint, message: str | bytes) -> None:
        for event in endpoint.receive(message):
            match event:
                case CallReceived():
                    self._commands.put_nowait(event)
                case ResultReceived() | ErrorReceived():
                    if self._reply is not None and self._reply_id == event.message_id and not self._reply.done():
                        self._reply.set_result(event)
                case UnmatchedReply():
                    self.garbage += 1
                    log.warning(
                        "%s: upstream sent a %s to no outstanding call (%s)",
                        self.station_id,
                        event.kind,
                        event.message_id,
                    )
                case ProtocolViolation():
                    self.garbage += 1
                    log.warning(
                        "%s: upstream sent a broken frame (%s %s): %s",
                        self.station_id,
                        event.code.value,
                        event.action or "",
                        event.description,
                    )
        await self._flush(endpoint)

    async def _flush(self, endpoint: RpcEndpoint) -> None:
        ws = self._ws
        frames = endpoint.data_to_send()
        if ws is None:
            return
        for frame in frames:
            await ws.send(frame)

    # -- calls ----------------------------------------------------------------------------------

    async def call(
        self, action: str, payload: dict[str, Any], timeout_s: float | None = None, encoded: str | None = None
    ) -> ResultReceived | ErrorReceived:
        """Send one CALL (the payload was checked when it was translated) and wait for the answer.
        Raises :class:`UpstreamUnavailable` or :class:`CallTimeout`."""
        timeout_s = timeout_s or self.settings.call_timeout_s
        async with self._call_lock:
            endpoint, ws = self._endpoint, self._ws
            if endpoint is None or ws is None or not self.online:
                raise UpstreamUnavailable(self.last_error or "not connected")
            message_id = endpoint.send_call(action, payload, encoded)
            self._reply_id = message_id
            reply: asyncio.Future[ResultReceived | ErrorReceived] = asyncio.get_running_loop().create_future()
            self._reply = reply
            try:
                await self._flush(endpoint)
                async with asyncio.timeout(timeout_s):
                    return await reply
            except TimeoutError as exc:
                endpoint.cancel_call(message_id)
                raise CallTimeout(action, timeout_s) from exc
            except ConnectionClosed as exc:
                endpoint.cancel_call(message_id)
                raise UpstreamUnavailable("connection lost") from exc
            finally:
                self._reply = None
                self._reply_id = None

    async def send_result(self, message_id: str, action: str, payload: dict[str, Any]) -> None:
        endpoint = self._endpoint
        if endpoint is None:
            log.warning("%s: answer to upstream %s %s lost: the connection closed", self.station_id, action, message_id)
            return
        endpoint.send_result(message_id, action, payload)
        with contextlib.suppress(ConnectionClosed):
            await self._flush(endpoint)

    async def send_error(self, message_id: str, code: ErrorCode, description: str) -> None:
        endpoint = self._endpoint
        if endpoint is None:
            return
        endpoint.send_error(message_id, code, description)
        with contextlib.suppress(ConnectionClosed):
            await self._flush(endpoint)

    async def _serve_commands(self) -> None:
        while True:
            call = await self._commands.get()
            try:
                await self._on_command(call)
            except Exception:
                log.exception("%s: failed to handle upstream %s", self.station_id, call.action)
                with contextlib.suppress(Exception):
                    await self.send_error(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
