"""Integrations: edges that ride on the event bus and the store (metrics, MQTT, webhooks, exports).

Which ones run, and how, is read from one TOML file (see ``config.py`` and docs/integrations.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chargebridge.config import Settings
    from chargebridge.extensions import Extension


def build_integrations(settings: Settings) -> list[Extension]:
    """The extensions the config file enables, in a stable order. Raises ConfigError for a bad file."""
    from chargebridge.integrations.canbus import CanExtension
    from chargebridge.integrations.config import config_from_settings
    from chargebridge.integrations.exports import ExportsExtension
    from chargebridge.integrations.metrics import MetricsExtension
    from chargebridge.integrations.modbus import ModbusExtension
    from chargebridge.integrations.mqtt import MqttBridge
    from chargebridge.integrations.vendors import VendorsExtension
    from chargebridge.integrations.webhooks import WebhooksExtension

    config = config_from_settings(settings)
    extensions: list[Extension] = []
    if config.mqtt.enabled:
        extensions.append(MqttBridge(config.mqtt))
    if config.webhooks.enabled:
        extensions.append(WebhooksExtension(config.webhooks))
    if config.exports.enabled:
        extensions.append(ExportsExtension(config.exports))
    if config.modbus.enabled:
        extensions.append(ModbusExtension(config.modbus))
    if config.canbus.enabled:
        extensions.append(CanExtension(config.canbus))
    if config.vendors.enabled:
        extensions.append(VendorsExtension(config.vendors))
    if config.metrics.enabled:  # last: it reports the stats of the others
        extensions.append(MetricsExtension(config.metrics, others=list(extensions)))
    return extensions
