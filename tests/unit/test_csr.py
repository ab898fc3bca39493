"""CSR checks, certificate signing and OCPP certificateHashData (security/csr.py), the adapters'
certificate messages and the simulator's certificate answers, against the official schemas."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from chargebridge.domain import commands as cmd
from chargebridge.domain.requests import SignCertificateRequest
from chargebridge.ocpp16.adapter import Ocpp16Adapter
from chargebridge.ocpp201.adapter import Ocpp201Adapter
from chargebridge.rpc import OcppVersion, schemas_for
from chargebridge.security.ca import Issued, create_ca
from chargebridge.security.csr import (
    CsrAccepted,
    CsrRefused,
    certificate_hash_data,
    check_csr,
    hash_data_of_pem,
    load_chain,
    pem_chain,
    serial_hex,
    sign_csr,
)
from chargebridge.sim.certificates import (
    certificate_signed,
    delete_certificate,
    install_certificate,
    installed_certificate_ids,
    sign_certificate_payload,
)
from chargebridge.sim.state import ConfigStore, StationState

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca() -> Issued:
    return create_ca(now=NOW - timedelta(days=1))


def make_csr(
    common_name: str = "CP-1",
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey | None = None,
    digest: hashes.SHA224 | hashes.SHA256 | None = None,
) -> str:
    key = key or ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]))
        .sign(key, digest or hashes.SHA256())
    )
    return csr.public_bytes(serialization.Encoding.PEM).decode()


# -- check_csr -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP384R1())],
    ids=["P-256", "P-384"],
)
def test_a_good_csr_is_accepted(key: ec.EllipticCurvePrivateKey) -> None:
    assert isinstance(check_csr(make_csr("CP-1", key), "CP-1"), CsrAccepted)


def test_an_rsa_2048_csr_is_accepted() -> None:
    assert isinstance(check_csr(make_csr(key=rsa.generate_private_key(65537, 2048)), "CP-1"), CsrAccepted)


def test_a_csr_for_another_station_is_refused() -> None:
    refused = check_csr(make_csr("CP-2"), "CP-1")
    assert isinstance(refused, CsrRefused)
    assert "'CP-2' is not the station id 'CP-1'" in refused.reason
    assert refused.reason_code == "InvalidCSR" and len(refused.reason_code) <= 20


def test_a_weak_rsa_key_is_refused() -> None:
    refused = check_csr(make_csr(key=rsa.generate_private_key(65537, 1024)), "CP-1")
    assert isinstance(refused, CsrRefused) and "1024 bits" in refused.reason


def test_an_ec_key_on_another_curve_is_refused() -> None:
    refused = check_csr(make_csr(key=ec.generate_private_key(ec.SECP256K1())), "CP-1")
    assert isinstance(refused, CsrRefused) and "secp256k1" in refused.reason


def test_a_signature_weaker_than_sha256_is_refused() -> None:
    refused = check_csr(make_csr(digest=hashes.SHA224()), "CP-1")
    assert isinstance(refused, CsrRefused) and "sha224" in refused.reason


@pytest.mark.parametrize(
    "text", ["", "garbage", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----"]
)
def test_garbage_is_refused(text: str) -> None:
    refused = check_csr(text, "CP-1")
    assert isinstance(refused, CsrRefused) and "PEM" in refused.reason


def test_a_tampered_signature_is_refused() -> None:
    der = bytearray(x509.load_pem_x509_csr(make_csr().encode()).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0x01  # inside the signature's BIT STRING
    pem = x509.load_der_x509_csr(bytes(der)).public_bytes(serialization.Encoding.PEM).decode()
    refused = check_csr(pem, "CP-1")
    assert isinstance(refused, CsrRefused) and "signature" in refused.reason


def test_a_csr_without_common_name_is_refused() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    csr = (
        x509.CertificateSigningRequestBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "CP-1")]))
        .sign(key, hashes.SHA256())
    )
    refused = check_csr(csr.public_bytes(serialization.Encoding.PEM).decode(), "CP-1")
    assert isinstance(refused, CsrRefused) and "common name" in refused.reason


# -- signing -------------------------------------------------------------------------------


def test_sign_csr_issues_a_client_certificate_for_the_station(ca: Issued) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    accepted = check_csr(make_csr("CP-1", key), "CP-1")
    assert isinstance(accepted, CsrAccepted)
    cert = sign_csr(ca, accepted.csr, "CP-1", now=NOW, valid_days=30)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "CP-1"
    assert cert.issuer == ca.cert.subject
    cert.verify_directly_issued_by(ca.cert)
    assert cert.signature_hash_algorithm is not None and cert.signature_hash_algorithm.name == "sha256"
    usage = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert list(usage) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    assert cert.not_valid_after_utc == NOW + timedelta(days=30)
    assert cert.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ) == key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    chain = load_chain(pem_chain(cert, ca.cert))
    assert chain == [cert, ca.cert]


def test_a_certificate_never_outlives_its_ca() -> None:
    short_ca = create_ca(valid_days=10, now=NOW)
    accepted = check_csr(make_csr(), "CP-1")
    assert isinstance(accepted, CsrAccepted)
    cert = sign_csr(short_ca, accepted.csr, "CP-1", now=NOW, valid_days=365)
    assert cert.not_valid_after_utc == short_ca.cert.not_valid_after_utc


# -- certificateHashData -------------------------------------------------------------------


def _spki_bits(cert: x509.Certificate) -> bytes:
    """The subjectPublicKey BIT STRING value of the certificate's key, by the key's own encoding."""
    key = cert.public_key()
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert isinstance(key, rsa.RSAPublicKey)
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.PKCS1)


@pytest.mark.parametrize("key_type", ["ec", "rsa"])
def test_hash_data_is_the_ocsp_cert_id(key_type: str) -> None:
    issuer = create_ca(key_type=key_type, now=NOW)  # type: ignore[arg-type]
    accepted = check_csr(make_csr(), "CP-1")
    assert isinstance(accepted, CsrAccepted)
    cert = sign_csr(issuer, accepted.csr, "CP-1", now=NOW)
    data = certificate_hash_data(cert, issuer.cert)
    assert data.hash_algorithm == "SHA256"
    assert data.issuer_name_hash == hashlib.sha256(cert.issuer.public_bytes()).hexdigest()
    assert data.issuer_key_hash == hashlib.sha256(_spki_bits(issuer.cert)).hexdigest()
    assert data.serial_number == format(cert.serial_number, "x")
    sha384 = certificate_hash_data(cert, issuer.cert, "SHA384")
    assert sha384.issuer_key_hash == hashlib.sha384(_spki_bits(issuer.cert)).hexdigest()


def test_serial_numbers_are_lower_case_hex_without_leading_zeros() -> None:
    assert serial_hex(0x00AB01) == "ab01"
    assert serial_hex(255) == "ff"


def test_hash_data_of_a_pem(ca: Issued) -> None:
    accepted = check_csr(make_csr(), "CP-1")
    assert isinstance(accepted, CsrAccepted)
    cert = sign_csr(ca, accepted.csr, "CP-1", now=NOW)
    assert hash_data_of_pem(pem_chain(cert, ca.cert)) == certificate_hash_data(cert, ca.cert)
    assert hash_data_of_pem(ca.cert_pem().decode()) == certificate_hash_data(ca.cert, ca.cert)
    with pytest.raises(ValueError, match="not self-signed"):
        hash_data_of_pem(pem_chain(cert))


def test_hash_data_comparison_ignores_case_and_leading_zeros() -> None:
    a = cmd.CertificateHashData("SHA256", "AB", "CD", "0f1")
    assert a.same_certificate(cmd.CertificateHashData("SHA256", "ab", "cd", "F1"))
    assert not a.same_certificate(cmd.CertificateHashData("SHA384", "ab", "cd", "f1"))
    assert cmd.CertificateHashData.from_json(a.to_json()) == a


# -- adapters ------------------------------------------------------------------------------


def test_sign_certificate_decodes_on_both_versions() -> None:
    assert Ocpp16Adapter().decode("SignCertificate", {"csr": "PEM"}).request == SignCertificateRequest("PEM")
    v201 = Ocpp201Adapter()
    assert v201.decode("SignCertificate", {"csr": "PEM"}).request == SignCertificateRequest("PEM")
    decoded = v201.decode("SignCertificate", {"csr": "PEM", "certificateType": "V2GCertificate"})
    assert decoded.request == SignCertificateRequest("PEM", "V2GCertificate")


HASH = {"hashAlgorithm": "SHA256", "issuerNameHash": "aa", "issuerKeyHash": "bb", "serialNumber": "1c"}


def test_installed_certificate_answers_are_read_on_both_versions() -> None:
    v16 = Ocpp16Adapter().decode_outcome(
        "GetInstalledCertificateIds", {"status": "Accepted", "certificateHashData": [HASH]}
    )
    assert v16.certificates == (cmd.InstalledCertificate(cmd.CertificateHashData("SHA256", "aa", "bb", "1c")),)
    answer = {
        "status": "Accepted",
        "certificateHashDataChain": [{"certificateType": "CSMSRootCertificate", "certificateHashData": HASH}],
    }
    schemas_for(OcppVersion.V201).validate_response("GetInstalledCertificateIds", answer)
    v201 = Ocpp201Adapter().decode_outcome("GetInstalledCertificateIds", answer)
    assert v201.status == "Accepted"
    assert v201.certificates == (
        cmd.InstalledCertificate(cmd.CertificateHashData("SHA256", "aa", "bb", "1c"), "CSMSRootCertificate"),
    )
    assert Ocpp201Adapter().decode_outcome("GetInstalledCertificateIds", {"status": "NotFound"}).certificates == ()


# -- the simulated station -----------------------------------------------------------------


def sim_state(station_id: str = "SIM-1") -> StationState:
    return StationState({}, ConfigStore({}), station_id=station_id)


@pytest.mark.parametrize("version", [OcppVersion.V16, OcppVersion.V201])
def test_simulator_signing_round_trip(ca: Issued, version: OcppVersion) -> None:
    schemas = schemas_for(version)
    state = sim_state()
    request = sign_certificate_payload(version, state)
    schemas.validate_request("SignCertificate", request)
    accepted = check_csr(request["csr"], "SIM-1")
    assert isinstance(accepted, CsrAccepted)
    cert = sign_csr(ca, accepted.csr, "SIM-1", now=NOW)
    wrong_cn = check_csr(make_csr("SIM-1"), "SIM-1")  # a CSR of another key
    assert isinstance(wrong_cn, CsrAccepted)
    other = sign_csr(ca, wrong_cn.csr, "SIM-1", now=NOW)
    answers: list[dict[str, Any]] = [
        certificate_signed({"certificateChain": "garbage"}, state),
        certificate_signed({"certificateChain": pem_chain(other, ca.cert)}, state),
        certificate_signed({"certificateChain": pem_chain(cert, ca.cert)}, state),
    ]
    for payload in answers:
        schemas.validate_response("CertificateSigned", payload)
    assert [a["status"] for a in answers] == ["Rejected", "Rejected", "Accepted"]
    assert state.station_certificate is not None and state.pending_key is None


def test_simulator_rejects_a_chain_for_another_station(ca: Issued) -> None:
    state = sim_state("SIM-1")
    request = sign_certificate_payload(OcppVersion.V201, state)
    csr = x509.load_pem_x509_csr(request["csr"].encode())
    cert = sign_csr(ca, csr, "SIM-2", now=NOW)  # right key, wrong CN
    assert certificate_signed({"certificateChain": pem_chain(cert, ca.cert)}, state) == {"status": "Rejected"}


@pytest.mark.parametrize(
    ("version", "root_type"),
    [(OcppVersion.V16, "CentralSystemRootCertificate"), (OcppVersion.V201, "CSMSRootCertificate")],
)
def test_simulator_installs_lists_and_deletes_roots(ca: Issued, version: OcppVersion, root_type: str) -> None:
    schemas = schemas_for(version)
    state = sim_state()
    install = {"certificateType": root_type, "certificate": ca.cert_pem().decode()}
    assert install_certificate(install, state) == {"status": "Accepted"}
    assert install_certificate(install, state) == {"status": "Accepted"}  # no duplicate
    assert len(state.certificates) == 1
    ask: dict[str, Any] = {"certificateType": root_type if version is OcppVersion.V16 else [root_type]}
    listed = installed_certificate_ids(version, ask, state)
    schemas.validate_response("GetInstalledCertificateIds", listed)
    expected = certificate_hash_data(ca.cert, ca.cert).to_json()
    if version is OcppVersion.V16:
        assert listed["certificateHashData"] == [expected]
    else:
        assert listed["certificateHashDataChain"] == [{"certificateType": root_type, "certificateHashData": expected}]
    upper = {**expected, "serialNumber": expected["serialNumber"].upper()}
    assert delete_certificate({"certificateHashData": upper}, state) == {"status": "Accepted"}
    assert delete_certificate({"certificateHashData": expected}, state) == {"status": "NotFound"}
    assert installed_certificate_ids(version, ask, state) == {"status": "NotFound"}
