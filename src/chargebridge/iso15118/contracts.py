"""Contract certificates for EVs (Get15118EVCertificate, 2.0.1 M01/M02): the provider interface,
the local test provider and how a provider is chosen.

A :class:`ContractCertificateProvider` receives the EV's request as the station relayed it (the
EXI CertificateInstallationReq / CertificateUpdateReq, base64, with the ISO 15118 schema version)
and returns the EXI response for the EV (base64) or a refusal. A Hubject-style PKI (a contract
certificate pool, CCP) implements it by forwarding ``exi_request`` to its backend and returning the
``exiResponse`` the backend produced: the CSMS never decodes EXI. Providers are chosen by the
``contract_certificate_provider`` setting: ``none`` (every request answered Failed), ``local``
(:class:`LocalTestProvider`) or ``package.module:factory`` (a callable taking the
:class:`~chargebridge.config.Settings` and returning a provider).

:class:`LocalTestProvider` is for laboratories and the simulator only. Without an EXI codec it
cannot build a real ISO 15118-2 CertificateInstallationRes: its ``exi_response`` is an opaque
base64 blob (``CBTEST1`` + JSON) holding a contract certificate chain issued by a local MO test CA
and the contract key. No EV understands it; a test station can read it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import importlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

from chargebridge.security.ca import Issued, key_usage

if TYPE_CHECKING:
    from chargebridge.config import Settings

TEST_BLOB_MAGIC = b"CBTEST1\n"  # what the local test provider's exi_response starts with (after base64)
MAX_EXI_RESPONSE = 7500  # Get15118EVCertificateResponse.exiResponse maxLength


@dataclass(frozen=True, slots=True)
class ContractRequest:
    station_id: str
    schema_version: str
    action: str  # Install | Update
    exi_request: str  # base64, as the station sent it


@dataclass(frozen=True, slots=True)
class ContractResult:
    """``accepted`` with ``exi_response`` (base64, at most 7500 characters), or a refusal with a
    short ``reason_code`` (at most 20 characters) and a sentence."""

    accepted: bool
    exi_response: str = ""
    reason_code: str | None = None
    reason: str | None = None


class ContractCertificateProvider(Protocol):
    """Where contract certificates come from. Implementations must be safe to call concurrently,
    answer within their own bound (the CSMS also cuts them off after ``contract_provider_timeout_s``)
    and never raise for a bad request (return a refusal)."""

    name: str

    async def get_certificate(self, request: ContractRequest) -> ContractResult: ...

    async def close(self) -> None: ...


class NoProvider:
    name = "none"

    async def get_certificate(self, request: ContractRequest) -> ContractResult:
        return ContractResult(False, reason_code="NoProvider", reason="no contract certificate provider is configured")

    async def close(self) -> None:
        return None


def create_mo_test_ca(now: datetime, common_name: str = "chargebridge MO test root") -> Issued:
    """A self-signed EC P-256 MO root for tests (10 years)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chargebridge test MO"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "MO"),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=2), critical=True)
        .add_extension(key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def load_or_create_mo_test_ca(directory: Path, now: datetime) -> Issued:
    """The local provider's MO test root in ``directory`` (created on first use, key mode 0600)."""
    cert_file, key_file = directory / "mo-test-root.pem", directory / "mo-test-root-key.pem"
    if cert_file.exists() and key_file.exists():
        cert = x509.load_pem_x509_certificate(cert_file.read_bytes())
        key = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError(f"{key_file} is not an EC key")
        return Issued(cert, key)
    issued = create_mo_test_ca(now)
    issued.write(cert_file, key_file)
    return issued


def emaid_for(exi_request: bytes) -> str:
    """A stable test eMAID for an EV request (ISO 15118 eMAID shape, country ZZ: not a real one)."""
    digest = hashlib.sha256(exi_request).hexdigest().upper()
    return f"ZZCBTC{digest[:8]}"


def issue_contract(
    mo_ca: Issued, emaid: str, now: datetime, *, valid_days: int = 365, ocsp_url: str | None = None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A contract certificate (CN = eMAID, EC P-256) issued by the MO test CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    builder = (
        x509.CertificateBuilder()
        .subject_name(
            x509.Name(
                [
                    x509.NameAttribute(NameOID.COMMON_NAME, emaid),
                    x509.NameAttribute(NameOID.ORGANIZATION_NAME, "chargebridge test MO"),
                    x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "MO"),
                ]
            )
        )
        .issuer_name(mo_ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(min(now + timedelta(days=valid_days), mo_ca.cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(key_usage(digital_signature=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(mo_ca.key.public_key()), critical=False)
    )
    if ocsp_url:
        access = x509.AccessDescription(AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(ocsp_url))
        builder = builder.add_extension(x509.AuthorityInformationAccess([access]), critical=False)
    return builder.sign(mo_ca.key, hashes.SHA256()), key


def read_test_blob(exi_response: str) -> dict[str, Any]:
    """What the local test provider put in its exi_response (for test stations). ValueError otherwise."""
    raw = base64.b64decode(exi_response, validate=True)
    if not raw.startswith(TEST_BLOB_MAGIC):
        raise ValueError("not a chargebridge test provider response")
    data: dict[str, Any] = json.loads(raw[len(TEST_BLOB_MAGIC) :])
    return data


class LocalTestProvider:
    """Issues a contract certificate from a local MO test CA for any well-formed request (tests only)."""

    name = "local"

    def __init__(self, mo_ca: Issued, now: Any, *, ocsp_url: str | None = None):
        self.mo_ca = mo_ca
        self._now = now
        self.ocsp_url = ocsp_url

    async def get_certificate(self, request: ContractRequest) -> ContractResult:
        try:
            raw = base64.b64decode(request.exi_request, validate=True)
        except (binascii.Error, ValueError):
            return ContractResult(False, reason_code="InvalidRequest", reason="exiRequest is not base64")
        if not raw:
            return ContractResult(False, reason_code="InvalidRequest", reason="exiRequest is empty")
        emaid = emaid_for(raw)
        cert, key = issue_contract(self.mo_ca, emaid, self._now(), ocsp_url=self.ocsp_url)
        pem = serialization.Encoding.PEM
        blob = {
            "note": "chargebridge local test provider: not an ISO 15118 EXI message",
            "action": request.action,
            "schemaVersion": request.schema_version,
            "emaid": emaid,
            "contractCertificateChain": (cert.public_bytes(pem) + self.mo_ca.cert.public_bytes(pem)).decode("ascii"),
            "contractPrivateKey": key.private_bytes(
                pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ).decode("ascii"),
        }
        encoded = base64.b64encode(TEST_BLOB_MAGIC + json.dumps(blob, separators=(",", ":")).encode()).decode()
        if len(encoded) > MAX_EXI_RESPONSE:
            return ContractResult(False, reason_code="TooLarge", reason="the test response exceeds 7500 characters")
        return ContractResult(True, encoded)

    async def close(self) -> None:
        return None


def build_provider(settings: Settings, now: Any) -> ContractCertificateProvider:
    """The provider the settings name; ValueError for one that cannot be loaded (the node refuses to start)."""
    choice = settings.contract_certificate_provider.strip()
    if choice == "none":
        return NoProvider()
    if choice == "local":
        directory = settings.data_dir / "iso15118"
        directory.mkdir(parents=True, exist_ok=True)
        return LocalTestProvider(load_or_create_mo_test_ca(directory, now()), now, ocsp_url=settings.contract_ocsp_url)
    module_name, _, attribute = choice.partition(":")
    if not module_name or not attribute:
        raise ValueError("contract_certificate_provider must be none, local or package.module:factory")
    try:
        factory = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"cannot load contract certificate provider {choice!r}: {exc}") from exc
    provider: ContractCertificateProvider = factory(settings)
    return provider
