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
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        sub._closed = True
        if sub in self._subscriptions:
            self._subscriptions.remove(sub)

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
