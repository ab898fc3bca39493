"""The live event stream sends a burst as one chunk, each event still its own frame and id."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any, cast

from chargebridge.api.deps import ApiContext
from chargebridge.api.live import LiveState, _Filter, _stream
from chargebridge.bus.memory import EventBus
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.services.clock import SystemClock


def _frames(chunk: str) -> list[dict[str, Any]]:
    frames = []
    for block in chunk.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        frames.append({"id": fields.get("id"), "event": fields["event"], "data": json.loads(fields["data"])})
    return frames


async def test_a_burst_of_events_goes_out_as_one_chunk_in_order() -> None:
    bus = EventBus()
    live = LiveState(SystemClock())
    ctx = cast(ApiContext, SimpleNamespace(bus=bus, clock=SystemClock()))
    stream = _stream(ctx, live, _Filter("CP-1", None, None), tick_s=60.0, queue_size=1000, batch_s=0.01)
    try:
        assert await anext(stream) == "retry: 3000\n\n"
        assert _frames(await anext(stream))[0]["event"] == "hello"
        at = datetime.now(UTC)
        for i in range(200):
            bus.publish(DomainEvent(EventKind.METER_SAMPLED, "CP-1", at, {"n": i}))
            bus.publish(DomainEvent(EventKind.METER_SAMPLED, "CP-2", at, {"n": i}))  # not this client's station
        chunk = await asyncio.wait_for(anext(stream), 5)
        frames = _frames(chunk)
        # one chunk (one write to the client), not one per event; every event its own frame and id
        assert [f["data"]["data"]["n"] for f in frames] == list(range(200))
        assert [f["id"] for f in frames] == [str(i) for i in range(1, 201)]
        assert {f["data"]["station_id"] for f in frames} == {"CP-1"}
        # events arriving while the stream waits to send come with them, within the batch window
        bus.publish(DomainEvent(EventKind.STATUS_CHANGED, "CP-1", at, {"status": "Charging"}))
        later = asyncio.get_running_loop().call_later(
            0.002, bus.publish, DomainEvent(EventKind.STATUS_CHANGED, "CP-1", at, {"status": "Faulted"})
        )
        frames = _frames(await asyncio.wait_for(anext(stream), 5))
        later.cancel()
        assert [f["data"]["data"]["status"] for f in frames] == ["Charging", "Faulted"]
        assert [f["id"] for f in frames] == ["201", "202"]
    finally:
        await stream.aclose()
        live.closing.set()


async def test_dropped_events_are_reported_before_the_batch_that_follows() -> None:
    bus = EventBus()
    live = LiveState(SystemClock())
    ctx = cast(ApiContext, SimpleNamespace(bus=bus, clock=SystemClock()))
    stream = _stream(ctx, live, _Filter(None, None, None), tick_s=60.0, queue_size=10, batch_s=0.0)
    try:
        await anext(stream)
        await anext(stream)
        at = datetime.now(UTC)
        for i in range(25):  # 15 more than the client's queue holds
            bus.publish(DomainEvent(EventKind.METER_SAMPLED, "CP-1", at, {"n": i}))
        frames = _frames(await asyncio.wait_for(anext(stream), 5))
        assert frames[0]["event"] == "gap" and frames[0]["data"] == {"dropped": 15}
        assert [f["data"]["data"]["n"] for f in frames[1:]] == list(range(15, 25))
    finally:
        await stream.aclose()
