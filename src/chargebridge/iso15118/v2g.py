"""SECC certificates (V2GCertificate) signed by the node's V2G sub-CA (2.0.1 A02/A03 with
certificateType V2GCertificate, ISO 15118-2 Annex F profile).

The sub-CA is configured by its PEM chain (``v2g_sub_ca_file``: the sub-CA certificate first, then
any further intermediates, without the root) and key (``v2g_sub_ca_key_file``). A CSR is signed only
when it is an ISO 15118 CSR (EC P-256, ECDSA with SHA-256, a valid self-signature) whose common name
is the station's SECC id (its station id), and only while the sub-CA chains to a V2G root of the CA
store. The certificate is built here: CN = SECC id, O from the sub-CA, DC = CPO, KeyUsage
digitalSignature + keyAgreement, CA:FALSE, key identifiers and, when configured, the OCSP URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from chargebridge.iso15118.pki import chain_to_anchor, is_ca
from chargebridge.security.csr import CsrAccepted, CsrRefused

DEFAULT_V2G_DAYS = 60  # ISO 15118-2: SECC certificates are short-lived (2-3 months)
_BACKDATE = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class SubCa:
    """The V2G sub-CA: its certificate, key and the intermediates above it (without the root)."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey
    intermediates: tuple[x509.Certificate, ...] = ()

    @property
    def chain(self) -> tuple[x509.Certificate, ...]:
        return (self.cert, *self.intermediates)


def load_sub_ca(cert_file: Path, key_file: Path) -> SubCa:
    """Read the sub-CA; ValueError when the key is not EC P-256, does not belong to the first
    certificate, or that certificate is not a CA (the node refuses to start)."""
    chain = x509.load_pem_x509_certificates(cert_file.read_bytes())
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
        raise ValueError("the V2G sub-CA key must be EC on P-256 (secp256r1), as ISO 15118 requires")
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if key.public_key().public_bytes(der, spki) != chain[0].public_key().public_bytes(der, spki):
        raise ValueError("the V2G sub-CA key does not belong to the first certificate of v2g_sub_ca_file")
    if not is_ca(chain[0]):
        raise ValueError("the first certificate of v2g_sub_ca_file is not a CA certificate")
    return SubCa(chain[0], key, tuple(chain[1:]))


def check_v2g_csr(pem: str, secc_id: str) -> CsrAccepted | CsrRefused:
    """An ISO 15118 SECC CSR: EC P-256 key, ECDSA-SHA256, valid self-signature, CN = the SECC id."""
    try:
        csr = x509.load_pem_x509_csr(pem.encode("utf-8", "replace"))
    except ValueError:
        return CsrRefused("the CSR is not a PEM encoded PKCS#10 certificate signing request")
    try:
        valid = csr.is_signature_valid
        key = csr.public_key()
        algorithm = csr.signature_hash_algorithm
    except (UnsupportedAlgorithm, ValueError):
        return CsrRefused("the CSR's key or signature cannot be read")
    if not valid:
        return CsrRefused("the CSR's signature does not verify with its own public key")
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        return CsrRefused("an ISO 15118 SECC key must be EC on P-256 (secp256r1)")
    if algorithm is None or algorithm.name != "sha256":
        return CsrRefused("an ISO 15118 CSR must be signed with ECDSA and SHA-256")
    names = csr.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    if len(names) != 1:
        return CsrRefused("the CSR's subject must have exactly one common name (CN)")
    common_name = names[0].value if isinstance(names[0].value, str) else names[0].value.decode("utf-8", "replace")
    if common_name != secc_id:
        return CsrRefused(f"the CSR's common name {common_name[:64]!r} is not the station's SECC id {secc_id!r}")
    return CsrAccepted(csr)


def sign_v2g(
    sub_ca: SubCa,
    csr: x509.CertificateSigningRequest,
    secc_id: str,
    *,
    now: datetime,
    valid_days: int = DEFAULT_V2G_DAYS,
    ocsp_url: str | None = None,
) -> x509.Certificate:
    """The SECC certificate for an accepted CSR (only its public key is used)."""
    parts: list[x509.NameAttribute[str | bytes]] = [x509.NameAttribute(NameOID.COMMON_NAME, secc_id)]
    organisation = sub_ca.cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)
    if organisation:
        parts.append(organisation[0])
    parts.append(x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "CPO"))
    key = csr.public_key()
    not_after = min(now + timedelta(days=valid_days), sub_ca.cert.not_valid_after_utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name(parts))
        .issuer_name(sub_ca.cert.subject)
        .public_key(key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - _BACKDATE)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(sub_ca.key.public_key()), critical=False)
    )
    if ocsp_url:
        access = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return builder.sign(sub_ca.key, hashes.SHA256())


class V2GSigner:
    """The CertificateService's signer for ``V2GCertificate`` (see services/certificates.py)."""

    def __init__(
        self,
        sub_ca: SubCa,
        v2g_roots: Callable[[], Sequence[x509.Certificate]],
        now: Callable[[], datetime],
        *,
        valid_days: int = DEFAULT_V2G_DAYS,
        ocsp_url: str | None = None,
    ):
        self.sub_ca = sub_ca
        self._roots = v2g_roots
        self._now = now
        self.valid_days = valid_days
        self.ocsp_url = ocsp_url

    def check_chain(self) -> bool:
        """Does the sub-CA chain to a valid V2G root of the CA store now?"""
        return chain_to_anchor(self.sub_ca.cert, self.sub_ca.intermediates, self._roots(), self._now()).ok

    def check(self, pem: str, station_id: str) -> CsrAccepted | CsrRefused:
        if not self.check_chain():
            return CsrRefused(
                "the V2G sub-CA does not chain to a valid V2G root of the CA store (import the root first)",
                "NotSupported",
            )
        return check_v2g_csr(pem, station_id)

    def sign(
        self, csr: x509.CertificateSigningRequest, station_id: str, now: datetime
    ) -> tuple[x509.Certificate, tuple[x509.Certificate, ...]]:
        cert = sign_v2g(self.sub_ca, csr, station_id, now=now, valid_days=self.valid_days, ocsp_url=self.ocsp_url)
        return cert, self.sub_ca.chain
