"""``chargebridge sim``: run a simulated fleet against a CSMS.

The lead registers it with ``app.command("sim")(sim)``.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chargebridge.sim.fleet import SCENARIOS, Fleet, SimConfig
from chargebridge.sim.live import render, show_live
from chargebridge.sim.profiles import ProfileError, builtin_profile_names
from chargebridge.sim.stats import FleetStats


def sim(
    url: Annotated[str, typer.Option(help="CSMS base URL; the station id is appended as the last path segment.")] = (
        "ws://127.0.0.1:9000/ocpp"
    ),
    stations: Annotated[int, typer.Option(help="Number of simulated stations.")] = 10,
    version: Annotated[str, typer.Option(help="OCPP version: 1.6, 2.0.1 or mixed (alternating).")] = "mixed",
    scenario: Annotated[str, typer.Option(help=f"Scenario: {', '.join(SCENARIOS)}.")] = "charging",
    profile: Annotated[
        Path | None,
        typer.Option(help="Quirk profile TOML file, or a built-in name: " + ", ".join(builtin_profile_names()) + "."),
    ] = None,
    duration: Annotated[float | None, typer.Option(help="Stop after this many real seconds (default: Ctrl+C).")] = None,
    ledger: Annotated[Path | None, typer.Option(help="Append one JSON line per transaction to this file.")] = None,
    time_scale: Annotated[float, typer.Option(help="Simulated seconds per real second.")] = 1.0,
    seed: Annotated[int | None, typer.Option(help="Random seed for a repeatable fleet.")] = None,
    live: Annotated[bool, typer.Option(help="Show a live view of the fleet.")] = True,
    id_prefix: Annotated[str, typer.Option(help="Station ids are this prefix plus a number (SIM-0001).")] = "SIM-",
    id_token: Annotated[
        list[str] | None,
        typer.Option(
            "--id-token",
            help="An id token the CSMS accepts (repeat for several). Without one, stations present random "
            "tags, which a CSMS that knows its tokens refuses: no sessions start.",
        ),
    ] = None,
    password: Annotated[
        str | None,
        typer.Option(
            envvar="CHARGEBRIDGE_SIM_PASSWORD",
            help="HTTP Basic password every station presents (security profiles 1 and 2); a station "
            "told a new one (AuthorizationKey / BasicAuthPassword) reconnects with it.",
        ),
    ] = None,
    iso15118: Annotated[
        bool,
        typer.Option(
            "--iso15118",
            help="2.0.1 stations' EVs speak ISO 15118: they send NotifyEVChargingNeeds when charging starts and "
            "NotifyEVChargingSchedule for the schedule they choose (smart charging K15-K17).",
        ),
    ] = False,
) -> None:
    """Simulate a fleet of OCPP 1.6 / 2.0.1 charging stations."""
    config = SimConfig(
        url=url,
        stations=stations,
        version=version,
        scenario=scenario,
        profile=profile,
        duration=duration,
        ledger=ledger,
        time_scale=time_scale,
        seed=seed,
        id_prefix=id_prefix,
        id_tokens=tuple(id_token or ()),
        password=password,
        iso15118=iso15118,
    )
    console = Console()
    try:
        config.validate()
        fleet = Fleet(config)
    except (ValueError, ProfileError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    stats = asyncio.run(_run(fleet, live=live, console=console))
    console.print(render(stats, title="chargebridge sim: final"))
    if ledger is not None:
        console.print(f"ledger: {len(fleet.ledger)} transactions written to {ledger}")


async def _run(fleet: Fleet, *, live: bool, console: Console) -> FleetStats:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    done = asyncio.Event()
    view = asyncio.create_task(show_live(fleet.stats, done, console=console)) if live else None
    try:
        return await fleet.run(stop)
    finally:
        done.set()
        if view is not None:
            await view
