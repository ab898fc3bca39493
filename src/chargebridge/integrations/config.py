"""The integrations config file (TOML): one section per integration, validated at start.

The root model only lists the sections; each section is a pydantic model that lives next to
the integration it configures (``MqttConfig`` in ``mqtt.py``, ...). To add a section, define a
``Section`` subclass in the integration's module and add one field here::

    modbus: ModbusConfig = ModbusConfig()

Unknown keys are errors; every error names the dotted key it is about (``mqtt.qos``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from chargebridge.billing.config import BillingConfig
from chargebridge.edges.config import EdgesConfig
from chargebridge.integrations.canbus import CanConfig
from chargebridge.integrations.exports import ExportsConfig
from chargebridge.integrations.metrics import MetricsConfig
from chargebridge.integrations.modbus import ModbusConfig
from chargebridge.integrations.mqtt import MqttConfig
from chargebridge.integrations.vendors import VendorsConfig
from chargebridge.integrations.webhooks import WebhooksConfig

if TYPE_CHECKING:
    from chargebridge.config import Settings


class IntegrationsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    metrics: MetricsConfig = MetricsConfig()
    mqtt: MqttConfig = MqttConfig()
    webhooks: WebhooksConfig = WebhooksConfig()
    exports: ExportsConfig = ExportsConfig()
    modbus: ModbusConfig = ModbusConfig()
    canbus: CanConfig = CanConfig()
    vendors: VendorsConfig = VendorsConfig()
    billing: BillingConfig = BillingConfig()  # read by the billing extension (extensions.py)
    edges: EdgesConfig = EdgesConfig()  # read by the edges extension: batches from MQTT / NATS


class ConfigError(ValueError):
    """The config file is unreadable or invalid; the message names the file and each bad key."""


def _key(loc: tuple[int | str, ...]) -> str:
    key = ""
    for part in loc:
        if isinstance(part, int):
            key += f"[{part}]"
        else:
            key += f".{part}" if key else str(part)
    return key or "(top level)"


def _describe(error: Any) -> str:
    key = _key(tuple(error["loc"]))
    if error["type"] == "extra_forbidden":
        return f"{key}: unknown key"
    return f"{key}: {error['msg']}"


def parse_config(text: str, source: str = "<config>") -> IntegrationsConfig:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from exc
    try:
        return IntegrationsConfig.model_validate(data)
    except ValidationError as exc:
        problems = "\n".join(f"  {_describe(error)}" for error in exc.errors())
        raise ConfigError(f"{source}: invalid configuration:\n{problems}") from exc


def load_config(path: Path) -> IntegrationsConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror or exc}") from exc
    return parse_config(text, str(path))


def config_from_settings(settings: Settings) -> IntegrationsConfig:
    """The file named by ``--config`` / CHARGEBRIDGE_CONFIG_FILE, else every section's defaults."""
    path = getattr(settings, "config_file", None)
    return load_config(Path(path)) if path is not None else IntegrationsConfig()
