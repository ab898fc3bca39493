"""Simulated time: one clock for the whole fleet, running ``time_scale`` times faster than real time.

Every behavioural duration in the simulator (heartbeat and meter intervals, session lengths,
offline periods, retry intervals, back-off) is in *simulated* seconds; the clock turns them into
real seconds to sleep. Transport timings (call timeout, answer delay) stay in real seconds.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta


class SimClock:
    """Maps the real monotonic clock onto simulated time starting at ``start``."""

    def __init__(
        self,
        start: datetime,
        time_scale: float = 1.0,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        self.start = start
        self.time_scale = time_scale
        self._monotonic = monotonic
        self._origin = monotonic()

    def elapsed(self) -> float:
        """Simulated seconds since the clock started."""
        return (self._monotonic() - self._origin) * self.time_scale

    def at(self, elapsed: float) -> datetime:
        """The simulated date-time ``elapsed`` simulated seconds after the start."""
        return self.start + timedelta(seconds=elapsed)

    def now(self) -> datetime:
        return self.at(self.elapsed())

    def real_seconds(self, sim_seconds: float) -> float:
        """How long to really wait for ``sim_seconds`` of simulated time to pass."""
        return max(0.0, sim_seconds) / self.time_scale
