"""OCPP 2.0.1 forms of the firmware and log commands of :mod:`chargebridge.domain.firmware`
(UpdateFirmware, GetLog: both need a request id). Merged into ``outbound.COMMAND_ENCODERS``; the
answers carry a ``status`` (GetLog also the ``filename``), which the default outcome decoding reads.

The 1.6 security whitepaper took SignedUpdateFirmware and GetLog from 2.0.1 (the same payloads;
SignedUpdateFirmware requires the signature), so the 1.6 adapter and both station sides use
:func:`update_firmware` / :func:`get_log` and their mirrors :func:`update_firmware_from_v201` /
:func:`get_log_from_v201` too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from chargebridge.domain import firmware as fw
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.timeutil import format_datetime, parse_datetime


def with_retries(payload: dict[str, Any], retries: int | None, interval_s: int | None) -> dict[str, Any]:
    """``payload`` with the optional retries / retryInterval of a firmware or log request."""
    if retries is not None:
        payload["retries"] = retries
    if interval_s is not None:
        payload["retryInterval"] = interval_s
    return payload


def firmware_type(command: fw.UpdateFirmware) -> dict[str, Any]:
    """FirmwareType: where and when to fetch the image, when to install it, how it is signed."""
    firmware: dict[str, Any] = {"location": command.location, "retrieveDateTime": format_datetime(command.retrieve_at)}
    if command.install_at is not None:
        firmware["installDateTime"] = format_datetime(command.install_at)
    if command.signing_certificate is not None:
        firmware["signingCertificate"] = command.signing_certificate
    if command.signature is not None:
        firmware["signature"] = command.signature
    return firmware


def log_parameters(command: fw.GetLog) -> dict[str, Any]:
    """LogParametersType: where to upload, and the time span the log covers."""
    log: dict[str, Any] = {"remoteLocation": command.location}
    if command.oldest is not None:
        log["oldestTimestamp"] = format_datetime(command.oldest)
    if command.latest is not None:
        log["latestTimestamp"] = format_datetime(command.latest)
    return log


def update_firmware(command: fw.UpdateFirmware) -> dict[str, Any]:
    """The UpdateFirmware payload (also the 1.6 whitepaper's SignedUpdateFirmware)."""
    if command.request_id is None:
        raise CommandNotSupported("UpdateFirmware needs a request id")
    payload = {"requestId": command.request_id, "firmware": firmware_type(command)}
    return with_retries(payload, command.retries, command.retry_interval_s)


def get_log(command: fw.GetLog) -> dict[str, Any]:
    """The GetLog payload (also the 1.6 whitepaper's GetLog)."""
    if command.request_id is None:
        raise CommandNotSupported("GetLog needs a request id")
    payload = {"logType": command.log_type.value, "requestId": command.request_id, "log": log_parameters(command)}
    return with_retries(payload, command.retries, command.retry_interval_s)


def _optional_time(raw: Mapping[str, Any], field: str) -> datetime | None:
    text = raw.get(field)
    return parse_datetime(text) if text is not None else None


def update_firmware_from_v201(payload: Mapping[str, Any]) -> fw.UpdateFirmware:
    """An UpdateFirmware (or 1.6 SignedUpdateFirmware) payload -> the neutral command."""
    firmware = payload["firmware"]
    return fw.UpdateFirmware(
        location=firmware["location"],
        retrieve_at=parse_datetime(firmware["retrieveDateTime"]),
        request_id=payload["requestId"],
        install_at=_optional_time(firmware, "installDateTime"),
        signing_certificate=firmware.get("signingCertificate"),
        signature=firmware.get("signature"),
        retries=payload.get("retries"),
        retry_interval_s=payload.get("retryInterval"),
    )


def get_log_from_v201(payload: Mapping[str, Any]) -> fw.GetLog:
    """A GetLog payload (either version) -> the neutral command."""
    log = payload["log"]
    return fw.GetLog(
        location=log["remoteLocation"],
        log_type=fw.LogType(payload["logType"]),
        request_id=payload["requestId"],
        oldest=_optional_time(log, "oldestTimestamp"),
        latest=_optional_time(log, "latestTimestamp"),
        retries=payload.get("retries"),
        retry_interval_s=payload.get("retryInterval"),
    )


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {
        fw.UpdateFirmware: lambda c: ("UpdateFirmware", update_firmware(c)),
        fw.GetLog: lambda c: ("GetLog", get_log(c)),
    }
)
