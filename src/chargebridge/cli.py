"""The ``chargebridge`` command line."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from chargebridge.config import Settings
from chargebridge.gateway.station_ids import InvalidStationId, validate_station_id
from chargebridge.security.cli import ca_app, station_profile_for
from chargebridge.security.logfilter import install_log_redaction
from chargebridge.security.secrets import hash_api_token, hash_password, new_api_token
from chargebridge.security.store import SecurityStore
from chargebridge.services.clock import SystemClock
from chargebridge.store.repository import StationExists, Store

app = typer.Typer(
    help="chargebridge: connect EV chargers (OCPP 1.6J / 2.0.1) to the systems around them.", no_args_is_help=True
)
station_app = typer.Typer(help="Register and manage charging stations.", no_args_is_help=True)
token_app = typer.Typer(help="Operator API tokens.", no_args_is_help=True)
app.add_typer(station_app, name="station")
app.add_typer(token_app, name="token")
app.add_typer(ca_app, name="ca")
console = Console()

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Directory for the SQLite database and data files.")]
DatabaseUrl = Annotated[
    str | None, typer.Option("--database-url", help="e.g. postgresql+asyncpg://user@host/db (default: SQLite)")
]


def _settings(data_dir: Path | None, database_url: str | None, **extra: object) -> Settings:
    """Flags that were given override CHARGEBRIDGE_* environment variables, which override defaults."""
    given = {"data_dir": data_dir, "database_url": database_url, **extra}
    return Settings(**{key: value for key, value in given.items() if value is not None})  # type: ignore[arg-type]


async def _with_store(settings: Settings) -> Store:
    return await Store.open(settings.resolved_database_url())


def configure_logging(level: str) -> None:
    """The process log: one stderr handler on the root logger, with credentials redacted from every
    record (the ``websockets`` debug log shows each handshake header, ``Authorization`` included)."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_redaction()


def _run_until_signal() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    return stop


@app.command()
def serve(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    host: Annotated[str | None, typer.Option(help="Address to listen on [default: 127.0.0.1].")] = None,
    ocpp_port: Annotated[int | None, typer.Option(help="OCPP WebSocket port [default: 9000].")] = None,
    http_port: Annotated[int | None, typer.Option(help="REST API port [default: 8000].")] = None,
    auto_register: Annotated[
        bool | None, typer.Option("--auto-register/--no-auto-register", help="Accept and register unknown ids.")
    ] = None,
    heartbeat_interval: Annotated[int | None, typer.Option(help="Heartbeat interval for stations (s).")] = None,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning, error [default: info]")] = None,
    ocpp_tls_port: Annotated[int | None, typer.Option(help="OCPP over TLS (wss) port, profiles 2 and 3.")] = None,
    tls_cert_file: Annotated[Path | None, typer.Option(help="Server certificate (PEM, ECDSA or RSA).")] = None,
    tls_key_file: Annotated[Path | None, typer.Option(help="Its private key (PEM).")] = None,
    tls_rsa_cert_file: Annotated[Path | None, typer.Option(help="A second, RSA server certificate.")] = None,
    tls_rsa_key_file: Annotated[Path | None, typer.Option(help="Its private key (PEM).")] = None,
    tls_ca_file: Annotated[Path | None, typer.Option(help="CA for station client certificates (profile 3).")] = None,
    ca_key_file: Annotated[
        Path | None, typer.Option(help="Key of that CA: signs station CSRs (SignCertificate), see certificates.md.")
    ] = None,
    require_security: Annotated[
        bool | None, typer.Option("--require-security/--allow-profile-0", help="Refuse profile 0 stations.")
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Load balancer address or network whose X-Forwarded-For / PROXY header names the client (repeat).",
        ),
    ] = None,
    proxy_protocol: Annotated[
        bool | None,
        typer.Option(
            "--proxy-protocol/--no-proxy-protocol", help="Trusted proxies send a PROXY protocol v1/v2 header."
        ),
    ] = None,
    config: Annotated[Path | None, typer.Option("--config", help="Integrations config file (TOML).")] = None,
) -> None:
    """Run the OCPP gateway and the REST API in one process."""
    settings = _settings(
        data_dir,
        database_url,
        host=host,
        ocpp_port=ocpp_port,
        http_port=http_port,
        auto_register=auto_register,
        heartbeat_interval_s=heartbeat_interval,
        log_level=log_level,
        ocpp_tls_port=ocpp_tls_port,
        tls_cert_file=tls_cert_file,
        tls_key_file=tls_key_file,
        tls_rsa_cert_file=tls_rsa_cert_file,
        tls_rsa_key_file=tls_rsa_key_file,
        tls_ca_file=tls_ca_file,
        ca_key_file=ca_key_file,
        require_security=require_security,
        trusted_proxies=trusted_proxy or None,
        proxy_protocol=proxy_protocol,
        config_file=config,
    )
    from chargebridge.integrations.config import ConfigError, config_from_settings

    try:  # a bad integrations file stops here, naming the bad keys
        config_from_settings(settings)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config / CHARGEBRIDGE_CONFIG_FILE") from exc
    configure_logging(settings.log_level)
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    from chargebridge.app import Chargebridge, tune_gc_for_serving

    node = Chargebridge(settings)
    running = await node.start()
    tune_gc_for_serving()
    console.print(f"OCPP gateway  ws://{settings.host}:{running.ocpp_port}/ocpp/{{station_id}}")
    if node.gateway is not None and node.gateway.tls_port is not None:
        console.print(f"OCPP over TLS wss://{settings.host}:{node.gateway.tls_port}/ocpp/{{station_id}}")
    console.print(f"REST API      http://{settings.host}:{running.http_port}/api/v1  (docs: /docs)")
    if node.unauthenticated_warning:
        console.print(escape(node.unauthenticated_warning), style="bold red", highlight=False)
    stop = _run_until_signal()
    await stop.wait()
    await node.stop()


@station_app.command("add")
def station_add(
    station_id: Annotated[str, typer.Argument(help="The station id the charger uses in its URL.")],
    password: Annotated[str | None, typer.Option(help="HTTP Basic password the station must present.")] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    profile: Annotated[
        int | None, typer.Option(min=0, max=3, help="Security profile 0-3 [default: 1 with a password, else 0].")
    ] = None,
) -> None:
    """Register a station so it may connect."""
    try:
        validate_station_id(station_id)
        profile = station_profile_for(profile, password)
    except (InvalidStationId, ValueError) as exc:
        raise typer.BadParameter(str(exc)) from exc

    async def run() -> None:
        store = await _with_store(_settings(data_dir, database_url))
        try:
            await store.add_station(
                station_id,
                now=SystemClock().now(),
                password_hash=hash_password(password) if password else None,
                security_profile=profile,
            )
        except StationExists:
            console.print(f"[red]station {station_id} already exists[/red]")
            raise typer.Exit(1) from None
        finally:
            await store.close()
        console.print(f"registered station {station_id} (security profile {profile})")

    asyncio.run(run())


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin, operator or viewer")] = "admin",
    name: Annotated[str | None, typer.Option(help="Who or what the token is for.")] = None,
    expires_in_days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
    station: Annotated[
        list[str] | None,
        typer.Option("--station", help="Limit the token to this station (repeat for several) [default: all]."),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Create an API token; it is printed once, as the last word of the last line."""
    if role not in ("admin", "operator", "viewer"):
        raise typer.BadParameter("role must be admin, operator or viewer")
    stations = sorted(set(station or []))
    for station_id in stations:
        try:
            validate_station_id(station_id)
        except InvalidStationId as exc:
            raise typer.BadParameter(str(exc), param_hint="--station") from exc
    token_id, token = asyncio.run(
        _create_token(_settings(data_dir, database_url), role, name, expires_in_days, stations)
    )
    scope = f" for stations {', '.join(stations)}" if stations else ""
    console.print(f"created {role} token {token_id}{scope}", highlight=False)
    print(f"token: {token}")


async def _create_token(
    settings: Settings, role: str, name: str | None, days: int | None, stations: list[str]
) -> tuple[str, str]:
    store = await _with_store(settings)
    try:
        token_id, token = new_api_token()
        now = SystemClock().now()
        # The token and its stations in one transaction: it never exists unscoped, even for a moment.
        await SecurityStore(store).add_api_token(
            token_id=token_id,
            name=name,
            token_hash=hash_api_token(token),
            role=role,
            now=now,
            expires_at=now + timedelta(days=days) if days else None,
            stations=stations,
        )
        return token_id, token
    finally:
        await store.close()


@token_app.command("list")
def token_list(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """List API tokens (never the secrets)."""

    async def run() -> None:
        store = await _with_store(_settings(data_dir, database_url))
        try:
            for row in await store.list_api_tokens():
                state = "revoked" if row["revoked_at"] else "active"
                stations = await SecurityStore(store).token_stations(row["id"])
                scope = f"  stations: {', '.join(sorted(stations))}" if stations else ""
                console.print(f"{row['id']}  {row['role']:8}  {state:8}  {row['name'] or ''}{scope}", highlight=False)
        finally:
            await store.close()

    asyncio.run(run())


@token_app.command("revoke")
def token_revoke(token_id: str, data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Revoke an API token by its id."""

    async def run() -> bool:
        store = await _with_store(_settings(data_dir, database_url))
        try:
            return await store.revoke_api_token(token_id, SystemClock().now())
        finally:
            await store.close()

    if not asyncio.run(run()):
        console.print(f"[red]no active token {token_id}[/red]")
        raise typer.Exit(1)
    console.print(f"revoked {token_id}")


@app.command()
def migrate(data_dir: DataDir = None, database_url: DatabaseUrl = None) -> None:
    """Create or upgrade the database schema."""

    async def run() -> None:
        store = await _with_store(_settings(data_dir, database_url))
        await store.close()

    asyncio.run(run())
    console.print("database is up to date")


@app.command()
def demo(
    stations: Annotated[int, typer.Option(help="How many simulated stations.")] = 12,
    data_dir: Annotated[Path, typer.Option("--data-dir", help="Directory for the demo database.")] = Path(
        "chargebridge-demo"
    ),
    ocpp_port: Annotated[int, typer.Option(help="OCPP WebSocket port.")] = 9000,
    http_port: Annotated[int, typer.Option(help="REST API / dashboard port.")] = 8000,
    duration: Annotated[float | None, typer.Option(help="Stop after this many seconds.")] = None,
) -> None:
    """Run a server and a small simulated fleet (both OCPP versions) so you can watch it work."""
    from chargebridge.demo import run_demo

    configure_logging("warning")
    asyncio.run(
        run_demo(
            console, stations=stations, data_dir=data_dir, ocpp_port=ocpp_port, http_port=http_port, duration=duration
        )
    )


def _register_optional_commands() -> None:
    try:
        from chargebridge.sim.cli import sim
        from chargebridge.sim.reconcile_cli import reconcile_command
    except ImportError:  # the simulator is part of the package; this only guards partial installs
        return
    app.command("sim", help="Run simulated charging stations against a CSMS.")(sim)
    app.command("reconcile", help="Reconcile a simulator ledger with a CSMS's transactions.")(reconcile_command)


_register_optional_commands()
from chargebridge.firmware.cli import firmware_app  # noqa: E402  (after the commands above: keeps their order)

app.add_typer(firmware_app, name="firmware")
from chargebridge.validation.cli import validate  # noqa: E402  (a client of a node's REST API)

app.command("validate", help="Grade a station's OEM integration level through a node's REST API.")(validate)


def main() -> None:
    app()
