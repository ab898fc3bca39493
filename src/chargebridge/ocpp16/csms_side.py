"""The CSMS role of OCPP 1.6 beyond :mod:`.adapter`, for the translating gateway.

The gateway sends every neutral command through the adapter's own ``COMMAND_ENCODERS`` (core,
smart charging, reservations and local lists, device model, firmware and logs). What it needs on
top:

- ``decode_result``: a 1.6 station's CALLRESULT -> a typed neutral result. It starts from the
  adapter's own outcome (``decode_outcome``: status, installed certificates, composite schedule)
  and adds what the answer means beyond its status (configuration keys, data, file names, list
  versions), which the REST API reads from the raw payload instead.
- The id-tag codec shared with :mod:`.station_side`.

Read-only tables, no state, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from chargebridge.domain import translation as tr
from chargebridge.domain.authorization import list_version_of
from chargebridge.domain.commands import CommandOutcome
from chargebridge.domain.model import AuthorizationStatus, IdTokenInfo
from chargebridge.domain.timeutil import parse_datetime
from chargebridge.ocpp16 import adapter as v16

ID_TAG_MAX_LENGTH = v16.ID_TAG_MAX_LENGTH


def optional_time(payload: Mapping[str, Any], field: str) -> datetime | None:
    text = payload.get(field)
    return parse_datetime(text) if isinstance(text, str) else None


def put(payload: dict[str, Any], field: str, value: Any) -> None:
    """Set ``field`` unless ``value`` is None (OCPP leaves optional fields out)."""
    if value is not None:
        payload[field] = value


# -- id tags -----------------------------------------------------------------------------------


def id_tag(value: str) -> str:
    if len(value) > ID_TAG_MAX_LENGTH:
        raise tr.Untranslatable(f"id token {value[:40]!r} is longer than a 1.6 idTag ({ID_TAG_MAX_LENGTH} characters)")
    return value


def decode_id_tag_info(raw: Mapping[str, Any]) -> IdTokenInfo:
    return IdTokenInfo(
        AuthorizationStatus(raw["status"]),
        expires_at=optional_time(raw, "expiryDate"),
        group_id=raw.get("parentIdTag"),
    )


# -- 1.6 answers -> neutral results -------------------------------------------------------------


def _configuration(outcome: CommandOutcome) -> tr.CommandResult:
    payload = outcome.response
    values = [
        tr.ConfigValue("Accepted", key=item["key"], value=item.get("value"), readonly=item["readonly"])
        for item in payload.get("configurationKey", ())
    ]
    values.extend(tr.ConfigValue("UnknownVariable", key=key) for key in payload.get("unknownKey", ()))
    return tr.ConfigurationResult(tuple(values))


def _composite_schedule(outcome: CommandOutcome) -> tr.CommandResult:
    # 1.6 leaves the schedule's duration optional, 2.0.1 needs it: without one the answer has no
    # schedule the other version can carry (the adapter's outcome reads a missing duration as 0).
    raw = outcome.response.get("chargingSchedule") or {}
    return tr.CompositeScheduleResult(outcome.status, outcome.composite if "duration" in raw else None)


def _diagnostics(outcome: CommandOutcome) -> tr.CommandResult:
    filename = outcome.response.get("fileName")
    return tr.LogResult("Accepted" if filename else "Rejected", filename)


RESULT_DECODERS: Mapping[str, Callable[[CommandOutcome], tr.CommandResult]] = MappingProxyType(
    {
        "GetConfiguration": _configuration,
        "ChangeConfiguration": lambda o: tr.ConfigurationResult((tr.ConfigValue(o.status),)),
        "DataTransfer": lambda o: tr.DataTransferResult(o.status, o.response.get("data")),
        "GetCompositeSchedule": _composite_schedule,
        "GetDiagnostics": _diagnostics,
        "GetLog": lambda o: tr.LogResult(o.status, o.response.get("filename")),
        "GetLocalListVersion": lambda o: tr.LocalListVersionResult(list_version_of(o)),
        "GetInstalledCertificateIds": lambda o: tr.CertificateIdsResult(o.status, o.certificates),
    }
)


def decode_result(action: str, payload: Mapping[str, Any]) -> tr.CommandResult:
    """A schema-valid 1.6 CALLRESULT payload -> a neutral result (a status when nothing else; an
    empty answer, like UpdateFirmware's, is Accepted)."""
    outcome = v16.decode_outcome(action, dict(payload))
    decoder = RESULT_DECODERS.get(action)
    return decoder(outcome) if decoder is not None else tr.StatusResult(outcome.status)
