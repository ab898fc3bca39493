"""Test PKIs of ISO 15118: a V2G root with a sub-CA, an MO root with a sub-CA and contract
certificates that name an OCSP responder."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID, NameOID

from chargebridge.security.ca import Issued, key_usage


def _name(cn: str, org: str = "Test PKI") -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, org), x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def make_cert(
    cn: str,
    issuer: Issued | None,
    *,
    ca: bool,
    ocsp_url: str | None = None,
    ocsp_signing: bool = False,
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Issued:
    now = datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(cn)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer.cert.subject if issuer else subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before or now - timedelta(days=1))
        .not_valid_after(not_after or now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(key_usage(key_cert_sign=ca, crl_sign=ca, digital_signature=not ca), critical=True)
    )
    if ocsp_url:
        access = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    if ocsp_signing:
        builder = builder.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
    signer = issuer.key if issuer else key
    return Issued(builder.sign(signer, hashes.SHA256()), key)


def pem(*certs: x509.Certificate) -> str:
    return "".join(cert.public_bytes(serialization.Encoding.PEM).decode() for cert in certs)


def ocsp_request_data(cert: x509.Certificate, issuer: x509.Certificate, url: str) -> dict[str, str]:
    """OCPP OCSPRequestDataType of ``cert`` (as the ocpp package's snake_case dict)."""
    from chargebridge.iso15118.pki import ocsp_data_of

    data = ocsp_data_of(cert, issuer)
    return {
        "hash_algorithm": data.hash_algorithm,
        "issuer_name_hash": data.issuer_name_hash,
        "issuer_key_hash": data.issuer_key_hash,
        "serial_number": data.serial_number,
        "responder_url": url,
    }
