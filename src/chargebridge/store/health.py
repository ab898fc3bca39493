"""Whether the database answers: outage detection, one log line when an outage starts and one
when it ends (with its duration), the state ``/readyz`` and the metrics report.

The truth comes from a probe (``SELECT 1`` with a time limit): periodically, and at once when a
read or a write failed for a connection-level reason (lost, refused or timed-out connection).
A slow query alone never declares an outage: only a failed probe does. The outage is dated from
the first failure that led to it. While it lasts, the probe runs every second; the first answer
ends it, runs the recovery listeners (the authorization reconciliation) and logs the duration.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chargebridge.tasks import cancel_and_wait

log = logging.getLogger(__name__)

Probe = Callable[[], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class HealthSnapshot:
    up: bool
    reason: str | None
    down_since: datetime | None
    outage_s: float
    outages: int
    outage_seconds_total: float


class DatabaseHealth:
    def __init__(
        self,
        probe: Probe,
        *,
        probe_timeout_s: float = 5.0,
        interval_up_s: float = 5.0,
        interval_down_s: float = 1.0,
    ):
        self._probe = probe
        self.probe_timeout_s = probe_timeout_s
        self.interval_up_s = interval_up_s
        self.interval_down_s = interval_down_s
        self.up = True
        self.reason: str | None = None
        self.down_since: datetime | None = None  # wall clock, for people
        self._down_since_mono = 0.0
        self._suspect_since_mono: float | None = None
        self._suspect_since_wall: datetime | None = None
        self.outages = 0
        self._outage_seconds_closed = 0.0
        self.refused_reads = 0  # reads answered "unavailable" (failed, or refused during an outage)
        self.refused_writes = 0  # writes that gave up after the retry window
        self._listeners: list[Callable[[], None]] = []
        self._down_listeners: list[Callable[[], None]] = []
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._probing: asyncio.Task[bool] | None = None
        self._stopped = False

    # -- state -----------------------------------------------------------------------------

    @property
    def down(self) -> bool:
        return not self.up

    @property
    def outage_s(self) -> float:
        """Length of the current outage (0 while the database answers)."""
        return time.monotonic() - self._down_since_mono if self.down else 0.0

    @property
    def outage_seconds_total(self) -> float:
        return self._outage_seconds_closed + self.outage_s

    def snapshot(self) -> HealthSnapshot:
        return HealthSnapshot(
            self.up, self.reason, self.down_since, self.outage_s, self.outages, self.outage_seconds_total
        )

    def on_recovered(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (synchronously, on the loop) each time an outage ends."""
        self._listeners.append(listener)

    def on_down(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` (synchronously, on the loop) each time an outage is declared."""
        self._down_listeners.append(listener)

    # -- reports from readers and the writer ------------------------------------------------

    def failed(self, exc: BaseException, started: float | None = None) -> None:
        """A connection-level failure was seen: probe at once (an outage starts only if the probe
        fails). ``started``: ``time.monotonic()`` when the failed operation began (a timed-out one
        has been failing since then), which dates the outage."""
        if self.up and self._suspect_since_mono is None:
            now = time.monotonic()
            since = min(started, now) if started is not None else now
            self._suspect_since_mono = since
            self._suspect_since_wall = datetime.now(UTC) - timedelta(seconds=now - since)
            self.reason = _describe(exc)
        self._wake.set()
        if self._task is None and not self._stopped:  # not monitoring (a CLI command): probe once
            self._spawn_probe()

    def nudge(self) -> None:
        """Something is slow (a read waiting for seconds): probe now, without suspecting anything yet."""
        if self._task is not None:
            self._wake.set()

    def succeeded(self) -> None:
        """A statement committed or a read answered: the database is there."""
        self._suspect_since_mono = None
        if self.down:
            self._mark_up()

    # -- probing ---------------------------------------------------------------------------

    async def check(self) -> bool:
        """Probe now (concurrent callers share one probe) and update the state; True if it answered."""
        task = self._spawn_probe()
        return await asyncio.shield(task)

    def _spawn_probe(self) -> asyncio.Task[bool]:
        if self._probing is None or self._probing.done():
            self._probing = asyncio.create_task(self._probe_once(), name="database-probe")
        return self._probing

    async def _probe_once(self) -> bool:
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.probe_timeout_s):
                await self._probe()
        except Exception as exc:  # TimeoutError included: no answer in time is the outage we look for
            if self.up and self._suspect_since_mono is None:
                self.failed(exc, started)
            self._mark_down(_describe(exc))
            return False
        self.succeeded()
        return True

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._monitor(), name="database-health")

    async def stop(self) -> None:
        self._stopped = True
        if self._task is not None:
            await cancel_and_wait(self._task, timeout_s=1.0)
            self._task = None
        if self._probing is not None:
            await cancel_and_wait(self._probing, timeout_s=1.0)
            self._probing = None

    async def _monitor(self) -> None:
        while True:
            interval = self.interval_down_s if self.down else self.interval_up_s
            try:
                async with asyncio.timeout(interval):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.check()
            except Exception:  # never end the monitor
                log.exception("database probe failed unexpectedly")

    # -- transitions -----------------------------------------------------------------------

    def _mark_down(self, reason: str) -> None:
        if self.down:
            self.reason = reason
            return
        first_failure = self._suspect_since_mono
        self.up = False
        self.outages += 1
        self._down_since_mono = first_failure if first_failure is not None else time.monotonic()
        self.down_since = self._suspect_since_wall or datetime.now(UTC)
        self._suspect_since_mono = None
        self._suspect_since_wall = None
        self.reason = reason
        log.error(
            "database unreachable since %s: %s (writes wait for it up to the retry window, then "
            "stations get InternalError; API reads answer 503; /readyz reports it)",
            self.down_since.isoformat(timespec="seconds"),
            reason,
        )
        _notify(self._down_listeners, "database outage listener failed")

    def _mark_up(self) -> None:
        duration = self.outage_s
        self._outage_seconds_closed += duration
        self.up = True
        self.down_since = None
        self.reason = None
        log.warning("database reachable again after an outage of %.1f s", duration)
        _notify(self._listeners, "database recovery listener failed")


def _notify(listeners: list[Callable[[], None]], failure: str) -> None:
    for listener in list(listeners):
        try:
            listener()
        except Exception:
            log.exception(failure)


def _describe(exc: BaseException) -> str:
    """The exception's type and first line, without statement parameters (they may hold data)."""
    if isinstance(exc, TimeoutError) and not str(exc):
        return "no answer in time"
    text = str(getattr(exc, "orig", None) or exc).split("\n", 1)[0]
    return f"{type(exc).__name__}: {text}"[:200]
