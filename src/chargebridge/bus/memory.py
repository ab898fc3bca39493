"""In-process event bus with bounded per-subscriber queues.

Policy (docs/adr/0003-event-bus.md): publishing never blocks and never fails. Each
subscriber has a bounded queue; when it is full the *oldest* event is dropped and the
subscriber's ``dropped`` counter goes up, so a slow adapter loses old telemetry rather than
stalling OCPP handling.

Cluster mode (docs/scaling.md): ``exporter`` hands every event published here to the cluster
bus (:mod:`chargebridge.cluster.bus`, never blocking), which delivers the other nodes' events
through :meth:`EventBus.deliver_remote`. A subscriber that acts on each event once per network
(the MQTT bridge, webhooks, per-node metrics, the firmware service's writes) subscribes with
``local_only=True`` and sees only the events of this node: its stations and its API.

Publishers on the hot path ask :meth:`EventBus.interested` before building an event: nobody
subscribed to that kind (and no cluster exporter) means the event is not built at all. A
subscriber whose interest changes at run time (webhooks, as subscriptions are added and removed)
narrows or widens its kinds with :meth:`EventBus.set_kinds`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from chargebridge.domain.events import DomainEvent, EventKind

log = logging.getLogger(__name__)


@dataclass(eq=False)
class Subscription:
    name: str
    kinds: frozenset[EventKind] | None
    queue: asyncio.Queue[DomainEvent]
    dropped: int = 0
    delivered: int = 0
    local_only: bool = False  # cluster mode: only the events published on this node
    _closed: bool = field(default=False, repr=False)

    def wants(self, event: DomainEvent) -> bool:
        return self.kinds is None or event.kind in self.kinds

    async def get(self) -> DomainEvent:
        event = await self.queue.get()
        self.delivered += 1
        return event

    def drain(self, limit: int) -> list[DomainEvent]:
        """The events already queued, at most ``limit``, without waiting (a consumer that handles
        a burst in one pass: one wake-up and one write instead of one per event)."""
        events: list[DomainEvent] = []
        queue = self.queue
        while len(events) < limit and not queue.empty():
            events.append(queue.get_nowait())
        self.delivered += len(events)
        return events

    async def __aiter__(self) -> AsyncIterator[DomainEvent]:
        while not self._closed:
            yield await self.get()


class EventBus:
    def __init__(self, *, default_queue_size: int = 10_000):
        self._subscriptions: list[Subscription] = []
        self._default_queue_size = default_queue_size
        self.published = 0
        self.received = 0  # events of other nodes (cluster mode)
        # Cluster mode: gets every event published here (must not block or raise).
        self.exporter: Callable[[DomainEvent], None] | None = None
        self._all_kinds = False  # some subscriber takes every kind
        self._kinds: frozenset[EventKind] = frozenset()  # the kinds some subscriber takes
        self.not_built = 0  # publishers that skipped building an event nobody wanted

    def interested(self, kind: EventKind) -> bool:
        """True if publishing an event of ``kind`` reaches anyone (a subscriber or the cluster bus)."""
        if self._all_kinds or kind in self._kinds or self.exporter is not None:
            return True
        self.not_built += 1
        return False

    def _reindex(self) -> None:
        self._all_kinds = any(s.kinds is None for s in self._subscriptions)
        self._kinds = frozenset(k for s in self._subscriptions if s.kinds is not None for k in s.kinds)

    def set_kinds(self, sub: Subscription, kinds: set[EventKind] | frozenset[EventKind] | None) -> None:
        """Change what ``sub`` receives (None: every kind; empty: none) from the next event on."""
        sub.kinds = None if kinds is None else frozenset(kinds)
        self._reindex()

    def subscribe(
        self,
        name: str,
        kinds: set[EventKind] | None = None,
        *,
        queue_size: int | None = None,
        local_only: bool = False,
    ) -> Subscription:
        sub = Subscription(
            name,
            frozenset(kinds) if kinds else None,
            asyncio.Queue(maxsize=queue_size or self._default_queue_size),
            local_only=local_only,
        )
        self._subscriptions.append(sub)
        self._reindex()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub._closed = True
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)
            self._reindex()

    def publish(self, event: DomainEvent) -> None:
        self.published += 1
        self._fan_out(event, remote=False)
        if self.exporter is not None:
            self.exporter(event)

    def deliver_remote(self, event: DomainEvent) -> None:
        """An event another node published (cluster mode): to every subscriber not ``local_only``."""
        self.received += 1
        self._fan_out(event, remote=True)

    def _fan_out(self, event: DomainEvent, *, remote: bool) -> None:
        for sub in self._subscriptions:
            if not sub.wants(event) or (remote and sub.local_only):
                continue
            if sub.queue.full():
                sub.queue.get_nowait()
                sub.dropped += 1
            sub.queue.put_nowait(event)

    def stats(self) -> dict[str, dict[str, int]]:
        return {
            s.name: {"depth": s.queue.qsize(), "dropped": s.dropped, "delivered": s.delivered}
            for s in self._subscriptions
        }
