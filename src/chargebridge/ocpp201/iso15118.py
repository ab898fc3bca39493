"""2.0.1 ISO 15118 messages <-> neutral types (blocks M and C07/C08): Get15118EVCertificate,
GetCertificateStatus and Authorize with a contract certificate.

Merged into the adapter's tables with one line each (``inbound.DECODERS``,
``outbound.RESPONSE_ENCODERS``); :func:`contract_authorize` is what ``inbound.decode_authorize``
returns when an Authorize carries ``certificate`` or ``iso15118CertificateHashData``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from chargebridge.domain.iso15118 import (
    CertificateAction,
    ContractAuthorizeRequest,
    ContractAuthorizeResponse,
    Get15118EVCertificateRequest,
    Get15118EVCertificateResponse,
    GetCertificateStatusRequest,
    GetCertificateStatusResponse,
    OcspRequestData,
)
from chargebridge.domain.model import IdToken
from chargebridge.domain.requests import StationRequest, StationResponse

Payload = Mapping[str, Any]


def decode_get_15118_ev_certificate(payload: Payload, notes: list[str]) -> Get15118EVCertificateRequest:
    return Get15118EVCertificateRequest(
        schema_version=payload["iso15118SchemaVersion"],
        action=CertificateAction(payload["action"]),
        exi_request=payload["exiRequest"],
    )


def decode_get_certificate_status(payload: Payload, notes: list[str]) -> GetCertificateStatusRequest:
    return GetCertificateStatusRequest(OcspRequestData.from_json(payload["ocspRequestData"]))


def contract_authorize(token: IdToken, payload: Payload) -> ContractAuthorizeRequest:
    """An Authorize that carries the EV's contract certificate or its OCSP data (C07/C08)."""
    return ContractAuthorizeRequest(
        id_token=token,
        certificate=payload.get("certificate"),
        hash_data=tuple(OcspRequestData.from_json(raw) for raw in payload.get("iso15118CertificateHashData", ())),
    )


DECODERS: Mapping[str, Callable[[Payload, list[str]], StationRequest]] = MappingProxyType(
    {
        "Get15118EVCertificate": decode_get_15118_ev_certificate,
        "GetCertificateStatus": decode_get_certificate_status,
    }
)


def _status_info(code: str | None, reason: str | None) -> dict[str, Any] | None:
    if code is None:
        return None
    info: dict[str, Any] = {"reasonCode": code[:20]}
    if reason:
        info["additionalInfo"] = reason[:512]
    return info


def _expect(action: str, wanted: str, response: StationResponse) -> None:
    if action != wanted:
        raise TypeError(f"{type(response).__name__} does not answer a 2.0.1 {action}")


def _encode_ev_certificate(action: str, response: StationResponse) -> dict[str, Any]:
    assert isinstance(response, Get15118EVCertificateResponse)
    _expect(action, "Get15118EVCertificate", response)
    out: dict[str, Any] = {
        "status": "Accepted" if response.accepted else "Failed",
        "exiResponse": response.exi_response if response.accepted else "",
    }
    info = _status_info(response.reason_code, response.reason)
    if info is not None:
        out["statusInfo"] = info
    return out


def _encode_certificate_status(action: str, response: StationResponse) -> dict[str, Any]:
    assert isinstance(response, GetCertificateStatusResponse)
    _expect(action, "GetCertificateStatus", response)
    out: dict[str, Any] = {"status": "Accepted" if response.accepted else "Failed"}
    if response.accepted and response.ocsp_result is not None:
        out["ocspResult"] = response.ocsp_result
    info = _status_info(response.reason_code, response.reason)
    if info is not None:
        out["statusInfo"] = info
    return out


def _encode_contract_authorize(action: str, response: StationResponse) -> dict[str, Any]:
    assert isinstance(response, ContractAuthorizeResponse)
    _expect(action, "Authorize", response)
    from chargebridge.ocpp201.outbound import encode_id_token_info  # the table merges this module in

    out: dict[str, Any] = {"idTokenInfo": encode_id_token_info(response.id_token_info)}
    if response.certificate_status is not None:
        out["certificateStatus"] = response.certificate_status.value
    return out


RESPONSE_ENCODERS: Mapping[type, Callable[[str, StationResponse], dict[str, Any]]] = MappingProxyType(
    {
        Get15118EVCertificateResponse: _encode_ev_certificate,
        GetCertificateStatusResponse: _encode_certificate_status,
        ContractAuthorizeResponse: _encode_contract_authorize,
    }
)
