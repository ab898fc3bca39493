"""The translations: what each station message becomes upstream and each upstream command becomes
for the station, for one (station version, upstream version) pair. Pure: no I/O, no clock of
their own (``now`` is given), ids from an injected factory.

Every translation goes through the neutral model: the station's adapter decodes its CALL
(``adapter.decode``), the translation adds what the other version needs (transaction ids, seqNo,
trigger reasons, request ids), and the upstream version's station-side codec encodes it
(``station_side.encode_request``); the upstream's answer comes back through
``station_side.decode_response`` and the station adapter's ``encode_response``. Commands go
``station_side.decode_command`` -> neutral command (the core's and the capability packages' own:
smart charging, reservations, local lists, device model, firmware) -> the station adapter's
``encode_command``, and the station's answer ``csms_side.decode_result`` ->
``station_side.encode_result``. What one version cannot say is refused, or left out with a note
where the rest keeps its meaning (:func:`profile_for_16`).

- :class:`Passthrough`: station and upstream speak the same version; frames go as they are.
- :class:`Station16Upstream201`: a 1.6 charge point on a 2.0.1 CSMS.
- :class:`Station201Upstream16`: a 2.0.1 charging station on a 1.6 Central System.
"""

from __future__ import annotations

import abc
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from chargebridge.domain import authorization as auth
from chargebridge.domain import charging as ch
from chargebridge.domain import commands as cmd
from chargebridge.domain import devicemodel as dm
from chargebridge.domain import firmware as fw
from chargebridge.domain import translation as tr
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.model import (
    AuthorizationStatus,
    ConnectorStatus,
    IdToken,
    IdTokenInfo,
    MeterSample,
    ReadingContext,
    RegistrationStatus,
)
from chargebridge.domain.requests import (
    AuthorizeRequest,
    AuthorizeResponse,
    BootRequest,
    BootResponse,
    DataTransferRequest,
    FirmwareStatusRequest,
    HeartbeatRequest,
    HeartbeatResponse,
    LogStatusRequest,
    MeterValuesRequest,
    NotifiedEvent,
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
from chargebridge.ocpp16 import charging as ocpp16_charging
from chargebridge.ocpp16 import csms_side as csms16
from chargebridge.ocpp16 import station_side as station16
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201 import charging as ocpp201_charging
from chargebridge.ocpp201 import csms_side as csms201
from chargebridge.ocpp201 import station_side as station201
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import ErrorCode, OcppError, OcppVersion, schemas_for
from chargebridge.security.rotation import password_from_authorization_key
from chargebridge.translate import keys, vocab
from chargebridge.translate.model import (
    AnswerEffect,
    CannotTranslate,
    CommandPlan,
    Delivery,
    Outbound,
    Payload,
    PendingRemoteStart,
    Session,
    StationAnswer,
    StationCall,
    StationState,
    StationStep,
)

ADAPTER16 = Ocpp16Adapter()
ADAPTER201 = Ocpp201Adapter()
# Sessions the gateway never saw start get a stable UUID from the station and the 1.6 id.
ORPHAN_NAMESPACE = uuid.UUID("5b0c8f0e-3f6a-4c57-9c1e-6a3b2f4e8d10")
SEEN_SEQ_NOS = 64  # per session: seqNos of a 2.0.1 station remembered to drop re-sent events
ENERGY = "Energy.Active.Import.Register"
# 1.6 actions whose answer is empty.
ACK_ACTIONS_16 = frozenset(
    {
        "StatusNotification",
        "MeterValues",
        "DiagnosticsStatusNotification",
        "FirmwareStatusNotification",
        "SignedFirmwareStatusNotification",
        "LogStatusNotification",
        "SecurityEventNotification",
    }
)


@dataclass(frozen=True, slots=True)
class TranslationOptions:
    """Per-station choices (the gateway config's [gateway] and [stations.ID] sections)."""

    id_token_type: str = "ISO14443"  # the 2.0.1 idToken type of a 1.6 idTag
    anonymous_id_tag: str = "NoAuthorization"  # the 1.6 idTag of a 2.0.1 transaction without a usable token
    boot_retry_interval_s: int = 60  # Pending interval for a station that never had an accepted boot
    remote_start_ttl_s: float = 600.0  # how long an accepted remote start waits for its transaction
    auth_cache_ttl_s: float = 3600.0  # how long an upstream authorization answers offline Authorize
    get_variables_batch: int = 16  # variables per GetVariables a 1.6 GetConfiguration becomes


class Translation(abc.ABC):
    """Shared machinery; one subclass per (station version, upstream version)."""

    station_version: OcppVersion
    upstream_version: OcppVersion

    def __init__(self, options: TranslationOptions | None = None, new_transaction_id: Callable[[], str] | None = None):
        self.options = options or TranslationOptions()
        self.new_transaction_id = new_transaction_id or (lambda: str(uuid.uuid4()))
        self.upstream_schemas = schemas_for(self.upstream_version)
        self.station_schemas = schemas_for(self.station_version)

    @property
    def name(self) -> str:
        return f"{self.station_version.value}->{self.upstream_version.value}"

    # -- the interface the runtime drives ------------------------------------------------------

    @abc.abstractmethod
    def station_call(self, state: StationState, action: str, payload: Payload, now: datetime) -> StationStep:
        """A station's CALL: the state change, what goes upstream, and the station's own answer."""

    @abc.abstractmethod
    def on_answer(self, state: StationState, out: Outbound, payload: Payload, now: datetime) -> AnswerEffect:
        """The upstream's answer to ``out``: the state change and the station's answer."""

    @abc.abstractmethod
    def upstream_command(
        self, state: StationState, action: str, payload: Payload, now: datetime, queued: int
    ) -> CommandPlan:
        """An upstream CALL: the station CALLs it becomes and how their answers combine."""

    def prepare(self, state: StationState, out: Outbound, offline: bool) -> Payload:
        """The payload as it goes out now (ids the upstream assigned since, the offline flag)."""
        if offline and out.action == "TransactionEvent" and self.upstream_version is OcppVersion.V201:
            return {**out.payload, "offline": True}
        return out.payload

    def resync(self, state: StationState) -> list[Outbound]:
        """What a new upstream connection must hear first: the boot (when the upstream never got
        it), then each connector's latest status the upstream has not got."""
        ordered = sorted(state.slots.items(), key=lambda item: (item[0] != "boot", item[0]))
        return [Outbound(action, payload, Delivery.STATE, tag=slot, slot=slot) for slot, (action, payload) in ordered]

    # -- helpers ----------------------------------------------------------------------------------

    def out(
        self,
        action: str,
        payload: Payload,
        delivery: Delivery,
        *,
        tag: str = "",
        station_action: str | None = None,
        session: int | None = None,
        slot: str | None = None,
    ) -> Outbound:
        """An upstream CALL, checked against the upstream's schema before anything is queued."""
        try:
            self.upstream_schemas.validate_request(action, payload)
        except OcppError as exc:
            raise CannotTranslate(f"{action} could not be translated: {exc.description}") from exc
        return Outbound(action, payload, delivery, tag=tag, station_action=station_action, session=session, slot=slot)

    def state_out(self, state: StationState, slot: str, action: str, payload: Payload, **extra: Any) -> Outbound:
        out = self.out(action, payload, Delivery.STATE, slot=slot, **extra)
        state.slots[slot] = (action, payload)
        return out

    def local_boot(self, state: StationState, now: datetime) -> BootResponse:
        """The boot answer when the upstream cannot give one: Accepted if the station was accepted
        before (the boot is forwarded when the upstream is back), else Pending."""
        if state.boot_interval is not None:
            return BootResponse(RegistrationStatus.ACCEPTED, now, state.boot_interval)
        return BootResponse(RegistrationStatus.PENDING, now, self.options.boot_retry_interval_s)

    def cached_authorization(self, state: StationState, token: str, now: datetime) -> IdTokenInfo | None:
        cached = state.auth_cache.get(token)
        if cached is None:
            return None
        info, at = cached
        fresh = (now - at).total_seconds() <= self.options.auth_cache_ttl_s
        valid = info.expires_at is None or info.expires_at > now
        return info if fresh and valid and info.status is AuthorizationStatus.ACCEPTED else None

    def remember_boot(self, state: StationState, response: StationResponse) -> bool:
        if isinstance(response, BootResponse) and response.status is RegistrationStatus.ACCEPTED:
            state.boot_interval = response.interval_s
            return True
        return False

    AUTH_CACHE_SIZE = 512  # tokens remembered per station (the oldest go first)

    def remember_authorization(self, state: StationState, token: str, info: IdTokenInfo, now: datetime) -> None:
        state.auth_cache[token] = (info, now)
        if len(state.auth_cache) > self.AUTH_CACHE_SIZE:
            oldest = min(state.auth_cache, key=lambda key: state.auth_cache[key][1])
            del state.auth_cache[oldest]

    def remember_remote_start(self, state: StationState, pending: PendingRemoteStart) -> None:
        ttl = self.options.remote_start_ttl_s
        state.remote_starts = [r for r in state.remote_starts if (pending.at - r.at).total_seconds() <= ttl]
        state.remote_starts.append(pending)

    def match_remote_start(self, state: StationState, token: str, evse_id: int | None, now: datetime) -> int | None:
        """The remoteStartId of an accepted remote start this transaction fulfils (and forget it)."""
        ttl = self.options.remote_start_ttl_s
        state.remote_starts = [r for r in state.remote_starts if (now - r.at).total_seconds() <= ttl]
        for pending in state.remote_starts:
            if pending.id_token == token and pending.evse_id in (None, 0, evse_id):
                state.remote_starts.remove(pending)
                return pending.remote_start_id
        return None

    def station_error(self, answers: list[StationAnswer]) -> Payload:
        answer = answers[0]
        if not isinstance(answer, dict):  # forward_errors passes CALLERRORs on before finish runs
            raise OcppError(ErrorCode.INTERNAL_ERROR, answer.description)
        return answer


def _untranslatable(exc: Exception) -> CannotTranslate:
    return CannotTranslate(str(exc))


def _without_context(samples: tuple[MeterSample, ...], context: ReadingContext) -> tuple[MeterSample, ...]:
    kept = (MeterSample(s.timestamp, tuple(v for v in s.values if v.context is not context)) for s in samples)
    return tuple(s for s in kept if s.values)


def _first_register(samples: tuple[MeterSample, ...]) -> float | None:
    for sample in samples:
        value = sample.energy_register_wh()
        if value is not None:
            return value
    return None


def _last_register(samples: tuple[MeterSample, ...]) -> float | None:
    for sample in reversed(samples):
        value = sample.energy_register_wh()
        if value is not None:
            return value
    return None


# =============================================================================================
# same version on both sides
# =============================================================================================

# Messages a station may be answered for before the upstream has them (committed to the queue).
_DURABLE: Mapping[OcppVersion, frozenset[str]] = {
    OcppVersion.V16: frozenset(
        {
            "MeterValues",
            "StopTransaction",
            "SecurityEventNotification",
            "FirmwareStatusNotification",
            "SignedFirmwareStatusNotification",
            "DiagnosticsStatusNotification",
            "LogStatusNotification",
        }
    ),
    OcppVersion.V201: frozenset(
        {
            "TransactionEvent",
            "MeterValues",
            "SecurityEventNotification",
            "FirmwareStatusNotification",
            "LogStatusNotification",
        }
    ),
}


class Passthrough(Translation):
    """Station and upstream speak the same version: each CALL and each answer goes on unchanged
    (both sockets still check it against the schemas). Transaction messages, meter values and
    notifications are queued durably like translated ones; a 1.6 StartTransaction is not (the
    Central System assigns the transaction id), so while the upstream is away it gets a CALLERROR
    and the charge point retries it as it would with its own CSMS."""

    def __init__(self, version: OcppVersion, options: TranslationOptions | None = None):
        self.station_version = self.upstream_version = version
        super().__init__(options)

    def station_call(self, state: StationState, action: str, payload: Payload, now: datetime) -> StationStep:
        step = StationStep(relay=0)
        if action == "BootNotification":
            step.outbound.append(self.state_out(state, "boot", action, payload, tag="boot", station_action=action))
            step.reply = self.station_boot_answer(self.local_boot(state, now))
        elif action == "StatusNotification":
            if self.station_version is OcppVersion.V16:
                slot = f"status:{payload['connectorId']}"
            else:
                slot = f"status:{payload['evseId']}:{payload['connectorId']}"
            step.outbound.append(self.state_out(state, slot, action, payload, station_action=action))
            step.reply = {}
        elif action in _DURABLE[self.station_version]:
            out = self.out(action, payload, Delivery.DURABLE, station_action=action)
            out.repairable = True  # the gateway keeps no state of its own about it: a re-send is the same frame
            step.outbound.append(out)
            step.reply = {"idTokenInfo": {"status": "Accepted"}} if "idToken" in payload else {}
        else:
            step.outbound.append(self.out(action, payload, Delivery.LIVE, station_action=action))
            if action == "Heartbeat":
                step.reply = self.station_heartbeat_answer(now)
        return step

    def station_boot_answer(self, response: BootResponse) -> Payload:
        adapter = ADAPTER16 if self.station_version is OcppVersion.V16 else ADAPTER201
        return adapter.encode_response("BootNotification", response)

    def station_heartbeat_answer(self, now: datetime) -> Payload:
        adapter = ADAPTER16 if self.station_version is OcppVersion.V16 else ADAPTER201
        return adapter.encode_response("Heartbeat", HeartbeatResponse(now))

    def on_answer(self, state: StationState, out: Outbound, payload: Payload, now: datetime) -> AnswerEffect:
        changed = False
        if out.tag == "boot":
            codec = station16 if self.upstream_version is OcppVersion.V16 else station201
            changed = self.remember_boot(state, codec.decode_response("BootNotification", payload))
        return AnswerEffect(reply=payload, changed=changed)

    def upstream_command(
        self, state: StationState, action: str, payload: Payload, now: datetime, queued: int
    ) -> CommandPlan:
        return CommandPlan([StationCall(action, payload)], self.station_error)


# =============================================================================================
# a 1.6 charge point on a 2.0.1 CSMS
# =============================================================================================


class Station16Upstream201(Translation):
    station_version = OcppVersion.V16
    upstream_version = OcppVersion.V201

    # -- station -> upstream ---------------------------------------------------------------------

    def station_call(self, state: StationState, action: str, payload: Payload, now: datetime) -> StationStep:
        decoded = ADAPTER16.decode(action, payload)
        step = StationStep(notes=list(decoded.notes))
        request = decoded.request
        try:
            if isinstance(request, BootRequest):
                self._boot(state, request, now, step)
            elif isinstance(request, HeartbeatRequest):
                step.outbound.append(self._encode(request, step, Delivery.LIVE, station_action=action))
                step.relay, step.reply = 0, ADAPTER16.encode_response(action, HeartbeatResponse(now))
            elif isinstance(request, StatusRequest):
                self._status(state, request, now, step)
            elif isinstance(request, AuthorizeRequest):
                self._authorize(state, request, now, step)
            elif isinstance(request, TransactionEventRequest):
                if request.event_type is TransactionEventType.STARTED:
                    self._start(state, request, now, step)
                else:
                    self._stop(state, request, now, step)
            elif isinstance(request, MeterValuesRequest):
                self._meter_values(state, request, now, step)
            elif isinstance(request, FirmwareStatusRequest):
                self._firmware_status(state, request, action, step)
            elif isinstance(request, LogStatusRequest):
                self._log_status(state, request, action, step)
            elif isinstance(request, SecurityEventRequest):
                step.outbound.append(self._encode(request, step, Delivery.DURABLE, station_action=action))
                step.relay, step.reply = 0, {}
            elif isinstance(request, DataTransferRequest | SignCertificateRequest):
                step.outbound.append(self._encode(request, step, Delivery.LIVE, station_action=action))
                step.relay = 0
            else:
                raise CannotTranslate(f"{action} has no OCPP 2.0.1 equivalent")
        except tr.Untranslatable as exc:
            raise _untranslatable(exc) from exc
        return step

    def _encode(self, request: StationRequest, step: StationStep, delivery: Delivery, **extra: Any) -> Outbound:
        action, payload = station201.encode_request(request, step.notes)
        return self.out(action, payload, delivery, **extra)

    def _boot(self, state: StationState, request: BootRequest, now: datetime, step: StationStep) -> None:
        reason = state.boot_reason or "PowerUp"
        action, payload = station201.encode_request(replace(request, reason=reason), step.notes)
        step.outbound.append(
            self.state_out(state, "boot", action, payload, tag="boot", station_action="BootNotification")
        )
        state.boot_reason = None
        step.relay, step.reply = 0, ADAPTER16.encode_response("BootNotification", self.local_boot(state, now))

    def _event(
        self,
        state: StationState,
        now: datetime,
        timestamp: datetime,
        evse_id: int,
        variable: str,
        value: str,
        *,
        tech_code: str | None = None,
        tech_info: str | None = None,
        cleared: bool | None = None,
    ) -> NotifyEventRequest:
        """One NotifyEvent about the station (``evse_id`` 0) or a connector (1.6 connector N = EVSE N, connector 1)."""
        event = NotifiedEvent(
            event_id=state.event_id,
            timestamp=timestamp,
            trigger="Delta",
            actual_value=value,
            component="ChargingStation" if evse_id == 0 else "Connector",
            variable=variable,
            evse_id=evse_id or None,
            connector_id=1 if evse_id else None,
            tech_code=tech_code,
            tech_info=tech_info,
            cleared=cleared,
            event_notification_type="HardWiredNotification",
        )
        return NotifyEventRequest(generated_at=now, seq_no=state.notify_seq_no, events=(event,))

    def _notify(self, state: StationState, request: NotifyEventRequest, step: StationStep, **extra: Any) -> Outbound:
        action, payload = station201.encode_request(request, step.notes)
        out = (
            self.state_out(state, extra.pop("slot"), action, payload, **extra)
            if "slot" in extra
            else self.out(action, payload, Delivery.DURABLE, **extra)
        )
        state.event_id += 1
        state.notify_seq_no += 1
        return out

    def _status(self, state: StationState, request: StatusRequest, now: datetime, step: StationStep) -> None:
        evse = request.evse_id
        connector = state.connector(evse)
        timestamp = request.timestamp or now
        status = request.status.value
        if evse == 0:
            if status in vocab.STATION_AVAILABILITY:
                event = self._event(state, now, timestamp, 0, "AvailabilityState", status)
                step.outbound.append(self._notify(state, event, step, slot="status:0"))
        else:
            status_request = StatusRequest(evse, 1, request.status, timestamp)
            action, payload = station201.encode_request(status_request, step.notes)
            step.outbound.append(self.state_out(state, f"status:{evse}", action, payload))
        # A 1.6 errorCode (or a fault without one) is a Problem of the connector (or station) in 2.0.1.
        problem = request.error_code or (
            (request.vendor_error_code or "OtherError") if request.status is ConnectorStatus.FAULTED else None
        )
        if problem != connector.error:
            if problem is not None:
                info = request.info or request.vendor_error_code
                event = self._event(state, now, timestamp, evse, "Problem", "true", tech_code=problem, tech_info=info)
            else:
                event = self._event(state, now, timestamp, evse, "Problem", "false", cleared=True)
            step.outbound.append(self._notify(state, event, step))
            connector.error = problem
        connector.status = status
        session = state.open_session_on(evse) if evse else None
        charging_state = vocab.CHARGING_STATES_FROM_16.get(status)
        if session is not None and charging_state is not None and charging_state != session.charging_state:
            session.charging_state = charging_state
            updated = TransactionEventRequest(
                TransactionEventType.UPDATED,
                session.upstream_tx_id,
                timestamp,
                evse_id=evse,
                connector_id=1,
                seq_no=state.seq_no,
                trigger_reason="ChargingStateChanged",
                charging_state=charging_state,
            )
            step.outbound.append(self._encode(updated, step, Delivery.DURABLE))
            state.take_seq_no()
            step.sessions.append(session)
        step.reply = {}

    def _authorize(self, state: StationState, request: AuthorizeRequest, now: datetime, step: StationStep) -> None:
        token = IdToken(request.id_token.value, self.options.id_token_type)
        step.outbound.append(
            self._encode(AuthorizeRequest(token), step, Delivery.LIVE, tag="auth", station_action="Authorize")
        )
        step.relay = 0
        cached = self.cached_authorization(state, token.value, now)
        if cached is not None:
            step.reply = ADAPTER16.encode_response("Authorize", AuthorizeResponse(cached))

    def _start_reply(self, session: Session, info: IdTokenInfo | None) -> Payload:
        status = AuthorizationStatus(session.id_status) if session.id_status else AuthorizationStatus.ACCEPTED
        response = TransactionEventResponse(str(session.key), info or IdTokenInfo(status))
        return ADAPTER16.encode_response("StartTransaction", response)

    def _start(self, state: StationState, request: TransactionEventRequest, now: datetime, step: StationStep) -> None:
        repeated = next((s for s in state.sessions.values() if s.dedupe_key == request.dedupe_key), None)
        if repeated is not None:  # the station did not get our answer and sent it again
            step.notes.append(f"StartTransaction sent again: transaction {repeated.key} answered again, not forwarded")
            step.reply = self._start_reply(repeated, None)
            return
        assert request.id_token is not None and request.evse_id is not None
        key = state.next_tx_key
        remote_start_id = self.match_remote_start(state, request.id_token.value, request.evse_id, now)
        session = Session(
            key=key,
            station_tx_id=str(key),
            upstream_tx_id=self.new_transaction_id(),
            evse_id=request.evse_id,
            connector_id=1,
            started_at=request.timestamp,
            id_token=request.id_token.value,
            id_token_type=self.options.id_token_type,
            remote_start_id=remote_start_id,
            reservation_id=request.reservation_id,
            dedupe_key=request.dedupe_key,
            meter_start_wh=request.meter_start_wh,
            last_meter_wh=request.meter_start_wh,
            charging_state=vocab.CHARGING_STATES_FROM_16.get(state.connector(request.evse_id).status or ""),
        )
        started = TransactionEventRequest(
            TransactionEventType.STARTED,
            session.upstream_tx_id,
            request.timestamp,
            evse_id=request.evse_id,
            connector_id=1,
            id_token=IdToken(request.id_token.value, self.options.id_token_type),
            meter_start_wh=request.meter_start_wh,
            seq_no=state.seq_no,
            trigger_reason="RemoteStart" if remote_start_id is not None else "Authorized",
            charging_state=session.charging_state,
            remote_start_id=remote_start_id,
            reservation_id=request.reservation_id,
        )
        step.outbound.append(
            self._encode(started, step, Delivery.DURABLE, tag="start", station_action="StartTransaction", session=key)
        )
        state.take_seq_no()
        state.take_tx_key()
        state.sessions[key] = session
        step.sessions.append(session)
        step.relay, step.reply = 0, self._start_reply(session, None)

    def _stop(self, state: StationState, request: TransactionEventRequest, now: datetime, step: StationStep) -> None:
        key = int(request.transaction_id or 0)
        session = state.sessions.get(key)
        if session is not None and session.ended:
            step.notes.append(f"StopTransaction {key} sent again: answered again, not forwarded")
            step.reply = {}
            return
        if session is None:
            # Started before the gateway knew it (or its state was lost): end it under a stable id.
            upstream_id = str(uuid.uuid5(ORPHAN_NAMESPACE, f"{state.station_id}/{key}"))
            session = Session(key, str(key), upstream_id, None, None, started_at=request.timestamp)
            step.notes.append(f"StopTransaction for unknown transaction {key}: sent as Ended of {upstream_id}")
            state.sessions[key] = session
        token = request.id_token
        ended = TransactionEventRequest(
            TransactionEventType.ENDED,
            session.upstream_tx_id,
            request.timestamp,
            evse_id=session.evse_id,
            connector_id=session.connector_id,
            id_token=IdToken(token.value, self.options.id_token_type) if token is not None else None,
            meter_stop_wh=request.meter_stop_wh,
            meter_values=request.meter_values,
            seq_no=state.seq_no,
            trigger_reason=vocab.STOP_TRIGGERS.get(request.stop_reason or "Local", "AbnormalCondition"),
            stop_reason=request.stop_reason,
        )
        step.outbound.append(
            self._encode(ended, step, Delivery.DURABLE, tag="stop", station_action="StopTransaction", session=key)
        )
        state.take_seq_no()
        session.ended = True
        session.last_meter_wh = request.meter_stop_wh
        step.sessions.append(session)
        step.relay, step.reply = 0, {}

    def _meter_values(self, state: StationState, request: MeterValuesRequest, now: datetime, step: StationStep) -> None:
        session = None
        if request.transaction_id is not None and request.transaction_id.lstrip("-").isdigit():
            session = state.sessions.get(int(request.transaction_id))
        if session is not None and not session.ended:
            contexts = {value.context for sample in request.samples for value in sample.values}
            trigger = next(
                (vocab.METER_TRIGGERS[c] for c in vocab.METER_TRIGGERS if c in contexts), vocab.DEFAULT_METER_TRIGGER
            )
            updated = TransactionEventRequest(
                TransactionEventType.UPDATED,
                session.upstream_tx_id,
                request.samples[0].timestamp if request.samples else now,
                evse_id=session.evse_id,
                connector_id=1,
                meter_values=request.samples,
                seq_no=state.seq_no,
                trigger_reason=trigger,
            )
            out = self._encode(updated, step, Delivery.DURABLE, station_action="MeterValues")
            out.repairable = True  # a 1.6 MeterValues sent again is a new message (no dedupe hides it)
            step.outbound.append(out)
            state.take_seq_no()
            session.last_meter_wh = _last_register(request.samples) or session.last_meter_wh
        else:
            if request.transaction_id is not None:
                step.notes.append(
                    f"MeterValues of unknown or ended transaction {request.transaction_id}: sent as MeterValues"
                )
            plain = MeterValuesRequest(request.evse_id, None, request.samples)
            out = self._encode(plain, step, Delivery.DURABLE, station_action="MeterValues")
            out.repairable = True
            step.outbound.append(out)
        step.relay, step.reply = 0, {}

    def _firmware_status(
        self, state: StationState, request: FirmwareStatusRequest, action: str, step: StationStep
    ) -> None:
        request_id = request.request_id if request.request_id is not None else state.firmware_request
        if request.status == "Idle" and request.request_id is None:
            request_id = None  # 2.0.1: no request id when no update is going on
        status = FirmwareStatusRequest(request.status, request_id)
        step.outbound.append(self._encode(status, step, Delivery.DURABLE, station_action=action))
        if request.status == "Installed":
            state.boot_reason = "FirmwareUpdate"
        if request.status in vocab.FIRMWARE_DONE:
            state.firmware_request = None
        step.relay, step.reply = 0, {}

    def _log_status(self, state: StationState, request: LogStatusRequest, action: str, step: StationStep) -> None:
        request_id = request.request_id if request.kind == "log" else state.log_request
        log_request = LogStatusRequest(request.status, "log", request_id)
        step.outbound.append(self._encode(log_request, step, Delivery.DURABLE, station_action=action))
        if request.status in vocab.LOG_DONE:
            state.log_request = None
        step.relay, step.reply = 0, {}

    def on_answer(self, state: StationState, out: Outbound, payload: Payload, now: datetime) -> AnswerEffect:
        response = station201.decode_response(out.action, payload)
        effect = AnswerEffect()
        if out.tag == "boot":
            effect.changed = self.remember_boot(state, response)
        elif out.tag == "auth" and isinstance(response, AuthorizeResponse):
            token = out.payload["idToken"]["idToken"]
            self.remember_authorization(state, token, response.id_token_info, now)
        elif out.tag == "start" and isinstance(response, TransactionEventResponse):
            session = state.sessions.get(out.session or 0)
            if session is not None:
                info = response.id_token_info
                if info is None:  # 2.0.1 requires it with an idToken; take the token as accepted
                    info = IdTokenInfo(AuthorizationStatus.ACCEPTED)
                session.id_status = info.status.value
                effect.sessions.append(session)
                effect.reply = self._start_reply(session, info)
                return effect
        if out.station_action == "StopTransaction" and isinstance(response, TransactionEventResponse):
            reply = TransactionEventResponse(None, response.id_token_info)
            effect.reply = ADAPTER16.encode_response("StopTransaction", reply)
        elif out.station_action in ACK_ACTIONS_16:
            effect.reply = {}
        elif out.station_action is not None:
            effect.reply = ADAPTER16.encode_response(out.station_action, response)
        return effect

    # -- upstream -> station ---------------------------------------------------------------------

    def upstream_command(
        self, state: StationState, action: str, payload: Payload, now: datetime, queued: int
    ) -> CommandPlan:
        if action == "GetTransactionStatus":
            return self._transaction_status(state, payload, queued)
        try:
            command = station201.decode_command(action, payload)
        except tr.Untranslatable as exc:
            raise CannotTranslate(f"{action} has no OCPP 1.6 equivalent") from exc
        plan = CommandPlan()
        try:
            return self._command(state, action, command, now, plan)
        except (CommandNotSupported, tr.Untranslatable) as exc:
            raise CannotTranslate(f"{action} cannot be said in OCPP 1.6: {exc}") from exc

    def _transaction_status(self, state: StationState, payload: Payload, queued: int) -> CommandPlan:
        answer: Payload = {"messagesInQueue": queued > 0}
        transaction_id = payload.get("transactionId")
        if transaction_id is not None:
            session = state.session_by_upstream_tx(transaction_id)
            answer["ongoingIndicator"] = session is not None and not session.ended
        return CommandPlan(local=answer)

    def _reject(self, action: str, command: cmd.Command, reason: str, info: str) -> CommandPlan:
        return CommandPlan(local=station201.encode_result(action, command, tr.StatusResult("Rejected", reason, info)))

    def _forward(
        self,
        action: str,
        command: cmd.Command,
        plan: CommandPlan,
        on_result: Callable[[tr.CommandResult], tr.CommandResult | None] | None = None,
    ) -> CommandPlan:
        station_action, station_payload = ADAPTER16.encode_command(command)

        def finish(answers: list[StationAnswer]) -> Payload:
            result = csms16.decode_result(station_action, self.station_error(answers))
            if on_result is not None:
                result = on_result(result) or result
            return station201.encode_result(action, command, result)

        plan.calls.append(StationCall(station_action, station_payload))
        plan.finish = finish
        return plan

    def _command(
        self, state: StationState, action: str, command: cmd.Command, now: datetime, plan: CommandPlan
    ) -> CommandPlan:
        if isinstance(command, cmd.RemoteStart):
            return self._remote_start(state, action, command, now, plan)
        if isinstance(command, cmd.RemoteStop):
            session = state.session_by_upstream_tx(command.transaction_id)
            if session is None or session.ended:
                return self._reject(action, command, vocab.REASON_TX_NOT_FOUND, "no such transaction is running")
            return self._forward(action, cmd.RemoteStop(session.station_tx_id), plan)
        if isinstance(command, cmd.Reset):
            if command.evse_id:
                return self._reject(action, command, vocab.REASON_UNSUPPORTED, "a 1.6 charge point resets as a whole")
            return self._forward(
                action, command, plan, self._on_accepted(lambda: setattr(state, "boot_reason", "RemoteReset"))
            )
        if isinstance(command, cmd.GetConfiguration):
            return self._get_variables(action, command, plan)
        if isinstance(command, dm.SetVariables):
            return self._set_variables(state, action, command, plan)
        if isinstance(command, cmd.TriggerMessage):
            return self._trigger(state, action, command, plan)
        if isinstance(command, ch.SetChargingProfile):
            profile = profile_for_16(command.profile, plan.notes)
            if profile.transaction_id is not None:
                session = state.session_by_upstream_tx(profile.transaction_id)
                if session is None or session.ended:
                    return self._reject(action, command, vocab.REASON_TX_NOT_FOUND, "no such transaction is running")
                profile = replace(profile, transaction_id=session.station_tx_id)
            return self._forward(action, replace(command, profile=profile), plan)
        if isinstance(command, ch.GetCompositeSchedule):
            evse_id = command.evse_id

            def fix_evse(result: tr.CommandResult) -> tr.CommandResult | None:
                if isinstance(result, tr.CompositeScheduleResult) and result.schedule is not None:
                    return replace(result, schedule=replace(result.schedule, evse_id=evse_id))
                return None

            return self._forward(action, command, plan, fix_evse)
        if isinstance(command, fw.UpdateFirmware):

            def remember_update() -> None:
                state.firmware_request = command.request_id
                state.firmware_signed = command.signature is not None

            return self._forward(action, command, plan, self._on_accepted(remember_update))
        if isinstance(command, fw.GetLog):
            diagnostics = command.log_type is fw.LogType.DIAGNOSTICS

            def remember_log() -> None:
                state.log_request = command.request_id
                state.log_kind = "diagnostics" if diagnostics else "log"

            # A diagnostics log is the core profile's GetDiagnostics (no request id), which every 1.6
            # charge point knows; the station's uploads report against the request id kept here.
            station_command = replace(command, request_id=None) if diagnostics else command
            return self._forward(action, station_command, plan, self._on_accepted(remember_log))
        return self._forward(action, command, plan)

    def _on_accepted(self, effect: Callable[[], None]) -> Callable[[tr.CommandResult], tr.CommandResult | None]:
        def on_result(result: tr.CommandResult) -> tr.CommandResult | None:
            status = getattr(result, "status", None)
            if status in ("Accepted", "Scheduled", "AcceptedCanceled"):
                effect()
            return None

        return on_result

    def _remote_start(
        self, state: StationState, action: str, command: cmd.RemoteStart, now: datetime, plan: CommandPlan
    ) -> CommandPlan:
        station_command = command
        if command.charging_profile is not None:
            profile = _neutral_profile(command.charging_profile, ocpp201_charging.profile_from_v201)
            station_command = replace(
                command, charging_profile=ocpp16_charging.profile_to_v16(profile_for_16(profile, plan.notes))
            )

        def remember(result: tr.CommandResult) -> tr.CommandResult | None:
            if getattr(result, "status", None) == "Accepted":
                pending = PendingRemoteStart(command.remote_start_id, command.id_token.value, command.evse_id, now)
                self.remember_remote_start(state, pending)
            return None

        station_action, station_payload = ADAPTER16.encode_command(station_command)

        def finish(answers: list[StationAnswer]) -> Payload:
            result = csms16.decode_result(station_action, self.station_error(answers))
            remember(result)
            return station201.encode_result(action, command, result)

        plan.calls.append(StationCall(station_action, station_payload))
        plan.finish = finish
        return plan

    def _trigger(self, state: StationState, action: str, command: cmd.TriggerMessage, plan: CommandPlan) -> CommandPlan:
        if command.message in vocab.TRIGGERS_NOT_IN_16:
            result = tr.StatusResult("NotImplemented", vocab.REASON_UNSUPPORTED, "no such message in OCPP 1.6")
            return CommandPlan(local=station201.encode_result(action, command, result))
        message = vocab.TRIGGERS_FOR_16.get(command.message, command.message)
        station_command = replace(command, message=message)

        def booted() -> None:
            if message == "BootNotification":
                state.boot_reason = "Triggered"

        station_action, station_payload = ADAPTER16.encode_command(station_command)

        def finish(answers: list[StationAnswer]) -> Payload:
            result = csms16.decode_result(station_action, self.station_error(answers))
            self._on_accepted(booted)(result)
            return station201.encode_result(action, command, result)

        plan.calls.append(StationCall(station_action, station_payload))
        plan.finish = finish
        return plan

    def _get_variables(self, action: str, command: cmd.GetConfiguration, plan: CommandPlan) -> CommandPlan:
        mapped: list[tuple[cmd.VariableRef, keys.KeyMapping | None]] = []
        for ref in command.variables:
            mapping = keys.for_variable(ref)
            mapped.append((ref, mapping if mapping is not None and not mapping.gateway else None))
        wanted = sorted({m.key for _, m in mapped if m is not None})
        if wanted:
            plan.calls.append(StationCall("GetConfiguration", {"key": wanted}))

        def finish(answers: list[StationAnswer]) -> Payload:
            found: dict[str, tr.ConfigValue] = {}
            if answers and isinstance(answers[0], dict):
                result = csms16.decode_result("GetConfiguration", answers[0])
                if isinstance(result, tr.ConfigurationResult):
                    found = {value.key.lower(): value for value in result.values if value.key is not None}
            values = []
            for ref, mapping in mapped:
                if mapping is None:
                    values.append(tr.ConfigValue(keys.unknown_status(ref), variable=ref))
                    continue
                value = found.get(mapping.key.lower())
                if value is None or value.status != "Accepted":
                    values.append(tr.ConfigValue("UnknownVariable", variable=ref))
                else:
                    text = mapping.value_to_201(value.value) if value.value is not None else None
                    values.append(tr.ConfigValue("Accepted", variable=ref, value=text))
            return station201.encode_result(action, command, tr.ConfigurationResult(tuple(values)))

        plan.finish = finish
        plan.forward_errors = False
        return plan

    def _set_variables(
        self, state: StationState, action: str, command: dm.SetVariables, plan: CommandPlan
    ) -> CommandPlan:
        # Each variable is one ChangeConfiguration (1.6 sets one key at a time); an item the gateway
        # answers itself has no call, the others read their station answer in order.
        answered: list[tuple[dm.VariableValue, str | int]] = []
        for item in command.items:
            mapping = keys.for_variable(item.ref)
            if mapping is None:
                answered.append((item, keys.unknown_status(item.ref)))
            elif mapping.gateway:
                state.upstream_password = item.value
                plan.reconnect_upstream = True
                answered.append((item, "Accepted"))
            elif mapping.readonly:
                answered.append((item, "Rejected"))
            else:
                answered.append((item, len(plan.calls)))
                plan.calls.append(
                    StationCall("ChangeConfiguration", {"key": mapping.key, "value": mapping.value_to_16(item.value)})
                )

        def finish(answers: list[StationAnswer]) -> Payload:
            values = []
            for item, outcome in answered:
                status = outcome if isinstance(outcome, str) else "Rejected"
                if isinstance(outcome, int) and outcome < len(answers) and isinstance(answers[outcome], dict):
                    result = csms16.decode_result("ChangeConfiguration", answers[outcome])  # type: ignore[arg-type]
                    if isinstance(result, tr.ConfigurationResult) and result.values:
                        status = result.values[0].status
                values.append(tr.ConfigValue(status, variable=item.ref))
            return station201.encode_result(action, command, tr.ConfigurationResult(tuple(values)))

        plan.finish = finish
        plan.forward_errors = False
        return plan


# =============================================================================================
# a 2.0.1 charging station on a 1.6 Central System
# =============================================================================================


class Station201Upstream16(Translation):
    station_version = OcppVersion.V201
    upstream_version = OcppVersion.V16

    # -- station -> upstream ---------------------------------------------------------------------

    def station_call(self, state: StationState, action: str, payload: Payload, now: datetime) -> StationStep:
        if not ADAPTER201.accepts(action):
            raise CannotTranslate(f"{action} has no OCPP 1.6 equivalent; not forwarded")
        decoded = ADAPTER201.decode(action, payload)
        step = StationStep(notes=list(decoded.notes))
        request = decoded.request
        try:
            if isinstance(request, BootRequest):
                action16, payload16 = station16.encode_request(request, step.notes)
                step.outbound.append(
                    self.state_out(state, "boot", action16, payload16, tag="boot", station_action=action)
                )
                step.relay, step.reply = 0, ADAPTER201.encode_response(action, self.local_boot(state, now))
            elif isinstance(request, HeartbeatRequest):
                step.outbound.append(self._encode(request, step, Delivery.LIVE, station_action=action))
                step.relay, step.reply = 0, ADAPTER201.encode_response(action, HeartbeatResponse(now))
            elif isinstance(request, StatusRequest):
                self._status(state, request.evse_id, request.status, request.timestamp or now, step)
                step.reply = {}
            elif isinstance(request, AuthorizeRequest):
                self._authorize(state, request, now, step)
            elif isinstance(request, TransactionEventRequest):
                self._transaction_event(state, request, now, step)
            elif isinstance(request, MeterValuesRequest):
                step.outbound.append(self._encode(request, step, Delivery.DURABLE, station_action=action))
                step.relay, step.reply = 0, {}
            elif isinstance(request, NotifyEventRequest):
                self._notify_event(state, request, now, step)
            elif isinstance(request, FirmwareStatusRequest):
                request_id = state.firmware_request if state.firmware_signed else None
                step.outbound.append(
                    self._encode(replace(request, request_id=request_id), step, Delivery.DURABLE, station_action=action)
                )
                if request.status in vocab.FIRMWARE_DONE:
                    state.firmware_request = None
                step.relay, step.reply = 0, {}
            elif isinstance(request, LogStatusRequest):
                kind = "log" if state.log_kind == "log" else "diagnostics"
                log_request = LogStatusRequest(request.status, kind, state.log_request if kind == "log" else None)
                step.outbound.append(self._encode(log_request, step, Delivery.DURABLE, station_action=action))
                if request.status in vocab.LOG_DONE:
                    state.log_request = None
                step.relay, step.reply = 0, {}
            elif isinstance(request, SecurityEventRequest):
                step.outbound.append(self._encode(request, step, Delivery.DURABLE, station_action=action))
                step.relay, step.reply = 0, {}
            elif isinstance(request, DataTransferRequest | SignCertificateRequest):
                step.outbound.append(self._encode(request, step, Delivery.LIVE, station_action=action))
                step.relay = 0
            else:
                raise CannotTranslate(f"{action} has no OCPP 1.6 equivalent; not forwarded")
        except tr.Untranslatable as exc:
            raise _untranslatable(exc) from exc
        return step

    def _encode(self, request: StationRequest, step: StationStep, delivery: Delivery, **extra: Any) -> Outbound:
        action, payload = station16.encode_request(request, step.notes)
        return self.out(action, payload, delivery, **extra)

    def _status16(self, state: StationState, evse_id: int, status: ConnectorStatus) -> str:
        """The 1.6 status of EVSE ``evse_id`` (1.6 connector N) for a 2.0.1 connector status: an
        occupied connector is Preparing before a transaction, in its charging state during one,
        Finishing after."""
        if status is not ConnectorStatus.OCCUPIED:
            return status.value
        session = state.open_session_on(evse_id)
        if session is not None:
            return vocab.STATUSES_FROM_CHARGING_STATE.get(session.charging_state, "Charging")
        sent = state.connector(evse_id).sent
        return "Finishing" if sent in ("Charging", "SuspendedEV", "SuspendedEVSE", "Finishing") else "Preparing"

    def _status(
        self,
        state: StationState,
        evse_id: int,
        status: ConnectorStatus,
        timestamp: datetime,
        step: StationStep,
        *,
        error: str | None = None,
        info: str | None = None,
    ) -> None:
        connector = state.connector(evse_id)
        if evse_id != 0:
            connector.status = status.value
        word = self._status16(state, evse_id, status) if evse_id else status.value
        error_code = error or ("OtherError" if word == "Faulted" else None)
        request = StatusRequest(evse_id, evse_id, ConnectorStatus(word), timestamp, error_code, info=info)
        action, payload = station16.encode_request(request, step.notes)
        step.outbound.append(self.state_out(state, f"status:{evse_id}", action, payload))
        connector.sent = word

    def _authorize(self, state: StationState, request: AuthorizeRequest, now: datetime, step: StationStep) -> None:
        token = request.id_token.value
        if len(token) > csms16.ID_TAG_MAX_LENGTH:
            step.notes.append(f"idToken {token[:40]!r} is longer than a 1.6 idTag: answered Invalid, not forwarded")
            step.reply = ADAPTER201.encode_response(
                "Authorize", AuthorizeResponse(IdTokenInfo(AuthorizationStatus.INVALID))
            )
            return
        step.outbound.append(self._encode(request, step, Delivery.LIVE, tag="auth", station_action="Authorize"))
        step.relay = 0
        cached = self.cached_authorization(state, token, now)
        if cached is not None:
            step.reply = ADAPTER201.encode_response("Authorize", AuthorizeResponse(cached))

    def _id_tag(self, session: Session, step: StationStep) -> str:
        token = session.id_token
        if token and len(token) <= csms16.ID_TAG_MAX_LENGTH and session.id_token_type != "NoAuthorization":
            return token
        if token:
            anonymous = self.options.anonymous_id_tag
            step.notes.append(f"idToken {token[:40]!r} has no 1.6 form: the transaction is reported as {anonymous!r}")
        return self.options.anonymous_id_tag

    def _transaction_event(
        self, state: StationState, request: TransactionEventRequest, now: datetime, step: StationStep
    ) -> None:
        assert request.transaction_id is not None and request.seq_no is not None
        session = state.session_by_station_tx(request.transaction_id)
        if session is not None and request.seq_no in session.seen_seq_nos:
            step.notes.append(f"TransactionEvent seqNo {request.seq_no} sent again: answered again, not forwarded")
            step.reply = self._event_reply(session, request)
            return
        if session is None:
            key = state.take_tx_key()
            session = Session(
                key,
                request.transaction_id,
                None,
                request.evse_id,
                request.connector_id,
                started_at=request.timestamp,
                start_sent=False,
                remote_start_id=request.remote_start_id,
                reservation_id=request.reservation_id,
            )
            state.sessions[key] = session
        step.sessions.append(session)
        session.seen_seq_nos = [*session.seen_seq_nos[-(SEEN_SEQ_NOS - 1) :], request.seq_no]
        if request.evse_id is not None:
            session.evse_id = request.evse_id
        if session.meter_start_wh is None:
            session.meter_start_wh = request.meter_start_wh or _first_register(request.meter_values)
        session.last_meter_wh = _last_register(request.meter_values) or session.last_meter_wh
        if request.id_token is not None and (session.id_token is None or not session.start_sent):
            session.id_token, session.id_token_type = request.id_token.value, request.id_token.type
        ended = request.event_type is TransactionEventType.ENDED
        relay: int | None = None
        if not session.start_sent and (session.id_token is not None or ended):
            relay = self._start(state, session, step)
        if request.charging_state is not None and request.charging_state != session.charging_state:
            session.charging_state = request.charging_state
            connector = state.connector(session.evse_id or 0)
            if session.evse_id and connector.status in (None, "Occupied") and not ended:
                self._status(state, session.evse_id, ConnectorStatus.OCCUPIED, request.timestamp, step)
        if ended:
            stop = self._stop(state, session, request, step)
            relay = relay if relay is not None else stop
        else:
            samples = request.meter_values
            if request.event_type is TransactionEventType.STARTED:
                samples = _without_context(samples, ReadingContext.TRANSACTION_BEGIN)  # it is the meterStart
            if samples:
                index = self._meter_values(session, replace(request, meter_values=samples), step)
                relay = relay if relay is not None else index
        step.relay = relay
        step.reply = self._event_reply(session, request)

    def _event_reply(self, session: Session, request: TransactionEventRequest) -> Payload:
        """The answer when the upstream cannot give one: with the token's last known status when the
        event carries a token (2.0.1 requires idTokenInfo then)."""
        if request.id_token is None:
            return {}
        status = AuthorizationStatus(session.id_status) if session.id_status else AuthorizationStatus.ACCEPTED
        return ADAPTER201.encode_response("TransactionEvent", TransactionEventResponse(None, IdTokenInfo(status)))

    def _start(self, state: StationState, session: Session, step: StationStep) -> int:
        meter_start = session.meter_start_wh
        if meter_start is None:
            step.notes.append("the transaction reported no meter start: StartTransaction says meterStart 0")
            meter_start = 0.0
        started = TransactionEventRequest(
            TransactionEventType.STARTED,
            None,
            session.started_at,
            evse_id=session.evse_id or 0,
            connector_id=session.evse_id or 0,
            id_token=IdToken(self._id_tag(session, step)),
            meter_start_wh=meter_start,
            reservation_id=session.reservation_id,
        )
        index = len(step.outbound)
        step.outbound.append(
            self._encode(
                started, step, Delivery.DURABLE, tag="start", station_action="TransactionEvent", session=session.key
            )
        )
        session.start_sent = True
        for payload in session.deferred:  # meter values that came before the transaction had a token
            step.outbound.append(self.out("MeterValues", payload, Delivery.DURABLE, session=session.key))
        session.deferred = []
        return index

    def _meter_values(self, session: Session, request: TransactionEventRequest, step: StationStep) -> int | None:
        updated = TransactionEventRequest(
            TransactionEventType.UPDATED,
            "0",  # the upstream's id is filled in when it goes out (prepare)
            request.timestamp,
            evse_id=session.evse_id or 0,
            meter_values=request.meter_values,
        )
        try:
            action, payload = station16.encode_request(updated, step.notes)
        except tr.Untranslatable as exc:
            step.notes.append(f"meter values of TransactionEvent {request.seq_no} not forwarded: {exc}")
            return None
        if not session.start_sent:
            session.deferred.append(payload)
            return None
        step.outbound.append(
            self.out(action, payload, Delivery.DURABLE, session=session.key, station_action="TransactionEvent")
        )
        return len(step.outbound) - 1

    def _stop(self, state: StationState, session: Session, request: TransactionEventRequest, step: StationStep) -> int:
        meter_stop = request.meter_stop_wh or session.last_meter_wh or session.meter_start_wh
        if meter_stop is None:
            step.notes.append("the transaction reported no meter reading: StopTransaction says meterStop 0")
            meter_stop = 0.0
        token = request.id_token
        ended = TransactionEventRequest(
            TransactionEventType.ENDED,
            "0",
            request.timestamp,
            id_token=IdToken(token.value)
            if token is not None and len(token.value) <= csms16.ID_TAG_MAX_LENGTH
            else None,
            meter_stop_wh=meter_stop,
            meter_values=request.meter_values,
            stop_reason=request.stop_reason,
        )
        step.outbound.append(
            self._encode(
                ended, step, Delivery.DURABLE, tag="stop", station_action="TransactionEvent", session=session.key
            )
        )
        session.ended = True
        return len(step.outbound) - 1

    def _notify_event(self, state: StationState, request: NotifyEventRequest, now: datetime, step: StationStep) -> None:
        skipped = []
        for event in request.events:
            evse_id = event.evse_id or 0
            if event.variable == "AvailabilityState":
                try:
                    status = ConnectorStatus(event.actual_value)
                except ValueError:
                    skipped.append(f"{event.component}.{event.variable}={event.actual_value[:20]}")
                    continue
                if evse_id == 0 and status.value not in vocab.STATION_AVAILABILITY:
                    skipped.append(f"{event.component}.AvailabilityState={status.value}")
                    continue
                self._status(state, evse_id, status, event.timestamp, step)
            elif event.variable == "Problem":
                connector = state.connector(evse_id)
                if event.actual_value.lower() == "true" and not event.cleared:
                    connector.error = event.tech_code or "OtherError"
                    self._status(
                        state,
                        evse_id,
                        ConnectorStatus.FAULTED,
                        event.timestamp,
                        step,
                        error=(event.tech_code or "OtherError")[:50],
                        info=(event.tech_info or "")[:50] or None,
                    )
                else:
                    connector.error = None
                    previous = ConnectorStatus(connector.status) if connector.status else ConnectorStatus.AVAILABLE
                    if previous is ConnectorStatus.FAULTED:
                        previous = ConnectorStatus.AVAILABLE
                    self._status(state, evse_id, previous, event.timestamp, step)
            else:
                skipped.append(f"{event.component}.{event.variable}")
        if not step.outbound:
            raise CannotTranslate(f"NotifyEvent: {', '.join(skipped[:5])} has no OCPP 1.6 equivalent; not forwarded")
        if skipped:
            step.notes.append(f"NotifyEvent: {', '.join(skipped[:5])} has no OCPP 1.6 equivalent; left out")
        step.reply = {}

    def prepare(self, state: StationState, out: Outbound, offline: bool) -> Payload:
        if out.session is None or out.action not in ("MeterValues", "StopTransaction"):
            return out.payload
        session = state.sessions.get(out.session)
        if session is None or session.upstream_tx_id is None:
            raise CannotTranslate(
                f"{out.action} belongs to a transaction the upstream never numbered (its StartTransaction failed)",
                ErrorCode.INTERNAL_ERROR,
            )
        return {**out.payload, "transactionId": int(session.upstream_tx_id)}

    def on_answer(self, state: StationState, out: Outbound, payload: Payload, now: datetime) -> AnswerEffect:
        response = station16.decode_response(out.action, payload)
        effect = AnswerEffect()
        if out.tag == "boot":
            effect.changed = self.remember_boot(state, response)
        elif out.tag == "auth" and isinstance(response, AuthorizeResponse):
            self.remember_authorization(state, out.payload["idTag"], response.id_token_info, now)
        elif out.tag == "start" and isinstance(response, TransactionEventResponse):
            session = state.sessions.get(out.session or 0)
            if session is not None:
                session.upstream_tx_id = response.transaction_id
                if response.id_token_info is not None:
                    session.id_status = response.id_token_info.status.value
                effect.sessions.append(session)
            effect.reply = (
                ADAPTER201.encode_response("TransactionEvent", TransactionEventResponse(None, response.id_token_info))
                if session is not None and session.id_token is not None
                else {}
            )
            return effect
        if out.station_action == "TransactionEvent":
            info = response.id_token_info if isinstance(response, TransactionEventResponse) else None
            effect.reply = ADAPTER201.encode_response("TransactionEvent", TransactionEventResponse(None, info))
        elif out.station_action in (
            "MeterValues",
            "FirmwareStatusNotification",
            "LogStatusNotification",
            "SecurityEventNotification",
        ):
            effect.reply = {}
        elif out.station_action is not None:
            effect.reply = ADAPTER201.encode_response(out.station_action, response)
        return effect

    # -- upstream -> station ---------------------------------------------------------------------

    def upstream_command(
        self, state: StationState, action: str, payload: Payload, now: datetime, queued: int
    ) -> CommandPlan:
        try:
            command = station16.decode_command(action, payload)
        except tr.Untranslatable as exc:
            raise CannotTranslate(f"{action} has no OCPP 2.0.1 equivalent") from exc
        plan = CommandPlan()
        try:
            return self._command(state, action, command, now, plan)
        except (CommandNotSupported, tr.Untranslatable) as exc:
            raise CannotTranslate(f"{action} cannot be said in OCPP 2.0.1: {exc}") from exc

    def _local(self, action: str, command: cmd.Command, status: str) -> CommandPlan:
        return CommandPlan(local=station16.encode_result(action, command, tr.StatusResult(status)))

    def _forward(
        self,
        action: str,
        command: cmd.Command,
        plan: CommandPlan,
        station_command: cmd.Command | None = None,
        on_result: Callable[[tr.CommandResult], None] | None = None,
    ) -> CommandPlan:
        station_action, station_payload = ADAPTER201.encode_command(station_command or command)

        def finish(answers: list[StationAnswer]) -> Payload:
            result = csms201.decode_result(station_action, self.station_error(answers))
            if on_result is not None:
                on_result(result)
            return station16.encode_result(action, command, result)

        plan.calls.append(StationCall(station_action, station_payload))
        plan.finish = finish
        return plan

    def _token(self, token: IdToken) -> IdToken:
        return IdToken(token.value, token.type or self.options.id_token_type)

    def _station_tx(self, state: StationState, upstream_id: str | None) -> Session | None:
        session = state.session_by_upstream_tx(upstream_id) if upstream_id is not None else None
        return session if session is not None and not session.ended else None

    def _command(
        self, state: StationState, action: str, command: cmd.Command, now: datetime, plan: CommandPlan
    ) -> CommandPlan:
        if isinstance(command, cmd.RemoteStart):
            profile = None
            if command.charging_profile is not None:
                neutral = _neutral_profile(command.charging_profile, ocpp16_charging.profile_from_v16)
                profile = ocpp201_charging.profile_to_v201(schedule_ids_for_201(neutral))
            remote_start_id = state.take_request_id()
            station_command = replace(
                command,
                id_token=self._token(command.id_token),
                remote_start_id=remote_start_id,
                charging_profile=profile,
            )

            def remember(result: tr.CommandResult) -> None:
                if getattr(result, "status", None) == "Accepted":
                    self.remember_remote_start(
                        state, PendingRemoteStart(remote_start_id, command.id_token.value, command.evse_id, now)
                    )

            return self._forward(action, command, plan, station_command, remember)
        if isinstance(command, cmd.RemoteStop):
            session = self._station_tx(state, command.transaction_id)
            if session is None:
                return self._local(action, command, "Rejected")
            return self._forward(action, command, plan, cmd.RemoteStop(session.station_tx_id))
        if isinstance(command, cmd.Unlock):
            return self._forward(action, command, plan, cmd.Unlock(command.evse_id, 1))
        if isinstance(command, cmd.GetConfiguration):
            return self._get_configuration(action, command, plan)
        if isinstance(command, cmd.SetConfiguration):
            return self._change_configuration(state, action, command, plan)
        if isinstance(command, ch.SetChargingProfile):
            charging_profile = schedule_ids_for_201(command.profile)
            if charging_profile.transaction_id is not None:
                session = self._station_tx(state, charging_profile.transaction_id)
                if session is None:
                    return self._local(action, command, "Rejected")
                charging_profile = replace(charging_profile, transaction_id=session.station_tx_id)
            return self._forward(action, command, plan, replace(command, profile=charging_profile))
        if isinstance(command, fw.UpdateFirmware):
            request_id = command.request_id if command.request_id is not None else state.take_request_id()
            signed = command.request_id is not None

            def remember_update(result: tr.CommandResult) -> None:
                if getattr(result, "status", None) in ("Accepted", "AcceptedCanceled"):
                    state.firmware_request, state.firmware_signed = request_id, signed

            return self._forward(action, command, plan, replace(command, request_id=request_id), remember_update)
        if isinstance(command, fw.GetLog):
            log_request = command.request_id if command.request_id is not None else state.take_request_id()
            kind = "diagnostics" if action == "GetDiagnostics" else "log"

            def remember_log(result: tr.CommandResult) -> None:
                if getattr(result, "status", None) in ("Accepted", "AcceptedCanceled"):
                    state.log_request, state.log_kind = log_request, kind

            return self._forward(action, command, plan, replace(command, request_id=log_request), remember_log)
        if isinstance(command, auth.SendLocalList):
            entries = tuple(replace(entry, id_token=self._token(entry.id_token)) for entry in command.entries)
            return self._forward(action, command, plan, replace(command, entries=entries))
        if isinstance(command, auth.ReserveNow):
            return self._forward(action, command, plan, replace(command, id_token=self._token(command.id_token)))
        return self._forward(action, command, plan)

    def _get_configuration(self, action: str, command: cmd.GetConfiguration, plan: CommandPlan) -> CommandPlan:
        everything = not command.keys
        requested: list[tuple[str, keys.KeyMapping | None]]
        if everything:
            requested = [(m.key, m) for m in keys.CONFIG_KEYS if not m.gateway]
        else:
            requested = []
            for key in command.keys:
                mapping = keys.for_key(key)
                requested.append((key, mapping if mapping is not None and not mapping.gateway else None))
        refs = [m.ref for _, m in requested if m is not None]
        batch = max(1, self.options.get_variables_batch)
        for start in range(0, len(refs), batch):
            chunk = cmd.GetConfiguration(variables=tuple(refs[start : start + batch]))
            plan.calls.append(StationCall(*ADAPTER201.encode_command(chunk)))

        def finish(answers: list[StationAnswer]) -> Payload:
            found: dict[tuple[str, str, str | None], tr.ConfigValue] = {}
            for answer in answers:
                if not isinstance(answer, dict):
                    continue
                result = csms201.decode_result("GetVariables", answer)
                if isinstance(result, tr.ConfigurationResult):
                    for value in result.values:
                        if value.variable is not None:
                            found[(value.variable.component, value.variable.variable, value.variable.instance)] = value
            values = []
            for key, mapping in requested:
                item = found.get((mapping.component, mapping.variable, mapping.instance)) if mapping else None
                if mapping is not None and item is not None and item.status == "Accepted":
                    text = mapping.value_to_16(item.value) if item.value is not None else None
                    values.append(tr.ConfigValue("Accepted", key=mapping.key, value=text, readonly=mapping.readonly))
                elif not everything:
                    values.append(tr.ConfigValue("UnknownVariable", key=key))
            return station16.encode_result(action, command, tr.ConfigurationResult(tuple(values)))

        plan.finish = finish
        plan.forward_errors = False
        return plan

    def _change_configuration(
        self, state: StationState, action: str, command: cmd.SetConfiguration, plan: CommandPlan
    ) -> CommandPlan:
        assert command.key is not None
        mapping = keys.for_key(command.key)
        if mapping is None:
            return CommandPlan(local={"status": "NotSupported"})
        if mapping.gateway:
            state.upstream_password = password_from_authorization_key(command.value) or command.value
            return CommandPlan(local={"status": "Accepted"}, reconnect_upstream=True)
        if mapping.readonly:
            return CommandPlan(local={"status": "Rejected"})
        item = cmd.SetConfiguration(mapping.value_to_201(command.value), variable=mapping.ref)
        return self._forward(action, command, plan, item)


def translation_for(
    station: OcppVersion, upstream: OcppVersion, options: TranslationOptions | None = None
) -> Translation:
    if station is upstream:
        return Passthrough(station, options)
    if station is OcppVersion.V16:
        return Station16Upstream201(options)
    return Station201Upstream16(options)


def _neutral_profile(
    profile: ch.ChargingProfile | dict[str, Any], decode: Callable[[dict[str, Any]], ch.ChargingProfile]
) -> ch.ChargingProfile:
    """A RemoteStart's profile in the neutral model (decoded commands carry it as the upstream's
    JSON, which ``decode`` reads; one made from the neutral model of smart charging is one already)."""
    return profile if isinstance(profile, ch.ChargingProfile) else decode(profile)


def profile_for_16(profile: ch.ChargingProfile, notes: list[str]) -> ch.ChargingProfile:
    """A 2.0.1 profile without what 1.6 has no field for but the rest keeps its meaning without:
    a period's phaseToUse (the station picks the phase) and a schedule's ISO 15118 sales tariff.
    Each removal is noted; what 1.6 cannot say at all (three schedules, external constraints) is
    left to the 1.6 encoder to refuse."""
    schedules = []
    for schedule in profile.schedules:
        if schedule.sales_tariff is not None:
            notes.append("salesTariff (ISO 15118) has no 1.6 form and was left out")
            schedule = replace(schedule, sales_tariff=None)
        if any(period.phase_to_use is not None for period in schedule.periods):
            notes.append("phaseToUse has no 1.6 form and was left out")
            schedule = replace(schedule, periods=tuple(replace(p, phase_to_use=None) for p in schedule.periods))
        schedules.append(schedule)
    return replace(profile, schedules=tuple(schedules))


def schedule_ids_for_201(profile: ch.ChargingProfile) -> ch.ChargingProfile:
    """A 1.6 profile's schedule (1.6 numbers none; 2.0.1 needs an id) gets the profile's id."""
    schedules = tuple(
        schedule if schedule.id is not None else replace(schedule, id=profile.id + index)
        for index, schedule in enumerate(profile.schedules)
    )
    return replace(profile, schedules=schedules)
