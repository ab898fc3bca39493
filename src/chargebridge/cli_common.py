"""What the ``chargebridge`` command groups share: the data-dir / database options, the settings
they make, the store, the console, and the hint when a command is about to use a database other
than a running demo's."""

from __future__ import annotations

import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from chargebridge.config import Settings
from chargebridge.store.repository import Store

if TYPE_CHECKING:
    from chargebridge_client import AuthenticatedClient
    from chargebridge_client.types import Response as SdkResponse

T = TypeVar("T")

# Printed lines are never wrapped: a command or a token must be copyable as it is.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Directory for the SQLite database and data files (default: ./chargebridge-data; "
        "env CHARGEBRIDGE_DATA_DIR). The demo uses ./chargebridge-demo.",
        show_default=False,
    ),
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        help="e.g. postgresql+asyncpg://user@host/db (default: SQLite in the data dir; env CHARGEBRIDGE_DATABASE_URL)",
        show_default=False,
    ),
]

# The demo writes this file into its data dir while it runs (see demo.py).
DEMO_MARKER = "demo.json"


def settings_from(data_dir: Path | None, database_url: str | None, **extra: object) -> Settings:
    """Flags that were given override CHARGEBRIDGE_* environment variables, which override defaults."""
    given = {"data_dir": data_dir, "database_url": database_url, **extra}
    return Settings(**{key: value for key, value in given.items() if value is not None})  # type: ignore[arg-type]


def running_demo(near: Path | None = None) -> dict[str, object] | None:
    """The demo running from this directory (its marker file names a live process), if any."""
    marker = (near or Path.cwd()) / "chargebridge-demo" / DEMO_MARKER
    try:
        info = json.loads(marker.read_text())
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info if isinstance(info, dict) else None


def demo_hint(settings: Settings) -> str | None:
    """A warning when this command writes to a fresh default database while a demo runs here
    with another one (a token made there would be refused by the demo)."""
    if settings.database_url:
        return None
    demo = running_demo()
    if demo is None:
        return None
    demo_dir = Path(str(demo.get("data_dir", ""))).resolve()
    if settings.data_dir.resolve() == demo_dir:
        return None
    return (
        f"note: a demo is running with its database in {demo_dir}; this command uses "
        f"{settings.data_dir.resolve()}. Add --data-dir {demo.get('data_dir_arg', demo_dir)} to work on the demo's."
    )


async def open_store(settings: Settings) -> Store:
    hint = demo_hint(settings)
    if hint:
        err_console.print(hint, style="yellow", highlight=False)
    return await Store.open(settings.resolved_database_url())


async def with_store(settings: Settings, work: Callable[[Store], Awaitable[T]]) -> T:
    store = await open_store(settings)
    try:
        return await work(store)
    finally:
        await store.close()


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise."""
    err_console.print(f"[red]{message}[/red]", highlight=False)
    return typer.Exit(1)


class ApiError(Exception):
    """A REST call of a remote command (through the client SDK) that did not succeed: the server
    could not be reached (``status`` None) or answered 4xx/5xx (``status``, the answer's
    ``detail`` in the message)."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def api_client(url: str, token: str, timeout_s: float = 60.0) -> AuthenticatedClient:
    """The client SDK (``chargebridge_client``, docs/sdk.md) on a node's API, with its token."""
    import httpx

    from chargebridge_client import AuthenticatedClient

    return AuthenticatedClient(base_url=url.rstrip("/"), token=token, timeout=httpx.Timeout(timeout_s))


def api_result(url: str, call: Callable[[], SdkResponse[Any]]) -> Any:
    """Run one SDK call and return the answer's JSON (None for an empty body); :class:`ApiError`
    when the server cannot be reached or refuses."""
    import httpx

    try:
        answer = call()
    except httpx.HTTPError as exc:
        raise ApiError(f"cannot reach the server at {url}: {exc}") from None
    status = int(answer.status_code)
    if status >= 400:
        text = answer.content.decode("utf-8", "replace")
        try:
            detail = json.loads(answer.content).get("detail", text)
        except (ValueError, AttributeError):
            detail = text
        raise ApiError(f"{status}: {detail}", status)
    if not answer.content:
        return None
    if answer.headers.get("content-type", "").startswith("application/json"):
        return json.loads(answer.content)
    return answer.content.decode("utf-8", "replace")


def call_api(url: str, token: str, call: Callable[[AuthenticatedClient], SdkResponse[Any]]) -> Any:
    """One SDK call on a running node for a remote command; a one-line error and exit 1 when it
    fails (:func:`fail`)."""
    if not token:
        raise fail("this command is run by the server: give an API token (--token or CHARGEBRIDGE_TOKEN)")
    client = api_client(url, token)
    try:
        with client:
            return api_result(url, lambda: call(client))
    except ApiError as exc:
        raise fail(str(exc)) from None


__all__ = [
    "DEMO_MARKER",
    "ApiError",
    "DataDir",
    "DatabaseUrl",
    "api_client",
    "api_result",
    "call_api",
    "console",
    "demo_hint",
    "err_console",
    "fail",
    "open_store",
    "running_demo",
    "settings_from",
    "with_store",
]
