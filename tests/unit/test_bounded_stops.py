"""Every stop is bounded (issue 11, item 9): a task that swallows its cancellation no longer
holds up the node's exit.

On Python 3.11 ``asyncio.wait_for`` drops a cancellation that arrives in the same loop turn as
the awaited result; the Modbus poller used it, and its ``stop()`` (``task.cancel(); await
task``) then waited forever on a poller that went on polling. These tests reproduce that turn
exactly, and check the general guard (cancel again, give up with a log line naming the task).
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

import pytest

from chargebridge.bus.memory import EventBus
from chargebridge.integrations.modbus import ModbusMeter, ModbusMeterConfig, TelemetrySink
from chargebridge.services.clock import SystemClock
from chargebridge.store.database import StoreUnavailable
from chargebridge.tasks import BackgroundTasks, cancel_and_wait, stop_within


async def _swallows(times: int, entered: asyncio.Event, obey: asyncio.Event | None = None) -> None:
    """Swallows its first ``times`` cancellations (like a library's lost cancel), then obeys;
    at once when ``obey`` is set."""
    entered.set()
    swallowed = 0
    while True:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            if swallowed >= times or (obey is not None and obey.is_set()):
                raise
            swallowed += 1


async def test_cancel_and_wait_cancels_again_a_task_that_swallowed_it() -> None:
    entered = asyncio.Event()
    task = asyncio.create_task(_swallows(1, entered), name="swallower")
    await entered.wait()
    started = time.monotonic()
    async with asyncio.timeout(10):
        assert await cancel_and_wait(task, timeout_s=4.0)
    assert task.cancelled()
    assert time.monotonic() - started < 2.0


async def test_cancel_and_wait_gives_up_naming_the_task(caplog: pytest.LogCaptureFixture) -> None:
    entered, obey = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(_swallows(10_000, entered, obey), name="stubborn-task")
    await entered.wait()
    started = time.monotonic()
    async with asyncio.timeout(10):
        assert not await cancel_and_wait(task, timeout_s=0.5)
    assert time.monotonic() - started < 1.5
    assert any("stubborn-task" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
    obey.set()  # let the test's loop close
    task.cancel()
    await asyncio.wait({task}, timeout=1)
    assert task.cancelled()


async def test_stop_within_goes_on_after_a_stuck_stop(caplog: pytest.LogCaptureFixture) -> None:
    async def stuck() -> None:
        await asyncio.Event().wait()

    async def failing() -> None:
        raise RuntimeError("boom")

    async def fine() -> None:
        await asyncio.sleep(0.01)

    started = time.monotonic()
    assert not await stop_within("extension stuck", stuck, 0.3)
    assert not await stop_within("extension failing", failing, 1.0)
    assert await stop_within("extension fine", fine, 1.0)
    assert time.monotonic() - started < 3.0
    messages = [r.getMessage() for r in caplog.records]
    assert any("extension stuck did not stop within 0.3 s" in m for m in messages)
    assert any("extension failing failed to stop" in m for m in messages)


async def test_background_failures_of_an_outage_are_not_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    tasks = BackgroundTasks(logging.getLogger("test.background"), "bookkeeping failed")

    async def unavailable() -> None:
        raise StoreUnavailable("database unreachable")

    async def bug() -> None:
        raise KeyError("bug")

    tasks.spawn(unavailable())
    tasks.spawn(bug())
    assert await tasks.wait(timeout_s=1)
    levels = {r.levelno for r in caplog.records if r.name == "test.background"}
    assert levels == {logging.DEBUG, logging.ERROR}


# -- the Modbus poller ---------------------------------------------------------------------


@dataclass
class _Answer:
    registers: list[int]

    def isError(self) -> bool:
        return False


@dataclass
class _FakeClient:
    """A connected Modbus client whose first read answers when the test opens the gate."""

    gate: asyncio.Future[None]
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    reads: int = 0
    connected: bool = True

    async def read_holding_registers(self, start: int, *, count: int, device_id: int) -> _Answer:
        self.reads += 1
        if self.reads == 1:
            self.entered.set()
            await self.gate
        return _Answer([0] * count)

    read_input_registers = read_holding_registers

    def close(self) -> None:
        self.connected = False


async def test_modbus_stop_ends_a_poller_whose_read_answers_as_it_is_cancelled() -> None:
    config = ModbusMeterConfig(name="m", map="eastron-sdm630", site_id="site-1", poll_interval_s=3600)
    sink = TelemetrySink(
        source="modbus", device="m", bus=EventBus(), clock=SystemClock(), store=None, station_id=None, site_id="site-1"
    )
    meter = ModbusMeter(config, sink)
    loop = asyncio.get_running_loop()
    client = _FakeClient(loop.create_future())
    meter._client = client
    meter.start()
    await asyncio.wait_for(client.entered.wait(), 5)
    # The same loop turn: the meter answers, then stop() cancels the poller (its first step runs
    # after the read's completion and before wait_for would have seen it).
    client.gate.set_result(None)
    stopping = loop.create_task(meter.stop())
    done, _ = await asyncio.wait({stopping}, timeout=10)
    assert done, "ModbusMeter.stop() hung: the poller swallowed its cancellation"
    assert meter._task is None
