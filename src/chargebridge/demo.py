"""``chargebridge demo``: a server and a small simulated fleet (both OCPP versions) in one process.

The stations run at real time, so every timestamp they send is the wall clock's (a faster
simulated clock sent times from the future). The id tokens the demo suggests are registered,
so a remote start from the dashboard or the README charges. While it runs, the demo leaves
``demo.json`` in its data directory: ``chargebridge`` commands run from the same directory warn
when they would use another database (cli_common.demo_hint)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from pathlib import Path

from rich.console import Console

from chargebridge.app import Chargebridge, tune_gc_for_serving
from chargebridge.cli_common import DEMO_MARKER
from chargebridge.config import Settings
from chargebridge.energy.demo import create_demo_site
from chargebridge.security.secrets import hash_api_token, new_api_token
from chargebridge.sim.fleet import SimConfig, run_fleet, station_id

DEMO_TOKENS = ("DEMO-RFID-1", "DEMO-RFID-2", "DEMO-RFID-3", "DEMO-RFID-4")
DEMO_PREFIX = "DEMO-"


def cli_name() -> str:
    """How to run ``chargebridge`` from here, as this process was started (e.g. .venv/bin/chargebridge)."""
    argv0 = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if argv0 is None or argv0.name not in ("chargebridge", "chargebridge.exe"):
        return "chargebridge"
    try:
        return str(argv0.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(argv0)


def shown(path: Path) -> str:
    """The data dir as a command line should name it (relative to here when it is below)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve())) or "."
    except ValueError:
        return str(path.resolve())


def demo_lines(base: str, ocpp: str, token: str, data_dir: Path, stations: int) -> list[tuple[str, str]]:
    """(label, text) of what the demo prints: every command complete and runnable as it is."""
    cli = cli_name()
    data = f"--data-dir {shown(data_dir)}"
    first = station_id(DEMO_PREFIX, 1, stations)
    auth = f"-H 'Authorization: Bearer {token}'"
    body = json.dumps({"id_token": DEMO_TOKENS[0], "evse_id": 1})
    start = (
        f"curl {auth} -H 'Content-Type: application/json' -X POST "
        f"{base}/api/v1/stations/{first}/commands/remote-start -d '{body}'"
    )
    return [
        ("OCPP gateway", f"{ocpp}/ocpp/{{station_id}}"),
        ("dashboard", f"{base}/   (sign in with the admin token below)"),
        ("REST API", f"{base}/api/v1   (interactive docs: {base}/docs)"),
        ("admin token", token),
        ("stations", f"{first} .. {station_id(DEMO_PREFIX, stations, stations)} (OCPP 1.6 and 2.0.1)"),
        ("id tokens", ", ".join(DEMO_TOKENS) + " (registered: remote starts with them charge)"),
        ("list stations", f"curl {auth} {base}/api/v1/stations"),
        ("remote start", start),
        ("CLI on the demo", f"{cli} token create --role viewer {data}"),
        ("add id token", f"{cli} id-token add RFID-1 {data}"),
    ]


def write_marker(marker: Path, data_dir: Path, http_port: int, ocpp_port: int) -> None:
    info = {
        "pid": os.getpid(),
        "data_dir": str(data_dir.resolve()),
        "data_dir_arg": shown(data_dir),
        "http_port": http_port,
        "ocpp_port": ocpp_port,
    }
    marker.write_text(json.dumps(info))


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
    try:
        running = await node.start()
    except BaseException:
        await node.stop()
        raise
    marker = data_dir / DEMO_MARKER
    try:
        tune_gc_for_serving()
        assert node.store is not None
        now = node.clock.now()
        token_id, token = new_api_token()
        await node.store.add_api_token(
            token_id=token_id, name="demo", token_hash=hash_api_token(token), role="admin", now=now, expires_at=None
        )
        for value in DEMO_TOKENS:
            await node.store.upsert_id_token(value, status="Accepted", now=now)
        write_marker(marker, data_dir, running.http_port, running.ocpp_port)
        base = f"http://{settings.host}:{running.http_port}"
        ocpp = f"ws://{settings.host}:{running.ocpp_port}"
        site = await create_demo_site(node, [station_id(DEMO_PREFIX, i, stations) for i in range(1, stations + 1)])
        console.print("[bold green]chargebridge demo[/bold green] is running")
        lines = demo_lines(base, ocpp, token, data_dir, stations)
        if site is not None:
            lines.insert(3, ("site", f"{base}/#/sites/{site[0]}   ({site[1]:g} A grid limit shared by the stations)"))
        for label, text in lines:
            # soft_wrap: long lines are printed whole (a wrapped command cannot be copied)
            console.print(f"  {label:15}: {text}", highlight=False, soft_wrap=True, markup=False)
        console.print(f"  simulating {stations} stations at real time; Ctrl+C stops", highlight=False)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, stop.set)
        config = SimConfig(
            url=f"{ocpp}/ocpp",
            stations=stations,
            version="mixed",
            scenario="demo",
            time_scale=1.0,  # real time: the stations' clocks are the wall clock
            meter_interval_s=10.0,
            duration=duration,
            id_tokens=DEMO_TOKENS,
            id_prefix=DEMO_PREFIX,
        )
        await run_fleet(config, stop)
    finally:
        marker.unlink(missing_ok=True)
        await node.stop()
