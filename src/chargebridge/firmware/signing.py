"""The firmware-signing key chargebridge manages, and the download/upload tokens.

The key is ECDSA P-256, kept as PEM in ``<data_dir>/firmware/`` next to a self-signed
certificate (what goes into ``signingCertificate``); an image's ``signature`` is the base64 DER
ECDSA-with-SHA256 signature over the image bytes (2.0.1 L01, 1.6 security whitepaper).

Tokens are stateless: ``base64url(json).base64url(hmac-sha256)`` under a random key in the same
directory, so a token names what it grants (an image for one station, or one upload) and when
it expires, and cannot be forged or extended.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.x509.oid import NameOID

from chargebridge.security.ca import key_usage

KEY_FILE = "signing-key.pem"
CERT_FILE = "signing-cert.pem"
TOKEN_KEY_FILE = "token.key"


def _write_private(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


class FirmwareSigner:
    """Signs images with chargebridge's firmware-signing key (created on first use)."""

    def __init__(self, directory: Path, *, now: datetime | None = None):
        self.directory = directory
        key_path, cert_path = directory / KEY_FILE, directory / CERT_FILE
        if not key_path.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            pem = key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_private(key_path, pem)
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{key_path} is not an EC private key")
        self._key = loaded
        if not cert_path.exists():
            cert_path.write_bytes(self._self_signed(now or datetime.now(UTC)).public_bytes(serialization.Encoding.PEM))
        self.certificate_pem = cert_path.read_text()

    def _self_signed(self, now: datetime) -> x509.Certificate:
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chargebridge"),
                x509.NameAttribute(NameOID.COMMON_NAME, "chargebridge firmware signing"),
            ]
        )
        return (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                key_usage(digital_signature=True),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
            .sign(self._key, hashes.SHA256())
        )

    def sign(self, data: bytes) -> str:
        return base64.b64encode(self._key.sign(data, ec.ECDSA(hashes.SHA256()))).decode()

    def sign_digest(self, sha256_hex: str) -> str:
        """The same signature as :meth:`sign` gives, from the image's SHA-256 (the image is not read)."""
        digest = bytes.fromhex(sha256_hex)
        return base64.b64encode(self._key.sign(digest, ec.ECDSA(Prehashed(hashes.SHA256())))).decode()


def verify_signature(data: bytes, signature_b64: str, certificate_pem: str) -> bool:
    """Whether ``signature_b64`` is a valid ECDSA-SHA256 signature of ``data`` by the certificate's key."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
        public_key = certificate.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            return False
        public_key.verify(base64.b64decode(signature_b64, validate=True), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_digest(sha256_hex: str, signature_b64: str, certificate_pem: str) -> bool:
    """:func:`verify_signature` for data known by its SHA-256 (a large image hashed as a stream)."""
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem.encode())
        public_key = certificate.public_key()
        if not isinstance(public_key, ec.EllipticCurvePublicKey):
            return False
        signature = base64.b64decode(signature_b64, validate=True)
        public_key.verify(signature, bytes.fromhex(sha256_hex), ec.ECDSA(Prehashed(hashes.SHA256())))
    except (InvalidSignature, ValueError):
        return False
    return True


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# -- tokens -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Grant:
    kind: str  # "image" | "upload"
    subject: str  # image id | diagnostics request id
    station_id: str
    expires_at: datetime


class BadToken(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # invalid | expired


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(self, directory: Path):
        path = directory / TOKEN_KEY_FILE
        if not path.exists():
            _write_private(path, secrets.token_bytes(32))
        self._key = path.read_bytes()

    def issue(self, grant: Grant) -> str:
        body: dict[str, Any] = {
            "k": grant.kind,
            "s": grant.subject,
            "st": grant.station_id,
            "e": int(grant.expires_at.timestamp()),
            "n": secrets.token_hex(4),  # one token per download request
        }
        encoded = _b64(json.dumps(body, separators=(",", ":")).encode())
        return f"{encoded}.{_b64(hmac.new(self._key, encoded.encode(), hashlib.sha256).digest())}"

    def check(self, token: str, kind: str, now: datetime) -> Grant:
        try:
            encoded, mac = token.split(".", 1)
            expected = hmac.new(self._key, encoded.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                raise BadToken("invalid")
            body = json.loads(_unb64(encoded))
            grant = Grant(body["k"], str(body["s"]), body["st"], datetime.fromtimestamp(body["e"], UTC))
        except (ValueError, KeyError, TypeError) as exc:
            raise BadToken("invalid") from exc
        if grant.kind != kind:
            raise BadToken("invalid")
        if grant.expires_at <= now:
            raise BadToken("expired")
        return grant
