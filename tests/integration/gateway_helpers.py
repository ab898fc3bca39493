"""Starting a translating gateway in the test's event loop, on SQLite (or a PostgreSQL schema)."""

from __future__ import annotations

from pathlib import Path

from chargebridge.gateway.server import GatewaySettings
from chargebridge.rpc import OcppVersion
from chargebridge.translate.config import parse_translator_config
from chargebridge.translate.service import TranslatingGateway, TranslatorSettings
from chargebridge.translate.upstream import UpstreamSettings

FAST = """
[gateway]
reconnect_min_s = 0.05
reconnect_max_s = 0.3
call_timeout_s = 5
answer_wait_s = 3
"""


async def start_gateway(
    tmp_path: Path,
    upstream_url: str,
    version: OcppVersion,
    config: str = FAST,
    database_url: str | None = None,
    port: int = 0,
    http_port: int | None = None,
    **station_settings: object,
) -> TranslatingGateway:
    preferred = (version.subprotocol, *(v.subprotocol for v in OcppVersion if v is not version))
    options: dict[str, object] = {"auto_register": True, "call_timeout_s": 5.0, **station_settings}
    stations = GatewaySettings(host="127.0.0.1", port=port, subprotocols=preferred, **options)  # type: ignore[arg-type]
    settings = TranslatorSettings(
        upstream=UpstreamSettings(upstream_url, version),
        stations=stations,
        database_url=database_url or f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}",
        http_port=http_port,
    )
    gateway = TranslatingGateway(settings, parse_translator_config(config))
    await gateway.start()
    return gateway


def station_url(gateway: TranslatingGateway) -> str:
    assert gateway.gateway is not None
    return f"ws://127.0.0.1:{gateway.gateway.port}/ocpp"
