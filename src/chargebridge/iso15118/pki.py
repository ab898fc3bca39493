"""X.509 rules of the ISO 15118 PKIs, pure (certificates in, decisions out; no I/O, clock injected).

- :func:`chain_to_anchor` builds a certificate's chain from a pool of certificates to one of the
  trust anchors (the V2G and MO roots of the CA store), checking each signature and validity.
- :func:`check_ocsp_signer` decides whether an OCSP response was signed by someone entitled to
  answer for the certificate (RFC 6960 4.2.2.2: its issuer, or a responder the issuer delegated
  with id-kp-OCSPSigning) whose chain reaches a trust anchor.
- :func:`check_contract_chain` judges the contract certificate chain an EV presents (C07).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from chargebridge.domain.iso15118 import AuthorizeCertificateStatus, OcspRequestData

MAX_CHAIN = 6  # certificates from a leaf to its root (ISO 15118 PKIs have at most 4)

HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA1": hashes.SHA1,
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}


def _names_of(algorithm: hashes.HashAlgorithm) -> str:
    return algorithm.name.upper().replace("-", "")


def issuer_hashes(cert: x509.Certificate, algorithm: str) -> tuple[bytes, bytes]:
    """(hash of the DER subject name, hash of the public key bits) of ``cert`` as an OCSP issuer."""
    digest = HASHES[algorithm]()
    request = ocsp.OCSPRequestBuilder().add_certificate(cert, cert, digest).build()
    return request.issuer_name_hash, request.issuer_key_hash


def ocsp_data_of(cert: x509.Certificate, issuer: x509.Certificate, algorithm: str = "SHA256") -> OcspRequestData:
    """OCSPRequestData of ``cert`` (its responder URL from the AIA extension, "" when it has none)."""
    name_hash, key_hash = issuer_hashes(issuer, algorithm)
    return OcspRequestData(algorithm, name_hash.hex(), key_hash.hex(), format(cert.serial_number, "x"), ocsp_url(cert))


def ocsp_url(cert: x509.Certificate) -> str:
    """The first OCSP responder URL of the certificate's AuthorityInformationAccess, or ""."""
    try:
        aia = cert.extensions.get_extension_for_class(x509.AuthorityInformationAccess).value
    except x509.ExtensionNotFound:
        return ""
    for access in aia:
        if access.access_method == AuthorityInformationAccessOID.OCSP and isinstance(
            access.access_location, x509.UniformResourceIdentifier
        ):
            return access.access_location.value
    return ""


def signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """``issuer``'s key signed ``cert`` and the names link (the signature is what counts)."""
    if cert.issuer != issuer.subject:
        return False
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def valid_at(cert: x509.Certificate, now: datetime) -> bool:
    return cert.not_valid_before_utc <= now <= cert.not_valid_after_utc


class ChainProblem(StrEnum):
    NO_ANCHOR = "no_anchor"  # no path to a trust anchor
    EXPIRED = "expired"  # a certificate of the path is outside its validity
    NOT_CA = "not_ca"  # an issuer on the path is not a CA


@dataclass(frozen=True, slots=True)
class Chain:
    """A path from a certificate to a trust anchor (``path[-1]`` is the anchor), or why there is none."""

    path: tuple[x509.Certificate, ...] = ()
    problem: ChainProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def chain_to_anchor(
    cert: x509.Certificate,
    pool: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    now: datetime,
) -> Chain:
    """The path from ``cert`` up to one of ``anchors`` through ``pool`` (signatures checked; every
    certificate on it valid at ``now``; every issuer a CA). A certificate that is itself an anchor
    is its own path."""
    anchor_der = {a.fingerprint(hashes.SHA256()) for a in anchors}
    path = [cert]
    current = cert
    expired = False
    for _ in range(MAX_CHAIN):
        if not valid_at(current, now):
            expired = True
        if current.fingerprint(hashes.SHA256()) in anchor_der:
            return Chain(tuple(path), ChainProblem.EXPIRED if expired else None)
        issuer = next((c for c in (*anchors, *pool) if c is not current and signed_by(current, c)), None)
        if issuer is None:
            return Chain(tuple(path), ChainProblem.NO_ANCHOR)
        if not is_ca(issuer):
            return Chain(tuple(path), ChainProblem.NOT_CA)
        if any(issuer.fingerprint(hashes.SHA256()) == seen.fingerprint(hashes.SHA256()) for seen in path):
            return Chain(tuple(path), ChainProblem.NO_ANCHOR)  # a loop
        path.append(issuer)
        current = issuer
    return Chain(tuple(path), ChainProblem.NO_ANCHOR)


class SignerTrust(StrEnum):
    TRUSTED = "trusted"  # signed by the issuer or its delegated responder, chaining to a trust anchor
    UNVERIFIED = "unverified"  # the signature verifies but its signer does not reach a trust anchor (or is unknown)
    BAD_SIGNATURE = "bad_signature"  # the response's signature does not verify


def _verify_with(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    key = cert.public_key()
    algorithm = response.signature_hash_algorithm
    if algorithm is None:
        return False
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(response.signature, response.tbs_response_bytes, ec.ECDSA(algorithm))
        elif isinstance(key, rsa.RSAPublicKey):
            key.verify(response.signature, response.tbs_response_bytes, padding.PKCS1v15(), algorithm)
        else:
            return False
    except (InvalidSignature, ValueError, UnsupportedAlgorithm):
        return False
    return True


def _is_responder(response: ocsp.OCSPResponse, cert: x509.Certificate) -> bool:
    if response.responder_key_hash is not None:
        return issuer_hashes(cert, "SHA1")[1] == response.responder_key_hash
    return response.responder_name == cert.subject


def _matches_issuer(cert: x509.Certificate, request: OcspRequestData) -> bool:
    name_hash, key_hash = issuer_hashes(cert, request.hash_algorithm)
    return name_hash.hex() == request.issuer_name_hash.lower() and key_hash.hex() == request.issuer_key_hash.lower()


def check_ocsp_signer(
    response: ocsp.OCSPResponse,
    request: OcspRequestData,
    pool: Iterable[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    now: datetime,
) -> SignerTrust:
    """Who signed a (successful) OCSP response, and may they answer for the certificate of ``request``?"""
    candidates = [*response.certificates, *pool, *anchors]
    signers = [cert for cert in candidates if _is_responder(response, cert)]
    verified = [cert for cert in signers if _verify_with(response, cert)]
    if not verified:
        return SignerTrust.BAD_SIGNATURE if signers else SignerTrust.UNVERIFIED
    issuers = [cert for cert in candidates if _matches_issuer(cert, request)]
    for signer in verified:
        if _matches_issuer(signer, request):
            issuer = signer  # the CA answers for its own certificates
        else:
            try:
                usage = signer.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            except x509.ExtensionNotFound:
                continue
            if ExtendedKeyUsageOID.OCSP_SIGNING not in usage:
                continue
            found = next((cert for cert in issuers if signed_by(signer, cert)), None)
            if found is None or not valid_at(signer, now):
                continue
            issuer = found
        if chain_to_anchor(issuer, list(candidates), anchors, now).ok:
            return SignerTrust.TRUSTED
    return SignerTrust.UNVERIFIED


@dataclass(frozen=True, slots=True)
class ContractChainVerdict:
    """The contract chain an EV presented: its status and, when the chain holds, the OCSP data of
    each certificate of it that names a responder (leaf first, anchor excluded)."""

    status: AuthorizeCertificateStatus
    reason: str
    to_check: tuple[OcspRequestData, ...] = ()


def check_contract_chain(
    pem_chain: Sequence[x509.Certificate],
    anchors: Sequence[x509.Certificate],
    now: datetime,
    pool: Sequence[x509.Certificate] = (),
) -> ContractChainVerdict:
    """C07: the contract certificate (first) must be valid now and chain to an MO or V2G root."""
    if not pem_chain:
        return ContractChainVerdict(AuthorizeCertificateStatus.NO_CERTIFICATE_AVAILABLE, "no certificate was sent")
    leaf = pem_chain[0]
    if not valid_at(leaf, now):
        return ContractChainVerdict(
            AuthorizeCertificateStatus.CERTIFICATE_EXPIRED, "the contract certificate is not valid now"
        )
    given = list(pem_chain[1:])
    if given and not signed_by(leaf, given[0]) and not any(signed_by(leaf, c) for c in (*given, *pool, *anchors)):
        return ContractChainVerdict(
            AuthorizeCertificateStatus.SIGNATURE_ERROR, "no certificate of the chain signed the contract certificate"
        )
    chain = chain_to_anchor(leaf, [*given, *pool], anchors, now)
    if chain.problem is ChainProblem.EXPIRED:
        return ContractChainVerdict(
            AuthorizeCertificateStatus.CERTIFICATE_EXPIRED, "a certificate of the chain is not valid now"
        )
    if not chain.ok:
        return ContractChainVerdict(
            AuthorizeCertificateStatus.CERT_CHAIN_ERROR, "the contract certificate does not chain to an MO or V2G root"
        )
    checks = []
    for cert, issuer in zip(chain.path[:-1], chain.path[1:], strict=True):
        data = ocsp_data_of(cert, issuer)
        if data.responder_url:
            checks.append(data)
    return ContractChainVerdict(AuthorizeCertificateStatus.ACCEPTED, "the chain reaches a trust anchor", tuple(checks))
