"""``chargebridge reconcile``: compare a simulator ledger with a CSMS's transactions over its REST API.

Reads every page of ``GET /api/v1/transactions`` and runs :func:`chargebridge.sim.ledger.reconcile`:
nothing the station saw acknowledged may be missing on the server or differ in energy, and the
server may hold nothing for the ledger's stations that the ledger does not know (double counted).
"""

from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from chargebridge.cli_common import ApiError, api_client, api_result
from chargebridge.sim.ledger import read_ledger, reconcile
from chargebridge_client.api.transactions import list_transactions


def fetch_transactions(api: str, token: str, *, page_size: int = 1000, timeout_s: float = 60.0) -> list[dict[str, Any]]:
    """Every transaction on the server, page by page, through the client SDK; :class:`ApiError`
    when the server cannot be reached or refuses."""
    items: list[dict[str, Any]] = []
    with api_client(api, token, timeout_s=timeout_s) as client:
        offset: int | None = 0
        while offset is not None:
            call = partial(list_transactions.sync_detailed, client=client, limit=page_size, offset=offset)
            page = api_result(api, call)
            items += page["items"]
            offset = page.get("next_offset")
    return items


def reconcile_command(
    ledger: Annotated[
        Path, typer.Argument(help="The simulator's ledger (JSON Lines, from chargebridge sim --ledger).")
    ],
    api: Annotated[str, typer.Option(help="The CSMS's REST base URL.")] = "http://127.0.0.1:8000",
    token: Annotated[str, typer.Option(envvar="CHARGEBRIDGE_TOKEN", help="An API token (viewer is enough).")] = "",
    show: Annotated[int, typer.Option(help="List at most this many mismatches.")] = 20,
) -> None:
    """Reconcile a simulator ledger with the server's transactions; exit code 1 on any mismatch."""
    console = Console()
    if not token:
        raise typer.BadParameter("give --token or set CHARGEBRIDGE_TOKEN", param_hint="--token")
    entries = read_ledger(ledger)
    try:
        transactions = fetch_transactions(api, token)
    except ApiError as exc:
        console.print(f"[red]could not read the server's transactions: {exc}[/red]")
        raise typer.Exit(2) from exc
    stations = {entry.station_id for entry in entries}
    theirs = [tx for tx in transactions if tx["station_id"] in stations]
    mismatches = reconcile(entries, theirs)
    acknowledged = [entry for entry in entries if entry.acknowledged]
    summary = Table(title="ledger vs server", show_header=False)
    summary.add_row("ledger transactions", f"{len(entries):,}")
    summary.add_row("  stop acknowledged", f"{len(acknowledged):,}")
    summary.add_row("  stop not acknowledged", f"{len(entries) - len(acknowledged):,}")
    summary.add_row("server transactions (ledger's stations)", f"{len(theirs):,}")
    summary.add_row("energy, acknowledged (kWh)", f"{sum(entry.energy_wh for entry in acknowledged) / 1000:,.3f}")
    kinds = Counter(m.kind for m in mismatches)
    summary.add_row("lost (missing on server)", str(kinds.get("missing_on_server", 0)))
    summary.add_row("double counted (missing in ledger)", str(kinds.get("missing_in_ledger", 0)))
    summary.add_row("value mismatches", str(sum(n for kind, n in kinds.items() if kind.endswith("_wh"))))
    console.print(summary)
    if mismatches:
        table = Table("station", "transaction", "kind", "ledger", "server", title="mismatches")
        for m in mismatches[:show]:
            table.add_row(m.station_id, str(m.transaction_id), m.kind, str(m.ledger), str(m.server))
        console.print(table)
        raise typer.Exit(1)
    console.print("[green]reconciled exactly[/green]")
