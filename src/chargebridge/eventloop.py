"""The event loop a node runs on: uvloop where it is installed, plain asyncio otherwise.

Chosen once at start-up (``CHARGEBRIDGE_EVENT_LOOP``: ``auto``, ``uvloop`` or ``asyncio``), shown
in the start-up log and as the ``chargebridge_event_loop_info`` metric. Everything above the
loop is plain asyncio; uvloop only makes the loop, the transports and the timers cheaper.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, Literal, TypeVar

T = TypeVar("T")

LoopChoice = Literal["auto", "uvloop", "asyncio"]


def loop_factory(choice: LoopChoice = "auto") -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The factory for ``asyncio.Runner``: uvloop's when chosen (or ``auto`` and installed), else None."""
    if choice == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if choice == "uvloop":
            raise RuntimeError("CHARGEBRIDGE_EVENT_LOOP=uvloop but uvloop is not installed") from None
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


def run(main: Coroutine[Any, Any, T], choice: LoopChoice = "auto") -> T:
    """``asyncio.run`` on the chosen loop."""
    with asyncio.Runner(loop_factory=loop_factory(choice)) as runner:
        return runner.run(main)


def loop_name(loop: asyncio.AbstractEventLoop | None = None) -> str:
    """``uvloop`` or ``asyncio`` for the running (or given) loop; ``none`` outside one."""
    if loop is None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return "none"
    return "uvloop" if type(loop).__module__.startswith("uvloop") else "asyncio"
