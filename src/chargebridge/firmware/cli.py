"""``chargebridge firmware ...``: the image registry from the command line, and campaigns.

``upload`` and ``list`` work on the database directly. Campaigns run inside the server (they
send UpdateFirmware to connected stations and follow their progress), so ``campaign ...`` asks
a running server's REST API (``--api-url``, ``--token`` or CHARGEBRIDGE_API_URL /
CHARGEBRIDGE_TOKEN) through the client SDK (``chargebridge_client``, docs/sdk.md)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from chargebridge.cli_common import DatabaseUrl, DataDir, call_api, console, fail, open_store, settings_from
from chargebridge.firmware.service import FirmwareOptions, Refused, store_image
from chargebridge.firmware.signing import FirmwareSigner
from chargebridge.firmware.store import FirmwareStore
from chargebridge.firmware.uploads import UploadTooLarge, file_chunks, spool
from chargebridge.services.clock import SystemClock
from chargebridge_client import AuthenticatedClient
from chargebridge_client.api.firmware import (
    campaign_action,
    campaign_progress,
    create_campaign,
    list_campaigns,
    rollback_campaign,
)
from chargebridge_client.models import CampaignActionAction, CampaignBody, RollbackBody
from chargebridge_client.types import UNSET
from chargebridge_client.types import Response as SdkResponse

firmware_app = typer.Typer(help="Firmware images (registry) and update campaigns.", no_args_is_help=True)
campaign_app = typer.Typer(
    help="Staged firmware campaigns on a running server (through its REST API).", no_args_is_help=True
)
firmware_app.add_typer(campaign_app, name="campaign")


@firmware_app.command("upload")
def upload(
    image: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="The image file.")],
    vendor: Annotated[str, typer.Option(help="Vendor name as the stations report it.")],
    model: Annotated[list[str], typer.Option(help="Model(s) the image is for (repeat the option).")],
    version: Annotated[str, typer.Option(help="The firmware version the stations report after installing it.")],
    hardware_revision: Annotated[
        list[str] | None, typer.Option(help="Hardware revision(s) it is for (repeat; default: any).")
    ] = None,
    notes: Annotated[str | None, typer.Option(help="Release notes.")] = None,
    signature_file: Annotated[
        Path | None, typer.Option(help="OEM signature (base64) to record instead of signing with chargebridge's key.")
    ] = None,
    certificate_file: Annotated[Path | None, typer.Option(help="OEM signing certificate (PEM).")] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="An image of this vendor, version and model exists: store this one in its place."
        ),
    ] = False,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Store an image (with its sha256) and sign it with chargebridge's firmware-signing key."""
    settings = settings_from(data_dir, database_url)
    signature = signature_file.read_text().strip() if signature_file else None
    certificate = certificate_file.read_text() if certificate_file else None

    async def run() -> None:
        store = await open_store(settings)
        try:
            root = settings.data_dir / "firmware"
            (root / "images").mkdir(parents=True, exist_ok=True)
            options = FirmwareOptions(max_image_bytes=settings.firmware_max_image_bytes)
            try:
                spooled = await spool(file_chunks(image), None, root / "incoming", options.max_image_bytes)
            except UploadTooLarge as exc:
                raise Refused(str(exc)) from None
            row = await store_image(
                FirmwareStore(store),
                FirmwareSigner(root / "keys"),
                root / "images",
                SystemClock().now(),
                spooled,
                options,
                vendor=vendor,
                models=model,
                version=version,
                hardware_revisions=hardware_revision or [],
                notes=notes,
                filename=image.name,
                signature=signature,
                signing_certificate=certificate,
                replace=replace,
            )
        except Refused as exc:
            raise fail(str(exc)) from None
        finally:
            await store.close()
        console.print(f"image {row['id']}: {vendor} {', '.join(model)} {version}, sha256 {row['sha256']}")
        console.print(f"signed by {row['signed_by']}")

    asyncio.run(run())


@firmware_app.command("list")
def list_images(
    vendor: Annotated[str | None, typer.Option(help="Only this vendor's images.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """List the images in the registry (id, vendor, models, version, hardware, size, signer)."""

    async def run() -> list[dict[str, Any]]:
        store = await open_store(settings_from(data_dir, database_url))
        try:
            return await FirmwareStore(store).list_images(vendor)
        finally:
            await store.close()

    rows = asyncio.run(run())
    table = Table("id", "vendor", "models", "version", "hardware", "bytes", "signed by", "added", box=None)
    for row in rows:
        table.add_row(
            row["id"],
            escape(row["vendor"]),
            escape(", ".join(row["models"])),
            escape(row["version"]),
            escape(", ".join(row["hardware_revisions"]) or "any"),
            f"{row['size']:,}",
            row["signed_by"] or "-",
            row["created_at"].isoformat(timespec="seconds"),
        )
    console.print(table)
    console.print(f"{len(rows)} images", highlight=False)


# -- campaigns (through a running server's API) ----------------------------------------------

ApiUrl = Annotated[
    str,
    typer.Option("--api-url", envvar="CHARGEBRIDGE_API_URL", help="The server's HTTP address."),
]
Token = Annotated[
    str,
    typer.Option(
        "--token",
        envvar="CHARGEBRIDGE_TOKEN",
        help="An API token (operator or admin; `chargebridge token create`).",
        show_default=False,
    ),
]
CampaignId = Annotated[str, typer.Argument(help="The campaign id (`firmware campaign list`).")]


def _api(url: str, token: str, call: Callable[[AuthenticatedClient], SdkResponse[Any]]) -> Any:
    """One call of the client SDK (chargebridge_client) on the server; the answer's JSON."""
    if not token:
        raise fail("campaigns are run by the server: give an API token (--token or CHARGEBRIDGE_TOKEN)")
    return call_api(url, token, call)


def _show_progress(progress: dict[str, Any]) -> None:
    campaign = progress["campaign"]
    console.print(
        f"[bold]{escape(campaign['name'])}[/bold] {campaign['id']}: {campaign['state']}, image {campaign['image_id']}, "
        f"wave {campaign['current_wave']}",
        highlight=False,
    )
    for wave in progress["waves"]:
        states = ", ".join(f"{state} {count}" for state, count in sorted(wave["states"].items())) or "-"
        console.print(f"  wave {wave['wave']} ({wave['percent']} %): {wave['stations']} stations: {states}")
    for revision, states in sorted(progress["batches"].items()):
        line = ", ".join(f"{state} {count}" for state, count in sorted(states.items()))
        console.print(f"  hardware {escape(revision or 'unknown')}: {line}", highlight=False)


@campaign_app.command("list")
def campaign_list(
    api_url: ApiUrl = "http://127.0.0.1:8000",
    token: Token = "",
    state: Annotated[str | None, typer.Option(help="Only campaigns in this state (draft, running, ...).")] = None,
) -> None:
    """List the campaigns with their state."""
    rows = _api(api_url, token, lambda client: list_campaigns.sync_detailed(client=client, state=state or UNSET))
    table = Table("id", "name", "state", "image", "wave", "created", box=None)
    for row in rows:
        table.add_row(
            row["id"], escape(row["name"]), row["state"], row["image_id"], str(row["current_wave"]), row["created_at"]
        )
    console.print(table)


@campaign_app.command("show")
def campaign_show(campaign_id: CampaignId, api_url: ApiUrl = "http://127.0.0.1:8000", token: Token = "") -> None:
    """A campaign's progress by wave and hardware batch."""
    _show_progress(_api(api_url, token, lambda client: campaign_progress.sync_detailed(campaign_id, client=client)))


@campaign_app.command("create")
def campaign_create(
    name: Annotated[str, typer.Option(help="What the campaign is called.")],
    image: Annotated[str, typer.Option(help="The image id (`firmware list`).")],
    station: Annotated[
        list[str] | None, typer.Option("--station", help="Target only these stations (repeat; default: all that fit).")
    ] = None,
    waves: Annotated[
        str | None, typer.Option(help="Percent of the targets per wave, e.g. 5,25,100 (default: the server's).")
    ] = None,
    start: Annotated[bool, typer.Option("--start", help="Start it at once (else it stays a draft).")] = False,
    override: Annotated[
        bool,
        typer.Option(
            "--override",
            help="Admin only, audited: roll out even where the compatibility matrix or a station's "
            "required profiles refuse this firmware.",
        ),
    ] = False,
    override_reason: Annotated[
        str | None, typer.Option("--override-reason", help="Why the override is needed (kept in the audit log).")
    ] = None,
    api_url: ApiUrl = "http://127.0.0.1:8000",
    token: Token = "",
) -> None:
    """Create a campaign for an image (its stations are chosen by the server: vendor, model, hardware)."""
    body: dict[str, Any] = {"name": name, "image_id": image, "start": start}
    if override:
        body["override"] = True
        if override_reason:
            body["override_reason"] = override_reason
    if station:
        body["target"] = {"station_ids": station}
    if waves:
        try:
            body["waves"] = [float(part) for part in waves.split(",")]
        except ValueError:
            raise typer.BadParameter("waves are numbers separated by commas", param_hint="--waves") from None
    request = CampaignBody.from_dict(body)
    _show_progress(_api(api_url, token, lambda client: create_campaign.sync_detailed(client=client, body=request)))


def _action(action: str) -> None:
    def command(campaign_id: CampaignId, api_url: ApiUrl = "http://127.0.0.1:8000", token: Token = "") -> None:
        row = _api(
            api_url,
            token,
            lambda client: campaign_action.sync_detailed(campaign_id, CampaignActionAction(action), client=client),
        )
        console.print(f"campaign {campaign_id}: {row['state']}", highlight=False)

    command.__doc__ = {
        "start": "Start a draft campaign (its first wave goes out).",
        "pause": "Pause a running campaign (updates already sent go on).",
        "resume": "Resume a paused or halted campaign.",
        "abort": "Abort a campaign (no more updates are sent).",
    }[action]
    campaign_app.command(action)(command)


for _name in ("start", "pause", "resume", "abort"):
    _action(_name)


@campaign_app.command("rollback")
def campaign_rollback(
    campaign_id: CampaignId,
    hardware_revision: Annotated[str | None, typer.Option(help="Only this hardware batch.")] = None,
    api_url: ApiUrl = "http://127.0.0.1:8000",
    token: Token = "",
) -> None:
    """Roll the campaign's updated stations back to their previous firmware."""
    body = RollbackBody(hardware_revision=hardware_revision) if hardware_revision else UNSET
    row = _api(api_url, token, lambda client: rollback_campaign.sync_detailed(campaign_id, client=client, body=body))
    console.print(f"rolling back {json.dumps(row['rolling_back'])} stations", highlight=False)
