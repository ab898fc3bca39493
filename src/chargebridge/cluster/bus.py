"""The cluster bus: every node's domain events on one JetStream stream, delivered to every node.

Publishing stays what ADR 0003 promises: :meth:`EventBus.publish` delivers to this node's
subscribers at once and hands the event to :meth:`JetStreamBus.export`, which only appends it to
a bounded buffer (never awaits, never raises; the oldest event is dropped and counted when NATS
has been away long enough to fill it). An exporter task publishes the buffer to
``{prefix}.ev.{kind}.{station}`` with JetStream acknowledgements (pipelined, a message id per
event so a retried publish is stored once) and keeps what could not be published for later.

Every node reads the stream from the moment it starts (an ordered push consumer, resumed after
the last sequence it saw when NATS comes back) and delivers the other nodes' events to its
subscribers (:meth:`EventBus.deliver_remote`; its own come back too and are skipped).

Durability is not the bus's job: an acknowledged station message is durable because the
database committed it before the answer was sent (ADR 0002). The stream only carries the news
of it; consumers that need every fact read the database (or, for webhooks, the work queue).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections import deque
from dataclasses import dataclass
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy, DiscardPolicy, StorageType, StreamConfig

from chargebridge.bus.memory import EventBus
from chargebridge.cluster.names import Names
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.timeutil import parse_datetime
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

NODE_HEADER = "Cb-Node"
EVENTS_MAX_AGE_S = 3600.0  # the stream is news, not an archive
EVENTS_MAX_BYTES = 512 * 1024 * 1024
BATCH = 512
ACK_TIMEOUT_S = 5.0


@dataclass(slots=True)
class BusStats:
    exported: int = 0
    export_retries: int = 0
    export_dropped: int = 0  # dropped from a full buffer (NATS away for long)
    received: int = 0  # other nodes' events delivered here
    unreadable: int = 0


def encode_event(event: DomainEvent) -> bytes:
    return json.dumps(event.to_json(), separators=(",", ":"), default=str).encode()


def decode_event(data: bytes) -> DomainEvent:
    """ValueError for anything that is not an event of a kind this node knows."""
    try:
        body = json.loads(data)
        return DomainEvent(
            EventKind(body["kind"]), body.get("station_id") or "", parse_datetime(body["at"]), dict(body["data"] or {})
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not an event: {exc}") from exc


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    try:
        await js.add_stream(config)
    except Exception as exc:  # exists with other limits (another node's version): keep it
        assert config.name is not None
        await js.stream_info(config.name)
        log.warning("NATS stream %s exists with another configuration (%s); using it as it is", config.name, exc)


class JetStreamBus:
    def __init__(self, nc: NATS, js: JetStreamContext, names: Names, node: str, bus: EventBus, *, buffer: int):
        self.nc = nc
        self.js = js
        self.names = names
        self.node = node
        self.bus = bus
        self.buffer_size = buffer
        self.stats = BusStats()
        self._outbox: deque[tuple[str, bytes, str]] = deque()
        self._wake = asyncio.Event()
        self._exporter: asyncio.Task[None] | None = None
        self._sub: Any = None
        self._last_seq = 0

    async def start(self) -> None:
        await self.start_stream()
        await self.resubscribe()
        self.bus.exporter = self.export
        self._exporter = asyncio.create_task(self._export_loop(), name="cluster-bus-export")

    async def start_stream(self) -> None:
        await ensure_stream(
            self.js,
            StreamConfig(
                name=self.names.events_stream,
                subjects=[self.names.events_subjects],
                storage=StorageType.FILE,
                max_age=EVENTS_MAX_AGE_S,
                max_bytes=EVENTS_MAX_BYTES,
                discard=DiscardPolicy.OLD,
            ),
        )

    async def stop(self) -> None:
        self.bus.exporter = None
        if self._exporter is not None:
            # what is still buffered gets one short chance to go out
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._drain(), 2.0)
            await cancel_and_wait(self._exporter)
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()

    @property
    def buffered(self) -> int:
        return len(self._outbox)

    # -- out -------------------------------------------------------------------------------

    def export(self, event: DomainEvent) -> None:
        """Called by EventBus.publish: O(1), never blocks, never raises for a full buffer."""
        try:
            data = encode_event(event)
        except (TypeError, ValueError):
            log.exception("event %s of %s cannot be encoded; not shared with the cluster", event.kind, event.station_id)
            return
        if len(self._outbox) >= self.buffer_size:
            self._outbox.popleft()
            self.stats.export_dropped += 1
        self._outbox.append((self.names.event_subject(event.kind.value, event.station_id), data, uuid.uuid4().hex))
        self._wake.set()

    async def _drain(self) -> None:
        while self._outbox:  # noqa: ASYNC110 - a short bounded wait at shutdown (caller's timeout)
            await asyncio.sleep(0.05)

    async def _export_loop(self) -> None:
        backoff = 0.1
        while True:
            if not self._outbox:
                self._wake.clear()
                await self._wake.wait()
            if not self.nc.is_connected:
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
                continue
            batch = [self._outbox.popleft() for _ in range(min(BATCH, len(self._outbox)))]
            failed = await self._publish(batch)
            if failed:
                self.stats.export_retries += len(failed)
                # back to the front, in order; what no longer fits is the oldest: dropped
                for item in reversed(failed):
                    if len(self._outbox) >= self.buffer_size:
                        self.stats.export_dropped += 1
                        continue
                    self._outbox.appendleft(item)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 2.0)
            else:
                backoff = 0.1

    async def _publish(self, batch: list[tuple[str, bytes, str]]) -> list[tuple[str, bytes, str]]:
        futures: list[asyncio.Future[Any]] = []
        sent = 0
        try:
            for subject, data, msg_id in batch:
                headers = {"Nats-Msg-Id": msg_id, NODE_HEADER: self.node}
                futures.append(await self.js.publish_async(subject, data, headers=headers))
                sent += 1
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.debug("cluster bus: publish failed: %s", exc)
        results = await asyncio.gather(*(asyncio.wait_for(f, ACK_TIMEOUT_S) for f in futures), return_exceptions=True)
        failed = [item for item, result in zip(batch, results, strict=False) if isinstance(result, BaseException)]
        failed.extend(batch[sent:])
        self.stats.exported += len(batch) - len(failed)
        return failed

    # -- in --------------------------------------------------------------------------------

    async def resubscribe(self) -> None:
        """(Re)start reading the stream: from now at start, after the last event seen later."""
        if self._sub is not None:
            with contextlib.suppress(Exception):
                await self._sub.unsubscribe()
        config = ConsumerConfig(deliver_policy=DeliverPolicy.NEW)
        if self._last_seq:
            config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=self._last_seq + 1)
        self._sub = await self.js.subscribe(
            self.names.events_subjects,
            stream=self.names.events_stream,
            cb=self._received,
            ordered_consumer=True,
            pending_msgs_limit=200_000,
            config=config,
        )

    async def _received(self, msg: Msg) -> None:
        with contextlib.suppress(Exception):
            self._last_seq = max(self._last_seq, int(msg.metadata.sequence.stream))
        if msg.headers and msg.headers.get(NODE_HEADER) == self.node:
            return
        try:
            event = decode_event(msg.data)
        except ValueError:
            self.stats.unreadable += 1
            return
        self.stats.received += 1
        self.bus.deliver_remote(event)
