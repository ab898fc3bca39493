"""``chargebridge validate STATION_ID``: run the validation bench through a node's REST API and
watch it live (a client like any other, through the client SDK: it needs an operator token).

Exit status: 0 when the station reached the level asked for, 1 when it did not, 2 when the run
was aborted, 3 when the run could not be started or followed.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import attrs
import typer
from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from chargebridge.cli_common import ApiError, api_client, api_result
from chargebridge.validation.report import summary_rows
from chargebridge_client.api.validation import (
    abort_validation_run,
    get_validation_run,
    start_validation_run,
    validation_report_html,
)
from chargebridge_client.models import RunBody

if TYPE_CHECKING:
    from chargebridge_client import AuthenticatedClient

_STYLE = {"passed": "green", "failed": "bold red", "skipped": "yellow"}


def progress(view: dict[str, Any]) -> Group:
    """The live view: header, the prompt for the person at the station, the cases."""
    header = Text.assemble(
        ("Validating ", "bold"),
        (str(view["station_id"]), "bold cyan"),
        f"  OCPP {view.get('ocpp_version')}  level asked: {view['level_requested']}  reached so far: ",
        (str(view["level_reached"]), "bold"),
        f"  [{view['status']}{', ' + str(view.get('phase')) if view['status'] == 'running' else ''}]",
    )
    parts: list[Any] = [header]
    prompt = view.get("prompt")
    if prompt:
        parts.append(
            Panel(
                Text(str(prompt["text"]), style="bold"),
                title="ACTION NEEDED AT THE STATION",
                border_style="bold yellow",
            )
        )
    table = Table(expand=True, show_lines=False)
    table.add_column("Level", width=9)
    table.add_column("Case")
    table.add_column("Result", width=9)
    table.add_column("Verdict", ratio=2)
    for case in view.get("cases", []):
        result = str(case["result"])
        table.add_row(case["level"], case["name"], Text(result, style=_STYLE.get(result, "")), escape(case["reason"]))
    current = view.get("current_case")
    for case in view.get("pending_cases", []):
        running = case["id"] == current
        table.add_row(
            case["level"],
            Text(case["name"], style="bold" if running else "dim"),
            Text("running" if running else "pending", style="cyan" if running else "dim"),
            "",
        )
    parts.append(table)
    if view.get("reason"):
        parts.append(Text(f"Aborted: {view['reason']}", style="bold red"))
    return Group(*parts)


def summary_table(view: dict[str, Any]) -> Table:
    table = Table(title="Validation summary", show_header=False)
    table.add_column("Item", style="bold")
    table.add_column("Value")
    for key, value in summary_rows(view):
        table.add_row(key, escape(value))
    return table


def exit_code(view: dict[str, Any]) -> int:
    if view["status"] == "aborted":
        return 2
    return 0 if view["level_reached"] == view["level_requested"] else 1


def validate(
    station_id: Annotated[str, typer.Argument(help="The station to validate (it must be connected).")],
    api: Annotated[str, typer.Option("--api", envvar="CHARGEBRIDGE_API", help="The node's HTTP API base URL.")] = (
        "http://127.0.0.1:8000"
    ),
    token: Annotated[
        str, typer.Option("--token", envvar="CHARGEBRIDGE_TOKEN", help="An API token with the operator role.")
    ] = "",
    level: Annotated[str, typer.Option("--level", help="basic, standard or advanced.")] = "advanced",
    html: Annotated[Path | None, typer.Option("--html", help="Write the HTML report here.")] = None,
    json_file: Annotated[Path | None, typer.Option("--json", help="Write the JSON report here.")] = None,
    manual_step_timeout: Annotated[
        float, typer.Option("--manual-step-timeout", help="Seconds for each step that needs a person.")
    ] = 300.0,
    response_timeout: Annotated[
        float, typer.Option("--response-timeout", help="Seconds for what the station should do by itself.")
    ] = 30.0,
    setting: Annotated[
        list[str] | None,
        typer.Option("--set", help="Another run setting as NAME=VALUE (see docs/validation.md), repeatable."),
    ] = None,
    poll: Annotated[float, typer.Option(help="Seconds between two looks at the run.")] = 1.0,
) -> None:
    """Grade a station's OEM integration level (Basic / Standard / Advanced) and write the report."""
    console = Console()
    if level not in ("basic", "standard", "advanced"):
        console.print("[red]--level must be basic, standard or advanced[/red]")
        raise typer.Exit(3)
    if not token:
        console.print("[red]an API token is needed (--token or CHARGEBRIDGE_TOKEN)[/red]")
        raise typer.Exit(3)
    body: dict[str, Any] = {
        "level": level,
        "manual_step_timeout_s": manual_step_timeout,
        "response_timeout_s": response_timeout,
    }
    for item in setting or []:
        name, sep, value = item.partition("=")
        if not sep:
            console.print(f"[red]--set {escape(item)}: use NAME=VALUE[/red]")
            raise typer.Exit(3)
        body[name.strip()] = _value(value.strip())
    known = {field.name for field in attrs.fields(RunBody)} - {"additional_properties"}
    unknown = sorted(set(body) - known)
    if unknown:
        console.print(
            f"[red]--set: unknown setting {escape(', '.join(unknown))} (known: {', '.join(sorted(known))})[/red]"
        )
        raise typer.Exit(3)
    try:
        run_body = RunBody.from_dict(body)
    except (TypeError, ValueError) as exc:
        console.print(f"[red]--set: {escape(str(exc))}[/red]")
        raise typer.Exit(3) from None
    with api_client(api, token, timeout_s=30.0) as client:
        try:
            started = api_result(
                api,
                lambda: start_validation_run.sync_detailed(station_id, client=client, body=run_body),
            )
        except ApiError as exc:
            if exc.status is None:
                console.print(f"[red]{escape(str(exc))}[/red]")
            else:
                console.print(f"[red]the run was not started ({escape(str(exc))})[/red]")
            raise typer.Exit(3) from None
        run_id = started["id"]
        console.print(f"Run [bold]{run_id}[/bold] started (Ctrl-C aborts it; the station is put back).")
        view = _follow(client, api, console, run_id, poll)
        console.print(summary_table(view))
        if json_file is not None:
            json_file.write_text(json.dumps(view, indent=1), encoding="utf-8")
            console.print(f"JSON report: {json_file}")
        if html is not None:
            try:
                page = api_result(api, lambda: validation_report_html.sync_detailed(run_id, client=client))
            except ApiError as exc:
                console.print(f"[red]the HTML report could not be read ({escape(str(exc))})[/red]")
                raise typer.Exit(3) from None
            html.write_text(str(page), encoding="utf-8")
            console.print(f"HTML report: {html}")
    raise typer.Exit(exit_code(view))


def _value(text: str) -> Any:
    """NAME=VALUE: numbers and true/false as such, else text."""
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _follow(client: AuthenticatedClient, api: str, console: Console, run_id: str, poll: float) -> dict[str, Any]:
    aborted = False

    def look(evidence: bool) -> dict[str, Any]:
        view: dict[str, Any] = api_result(
            api, lambda: get_validation_run.sync_detailed(run_id, client=client, evidence=evidence)
        )
        return view

    view = look(False)
    with Live(progress(view), console=console, refresh_per_second=4) as live:
        while True:
            try:
                view = look(False)
                live.update(progress(view))
                if view["status"] != "running":
                    return look(True)  # the report with its evidence
                time.sleep(poll)
            except KeyboardInterrupt:
                if aborted:
                    raise
                aborted = True
                api_result(api, lambda: abort_validation_run.sync_detailed(run_id, client=client))
                console.print("[yellow]Aborting: the station is being put back (Ctrl-C again to leave)...[/yellow]")
            except ApiError as exc:
                console.print(f"[yellow]lost the API ({escape(str(exc))}); retrying[/yellow]")
                time.sleep(max(poll, 1.0))
