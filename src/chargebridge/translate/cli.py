"""``chargebridge gateway``: run the translating gateway (see docs/gateway.md)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from urllib.parse import urlparse

import typer
from rich.console import Console

from chargebridge import eventloop
from chargebridge.config import Settings
from chargebridge.gateway.server import GatewaySettings
from chargebridge.integrations.config import ConfigError
from chargebridge.rpc import OcppVersion
from chargebridge.security.settings import gateway_security_settings
from chargebridge.translate.config import TranslatorConfig, load_translator_config
from chargebridge.translate.upstream import UpstreamSettings

if TYPE_CHECKING:
    from chargebridge.translate.service import TranslatorSettings

console = Console()


def _upstream_url(value: str) -> str:
    parsed = urlparse(value)
    if parsed.scheme not in ("ws", "wss") or not parsed.hostname:
        raise typer.BadParameter(
            "give a ws:// or wss:// URL, e.g. ws://csms.example:9000/ocpp", param_hint="--upstream"
        )
    return value.rstrip("/")


def gateway_command(
    upstream: Annotated[
        str, typer.Option("--upstream", help="The CSMS to connect each station to: ws[s]://HOST:PORT/PATH.")
    ],
    upstream_version: Annotated[
        str, typer.Option("--upstream-version", help="The OCPP version the upstream speaks: 2.0.1 or 1.6.")
    ],
    host: Annotated[str | None, typer.Option(help="Address stations connect to [default: 127.0.0.1].")] = None,
    ocpp_port: Annotated[int | None, typer.Option(help="OCPP WebSocket port for stations [default: 9000].")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Directory for the SQLite database.")] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="Gateway config file (TOML), see docs/gateway.md.")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="e.g. postgresql+asyncpg://user@host/db (default: SQLite)")
    ] = None,
    http_port: Annotated[
        int | None, typer.Option(help="Port of /metrics and /api/v1/gateway/stations [default: none].")
    ] = None,
    auto_register: Annotated[
        bool | None, typer.Option("--auto-register/--no-auto-register", help="Accept and register unknown ids.")
    ] = None,
    ocpp_tls_port: Annotated[int | None, typer.Option(help="OCPP over TLS (wss) port, profiles 2 and 3.")] = None,
    tls_cert_file: Annotated[Path | None, typer.Option(help="Server certificate (PEM).")] = None,
    tls_key_file: Annotated[Path | None, typer.Option(help="Its private key (PEM).")] = None,
    tls_ca_file: Annotated[Path | None, typer.Option(help="CA for station client certificates (profile 3).")] = None,
    require_security: Annotated[
        bool | None, typer.Option("--require-security/--allow-profile-0", help="Refuse profile 0 stations.")
    ] = None,
    log_level: Annotated[str | None, typer.Option(help="debug, info, warning, error [default: info]")] = None,
) -> None:
    """Translate between OCPP 1.6 stations and a 2.0.1 CSMS (or 2.0.1 stations and a 1.6 CSMS)."""
    try:
        version = OcppVersion(upstream_version)
    except ValueError as exc:
        raise typer.BadParameter("2.0.1 or 1.6", param_hint="--upstream-version") from exc
    url = _upstream_url(upstream)
    given = {
        "data_dir": data_dir,
        "database_url": database_url,
        "host": host,
        "ocpp_port": ocpp_port,
        "http_port": http_port,
        "auto_register": auto_register,
        "ocpp_tls_port": ocpp_tls_port,
        "tls_cert_file": tls_cert_file,
        "tls_key_file": tls_key_file,
        "tls_ca_file": tls_ca_file,
        "require_security": require_security,
        "log_level": log_level,
    }
    settings = Settings(**{k: v for k, v in given.items() if v is not None})  # type: ignore[arg-type]
    try:
        translator_config = load_translator_config(config)
        security = gateway_security_settings(settings)
    except (ConfigError, ValueError) as exc:
        raise typer.BadParameter(str(exc), param_hint="--config") from exc
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    eventloop.run(_run(settings, url, version, translator_config, security, http_port), settings.event_loop)


def translator_settings(
    settings: Settings, url: str, version: OcppVersion, security: dict[str, object], http_port: int | None
) -> TranslatorSettings:
    from chargebridge.translate.service import TranslatorSettings

    preferred = (version.subprotocol, *(s.subprotocol for s in OcppVersion if s is not version))
    stations = GatewaySettings(
        host=settings.host,
        port=settings.ocpp_port,
        auto_register=settings.auto_register,
        max_frame_bytes=settings.max_frame_bytes,
        call_timeout_s=settings.call_timeout_s,
        ping_interval_s=settings.ping_interval_s,
        ping_timeout_s=settings.ping_interval_s / 2,
        open_timeout_s=settings.handshake_timeout_s,
        subprotocols=preferred,
        **security,  # type: ignore[arg-type]
    )
    return TranslatorSettings(
        upstream=UpstreamSettings(
            url=url,
            version=version,
            ping_interval_s=settings.ping_interval_s,
            max_frame_bytes=settings.max_frame_bytes,
        ),
        stations=stations,
        database_url=settings.resolved_database_url(),
        http_port=http_port,
    )


async def _run(
    settings: Settings,
    url: str,
    version: OcppVersion,
    config: TranslatorConfig,
    security: dict[str, object],
    http_port: int | None,
) -> None:
    from chargebridge.app import tune_gc_for_serving
    from chargebridge.cli import ShutdownSignals
    from chargebridge.translate.service import TranslatingGateway

    # Before anything starts: a SIGTERM during start-up is not lost (see chargebridge serve).
    signals = ShutdownSignals(settings.shutdown_timeout_s)
    run_settings = translator_settings(settings, url, version, security, http_port)
    gateway = TranslatingGateway(run_settings, config)
    port = await gateway.start()
    tune_gc_for_serving()
    console.print(f"stations   ws://{settings.host}:{port}/ocpp/{{station_id}}")
    if gateway.gateway is not None and gateway.gateway.tls_port is not None:
        console.print(f"           wss://{settings.host}:{gateway.gateway.tls_port}/ocpp/{{station_id}}")
    console.print(f"upstream   {url}/{{station_id}} (OCPP {version.value})")
    if gateway.http_port is not None:
        console.print(f"metrics    http://{settings.host}:{gateway.http_port}{config.metrics.path}")
    await signals.requested.wait()
    signals.arm_watchdog()
    await gateway.stop()
