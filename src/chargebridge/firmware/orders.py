"""The neutral commands the firmware service sends for an update or a log upload. The station's
adapter encodes them in its version (``ocpp16/firmware.py``, ``ocpp201/firmware.py``) and the
gateway checks the CALL against the official schemas before it goes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chargebridge.domain.commands import CommandOutcome
from chargebridge.domain.firmware import GetLog, LogType, UpdateFirmware
from chargebridge.rpc import OcppVersion


@dataclass(frozen=True, slots=True)
class FirmwareOrder:
    request_id: int
    location: str
    retrieve_at: datetime
    install_at: datetime | None = None
    signature: str | None = None
    signing_certificate: str | None = None
    retries: int | None = 2
    retry_interval_s: int | None = 30


def update_command(version: OcppVersion, order: FirmwareOrder, *, signed_16: bool) -> UpdateFirmware:
    """2.0.1 UpdateFirmware (signed when the image carries a signature); on 1.6 SignedUpdateFirmware
    (security extension) when ``signed_16`` and the image carries a signature, else UpdateFirmware."""
    has_signature = order.signature is not None and order.signing_certificate is not None
    signed = has_signature and (signed_16 or version is not OcppVersion.V16)
    return UpdateFirmware(
        location=order.location,
        retrieve_at=order.retrieve_at,
        request_id=order.request_id,
        install_at=order.install_at,
        signing_certificate=order.signing_certificate if signed else None,
        signature=order.signature if signed else None,
        retries=order.retries,
        retry_interval_s=order.retry_interval_s,
    )


def accepted(outcome: CommandOutcome) -> bool:
    """Whether the station took the request (a 1.6 UpdateFirmware or GetDiagnostics answer has no
    status: it did)."""
    return outcome.status in ("Accepted", "AcceptedCanceled")


def log_command(
    version: OcppVersion,
    request_id: int,
    location: str,
    *,
    log_type: str = "DiagnosticsLog",
    since: datetime | None = None,
    until: datetime | None = None,
    use_get_log_16: bool = False,
) -> GetLog:
    """1.6 GetDiagnostics (no request id; or, with ``use_get_log_16``, the security extension's
    GetLog), 2.0.1 GetLog."""
    diagnostics_16 = version is OcppVersion.V16 and not use_get_log_16
    return GetLog(
        location=location,
        log_type=LogType.DIAGNOSTICS if diagnostics_16 else LogType(log_type),
        request_id=None if diagnostics_16 else request_id,
        oldest=since,
        latest=until,
        retries=1,
        retry_interval_s=30,
    )
