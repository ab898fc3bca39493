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

from chargebridge.sim.firmware import FirmwareBatch, FirmwareFault
from chargebridge.sim.fleet import SCENARIOS, Fleet, SimConfig
from chargebridge.sim.live import render, show_live
from chargebridge.sim.profiles import ProfileError, builtin_profile_names
from chargebridge.sim.stats import FleetStats

NO_TOKEN_NOTE = (
    "note: no --id-token given: stations present random tags, which a CSMS that knows its id tokens refuses, "
    "so no session starts there (pass --id-token with a registered token; the demo's are DEMO-RFID-1..4)"
)


def parse_batch(text: str) -> FirmwareBatch:
    """``HW_REVISION`` or ``HW_REVISION=FAULT``."""
    revision, _, fault = text.partition("=")
    if not revision.strip():
        raise ValueError(f"{text!r}: name the hardware revision (e.g. rev-b or rev-b=boot_loop)")
    if not fault:
        return FirmwareBatch(revision.strip())
    try:
        return FirmwareBatch(revision.strip(), FirmwareFault(fault.strip()))
    except ValueError:
        known = ", ".join(f.value for f in FirmwareFault)
        raise ValueError(f"{text!r}: unknown fault {fault!r} (one of {known})") from None


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
    firmware_batch: Annotated[
        list[str] | None,
        typer.Option(
            "--firmware-batch",
            help="A hardware batch, HW_REVISION or HW_REVISION=FAULT (repeat; stations are dealt out to the batches "
            "in turn). FAULT is how that batch fails a firmware update: "
            + ", ".join(f.value for f in FirmwareFault)
            + ".",
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
    try:
        batches = tuple(parse_batch(text) for text in firmware_batch or ())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--firmware-batch") from exc
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
        firmware_batches=batches,
    )
    console = Console(soft_wrap=True)
    try:
        config.validate()
        fleet = Fleet(config)
    except (ValueError, ProfileError) as exc:
        raise typer.BadParameter(str(exc)) from exc
    if not id_token and config.stations and SCENARIOS[config.scenario].sessions:
        console.print(NO_TOKEN_NOTE, style="yellow", highlight=False)
    stats = asyncio.run(_run(fleet, live=live, console=console))
    console.print(render(stats, title="chargebridge sim: final"))
    refused = sum(count for _status, count in stats.authorize_refused)
    if refused and not stats.transactions_started:
        console.print(
            f"no session started: the CSMS refused the id tokens {refused} times "
            + ("(the random tags it does not know). " if not id_token else "(are they registered?). ")
            + "Register one (chargebridge id-token add TOKEN) and pass it: --id-token TOKEN",
            style="yellow",
            highlight=False,
        )
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
