"""``chargebridge matrix check --requires "2.0.1,advanced-security"``: the procurement check on
the compatibility matrix (its certification records and the validation bench's levels), read
from the database like ``firmware list`` (no server needed).

Exit status: 0 when at least one model/firmware meets the set, 1 when none does, 2 for an
unknown requirement name.
"""

from __future__ import annotations

import asyncio
import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from chargebridge.cli_common import DatabaseUrl, DataDir, console, open_store, settings_from
from chargebridge.firmware.procurement import Procurement
from chargebridge.firmware.requirements import VOCABULARY, UnknownRequirement, parse_requirements
from chargebridge.firmware.store import FirmwareStore
from chargebridge.store.repository import Row
from chargebridge.validation.service import annotate_matrix
from chargebridge.validation.store import ValidationStore

matrix_app = typer.Typer(
    help="The compatibility matrix: certification records and the procurement check.", no_args_is_help=True
)


@matrix_app.command("check")
def check(
    requires: Annotated[
        str,
        typer.Option(
            "--requires",
            help=f"Requirement names separated by commas, of: {', '.join(VOCABULARY)}.",
        ),
    ],
    vendor: Annotated[str | None, typer.Option(help="Only this vendor.")] = None,
    model: Annotated[str | None, typer.Option(help="Only this model.")] = None,
    show_all: Annotated[
        bool, typer.Option("--all", help="Also list the models/firmware that do not meet it, with what they miss.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List the models/firmware that meet a requirement set, with the evidence for each requirement."""
    try:
        wanted = parse_requirements(requires)
    except UnknownRequirement as exc:
        console.print(f"[red]{escape(str(exc))}[/red]", highlight=False)
        raise typer.Exit(2) from None
    if not wanted:
        console.print("[red]--requires names no requirement[/red]")
        raise typer.Exit(2)

    async def run() -> list[dict[str, Any]]:
        store = await open_store(settings_from(data_dir, database_url))
        try:
            validation = ValidationStore(store)

            async def validated(rows: list[Row]) -> None:
                await annotate_matrix(validation, rows)

            return await Procurement(FirmwareStore(store), [validated]).check(wanted, vendor=vendor, model=model)
        finally:
            await store.close()

    items = asyncio.run(run())
    matches = [item for item in items if item["meets"]]
    if as_json:
        others = [item for item in items if not item["meets"]]
        console.print_json(json.dumps({"requires": wanted, "matches": matches, "others": others}))
        raise typer.Exit(0 if matches else 1)
    console.print(f"requires: {', '.join(wanted)}", highlight=False)
    table = Table("vendor", "model", "firmware", "requirement", "evidence", box=None)
    for item in matches:
        for index, name in enumerate(wanted):
            first = index == 0
            table.add_row(
                escape(item["vendor"]) if first else "",
                escape(item["model"]) if first else "",
                escape(item["firmware_version"]) if first else "",
                name,
                escape(item["evidence"][name]),
            )
    if matches:
        console.print(table)
    console.print(f"{len(matches)} of {len(items)} models/firmware meet the requirements", highlight=False)
    if show_all:
        for item in items:
            if not item["meets"]:
                console.print(
                    f"  {escape(item['vendor'])} {escape(item['model'])} {escape(item['firmware_version'])}: "
                    f"missing {', '.join(item['missing'])}",
                    highlight=False,
                )
    raise typer.Exit(0 if matches else 1)
