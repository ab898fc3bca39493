"""The retention job: every ``retention_interval_s`` it folds the raw meter samples older than
``meter_retention_days`` into aggregates and deletes them, batch by batch, then deletes the
station events older than ``station_event_retention_days`` the same way.

Each batch is one short write transaction queued on the store's writer like any station write;
between batches the job pauses at least as long as the batch took, so the stations' writes
always get the larger share of the database. A run stops at the first batch with nothing
older than the cutoff. Progress is in :meth:`RetentionJob.stats` (exported on /metrics as
``chargebridge_retention_*``) and in ``GET /api/v1/retention``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chargebridge.retention.store import RetentionStore
from chargebridge.services.clock import Clock
from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    days: int  # 0: raw samples are kept forever
    event_days: int = 0  # station events older than this are deleted (0: kept forever)
    interval_s: float = 3600.0
    batch_size: int = 2000
    min_pause_s: float = 0.05  # between batches, at least (and at least as long as the batch took)
    first_run_after_s: float = 60.0  # after start-up, so a restart is not slowed by it


@dataclass(frozen=True, slots=True)
class RunResult:
    cutoff: datetime
    batches: int
    deleted: int
    kept: int
    aggregates: int
    seconds: float
    events_deleted: int = 0
    event_cutoff: datetime | None = None


class RetentionJob:
    def __init__(self, store: RetentionStore, clock: Clock, policy: RetentionPolicy):
        self.store = store
        self.clock = clock
        self.policy = policy
        self._task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()  # one run at a time (the schedule's and one asked for by the API)
        self.running = False
        self.runs = 0
        self.batches = 0
        self.deleted = 0
        self.kept = 0
        self.aggregates = 0
        self.events_deleted = 0
        self.failures = 0
        self.current_run_deleted = 0
        self.last_run: RunResult | None = None
        self.last_run_at: datetime | None = None
        self.last_error: str | None = None

    @property
    def enabled(self) -> bool:
        return self.policy.days > 0 or self.policy.event_days > 0

    def cutoff(self, now: datetime) -> datetime:
        return now - timedelta(days=self.policy.days)

    async def run_once(self) -> RunResult:
        """One pass over everything older than the cutoff, batch by batch."""
        async with self._lock:
            return await self._run()

    async def _run(self) -> RunResult:
        started = time.monotonic()
        now = self.clock.now()
        cutoff = self.cutoff(now)
        self.running = True
        self.current_run_deleted = 0
        after, batches, deleted, kept, aggregates = 0, 0, 0, 0, 0
        try:
            while self.policy.days > 0:
                batch_started = time.monotonic()
                batch = await self.store.downsample_batch(cutoff, after, self.policy.batch_size)
                batches += 1
                self.batches += 1
                deleted += batch.deleted
                kept += batch.kept
                aggregates += batch.aggregates
                self.deleted += batch.deleted
                self.kept += batch.kept
                self.aggregates += batch.aggregates
                self.current_run_deleted = deleted
                after = batch.last_id
                if batch.done:
                    break
                took = time.monotonic() - batch_started
                await asyncio.sleep(max(self.policy.min_pause_s, took))
            events_deleted, event_cutoff = await self._delete_events(now)
        finally:
            self.running = False
        result = RunResult(
            cutoff, batches, deleted, kept, aggregates, time.monotonic() - started, events_deleted, event_cutoff
        )
        self.runs += 1
        self.last_run, self.last_run_at = result, now
        if deleted or kept:
            log.info(
                "retention: %d meter samples before %s folded into %d aggregates and deleted (%d kept: "
                "transaction not final), %.1f s",
                deleted,
                cutoff.isoformat(),
                aggregates,
                kept,
                result.seconds,
            )
        if events_deleted:
            log.info("retention: %d station events before %s deleted", events_deleted, event_cutoff)
        return result

    async def _delete_events(self, now: datetime) -> tuple[int, datetime | None]:
        if self.policy.event_days <= 0:
            return 0, None
        cutoff = now - timedelta(days=self.policy.event_days)
        deleted = 0
        while True:
            batch_started = time.monotonic()
            count, done = await self.store.delete_events_batch(cutoff, self.policy.batch_size)
            deleted += count
            self.events_deleted += count
            self.batches += 1
            if done:
                return deleted, cutoff
            await asyncio.sleep(max(self.policy.min_pause_s, time.monotonic() - batch_started))

    def start(self) -> None:
        if self.enabled and self._task is None:
            self._task = asyncio.create_task(self._loop(), name="retention")

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None

    async def _loop(self) -> None:
        await asyncio.sleep(self.policy.first_run_after_s)
        while True:
            try:
                await self.run_once()
                self.last_error = None
            except Exception as exc:  # the next run tries again; nothing is lost meanwhile
                self.failures += 1
                self.last_error = str(exc)[:200]
                log.warning("retention run failed (retried in %.0f s): %s", self.policy.interval_s, exc)
            await asyncio.sleep(self.policy.interval_s)

    def stats(self) -> dict[str, float]:
        """Counters (``_total``) and gauges for /metrics (``chargebridge_retention_<name>``)."""
        last = self.last_run
        return {
            "runs_total": self.runs,
            "batches_total": self.batches,
            "samples_deleted_total": self.deleted,
            "samples_kept_total": self.kept,
            "aggregates_written_total": self.aggregates,
            "events_deleted_total": self.events_deleted,
            "failures_total": self.failures,
            "running": 1.0 if self.running else 0.0,
            "current_run_deleted": self.current_run_deleted,
            "last_run_timestamp_seconds": self.last_run_at.timestamp() if self.last_run_at else 0.0,
            "last_run_duration_seconds": last.seconds if last else 0.0,
            "last_run_deleted": last.deleted if last else 0,
            "retention_days": self.policy.days,
            "station_event_retention_days": self.policy.event_days,
        }

    def status(self) -> dict[str, Any]:
        last = self.last_run
        return {
            "enabled": self.enabled,
            "meter_retention_days": self.policy.days,
            "station_event_retention_days": self.policy.event_days,
            "interval_s": self.policy.interval_s,
            "batch_size": self.policy.batch_size,
            "running": self.running,
            "current_run_deleted": self.current_run_deleted,
            "totals": {
                "runs": self.runs,
                "samples_deleted": self.deleted,
                "samples_kept": self.kept,
                "aggregates_written": self.aggregates,
                "events_deleted": self.events_deleted,
                "failures": self.failures,
            },
            "last_run": None
            if last is None
            else {
                "at": self.last_run_at,
                "cutoff": last.cutoff,
                "batches": last.batches,
                "deleted": last.deleted,
                "kept": last.kept,
                "aggregates": last.aggregates,
                "events_deleted": last.events_deleted,
                "event_cutoff": last.event_cutoff,
                "seconds": round(last.seconds, 3),
            },
            "last_error": self.last_error,
        }
