"""A small certificate authority for OCPP: a CA, the server certificate, station certificates.

``chargebridge ca init`` uses it to create (or import) a CA and issue the server certificate;
the tests use it to make valid, expired, wrongly named and foreign certificates.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from chargebridge.security.tls import check_key_strength

KeyType = Literal["ec", "rsa"]
PrivateKey = ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey


@dataclass(frozen=True, slots=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey

    def cert_pem(self) -> bytes:
        return self.cert.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    def write(self, cert_file: Path, key_file: Path) -> None:
        cert_file.parent.mkdir(parents=True, exist_ok=True)
        cert_file.write_bytes(self.cert_pem())
        key_file.touch(mode=0o600, exist_ok=True)
        key_file.chmod(0o600)
        key_file.write_bytes(self.key_pem())


def key_usage(
    *,
    digital_signature: bool = False,
    key_encipherment: bool = False,
    key_cert_sign: bool = False,
    crl_sign: bool = False,
) -> x509.KeyUsage:
    """The KeyUsage extension with only the named uses set (the rest of the nine flags off)."""
    return x509.KeyUsage(
        digital_signature=digital_signature,
        content_commitment=False,
        key_encipherment=key_encipherment,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=key_cert_sign,
        crl_sign=crl_sign,
        encipher_only=False,
        decipher_only=False,
    )


def new_key(key_type: KeyType = "ec") -> PrivateKey:
    if key_type == "rsa":
        return rsa.generate_private_key(public_exponent=65537, key_size=3072)
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        parts.insert(0, x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(parts)


def create_ca(
    common_name: str = "chargebridge CA",
    *,
    key_type: KeyType = "ec",
    valid_days: int = 3650,
    now: datetime | None = None,
) -> Issued:
    now = now or datetime.now(UTC)
    key = new_key(key_type)
    name = _name(common_name, "chargebridge")
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=valid_days))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            key_usage(digital_signature=True, key_cert_sign=True, crl_sign=True),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def load_ca(cert_file: Path, key_file: Path) -> Issued:
    """Import an operator's CA (PEM certificate and unencrypted PEM key)."""
    cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
    key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey):
        raise ValueError("the CA key must be RSA or EC")
    check_key_strength(cert)
    return Issued(cert, key)


def _issue(
    ca: Issued,
    common_name: str,
    usage: x509.ObjectIdentifier,
    *,
    key_type: KeyType,
    not_before: datetime,
    not_after: datetime,
    hosts: list[str] | None = None,
) -> Issued:
    key = new_key(key_type)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name))
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
            critical=False,
        )
    )
    if hosts:
        names: list[x509.GeneralName] = []
        for host in hosts:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(host)))
            except ValueError:
                names.append(x509.DNSName(host))
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return Issued(builder.sign(ca.key, hashes.SHA256()), key)


def issue_server_certificate(
    ca: Issued,
    hosts: list[str],
    *,
    key_type: KeyType = "ec",
    valid_days: int = 825,
    now: datetime | None = None,
) -> Issued:
    """The CSMS certificate: CN is the first host name (OCPP wants the server's FQDN there)."""
    if not hosts:
        raise ValueError("give at least one host name or address for the server certificate")
    now = now or datetime.now(UTC)
    return _issue(
        ca,
        hosts[0],
        ExtendedKeyUsageOID.SERVER_AUTH,
        key_type=key_type,
        not_before=now - timedelta(minutes=5),
        not_after=now + timedelta(days=valid_days),
        hosts=hosts,
    )


def issue_station_certificate(
    ca: Issued,
    station_id: str,
    *,
    key_type: KeyType = "ec",
    not_before: datetime | None = None,
    not_after: datetime | None = None,
) -> Issued:
    """A charging station's client certificate (security profile 3): CN = station id."""
    now = datetime.now(UTC)
    return _issue(
        ca,
        station_id,
        ExtendedKeyUsageOID.CLIENT_AUTH,
        key_type=key_type,
        not_before=not_before or now - timedelta(minutes=5),
        not_after=not_after or now + timedelta(days=365),
    )
