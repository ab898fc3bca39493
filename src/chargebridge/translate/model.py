"""The translating gateway's state per station and the steps its translations return. No I/O.

A translation (see :mod:`.translations`) reads and changes a :class:`StationState` and answers
with plain values: a :class:`StationStep` for a station's CALL (what to send upstream, how to
answer the station) and a :class:`CommandPlan` for the upstream's CALL (what to ask the station,
how to answer the upstream). The runtime (:mod:`.bridge`) persists the state, sends, waits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from chargebridge.domain.model import IdTokenInfo
from chargebridge.domain.timeutil import format_datetime, parse_datetime
from chargebridge.rpc.errors import ErrorCode, OcppError

Payload = dict[str, Any]


class Delivery(StrEnum):
    """How a message travels to the upstream.

    - LIVE: needs the upstream now (Authorize, DataTransfer, ...); when the upstream is away the
      station gets the step's fallback answer, or a CALLERROR when there is none.
    - DURABLE: committed to the queue before the station is answered, sent in order, retried,
      replayed after an outage or a restart (transaction messages, meter values, security events,
      firmware and log status).
    - STATE: the latest value of a slot (a connector's status, the boot) is what counts: it is kept
      until delivered and sent again after every reconnect, earlier values of the slot are dropped.
    """

    LIVE = "live"
    DURABLE = "durable"
    STATE = "state"


@dataclass(slots=True)
class Outbound:
    """A CALL for the upstream. ``session``: the transaction whose upstream id the payload needs at
    send time (a 1.6 upstream names its transactions only when it answers StartTransaction)."""

    action: str
    payload: Payload
    delivery: Delivery
    tag: str = ""
    station_action: str | None = None  # the station's action this answers (relayed answers)
    # A queued message whose loss before the station is answered the station's own retry repairs
    # (its next attempt is a new message to the gateway: a 1.6 MeterValues, a passthrough frame);
    # the gateway then writes its queue row only when it answers the station without the upstream.
    repairable: bool = False
    session: int | None = None
    slot: str | None = None
    # set by the runtime
    queue_id: int | None = None  # its number in the station's durable queue
    queued_offline: bool = False
    generation: int = 0
    attempts: int = 0
    encoded: str | None = None  # the payload as JSON text (stored so, and sent so when nothing changed)


@dataclass(slots=True)
class StationStep:
    """What a station's CALL becomes. The station gets: the translated upstream answer of
    ``outbound[relay]`` when there is one in time, else ``reply``; a CALLERROR when neither."""

    outbound: list[Outbound] = field(default_factory=list)
    reply: Payload | None = None
    relay: int | None = None
    sessions: list[Session] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class StationCall:
    action: str
    payload: Payload


@dataclass(frozen=True, slots=True)
class StationError:
    """A CALLERROR the station answered one of the gateway's CALLs with (or a timeout: ``code`` None)."""

    code: str | None
    description: str


StationAnswer = Payload | StationError


@dataclass(slots=True)
class CommandPlan:
    """What an upstream CALL becomes: ``local`` answers it at once; otherwise ``calls`` go to the
    station in order and ``finish`` turns their answers into the upstream's answer. With
    ``forward_errors`` a CALLERROR of the station is passed on as it is."""

    calls: list[StationCall] = field(default_factory=list)
    finish: Callable[[list[StationAnswer]], Payload] | None = None
    local: Payload | None = None
    forward_errors: bool = True
    reconnect_upstream: bool = False
    notes: list[str] = field(default_factory=list)


class CannotTranslate(OcppError):
    """A message the other side's version cannot say: answered with a CALLERROR (NotSupported unless
    the code says otherwise) whose description says why; logged and counted."""

    def __init__(self, description: str, code: ErrorCode = ErrorCode.NOT_SUPPORTED):
        super().__init__(code, description[:255])


@dataclass(slots=True)
class AnswerEffect:
    """What the upstream's answer to an outbound CALL did: the station's answer (when the outbound
    was relayed) and the state it changed, to persist before the next CALL goes out."""

    reply: Payload | None = None
    sessions: list[Session] = field(default_factory=list)
    changed: bool = False


# -- state -------------------------------------------------------------------------------------


def _time(value: datetime | None) -> str | None:
    return format_datetime(value) if value is not None else None


def _parse(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


@dataclass(slots=True)
class Session:
    """One transaction as the gateway tracks it. ``key`` is the gateway's number for it (for a 1.6
    station it *is* the transactionId the station was given)."""

    key: int
    station_tx_id: str
    upstream_tx_id: str | None
    evse_id: int | None
    connector_id: int | None
    started_at: datetime
    id_token: str | None = None
    id_token_type: str | None = None
    remote_start_id: int | None = None
    reservation_id: int | None = None
    dedupe_key: str | None = None
    meter_start_wh: float | None = None
    last_meter_wh: float | None = None
    charging_state: str | None = None
    ended: bool = False
    start_sent: bool = True
    id_status: str | None = None
    deferred: list[Payload] = field(default_factory=list)
    seen_seq_nos: list[int] = field(default_factory=list)

    def data(self) -> Payload:
        return {
            "evse_id": self.evse_id,
            "connector_id": self.connector_id,
            "started_at": _time(self.started_at),
            "id_token": self.id_token,
            "id_token_type": self.id_token_type,
            "remote_start_id": self.remote_start_id,
            "reservation_id": self.reservation_id,
            "meter_start_wh": self.meter_start_wh,
            "last_meter_wh": self.last_meter_wh,
            "charging_state": self.charging_state,
            "start_sent": self.start_sent,
            "id_status": self.id_status,
            "deferred": self.deferred,
            "seen_seq_nos": self.seen_seq_nos,
        }

    @classmethod
    def from_row(
        cls,
        key: int,
        station_tx_id: str,
        upstream_tx_id: str | None,
        dedupe_key: str | None,
        ended: bool,
        data: Payload,
    ) -> Session:
        return cls(
            key=key,
            station_tx_id=station_tx_id,
            upstream_tx_id=upstream_tx_id,
            evse_id=data.get("evse_id"),
            connector_id=data.get("connector_id"),
            started_at=_parse(data.get("started_at")) or datetime.fromtimestamp(0).astimezone(),
            id_token=data.get("id_token"),
            id_token_type=data.get("id_token_type"),
            remote_start_id=data.get("remote_start_id"),
            reservation_id=data.get("reservation_id"),
            dedupe_key=dedupe_key,
            meter_start_wh=data.get("meter_start_wh"),
            last_meter_wh=data.get("last_meter_wh"),
            charging_state=data.get("charging_state"),
            ended=ended,
            start_sent=data.get("start_sent", True),
            id_status=data.get("id_status"),
            deferred=list(data.get("deferred", ())),
            seen_seq_nos=list(data.get("seen_seq_nos", ())),
        )


@dataclass(slots=True)
class PendingRemoteStart:
    """A remote start the station accepted, waiting for the transaction it starts."""

    remote_start_id: int
    id_token: str
    evse_id: int | None
    at: datetime


@dataclass(slots=True)
class ConnectorState:
    status: str | None = None  # the station's last status word
    error: str | None = None  # the 1.6 errorCode raised upstream as a Problem (1.6 station)
    sent: str | None = None  # the last 1.6 status sent upstream (2.0.1 station)


@dataclass(slots=True)
class StationState:
    station_id: str
    seq_no: int = 0  # the next TransactionEvent seqNo (2.0.1 upstream)
    event_id: int = 0  # the next NotifyEvent eventId
    notify_seq_no: int = 0  # the next NotifyEvent seqNo
    next_tx_key: int = 1
    next_request_id: int = 1  # remoteStartId / requestId the gateway makes up for a 2.0.1 station
    next_item_no: int = 1  # the number of the next message in the station's durable queue
    boot_interval: int | None = None  # the interval of the last accepted boot
    boot_reason: str | None = None  # what the next 2.0.1 BootNotification gives as reason
    remote_starts: list[PendingRemoteStart] = field(default_factory=list)
    firmware_request: int | None = None
    firmware_signed: bool = False
    log_request: int | None = None
    log_kind: str | None = None  # diagnostics | log
    connectors: dict[int, ConnectorState] = field(default_factory=dict)
    slots: dict[str, tuple[str, Payload]] = field(default_factory=dict)  # STATE deliveries not yet made
    upstream_password: str | None = None  # set by the upstream (AuthorizationKey / BasicAuthPassword)
    station_version: str | None = None  # the OCPP version the station last spoke (its queue is in that translation)
    sessions: dict[int, Session] = field(default_factory=dict)
    # not persisted: the upstream's recent authorizations (offline Authorize answers)
    auth_cache: dict[str, tuple[IdTokenInfo, datetime]] = field(default_factory=dict)

    def connector(self, evse_id: int) -> ConnectorState:
        state = self.connectors.get(evse_id)
        if state is None:
            state = self.connectors[evse_id] = ConnectorState()
        return state

    def take_seq_no(self) -> int:
        value = self.seq_no
        self.seq_no += 1
        return value

    def take_request_id(self) -> int:
        value = self.next_request_id
        self.next_request_id += 1
        return value

    def take_item_no(self) -> int:
        value = self.next_item_no
        self.next_item_no += 1
        return value

    def take_tx_key(self) -> int:
        value = self.next_tx_key
        self.next_tx_key += 1
        return value

    def session_by_station_tx(self, station_tx_id: str) -> Session | None:
        return next((s for s in self.sessions.values() if s.station_tx_id == station_tx_id), None)

    def session_by_upstream_tx(self, upstream_tx_id: str) -> Session | None:
        return next((s for s in self.sessions.values() if s.upstream_tx_id == upstream_tx_id), None)

    def open_session_on(self, evse_id: int | None) -> Session | None:
        return next((s for s in self.sessions.values() if not s.ended and s.evse_id == evse_id), None)

    def prune_sessions(self, keep: set[int] | None = None, keep_ended: int = 32) -> None:
        """Keep every open session, those in ``keep`` (queued messages need them) and the latest
        ended ones (late or repeated stops find them)."""
        ended = sorted((s.key for s in self.sessions.values() if s.ended), reverse=True)
        for key in ended[keep_ended:]:
            if keep is None or key not in keep:
                del self.sessions[key]

    def state_json(self) -> Payload:
        return {
            "boot_interval": self.boot_interval,
            "boot_reason": self.boot_reason,
            "remote_starts": [
                {"id": r.remote_start_id, "token": r.id_token, "evse": r.evse_id, "at": _time(r.at)}
                for r in self.remote_starts
            ],
            "firmware_request": self.firmware_request,
            "firmware_signed": self.firmware_signed,
            "log_request": self.log_request,
            "log_kind": self.log_kind,
            "connectors": {str(n): [c.status, c.error, c.sent] for n, c in self.connectors.items()},
            "slots": {slot: [action, payload] for slot, (action, payload) in self.slots.items()},
            "upstream_password": self.upstream_password,
            "station_version": self.station_version,
        }

    def load_json(self, data: Payload) -> None:
        self.boot_interval = data.get("boot_interval")
        self.boot_reason = data.get("boot_reason")
        self.remote_starts = [
            PendingRemoteStart(r["id"], r["token"], r.get("evse"), _parse(r.get("at")) or datetime.now().astimezone())
            for r in data.get("remote_starts", ())
        ]
        self.firmware_request = data.get("firmware_request")
        self.firmware_signed = bool(data.get("firmware_signed", False))
        self.log_request = data.get("log_request")
        self.log_kind = data.get("log_kind")
        self.connectors = {int(n): ConnectorState(*values) for n, values in data.get("connectors", {}).items()}
        self.slots = {slot: (action, payload) for slot, (action, payload) in data.get("slots", {}).items()}
        self.upstream_password = data.get("upstream_password")
        self.station_version = data.get("station_version")
