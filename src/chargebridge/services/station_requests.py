"""Answers every version-neutral request a station makes (the CSMS's side of OCPP).

One method per request type, dispatched by type. Transaction messages are answered only
after what they acknowledge is committed (the store's writer returns after COMMIT); a
business refusal (unknown or blocked token, unknown transaction) is an answer, never an
error, because an error makes a station retry and eventually drop the message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from chargebridge.bus.memory import EventBus
from chargebridge.domain.commands import Command, CommandOutcome, TriggerMessage
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo, RegistrationStatus
from chargebridge.domain.requests import (
    Ack,
    AuthorizeRequest,
    AuthorizeResponse,
    BootRequest,
    BootResponse,
    DataTransferRequest,
    DataTransferResponse,
    DataTransferStatus,
    FirmwareStatusRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LogStatusRequest,
    MeterValuesRequest,
    NotifyEventRequest,
    SecurityEventRequest,
    SignCertificateRequest,
    StationRequest,
    StationResponse,
    StatusRequest,
    TransactionEventRequest,
    TransactionEventResponse,
    TransactionEventType,
)
from chargebridge.domain.timeutil import format_datetime
from chargebridge.domain.transactions import TransactionState
from chargebridge.rpc.errors import ErrorCode, OcppError
from chargebridge.services.authorization import Authorization, OfflineAnswer, OfflinePolicy
from chargebridge.services.certificates import CertificateService
from chargebridge.services.clock import Clock
from chargebridge.store.database import is_unavailable
from chargebridge.store.repository import Store
from chargebridge.tasks import BackgroundTasks, cancel_and_wait

log = logging.getLogger(__name__)

# Security events that are raised as faults (OCPP 2.0.1 Appendix security events marked critical).
CRITICAL_SECURITY_EVENTS = frozenset(
    {
        "InvalidFirmwareSignature",
        "InvalidFirmwareSigningCertificate",
        "TamperDetectionActivated",
        "InvalidCentralSystemCertificate",
        "InvalidCsmsCertificate",
        "InvalidChargePointCertificate",
        "InvalidChargingStationCertificate",
        "AttemptedReplayAttacks",
        "InvalidTLSVersion",
        "InvalidTLSCipherSuite",
        "MemoryExhaustion",
        "SecurityLogWasCleared",
    }
)


# A capability's answer to one neutral request type: (station_id, ocpp_version, request, now) -> response.
RequestHandler = Callable[[str, str, Any, datetime], Awaitable[StationResponse]]

# How long a station whose boot is Pending may send a message the CSMS asked for (a triggered
# message, the parts of a report) after the CSMS asked.
EXPECTED_WINDOW_S = 300.0

# TriggerMessage names (both versions) -> the neutral request the station sends when triggered.
TRIGGERED_REQUESTS: dict[str, type] = {
    "BootNotification": BootRequest,
    "Heartbeat": HeartbeatRequest,
    "StatusNotification": StatusRequest,
    "MeterValues": MeterValuesRequest,
    "TransactionEvent": TransactionEventRequest,
    "FirmwareStatusNotification": FirmwareStatusRequest,
    "LogStatusNotification": LogStatusRequest,
    "DiagnosticsStatusNotification": LogStatusRequest,
    "SignChargingStationCertificate": SignCertificateRequest,
    "SignChargePointCertificate": SignCertificateRequest,
    "SignV2GCertificate": SignCertificateRequest,
    "SignCombinedCertificate": SignCertificateRequest,
}


class _Answered(Protocol):
    """A command's answer as the gateway returns it (only its outcome is read here)."""

    @property
    def outcome(self) -> CommandOutcome: ...


_A = TypeVar("_A", bound=_Answered)


class TransactionPolicy(Protocol):
    """A capability's say on transaction messages (reservations: a reserved EVSE only starts for
    its token). ``check`` runs before the message is stored and may change the authorization the
    station is answered with (never raising a business refusal as an error); ``recorded`` runs
    after it is stored (1.6: the transaction id is known only then)."""

    async def check(
        self, station_id: str, version: str, request: TransactionEventRequest, info: IdTokenInfo | None, now: datetime
    ) -> IdTokenInfo | None: ...

    async def recorded(
        self, station_id: str, version: str, request: TransactionEventRequest, state: TransactionState, now: datetime
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class CsmsSettings:
    heartbeat_interval_s: int = 300
    boot_retry_interval_s: int = 60
    last_seen_flush_s: float = 5.0
    # A station timestamp further than this from the server's clock is a clock_skew station event,
    # recorded at most once per station per clock_skew_report_every_s.
    clock_skew_limit_s: float = 300.0
    clock_skew_report_every_s: float = 3600.0


def station_time(request: StationRequest, version: str) -> tuple[datetime | None, bool]:
    """The latest time the station's own clock put in a request, and whether the message may
    have been queued while the station was offline (then an old time is no sign of a wrong
    clock: only a time in the future is). ``(None, True)`` for a request without a time.

    Only a 2.0.1 TransactionEvent says it was not queued (``offline`` false); 1.6 messages and
    the other requests can be sent late after an outage."""
    match request:
        case TransactionEventRequest():
            return request.timestamp, version == "1.6" or request.offline
        case MeterValuesRequest():
            return max((s.timestamp for s in request.samples), default=None), True
        case StatusRequest():
            return request.timestamp, True
        case NotifyEventRequest():
            return max((e.timestamp for e in request.events), default=None), True
        case SecurityEventRequest():
            return request.timestamp, True
    return None, True


def clock_skew_s(station: datetime, server: datetime, limit_s: float, *, may_be_queued: bool) -> float | None:
    """How far (seconds; positive: ahead) a station time is off the server's clock when that is
    beyond ``limit_s``, else None. A time behind the server's counts only for a message that
    cannot have been queued."""
    skew = (station - server).total_seconds()
    if skew > limit_s or (skew < -limit_s and not may_be_queued):
        return round(skew, 3)
    return None


# Stations whose last-seen time one write of LastSeenTracker.flush carries.
TOUCH_CHUNK = 200


class LastSeenTracker:
    """Keeps last-seen times in memory and writes them in one batch every few seconds."""

    def __init__(self, store: Store, flush_every_s: float):
        self._store = store
        self._flush_every_s = flush_every_s
        self._pending: dict[str, datetime] = {}
        self._task: asyncio.Task[None] | None = None

    def seen(self, station_id: str, at: datetime) -> None:
        self._pending[station_id] = at

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="last-seen-flush")

    async def flush(self) -> None:
        """Write what was seen since the last flush, in chunks of ``TOUCH_CHUNK`` stations: each
        chunk is its own write in the group-commit writer, so a fleet's worth of last-seen times
        never holds the messages' commits behind one long statement."""
        pending, self._pending = self._pending, {}
        items = list(pending.items())
        for start in range(0, len(items), TOUCH_CHUNK):
            try:
                await self._store.touch_many(dict(items[start : start + TOUCH_CHUNK]))
            except Exception as exc:
                if is_unavailable(exc):  # the outage is logged once, by the store's health monitor
                    log.debug("last-seen times not stored: %s", exc)
                else:
                    log.exception("could not store last-seen times")
                return

    async def _loop(self) -> None:
        while True:
            await asyncio.sleep(self._flush_every_s)
            await self.flush()

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
        await self.flush()


def transaction_json(state: TransactionState) -> dict[str, Any]:
    return {
        "transaction_id": state.transaction_id,
        "evse_id": state.evse_id,
        "connector_id": state.connector_id,
        "id_token": state.id_token,
        "energy_wh": state.energy_wh,
        "meter_start_wh": state.meter_start_wh,
        "meter_stop_wh": state.meter_stop_wh,
        "active": state.active,
        "stop_reason": state.stop_reason,
        "energy_mismatch": state.energy_mismatch,
        "orphan": state.orphan,
        "completeness": state.completeness,
        "finalised_at": format_datetime(state.finalised_at) if state.finalised_at is not None else None,
        "start_in_future": state.start_in_future,
        "end_before_start": state.end_before_start,
        "time_note": state.time_note,
    }


class StationRequests:
    """The handler behind every station connection."""

    def __init__(
        self,
        store: Store,
        bus: EventBus,
        clock: Clock,
        settings: CsmsSettings,
        offline_policies: list[OfflinePolicy] | None = None,
    ):
        self.store = store
        self.bus = bus
        self.clock = clock
        self.settings = settings
        # Token lookups; answers from the offline policies while the database is away.
        self.authorization = Authorization(store, bus, clock, offline_policies)
        self.last_seen = LastSeenTracker(store, settings.last_seen_flush_s)
        self._boot_status: dict[str, RegistrationStatus] = {}
        # The registration status read at the handshake, used by the BootNotification that follows
        # it (saves a read per connect: the handshake's read is milliseconds old).
        self._registration_at_connect: dict[str, str] = {}
        self._writes = BackgroundTasks(log, "connection bookkeeping failed")
        # SignCertificate: refused until the composition root gives it a CA and the gateway (configure()).
        self.certificates = CertificateService(store, bus, clock)
        # Vendor DataTransfer decoders (integrations.vendors): an answer, or None for UnknownVendorId.
        self.data_transfer_hook: (
            Callable[[str, DataTransferRequest, datetime], Awaitable[DataTransferResponse | None]] | None
        ) = None
        # Requests answered by a capability package (device model, reservations, ...), see register().
        self._handlers: dict[type, RequestHandler] = {}
        # Tokens accepted at one station only (grant_token).
        self._station_tokens: set[tuple[str, str]] = set()
        # Reservations' rule on transaction messages (set by the authorization extension when it starts).
        self.transaction_policy: TransactionPolicy | None = None
        # Called after a NotifyEvent is stored (monitoring turns monitor events into faults and alerts).
        self.notify_event_hook: Callable[[str, NotifyEventRequest, datetime], Awaitable[None]] | None = None
        # What the CSMS asked each station for: (request type, request id or None) -> until when a
        # Pending station may send it (2.0.1 B02: other CALLs of a Pending station get SecurityError).
        self._expected: dict[str, dict[tuple[type, int | None], datetime]] = {}
        # Stations whose clock was found off: station -> (skew in s, when it was last recorded).
        self._clock_skew: dict[str, tuple[float, datetime]] = {}
        self.triggered_requests: dict[str, type] = dict(TRIGGERED_REQUESTS)
        # transaction.finalised follows the commit that finalised a transaction (store listener).
        store.finalised_listeners.append(self._publish_finalised)
        # Billing: (station_id, version, transaction_id) -> the final cost to answer an Ended event with, or None.
        self.total_cost_hook: Callable[[str, str, str], Awaitable[Decimal | None]] | None = None

    def register(self, request_type: type, handler: RequestHandler) -> None:
        """Route a neutral request type to a capability's handler (called before stations connect)."""
        if request_type in self._handlers:
            raise ValueError(f"{request_type.__name__} already has a handler")
        self._handlers[request_type] = handler

    # -- registration and what a Pending station may send ------------------------------------

    def registration_changed(self, station_id: str) -> None:
        """The operator changed the station's registration status: the next BootNotification,
        also on the socket that is open now, reads the new one (not the status read at connect)."""
        self._registration_at_connect.pop(station_id, None)

    def expect(
        self, station_id: str, request_type: type, request_id: int | None = None, within_s: float = EXPECTED_WINDOW_S
    ) -> None:
        """The CSMS asked the station for a message of ``request_type`` (answering ``request_id``,
        if it names one): while the station's boot is Pending it may send it for ``within_s``."""
        until = self.clock.now() + timedelta(seconds=within_s)
        self._expected.setdefault(station_id, {})[(request_type, request_id)] = until

    def forget_expected(self, station_id: str, request_type: type, request_id: int | None = None) -> None:
        expected = self._expected.get(station_id)
        if expected is not None:
            expected.pop((request_type, request_id), None)
            if not expected:
                del self._expected[station_id]

    def _is_expected(self, station_id: str, request: StationRequest, now: datetime) -> bool:
        expected = self._expected.get(station_id)
        if not expected:
            return False
        for key, until in list(expected.items()):
            if until < now:
                del expected[key]
        request_id = getattr(request, "request_id", None)
        kind = type(request)
        return (kind, None) in expected or (request_id is not None and (kind, request_id) in expected)

    def trigger_executor(
        self, send: Callable[[str, Command, float | None], Awaitable[_A]]
    ) -> Callable[[str, Command, float | None], Awaitable[_A]]:
        """Wraps the gateway's command path for TriggerMessage: the triggered message is expected
        before the command goes out (a station may send it right after its answer) and forgotten
        again unless the station accepted."""

        async def execute(station_id: str, command: Command, timeout_s: float | None) -> _A:
            assert isinstance(command, TriggerMessage)
            request_type = self.triggered_requests.get(command.message)
            if request_type is not None:
                self.expect(station_id, request_type)
            accepted = False
            try:
                answer = await send(station_id, command, timeout_s)
                accepted = answer.outcome.status == "Accepted"
                return answer
            finally:
                if request_type is not None and not accepted:
                    self.forget_expected(station_id, request_type)

        return execute

    async def start(self) -> None:
        await self.store.mark_all_disconnected(self.clock.now())
        self.last_seen.start()

    async def stop(self) -> None:
        await self._writes.wait(timeout_s=5.0)
        await self.certificates.stop()
        await self.last_seen.stop()
        await self.authorization.stop()

    # -- connection lifecycle --------------------------------------------------------------

    async def connected(self, station_id: str, version: str, station: dict[str, Any] | None = None) -> None:
        """A socket opened (``station``: its row as read at the handshake, if the gateway has it).
        Never blocks the socket on the database: writes are queued, not awaited."""
        now = self.clock.now()
        row = station
        if row is None:
            try:
                row = await self.store.get_station(station_id)
            except Exception as exc:
                if is_unavailable(exc):
                    log.debug("%s: boot status not read: %s", station_id, exc)
                else:
                    log.exception("%s: could not read the station's boot status", station_id)
        boot_status = row["boot_status"] if row else None
        skew, skew_at = (row.get("clock_skew_s"), row.get("clock_skew_at")) if row else (None, None)
        if skew is not None and skew_at is not None and station_id not in self._clock_skew:
            self._clock_skew[station_id] = (float(skew), skew_at)
        if row is not None and station is not None:
            self._registration_at_connect[station_id] = row["registration_status"]
        if boot_status in (RegistrationStatus.PENDING, RegistrationStatus.REJECTED):
            self._boot_status[station_id] = RegistrationStatus(boot_status)
        else:
            self._boot_status.pop(station_id, None)
        self._background(self.store.mark_connection(station_id, connected=True, version=version, at=now))
        if self.bus.interested(EventKind.STATION_CONNECTED):
            self.bus.publish(DomainEvent(EventKind.STATION_CONNECTED, station_id, now, {"ocpp_version": version}))

    def _background(self, write: Coroutine[Any, Any, None]) -> None:
        self._writes.spawn(write)

    async def disconnected(self, station_id: str) -> None:
        now = self.clock.now()
        self._registration_at_connect.pop(station_id, None)
        self._clock_skew.pop(station_id, None)
        self._expected.pop(station_id, None)
        self._background(self.store.mark_connection(station_id, connected=False, version=None, at=now))
        if self.bus.interested(EventKind.STATION_DISCONNECTED):
            self.bus.publish(DomainEvent(EventKind.STATION_DISCONNECTED, station_id, now))

    # -- requests --------------------------------------------------------------------------

    async def handle(self, station_id: str, version: str, request: StationRequest) -> StationResponse:
        now = self.clock.now()
        self.last_seen.seen(station_id, now)
        if not isinstance(request, BootRequest):
            self._check_registered(station_id, request, now)
        self._check_clock(station_id, version, request, now)
        match request:
            case BootRequest():
                return await self._boot(station_id, version, request, now)
            case HeartbeatRequest():
                return HeartbeatResponse(now)
            case StatusRequest():
                return await self._status(station_id, request, now)
            case AuthorizeRequest():
                info, offline = await self._authorize(station_id, request.id_token, now)
                if offline is not None:
                    self.authorization.record(offline)
                return AuthorizeResponse(info)
            case TransactionEventRequest():
                return await self._transaction(station_id, version, request, now)
            case MeterValuesRequest():
                return await self._meter_values(station_id, request, now)
            case DataTransferRequest():
                return await self._data_transfer(station_id, request, now)
            case FirmwareStatusRequest():
                return await self._recorded(
                    station_id,
                    EventKind.FIRMWARE_STATUS,
                    "firmware_status",
                    now,
                    {"status": request.status, "request_id": request.request_id},
                )
            case LogStatusRequest():
                return await self._recorded(
                    station_id,
                    EventKind.LOG_STATUS,
                    f"{request.kind}_status",
                    now,
                    {"status": request.status, "request_id": request.request_id},
                )
            case NotifyEventRequest():
                return await self._notify_event(station_id, request, now)
            case SecurityEventRequest():
                return await self._security_event(station_id, request, now)
            case SignCertificateRequest():
                return await self.certificates.sign(station_id, request, now)
        handler = self._handlers.get(type(request))
        if handler is not None:
            return await handler(station_id, version, request, now)
        raise OcppError(ErrorCode.NOT_SUPPORTED, f"{type(request).__name__} is not supported")

    def _check_clock(self, station_id: str, version: str, request: StationRequest, now: datetime) -> None:
        """Record a station clock that is off by more than the limit (a ``clock_skew`` station
        event and the station's ``clock_skew_s``), at most once per station per report interval,
        and clear it once the station's times agree again. Written in the background: the answer
        never waits for it."""
        at, may_be_queued = station_time(request, version)
        if at is None:
            return
        skew = clock_skew_s(at, now, self.settings.clock_skew_limit_s, may_be_queued=may_be_queued)
        known = self._clock_skew.get(station_id)
        if skew is None:
            # Agreeing again: an old time from a queued message proves nothing about a clock behind.
            if known is not None and (known[0] > 0 or not may_be_queued):
                del self._clock_skew[station_id]
                self._background(self.store.record_clock_skew(station_id, None, now, None))
            return
        if known is not None and (now - known[1]).total_seconds() < self.settings.clock_skew_report_every_s:
            return
        self._clock_skew[station_id] = (skew, now)
        data = {
            "type": "clock_skew",
            "skew_s": skew,
            "station_time": format_datetime(at),
            "server_time": format_datetime(now),
            "limit_s": self.settings.clock_skew_limit_s,
            "message": type(request).__name__.removesuffix("Request"),
        }
        log.warning(
            "%s: station clock is %.0f s %s the server's (its %s said %s)",
            station_id,
            abs(skew),
            "ahead of" if skew > 0 else "behind",
            data["message"],
            data["station_time"],
        )
        self._background(self.store.record_clock_skew(station_id, skew, now, data))
        self.bus.publish(DomainEvent(EventKind.STATION_EVENT, station_id, now, data))

    def _check_registered(self, station_id: str, request: StationRequest, now: datetime) -> None:
        status = self._boot_status.get(station_id)
        if status is None:
            return
        if status is RegistrationStatus.PENDING and self._is_expected(station_id, request, now):
            return  # 2.0.1 B02.FR.02: a Pending station sends what the CSMS asked for (triggered, reports)
        # 2.0.1 B02.FR.09 / B03.FR.05; for 1.6 the same answer keeps an unaccepted station out.
        raise OcppError(ErrorCode.SECURITY_ERROR, f"station is not accepted (BootNotification {status})")

    async def _boot(self, station_id: str, version: str, request: BootRequest, now: datetime) -> BootResponse:
        registration = self._registration_at_connect.pop(station_id, None)
        if registration is None:
            row = await self.store.get_station(station_id)
            registration = row["registration_status"] if row else RegistrationStatus.REJECTED.value
        status = RegistrationStatus(registration)
        await self.store.record_boot(station_id, request.identity, version, now, status.value)
        if status is RegistrationStatus.ACCEPTED:
            self._boot_status.pop(station_id, None)
            self._expected.pop(station_id, None)
            interval = self.settings.heartbeat_interval_s
        else:
            self._boot_status[station_id] = status
            interval = self.settings.boot_retry_interval_s
        self.bus.publish(
            DomainEvent(
                EventKind.STATION_BOOTED,
                station_id,
                now,
                {
                    "status": status.value,
                    "vendor": request.identity.vendor,
                    "model": request.identity.model,
                    "firmware_version": request.identity.firmware_version,
                    "ocpp_version": version,
                },
            )
        )
        return BootResponse(status, now, interval)

    async def _status(self, station_id: str, request: StatusRequest, now: datetime) -> Ack:
        at = request.timestamp or now
        raised = await self.store.set_connector_status(
            station_id,
            evse_id=request.evse_id,
            connector_id=request.connector_id,
            status=request.status.value,
            at=at,
            error_code=request.error_code,
            vendor_error_code=request.vendor_error_code,
            info=request.info,
        )
        if self.bus.interested(EventKind.STATUS_CHANGED):
            self.bus.publish(
                DomainEvent(
                    EventKind.STATUS_CHANGED,
                    station_id,
                    at,
                    {
                        "evse_id": request.evse_id,
                        "connector_id": request.connector_id,
                        "status": request.status.value,
                        "error_code": request.error_code,
                        "vendor_error_code": request.vendor_error_code,
                    },
                )
            )
        for fault in raised:
            self.bus.publish(DomainEvent(EventKind.FAULT_RAISED, station_id, at, _fault_json(fault)))
        return Ack()

    def grant_token(self, station_id: str, token: str, granted: bool = True) -> None:
        """Accept ``token`` at ``station_id`` only (not stored, not in any local list; False takes
        it back): the validation bench's token for the station under validation."""
        if granted:
            self._station_tokens.add((station_id, token))
        else:
            self._station_tokens.discard((station_id, token))

    async def _authorize(
        self, station_id: str, token: IdToken, now: datetime
    ) -> tuple[IdTokenInfo, OfflineAnswer | None]:
        """The token's authorization at this station: a token granted to it (the validation bench's)
        is accepted there only; any other is looked up (offline: the offline policies)."""
        if (station_id, token.value) in self._station_tokens:
            return IdTokenInfo(AuthorizationStatus.ACCEPTED), None
        return await self.authorization.authorize(station_id, token, now)

    async def _transaction(
        self, station_id: str, version: str, request: TransactionEventRequest, now: datetime
    ) -> TransactionEventResponse:
        info: IdTokenInfo | None = None
        offline: OfflineAnswer | None = None
        if request.id_token is not None:
            info, offline = await self._authorize(station_id, request.id_token, now)
        policy = self.transaction_policy
        if policy is not None:
            info = await policy.check(station_id, version, request, info, now)
        status = info.status if info is not None else None
        if request.transaction_id is None:  # 1.6 StartTransaction: we assign the id
            assert status is not None, "a 1.6 StartTransaction always carries an idTag"
            state, replay = await self.store.start_transaction_v16(station_id, request, status, now)
            if offline is not None:  # recorded once the write committed: the answer goes out now
                self.authorization.record(offline)
            if policy is not None:
                await policy.recorded(station_id, version, request, state, now)
            if not replay:
                self._publish_transaction(EventKind.TRANSACTION_STARTED, station_id, state, now)
            return TransactionEventResponse(state.transaction_id, info)
        applied, outcome = await self.store.apply_transaction_event(station_id, version, request, status, now)
        if offline is not None:
            self.authorization.record(offline)
        if policy is not None and applied is not None and outcome != "duplicate":
            await policy.recorded(station_id, version, request, applied, now)
        if applied is not None and outcome != "duplicate":
            kind = {
                TransactionEventType.STARTED: EventKind.TRANSACTION_STARTED,
                TransactionEventType.UPDATED: EventKind.TRANSACTION_UPDATED,
                TransactionEventType.ENDED: EventKind.TRANSACTION_ENDED,
            }[request.event_type]
            self._publish_transaction(kind, station_id, applied, now)
            if request.meter_values:
                self._publish_samples(station_id, request.evse_id or 0, request.transaction_id, request, now)
            if self.total_cost_hook is not None and request.event_type is TransactionEventType.ENDED:
                total_cost = await self.total_cost_hook(station_id, version, request.transaction_id)
                return TransactionEventResponse(None, info, total_cost)
        return TransactionEventResponse(None, info)

    def _publish_transaction(self, kind: EventKind, station_id: str, state: TransactionState, now: datetime) -> None:
        self.bus.publish(DomainEvent(kind, station_id, now, transaction_json(state)))

    def _publish_finalised(self, state: TransactionState, now: datetime) -> None:
        # Called right after the finalising commit; published on the next loop turn so that the
        # transaction.ended of the message that finalised it goes out first.
        asyncio.get_running_loop().call_soon(
            self._publish_transaction, EventKind.TRANSACTION_FINALISED, state.station_id, state, now
        )

    def _publish_samples(
        self,
        station_id: str,
        evse_id: int,
        transaction_id: str | None,
        request: MeterValuesRequest | TransactionEventRequest,
        now: datetime,
    ) -> None:
        if not self.bus.interested(EventKind.METER_SAMPLED):
            return
        samples = request.samples if isinstance(request, MeterValuesRequest) else request.meter_values
        for sample in samples:
            self.bus.publish(
                DomainEvent(
                    EventKind.METER_SAMPLED,
                    station_id,
                    sample.timestamp,
                    {
                        "evse_id": evse_id,
                        "transaction_id": transaction_id,
                        "timestamp": format_datetime(sample.timestamp),
                        "values": [
                            {
                                "measurand": v.measurand,
                                "value": v.value,
                                "unit": v.unit,
                                "phase": v.phase,
                                "context": v.context.value,
                            }
                            for v in sample.values
                        ],
                    },
                )
            )

    async def _meter_values(self, station_id: str, request: MeterValuesRequest, now: datetime) -> Ack:
        await self.store.add_meter_values(station_id, request, now)
        self._publish_samples(station_id, request.evse_id, request.transaction_id, request, now)
        return Ack()

    async def _data_transfer(
        self, station_id: str, request: DataTransferRequest, now: datetime
    ) -> DataTransferResponse:
        await self._recorded(
            station_id,
            EventKind.STATION_EVENT,
            "data_transfer",
            now,
            {"vendor_id": request.vendor_id, "message_id": request.message_id, "data": request.data},
        )
        if self.data_transfer_hook is not None:
            answer = await self.data_transfer_hook(station_id, request, now)
            if answer is not None:
                return answer
        # No vendor decoder is registered for this vendor: the spec's answer is UnknownVendorId.
        return DataTransferResponse(DataTransferStatus.UNKNOWN_VENDOR_ID)

    async def _recorded(
        self, station_id: str, kind: EventKind, store_kind: str, now: datetime, data: dict[str, Any]
    ) -> Ack:
        await self.store.add_station_event(station_id, store_kind, now, data)
        self.bus.publish(DomainEvent(kind, station_id, now, data))
        return Ack()

    async def _notify_event(self, station_id: str, request: NotifyEventRequest, now: datetime) -> Ack:
        for ev in request.events:
            data = {
                "event_id": ev.event_id,
                "trigger": ev.trigger,
                "component": ev.component,
                "variable": ev.variable,
                "actual_value": ev.actual_value,
                "evse_id": ev.evse_id,
                "connector_id": ev.connector_id,
                "tech_code": ev.tech_code,
                "tech_info": ev.tech_info,
                "cleared": ev.cleared,
            }
            await self._recorded(station_id, EventKind.STATION_EVENT, "notify_event", ev.timestamp, data)
            if ev.variable == "Problem":
                code = f"{ev.component}.Problem"
                problem = ev.actual_value.lower() == "true" and not ev.cleared
                if problem:
                    await self.store.raise_fault(
                        station_id,
                        source="event",
                        code=code,
                        at=ev.timestamp,
                        evse_id=ev.evse_id or 0,
                        connector_id=ev.connector_id or 0,
                        vendor_code=ev.tech_code,
                        info=ev.tech_info,
                    )
                    self.bus.publish(DomainEvent(EventKind.FAULT_RAISED, station_id, ev.timestamp, data))
                else:
                    await self.store.clear_faults(
                        station_id,
                        source="event",
                        code=code,
                        at=ev.timestamp,
                        evse_id=ev.evse_id or 0,
                        connector_id=ev.connector_id or 0,
                    )
                    self.bus.publish(DomainEvent(EventKind.FAULT_CLEARED, station_id, ev.timestamp, data))
        if self.notify_event_hook is not None:
            await self.notify_event_hook(station_id, request, now)
        return Ack()

    async def _security_event(self, station_id: str, request: SecurityEventRequest, now: datetime) -> Ack:
        data = {"type": request.type, "tech_info": request.tech_info, "timestamp": format_datetime(request.timestamp)}
        await self._recorded(station_id, EventKind.SECURITY_EVENT, "security_event", now, data)
        if request.type in CRITICAL_SECURITY_EVENTS:
            await self.store.raise_fault(
                station_id, source="security", code=request.type, at=request.timestamp, info=request.tech_info
            )
            self.bus.publish(DomainEvent(EventKind.FAULT_RAISED, station_id, now, {"code": request.type, **data}))
        return Ack()


def _fault_json(fault: dict[str, Any]) -> dict[str, Any]:
    return {key: (format_datetime(value) if isinstance(value, datetime) else value) for key, value in fault.items()}
