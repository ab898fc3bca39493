"""Certificate signing requests from stations, the client certificates signed for them, and OCPP
``certificateHashData`` (no I/O: PEM text in, results out).

A station asks for a certificate with SignCertificate (OCPP 2.0.1 A02/A03, 1.6 security
whitepaper). :func:`check_csr` decides whether the CSMS signs it: the PEM parses, the CSR's
self-signature verifies, its subject CN is the station's own id, its key is RSA >= 2048 bits or
EC on P-256/P-384, and it is signed with SHA-256 or stronger. :func:`sign_csr` then issues a
client certificate (CN = station id, clientAuth) from the node's CA and returns the PEM chain
that CertificateSigned carries (leaf first, then the CA).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from chargebridge.domain.commands import CertificateHashData
from chargebridge.security.ca import Issued, key_usage
from chargebridge.security.tls import MIN_RSA_BITS

# EC curves a station key may use (OCPP asks for at least 256 bits; these are the curves the
# TLS cipher suites of OCPP name and every charger stack implements).
ALLOWED_CURVES = frozenset({"secp256r1", "secp384r1"})
# Hashes a CSR may be signed with: SHA-256 or stronger; SHA-1 and MD5 are refused.
ALLOWED_CSR_HASHES = frozenset({"sha256", "sha384", "sha512"})
# The 2.0.1 statusInfo.reasonCode given with every refused CSR (at most 20 characters).
REASON_CODE = "InvalidCSR"

DEFAULT_VALID_DAYS = 365
_BACKDATE = timedelta(minutes=5)  # tolerate station clocks a little behind ours

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "SHA256": hashes.SHA256(),
    "SHA384": hashes.SHA384(),
    "SHA512": hashes.SHA512(),
}


@dataclass(frozen=True, slots=True)
class CsrAccepted:
    csr: x509.CertificateSigningRequest


@dataclass(frozen=True, slots=True)
class CsrRefused:
    """Why the CSMS will not sign: ``reason`` is one sentence for the operator and the station."""

    reason: str
    reason_code: str = REASON_CODE


def _common_name(name: x509.Name) -> str | None:
    values = name.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(values) != 1:
        return None
    value = values[0].value
    return value if isinstance(value, str) else value.decode("utf-8", "replace")


def _key_problem(key: object) -> str | None:
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            return f"RSA key of {key.key_size} bits; at least {MIN_RSA_BITS} are required"
        return None
    if isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.name not in ALLOWED_CURVES:
            return f"EC key on {key.curve.name}; use P-256 (secp256r1) or P-384 (secp384r1)"
        return None
    return f"unsupported key type {type(key).__name__}; use RSA or EC"


def check_csr(pem: str, station_id: str) -> CsrAccepted | CsrRefused:
    """Decide whether a station's CSR may be signed; never raises for anything the station sent."""
    try:
        csr = x509.load_pem_x509_csr(pem.encode("utf-8", "replace"))
    except ValueError:
        return CsrRefused("the CSR is not a PEM encoded PKCS#10 certificate signing request")
    try:
        signature_valid = csr.is_signature_valid
    except (UnsupportedAlgorithm, ValueError):
        signature_valid = False
    if not signature_valid:
        return CsrRefused("the CSR's signature does not verify with its own public key")
    try:
        algorithm = csr.signature_hash_algorithm
    except UnsupportedAlgorithm:
        algorithm = None
    if algorithm is None or algorithm.name not in ALLOWED_CSR_HASHES:
        name = algorithm.name if algorithm is not None else "an unsupported algorithm"
        return CsrRefused(f"the CSR is signed with {name}; SHA-256 or stronger is required")
    try:
        key = csr.public_key()
    except (UnsupportedAlgorithm, ValueError):
        return CsrRefused("the CSR's public key cannot be read")
    problem = _key_problem(key)
    if problem is not None:
        return CsrRefused(problem)
    common_name = _common_name(csr.subject)
    if common_name is None:
        return CsrRefused("the CSR's subject must have exactly one common name (CN)")
    if common_name != station_id:
        return CsrRefused(f"the CSR's common name {common_name[:64]!r} is not the station id {station_id!r}")
    return CsrAccepted(csr)


def sign_csr(
    ca: Issued,
    csr: x509.CertificateSigningRequest,
    station_id: str,
    *,
    now: datetime,
    valid_days: int = DEFAULT_VALID_DAYS,
) -> x509.Certificate:
    """The station's client certificate for an accepted CSR: CN = station id, clientAuth, SHA-256.

    Only the CSR's public key is used; the subject is rebuilt from the station id and no
    extension the station asked for is copied (it cannot ask for a CA or a server certificate)."""
    not_after = min(now + timedelta(days=valid_days), ca.cert.not_valid_after_utc)
    key = csr.public_key()
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, station_id)]))
        .issuer_name(ca.cert.subject)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            key_usage(digital_signature=True, key_encipherment=isinstance(key, rsa.RSAPublicKey)),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), critical=False)
    )
    return builder.sign(ca.key, hashes.SHA256())


def pem_chain(leaf: x509.Certificate, *issuers: x509.Certificate) -> str:
    """PEM certificates concatenated leaf first, as OCPP's certificateChain wants them."""
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode("ascii") for cert in (leaf, *issuers))


def load_chain(pem: str) -> list[x509.Certificate]:
    """Every certificate of a PEM text, in order. Raises ValueError when there is none."""
    return x509.load_pem_x509_certificates(pem.encode("utf-8", "replace"))


def serial_hex(serial_number: int) -> str:
    """OCPP serialNumber: lower-case hexadecimal without leading zeros (and without "0x")."""
    return format(serial_number, "x")


def fingerprint(cert: x509.Certificate) -> str:
    """SHA-256 of the DER certificate, lower-case hex."""
    return cert.fingerprint(hashes.SHA256()).hex()


def certificate_hash_data(
    cert: x509.Certificate, issuer: x509.Certificate, algorithm: str = "SHA256"
) -> CertificateHashData:
    """OCPP certificateHashData of ``cert``: the OCSP CertID fields (RFC 6960).

    issuerNameHash is the hash of the DER issuer name, issuerKeyHash the hash of the issuer's
    public key bits (the BIT STRING value of its SubjectPublicKeyInfo), both lower-case hex. A
    self-signed (root) certificate is its own issuer."""
    digest = _HASHES.get(algorithm)
    if digest is None:
        raise ValueError(f"hash algorithm {algorithm!r} is not one of {sorted(_HASHES)}")
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, issuer, digest).build()
    return CertificateHashData(
        hash_algorithm=algorithm,
        issuer_name_hash=request.issuer_name_hash.hex(),
        issuer_key_hash=request.issuer_key_hash.hex(),
        serial_number=serial_hex(cert.serial_number),
    )


def is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def hash_data_of_pem(pem: str, algorithm: str = "SHA256") -> CertificateHashData:
    """certificateHashData of the first certificate of ``pem``. Its issuer is the next certificate
    in the text, or the certificate itself when it is self-signed. Raises ValueError otherwise."""
    chain = load_chain(pem)
    cert = chain[0]
    if len(chain) > 1:
        return certificate_hash_data(cert, chain[1], algorithm)
    if is_self_signed(cert):
        return certificate_hash_data(cert, cert, algorithm)
    raise ValueError("the certificate is not self-signed: append its issuer's certificate after it")
