"""Firmware published by a local controller to the stations behind it (OCPP 2.0.1 L03/L04).

The CSMS asks a local controller to download an image and serve it (PublishFirmware); the
controller reports progress with PublishFirmwareStatusNotification and stops serving on
UnpublishFirmware. 1.6 has no such messages.
"""

from __future__ import annotations

from dataclasses import dataclass

from chargebridge.domain.commands import Command
from chargebridge.domain.requests import StationRequest


@dataclass(frozen=True, slots=True)
class PublishFirmware(Command):
    """``checksum``: MD5 of the whole image, 32 lower-case hex characters (the field OCPP defines)."""

    location: str
    checksum: str
    request_id: int
    retries: int | None = None
    retry_interval_s: int | None = None


@dataclass(frozen=True, slots=True)
class UnpublishFirmware(Command):
    checksum: str


@dataclass(frozen=True, slots=True)
class PublishFirmwareStatusRequest(StationRequest):
    """Progress of a PublishFirmware; ``locations`` are where the controller serves the image once Published."""

    status: str
    locations: tuple[str, ...] = ()
    request_id: int | None = None
