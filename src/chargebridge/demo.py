"""``chargebridge demo``: a server and a small simulated fleet (both OCPP versions) in one process."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path

from rich.console import Console

from chargebridge.app import Chargebridge, tune_gc_for_serving
from chargebridge.config import Settings
from chargebridge.energy.demo import create_demo_site
from chargebridge.security.secrets import hash_api_token, new_api_token
from chargebridge.sim.fleet import SimConfig, run_fleet, station_id

DEMO_TOKENS = ("DEMO-RFID-1", "DEMO-RFID-2", "DEMO-RFID-3", "DEMO-RFID-4")


async def run_demo(
    console: Console, *, stations: int, data_dir: Path, ocpp_port: int, http_port: int, duration: float | None
) -> None:
    settings = Settings(
        data_dir=data_dir,
        ocpp_port=ocpp_port,
        http_port=http_port,
        auto_register=True,
        heartbeat_interval_s=60,
        log_level="warning",
    )
    node = Chargebridge(settings)
    running = await node.start()
    tune_gc_for_serving()
    assert node.store is not None
    now = node.clock.now()
    token_id, token = new_api_token()
    await node.store.add_api_token(
        token_id=token_id, name="demo", token_hash=hash_api_token(token), role="admin", now=now, expires_at=None
    )
    for value in DEMO_TOKENS:
        await node.store.upsert_id_token(value, status="Accepted", now=now)
    base = f"http://{settings.host}:{running.http_port}"
    site = await create_demo_site(node, [station_id("DEMO-", i, stations) for i in range(1, stations + 1)])
    console.print("[bold green]chargebridge demo[/bold green] is running")
    console.print(f"  OCPP gateway : ws://{settings.host}:{running.ocpp_port}/ocpp/{{station_id}}")
    console.print(f"  dashboard    : {base}/   (sign in with the admin token below)")
    console.print(f"  REST API     : {base}/api/v1   (interactive docs: {base}/docs)")
    console.print(f"  admin token  : {token}")
    console.print(f"  try          : curl -H 'Authorization: Bearer {token}' {base}/api/v1/stations")
    if site is not None:
        console.print(f"  site         : {base}/#/sites/{site[0]}   ({site[1]:g} A grid limit shared by the stations)")
    console.print(f"  simulating {stations} stations (OCPP 1.6 and 2.0.1); Ctrl+C stops")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    config = SimConfig(
        url=f"ws://{settings.host}:{running.ocpp_port}/ocpp",
        stations=stations,
        version="mixed",
        scenario="demo",
        time_scale=10.0,
        meter_interval_s=60.0,
        duration=duration,
        id_tokens=DEMO_TOKENS,
        id_prefix="DEMO-",
    )
    try:
        await run_fleet(config, stop)
    finally:
        await node.stop()
