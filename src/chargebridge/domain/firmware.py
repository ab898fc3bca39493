"""Firmware updates and log uploads, version-neutral (OCPP 2.0.1 functional block L and
N01; OCPP 1.6 Firmware Management profile and the security whitepaper's signed updates and logs).

The adapters encode these commands in ``ocpp16/firmware.py`` and ``ocpp201/firmware.py``.
``request_id`` None asks a 1.6 station for the plain form of the core profile (UpdateFirmware,
GetDiagnostics), which names no request; 2.0.1 always needs one. The station's progress comes back
as :class:`~chargebridge.domain.requests.FirmwareStatusRequest` and
:class:`~chargebridge.domain.requests.LogStatusRequest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chargebridge.domain.commands import Command


@dataclass(frozen=True, slots=True)
class UpdateFirmware(Command):
    """1.6 UpdateFirmware (no signature) or SignedUpdateFirmware (signature, signing certificate and
    request id) / 2.0.1 UpdateFirmware (a request id; signature and certificate optional)."""

    location: str
    retrieve_at: datetime
    request_id: int | None = None
    install_at: datetime | None = None  # 1.6 UpdateFirmware has no install time: left out there
    signing_certificate: str | None = None
    signature: str | None = None
    retries: int | None = None
    retry_interval_s: int | None = None


class LogType(StrEnum):
    DIAGNOSTICS = "DiagnosticsLog"
    SECURITY = "SecurityLog"


@dataclass(frozen=True, slots=True)
class GetLog(Command):
    """1.6 GetDiagnostics (a diagnostics log and no ``request_id``) or GetLog (security whitepaper,
    with a ``request_id``) / 2.0.1 GetLog. The station uploads to ``location``."""

    location: str
    log_type: LogType = LogType.DIAGNOSTICS
    request_id: int | None = None
    oldest: datetime | None = None
    latest: datetime | None = None
    retries: int | None = None
    retry_interval_s: int | None = None
