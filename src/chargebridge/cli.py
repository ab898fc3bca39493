"""The ``chargebridge`` command line.

Each command group lives in its own module and is registered here with one line (see the end
of the file); what they share (data-dir and database options, the console) is in cli_common.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import threading
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from chargebridge.cli_common import DatabaseUrl, DataDir, console, err_console, open_store, settings_from
from chargebridge.config import Settings
from chargebridge.gateway.station_ids import InvalidStationId, validate_station_id
from chargebridge.security.cli import ca_app
from chargebridge.security.logfilter import install_log_redaction
from chargebridge.security.secrets import hash_api_token, new_api_token
from chargebridge.security.store import SecurityStore
from chargebridge.services.clock import SystemClock
from chargebridge.store.repository import Store

app = typer.Typer(
    help="chargebridge: connect EV chargers (OCPP 1.6J / 2.0.1) to the systems around them.", no_args_is_help=True
)
token_app = typer.Typer(
    help="Operator API tokens (the id tokens stations charge with: `id-token`).", no_args_is_help=True
)
app.add_typer(token_app, name="token")
app.add_typer(ca_app, name="ca")
log = logging.getLogger("chargebridge")

# Kept for callers of the former names.
_settings = settings_from


async def _with_store(settings: Settings) -> Store:
    return await open_store(settings)


def _default(name: str) -> str:
    """``(default: X; env CHARGEBRIDGE_NAME)`` for a setting (plain parentheses: rich would take
    square brackets for markup and print nothing)."""
    value = Settings.model_fields[name].default
    return f"(default: {value}; env CHARGEBRIDGE_{name.upper()})"


def configure_logging(level: str) -> None:
    """The process log: one stderr handler on the root logger, with credentials redacted from every
    record (the ``websockets`` debug log shows each handshake header, ``Authorization`` included).

    At ``info`` the log says what an operator follows (a station connected or went away, start-up,
    warnings); per-message detail (handshakes, frames, HTTP requests) is at ``debug``."""
    logging.basicConfig(level=level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if level.lower() != "debug":
        for noisy in ("websockets", "websockets.server", "websockets.client", "uvicorn.access", "httpx"):
            logging.getLogger(noisy).setLevel(logging.WARNING)
    install_log_redaction()


# After the drain's time limit, this much more for the last steps before the watchdog ends the process.
HARD_EXIT_MARGIN_S = 3.0


class ShutdownSignals:
    """SIGTERM / SIGINT handling of ``serve``, installed before the node starts.

    The first signal sets :attr:`requested` (the graceful drain starts, or starts as soon as the
    node is up when it came during start-up). From then on a second SIGTERM or SIGINT exits at
    once (status 128 + signal number), in the signal handler itself, so even a loop that no
    longer runs cannot hold it up. :meth:`arm_watchdog`, called when the drain begins, starts a
    thread that ends the process (status 1) if it is still alive ``grace_s + HARD_EXIT_MARGIN_S``
    later: something did not stop, or the interpreter's own exit hangs.
    """

    def __init__(self, grace_s: float):
        self.grace_s = grace_s
        self.requested = asyncio.Event()
        self.signal_name = ""
        self._loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                self._loop.add_signal_handler(sig, self._first, sig)

    def _first(self, sig: signal.Signals) -> None:
        self.signal_name = sig.name
        for other in (signal.SIGINT, signal.SIGTERM):
            self._loop.remove_signal_handler(other)
            signal.signal(other, _exit_now)
        self.requested.set()

    def arm_watchdog(self) -> None:
        watchdog = threading.Timer(self.grace_s + HARD_EXIT_MARGIN_S, _watchdog_exit, (self.grace_s,))
        watchdog.daemon = True
        watchdog.start()


def _exit_now(signum: int, _frame: object) -> None:
    os.write(2, f"{signal.Signals(signum).name} again: exiting at once\n".encode())
    os._exit(128 + signum)


def _watchdog_exit(grace_s: float) -> None:
    os.write(2, f"shutdown did not finish within {grace_s:g} s (+{HARD_EXIT_MARGIN_S:g} s): exiting\n".encode())
    os._exit(1)


def exit_on_startup_error(settings: Settings, problems: list[str]) -> None:
    """Print each problem on one line (no traceback) and exit 1."""
    for problem in problems:
        err_console.print(f"[red]chargebridge: {escape(problem)}[/red]", highlight=False)
    raise typer.Exit(1)


@app.command()
def serve(
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    host: Annotated[
        str | None,
        typer.Option(
            help="Address to listen on "
            + _default("host")
            + ". 127.0.0.1 is reachable from this machine only: a charger on the network cannot connect; "
            "use 0.0.0.0 (or this machine's address) for real chargers.",
            show_default=False,
        ),
    ] = None,
    ocpp_port: Annotated[
        int | None, typer.Option(help="OCPP WebSocket port " + _default("ocpp_port") + ".", show_default=False)
    ] = None,
    http_port: Annotated[
        int | None,
        typer.Option(help="REST API and dashboard port " + _default("http_port") + ".", show_default=False),
    ] = None,
    auto_register: Annotated[
        bool | None,
        typer.Option(
            "--auto-register/--no-auto-register",
            help="Accept and register unknown ids " + _default("auto_register") + ".",
            show_default=False,
        ),
    ] = None,
    heartbeat_interval: Annotated[
        int | None,
        typer.Option(
            help="Heartbeat interval for stations, s " + _default("heartbeat_interval_s") + ".",
            show_default=False,
        ),
    ] = None,
    log_level: Annotated[
        str | None,
        typer.Option(
            help="debug, info, warning, error " + _default("log_level") + "; debug shows every message.",
            show_default=False,
        ),
    ] = None,
    ocpp_tls_port: Annotated[
        int | None,
        typer.Option(help="OCPP over TLS (wss) port, profiles 2 and 3 (default: off).", show_default=False),
    ] = None,
    tls_cert_file: Annotated[
        Path | None, typer.Option(help="Server certificate (PEM, ECDSA or RSA).", show_default=False)
    ] = None,
    tls_key_file: Annotated[Path | None, typer.Option(help="Its private key (PEM).", show_default=False)] = None,
    tls_rsa_cert_file: Annotated[
        Path | None, typer.Option(help="A second, RSA server certificate.", show_default=False)
    ] = None,
    tls_rsa_key_file: Annotated[Path | None, typer.Option(help="Its private key (PEM).", show_default=False)] = None,
    tls_ca_file: Annotated[
        Path | None, typer.Option(help="CA for station client certificates (profile 3).", show_default=False)
    ] = None,
    ca_key_file: Annotated[
        Path | None,
        typer.Option(
            help="Key of that CA: signs station CSRs (SignCertificate), see certificates.md.", show_default=False
        ),
    ] = None,
    require_security: Annotated[
        bool | None,
        typer.Option(
            "--require-security/--allow-profile-0",
            help="Refuse profile 0 stations " + _default("require_security") + ".",
            show_default=False,
        ),
    ] = None,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            "--trusted-proxy",
            help="Load balancer address or network whose X-Forwarded-For / PROXY header names the client (repeat).",
            show_default=False,
        ),
    ] = None,
    proxy_protocol: Annotated[
        bool | None,
        typer.Option(
            "--proxy-protocol/--no-proxy-protocol",
            help="Trusted proxies send a PROXY protocol v1/v2 header " + _default("proxy_protocol") + ".",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Integrations config file, TOML (env CHARGEBRIDGE_CONFIG_FILE).", show_default=False
        ),
    ] = None,
    nats_url: Annotated[
        str | None,
        typer.Option(
            "--nats-url",
            help="Cluster mode: NATS JetStream server(s), nats://HOST:4222 (needs PostgreSQL). See docs/scaling.md.",
        ),
    ] = None,
    node_id: Annotated[
        str | None,
        typer.Option("--node-id", help="Cluster mode: this node's unique name [default: the host name]."),
    ] = None,
) -> None:
    """Run the OCPP gateway, the REST API and the dashboard in one process (one node of a cluster
    with --nats-url).

    Every option is also a CHARGEBRIDGE_* environment variable (docs/configuration.md). By default
    it listens on 127.0.0.1 only: give --host 0.0.0.0 for chargers on the network."""
    settings = settings_from(
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
        nats_url=nats_url,
        node_id=node_id,
    )
    problem = settings.cluster_problem()
    if problem is not None:
        raise typer.BadParameter(problem, param_hint="--nats-url / --database-url")
    from chargebridge.integrations.config import ConfigError, config_from_settings
    from chargebridge.startup import preflight

    if problems := preflight(settings):
        exit_on_startup_error(settings, problems)
    try:  # a bad integrations file stops here, naming the bad keys
        config_from_settings(settings)
    except ConfigError as exc:
        raise typer.BadParameter(str(exc), param_hint="--config / CHARGEBRIDGE_CONFIG_FILE") from exc
    configure_logging(settings.log_level)
    from chargebridge import eventloop

    eventloop.run(_serve(settings), settings.event_loop)


def banner(settings: Settings, ocpp_port: int, http_port: int, tls_port: int | None) -> list[str]:
    """What ``serve`` prints once it listens: where chargers and people connect, and what the
    listen address means for chargers on the network."""
    host = settings.host
    shown = "THIS-MACHINE" if host in ("0.0.0.0", "::") else host
    lines = [f"OCPP gateway  ws://{shown}:{ocpp_port}/ocpp/{{station_id}}"]
    if tls_port is not None:
        lines.append(f"OCPP over TLS wss://{shown}:{tls_port}/ocpp/{{station_id}}")
    lines += [
        f"dashboard     http://{shown}:{http_port}/",
        f"REST API      http://{shown}:{http_port}/api/v1  (docs: http://{shown}:{http_port}/docs)",
    ]
    if host in ("127.0.0.1", "localhost", "::1"):
        lines.append(
            f"listening on {host} only: chargers on the network cannot connect; "
            "give --host 0.0.0.0 (or CHARGEBRIDGE_HOST) to let them"
        )
    return lines


async def _serve(settings: Settings) -> None:
    from chargebridge.app import Chargebridge, tune_gc_for_serving
    from chargebridge.eventloop import loop_name
    from chargebridge.startup import explain

    log.info("event loop: %s", loop_name())

    # Before anything starts: a SIGTERM during start-up is not lost; the node stops once started.
    signals = ShutdownSignals(settings.shutdown_timeout_s)
    node = Chargebridge(settings)
    try:
        running = await node.start()
    except Exception as exc:
        await node.stop()  # what was opened is closed (so a busy port is probed correctly)
        line = explain(exc, settings)
        if line is None:
            raise
        exit_on_startup_error(settings, [line])
    tune_gc_for_serving()
    tls_port = node.gateway.tls_port if node.gateway is not None else None
    for line in banner(settings, running.ocpp_port, running.http_port, tls_port):
        console.print(line, highlight=False)
    if node.cluster is not None:
        console.print(
            f"cluster       node {node.cluster.node} of network {settings.cluster_prefix!r} ({settings.nats_url})",
            highlight=False,
        )
    if node.unauthenticated_warning:
        console.print(escape(node.unauthenticated_warning), style="bold red", highlight=False)
    await signals.requested.wait()
    signals.arm_watchdog()
    limit = settings.shutdown_timeout_s
    log.warning("%s: shutting down within %g s (send it again to exit at once)", signals.signal_name, limit)
    await node.stop(timeout_s=limit)
    log.info("stopped")


@token_app.command("create")
def token_create(
    role: Annotated[str, typer.Option(help="admin, operator or viewer")] = "admin",
    name: Annotated[str | None, typer.Option(help="Who or what the token is for.")] = None,
    expires_in_days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
    station: Annotated[
        list[str] | None,
        typer.Option("--station", help="Limit the token to this station (repeat for several) (default: all)."),
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
    from chargebridge.startup import explain, preflight

    settings = Settings(data_dir=data_dir, ocpp_port=ocpp_port, http_port=http_port)
    if problems := preflight(settings):
        exit_on_startup_error(settings, problems)
    configure_logging("warning")
    try:
        asyncio.run(
            run_demo(
                console,
                stations=stations,
                data_dir=data_dir,
                ocpp_port=ocpp_port,
                http_port=http_port,
                duration=duration,
            )
        )
    except Exception as exc:
        line = explain(exc, settings)
        if line is None:
            raise
        exit_on_startup_error(settings, [line])


def _register_optional_commands() -> None:
    try:
        from chargebridge.sim.cli import sim
        from chargebridge.sim.reconcile_cli import reconcile_command
    except ImportError:  # the simulator is part of the package; this only guards partial installs
        return
    app.command("sim", help="Run simulated charging stations against a CSMS.")(sim)
    from chargebridge.translate.cli import gateway_command

    app.command("gateway", help="Translating gateway: OCPP 1.6 stations on a 2.0.1 CSMS and back.")(gateway_command)
    app.command("reconcile", help="Reconcile a simulator ledger with a CSMS's transactions.")(reconcile_command)


_register_optional_commands()
# Command groups, one line each (imported here, after the commands above: keeps their order in --help).
from chargebridge.cli_stations import station_app  # noqa: E402

app.add_typer(station_app, name="station")
from chargebridge.cli_id_tokens import id_token_app  # noqa: E402

app.add_typer(id_token_app, name="id-token")
from chargebridge.firmware.cli import firmware_app  # noqa: E402

app.add_typer(firmware_app, name="firmware")
from chargebridge.firmware.matrix_cli import matrix_app  # noqa: E402

app.add_typer(matrix_app, name="matrix")
from chargebridge.edge.cli import edge_app  # noqa: E402

app.add_typer(edge_app, name="edge")
from chargebridge.integrations.check import integrations_app  # noqa: E402

app.add_typer(integrations_app, name="integrations")
from chargebridge.validation.cli import validate  # noqa: E402  (a client of a node's REST API)

app.command("validate", help="Grade a station's OEM integration level through a node's REST API.")(validate)


def main() -> None:
    app()
