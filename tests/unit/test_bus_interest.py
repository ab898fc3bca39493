"""Issue 18, lever 6: events are built only when something subscribes to their kind."""

from __future__ import annotations

from datetime import UTC, datetime

from chargebridge.bus.memory import EventBus
from chargebridge.domain.events import DomainEvent, EventKind


async def test_interest_follows_the_subscriptions() -> None:
    bus = EventBus()
    assert not bus.interested(EventKind.METER_SAMPLED)
    meters = bus.subscribe("m", {EventKind.METER_SAMPLED})
    assert bus.interested(EventKind.METER_SAMPLED)
    assert not bus.interested(EventKind.STATUS_CHANGED)
    everything = bus.subscribe("all")
    assert bus.interested(EventKind.STATUS_CHANGED)
    bus.set_kinds(everything, set())  # e.g. webhooks without subscriptions
    assert not bus.interested(EventKind.STATUS_CHANGED)
    bus.publish(DomainEvent(EventKind.STATUS_CHANGED, "CP", datetime.now(UTC), {}))
    assert everything.queue.empty()
    bus.set_kinds(everything, {EventKind.STATUS_CHANGED})
    assert bus.interested(EventKind.STATUS_CHANGED)
    bus.publish(DomainEvent(EventKind.STATUS_CHANGED, "CP", datetime.now(UTC), {}))
    assert everything.queue.qsize() == 1
    bus.unsubscribe(meters)
    assert not bus.interested(EventKind.METER_SAMPLED)
    bus.set_kinds(everything, None)
    assert bus.interested(EventKind.METER_SAMPLED)


async def test_the_cluster_exporter_wants_everything() -> None:
    bus = EventBus()
    bus.exporter = lambda event: None
    assert bus.interested(EventKind.METER_SAMPLED)
