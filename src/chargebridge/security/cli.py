"""``chargebridge ca ...``: create or import a CA, issue the server and station certificates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from chargebridge.gateway.station_ids import InvalidStationId, validate_station_id
from chargebridge.security.ca import KeyType, create_ca, issue_server_certificate, issue_station_certificate, load_ca
from chargebridge.security.secrets import check_station_password

ca_app = typer.Typer(help="Certificate authority for TLS (security profiles 2 and 3).", no_args_is_help=True)
console = Console()

CaDir = Annotated[Path, typer.Option("--dir", help="Directory for the CA and certificates.")]


def _key_type(name: str) -> KeyType:
    if name == "ec":
        return "ec"
    if name == "rsa":
        return "rsa"
    raise typer.BadParameter("key type must be ec or rsa")


def station_profile_for(profile: int | None, password: str | None) -> int:
    """The profile of a newly added station: 1 with a password unless told; checks the password rule."""
    chosen = profile if profile is not None else (1 if password else 0)
    if chosen in (1, 2):
        if not password:
            raise ValueError(f"security profile {chosen} needs --password")
        check_station_password(password)
    elif password:
        check_station_password(password)  # kept for a later 3 -> 2 downgrade
    return chosen


@ca_app.command("init")
def ca_init(
    directory: CaDir = Path("chargebridge-ca"),
    host: Annotated[
        list[str] | None, typer.Option("--host", help="Server host name or address (repeat); the first is the CN.")
    ] = None,
    import_cert: Annotated[Path | None, typer.Option(help="Use this CA certificate (PEM) instead of a new CA.")] = None,
    import_key: Annotated[Path | None, typer.Option(help="The imported CA's private key (PEM, unencrypted).")] = None,
    key_type: Annotated[str, typer.Option(help="ec or rsa, for a new CA.")] = "ec",
    force: Annotated[bool, typer.Option(help="Overwrite existing files.")] = False,
) -> None:
    """Create a CA (or import one) and issue server certificates (ECDSA and RSA) signed by it."""
    if (import_cert is None) != (import_key is None):
        raise typer.BadParameter("give both --import-cert and --import-key")
    ca_cert, ca_key = directory / "ca.pem", directory / "ca-key.pem"
    if ca_cert.exists() and not force and import_cert is None:
        console.print(f"[red]{ca_cert} exists; use --force to replace it[/red]")
        raise typer.Exit(1)
    if import_cert is not None and import_key is not None:
        ca = load_ca(import_cert, import_key)
    else:
        ca = create_ca(key_type=_key_type(key_type))
    ca.write(ca_cert, ca_key)
    hosts = host or ["localhost", "127.0.0.1"]
    issue_server_certificate(ca, hosts, key_type="ec").write(directory / "server.pem", directory / "server-key.pem")
    issue_server_certificate(ca, hosts, key_type="rsa").write(
        directory / "server-rsa.pem", directory / "server-rsa-key.pem"
    )
    console.print(f"CA and server certificates for {', '.join(hosts)} in {directory}", highlight=False)
    console.print(
        f"serve with: --ocpp-tls-port 9443 --tls-cert-file {directory / 'server.pem'} "
        f"--tls-key-file {directory / 'server-key.pem'} --tls-rsa-cert-file {directory / 'server-rsa.pem'} "
        f"--tls-rsa-key-file {directory / 'server-rsa-key.pem'} --tls-ca-file {ca_cert}",
        highlight=False,
        soft_wrap=True,
    )


@ca_app.command("issue-station")
def ca_issue_station(
    station_id: Annotated[str, typer.Argument(help="The station id; it becomes the certificate's CN.")],
    directory: CaDir = Path("chargebridge-ca"),
    days: Annotated[int, typer.Option(min=1, max=3650, help="Validity in days.")] = 365,
    key_type: Annotated[str, typer.Option(help="ec or rsa.")] = "ec",
) -> None:
    """Issue a client certificate for a station at security profile 3."""
    try:
        validate_station_id(station_id)
    except InvalidStationId as exc:
        raise typer.BadParameter(str(exc)) from exc
    ca = load_ca(directory / "ca.pem", directory / "ca-key.pem")
    now = datetime.now(UTC)
    issued = issue_station_certificate(
        ca,
        station_id,
        key_type=_key_type(key_type),
        not_before=now - timedelta(minutes=5),
        not_after=now + timedelta(days=days),
    )
    issued.write(directory / f"station-{station_id}.pem", directory / f"station-{station_id}-key.pem")
    console.print(f"issued {directory / f'station-{station_id}.pem'}", highlight=False)
