"""What answering a CALL after its commit costs in task machinery alone (issue 18, lever 5).

Three ways of waiting for a commit that resolves two writes, on the loop the node runs (uvloop
when installed), no I/O:

- ``tasks``: the answering task gathers two coroutines (a task each) that await the writer's futures
  (the store before lever 5);
- ``futures``: the answering task gathers the writer's futures themselves (the store now);
- ``callbacks``: no task at all, done-callbacks on the futures (what answering from the writer's
  commit in one pass would cost).

``python -m bench.answering_micro`` prints microseconds of CPU per answered message for each.
"""

from __future__ import annotations

import asyncio
import time

from chargebridge.eventloop import loop_name, run

ROUNDS = 5
MESSAGES = 20_000


async def _write(future: asyncio.Future[int]) -> int:
    return await future


async def _answer_with_tasks(a: asyncio.Future[int], b: asyncio.Future[int]) -> None:
    await asyncio.gather(_write(a), _write(b))


async def _answer_with_futures(a: asyncio.Future[int], b: asyncio.Future[int]) -> None:
    await asyncio.gather(a, b)


async def _measure(variant: str) -> float:
    loop = asyncio.get_running_loop()
    answered = 0

    def on_done(_: asyncio.Future[int]) -> None:
        nonlocal answered
        answered += 1

    started = time.process_time()
    for _ in range(ROUNDS):
        pairs: list[tuple[asyncio.Future[int], asyncio.Future[int]]] = []
        tasks: list[asyncio.Task[None]] = []
        for _ in range(MESSAGES):
            a, b = loop.create_future(), loop.create_future()
            pairs.append((a, b))
            if variant == "tasks":
                tasks.append(loop.create_task(_answer_with_tasks(a, b)))
            elif variant == "futures":
                tasks.append(loop.create_task(_answer_with_futures(a, b)))
            else:
                b.add_done_callback(on_done)
        await asyncio.sleep(0)  # every answering task is waiting for its commit
        for a, b in pairs:  # the commit
            a.set_result(1)
            b.set_result(2)
        if tasks:
            await asyncio.gather(*tasks)
        else:
            await asyncio.sleep(0)
    return (time.process_time() - started) / (ROUNDS * MESSAGES) * 1e6


async def _main() -> None:
    print(f"event loop: {loop_name()}")
    for variant in ("tasks", "futures", "callbacks"):
        print(f"{variant:>9}: {await _measure(variant):6.1f} us per answered message")


def main() -> None:
    run(_main())


if __name__ == "__main__":
    main()
