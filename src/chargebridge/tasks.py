"""Task helpers shared by every component that runs background work."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any]) -> None:
    """Cancel ``task`` and wait until it has finished unwinding (its CancelledError is absorbed)."""
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
