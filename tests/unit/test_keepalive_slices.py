"""The keepalive wheel never holds the event loop for a whole tick's sockets: it pings them in
slices and lets other work (the stations' messages) run in between."""

from __future__ import annotations

import asyncio
from itertools import groupby

from websockets.protocol import State

from chargebridge.gateway.keepalive import _PING, SLICE, KeepaliveEntry, KeepaliveWheel


class FakeSocket:
    state = State.OPEN

    def __init__(self, log: list[str]):
        self.log = log

    async def ping(self) -> asyncio.Future[float]:
        self.log.append("ping")  # a real ping does not wait either while the socket can take it
        done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        done.set_result(0.0)
        return done


async def test_a_tick_of_many_sockets_lets_messages_in_between() -> None:
    log: list[str] = []
    wheel = KeepaliveWheel(30.0, 15.0)
    bucket = [(KeepaliveEntry(FakeSocket(log)), _PING) for _ in range(10 * SLICE)]  # type: ignore[arg-type]

    async def messages() -> None:
        for _ in range(20):
            log.append("message")
            await asyncio.sleep(0)

    other = asyncio.create_task(messages())
    await wheel._visit(bucket)
    await other
    assert wheel.pings == 10 * SLICE
    assert log.index("message") <= SLICE
    longest_run = max(len(list(run)) for kind, run in groupby(log) if kind == "ping")
    assert longest_run <= SLICE, longest_run
