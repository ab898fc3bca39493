"""``chargebridge station add|list|show|remove``: the stations allowed to connect (on the database
directly, like the API's admin routes; a running server sees the change at once)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from chargebridge.cli_common import (
    ApiError,
    DatabaseUrl,
    DataDir,
    api_client,
    api_result,
    console,
    fail,
    settings_from,
    with_store,
)
from chargebridge.gateway.station_ids import InvalidStationId, validate_station_id
from chargebridge.security.cli import station_profile_for
from chargebridge.security.profiles import effective_profile
from chargebridge.security.secrets import hash_password
from chargebridge.services.clock import SystemClock
from chargebridge.store.repository import StationExists, Store

station_app = typer.Typer(help="Register and manage charging stations.", no_args_is_help=True)

StationIdArg = Annotated[str, typer.Argument(help="The station id the charger uses in its URL.")]


def _valid(station_id: str) -> str:
    try:
        validate_station_id(station_id)
    except InvalidStationId as exc:
        raise typer.BadParameter(str(exc)) from exc
    return station_id


def _when(value: Any) -> str:
    return value.isoformat(timespec="seconds") if value is not None else "-"


@station_app.command("add")
def station_add(
    station_id: StationIdArg,
    password: Annotated[str | None, typer.Option(help="HTTP Basic password the station must present.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    profile: Annotated[
        int | None, typer.Option(min=0, max=3, help="Security profile 0-3 (default: 1 with a password, else 0).")
    ] = None,
) -> None:
    """Register a station so it may connect."""
    _valid(station_id)
    try:
        profile = station_profile_for(profile, password)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc

    async def work(store: Store) -> None:
        await store.add_station(
            station_id,
            now=SystemClock().now(),
            password_hash=hash_password(password) if password else None,
            security_profile=profile,
        )

    try:
        asyncio.run(with_store(settings_from(data_dir, database_url), work))
    except StationExists:
        raise fail(f"station {station_id} already exists") from None
    console.print(f"registered station {station_id} (security profile {profile})", highlight=False)


@station_app.command("list")
def station_list(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    search: Annotated[str | None, typer.Option(help="Only ids containing this text.")] = None,
    connected: Annotated[
        bool | None, typer.Option("--connected/--disconnected", help="Only connected (or disconnected) stations.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    api_url: Annotated[
        str | None,
        typer.Option("--api-url", help="Ask a running server's REST API (client SDK) instead of reading the database."),
    ] = None,
    token: Annotated[
        str, typer.Option("--token", envvar="CHARGEBRIDGE_TOKEN", help="An API token (with --api-url).")
    ] = "",
) -> None:
    """List the registered stations (id, OCPP version, connection, vendor and model, last seen)."""
    if api_url is not None:
        rows, total = _remote_stations(api_url, token, search=search, connected=connected, limit=limit)
    else:

        async def work(store: Store) -> tuple[list[dict[str, Any]], int]:
            stations, count = await store.list_stations(limit=limit, connected=connected, search=search)
            for row in stations:
                row["security_profile"] = effective_profile(row["security_profile"], row["password_hash"])
            return stations, count

        rows, total = asyncio.run(with_store(settings_from(data_dir, database_url), work))
    table = Table("id", "ocpp", "connected", "vendor / model", "firmware", "profile", "last seen", box=None)
    for row in rows:
        table.add_row(
            escape(row["id"]),
            row["ocpp_version"] or "-",
            "yes" if row["connected"] else "no",
            escape(" ".join(filter(None, (row["vendor"], row["model"]))) or "-"),
            escape(row["firmware_version"] or "-"),
            str(row["security_profile"]),
            _when(row["last_seen"]),
        )
    console.print(table)
    console.print(f"{len(rows)} of {total} stations", highlight=False)


def _remote_stations(
    api_url: str, token: str, *, search: str | None, connected: bool | None, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """The stations through the client SDK (``GET /api/v1/stations``, page by page)."""
    from chargebridge_client.api.stations import list_stations
    from chargebridge_client.types import UNSET

    if not token:
        raise fail("--api-url needs an API token (--token or CHARGEBRIDGE_TOKEN)")
    rows: list[dict[str, Any]] = []
    total = 0
    with api_client(api_url, token, timeout_s=30) as client:
        while len(rows) < limit:
            try:
                page = api_result(
                    api_url,
                    lambda: list_stations.sync_detailed(
                        client=client,
                        limit=min(1000, limit - len(rows)),
                        offset=len(rows),
                        connected=UNSET if connected is None else connected,
                        q=search or UNSET,
                    ),
                )
            except ApiError as exc:
                raise fail(str(exc)) from None
            total = int(page["total"])
            rows.extend(page["items"])
            if not page["items"] or len(rows) >= total:
                break
    for row in rows:
        row["last_seen"] = datetime.fromisoformat(row["last_seen"]) if row["last_seen"] else None
    return rows, total


@station_app.command("show")
def station_show(station_id: StationIdArg, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Everything stored about one station: identity, connection, connectors, active faults, clock."""

    async def work(store: Store) -> tuple[dict[str, Any] | None, list[dict[str, Any]], list[dict[str, Any]]]:
        row = await store.get_station(station_id)
        if row is None:
            return None, [], []
        connectors = (await store.connectors_of([station_id]))[station_id]
        faults = (await store.faults_of([station_id]))[station_id]
        return row, connectors, faults

    row, connectors, faults = asyncio.run(with_store(settings_from(data_dir, database_url), work))
    if row is None:
        raise fail(f"no station {station_id}")
    profile = effective_profile(row["security_profile"], row["password_hash"])
    skew = row.get("clock_skew_s")
    facts = [
        ("OCPP version", row["ocpp_version"]),
        ("connected", "yes" if row["connected"] else "no"),
        ("vendor", row["vendor"]),
        ("model", row["model"]),
        ("serial number", row["serial_number"]),
        ("firmware", row["firmware_version"]),
        ("registration", row["registration_status"]),
        ("boot status", row["boot_status"]),
        ("security profile", f"{profile}{' (no authentication)' if profile == 0 else ''}"),
        ("last boot", _when(row["last_boot_at"])),
        ("last seen", _when(row["last_seen"])),
        ("clock", f"{skew:+.0f} s off the server's ({_when(row['clock_skew_at'])})" if skew is not None else "in time"),
        ("registered", _when(row["created_at"])),
    ]
    console.print(f"[bold]{escape(station_id)}[/bold]")
    for name, value in facts:
        console.print(f"  {name:17} {escape(str(value or '-'))}", highlight=False)
    for conn in connectors:
        error = f" ({conn['error_code']})" if conn["error_code"] and conn["error_code"] != "NoError" else ""
        console.print(
            f"  EVSE {conn['evse_id']} connector {conn['connector_id']}: {conn['status']}{escape(error)}",
            highlight=False,
        )
    for fault in faults:
        console.print(
            f"  [red]fault[/red] {escape(fault['code'])} ({fault['source']}) since {_when(fault['raised_at'])}",
            highlight=False,
        )


@station_app.command("remove")
def station_remove(
    station_id: StationIdArg,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask.")] = False,
) -> None:
    """Remove a station (its connectors and faults; its transactions stay). It can no longer connect
    unless the server registers unknown ids (--auto-register)."""
    if not yes:
        typer.confirm(f"remove station {station_id}?", abort=True)

    async def work(store: Store) -> bool:
        return await store.delete_station(station_id)

    if not asyncio.run(with_store(settings_from(data_dir, database_url), work)):
        raise fail(f"no station {station_id}")
    console.print(f"removed station {station_id}", highlight=False)
