"""One station's bridge: its station socket (owned by the station-facing Gateway) and its upstream leg.

Station -> upstream. A station CALL is translated under the bridge's lock (the state changes and
the durable messages it produces are committed in one transaction before anything goes out),
then its messages join the bridge's FIFO. One pump task sends the FIFO's messages upstream one at a
time (one outstanding CALL per direction), in order; a queued message that the upstream refuses
is retried with back-off and, after ``max_attempts``, set aside as a dead letter (kept, logged,
counted) so it cannot block the ones behind it forever; an operator may put it back at the end of
the FIFO (:meth:`Bridge.requeue`). The station is answered with the upstream's translated answer
when it comes in time, else (queued messages, heartbeats, statuses, boots after an earlier
acceptance) with the translation's own answer, else a CALLERROR that says why.

Upstream -> station. The upstream's CALLs arrive one at a time (:class:`UpstreamLeg`); each is
planned by the translation, its station CALLs go through the station connection's own FIFO lock,
and the answers are combined into the upstream's answer.

Outage. While the upstream is away, messages stay queued; on every new upstream connection the
bridge first re-sends what the upstream must hear (a boot it never got, each connector's latest
status), then replays the queue in order (2.0.1: ``offline`` true). After a restart the queue is
read back from the database; a station that is gone still gets its queue drained.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chargebridge.gateway.connection import StationConnection
from chargebridge.rpc import (
    CallReceived,
    CallRejected,
    CallTimeout,
    ErrorCode,
    ErrorReceived,
    OcppError,
    OcppVersion,
    StationNotConnected,
)
from chargebridge.rpc.errors import parse_wire_code
from chargebridge.tasks import cancel_and_wait
from chargebridge.translate.metrics import DOWN, UP
from chargebridge.translate.model import (
    AnswerEffect,
    CannotTranslate,
    CommandPlan,
    Delivery,
    Outbound,
    Payload,
    StationAnswer,
    StationError,
    StationState,
    StationStep,
)
from chargebridge.translate.translations import Translation
from chargebridge.translate.upstream import UpstreamCredentials, UpstreamLeg, UpstreamUnavailable

if TYPE_CHECKING:
    from chargebridge.translate.service import TranslatingGateway

log = logging.getLogger(__name__)

RETRY_MAX_S = 60.0


class UpstreamRefused(Exception):
    """The upstream answered a CALL with a CALLERROR."""

    def __init__(self, code: str, description: str):
        super().__init__(f"{code}: {description}")
        self.code = code
        self.description = description


@dataclass(eq=False, slots=True)
class Job:
    out: Outbound
    future: asyncio.Future[Payload | None] | None = None
    translation: Translation | None = None  # the one that made it (a station may change versions)
    retry_at: float = 0.0
    sent_at: float = 0.0
    answered_at: float = 0.0

    def resolve(self, reply: Payload | None) -> None:
        if self.future is not None and not self.future.done():
            self.future.set_result(reply)

    def fail(self, exc: BaseException) -> None:
        if self.future is not None and not self.future.done():
            self.future.set_exception(exc)
            self.future.exception()  # retrieved here: nobody may be waiting any more


class Bridge:
    def __init__(
        self,
        gateway: TranslatingGateway,
        station_id: str,
        state: StationState,
        queued: list[Outbound],
        translation: Translation,
    ):
        self.gateway = gateway
        self.station_id = station_id
        self.state = state
        self.translation = translation
        self.fifo: deque[Job] = deque(Job(out) for out in queued)
        self.station: StationConnection | None = None
        self.upstream: UpstreamLeg | None = None
        self.lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._pump: asyncio.Task[None] | None = None
        self._in_flight: Job | None = None
        self._write_behind: asyncio.Future[Any] | None = None
        self._finished = False

    @property
    def queued(self) -> int:
        return sum(1 for job in self.fifo if job.out.delivery is Delivery.DURABLE)

    def _referenced_sessions(self) -> set[int]:
        return {job.out.session for job in self.fifo if job.out.session is not None}

    @property
    def upstream_online(self) -> bool:
        return self.upstream is not None and self.upstream.online

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> None:
        settings = self.gateway.upstream_settings
        self.upstream = UpstreamLeg(
            self.station_id,
            settings,
            self._credentials,
            self.on_upstream_command,
            self._online,
            self._offline,
        )
        self.upstream.start()
        self._pump = asyncio.create_task(self._run_pump(), name=f"pump:{self.station_id}")

    def _credentials(self) -> UpstreamCredentials:
        config = self.gateway.config
        credentials = config.credentials(self.station_id)
        password = self.state.upstream_password or credentials.resolved_password()
        return UpstreamCredentials(
            password=password,
            client_cert_file=credentials.client_cert_file,
            client_key_file=credentials.client_key_file,
            ca_file=config.upstream.ca_file,
        )

    def attach(self, conn: StationConnection, translation: Translation) -> None:
        self.station = conn
        if translation.name != self.translation.name:
            # A station that changed its OCPP version: what is queued goes out as it was translated.
            for job in self.fifo:
                job.translation = job.translation or self.translation
            self.translation = translation
        self.state.station_version = conn.version
        self._wake.set()

    def detach(self) -> None:
        self.station = None
        self._wake.set()

    async def stop(self, grace_s: float = 5.0) -> None:
        """Let a CALL in flight finish (bounded), then close the upstream leg; the queue stays in the database."""
        self._finished = True
        self._wake.set()
        if self._pump is not None:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(grace_s):
                    while self._in_flight is not None:  # noqa: ASYNC110 - bounded wait for one answer
                        await asyncio.sleep(0.01)
            await cancel_and_wait(self._pump)
            self._pump = None
        await self._flush_write_behind()
        if self.upstream is not None:
            await self.upstream.close("gateway stopping")
        for job in self.fifo:
            job.fail(UpstreamUnavailable("the gateway is stopping"))

    # -- upstream connection events ---------------------------------------------------------------

    def _online(self) -> None:
        self.gateway.stats.upstream_connects += 1
        # What the upstream must hear first, then the queue in order.
        self.fifo = deque(job for job in self.fifo if job.out.delivery is not Delivery.STATE)
        resync = [Job(out) for out in self.translation.resync(self.state)]
        self.fifo.extendleft(reversed(resync))
        self._wake.set()

    def _offline(self, reason: str) -> None:
        kept: deque[Job] = deque()
        for job in self.fifo:
            if job.out.delivery is Delivery.DURABLE or job is self._in_flight:
                kept.append(job)
            job.fail(UpstreamUnavailable(reason))  # a station waiting for it gets the fallback answer now
        self.fifo = kept

    # -- station -> upstream ----------------------------------------------------------------------

    async def answer(self, conn: StationConnection, call: CallReceived) -> Payload:
        started = time.perf_counter()
        stats = self.gateway.stats
        if self.upstream is not None and not self.upstream.online:
            await self.upstream.settled(self.gateway.upstream_settings.open_timeout_s)
        now = self.gateway.clock.now()
        try:
            async with self.lock:
                before = self._fingerprint()
                step = self.translation.station_call(self.state, call.action, call.payload, now)
                relay = await self._enqueue(step, now, before)
        except CannotTranslate as exc:
            stats.count(UP, call.action, "untranslatable")
            log.warning(
                "%s: %s from the station could not be translated: %s", self.station_id, call.action, exc.description
            )
            raise
        except OcppError:
            stats.count(UP, call.action, "refused")
            raise
        except Exception:
            stats.count(UP, call.action, "failed")
            raise
        if step.notes:
            log.info("%s: %s translated with notes: %s", self.station_id, call.action, "; ".join(step.notes))
        if relay is None or relay.future is None:
            return self._local_reply(call.action, step, "the upstream CSMS is not reachable", started)
        if relay.out.delivery is Delivery.DURABLE and not self.upstream_online:
            relay.fail(UpstreamUnavailable("offline"))  # queued: the station need not wait for an upstream that is away
            return await self._fallback(relay, call.action, step, "the upstream CSMS is not reachable", started)
        wait = self.gateway.answer_wait_s if relay.out.delivery is Delivery.DURABLE else self.gateway.call_timeout_s
        try:
            async with asyncio.timeout(wait):  # on expiry the job's future is cancelled; the job stays queued
                reply = await relay.future
        except TimeoutError:
            reason = f"no answer from the upstream CSMS within {wait:g} s"
            return await self._fallback(relay, call.action, step, reason, started)
        except UpstreamUnavailable as exc:
            reason = f"the upstream CSMS is not reachable ({exc})"
            return await self._fallback(relay, call.action, step, reason, started)
        except UpstreamRefused as exc:
            if step.reply is not None and relay.out.delivery is Delivery.DURABLE:
                return await self._fallback(relay, call.action, step, str(exc), started)
            stats.count(UP, call.action, "failed")
            # Never the upstream's code itself: a schema code would blame the station's message.
            raise OcppError(
                ErrorCode.INTERNAL_ERROR, f"the upstream CSMS answered {call.action} with {exc.code}: {exc.description}"
            ) from exc
        if reply is None:
            return self._local_reply(call.action, step, "the upstream's answer has no form for the station", started)
        stats.count(UP, call.action, "ok")
        stats.added_latency.observe((relay.sent_at - started) + (time.perf_counter() - relay.answered_at))
        return reply

    async def _fallback(self, relay: Job, action: str, step: StationStep, reason: str, started: float) -> Payload:
        """The station is answered by the gateway: a queued message must be in the database first."""
        if step.reply is not None:
            await self._persist(relay)
        return self._local_reply(action, step, reason, started)

    async def _persist(self, job: Job) -> None:
        """Write the queue row of a message that went out without one (see ``Outbound.repairable``)."""
        out = job.out
        if out.delivery is not Delivery.DURABLE or out.queue_id is not None:
            return
        async with self.lock:
            if out.queue_id is not None:
                return
            out.queued_offline = out.queued_offline or not self.upstream_online
            write = self.gateway.translator_store.prepare(self.state, self.gateway.clock.now(), items=[out])
        await self.gateway.translator_store.commit(write)

    def _local_reply(self, action: str, step: StationStep, reason: str, started: float) -> Payload:
        """The translation's own answer (queued messages, heartbeats, ...), or a CALLERROR naming why not."""
        if step.reply is None:
            self.gateway.stats.count(UP, action, "failed")
            raise OcppError(ErrorCode.INTERNAL_ERROR, f"{reason}; {action} was not forwarded")
        self.gateway.stats.count(UP, action, "ok")
        return step.reply

    def _fingerprint(self) -> tuple[tuple[int, ...], dict[str, Any]]:
        """What a change of the station's persisted state is measured against: (counters, state JSON)."""
        s = self.state
        return (s.seq_no, s.event_id, s.notify_seq_no, s.next_tx_key, s.next_request_id), s.state_json()

    async def _save_if_changed(self, before: tuple[tuple[int, ...], dict[str, Any]], now: datetime) -> None:
        counters, state = self._fingerprint()
        full = state != before[1]
        if full or counters != before[0]:
            await self.gateway.translator_store.save(self.state, now, full=full)

    async def _enqueue(
        self, step: StationStep, now: datetime, before: tuple[tuple[int, ...], dict[str, Any]]
    ) -> Job | None:
        """Commit the step (state, sessions, durable messages), then queue its messages; returns the relayed one."""
        online = self.upstream_online
        generation = self.upstream.generation if self.upstream is not None else 0
        durable = [out for out in step.outbound if out.delivery is Delivery.DURABLE]
        for out in durable:
            out.queued_offline = not online
            out.generation = generation
        if online and step.relay is not None and step.outbound[step.relay].repairable:
            # Relayed while the upstream is there: its row is written only if the station is answered
            # without the upstream's answer (_fallback). The counters it used are committed below all the same.
            durable = [out for out in durable if out is not step.outbound[step.relay]]
        counters, state = self._fingerprint()
        full = state != before[1]
        if durable or step.sessions or full or counters != before[0]:
            if step.sessions:
                self.state.prune_sessions(keep=self._referenced_sessions())
            store = self.gateway.translator_store
            await store.save(self.state, now, sessions=step.sessions, items=durable, full=full)
        relay: Job | None = None
        for index, out in enumerate(step.outbound):
            if out.delivery is not Delivery.DURABLE and not online:
                continue  # LIVE: the station gets the fallback; STATE: kept in its slot for the resync
            job = Job(out)
            if index == step.relay:
                job.future = asyncio.get_running_loop().create_future()
                relay = job
            self.fifo.append(job)
        self._wake.set()
        return relay

    async def requeue(self, out: Outbound) -> None:
        """A dead letter the operator sends again (its row is queued again already): it joins the
        FIFO after what is queued, and goes out as any message read back from the queue does (a
        replay: generation 0, so a 2.0.1 TransactionEvent carries ``offline: true``). The session it
        needs at send time is read back when it was pruned from memory meanwhile."""
        async with self.lock:
            if out.session is not None and out.session not in self.state.sessions:
                session = await self.gateway.translator_store.session(self.station_id, out.session)
                if session is not None:
                    self.state.sessions[session.key] = session
            self.fifo.append(Job(out))
        self._wake.set()

    # -- the pump -----------------------------------------------------------------------------------

    async def _run_pump(self) -> None:
        while not self._finished:
            if self.station is None and self.queued == 0:
                await self._flush_write_behind()
                if await self.gateway.retire(self):
                    return
            if not self.fifo or not self.upstream_online:
                self._wake.clear()
                await self._wake.wait()
                continue
            job = self._next_job()
            if job is None:
                await self._sleep_until(self.fifo[0].retry_at)
                continue
            self._in_flight = job
            try:
                await self._send(job)
            except Exception:
                log.exception("%s: failed to send %s upstream", self.station_id, job.out.action)
                self._remove(job)
                job.fail(UpstreamUnavailable("internal error"))
            finally:
                self._in_flight = None

    def _next_job(self) -> Job | None:
        """The head of the FIFO; while a queued message waits for its retry, messages that do not
        queue (an Authorize, a status) may go first."""
        head = self.fifo[0]
        if head.retry_at <= time.monotonic():
            return head
        return next((job for job in self.fifo if job.out.delivery is not Delivery.DURABLE), None)

    async def _sleep_until(self, at: float) -> None:
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(max(0.0, at - time.monotonic())):
                await self._wake.wait()

    async def _flush_write_behind(self) -> None:
        """The previous delivery is committed (see _delivered)."""
        write, self._write_behind = self._write_behind, None
        if write is not None:
            try:
                await write
            except Exception:
                log.exception("%s: could not record a delivery; the message may be sent again", self.station_id)

    def _remove(self, job: Job) -> None:
        with contextlib.suppress(ValueError):
            self.fifo.remove(job)

    async def _send(self, job: Job) -> None:
        out = job.out
        upstream = self.upstream
        assert upstream is not None
        await self._flush_write_behind()
        if out.delivery is Delivery.STATE and self.state.slots.get(out.slot or "", (None, None))[1] is not out.payload:
            self._remove(job)  # a newer value of the slot is queued, or this one was delivered
            job.fail(UpstreamUnavailable("superseded"))
            return
        durable = out.delivery is Delivery.DURABLE
        offline = durable and (out.queued_offline or out.generation != upstream.generation)
        try:
            payload = (job.translation or self.translation).prepare(self.state, out, offline)
        except CannotTranslate as exc:
            await self._set_aside(job, exc.description)
            return
        job.sent_at = time.perf_counter()
        try:
            encoded = out.encoded if payload is out.payload else None
            answer = await upstream.call(out.action, payload, self.gateway.call_timeout_s, encoded)
        except UpstreamUnavailable as exc:
            if not durable:
                self._remove(job)
                job.fail(exc)
            return
        except CallTimeout as exc:
            if durable:
                job.fail(UpstreamUnavailable(str(exc)))
                await self._retry(job, str(exc))
            else:
                self._remove(job)
                job.fail(UpstreamUnavailable(str(exc)))
            return
        job.answered_at = time.perf_counter()
        self.gateway.stats.upstream_round_trip.observe(job.answered_at - job.sent_at)
        if offline:
            self.gateway.stats.replayed += 1
        if isinstance(answer, ErrorReceived):
            reason = f"{answer.code}: {answer.description}"
            log.warning("%s: upstream answered %s with CALLERROR %s", self.station_id, out.action, reason)
            self.gateway.stats.count(UP, out.action, "upstream_error")
            job.fail(UpstreamRefused(answer.code, answer.description))
            if durable:
                await self._retry(job, reason)
            else:
                self._remove(job)
                if out.slot is not None and self.state.slots.get(out.slot, (None, None))[1] is out.payload:
                    del self.state.slots[out.slot]  # refused: re-sending it after each reconnect would not help
            return
        await self._delivered(job, answer.payload)

    async def _delivered(self, job: Job, payload: Payload) -> None:
        out = job.out
        now = self.gateway.clock.now()
        async with self.lock:
            try:
                effect = (job.translation or self.translation).on_answer(self.state, out, payload, now)
            except Exception:
                log.exception("%s: could not translate the upstream's answer to %s", self.station_id, out.action)
                effect = AnswerEffect()
                job.fail(
                    OcppError(
                        ErrorCode.INTERNAL_ERROR, f"the upstream's answer to {out.action} could not be translated"
                    )
                )
            slot_done = out.slot is not None and self.state.slots.get(out.slot, (None, None))[1] is out.payload
            if slot_done:
                del self.state.slots[out.slot or ""]
            write = None
            if out.queue_id is not None or effect.sessions or effect.changed or slot_done:
                write = self.gateway.translator_store.prepare(
                    self.state,
                    now,
                    sessions=effect.sessions,
                    delivered=[out.queue_id] if out.queue_id is not None else [],
                    full=effect.changed or slot_done,
                    counters=False,
                )
        self._remove(job)
        job.resolve(effect.reply)
        if write is not None:
            # Written behind: the station's answer does not wait for it, the next message upstream
            # does (_send), so after a crash at most this one message is sent again.
            self._write_behind = self.gateway.translator_store.submit(write)

    async def _retry(self, job: Job, reason: str) -> None:
        out = job.out
        out.attempts += 1
        await self._persist(job)  # a message that waits for another attempt is a queued one
        store = self.gateway.translator_store
        if out.attempts >= self.gateway.max_attempts:
            await self._set_aside(job, reason)
            return
        job.retry_at = time.monotonic() + min(RETRY_MAX_S, float(2**out.attempts))
        if out.queue_id is not None:
            await store.count_attempt(self.station_id, out.queue_id, out.attempts, reason)

    async def _set_aside(self, job: Job, reason: str) -> None:
        out = job.out
        await self._persist(job)  # kept, as every message set aside is
        self._remove(job)
        job.fail(UpstreamUnavailable(reason))
        self.gateway.stats.dead_letters += 1
        log.error(
            "%s: %s set aside after %d attempt(s), kept in translator_queue with status failed: %s",
            self.station_id,
            out.action,
            out.attempts,
            reason,
        )
        if out.queue_id is not None:
            await self.gateway.translator_store.set_aside(self.station_id, out.queue_id, out.attempts, reason)

    # -- upstream -> station ----------------------------------------------------------------------

    async def on_upstream_command(self, call: CallReceived) -> None:
        upstream = self.upstream
        assert upstream is not None
        stats = self.gateway.stats
        now = self.gateway.clock.now()
        try:
            async with self.lock:
                before = self._fingerprint()
                plan = self.translation.upstream_command(self.state, call.action, call.payload, now, self.queued)
                await self._save_if_changed(before, now)
        except CannotTranslate as exc:
            stats.count(DOWN, call.action, "untranslatable")
            log.warning(
                "%s: %s from the upstream could not be translated: %s", self.station_id, call.action, exc.description
            )
            await upstream.send_error(call.message_id, exc.code, exc.description)
            return
        except OcppError as exc:
            stats.count(DOWN, call.action, "refused")
            await upstream.send_error(call.message_id, exc.code, exc.description)
            return
        if plan.notes:
            log.info("%s: %s translated with notes: %s", self.station_id, call.action, "; ".join(plan.notes))
        try:
            payload = await self._carry_out(call, plan, now)
        except OcppError as exc:
            stats.count(DOWN, call.action, "failed")
            await upstream.send_error(call.message_id, exc.code, exc.description)
            return
        try:
            self.translation.upstream_schemas.validate_response(call.action, payload)
        except OcppError as exc:
            stats.count(DOWN, call.action, "failed")
            log.error(
                "%s: our answer to upstream %s breaks its schema: %s", self.station_id, call.action, exc.description
            )
            await upstream.send_error(call.message_id, ErrorCode.INTERNAL_ERROR, "internal error")
            return
        stats.count(DOWN, call.action, "ok")
        await upstream.send_result(call.message_id, call.action, payload)
        if plan.reconnect_upstream:
            log.info("%s: the upstream set a new password for its connection; reconnecting with it", self.station_id)
            upstream.reconnect()

    async def _carry_out(self, call: CallReceived, plan: CommandPlan, now: datetime) -> Payload:
        if plan.local is not None:
            return plan.local
        answers: list[StationAnswer] = []
        for station_call in plan.calls:
            conn = self.station
            if conn is None:
                raise OcppError(ErrorCode.GENERIC_ERROR, "the station is not connected to the gateway")
            try:
                answer = await conn.call(station_call.action, station_call.payload, self.gateway.call_timeout_s)
            except CallRejected as exc:
                if plan.forward_errors:
                    raise OcppError(parse_wire_code(exc.code), exc.description) from exc
                answers.append(StationError(exc.code, exc.description))
                continue
            except CallTimeout as exc:
                if plan.forward_errors:
                    raise OcppError(
                        ErrorCode.GENERIC_ERROR, f"the station did not answer {station_call.action}"
                    ) from exc
                answers.append(StationError(None, str(exc)))
                continue
            except (ConnectionError, StationNotConnected) as exc:
                raise OcppError(ErrorCode.GENERIC_ERROR, "the station disconnected before answering") from exc
            except OcppError as exc:  # our translated CALL broke the station's schema
                log.error(
                    "%s: translated %s breaks the station's schema: %s",
                    self.station_id,
                    station_call.action,
                    exc.description,
                )
                raise CannotTranslate(f"{call.action} could not be translated: {exc.description}") from exc
            answers.append(answer.payload)
        assert plan.finish is not None
        async with self.lock:
            before = self._fingerprint()
            payload = plan.finish(answers)
            await self._save_if_changed(before, now)
        return payload


def version_of(conn: StationConnection) -> OcppVersion:
    return OcppVersion(conn.version)


__all__ = ["Bridge", "Job", "UpstreamRefused", "version_of"]
