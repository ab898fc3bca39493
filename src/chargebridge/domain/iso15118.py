"""ISO 15118 Plug & Charge messages, version-neutral (OCPP 2.0.1 blocks M and C07/C08).

A station relays what an EV asks over ISO 15118: a contract certificate (Get15118EVCertificate,
M01/M02), the revocation status of a certificate (GetCertificateStatus, M06) and authorization
with a contract certificate (Authorize with ``certificate`` / ``iso15118CertificateHashData``,
C07/C08). 1.6 has none of these messages.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chargebridge.domain.model import IdToken, IdTokenInfo
from chargebridge.domain.requests import StationRequest, StationResponse


@dataclass(frozen=True, slots=True)
class OcspRequestData:
    """OCPP OCSPRequestDataType: which certificate (the OCSP CertID fields, hex) and whom to ask.

    ``serial_number`` is hex as the station sent it (stations differ in case and leading zeros;
    :meth:`key` normalises)."""

    hash_algorithm: str
    issuer_name_hash: str
    issuer_key_hash: str
    serial_number: str
    responder_url: str

    def key(self) -> tuple[str, str, str, str]:
        """The certificate's identity, normalised: what the OCSP cache is keyed by."""
        return (
            self.hash_algorithm,
            self.issuer_name_hash.lower(),
            self.issuer_key_hash.lower(),
            self.serial_number.lower().lstrip("0") or "0",
        )

    def to_json(self) -> dict[str, str]:
        return {
            "hashAlgorithm": self.hash_algorithm,
            "issuerNameHash": self.issuer_name_hash,
            "issuerKeyHash": self.issuer_key_hash,
            "serialNumber": self.serial_number,
            "responderURL": self.responder_url,
        }

    @classmethod
    def from_json(cls, raw: Any) -> OcspRequestData:
        return cls(
            raw["hashAlgorithm"], raw["issuerNameHash"], raw["issuerKeyHash"], raw["serialNumber"], raw["responderURL"]
        )


class CertificateAction(StrEnum):
    INSTALL = "Install"
    UPDATE = "Update"


@dataclass(frozen=True, slots=True)
class Get15118EVCertificateRequest(StationRequest):
    """The EV's CertificateInstallationReq / CertificateUpdateReq, as the station relays it (EXI, base64)."""

    schema_version: str
    action: CertificateAction
    exi_request: str


@dataclass(frozen=True, slots=True)
class Get15118EVCertificateResponse(StationResponse):
    """``exi_response``: the CertificateInstallationRes / CertificateUpdateRes for the EV (base64;
    empty when ``accepted`` is false). A refusal carries a short code and a sentence (statusInfo)."""

    accepted: bool
    exi_response: str = ""
    reason_code: str | None = None
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class GetCertificateStatusRequest(StationRequest):
    ocsp: OcspRequestData


@dataclass(frozen=True, slots=True)
class GetCertificateStatusResponse(StationResponse):
    """``ocsp_result``: the responder's DER OCSPResponse, base64 (only when ``accepted``)."""

    accepted: bool
    ocsp_result: str | None = None
    reason_code: str | None = None
    reason: str | None = None


class AuthorizeCertificateStatus(StrEnum):
    """2.0.1 AuthorizeCertificateStatusEnumType."""

    ACCEPTED = "Accepted"
    SIGNATURE_ERROR = "SignatureError"
    CERTIFICATE_EXPIRED = "CertificateExpired"
    CERTIFICATE_REVOKED = "CertificateRevoked"
    NO_CERTIFICATE_AVAILABLE = "NoCertificateAvailable"
    CERT_CHAIN_ERROR = "CertChainError"
    CONTRACT_CANCELLED = "ContractCancelled"


@dataclass(frozen=True, slots=True)
class ContractAuthorizeRequest(StationRequest):
    """2.0.1 Authorize of an ISO 15118 contract (C07/C08): the eMAID token with the EV's contract
    certificate chain (PEM, when the station could not check it) and/or the OCSP data of the chain's
    certificates (at most 4, when the station checked the chain but not the revocation)."""

    id_token: IdToken
    certificate: str | None = None
    hash_data: tuple[OcspRequestData, ...] = ()


@dataclass(frozen=True, slots=True)
class ContractAuthorizeResponse(StationResponse):
    id_token_info: IdTokenInfo
    certificate_status: AuthorizeCertificateStatus | None = None
