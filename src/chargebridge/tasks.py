"""Task helpers shared by every component that runs background work.

Every wait here is bounded. A task that swallows its cancellation (on Python 3.11,
``asyncio.wait_for`` drops a cancellation that arrives together with the awaited result, and
libraries built on it inherit that) would otherwise make ``await task`` wait forever, and with
it the whole node's shutdown. ``cancel_and_wait`` cancels again until the task ends, and gives up
with a log line naming the task after its time limit.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

log = logging.getLogger(__name__)

# How long a component's background task may take to unwind after it was cancelled.
DEFAULT_CANCEL_TIMEOUT_S = 5.0


class ExpectedFailure(Exception):
    """A failure that is already reported elsewhere, once (e.g. a database outage is logged when it
    starts and when it ends). Background tasks failing with it log at DEBUG, not a traceback each."""


async def cancel_and_wait(task: asyncio.Task[Any], timeout_s: float = DEFAULT_CANCEL_TIMEOUT_S) -> bool:
    """Cancel ``task`` and wait until it has finished unwinding, at most ``timeout_s``.

    A task still running after a grace period (a quarter of the time, at most 1 s: time for its
    own clean-up) swallowed the cancellation; it is cancelled again, with growing pauses, until it
    ends or the time is up. Returns True when the task ended; False (logged as a warning naming
    the task) when it was left behind. A failure of the task other than its cancellation is
    logged, never raised: stopping must go on.
    """
    deadline = time.monotonic() + timeout_s
    pause = min(1.0, timeout_s / 4)
    while not task.done():
        task.cancel()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        await asyncio.wait({task}, timeout=min(pause, remaining))
        pause = 0.1
    if not task.done():
        log.warning("task %s did not stop within %.1f s after being cancelled; left behind", task.get_name(), timeout_s)
        return False
    if not task.cancelled() and task.exception() is not None:
        log.error("task %s failed while stopping", task.get_name(), exc_info=task.exception())
    return True


async def stop_within(what: str, stop: Callable[[], Awaitable[Any]], timeout_s: float) -> bool:
    """Run one component's ``stop()`` with a time limit. True when it finished in time.

    On timeout the stop is cancelled (bounded, see :func:`cancel_and_wait`) and the component is
    named in a warning; a stop that fails is logged. Either way the caller goes on with the next
    component, so one stuck component never holds up the node's exit.
    """
    task = asyncio.ensure_future(stop())
    try:
        done, _ = await asyncio.wait({task}, timeout=max(0.0, timeout_s))
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not done:
        log.warning("%s did not stop within %.1f s; going on without it", what, timeout_s)
        await cancel_and_wait(task, timeout_s=1.0)
        return False
    if not task.cancelled() and task.exception() is not None:
        log.error("%s failed to stop", what, exc_info=task.exception())
        return False
    return True


def raise_if_cancelling() -> None:
    """Honour a cancellation that a library swallowed (Python 3.11 ``asyncio.wait_for`` drops one
    that arrives together with the result; the task still counts it). Call after such awaits in
    loops that would otherwise go on forever."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class BackgroundTasks:
    """Fire-and-forget work of one component: each task is kept referenced until it is done, a
    failure is logged (never lost in an unretrieved exception), and shutdown can wait for all."""

    def __init__(self, log: logging.Logger, failure: str):
        self._log = log
        self._failure = failure
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if isinstance(exc, ExpectedFailure):
            self._log.debug("%s: %s", self._failure, exc)
        elif exc is not None:
            self._log.error("%s", self._failure, exc_info=exc)

    async def wait(self, timeout_s: float | None = None) -> bool:
        """Until every task spawned so far has finished (their failures are logged, not raised), at
        most ``timeout_s``; then the rest are cancelled. True when all finished by themselves."""
        if not self._tasks:
            return True
        tasks = set(self._tasks)
        _, pending = await asyncio.wait(tasks, timeout=timeout_s)
        for task in pending:
            await cancel_and_wait(task, timeout_s=1.0)
        if pending:
            self._log.warning("%s: %d background task(s) cancelled at shutdown", self._failure, len(pending))
        return not pending

    def __len__(self) -> int:
        return len(self._tasks)
