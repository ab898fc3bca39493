"""Waits for the missing events of ended 2.0.1 transactions, and finalises them when the wait is over.

The store decides completeness inside the commit of each TransactionEvent (an Ended event whose
seqNos from the Started event on are not all stored leaves the transaction ``awaiting_events``;
the event that fills the last gap finalises it). This service does the rest:

- when a transaction starts awaiting events (its ``transaction.ended`` says so), it asks the station
  GetTransactionStatus. ``messagesInQueue`` true: the station will deliver, the wait goes on.
  false: nothing more is coming; what is already on the wire gets ``grace_s``, then the
  transaction is finalised ``incomplete``;
- every ``tick_s`` it finalises, as ``incomplete`` with a note, the transactions whose wait
  (``wait_s`` from the Ended event, or the earlier deadline above) is over. The deadlines are
  stored, so a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from chargebridge.bus.memory import EventBus, Subscription
from chargebridge.domain.commands import CommandOutcome
from chargebridge.domain.events import DomainEvent, EventKind
from chargebridge.domain.transaction_status import GetTransactionStatus
from chargebridge.domain.transactions import AWAITING_EVENTS
from chargebridge.services.clock import Clock
from chargebridge.store.repository import Row, Store
from chargebridge.tasks import BackgroundTasks, cancel_and_wait

log = logging.getLogger(__name__)


class _Answered(Protocol):
    @property
    def outcome(self) -> CommandOutcome: ...


class CommandChannel(Protocol):
    async def execute(self, station_id: str, command: Any, timeout_s: float | None = None) -> _Answered: ...


@dataclass(frozen=True, slots=True)
class CompletenessSettings:
    wait_s: float = 600.0
    grace_s: float = 10.0
    tick_s: float = 2.0


def deadline_of(row: Row, wait_s: float) -> datetime | None:
    """When an awaiting transaction is finalised without its missing events."""
    since = row["awaiting_since"]
    if since is None:
        return None
    deadline: datetime = since + timedelta(seconds=wait_s)
    after = row["finalise_after"]
    return min(deadline, after) if after is not None else deadline


class CompletenessService:
    def __init__(
        self, store: Store, bus: EventBus, channel: CommandChannel, clock: Clock, settings: CompletenessSettings
    ):
        self.store = store
        self.bus = bus
        self.channel = channel
        self.clock = clock
        self.settings = settings
        self._subscription: Subscription | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._asks = BackgroundTasks(log, "GetTransactionStatus failed")

    def start(self) -> None:
        self._subscription = self.bus.subscribe("transaction-completeness", {EventKind.TRANSACTION_ENDED})
        self._tasks = [
            asyncio.create_task(self._consume(self._subscription), name="transaction-completeness"),
            asyncio.create_task(self._sweep_loop(), name="transaction-completeness-sweep"),
        ]

    async def stop(self) -> None:
        if self._subscription is not None:
            self.bus.unsubscribe(self._subscription)
        for task in self._tasks:
            await cancel_and_wait(task)
        await self._asks.wait()

    async def _consume(self, subscription: Subscription) -> None:
        while True:
            event = await subscription.get()
            if event.data.get("completeness") == AWAITING_EVENTS:
                self._asks.spawn(self.ask(event.station_id, str(event.data["transaction_id"])))

    async def ask(self, station_id: str, transaction_id: str) -> dict[str, Any] | None:
        """GetTransactionStatus for an awaiting transaction; records the answer and shortens the
        wait when the station has nothing queued. None when the station could not be asked."""
        now = self.clock.now()
        try:
            answer = await self.channel.execute(station_id, GetTransactionStatus(transaction_id))
        except Exception as exc:  # not connected, timeout, CALLERROR: the stored deadline still holds
            log.warning("%s: GetTransactionStatus %s not answered: %s", station_id, transaction_id, exc)
            return None
        response = answer.outcome.response
        in_queue = bool(response.get("messagesInQueue", False))
        data = {
            "transaction_id": transaction_id,
            "messages_in_queue": in_queue,
            "ongoing_indicator": response.get("ongoingIndicator"),
        }
        await self.store.add_station_event(station_id, "transaction_status", now, data)
        if not in_queue:
            await self.store.set_finalise_after(
                station_id, transaction_id, self.clock.now() + timedelta(seconds=self.settings.grace_s)
            )
        return data

    async def _sweep_loop(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("could not finalise overdue transactions")
            await asyncio.sleep(self.settings.tick_s)

    async def sweep(self) -> int:
        """Finalise (incomplete) every awaiting transaction whose wait is over; returns how many."""
        now = self.clock.now()
        done = 0
        for row in await self.store.awaiting_transactions():
            deadline = deadline_of(row, self.settings.wait_s)
            if deadline is None or deadline > now:
                continue
            missing = row["missing_seq_nos"] or []
            listed = ", ".join(str(seq) for seq in missing[:20]) + (" ..." if len(missing) > 20 else "")
            note = f"finalised without seqNo {listed}: not received within the wait"
            state = await self.store.finalise_incomplete(row["station_id"], row["transaction_id"], now, note)
            if state is not None:
                done += 1
                log.warning(
                    "%s: transaction %s finalised incomplete (%s)", row["station_id"], row["transaction_id"], note
                )
                self.bus.publish(
                    DomainEvent(
                        EventKind.STATION_EVENT,
                        row["station_id"],
                        now,
                        {"kind": "transaction_incomplete", "transaction_id": row["transaction_id"], "note": note},
                    )
                )
        return done
