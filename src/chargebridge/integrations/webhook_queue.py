"""Cluster mode webhooks: every delivery goes through a JetStream work queue shared by all nodes.

The node where an event happened (its bus subscription is ``local_only``: each event is
enqueued once per network) publishes one message per matching subscription to
``{prefix}.wh.{subscription}`` on the stream ``{prefix}-webhooks`` (work-queue retention: a
message is gone once acknowledged). Each subscription has one durable consumer
(``wh-{subscription}``) that every node pulls from, with ``max_ack_pending = 1``: exactly one
delivery of a subscription is in flight in the whole network, in order, as with one node's
worker. The node that fetched it POSTs it and then

- acknowledges it after a 2xx answer (the consumer moves on);
- on failure, NAKs it with the back-off delay (``initial_backoff_s`` x 2^(attempt-1), capped,
  jittered): JetStream redelivers it after the delay, to whichever node fetches first, and
  counts the attempts (``num_delivered``), so a node that dies mid-retry loses no attempt count;
- after ``max_attempts`` failed attempts stores it as a dead letter and acknowledges it.

A node that dies with a delivery in flight never acknowledges it: JetStream hands it to another
node after the consumer's ack wait (``timeout_s`` + 5 s; renewed before every POST). The event
id (``X-Chargebridge-Event-Id``) is the same in every attempt, from any node.

Backlog: at most ``queue_size`` undelivered messages per subscription in the stream (a
per-subject limit that refuses new ones); a refused delivery becomes a dead letter at once,
as on one node.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from typing import TYPE_CHECKING, Any

from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    DiscardPolicy,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import APIError, NotFoundError

from chargebridge.cluster.bus import ensure_stream
from chargebridge.tasks import cancel_and_wait

if TYPE_CHECKING:
    from nats.aio.msg import Msg

    from chargebridge.cluster.node import ClusterNode
    from chargebridge.integrations.webhooks import Delivery, WebhooksExtension, _Target

log = logging.getLogger(__name__)

PER_SUBJECT_LIMIT = 10077  # JetStream error code: maximum messages per subject exceeded
MAX_AGE_S = 7 * 24 * 3600.0
RELOAD_S = 30.0


class ClusterDeliveries:
    def __init__(self, ext: WebhooksExtension, cluster: ClusterNode):
        self.ext = ext
        self.cluster = cluster
        self.names = cluster.names
        assert cluster.js is not None and cluster.nc is not None
        self.js = cluster.js
        self.nc = cluster.nc
        self._outbox: deque[tuple[_Target, Delivery]] = deque()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._control: Any = None
        self.enqueue_dropped = 0

    # -- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        await self.ensure_stream()
        self._control = await self.nc.subscribe(self.names.control("webhooks"), cb=self._on_control)
        self._tasks = [
            asyncio.create_task(self._publisher(), name="webhooks-publisher"),
            asyncio.create_task(self._reload_loop(), name="webhooks-reload"),
        ]

    async def ensure_stream(self) -> None:
        await ensure_stream(
            self.js,
            StreamConfig(
                name=self.names.webhooks_stream,
                subjects=[self.names.webhooks_subjects],
                retention=RetentionPolicy.WORK_QUEUE,
                storage=StorageType.FILE,
                max_msgs_per_subject=self.ext.config.queue_size,
                discard=DiscardPolicy.NEW,
                discard_new_per_subject=True,
                max_age=MAX_AGE_S,
            ),
        )

    async def stop(self) -> None:
        for task in self._tasks:
            await cancel_and_wait(task)
        if self._control is not None:
            with contextlib.suppress(Exception):
                await self._control.unsubscribe()

    async def _on_control(self, _msg: Msg) -> None:
        asyncio.get_running_loop().create_task(self.reload())

    async def _reload_loop(self) -> None:
        while True:
            await asyncio.sleep(RELOAD_S)
            try:
                await self.reload()
            except Exception as exc:
                log.warning("webhooks: could not reload subscriptions: %s", exc)

    async def reload(self) -> None:
        """Follow the subscriptions table: workers for new ones, none for deleted ones."""
        rows = {row["id"]: row for row in await self.ext.repo.subscriptions() if row["enabled"]}
        for sub_id in list(self.ext._targets):
            if sub_id not in rows:
                self.ext._remove_target(sub_id)
        for sub_id, row in rows.items():
            if sub_id not in self.ext._targets:
                await self.ensure_consumer(sub_id)
                self.ext._add_target(row)

    async def announce(self) -> None:
        """Tell every node the subscriptions changed."""
        with contextlib.suppress(Exception):
            await self.nc.publish(self.names.control("webhooks"), b"reload")

    # -- subscriptions ---------------------------------------------------------------------

    async def ensure_consumer(self, sub_id: str) -> None:
        await self.js.add_consumer(
            self.names.webhooks_stream,
            ConsumerConfig(
                durable_name=self.names.webhook_consumer(sub_id),
                filter_subject=self.names.webhook_subject(sub_id),
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                max_ack_pending=1,
                ack_wait=self.ack_wait_s,
                max_deliver=-1,
            ),
        )

    @property
    def ack_wait_s(self) -> float:
        return self.ext.config.timeout_s + 5.0

    async def created(self, row: dict[str, Any]) -> None:
        await self.ensure_consumer(row["id"])
        self.ext._add_target(row)
        await self.announce()

    async def deleted(self, sub_id: str) -> None:
        with contextlib.suppress(NotFoundError, APIError):
            await self.js.delete_consumer(self.names.webhooks_stream, self.names.webhook_consumer(sub_id))
        with contextlib.suppress(NotFoundError, APIError):
            await self.js.purge_stream(self.names.webhooks_stream, subject=self.names.webhook_subject(sub_id))
        await self.announce()

    async def retry(self, target: _Target, delivery: Delivery) -> None:
        """A dead letter sent again (operator request): queued like a new delivery."""
        await self.js.publish(self.names.webhook_subject(target.id), _encode(delivery))

    # -- enqueue (the event's node) ---------------------------------------------------------

    def enqueue(self, target: _Target, delivery: Delivery) -> None:
        if len(self._outbox) >= 100_000:  # NATS away for long: the overflow is dead-lettered
            self.enqueue_dropped += 1
            self.ext._spill_dead(target, delivery, "NATS unavailable: delivery buffer full")
            return
        self._outbox.append((target, delivery))
        self._wake.set()

    async def _publisher(self) -> None:
        backoff = 0.1
        while True:
            if not self._outbox:
                self._wake.clear()
                await self._wake.wait()
            target, delivery = self._outbox[0]
            try:
                await self.js.publish(
                    self.names.webhook_subject(target.id),
                    _encode(delivery),
                    headers={"Nats-Msg-Id": f"{delivery.event_id}.{target.id}"},
                )
            except APIError as exc:
                if exc.err_code == PER_SUBJECT_LIMIT:
                    self._outbox.popleft()
                    self.ext._spill_dead(target, delivery, "backlog full (queue_size)")
                    continue
                log.warning("webhooks: delivery not queued yet (%s); retrying", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("webhooks: delivery not queued yet (%s); retrying", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                continue
            self._outbox.popleft()
            backoff = 0.1

    # -- delivery (any node) ---------------------------------------------------------------

    async def work(self, target: _Target) -> None:
        """Deliver the subscription's queue, one message at a time network-wide."""
        from chargebridge.integrations.webhooks import Delivery

        consumer = self.names.webhook_consumer(target.id)
        psub = None
        while True:
            try:
                if psub is None:
                    psub = await self.js.pull_subscribe_bind(consumer, stream=self.names.webhooks_stream)
                msgs = await psub.fetch(1, timeout=5.0)
            except asyncio.CancelledError:
                raise
            except TimeoutError:
                continue
            except Exception as exc:  # NATS away, consumer not there yet: try again shortly
                log.debug("webhook %s: fetch failed: %s", target.id, exc)
                psub = None
                await asyncio.sleep(1.0)
                continue
            for msg in msgs:
                try:
                    body = json.loads(msg.data)
                    delivery = Delivery(body["event_id"], body["kind"], body["station_id"], body["body"])
                except (ValueError, KeyError, TypeError):
                    log.error("webhook %s: unreadable queued delivery dropped", target.id)
                    await msg.term()
                    continue
                await self._deliver(target, delivery, msg)

    async def _deliver(self, target: _Target, delivery: Delivery, msg: Msg) -> None:
        meta = msg.metadata
        delivery.attempts = int(meta.num_delivered)
        target.pending = int(meta.num_pending)
        await msg.in_progress()  # the ack wait starts now: the POST has timeout_s of it
        error = await self.ext._post(target, delivery)
        if not error:
            await msg.ack_sync()  # acknowledged before anything else: the window for a double is one round trip
            self.ext.delivered += 1
            target.delivered += 1
            return
        self.ext.failed_attempts += 1
        target.failed_attempts += 1
        log.info("webhook %s: attempt %s for %s failed: %s", target.id, delivery.attempts, delivery.kind, error)
        if delivery.attempts >= self.ext.config.max_attempts:
            await self.ext._dead_letter(target, delivery, error)
            await msg.ack_sync()
            return
        await msg.nak(delay=self.ext.backoff(delivery.attempts))


def _encode(delivery: Delivery) -> bytes:
    body = {
        "event_id": delivery.event_id,
        "kind": delivery.kind,
        "station_id": delivery.station_id,
        "body": delivery.body,
    }
    return json.dumps(body, separators=(",", ":"), default=str).encode()
