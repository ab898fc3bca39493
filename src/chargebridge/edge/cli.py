"""``chargebridge edge``: run a site controller, and ``chargebridge edge status`` for the technician.

chargebridge edge --config site.toml --upstream https://cb.example.com
chargebridge edge status --config site.toml       # or --url http://127.0.0.1:8091
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import signal
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from chargebridge.edge.config import EdgeConfigError, load_edge_config

edge_app = typer.Typer(
    help="Edge mode: read field devices on site (Modbus RTU/TCP, CAN) and report to a chargebridge server.",
    invoke_without_command=True,
)
console = Console()
log = logging.getLogger("chargebridge.edge")

ConfigOption = Annotated[Path | None, typer.Option("--config", help="The edge's config file (site.toml).")]


@edge_app.callback()
def edge(
    ctx: typer.Context,
    config: ConfigOption = None,
    upstream: Annotated[
        str | None,
        typer.Option(
            "--upstream", help="nats://... | mqtt://... | https://... (overrides \\[uplink] url of the config file)."
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="debug, info, warning, error")] = "info",
) -> None:
    """Run the edge (without a subcommand), or ask a running one (status)."""
    ctx.obj = {"config": config}
    if ctx.invoked_subcommand is not None:
        return
    if config is None:
        raise typer.BadParameter("give the edge's config file", param_hint="--config")
    try:
        settings = load_edge_config(config, upstream)
    except EdgeConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config / --upstream") from exc
    from chargebridge.cli import configure_logging

    configure_logging(log_level)
    asyncio.run(_run(settings))


async def _run(settings: Any) -> None:
    from chargebridge.edge.runner import EdgeNode

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    node = EdgeNode(settings)
    await node.start()
    console.print(
        f"edge {node.edge_id}: {len(node.devices)} device(s), upstream {settings.uplink.url or '(none)'}, "
        f"status http://{node.status_page.host}:{node.status_page.port}/",
        highlight=False,
    )
    await stop.wait()
    log.warning("stopping")
    try:
        async with asyncio.timeout(10):
            await node.stop()
    except TimeoutError:
        log.error("the edge did not stop within 10 s")


@edge_app.command("status")
def status(
    ctx: typer.Context,
    config: ConfigOption = None,
    url: Annotated[str | None, typer.Option("--url", help="Status page of a running edge.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the raw JSON.")] = False,
) -> None:
    """Show a running edge's devices, uplink and outbox (from its local status page)."""
    config = config or (ctx.obj or {}).get("config")
    if url is None:
        if config is None:
            url = "http://127.0.0.1:8091"
        else:
            try:
                settings = load_edge_config(config)
            except EdgeConfigError as exc:
                raise typer.BadParameter(str(exc), param_hint="--config") from exc
            host = settings.edge.status_host
            host = "127.0.0.1" if host in ("0.0.0.0", "") else ("[::1]" if host == "::" else host)
            url = f"http://{host}:{settings.edge.status_port}"
    try:
        response = httpx.get(url.rstrip("/") + "/status", timeout=5)
        response.raise_for_status()
        data = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        console.print(f"[red]no edge answers at {url}: {exc}[/red]")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(data, indent=1))
        return
    print_status(data)


def print_status(data: dict[str, Any]) -> None:
    uplink, outbox = data.get("uplink", {}), data.get("outbox", {})
    state = "[green]connected[/green]" if uplink.get("connected") else "[red]DOWN[/red]"
    console.print(f"edge {data.get('edge_id')}  version {data.get('version') or '?'}  since {data.get('started_at')}")
    console.print(f"uplink {uplink.get('url')}: {state}  last ack {uplink.get('last_ack_at') or 'never'}")
    if uplink.get("last_error"):
        console.print(f"  last error: {uplink['last_error']}", highlight=False)
    console.print(
        f"outbox: {outbox.get('depth')} waiting, {outbox.get('dropped')} dropped, "
        f"seq {outbox.get('last_seq')} (acknowledged {outbox.get('acked_seq')})"
    )
    table = Table("device", "transport", "where", "reachable", "last good read", "counters", "active faults")
    for d in data.get("devices", []):
        reach = {True: "[green]yes[/green]", False: "[red]NO[/red]", None: "not yet"}[d.get("reachable")]
        table.add_row(
            d.get("name"),
            d.get("transport"),
            d.get("where", ""),
            reach,
            d.get("last_good_read_at") or "-",
            ", ".join(f"{k} {v}" for k, v in d.get("counters", {}).items()),
            "\n".join(f"{k}: {v}" for k, v in d.get("active_faults", {}).items()) or "-",
        )
    console.print(table)
    for name, limit in data.get("limits", {}).items():
        console.print(f"limit {name}: {limit.get('value')} {limit.get('unit')} (set {limit.get('set_at')})")
