"""What a simulated station does with certificates (pure: payload and state in, answer payload out).

It keeps the root certificates the CSMS installs, with their hash data computed the way the
CSMS computes it, and the certificate the CSMS signed for it. When triggered it makes a fresh
EC P-256 key and a CSR with CN = its id (:func:`sign_certificate_payload`); a CertificateSigned
is accepted only when the chain parses, the leaf's CN is the station id, the leaf holds the key
of the last CSR and, when the chain names an issuer, the issuer signed the leaf.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

from chargebridge.domain.commands import CertificateHashData
from chargebridge.rpc import OcppVersion
from chargebridge.security.csr import certificate_hash_data, is_self_signed, load_chain
from chargebridge.sim.state import InstalledCertificate, StationState

STATION_CERTIFICATE = "ChargingStationCertificate"


def _public_der(key: CertificatePublicKeyTypes) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def sign_certificate_payload(version: OcppVersion, state: StationState) -> dict[str, Any]:
    """A SignCertificate request: a new key pair (kept until CertificateSigned) and its CSR."""
    key = ec.generate_private_key(ec.SECP256R1())
    state.pending_key = key
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, state.station_id)]))
        .sign(key, hashes.SHA256())
    )
    payload: dict[str, Any] = {"csr": csr.public_bytes(serialization.Encoding.PEM).decode("ascii")}
    if version is OcppVersion.V201:
        payload["certificateType"] = STATION_CERTIFICATE
    return payload


def _chain_fits(chain: list[x509.Certificate], state: StationState) -> bool:
    leaf = chain[0]
    names = leaf.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(names) != 1 or names[0].value != state.station_id:
        return False
    if state.pending_key is None or _public_der(leaf.public_key()) != _public_der(state.pending_key.public_key()):
        return False
    if len(chain) > 1:
        try:
            leaf.verify_directly_issued_by(chain[1])
        except (InvalidSignature, ValueError, TypeError):
            return False
    return True


def certificate_signed(payload: dict[str, Any], state: StationState) -> dict[str, Any]:
    if payload.get("certificateType", STATION_CERTIFICATE) != STATION_CERTIFICATE:
        return {"status": "Rejected"}  # no V2G stack here
    try:
        chain = load_chain(payload["certificateChain"])
    except ValueError:
        return {"status": "Rejected"}
    if not _chain_fits(chain, state):
        return {"status": "Rejected"}
    state.station_certificate = payload["certificateChain"]
    state.station_key = state.pending_key
    state.pending_key = None
    return {"status": "Accepted"}


def install_certificate(payload: dict[str, Any], state: StationState) -> dict[str, Any]:
    """A root certificate to trust; only self-signed ones are taken (the hash data needs the issuer)."""
    try:
        cert = load_chain(payload["certificate"])[0]
    except ValueError:
        return {"status": "Rejected"}
    if not is_self_signed(cert):
        return {"status": "Rejected"}
    hash_data = certificate_hash_data(cert, cert).to_json()
    if not any(item.hash_data == hash_data for item in state.certificates):
        pem = cert.public_bytes(serialization.Encoding.PEM).decode("ascii")
        state.certificates.append(InstalledCertificate(payload["certificateType"], pem, hash_data))
    return {"status": "Accepted"}


def delete_certificate(payload: dict[str, Any], state: StationState) -> dict[str, Any]:
    wanted = CertificateHashData.from_json(payload["certificateHashData"])
    for item in state.certificates:
        if CertificateHashData.from_json(item.hash_data).same_certificate(wanted):
            state.certificates.remove(item)
            return {"status": "Accepted"}
    return {"status": "NotFound"}


def installed_certificate_ids(version: OcppVersion, payload: dict[str, Any], state: StationState) -> dict[str, Any]:
    if version is OcppVersion.V16:
        hashes_16 = [
            item.hash_data for item in state.certificates if item.certificate_type == payload["certificateType"]
        ]
        return {"status": "Accepted", "certificateHashData": hashes_16} if hashes_16 else {"status": "NotFound"}
    wanted = set(payload.get("certificateType") or ())
    chain = [
        {"certificateType": item.certificate_type, "certificateHashData": item.hash_data}
        for item in state.certificates
        if not wanted or item.certificate_type in wanted
    ]
    return {"status": "Accepted", "certificateHashDataChain": chain} if chain else {"status": "NotFound"}
