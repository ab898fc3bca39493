"""The neutral commands the firmware service sends for an update or a log upload. The station's
adapter encodes them in its version (``ocpp16/firmware.py``, ``ocpp201/firmware.py``) and the
gateway checks the CALL against the official schemas before it goes out."""

from __future__ import annotations

from datetime import datetime

from chargebridge.domain.commands import CommandOutcome
from chargebridge.domain.firmware import GetLog, LogType, UpdateFirmware
from chargebridge.rpc import OcppVersion

UPDATE_RETRIES, UPDATE_RETRY_INTERVAL_S = 2, 30  # how often a station retries a failed download
LOG_RETRIES, LOG_RETRY_INTERVAL_S = 1, 30  # ... and a failed upload


def update_command(
    version: OcppVersion,
    *,
    request_id: int,
    location: str,
    retrieve_at: datetime,
    install_at: datetime | None = None,
    signature: str | None = None,
    signing_certificate: str | None = None,
    signed_16: bool,
) -> UpdateFirmware:
    """2.0.1 UpdateFirmware (signed when the image carries a signature and its certificate); on 1.6
    SignedUpdateFirmware (security extension) when ``signed_16`` and the image is signed, else
    UpdateFirmware."""
    signed = signature is not None and signing_certificate is not None
    signed = signed and (signed_16 or version is not OcppVersion.V16)
    return UpdateFirmware(
        location=location,
        retrieve_at=retrieve_at,
        request_id=request_id,
        install_at=install_at,
        signing_certificate=signing_certificate if signed else None,
        signature=signature if signed else None,
        retries=UPDATE_RETRIES,
        retry_interval_s=UPDATE_RETRY_INTERVAL_S,
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
        retries=LOG_RETRIES,
        retry_interval_s=LOG_RETRY_INTERVAL_S,
    )
