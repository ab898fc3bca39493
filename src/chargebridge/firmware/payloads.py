"""Version-specific CALL payloads for firmware and diagnostics (the gateway checks them against
the official schemas before they go out)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chargebridge.domain.timeutil import format_datetime
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


def update_firmware(version: OcppVersion, order: FirmwareOrder, *, signed_16: bool) -> tuple[str, dict[str, Any]]:
    """(action, payload): 2.0.1 UpdateFirmware; 1.6 SignedUpdateFirmware when signed (security
    extension) and the image carries a signature, else 1.6 UpdateFirmware."""
    extras: dict[str, Any] = {}
    if order.retries is not None:
        extras["retries"] = order.retries
    if order.retry_interval_s is not None:
        extras["retryInterval"] = order.retry_interval_s
    has_signature = order.signature is not None and order.signing_certificate is not None
    if version is OcppVersion.V16 and not (signed_16 and has_signature):
        payload = {"location": order.location, "retrieveDate": format_datetime(order.retrieve_at), **extras}
        return "UpdateFirmware", payload
    firmware: dict[str, Any] = {"location": order.location, "retrieveDateTime": format_datetime(order.retrieve_at)}
    if order.install_at is not None:
        firmware["installDateTime"] = format_datetime(order.install_at)
    if has_signature:
        firmware["signingCertificate"] = order.signing_certificate
        firmware["signature"] = order.signature
    action = "SignedUpdateFirmware" if version is OcppVersion.V16 else "UpdateFirmware"
    return action, {"requestId": order.request_id, "firmware": firmware, **extras}


def accepted(action: str, answer: dict[str, Any]) -> bool:
    """1.6 UpdateFirmware has an empty answer; the others carry a status."""
    if action == "UpdateFirmware" and "status" not in answer:
        return True
    return answer.get("status") in ("Accepted", "AcceptedCanceled")


def get_log(
    version: OcppVersion,
    request_id: int,
    location: str,
    *,
    log_type: str = "DiagnosticsLog",
    since: datetime | None = None,
    until: datetime | None = None,
    use_get_log_16: bool = False,
) -> tuple[str, dict[str, Any]]:
    """1.6 GetDiagnostics (or the security extension's GetLog), 2.0.1 GetLog."""
    if version is OcppVersion.V16 and not use_get_log_16:
        payload: dict[str, Any] = {"location": location, "retries": 1, "retryInterval": 30}
        if since is not None:
            payload["startTime"] = format_datetime(since)
        if until is not None:
            payload["stopTime"] = format_datetime(until)
        return "GetDiagnostics", payload
    log: dict[str, Any] = {"remoteLocation": location}
    if since is not None:
        log["oldestTimestamp"] = format_datetime(since)
    if until is not None:
        log["latestTimestamp"] = format_datetime(until)
    return "GetLog", {"logType": log_type, "requestId": request_id, "log": log, "retries": 1, "retryInterval": 30}
