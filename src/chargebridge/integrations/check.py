"""``chargebridge integrations check``: validate the integrations TOML file and test each
connection it names (the MQTT broker, every Modbus meter, every CAN bus, every webhook
subscription's host), so a typo or an unreachable broker shows before ``serve`` runs."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, cast
from urllib.parse import urlsplit

import typer
from rich.markup import escape
from rich.table import Table

from chargebridge.cli_common import DatabaseUrl, DataDir, console, fail, settings_from
from chargebridge.integrations.config import ConfigError, IntegrationsConfig, config_from_settings

integrations_app = typer.Typer(help="The integrations config file (TOML).", no_args_is_help=True)


@dataclass(frozen=True, slots=True)
class Check:
    what: str
    ok: bool
    detail: str


async def check_mqtt(config: IntegrationsConfig, timeout_s: float) -> list[Check]:
    if not config.mqtt.enabled:
        return []
    from chargebridge.integrations.mqtt import MqttBridge

    c = config.mqtt
    what = f"mqtt {c.host}:{c.port}"
    bridge = MqttBridge(c)
    try:
        async with asyncio.timeout(timeout_s):
            async with bridge._client():  # the bridge's own client: same TLS, credentials and protocol
                pass
    except TimeoutError:
        return [Check(what, False, f"no answer within {timeout_s:g} s")]
    except Exception as exc:
        return [Check(what, False, f"{type(exc).__name__}: {exc}")]
    return [Check(what, True, "connected")]


async def check_modbus(config: IntegrationsConfig, timeout_s: float) -> list[Check]:
    if not config.modbus.enabled:
        return []
    from chargebridge.integrations.modbus import ModbusMeter, TelemetrySink

    out = []
    for meter_config in config.modbus.meters:
        rtu = meter_config.transport == "rtu"
        target = meter_config.serial_port if rtu else f"{meter_config.host}:{meter_config.port}"
        what = f"modbus meter {meter_config.name} ({meter_config.transport} {target})"
        # Reading registers needs no sink (that is where samples would go).
        meter = ModbusMeter(meter_config, cast(TelemetrySink, None))
        try:
            async with asyncio.timeout(timeout_s):
                words = await meter.read_registers()
            out.append(Check(what, True, f"read {len(words)} registers"))
        except Exception as exc:
            out.append(Check(what, False, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__))
        finally:
            meter._drop_client()
    return out


def check_canbus(config: IntegrationsConfig) -> list[Check]:
    if not config.canbus.enabled:
        return []
    import can

    out = []
    for bus_config in config.canbus.buses:
        what = f"can bus {bus_config.name} ({bus_config.interface} {bus_config.channel})"
        kwargs: dict[str, Any] = {"interface": bus_config.interface, "channel": bus_config.channel}
        if bus_config.bitrate is not None:
            kwargs["bitrate"] = bus_config.bitrate
        try:
            bus = can.Bus(**kwargs)
        except Exception as exc:
            out.append(Check(what, False, f"{type(exc).__name__}: {exc}"))
            continue
        with contextlib.suppress(Exception):
            bus.shutdown()
        out.append(Check(what, True, "opened"))
    return out


async def check_webhooks(config: IntegrationsConfig, urls: list[str], timeout_s: float) -> list[Check]:
    """Each subscription's host answers a TCP connection (nothing is delivered)."""
    if not config.webhooks.enabled:
        return []
    out = []
    for url in urls:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        what = f"webhook {url}"
        try:
            async with asyncio.timeout(timeout_s):
                _reader, writer = await asyncio.open_connection(parts.hostname, port)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            out.append(Check(what, True, f"{parts.hostname}:{port} reachable"))
        except TimeoutError:
            out.append(Check(what, False, f"{parts.hostname}:{port}: no answer within {timeout_s:g} s"))
        except OSError as exc:
            out.append(Check(what, False, f"{parts.hostname}:{port}: {exc.strerror or exc}"))
    return out


async def webhook_urls(settings: Any) -> list[str]:
    """The URLs of the active webhook subscriptions (none when the database cannot be opened)."""
    from sqlalchemy import select

    from chargebridge.integrations.webhook_tables import webhook_subscriptions
    from chargebridge.store.repository import Store

    store = await Store.open(settings.resolved_database_url())
    try:
        async with store.engine.connect() as conn:
            query = select(webhook_subscriptions.c.url).where(webhook_subscriptions.c.enabled.is_(True))
            return [str(row.url) for row in await conn.execute(query)]
    finally:
        await store.close()


async def run_checks(config: IntegrationsConfig, urls: list[str], timeout_s: float) -> list[Check]:
    sections = [
        name
        for name in ("metrics", "exports", "vendors")
        if getattr(config, name).enabled  # nothing to connect to: valid is all there is
    ]
    out = [Check(name, True, "configured (no connection to test)") for name in sections]
    out += await check_mqtt(config, timeout_s)
    out += await check_modbus(config, timeout_s)
    out += check_canbus(config)
    out += await check_webhooks(config, urls, timeout_s)
    return out


@integrations_app.command("check")
def check(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="The integrations file (default: CHARGEBRIDGE_CONFIG_FILE).", show_default=False),
    ] = None,
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    timeout: Annotated[float, typer.Option(min=0.1, help="Seconds to wait for each connection.")] = 5.0,
) -> None:
    """Validate the integrations file, then test each connection it names; exit 1 if anything fails."""
    settings = settings_from(data_dir, database_url, config_file=config)
    if settings.config_file is None:
        raise fail("no integrations file: give --config FILE (or set CHARGEBRIDGE_CONFIG_FILE)")
    try:
        parsed = config_from_settings(settings)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    console.print(f"{settings.config_file}: valid", highlight=False)
    urls: list[str] = []
    if parsed.webhooks.enabled:
        try:
            urls = asyncio.run(webhook_urls(settings))
        except Exception as exc:
            console.print(f"[yellow]webhook subscriptions not checked: cannot open the database ({exc})[/yellow]")
    results = asyncio.run(run_checks(parsed, urls, timeout))
    table = Table("integration", "result", "detail", box=None)
    for result in results:
        verdict = "[green]ok[/green]" if result.ok else "[red]FAILED[/red]"
        table.add_row(escape(result.what), verdict, escape(result.detail))
    console.print(table)
    failed = [r for r in results if not r.ok]
    if failed:
        raise fail(f"{len(failed)} of {len(results)} checks failed")
    console.print(f"all {len(results)} checks passed", highlight=False)
