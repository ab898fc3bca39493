"""2.0.1 firmware publishing by a local controller (L03/L04) <-> neutral types.

PublishFirmware / UnpublishFirmware are commands; PublishFirmwareStatusNotification is a station
request answered with an empty confirmation. Merged into the adapter's tables with one line each.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain.publishing import PublishFirmware, PublishFirmwareStatusRequest, UnpublishFirmware
from chargebridge.domain.requests import StationRequest

Payload = Mapping[str, Any]


def decode_publish_status(payload: Payload, notes: list[str]) -> PublishFirmwareStatusRequest:
    return PublishFirmwareStatusRequest(
        status=payload["status"],
        locations=tuple(payload.get("location", ())),
        request_id=payload.get("requestId"),
    )


DECODERS: Mapping[str, Callable[[Payload, list[str]], StationRequest]] = MappingProxyType(
    {"PublishFirmwareStatusNotification": decode_publish_status}
)
ACK_ACTIONS = frozenset({"PublishFirmwareStatusNotification"})


def _publish(command: PublishFirmware) -> tuple[str, dict[str, Any]]:
    payload: dict[str, Any] = {
        "location": command.location,
        "checksum": command.checksum,
        "requestId": command.request_id,
    }
    if command.retries is not None:
        payload["retries"] = command.retries
    if command.retry_interval_s is not None:
        payload["retryInterval"] = command.retry_interval_s
    return "PublishFirmware", payload


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {
        PublishFirmware: _publish,
        UnpublishFirmware: lambda c: ("UnpublishFirmware", {"checksum": c.checksum}),
    }
)
