"""``chargebridge id-token add|list|block|remove``: the id tokens (RFID cards, app and remote-start
tokens) stations may charge with. (``chargebridge token`` is for operator API tokens.)

An id token that is not registered is answered ``Invalid``: a remote start with it is accepted
by the station, which then ends the session at once (DeAuthorized). The local authorization
lists of the stations follow these changes (see docs/authorization.md)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from chargebridge.cli_common import DatabaseUrl, DataDir, console, fail, settings_from, with_store
from chargebridge.services.clock import SystemClock
from chargebridge.store.repository import StationExists, Store

id_token_app = typer.Typer(
    help="Id tokens stations may charge with (RFID cards, remote-start tokens). API tokens: `chargebridge token`.",
    no_args_is_help=True,
)

IdTokenArg = Annotated[str, typer.Argument(help="The id token as the station presents it (e.g. an RFID UID).")]


def _check(value: str) -> str:
    if not value or len(value) > 255:
        raise typer.BadParameter("an id token has 1 to 255 characters")
    return value


@id_token_app.command("add")
def id_token_add(
    id_token: IdTokenArg,
    type_: Annotated[
        str | None, typer.Option("--type", help="ISO14443, ISO15693, eMAID, Central, KeyCode, Local, MacAddress ...")
    ] = None,
    group: Annotated[str | None, typer.Option(help="Group id (a parent token) it belongs to.")] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, help="Expire after this many days.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Register an id token as Accepted (it may start sessions)."""
    _check(id_token)
    if type_ is not None and len(type_) > 20:
        raise typer.BadParameter("a type has at most 20 characters", param_hint="--type")
    now = SystemClock().now()
    expires = now + timedelta(days=expires_in_days) if expires_in_days else None

    async def work(store: Store) -> None:
        await store.upsert_id_token(
            id_token, status="Accepted", now=now, type=type_, expires_at=expires, group_id=group, create_only=True
        )

    try:
        asyncio.run(with_store(settings_from(data_dir, database_url), work))
    except StationExists:
        raise fail(f"id token {id_token} already exists (block or remove it first)") from None
    until = f", expires {expires.isoformat(timespec='seconds')}" if expires else ""
    console.print(f"added id token {id_token} (Accepted{until})", highlight=False)


@id_token_app.command("list")
def id_token_list(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    limit: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
) -> None:
    """List the id tokens with their status (Accepted, Blocked, Expired, Invalid) and expiry."""

    async def work(store: Store) -> list[dict[str, Any]]:
        return await store.list_id_tokens(limit=limit)

    rows = asyncio.run(with_store(settings_from(data_dir, database_url), work))
    now = datetime.now(UTC)
    table = Table("id token", "status", "type", "group", "expires", box=None)
    for row in rows:
        status = row["status"]
        if status == "Accepted" and row["expires_at"] is not None and row["expires_at"] <= now:
            status = "Expired"
        expires = row["expires_at"].isoformat(timespec="seconds") if row["expires_at"] else "-"
        kind, group = escape(row["type"] or "-"), escape(row["group_id"] or "-")
        table.add_row(escape(row["id_token"]), status, kind, group, expires)
    console.print(table)
    console.print(f"{len(rows)} id tokens", highlight=False)


@id_token_app.command("block")
def id_token_block(
    id_token: IdTokenArg,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    unblock: Annotated[bool, typer.Option("--unblock", help="Accept it again instead.")] = False,
) -> None:
    """Block an id token (stations are answered Blocked), or accept it again with --unblock."""
    _check(id_token)
    status = "Accepted" if unblock else "Blocked"

    async def work(store: Store) -> bool:
        row = await store.get_id_token(id_token)
        if row is None:
            return False
        await store.upsert_id_token(
            id_token,
            status=status,
            now=SystemClock().now(),
            type=row["type"],
            expires_at=row["expires_at"],
            group_id=row["group_id"],
        )
        return True

    if not asyncio.run(with_store(settings_from(data_dir, database_url), work)):
        raise fail(f"no id token {id_token}")
    console.print(f"id token {id_token} is {status}", highlight=False)


@id_token_app.command("remove")
def id_token_remove(id_token: IdTokenArg, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Remove an id token (stations are then answered Invalid for it)."""

    async def work(store: Store) -> bool:
        return await store.delete_id_token(id_token)

    if not asyncio.run(with_store(settings_from(data_dir, database_url), work)):
        raise fail(f"no id token {id_token}")
    console.print(f"removed id token {id_token}", highlight=False)
