"""A simulated 2.0.1 station's ISO 15118, local-controller and transaction-status behaviour
(pure: payload and state in, answer out; the station carries out the intents).

- SignV2GCertificate (TriggerMessage) -> a SignCertificate V2GCertificate with an ISO 15118 CSR
  (EC P-256, CN = station id); CertificateSigned V2GCertificate is accepted when the leaf holds
  that key and the next certificate of the chain signed it.
- PublishFirmware -> the station acts as a local controller: downloads the image, checks its MD5,
  reports each step with PublishFirmwareStatusNotification and "serves" it (Published, with a
  location of its own); UnpublishFirmware stops that (DownloadOngoing while downloading).
- GetTransactionStatus -> whether transaction messages are still queued (for that transaction, or
  any), and whether the transaction is ongoing.
- :func:`get_15118_ev_certificate`, :func:`get_certificate_status` and :func:`contract_authorize`
  build what the station relays for an EV (SimStation.pnc_request sends them).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

V2G_CERTIFICATE = "V2GCertificate"


@dataclass(frozen=True, slots=True)
class PublishImage:
    """Intent: download an image as a local controller and publish it (PublishFirmware)."""

    location: str
    checksum: str
    request_id: int


@dataclass(slots=True)
class PncState:
    """What a station keeps for Plug & Charge and publishing."""

    v2g_pending_key: ec.EllipticCurvePrivateKey | None = None
    v2g_certificate: str | None = None  # the signed chain, PEM
    # checksum -> "downloading" | "published"
    published: dict[str, str] = field(default_factory=dict)
    # (transaction id or None) -> transaction messages still queued? Set by SimStation.
    queued: Callable[[str | None], bool] = lambda transaction_id: False
    ongoing: Callable[[str], bool] = lambda transaction_id: False


def sign_v2g_payload(pnc: PncState, station_id: str) -> dict[str, Any]:
    """SignCertificate for the SECC certificate: a fresh P-256 key (kept until CertificateSigned)."""
    key = ec.generate_private_key(ec.SECP256R1())
    pnc.v2g_pending_key = key
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, station_id),
                    x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "CPO"),
                ]
            )
        )
        .sign(key, hashes.SHA256())
    )
    return {"csr": csr.public_bytes(serialization.Encoding.PEM).decode("ascii"), "certificateType": V2G_CERTIFICATE}


def v2g_certificate_signed(pnc: PncState, payload: dict[str, Any]) -> dict[str, Any]:
    try:
        chain = x509.load_pem_x509_certificates(payload["certificateChain"].encode())
    except ValueError:
        return {"status": "Rejected"}
    key = pnc.v2g_pending_key
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key is None or chain[0].public_key().public_bytes(der, spki) != key.public_key().public_bytes(der, spki):
        return {"status": "Rejected"}
    if len(chain) > 1:
        try:
            chain[0].verify_directly_issued_by(chain[1])
        except (InvalidSignature, ValueError, TypeError):
            return {"status": "Rejected"}
    pnc.v2g_certificate = payload["certificateChain"]
    pnc.v2g_pending_key = None
    return {"status": "Accepted"}


def publish_firmware(pnc: PncState, payload: dict[str, Any]) -> tuple[dict[str, Any], tuple[PublishImage, ...]]:
    checksum = payload["checksum"].lower()
    if pnc.published.get(checksum) == "downloading":
        return {"status": "Rejected", "statusInfo": {"reasonCode": "InProgress"}}, ()
    pnc.published[checksum] = "downloading"
    return {"status": "Accepted"}, (PublishImage(payload["location"], checksum, payload["requestId"]),)


def unpublish_firmware(pnc: PncState, payload: dict[str, Any]) -> dict[str, Any]:
    checksum = payload["checksum"].lower()
    state = pnc.published.get(checksum)
    if state is None:
        return {"status": "NoFirmware"}
    if state == "downloading":
        return {"status": "DownloadOngoing"}
    del pnc.published[checksum]
    return {"status": "Unpublished"}


def get_transaction_status(pnc: PncState, payload: dict[str, Any]) -> dict[str, Any]:
    transaction_id = payload.get("transactionId")
    answer: dict[str, Any] = {"messagesInQueue": pnc.queued(transaction_id)}
    if transaction_id is not None:
        answer["ongoingIndicator"] = pnc.ongoing(transaction_id)
    return answer


def published_location(station_id: str, checksum: str) -> str:
    """Where this local controller serves a published image (its own address; nothing listens in the sim)."""
    return f"http://{station_id.lower()}.local:8080/firmware/{checksum}.bin"


# -- what the station relays for an EV ---------------------------------------------------------


def get_15118_ev_certificate(exi_request: bytes, action: str = "Install") -> dict[str, Any]:
    return {
        "iso15118SchemaVersion": "urn:iso:15118:2:2013:MsgDef",
        "action": action,
        "exiRequest": base64.b64encode(exi_request).decode("ascii"),
    }


def ocsp_request_data(cert: x509.Certificate, issuer: x509.Certificate, responder_url: str) -> dict[str, Any]:
    """OCSPRequestDataType of ``cert`` (SHA-256 CertID)."""
    from cryptography.x509 import ocsp

    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, hashes.SHA256()).build()
    return {
        "hashAlgorithm": "SHA256",
        "issuerNameHash": request.issuer_name_hash.hex(),
        "issuerKeyHash": request.issuer_key_hash.hex(),
        "serialNumber": format(cert.serial_number, "x"),
        "responderURL": responder_url,
    }


def get_certificate_status(data: dict[str, Any]) -> dict[str, Any]:
    return {"ocspRequestData": data}


def contract_authorize(
    emaid: str, *, certificate: str | None = None, hash_data: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    payload: dict[str, Any] = {"idToken": {"idToken": emaid, "type": "eMAID"}}
    if certificate is not None:
        payload["certificate"] = certificate
    if hash_data:
        payload["iso15118CertificateHashData"] = hash_data
    return payload
