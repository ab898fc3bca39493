"""The CSMS role of OCPP 2.0.1 beyond :mod:`.outbound`, for the translating gateway.

The gateway sends every neutral command through ``outbound.COMMAND_ENCODERS`` (core, smart
charging, reservations and local lists, device model, firmware and logs). What it needs on top:

- ``decode_result``: a 2.0.1 station's CALLRESULT -> a typed neutral result, starting from the
  adapter's own outcome (``decode_outcome``: status, installed certificates, composite schedule)
  plus what the answer means beyond its status (variables, data, file names, list versions,
  statusInfo);
- the id-token and statusInfo codecs shared with :mod:`.station_side`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from chargebridge.domain import translation as tr
from chargebridge.domain.authorization import list_version_of
from chargebridge.domain.commands import CommandOutcome, VariableRef
from chargebridge.domain.model import AuthorizationStatus, IdToken, IdTokenInfo
from chargebridge.domain.timeutil import parse_datetime
from chargebridge.ocpp201 import outbound
from chargebridge.ocpp201.devicemodel import variable_ref

ID_TOKEN_MAX_LENGTH = 36
DEFAULT_ID_TOKEN_TYPE = "Central"  # the outbound adapter's choice for a token of no known type

# 2.0.1 authorization statuses the neutral model lacks deny charging: they read as Invalid.
AUTHORIZATION_STATUSES: Mapping[str, AuthorizationStatus] = MappingProxyType(
    {
        **{status.value: status for status in AuthorizationStatus},
        "NoCredit": AuthorizationStatus.INVALID,
        "NotAllowedTypeEVSE": AuthorizationStatus.INVALID,
        "NotAtThisLocation": AuthorizationStatus.INVALID,
        "NotAtThisTime": AuthorizationStatus.INVALID,
    }
)


def put(payload: dict[str, Any], field: str, value: Any) -> None:
    if value is not None:
        payload[field] = value


def optional_time(payload: Mapping[str, Any], field: str) -> datetime | None:
    text = payload.get(field)
    return parse_datetime(text) if isinstance(text, str) else None


def status_info(reason_code: str | None, info: str | None) -> dict[str, Any] | None:
    if reason_code is None:
        return None
    out: dict[str, Any] = {"reasonCode": reason_code[:20]}
    if info:
        out["additionalInfo"] = info[:512]
    return out


def read_status_info(payload: Mapping[str, Any]) -> tuple[str | None, str | None]:
    info = payload.get("statusInfo") or {}
    return info.get("reasonCode"), info.get("additionalInfo")


# -- id tokens --------------------------------------------------------------------------------


def encode_id_token(token: IdToken, default_type: str = DEFAULT_ID_TOKEN_TYPE) -> dict[str, Any]:
    if len(token.value) > ID_TOKEN_MAX_LENGTH:
        raise tr.Untranslatable(f"id token {token.value[:40]!r} is longer than 36 characters")
    return {"idToken": token.value, "type": token.type or default_type}


def decode_id_token(raw: Mapping[str, Any]) -> IdToken:
    return IdToken(raw["idToken"], raw.get("type"))


def decode_id_token_info(raw: Mapping[str, Any]) -> IdTokenInfo:
    group = raw.get("groupIdToken")
    return IdTokenInfo(
        AUTHORIZATION_STATUSES[raw["status"]],
        expires_at=optional_time(raw, "cacheExpiryDateTime"),
        group_id=group["idToken"] if group else None,
    )


def address_ref(raw: Mapping[str, Any]) -> VariableRef:
    """The variable a GetVariableData / SetVariableData / ...Result names (component, variable, attributeType)."""
    return variable_ref(raw["component"], raw["variable"], raw.get("attributeType"))


# -- 2.0.1 answers -> neutral results -----------------------------------------------------------


def _variable_values(results: Any) -> tr.CommandResult:
    return tr.ConfigurationResult(
        tuple(
            tr.ConfigValue(result["attributeStatus"], variable=address_ref(result), value=result.get("attributeValue"))
            for result in results
        )
    )


RESULT_DECODERS: Mapping[str, Callable[[CommandOutcome], tr.CommandResult]] = MappingProxyType(
    {
        "GetVariables": lambda o: _variable_values(o.response["getVariableResult"]),
        "SetVariables": lambda o: _variable_values(o.response["setVariableResult"]),
        "DataTransfer": lambda o: tr.DataTransferResult(o.status, o.response.get("data")),
        "GetCompositeSchedule": lambda o: tr.CompositeScheduleResult(o.status, o.composite),
        "GetLog": lambda o: tr.LogResult(o.status, o.response.get("filename")),
        "GetLocalListVersion": lambda o: tr.LocalListVersionResult(list_version_of(o)),
        "GetInstalledCertificateIds": lambda o: tr.CertificateIdsResult(o.status, o.certificates),
    }
)


def decode_result(action: str, payload: Mapping[str, Any]) -> tr.CommandResult:
    """A schema-valid 2.0.1 CALLRESULT payload -> a neutral result (a status and its reason when nothing else)."""
    outcome = outbound.decode_outcome(action, dict(payload))
    decoder = RESULT_DECODERS.get(action)
    if decoder is not None:
        return decoder(outcome)
    return tr.StatusResult(outcome.status, *read_status_info(payload))
