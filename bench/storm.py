"""The reconnect-storm driver: a simulated fleet (chargebridge.sim) that charges, loses its server
and comes back, run as its own process (``python -m bench.storm CONFIG_JSON``).

Protocol with the orchestrator (JSON lines): this process emits ``{"event": "ready"}`` once every
station is connected and booted; the orchestrator then kills and restarts the server and sends
``{"op": "restarted", "at": MONOTONIC}``; this process emits ``{"event": "back"}`` with the
monotonic time at which every station was connected and booted again (or the count reached when
``back_timeout_s`` ran out); on ``{"op": "finish"}`` the fleet stops gracefully (open sessions are
stopped and acknowledged) and the final ``{"event": "result"}`` names the ledger file.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path
from typing import Any

from chargebridge.sim.fleet import Fleet, SimConfig
from chargebridge.sim.station import Behaviour


def emit(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def fleet_config(options: dict[str, Any]) -> SimConfig:
    stations = int(options["stations"])
    return SimConfig(
        url=options["url"],
        stations=stations,
        version="1.6",
        scenario="charging",
        id_prefix=options.get("prefix", "STORM-"),
        connect_concurrency=int(options.get("concurrency", 100)),
        ramp_up_s=stations / float(options.get("ramp_rate", 500.0)),
        time_scale=float(options.get("time_scale", 10.0)),
        seed=int(options.get("seed", 1)),
        meter_interval_s=float(options.get("meter_interval_s", 60.0)),
        behaviour=Behaviour(sessions=True, idle_mean_s=30.0, session_mean_s=300.0),
        ledger=Path(options["ledger"]),
        id_tokens=tuple(options.get("id_tokens", ())),
        backoff_minimum_s=float(options.get("backoff_minimum_s", 1.0)),
        backoff_random_range_s=float(options.get("backoff_random_range_s", 5.0)),
        backoff_repeat_times=int(options.get("backoff_repeat_times", 3)),
        call_timeout_real_s=30.0,
    )


async def _wait_all(fleet: Fleet, total: int, timeout_s: float) -> tuple[bool, float, int]:
    deadline = time.monotonic() + timeout_s
    while True:
        booted = sum(1 for station in fleet.stations if station.booted and station.connected)
        now = time.monotonic()
        if booted >= total:
            return True, now, booted
        if now >= deadline:
            return False, now, booted
        await asyncio.sleep(0.05)


async def run(options: dict[str, Any]) -> None:
    config = fleet_config(options)
    fleet = Fleet(config)
    stop = asyncio.Event()
    runner = asyncio.create_task(fleet.run(stop))
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    total = config.stations
    ok, at, booted = await _wait_all(fleet, total, float(options.get("ready_timeout_s", 300.0)))
    stats = fleet.stats()
    emit({"event": "ready", "ok": ok, "at": at, "booted": booted, "active_sessions": stats.active_sessions})
    while True:
        line = await reader.readline()
        if not line:
            stop.set()
            await runner
            return
        command = json.loads(line)
        if command["op"] == "restarted":
            # a station notices its server is gone only when it reads the close; wait for the drop
            drop_deadline = time.monotonic() + 30.0
            while fleet.counters.connected >= total and time.monotonic() < drop_deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.01)
            ok, at, booted = await _wait_all(fleet, total, float(options.get("back_timeout_s", 120.0)))
            emit({"event": "back", "ok": ok, "at": at, "booted": booted, "reconnects": fleet.counters.reconnects})
        elif command["op"] == "finish":
            stop.set()
            final = await runner
            emit(
                {
                    "event": "result",
                    "ledger": str(config.ledger),
                    "transactions_started": final.transactions_started,
                    "transactions_completed": final.transactions_completed,
                    "transactions_unacknowledged": final.transactions_unacknowledged,
                    "messages_out": final.messages_out,
                    "errors": final.errors,
                    "call_errors": final.call_errors,
                    "call_timeouts": final.call_timeouts,
                }
            )
            return


def main() -> None:
    from bench.loadgen import raise_fd_limit

    raise_fd_limit()
    asyncio.run(run(json.loads(sys.argv[1])))


if __name__ == "__main__":
    main()
