"""One simulated charging station: an asyncio driver of :class:`~chargebridge.rpc.RpcEndpoint`.

Each station is one task (:meth:`SimStation.run`) plus, while connected, the task reading its
socket. The main task owns every outbound CALL (OCPP-J allows one at a time), the timers
(heartbeat, meter values, session ends, random events) and the transaction message queue; the
reader answers the CSMS's commands and hands what must happen next to the main task as
intents. Nothing polls: the main task sleeps until its next due time or until woken.

Transaction messages (1.6 StartTransaction / MeterValues / StopTransaction, 2.0.1
TransactionEvent) always go through a FIFO queue: sent in order, retried when unanswered,
kept while offline and replayed after the next boot (2.0.1 with ``offline`` true and their
original ``seqNo``).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import quote

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
from websockets.typing import Subprotocol

from chargebridge.domain.timeutil import format_datetime
from chargebridge.rpc import (
    CallReceived,
    CallRejected,
    CallTimeout,
    ErrorCode,
    ErrorReceived,
    OcppError,
    OcppVersion,
    ResultReceived,
    RpcEndpoint,
    RpcEvent,
    schemas_for,
)
from chargebridge.sim import authorization as auth
from chargebridge.sim import charging, device_commands, pnc
from chargebridge.sim import messages as msg
from chargebridge.sim.certificates import sign_certificate_payload
from chargebridge.sim.clock import SimClock
from chargebridge.sim.commands import (
    Answer,
    ChangePassword,
    ConfigChanged,
    InstallFirmware,
    Intent,
    Reboot,
    SendMessages,
    SendStatus,
    StartSession,
    StopSession,
    Trigger,
    UploadLog,
    accepted_actions,
    answer,
    rejection,
)
from chargebridge.sim.ev import RAMP_A_PER_S, ChargerKind, ChargerSpec, EvState, Vehicle, ramp_rate_w, ramped_charge
from chargebridge.sim.firmware import FirmwareFault, HttpError, http_request, image_version, signature_ok
from chargebridge.sim.ledger import LedgerEntry
from chargebridge.sim.profiles import STANDARD, QuirkProfile, VendorError
from chargebridge.sim.signing import MeterSigner
from chargebridge.sim.state import ConfigStore, Connector, Session, StationState
from chargebridge.sim.stats import Counters
from chargebridge.tasks import cancel_and_wait

INFINITY = math.inf

# 1.6 stop reasons (the simulator's vocabulary) -> 2.0.1 stoppedReason and triggerReason.
_REASON_201: dict[str, tuple[str, str]] = {
    "Local": ("Local", "StopAuthorized"),
    "Remote": ("Remote", "RemoteStop"),
    "EVDisconnected": ("EVDisconnected", "EVDeparted"),
    "HardReset": ("ImmediateReset", "ResetCommand"),
    "SoftReset": ("ImmediateReset", "ResetCommand"),
    "Reboot": ("Reboot", "AbnormalCondition"),
    "PowerLoss": ("PowerLoss", "AbnormalCondition"),
    "UnlockCommand": ("Other", "UnlockCommand"),
    "EmergencyStop": ("EmergencyStop", "AbnormalCondition"),
    "DeAuthorized": ("DeAuthorized", "Deauthorized"),
    "Other": ("Other", "AbnormalCondition"),
}

_VEHICLES: tuple[Vehicle, ...] = (
    Vehicle(capacity_wh=40_000, max_ac_w=7_400, max_dc_w=50_000),
    Vehicle(capacity_wh=58_000, max_ac_w=11_000, max_dc_w=120_000),
    Vehicle(capacity_wh=77_000, max_ac_w=11_000, max_dc_w=150_000),
    Vehicle(capacity_wh=100_000, max_ac_w=11_000, max_dc_w=150_000),
)


@dataclass(frozen=True, slots=True)
class Behaviour:
    """What happens to a station on its own. Durations are simulated seconds; rates per simulated hour."""

    sessions: bool = False
    idle_mean_s: float = 1800.0
    session_mean_s: float = 3600.0
    fault_rate_per_h: float = 0.0
    fault_duration_s: float = 300.0
    disconnect_rate_per_h: float = 0.0
    offline_rate_per_h: float = 0.0
    offline_mean_s: float = 600.0


@dataclass(frozen=True, slots=True)
class StationConfig:
    """One station. Simulated seconds unless named ``*_real_s`` (transport timings)."""

    station_id: str
    url: str
    version: OcppVersion
    profile: QuirkProfile = STANDARD
    connectors: int = 1
    charger: ChargerSpec = field(default_factory=lambda: ChargerSpec(ChargerKind.AC, 11_000.0))
    behaviour: Behaviour = field(default_factory=Behaviour)
    meter_interval_s: float = 60.0
    heartbeat_interval_s: float = 300.0  # until the server's BootNotification answer says otherwise
    boot_retry_s: float = 60.0  # after a CALLERROR or no answer to BootNotification
    transaction_attempts: int = 3
    transaction_retry_interval_s: float = 60.0
    backoff_minimum_s: float = 10.0
    backoff_random_range_s: float = 10.0
    backoff_repeat_times: int = 5
    reboot_delay_s: float = 10.0
    max_queue: int = 5_000
    call_timeout_real_s: float = 30.0
    answer_delay_real_s: float = 0.0
    failure_rate: float = 0.0
    # Shutdown waits this long for the last stops to be answered (a 10,000-station fleet stopping
    # at once queues ~20,000 messages at the server).
    shutdown_timeout_real_s: float = 60.0
    graceful_stop: bool = True
    id_tokens: tuple[str, ...] = ()
    # Firmware: the hardware batch (OCPP cannot report it; tell the CSMS out of band) and its fault, if any.
    hardware_revision: str | None = None
    firmware_fault: FirmwareFault | None = None
    boot_loop_reboots: int = 3
    install_time_s: float = 5.0
    firmware_step_s: float = 1.0  # between download/verify/install notifications
    # HTTP Basic password (security profiles 1 and 2); the CSMS may change it (AuthorizationKey / BasicAuthPassword).
    password: str | None = field(default=None, repr=False)
    # 2.0.1: EVs speak ISO 15118: they report their charging needs and the schedule they choose.
    iso15118: bool = False
    # Local authorization list limits (1.6 LocalAuthListMaxLength / SendLocalListMaxLength, 2.0.1 ItemsPerMessage).
    local_list_max_length: int = 1000
    send_local_list_max_length: int = 100
    # Sign Transaction.Begin/End energy readings in OCMF (also on when the quirk profile says so).
    sign_meter_values: bool = False
    # The EV's power rises to a higher limit at this rate (A per phase per simulated second; None: at once).
    ramp_a_per_s: float | None = RAMP_A_PER_S


def connect_failure(exc: BaseException) -> str:
    """Why a connection attempt failed, in a few words an operator can act on."""
    response = getattr(exc, "response", None)
    status = getattr(response, "status_code", None)
    if status is not None:
        hint = {
            404: " (unknown station id: register it, or run the CSMS with --auto-register)",
            401: " (password missing or wrong: --password)",
            403: " (the station's security profile needs TLS)",
            429: " (locked out or rate limited)",
        }.get(int(status), "")
        return f"handshake refused: HTTP {status}{hint}"
    if isinstance(exc, TimeoutError):
        return "connect timed out"
    if isinstance(exc, OSError):
        return f"cannot connect: {exc.strerror or exc}"
    return f"handshake failed: {type(exc).__name__}"


def backoff_delay(
    attempt: int, *, minimum_s: float, random_range_s: float, repeat_times: int, rng: random.Random
) -> float:
    """Reconnect wait (2.0.1 RetryBackOff* style): the minimum doubled per failed attempt, at most
    ``repeat_times`` times, plus a random part up to ``random_range_s``."""
    doublings: int = min(max(attempt, 0), max(repeat_times, 0))
    return float(minimum_s * (1 << doublings)) + rng.uniform(0.0, max(random_range_s, 0.0))


@dataclass(slots=True)
class Outgoing:
    """A queued transaction message."""

    action: str
    payload: dict[str, Any]
    session: Session | None
    kind: str  # start | meter | stop | duplicate
    not_before: float = 0.0
    attempts: int = 0
    retry_at: float = 0.0


@dataclass(frozen=True, slots=True)
class _GoOffline:
    seconds: float


@dataclass(frozen=True, slots=True)
class _Drop:
    pass


@dataclass(frozen=True, slots=True)
class _Fault:
    connector_id: int
    seconds: float


@dataclass(frozen=True, slots=True)
class _Request:
    """A CALL the station makes on its own (for an EV: Get15118EVCertificate, ...), answered to ``done``."""

    action: str
    payload: dict[str, Any]
    done: asyncio.Future[dict[str, Any]]


_Work = Intent | _GoOffline | _Drop | _Fault | _Request


class _ConnectionLost(Exception):
    """The socket closed under an outbound call."""


class SimStation:
    """A simulated charging station. Create, then ``await run()``; ``stop()`` ends it."""

    def __init__(
        self,
        config: StationConfig,
        clock: SimClock,
        *,
        rng: random.Random | None = None,
        counters: Counters | None = None,
        on_ledger: Callable[[LedgerEntry], None] | None = None,
        connect_gate: asyncio.Semaphore | None = None,
    ):
        self.config = config
        self.station_id = config.station_id
        self.version = config.version
        self.profile = config.profile
        self.clock = clock
        self.rng = rng or random.Random()
        self.counters = counters or Counters()
        self._on_ledger = on_ledger
        self._gate = connect_gate
        self._schemas = schemas_for(config.version)
        self._accepts = accepted_actions(config.version)
        self._raw_actions = config.profile.raw_actions(config.station_id)
        self.state = StationState(
            connectors={
                n: Connector(n, config.charger, register_wh=float(self.rng.randrange(0, 5_000_000)))
                for n in range(1, config.connectors + 1)
            },
            config=ConfigStore(self._initial_config()),
            data_transfer_vendor=config.profile.data_transfer.vendor_id if config.profile.data_transfer else None,
            station_id=config.station_id,
        )
        self.state.charging.now = clock.now
        self.state.charging.iso15118 = config.iso15118 and config.version is OcppVersion.V201
        self.state.device_model.clock = clock.now
        self.firmware_version = config.profile.firmware
        self.password = config.password
        # OCMF signing key, derived from the station id (the same key every run); see sim/signing.py.
        self.signer: MeterSigner | None = None
        if config.sign_meter_values or config.profile.sign_meter_values:
            self.signer = MeterSigner.for_station(
                random.Random(f"ocmf:{config.station_id}"),
                f"{config.profile.vendor} {config.profile.model}",
                config.profile.serial_for(config.station_id)[:25],
                tamper_end=config.profile.tamper_signed_reading,
            )
        self.boots = 0  # accepted BootNotifications
        self._boot_signal = asyncio.Event()
        self._firmware_reboot = False
        # connection
        self._ws: ClientConnection | None = None
        self._endpoint: RpcEndpoint | None = None
        self._reader: asyncio.Task[None] | None = None
        self._waiter: asyncio.Future[dict[str, Any]] | None = None
        self._helpers: set[asyncio.Task[None]] = set()
        self.booted = False
        self.registration: str | None = None
        self._boot_reason = "PowerUp"
        self._boot_due = 0.0
        self._next_connect_at = 0.0
        self._offline_until = 0.0
        self._reconnect_attempt = 0
        self._planned_disconnect = False
        self.reconnect_delays: deque[float] = deque(maxlen=64)
        # timers
        self._heartbeat_due = INFINITY
        self._data_transfer_due = INFINITY
        self._next_start_at: dict[int, float] = {}
        self._next_fault_at = INFINITY
        self._next_disconnect_at = INFINITY
        self._next_offline_at = INFINITY
        # work
        self._queue: deque[Outgoing] = deque()
        self._aux: deque[tuple[str, dict[str, Any]]] = deque()
        self._work: deque[_Work] = deque()
        self._wake = asyncio.Event()
        self._stopping = False
        self._seq_no = 0
        self._late: dict[int, Outgoing] = {}  # quirk late_event_s: one held-back event per session
        self.state.pnc.queued = self._transaction_messages_queued
        self.state.pnc.ongoing = lambda tx: self.state.session_by_transaction(tx) is not None
        self._event_id = 0
        self._session_counter = 0
        self._schedule_behaviour(0.0)

    # -- public control ---------------------------------------------------------------------

    def stop(self) -> None:
        """Ask the station to end (gracefully: sessions stopped and reported first, if configured)."""
        self._stopping = True
        self._wake.set()

    def start_session(
        self, connector_id: int = 1, id_token: str | None = None, *, duration_s: float | None = None
    ) -> None:
        """A driver plugs in and presents a card; the session lasts ``duration_s`` or until the EV is full."""
        self._post(StartSession(connector_id, id_token or self._random_token(), duration_s=duration_s))

    def stop_session(self, connector_id: int = 1, reason: str = "Local") -> None:
        self._post(StopSession(connector_id, reason))

    def go_offline(self, seconds: float) -> None:
        """Lose the network for ``seconds`` simulated seconds (sessions go on, messages queue)."""
        self._post(_GoOffline(seconds))

    def drop_connection(self) -> None:
        """The socket breaks; the station reconnects with back-off."""
        self._post(_Drop())

    def reboot(self, reason: str = "PowerLoss") -> None:
        """Power-cycle: sessions end with ``reason``, the station reconnects and boots again."""
        self._post(Reboot(reason))

    def inject_fault(self, connector_id: int = 1, seconds: float = 300.0) -> None:
        self._post(_Fault(connector_id, seconds))

    def notify_monitor(self, monitor_id: int, actual_value: str, *, cleared: bool = False) -> None:
        """A 2.0.1 monitor fires (or its condition ends: ``cleared``): NotifyEvent naming the monitor."""
        self._event_id += 1
        payload = device_commands.monitor_event(self.state, monitor_id, actual_value, self._event_id, cleared=cleared)
        self._post(SendMessages((("NotifyEvent", payload),)))

    async def pnc_request(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a CALL for the EV (Get15118EVCertificate, GetCertificateStatus, Authorize with a
        contract, see sim/pnc.py) once the station is booted; returns the CSMS's answer. Raises
        CallRejected / CallTimeout, or ConnectionError when the station is not booted."""
        done: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._post(_Request(action, payload, done))
        return await done

    def request_v2g_certificate(self) -> None:
        """The station asks for its SECC certificate (SignCertificate V2GCertificate), as on SignV2GCertificate."""
        self._post(Trigger("SignV2GCertificate"))

    def _transaction_messages_queued(self, transaction_id: str | None) -> bool:
        items = [*self._queue, *self._late.values()]
        if transaction_id is None:
            return bool(items)
        return any(item.payload.get("transactionInfo", {}).get("transactionId") == transaction_id for item in items)

    @property
    def connected(self) -> bool:
        return self._ws is not None

    @property
    def active_sessions(self) -> int:
        return sum(1 for c in self.state.connectors.values() if c.session is not None)

    @property
    def queued_messages(self) -> int:
        return len(self._queue)

    # -- main loop --------------------------------------------------------------------------

    async def run(self) -> None:
        try:
            while not self._stopping:
                with contextlib.suppress(_ConnectionLost):
                    await self._tick()
                await self._sleep()
        finally:
            await self._finish()

    def _post(self, work: _Work) -> None:
        self._work.append(work)
        self._wake.set()

    async def _sleep(self) -> None:
        self._wake.clear()
        if self._work or self._stopping:
            return
        now = self.clock.elapsed()
        delay = self.clock.real_seconds(self._next_due(now) - now)
        if delay == INFINITY:
            await self._wake.wait()
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(delay, 0.001)):
                await self._wake.wait()

    def _next_due(self, now: float) -> float:
        due = [self._data_transfer_due, self._next_fault_at, self._next_disconnect_at, self._next_offline_at]
        expiry = auth.next_expiry(self.state)
        if expiry is not None:
            due.append((expiry - self.clock.start).total_seconds())
        if self._ws is None:
            due.append(max(self._next_connect_at, self._offline_until))
        elif not self.booted:
            due.append(self._boot_due)
        else:
            due.append(self._heartbeat_due)
            if self._aux:
                due.append(now)
            if self._queue:
                head = self._queue[0]
                due.append(max(head.not_before, head.retry_at))
        for connector in self.state.connectors.values():
            session = connector.session
            if session is not None:
                due.append(session.next_meter_at)
                if session.ends_at is not None:
                    due.append(session.ends_at)
                elif connector.faulted_until is None:
                    due.append(session.last_update + 60.0)  # look for "full" once a simulated minute
            elif connector.faulted_until is not None:
                due.append(connector.faulted_until)
            else:
                due.append(self._next_start_at.get(connector.connector_id, INFINITY))
        return min(due)

    async def _tick(self) -> None:
        while self._work:
            await self._do(self._work.popleft())
        now = self.clock.elapsed()
        self._advance_connectors(now)
        self._expire_reservations()
        self._random_events(now)
        if self._ws is None and now >= max(self._next_connect_at, self._offline_until):
            await self._connect()
        if self._ws is not None and not self.booted and self.clock.elapsed() >= self._boot_due:
            await self._boot()
        if self.booted:
            await self._send_aux()
            if self.clock.elapsed() >= self._heartbeat_due:
                await self._heartbeat()
            if self.clock.elapsed() >= self._data_transfer_due:
                await self._vendor_data_transfer()
            await self._drain_queue()

    # -- connection -------------------------------------------------------------------------

    async def _connect(self) -> None:
        url = f"{self.config.url.rstrip('/')}/{quote(self.station_id, safe='')}"
        subprotocol = self.version.subprotocol
        gate = self._gate or contextlib.nullcontext()
        try:
            async with gate:
                # No per-message compression: chargers rarely offer it and it costs CPU per station.
                ws = await connect(
                    url,
                    additional_headers=self._authorization(),
                    subprotocols=[Subprotocol(subprotocol)],
                    ping_interval=None,
                    close_timeout=1.0,
                    compression=None,
                    proxy=None,
                    open_timeout=max(10.0, self.config.call_timeout_real_s),
                )
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            self.counters.error(connect_failure(exc))
            self._schedule_reconnect()
            return
        if ws.subprotocol != subprotocol:
            await ws.close()
            self.counters.error(f"the CSMS did not accept subprotocol {subprotocol}")
            self._schedule_reconnect()
            return
        self._ws = ws
        self._endpoint = RpcEndpoint(self._schemas, accepts=self._accepts.__contains__, validate_outbound=False)
        self._reader = asyncio.create_task(self._read(ws, self._endpoint), name=f"sim-read-{self.station_id}")
        self.counters.now_connected()
        self.booted = False
        self._boot_due = self.clock.elapsed()
        if self.profile.status_before_boot:
            for connector in self.state.connectors.values():
                action, payload = self._status_message(connector, None)
                with contextlib.suppress(CallRejected, CallTimeout):
                    await self._call(action, payload)

    def _authorization(self) -> dict[str, str] | None:
        if self.password is None:
            return None
        credentials = f"{self.station_id}:{self.password}".encode()
        return {"Authorization": "Basic " + base64.b64encode(credentials).decode("ascii")}

    def _schedule_reconnect(self) -> None:
        store = self.state.config
        delay = backoff_delay(
            self._reconnect_attempt,
            minimum_s=store.number("RetryBackOffWaitMinimum"),
            random_range_s=store.number("RetryBackOffRandomRange"),
            repeat_times=store.number("RetryBackOffRepeatTimes"),
            rng=self.rng,
        )
        self._reconnect_attempt += 1
        self.reconnect_delays.append(delay)
        self._next_connect_at = self.clock.elapsed() + delay

    def _lost(self, ws: ClientConnection) -> None:
        """The connection ``ws`` is gone (seen by the reader or by a send)."""
        if self._ws is not ws:
            return
        self._ws = None
        self._endpoint = None
        self.booted = False
        self._aux.clear()
        self._heartbeat_due = INFINITY
        self.counters.connected -= 1
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_exception(_ConnectionLost())
        if self._planned_disconnect:
            self._planned_disconnect = False
        elif not self._stopping:
            self.counters.reconnects += 1
            self._schedule_reconnect()
        self._wake.set()

    async def _close(self, *, planned: bool) -> None:
        ws = self._ws
        if ws is None:
            return
        self._planned_disconnect = planned
        self._lost(ws)
        await ws.close()
        if self._reader is not None:
            await cancel_and_wait(self._reader)
            self._reader = None

    async def _read(self, ws: ClientConnection, endpoint: RpcEndpoint) -> None:
        try:
            async for message in ws:
                self.counters.messages_in += 1
                intents: list[Intent] = []
                for event in endpoint.receive(message):
                    intents.extend(self._on_event(event, endpoint))
                await self._flush(ws, endpoint)
                if intents:
                    self._work.extend(intents)
                    self._wake.set()
        except (ConnectionClosed, _ConnectionLost):
            pass
        finally:
            self._lost(ws)

    async def _flush(self, ws: ClientConnection, endpoint: RpcEndpoint) -> None:
        try:
            for frame in endpoint.data_to_send():
                await ws.send(frame)
                self.counters.messages_out += 1
        except ConnectionClosed as exc:
            self._lost(ws)
            raise _ConnectionLost() from exc

    def _on_event(self, event: RpcEvent, endpoint: RpcEndpoint) -> list[Intent]:
        waiter = self._waiter
        if isinstance(event, ResultReceived):
            if waiter is not None and not waiter.done():
                waiter.set_result(event.payload)
            return []
        if isinstance(event, ErrorReceived):
            self.counters.call_errors += 1
            if waiter is not None and not waiter.done():
                waiter.set_exception(CallRejected(event.action, event.code, event.description, event.details))
            return []
        if isinstance(event, CallReceived):
            return self._on_command(event, endpoint)
        self.counters.error("a frame from the CSMS that answers nothing or is broken")
        return []

    def _on_command(self, call: CallReceived, endpoint: RpcEndpoint) -> list[Intent]:
        self.counters.commands += 1
        try:
            if self.config.failure_rate > 0 and self.rng.random() < self.config.failure_rate:
                result = rejection(self.version, call.action, call.payload)
            else:
                result = answer(self.version, call.action, call.payload, self.state)
            self._schemas.validate_response(call.action, result.payload)
        except OcppError as exc:  # the station refuses the request (e.g. more items than it takes)
            endpoint.send_error(call.message_id, exc.code, exc.description)
            return []
        except Exception:  # a bug of ours: answer generically, never leak internals
            self.counters.error(f"could not answer {call.action} (simulator bug)")
            endpoint.send_error(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
            return []
        if self.config.answer_delay_real_s > 0:
            task = asyncio.create_task(self._answer_later(call, result, endpoint))
            self._helpers.add(task)
            task.add_done_callback(self._helpers.discard)
            return []
        endpoint.send_result(call.message_id, call.action, result.payload)
        return list(result.intents)

    async def _answer_later(self, call: CallReceived, result: Answer, endpoint: RpcEndpoint) -> None:
        await asyncio.sleep(self.config.answer_delay_real_s)
        ws = self._ws
        if ws is None or self._endpoint is not endpoint:
            return
        endpoint.send_result(call.message_id, call.action, result.payload)
        with contextlib.suppress(_ConnectionLost):
            await self._flush(ws, endpoint)
        self._work.extend(result.intents)
        self._wake.set()

    async def _call(self, action: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Send a CALL and wait for its result. Raises CallRejected, CallTimeout or _ConnectionLost."""
        ws, endpoint = self._ws, self._endpoint
        if ws is None or endpoint is None:
            raise _ConnectionLost()
        if action not in self._raw_actions:
            self._schemas.validate_request(action, payload)  # our own bad payload is a bug: raise
        waiter: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiter = waiter
        message_id = endpoint.send_call(action, payload)
        try:
            await self._flush(ws, endpoint)
            async with asyncio.timeout(self.config.call_timeout_real_s):
                return await waiter
        except TimeoutError:
            endpoint.cancel_call(message_id)
            self.counters.call_timeouts += 1
            raise CallTimeout(action, self.config.call_timeout_real_s) from None
        finally:
            self._waiter = None
            if not waiter.done():
                waiter.cancel()
            elif not waiter.cancelled():
                # The socket may have died during the send: _lost() then failed the waiter, which
                # nobody awaits. Retrieve the exception so asyncio does not report it as lost.
                waiter.exception()

    # -- boot, heartbeat, status ------------------------------------------------------------

    async def _boot(self) -> None:
        profile = self.profile
        serial = profile.serial_for(self.station_id)
        if self.version is OcppVersion.V16:
            payload = msg.boot_16(profile.vendor, profile.model, serial, self.firmware_version)
        else:
            payload = msg.boot_201(profile.vendor, profile.model, serial, self.firmware_version, self._boot_reason)
        try:
            result = await self._call("BootNotification", payload)
        except (CallRejected, CallTimeout):
            self._boot_due = self.clock.elapsed() + self.config.boot_retry_s
            return
        self.registration = result["status"]
        interval = int(result["interval"])
        now = self.clock.elapsed()
        if result["status"] != "Accepted":
            self._boot_due = now + (interval if interval > 0 else self.config.boot_retry_s)
            return
        if interval > 0:
            self.state.config.set("HeartbeatInterval", str(interval))
        self.booted = True
        self.boots += 1
        self._boot_signal.set()
        self.counters.booted += 1
        self._boot_reason = "PowerUp"
        self._reconnect_attempt = 0
        self._heartbeat_due = now + self.state.config.number("HeartbeatInterval")
        transfer = profile.data_transfer
        self._data_transfer_due = now + transfer.interval_s if transfer else INFINITY
        for connector in self.state.connectors.values():
            self._queue_status(connector)

    async def _heartbeat(self) -> None:
        self._heartbeat_due = self.clock.elapsed() + max(1, self.state.config.number("HeartbeatInterval"))
        with contextlib.suppress(CallRejected, CallTimeout):
            await self._call("Heartbeat", {})

    async def _vendor_data_transfer(self) -> None:
        transfer = self.profile.data_transfer
        if transfer is None:
            self._data_transfer_due = INFINITY
            return
        self._data_transfer_due = self.clock.elapsed() + transfer.interval_s
        payload = {"vendorId": transfer.vendor_id, "messageId": transfer.message_id, "data": transfer.data}
        with contextlib.suppress(CallRejected, CallTimeout):
            await self._call("DataTransfer", payload)

    def _status_message(self, connector: Connector, error: VendorError | None) -> tuple[str, dict[str, Any]]:
        now = self.clock.now()
        if self.version is OcppVersion.V16:
            timestamp = None if self.profile.omit_meter_timestamps else now
            code = "NoError" if connector.status != "Faulted" or error is not None else "GroundFailure"
            return "StatusNotification", msg.status_16(
                connector.connector_id, connector.status, timestamp, error, error_code=code
            )
        return "StatusNotification", msg.status_201(connector.connector_id, connector.status, now)

    def _set_status(self, connector: Connector, status: str, error: VendorError | None = None) -> None:
        if connector.status == status and error is None:
            return
        connector.status = status
        self._queue_status(connector, error)

    def _queue_status(self, connector: Connector, error: VendorError | None = None) -> None:
        if self.booted:
            self._aux.append(self._status_message(connector, error))
            self._wake.set()

    async def _send_aux(self) -> None:
        while self._aux and self.booted:
            action, payload = self._aux.popleft()
            with contextlib.suppress(CallRejected, CallTimeout):
                await self._call(action, payload)

    # -- work items -------------------------------------------------------------------------

    async def _do(self, work: _Work) -> None:
        if isinstance(work, StartSession):
            await self._start_session(work)
        elif isinstance(work, StopSession):
            connector = self.state.connectors.get(work.connector_id)
            if connector is not None and connector.session is not None:
                self._stop_session(connector, work.reason)
        elif isinstance(work, Reboot):
            await self._reboot(work.reason)
        elif isinstance(work, Trigger):
            await self._trigger(work)
        elif isinstance(work, SendStatus):
            connector = self.state.connectors[work.connector_id]
            connector.status = self._idle_status(connector) if connector.session is None else connector.status
            self._queue_status(connector)
        elif isinstance(work, ConfigChanged):
            self._config_changed(work.name)
        elif isinstance(work, ChangePassword):
            # The answer went out first; now reconnect with the new password (2.0.1 A01: the
            # station uses it from its next connection and reconnects to do so).
            self.password = work.password
            await self._close(planned=True)
            self._next_connect_at = max(self._offline_until, self.clock.elapsed())
        elif isinstance(work, _GoOffline):
            self._offline_until = self.clock.elapsed() + work.seconds
            self._next_connect_at = self._offline_until
            await self._close(planned=True)
        elif isinstance(work, _Drop):
            await self._close(planned=False)
        elif isinstance(work, _Fault):
            self._fault(work.connector_id, work.seconds)
        elif isinstance(work, SendMessages):
            # Asked for by the CSMS (a report in parts): sent even while the boot is Pending.
            for action, payload in work.messages:
                with contextlib.suppress(CallRejected, CallTimeout):
                    await self._call(action, payload)
        elif isinstance(work, _Request):
            if not self.booted:
                work.done.set_exception(ConnectionError("the station is not booted"))
                return
            try:
                work.done.set_result(await self._call(work.action, work.payload))
            except (CallRejected, CallTimeout) as exc:
                work.done.set_exception(exc)
            except _ConnectionLost:
                work.done.set_exception(ConnectionError("the connection was lost"))
                raise
        elif isinstance(work, pnc.PublishImage):
            task = asyncio.create_task(self._publish_flow(work), name=f"sim-publish-{self.station_id}")
            self._helpers.add(task)
            task.add_done_callback(self._helpers.discard)
        elif isinstance(work, InstallFirmware | UploadLog):
            flow = self._firmware_flow(work) if isinstance(work, InstallFirmware) else self._upload_flow(work)
            task = asyncio.create_task(flow, name=f"sim-fw-{self.station_id}")
            self._helpers.add(task)
            task.add_done_callback(self._helpers.discard)

    # -- firmware and logs ------------------------------------------------------------------

    def _notify(self, action: str, status: str, request_id: int | None) -> None:
        payload: dict[str, Any] = {"status": status}
        if request_id is not None:
            payload["requestId"] = request_id
        self._aux.append((action, payload))
        self._wake.set()

    async def _sim_sleep(self, seconds: float) -> None:
        await asyncio.sleep(self.clock.real_seconds(seconds))

    async def _wait_boot(self, boots_before: int, timeout_real_s: float = 60.0) -> bool:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout_real_s):
                while self.boots == boots_before and not self._stopping:
                    self._boot_signal.clear()
                    await self._boot_signal.wait()
        return self.boots > boots_before

    async def _firmware_flow(self, job: InstallFirmware) -> None:
        """Download, verify, install and reboot, reporting each step (faults of the batch applied)."""
        action, request_id = job.status_action, job.request_id
        self._notify(action, "Downloading", request_id)
        try:
            status, data = await http_request("GET", job.location, timeout_s=self.config.call_timeout_real_s)
        except HttpError:
            status, data = 0, b""
        version = image_version(data)
        fault = self.config.firmware_fault if version != self.profile.firmware else None
        if status != 200 or fault is FirmwareFault.DOWNLOAD_FAILURE:
            self._notify(action, "DownloadFailed", request_id)
            return
        self._notify(action, "Downloaded", request_id)
        await self._sim_sleep(self.config.firmware_step_s)
        if job.signature is not None:
            if fault is FirmwareFault.INVALID_SIGNATURE or not signature_ok(
                data, job.signature, job.signing_certificate
            ):
                self._notify(action, "InvalidSignature", request_id)
                event = {"type": "InvalidFirmwareSignature", "timestamp": format_datetime(self.clock.now())}
                self._aux.append(("SecurityEventNotification", event))
                return
            self._notify(action, "SignatureVerified", request_id)
        elif fault is FirmwareFault.INVALID_SIGNATURE:
            self._notify(action, "InstallationFailed", request_id)  # plain 1.6 has no InvalidSignature status
            return
        self._notify(action, "Installing", request_id)
        await self._sim_sleep(self.config.install_time_s)
        if fault is FirmwareFault.INSTALL_FAILURE:
            self._notify(action, "InstallationFailed", request_id)
            return
        if self.version is OcppVersion.V201:
            self._notify(action, "InstallRebooting", request_id)
        if version is not None and fault is not FirmwareFault.VERSION_UNCHANGED:
            self.firmware_version = version
        reboots = 1 + (self.config.boot_loop_reboots if fault is FirmwareFault.BOOT_LOOP else 0)
        for _ in range(reboots):
            before = self.boots
            self._firmware_reboot = True
            self._post(Reboot("Reboot"))
            if not await self._wait_boot(before):
                return
        self._notify(action, "Installed", request_id)

    async def _publish_flow(self, job: pnc.PublishImage) -> None:
        """As a local controller: download, check the MD5, publish (each step notified)."""
        action, request_id = "PublishFirmwareStatusNotification", job.request_id
        self._notify(action, "Downloading", request_id)
        try:
            status, data = await http_request("GET", job.location, timeout_s=self.config.call_timeout_real_s)
        except HttpError:
            status, data = 0, b""
        if status != 200:
            self.state.pnc.published.pop(job.checksum, None)
            self._notify(action, "DownloadFailed", request_id)
            return
        self._notify(action, "Downloaded", request_id)
        await self._sim_sleep(self.config.firmware_step_s)
        if hashlib.md5(data, usedforsecurity=False).hexdigest() != job.checksum:
            self.state.pnc.published.pop(job.checksum, None)
            self._notify(action, "InvalidChecksum", request_id)
            return
        self._notify(action, "ChecksumVerified", request_id)
        self.state.pnc.published[job.checksum] = "published"
        self._aux.append(
            (
                action,
                {
                    "status": "Published",
                    "requestId": request_id,
                    "location": [pnc.published_location(self.station_id, job.checksum)],
                },
            )
        )
        self._wake.set()

    async def _upload_flow(self, job: UploadLog) -> None:
        action, request_id = job.status_action, job.request_id
        self._notify(action, "Uploading", request_id)
        lines = [f"{format_datetime(self.clock.now())} {self.station_id} firmware {self.firmware_version}"]
        lines += [f"connector {c.connector_id}: {c.status}" for c in self.state.connectors.values()]
        body = ("\n".join(lines) + "\n").encode()
        url = f"{job.location.rstrip('/')}/{job.filename}"
        try:
            status, _ = await http_request("PUT", url, body, content_type="text/plain")
        except HttpError:
            status = 0
        failed = "UploadFailed" if action == "DiagnosticsStatusNotification" else "UploadFailure"
        self._notify(action, "Uploaded" if 200 <= status < 300 else failed, request_id)

    def _config_changed(self, name: str) -> None:
        now = self.clock.elapsed()
        if name == "HeartbeatInterval" and self.booted:
            self._heartbeat_due = now + max(1, self.state.config.number("HeartbeatInterval"))
        elif name == "MeterValueSampleInterval":
            for connector in self.state.connectors.values():
                if connector.session is not None:
                    connector.session.next_meter_at = now + self._meter_interval()

    def _meter_interval(self) -> float:
        value = self.state.config.number("MeterValueSampleInterval")
        return float(value) if value > 0 else INFINITY

    async def _trigger(self, trigger: Trigger) -> None:
        connectors = [
            c
            for c in self.state.connectors.values()
            if trigger.connector_id is None or c.connector_id == trigger.connector_id
        ]
        name = trigger.message
        if name == "BootNotification":
            self._boot_reason = "Triggered"
            await self._boot()
        elif name == "Heartbeat":
            await self._heartbeat()
        elif name == "StatusNotification":
            for connector in connectors:
                self._queue_status(connector)
        elif name == "MeterValues":
            for connector in connectors:
                await self._triggered_meter_values(connector)
        elif name == "TransactionEvent":
            for connector in connectors:
                if connector.session is not None:
                    self._enqueue_update(connector, "Trigger")
        elif name in ("FirmwareStatusNotification", "DiagnosticsStatusNotification"):
            with contextlib.suppress(CallRejected, CallTimeout):
                await self._call(name, {"status": "Idle"})
        elif name in ("SignChargingStationCertificate", "SignChargePointCertificate"):
            self._aux.append(("SignCertificate", sign_certificate_payload(self.version, self.state)))
        elif name == "SignV2GCertificate" and self.version is OcppVersion.V201:
            self._aux.append(("SignCertificate", pnc.sign_v2g_payload(self.state.pnc, self.station_id)))

    async def _triggered_meter_values(self, connector: Connector) -> None:
        self._advance(connector, self.clock.elapsed())
        sample = self._sample(connector, "Trigger")
        presentation = self._presentation()
        if self.version is OcppVersion.V16:
            session = connector.session
            tx_id = int(session.transaction_id) if session and session.transaction_id else None
            payload = msg.meter_values_16(connector.connector_id, tx_id, [sample], presentation)
        else:
            payload = msg.meter_values_201(connector.connector_id, [sample], presentation)
        with contextlib.suppress(CallRejected, CallTimeout):
            await self._call("MeterValues", payload)

    # -- sessions ---------------------------------------------------------------------------

    def _random_token(self) -> str:
        if self.config.id_tokens:
            return self.rng.choice(self.config.id_tokens)
        return f"TAG{self.rng.randrange(1, 1_000_000):06d}"

    def _idle_status(self, connector: Connector) -> str:
        if connector.faulted_until is not None:
            return "Faulted"
        if connector.operative and auth.reserved_for(self.state, connector.connector_id) is not None:
            return "Reserved"
        return "Available" if connector.operative else "Unavailable"

    def _expire_reservations(self) -> None:
        """Reservations past their expiry end; their connectors are free again (2.0.1: H04, the CSMS is told)."""
        for reservation in auth.expire(self.state, self.clock.now()):
            if reservation.connector_id is not None:
                connector = self.state.connectors[reservation.connector_id]
                if connector.session is None:
                    self._set_status(connector, self._idle_status(connector))
            if self.version is OcppVersion.V201 and self.booted:
                payload = {"reservationId": reservation.reservation_id, "reservationUpdateStatus": "Expired"}
                self._aux.append(("ReservationStatusUpdate", payload))
                self._wake.set()

    async def _start_session(self, start: StartSession) -> None:
        connector = self.state.connectors.get(start.connector_id)
        if connector is None or connector.session is not None or not connector.operative:
            return
        if connector.faulted_until is not None:
            return
        # A reserved connector only starts for its token or group (1.6 5.13, 2.0.1 H03).
        claim = auth.claim(self.state, connector.connector_id, start.id_token)
        if not claim.allowed:
            self.state.authorization.refused_starts += 1
            return
        authorize = not start.remote or self.state.config.get("AuthorizeRemoteTxRequests") == "true"
        if authorize and not await self._may_start(start):
            self.state.authorization.refused_starts += 1
            return
        if claim.reservation_id is not None:
            auth.consume(self.state, claim.reservation_id)
        now = self.clock.elapsed()
        self._session_counter += 1
        vehicle = self.rng.choice(_VEHICLES)
        dc = connector.spec.kind is ChargerKind.DC
        ev = EvState(
            vehicle, soc=self.rng.uniform(10.0, 60.0), target_soc=80.0 if dc else self.rng.uniform(80.0, 100.0)
        )
        duration = start.duration_s
        if duration is None and self.config.behaviour.sessions:
            duration = self.rng.expovariate(1.0 / self.config.behaviour.session_mean_s)
        session = Session(
            local_id=self._session_counter,
            connector_id=connector.connector_id,
            id_token=start.id_token,
            id_token_type=start.id_token_type,
            ev=ev,
            meter_start_wh=int(connector.register_wh),
            started_at=self.clock.at(now),
            started_elapsed=now,
            ends_at=now + duration if duration is not None else None,
            remote_start_id=start.remote_start_id,
            last_update=now,
            next_meter_at=now + self._meter_interval(),
        )
        connector.session = session
        self._next_start_at.pop(connector.connector_id, None)
        begin = self._sample(connector, "Transaction.Begin", energy_only=True)
        if self.signer is not None:
            session.signed_begin = self.signer.record("B", begin.timestamp, begin.energy_wh, session.id_token)
            begin = replace(begin, signed=session.signed_begin)
        if self.version is OcppVersion.V16:
            self._set_status(connector, "Preparing")
            payload = msg.start_transaction_16(
                connector.connector_id, session.id_token, session.meter_start_wh, session.started_at
            )
            if claim.reservation_id is not None:
                payload["reservationId"] = claim.reservation_id
            self._enqueue(Outgoing("StartTransaction", payload, session, "start"))
            self._set_status(connector, "Charging")
        else:
            session.transaction_id = f"{self.station_id[-12:]}-{self._session_counter}-{self.rng.getrandbits(32):08x}"
            self._set_status(connector, "Charging")
            event = msg.TxEvent(
                event_type="Started",
                timestamp=session.started_at,
                trigger_reason="RemoteStart" if start.remote else "Authorized",
                seq_no=self._next_seq_no(),
                transaction_id=session.transaction_id,
                evse_id=connector.connector_id,
                samples=(begin,),
                id_token=session.id_token,
                id_token_type=session.id_token_type,
                charging_state="Charging",
                remote_start_id=session.remote_start_id,
                offline=not self.booted,
            )
            started = msg.transaction_event_201(event, self._presentation())
            if claim.reservation_id is not None:
                started["reservationId"] = claim.reservation_id
            self._enqueue(Outgoing("TransactionEvent", started, session, "start"))

    async def _may_start(self, start: StartSession) -> bool:
        """Online: the local list with LocalPreAuthorize, else Authorize; offline: the local list
        (LocalAuthorizeOffline), else AllowOfflineTxForUnknownId."""
        now = self.clock.now()
        if not self.booted:
            return auth.offline_decision(self.state, start.id_token, now)
        if auth.pre_authorized(self.state, start.id_token, now):
            return True
        return await self._authorize(start.id_token, start.id_token_type)

    async def _authorize(self, token: str, token_type: str) -> bool:
        if self.version is OcppVersion.V16:
            payload: dict[str, Any] = {"idTag": token}
        else:
            payload = {"idToken": msg.id_token_201(token, token_type)}
        try:
            result = await self._call("Authorize", payload)
        except (CallRejected, CallTimeout):
            return True  # no answer: local authorisation, as chargers commonly do
        status = str(result["idTagInfo" if self.version is OcppVersion.V16 else "idTokenInfo"]["status"])
        if status != "Accepted":
            refused = self.counters.authorize_refused
            refused[status] = refused.get(status, 0) + 1
        return status == "Accepted"

    def _next_seq_no(self) -> int:
        seq_no = self._seq_no
        self._seq_no += 1
        return seq_no

    def _presentation(self) -> msg.Presentation:
        return msg.Presentation(self.profile.energy_kwh_labelled_wh, self.profile.omit_meter_timestamps)

    def _limits_w(
        self, connector: Connector, start: float, seconds: float, soc: float
    ) -> list[tuple[float, float | None]]:
        """The charging limit over the next ``seconds``, piece by piece (each schedule period its own)."""
        if self.profile.ignores_charging_profiles:
            return [(seconds, None)]
        return charging.segments(self.state, connector, self.clock.at(start), seconds, soc)

    def _advance(self, connector: Connector, now: float) -> None:
        session = connector.session
        if session is None:
            return
        start = session.last_update
        seconds = now - start
        session.last_update = max(session.last_update, now)
        if seconds <= 0 or connector.faulted_until is not None:
            return
        rate = ramp_rate_w(connector.spec, self.config.ramp_a_per_s)
        for length, limit in self._limits_w(connector, start, seconds, session.ev.soc):
            session.ev, energy_wh, session.power_w = ramped_charge(
                connector.spec, session.ev, length, limit, session.power_w, rate
            )
            connector.register_wh += energy_wh

    def _sample(self, connector: Connector, context: str, *, energy_only: bool = False) -> msg.Sample:
        session = connector.session
        soc = session.ev.soc if session is not None else 0.0
        power = session.power_w if session is not None else 0.0
        spec = connector.spec
        return msg.Sample(
            timestamp=self.clock.now(),
            energy_wh=int(connector.register_wh),
            power_w=power,
            current_a=spec.current_a(power, soc),
            voltage_v=spec.voltage_v(soc),
            soc=soc if spec.kind is ChargerKind.DC and session is not None else None,
            context=context,
            energy_only=energy_only,
        )

    def _advance_connectors(self, now: float) -> None:
        for connector in self.state.connectors.values():
            if connector.faulted_until is not None and connector.faulted_until <= now:
                self._recover(connector)
            session = connector.session
            if session is None:
                continue
            self._advance(connector, now)
            if session.ends_at is not None and now >= session.ends_at:
                self._stop_session(connector, "Local" if self.rng.random() < 0.5 else "EVDisconnected")
                continue
            if session.ev.full:
                if session.ends_at is None:
                    self._stop_session(connector, "EVDisconnected")
                    continue
                if self.version is OcppVersion.V16 and connector.status == "Charging":
                    self._set_status(connector, "SuspendedEV")
            if now >= session.next_meter_at:
                session.next_meter_at = max(session.next_meter_at + self._meter_interval(), now + 1e-6)
                self._enqueue_update(connector, "MeterValuePeriodic")

    def _enqueue_update(self, connector: Connector, trigger: str) -> None:
        session = connector.session
        if session is None:
            return
        context = "Trigger" if trigger == "Trigger" else "Sample.Periodic"
        sample = self._sample(connector, context)
        if self.version is OcppVersion.V16:
            payload = msg.meter_values_16(connector.connector_id, 0, [sample], self._presentation())
            self._enqueue(Outgoing("MeterValues", payload, session, "meter"))
            return
        charging = "SuspendedEV" if session.ev.full else "Charging"
        event = msg.TxEvent(
            event_type="Updated",
            timestamp=sample.timestamp,
            trigger_reason=trigger,
            seq_no=self._next_seq_no(),
            transaction_id=session.transaction_id or "",
            evse_id=connector.connector_id,
            samples=(sample,),
            charging_state=charging,
            offline=not self.booted,
        )
        self._enqueue(
            Outgoing("TransactionEvent", msg.transaction_event_201(event, self._presentation()), session, "meter")
        )

    def _stop_session(self, connector: Connector, reason: str) -> None:
        session = connector.session
        if session is None:
            return
        now = self.clock.elapsed()
        self._advance(connector, now)
        session.stop_reason = reason
        session.meter_stop_wh = int(connector.register_wh)
        session.stopped_at = self.clock.at(now)
        session.power_w = 0.0
        end = self._sample(connector, "Transaction.End", energy_only=True)
        if self.signer is not None:
            end = replace(end, signed=self.signer.record("E", end.timestamp, end.energy_wh, session.id_token))
        late = now + self.profile.late_stop_s
        if self.version is OcppVersion.V16:
            self._set_status(connector, "Finishing")
            begin = msg.Sample(
                session.started_at,
                session.meter_start_wh,
                0.0,
                0.0,
                0.0,
                None,
                "Transaction.Begin",
                True,
                session.signed_begin,
            )
            payload = msg.stop_transaction_16(
                0,
                session.meter_stop_wh,
                session.stopped_at,
                reason,
                session.id_token,
                [begin, end],
                self._presentation(),
            )
            action = "StopTransaction"
        else:
            stopped_reason, trigger = _REASON_201.get(reason, ("Other", "AbnormalCondition"))
            event = msg.TxEvent(
                event_type="Ended",
                timestamp=session.stopped_at,
                trigger_reason=trigger,
                seq_no=self._next_seq_no(),
                transaction_id=session.transaction_id or "",
                evse_id=connector.connector_id,
                samples=(end,),
                charging_state="Idle",
                stopped_reason=stopped_reason,
                offline=not self.booted,
            )
            payload = msg.transaction_event_201(event, self._presentation())
            action = "TransactionEvent"
        self._enqueue(Outgoing(action, payload, session, "stop", not_before=late))
        if self.profile.duplicate_stop:
            self._enqueue(Outgoing(action, dict(payload), session, "duplicate", not_before=late))
        connector.session = None
        charging.transaction_ended(self.state, connector.connector_id)
        if connector.pending_inoperative:
            connector.pending_inoperative = False
            connector.operative = False
        self._set_status(connector, self._idle_status(connector))
        if self.config.behaviour.sessions:
            self._next_start_at[connector.connector_id] = now + self.rng.expovariate(
                1.0 / self.config.behaviour.idle_mean_s
            )
        if self.state.reboot_when_idle and self.active_sessions == 0:
            self.state.reboot_when_idle = False
            self._post(Reboot("SoftReset"))

    def _fault(self, connector_id: int, seconds: float) -> None:
        connector = self.state.connectors.get(connector_id)
        if connector is None or connector.faulted_until is not None:
            return
        if connector.session is not None:
            self._stop_session(connector, "EmergencyStop")
        errors = self.profile.vendor_errors
        error = self.rng.choice(errors) if errors else None
        connector.faulted_until = self.clock.elapsed() + seconds
        self._set_status(connector, "Faulted", error)
        if self.version is OcppVersion.V201 and self.booted:
            self._event_id += 1
            self._aux.append(
                ("NotifyEvent", msg.notify_fault_201(self.clock.now(), self._event_id, connector_id, error))
            )

    def _recover(self, connector: Connector) -> None:
        connector.faulted_until = None
        self._set_status(connector, self._idle_status(connector))
        if self.version is OcppVersion.V201 and self.booted:
            self._event_id += 1
            payload = msg.notify_fault_201(self.clock.now(), self._event_id, connector.connector_id, None, cleared=True)
            self._aux.append(("NotifyEvent", payload))

    async def _reboot(self, reason: str) -> None:
        lose_ids = self.version is OcppVersion.V16 and self.profile.transaction_id_after_reset is not None
        for connector in self.state.connectors.values():
            session = connector.session
            if session is not None:
                session.id_lost = lose_ids
                self._stop_session(connector, reason)
        if self.booted and not lose_ids:
            with contextlib.suppress(_ConnectionLost):
                await self._send_aux()
                await self._drain_queue(now_only=True)
        self._boot_reason = "RemoteReset" if reason in ("HardReset", "SoftReset") else "PowerUp"
        if self._firmware_reboot:
            self._firmware_reboot = False
            self._boot_reason = "FirmwareUpdate"
        await self._close(planned=True)
        self._next_connect_at = max(self._offline_until, self.clock.elapsed() + self.config.reboot_delay_s)

    # -- the transaction queue ---------------------------------------------------------------

    def _enqueue(self, item: Outgoing) -> None:
        if len(self._queue) >= self.config.max_queue:
            # Full: drop the oldest meter values first, as chargers do.
            for index, queued in enumerate(self._queue):
                if queued.kind == "meter":
                    del self._queue[index]
                    break
            else:
                self.counters.error("offline queue full: a message was dropped")
                return
        self._queue.append(item)
        self._wake.set()

    def _final_payload(self, item: Outgoing) -> dict[str, Any] | None:
        """Fill in what was unknown when the message was queued (the 1.6 transaction id)."""
        session = item.session
        if self.version is OcppVersion.V201 or item.kind == "start" or session is None:
            return item.payload
        if item.kind in ("stop", "duplicate") and session.id_lost:
            return item.payload | {"transactionId": self.profile.transaction_id_after_reset}
        if session.transaction_id is None:
            return None if item.kind != "meter" else {k: v for k, v in item.payload.items() if k != "transactionId"}
        return item.payload | {"transactionId": int(session.transaction_id)}

    async def _drain_queue(self, *, now_only: bool = False, final: bool = False) -> None:
        """Send queued transaction messages in order. ``now_only``: one try each, keep what fails
        (before a reboot); ``final``: one try each, give up on what fails (shutdown)."""
        while self._queue and self.booted:
            item = self._queue[0]
            now = self.clock.elapsed()
            if not (now_only or final) and (item.not_before > now or item.retry_at > now):
                return
            payload = self._final_payload(item)
            if payload is None:
                self._queue.popleft()
                self._settled(item, None)
                continue
            if self._hold_back(item):
                continue
            try:
                result = await self._call(item.action, payload)
            except (CallRejected, CallTimeout):
                item.attempts += 1
                if now_only:
                    return
                if item.attempts >= max(1, self.state.config.number("TransactionMessageAttempts")) or final:
                    self._queue.popleft()
                    self.counters.error(
                        f"{item.action} given up after {item.attempts} attempts (no answer or CALLERROR)"
                    )
                    self._settled(item, None)
                else:
                    interval = self.state.config.number("TransactionMessageRetryInterval")
                    item.retry_at = self.clock.elapsed() + interval * item.attempts
                continue
            self._queue.popleft()
            self._settled(item, result)

    def _hold_back(self, item: Outgoing) -> bool:
        """Quirk ``late_event_s``: the first offline-queued Updated event of a session is held back and
        sent after the session's Ended event (a seqNo gap the CSMS sees closing late)."""
        session = item.session
        if (
            self.profile.late_event_s <= 0
            or self.version is not OcppVersion.V201
            or item.kind != "meter"
            or session is None
            or not item.payload.get("offline")
            or session.local_id in self._late
            or session.late_sent
        ):
            return False
        session.late_sent = True
        self._late[session.local_id] = self._queue.popleft()
        return True

    def _settled(self, item: Outgoing, result: dict[str, Any] | None) -> None:
        """A queued message was answered (``result``) or given up (None)."""
        session = item.session
        if session is None:
            return
        if item.kind == "start" and result is not None:
            self.counters.transactions_started += 1
            if self.version is OcppVersion.V16:
                session.transaction_id = str(result["transactionId"])
                status = result["idTagInfo"]["status"]
            else:
                status = result.get("idTokenInfo", {}).get("status", "Accepted")
            if status != "Accepted" and session.stop_reason is None:
                self._post(StopSession(session.connector_id, "DeAuthorized"))
            elif self.state.charging.iso15118 and session.stop_reason is None:
                needs = charging.ev_needs_call(self.state, self.state.connectors[session.connector_id])
                if needs is not None:  # K15: the ISO 15118 EV reports its needs once the transaction runs
                    self._aux.append(needs)
        elif item.kind == "stop":
            session.acknowledged = result is not None
            self._record(session)
            late = self._late.pop(session.local_id, None)
            if late is not None:  # quirk late_event_s: the held-back event follows the Ended event
                late.not_before = self.clock.elapsed() + self.profile.late_event_s
                self._queue.append(late)
                self._wake.set()

    def _record(self, session: Session) -> None:
        if session.recorded or session.stopped_at is None or session.meter_stop_wh is None:
            return
        session.recorded = True
        if session.acknowledged:
            self.counters.transactions_completed += 1
        else:
            self.counters.transactions_unacknowledged += 1
        if self._on_ledger is None:
            return
        self._on_ledger(
            LedgerEntry(
                station_id=self.station_id,
                ocpp_version=self.version.value,
                transaction_id=session.transaction_id,
                id_token=session.id_token,
                meter_start_wh=session.meter_start_wh,
                meter_stop_wh=session.meter_stop_wh,
                energy_wh=session.meter_stop_wh - session.meter_start_wh,
                started_at=format_datetime(session.started_at),
                stopped_at=format_datetime(session.stopped_at),
                stop_reason=session.stop_reason or "Other",
                acknowledged=session.acknowledged,
            )
        )

    # -- random behaviour -------------------------------------------------------------------

    def _schedule_behaviour(self, now: float) -> None:
        behaviour = self.config.behaviour
        if behaviour.sessions:
            for connector_id in self.state.connectors:
                self._next_start_at[connector_id] = now + self.rng.expovariate(1.0 / behaviour.idle_mean_s) * 0.5
        self._next_fault_at = now + self._exponential(behaviour.fault_rate_per_h)
        self._next_disconnect_at = now + self._exponential(behaviour.disconnect_rate_per_h)
        self._next_offline_at = now + self._exponential(behaviour.offline_rate_per_h)

    def _exponential(self, rate_per_h: float) -> float:
        return self.rng.expovariate(rate_per_h / 3600.0) if rate_per_h > 0 else INFINITY

    def _random_events(self, now: float) -> None:
        behaviour = self.config.behaviour
        for connector_id, due in list(self._next_start_at.items()):
            connector = self.state.connectors[connector_id]
            if now >= due:
                if connector.session is None and connector.operative and connector.faulted_until is None:
                    self._post(StartSession(connector_id, self._random_token()))
                    self._next_start_at[connector_id] = INFINITY  # re-armed when the session ends
                else:
                    self._next_start_at[connector_id] = now + behaviour.idle_mean_s
        if now >= self._next_fault_at:
            self._next_fault_at = now + self._exponential(behaviour.fault_rate_per_h)
            self._post(_Fault(self.rng.choice(list(self.state.connectors)), behaviour.fault_duration_s))
        if now >= self._next_disconnect_at:
            self._next_disconnect_at = now + self._exponential(behaviour.disconnect_rate_per_h)
            self._post(_Drop())
        if now >= self._next_offline_at:
            self._next_offline_at = now + self._exponential(behaviour.offline_rate_per_h)
            self._post(_GoOffline(self.rng.expovariate(1.0 / behaviour.offline_mean_s)))

    # -- shutdown ---------------------------------------------------------------------------

    async def _finish(self) -> None:
        try:
            if self.config.graceful_stop:
                for connector in self.state.connectors.values():
                    if connector.session is not None:
                        self._stop_session(connector, "Local")
                if self.booted:
                    with contextlib.suppress(_ConnectionLost, TimeoutError):
                        async with asyncio.timeout(self.config.shutdown_timeout_real_s):
                            await self._drain_queue(final=True)
        finally:
            # Timed out, connection lost or cancelled: every stopped session still reaches the
            # ledger, acknowledged only if its stop was answered (an unanswered stop may or may
            # not have reached the server's database, and the ledger says which case it is).
            for item in self._queue:
                if item.kind == "stop" and item.session is not None:
                    self._record(item.session)
            self._queue.clear()
            for task in list(self._helpers):
                task.cancel()
            await self._close(planned=True)

    def _initial_config(self) -> dict[str, str]:
        config = self.config
        return {
            "HeartbeatInterval": str(int(config.heartbeat_interval_s)),
            "MeterValueSampleInterval": str(int(config.meter_interval_s)),
            "MeterValuesSampledData": "Energy.Active.Import.Register,Power.Active.Import,Current.Import,Voltage,SoC",
            "TransactionMessageAttempts": str(config.transaction_attempts),
            "TransactionMessageRetryInterval": str(int(config.transaction_retry_interval_s)),
            "RetryBackOffWaitMinimum": str(int(config.backoff_minimum_s)),
            "RetryBackOffRandomRange": str(int(config.backoff_random_range_s)),
            "RetryBackOffRepeatTimes": str(config.backoff_repeat_times),
            "AuthorizeRemoteTxRequests": "false",
            "ConnectionTimeOut": "60",
            "NumberOfConnectors": str(config.connectors),
            "ReserveConnectorZeroSupported": "true",
            "LocalAuthListEnabled": "true",
            "LocalAuthListMaxLength": str(config.local_list_max_length),
            "SendLocalListMaxLength": str(config.send_local_list_max_length),
            "LocalAuthorizeOffline": "true",
            "LocalPreAuthorize": "false",
            "AllowOfflineTxForUnknownId": "true",
        }
