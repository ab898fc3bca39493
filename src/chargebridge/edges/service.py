"""What the server does for edges: apply batches, relay commands and wait for their answers.

Waiting (an edge's long poll for commands, an operator's diagnostic waiting for its answer) is
woken at once by what this node does, and otherwise re-checks the database every second, so an
answer that reached another node is seen too.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from chargebridge.bus.memory import EventBus
from chargebridge.edge.protocol import Answer, Batch, BatchAnswer
from chargebridge.edges.store import Applied, EdgeStore
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Row, Store

log = logging.getLogger(__name__)

RECHECK_S = 1.0
# How an edge's commands reach it when it does not poll over https (set by the MQTT / NATS consumers).
Relay = Callable[[str, Row], Awaitable[None]]


class EdgeService:
    def __init__(self, store: Store, bus: EventBus, clock: Clock):
        self.db = EdgeStore(store)
        self.bus = bus
        self.clock = clock
        self._new_command: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self._answered: dict[str, asyncio.Event] = {}
        self.relays: dict[str, Relay] = {}  # uplink kind -> relay
        self.closing = False
        self.batches = 0
        self.records = 0
        self.duplicates = 0
        self.rejected = 0

    # -- batches ----------------------------------------------------------------------------

    async def ingest(
        self, batch: Batch, *, token_id: str | None, may_take_over: bool = False, uplink: str = "https"
    ) -> BatchAnswer:
        applied: Applied = await self.db.apply(
            batch, token_id=token_id, may_take_over=may_take_over, uplink=uplink, now=self.clock.now()
        )
        for event in applied.events:  # after the commit, like a station's own messages
            self.bus.publish(event)
        self.batches += 1
        self.records += applied.applied
        self.duplicates += applied.duplicates
        self.rejected += len(applied.rejected)
        if applied.new_outbox:
            log.warning("edge %s: a new outbox (%s); its sequence starts again", batch.edge_id, batch.outbox_id)
        for problem in applied.rejected[:5]:
            log.warning("edge %s: record refused: %s", batch.edge_id, problem)
        return BatchAnswer(acked_seq=applied.acked_seq, applied=applied.applied, duplicates=applied.duplicates)

    # -- commands ---------------------------------------------------------------------------

    async def create_command(
        self, edge: Row, type_: str, params: dict[str, Any], ttl_s: float, created_by: str | None
    ) -> Row:
        now = self.clock.now()
        row = await self.db.add_command(edge["id"], type_, params, now, now + timedelta(seconds=ttl_s), created_by)
        self._new_command[edge["id"]].set()
        relay = self.relays.get(str(edge["uplink"] or ""))
        if relay is not None:
            try:
                await relay(edge["id"], row)
            except Exception:
                log.exception("edge %s: could not relay command %s", edge["id"], row["id"])
        return row

    def close(self) -> None:
        """End every long poll and wait now (the node is stopping: they answer at once)."""
        self.closing = True
        for event in [*self._new_command.values(), *self._answered.values()]:
            event.set()

    async def _wait(self, event: asyncio.Event, deadline: float) -> None:
        loop = asyncio.get_running_loop()
        remaining = deadline - loop.time()
        if remaining <= 0 or self.closing:
            return
        try:
            async with asyncio.timeout(min(RECHECK_S, remaining)):
                await event.wait()
        except TimeoutError:
            pass

    async def pending(self, edge_id: str, wait_s: float, limit: int = 50) -> list[Row]:
        """The edge's pending commands; with ``wait_s``, waits up to that long for one (long poll)."""
        deadline = asyncio.get_running_loop().time() + wait_s
        event = self._new_command[edge_id]
        while True:
            event.clear()
            rows = await self.db.commands(edge_id, pending_at=self.clock.now(), limit=limit)
            if rows or self.closing or asyncio.get_running_loop().time() >= deadline:
                return rows
            await self._wait(event, deadline)

    async def answer(self, command_id: str, answer: Answer) -> bool:
        recorded = await self.db.answer_command(command_id, answer.model_dump(mode="json"), self.clock.now())
        event = self._answered.get(command_id)
        if event is not None:
            event.set()
        return recorded

    async def wait_answer(self, command_id: str, timeout_s: float) -> Row | None:
        """The command once answered, or None after ``timeout_s``."""
        deadline = asyncio.get_running_loop().time() + timeout_s
        event = self._answered.setdefault(command_id, asyncio.Event())
        try:
            while True:
                event.clear()
                row = await self.db.command(command_id)
                if row is not None and row["state"] == "answered":
                    return row
                if self.closing or asyncio.get_running_loop().time() >= deadline:
                    return None
                await self._wait(event, deadline)
        finally:
            self._answered.pop(command_id, None)

    # -- views ------------------------------------------------------------------------------

    def online(self, edge: Row, now: datetime | None = None) -> bool:
        if edge["last_seen_at"] is None:
            return False
        heartbeat = float((edge["status"] or {}).get("heartbeat_s") or 30.0)
        age: timedelta = (now or self.clock.now()) - edge["last_seen_at"]
        return age <= timedelta(seconds=3 * heartbeat)

    def stats(self) -> dict[str, float]:
        return {
            "batches_total": self.batches,
            "records_total": self.records,
            "duplicate_records_total": self.duplicates,
            "rejected_records_total": self.rejected,
        }
