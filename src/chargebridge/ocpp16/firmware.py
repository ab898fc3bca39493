"""OCPP 1.6 forms of the firmware and log commands of :mod:`chargebridge.domain.firmware`.

A firmware update is the core profile's UpdateFirmware unless it carries a signature: then it is
the security whitepaper's SignedUpdateFirmware, which needs the signing certificate and a request
id as well. A log request without a request id is the core profile's GetDiagnostics (diagnostics
only); with one it is the whitepaper's GetLog. The whitepaper took both messages from 2.0.1, so
their payloads come from :mod:`chargebridge.ocpp201.firmware`. Merged into the adapter's
``COMMAND_ENCODERS``; the answers need no decoder of their own (UpdateFirmware answers nothing,
GetDiagnostics a file name, the others a status).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain import firmware as fw
from chargebridge.domain.commands import CommandNotSupported
from chargebridge.domain.timeutil import format_datetime
from chargebridge.ocpp201.firmware import get_log, update_firmware, with_retries


def _update_firmware(command: fw.UpdateFirmware) -> tuple[str, dict[str, Any]]:
    if command.signature is None and command.signing_certificate is None:
        plain = {"location": command.location, "retrieveDate": format_datetime(command.retrieve_at)}
        return "UpdateFirmware", with_retries(plain, command.retries, command.retry_interval_s)
    if command.signature is None or command.signing_certificate is None or command.request_id is None:
        raise CommandNotSupported("1.6 SignedUpdateFirmware needs a signature, a signing certificate and a request id")
    return "SignedUpdateFirmware", update_firmware(command)


def _get_log(command: fw.GetLog) -> tuple[str, dict[str, Any]]:
    if command.request_id is not None:
        return "GetLog", get_log(command)
    if command.log_type is not fw.LogType.DIAGNOSTICS:
        raise CommandNotSupported(f"1.6 GetLog of a {command.log_type.value} needs a request id")
    payload: dict[str, Any] = {"location": command.location}
    if command.oldest is not None:
        payload["startTime"] = format_datetime(command.oldest)
    if command.latest is not None:
        payload["stopTime"] = format_datetime(command.latest)
    return "GetDiagnostics", with_retries(payload, command.retries, command.retry_interval_s)


COMMAND_ENCODERS: Mapping[type, Callable[[Any], tuple[str, dict[str, Any]]]] = MappingProxyType(
    {fw.UpdateFirmware: _update_firmware, fw.GetLog: _get_log}
)
