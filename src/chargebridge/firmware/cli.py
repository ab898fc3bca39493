"""``chargebridge firmware ...``: put an image into the registry from the command line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chargebridge.config import Settings
from chargebridge.firmware.service import FirmwareOptions, Refused, store_image
from chargebridge.firmware.signing import FirmwareSigner
from chargebridge.firmware.store import FirmwareStore
from chargebridge.firmware.uploads import UploadTooLarge, file_chunks, spool
from chargebridge.services.clock import SystemClock
from chargebridge.store.repository import Store

firmware_app = typer.Typer(help="Firmware images (registry).", no_args_is_help=True)
console = Console()


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
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Directory for the database and data.")] = None,
    database_url: Annotated[str | None, typer.Option("--database-url")] = None,
) -> None:
    """Store an image (with its sha256) and sign it with chargebridge's firmware-signing key."""
    given = {"data_dir": data_dir, "database_url": database_url}
    settings = Settings(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
    signature = signature_file.read_text().strip() if signature_file else None
    certificate = certificate_file.read_text() if certificate_file else None

    async def run() -> None:
        store = await Store.open(settings.resolved_database_url())
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
            )
        except Refused as exc:
            console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
        finally:
            await store.close()
        console.print(f"image {row['id']}: {vendor} {', '.join(model)} {version}, sha256 {row['sha256']}")
        console.print(f"signed by {row['signed_by']}")

    asyncio.run(run())
