"""Pure rules of blocks E, L and M: missing seqNos, publication states, OCSP answers and the
cache, OCSP signer trust, ISO 15118 CSRs, contract chains."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509 import ocsp
from cryptography.x509.oid import NameOID

from chargebridge.domain.iso15118 import AuthorizeCertificateStatus, OcspRequestData
from chargebridge.domain.transactions import missing_seq_nos
from chargebridge.firmware.publishing import next_state
from chargebridge.iso15118.ocsp import CertStatus, OcspClient, OcspFailure, OcspSettings, parse_request, read_answer
from chargebridge.iso15118.pki import SignerTrust, check_contract_chain, check_ocsp_signer, ocsp_data_of
from chargebridge.iso15118.v2g import check_v2g_csr
from chargebridge.security.csr import CsrAccepted, CsrRefused
from tests.integration.pnc_pki import make_cert

NOW = datetime.now(UTC)


def test_missing_seq_nos() -> None:
    assert missing_seq_nos({0, 1, 2}, 0, 2) == []
    assert missing_seq_nos({0, 2, 3}, 0, 3) == [1]
    assert missing_seq_nos({7, 9}, 7, 9) == [8]  # a counter across transactions starts at its Started event
    assert missing_seq_nos({3}, None, 3) == [0, 1, 2]  # the Started event itself is missing
    assert len(missing_seq_nos(set(), None, 5000)) == 100  # listed up to 100


@pytest.mark.parametrize(
    ("state", "status", "target"),
    [
        ("accepted", "Downloading", "downloading"),
        ("downloading", "Downloaded", "downloaded"),
        ("downloaded", "Downloading", None),  # late: ignored
        ("checksum_verified", "Published", "published"),
        ("downloading", "InvalidChecksum", "invalid_checksum"),
        ("download_paused", "Downloading", "downloading"),
        ("published", "Downloading", None),
        ("invalid_checksum", "Published", None),
        ("accepted", "Idle", None),
    ],
)
def test_publication_states(state: str, status: str, target: str | None) -> None:
    assert next_state(state, status) == target


def _response(
    issuer: object, cert: x509.Certificate, status: ocsp.OCSPCertStatus, signer: object, **times: datetime
) -> bytes:
    builder = ocsp.OCSPResponseBuilder().add_response(
        cert,
        issuer.cert,  # type: ignore[attr-defined]
        hashes.SHA256(),
        status,
        times.get("this_update", NOW - timedelta(minutes=1)),
        times.get("next_update", NOW + timedelta(hours=1)),
        NOW if status is ocsp.OCSPCertStatus.REVOKED else None,
        None,
    )
    builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, signer.cert)  # type: ignore[attr-defined]
    return builder.sign(signer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)  # type: ignore[attr-defined]


def test_read_answer_checks_what_it_answers() -> None:
    root = make_cert("Root", None, ca=True)
    leaf, other = make_cert("A", root, ca=False), make_cert("B", root, ca=False)
    data = ocsp_data_of(leaf.cert, root.cert)
    answer = read_answer(_response(root, leaf.cert, ocsp.OCSPCertStatus.REVOKED, root), data, NOW)
    assert answer.status is CertStatus.REVOKED
    with pytest.raises(OcspFailure) as wrong:
        read_answer(_response(root, other.cert, ocsp.OCSPCertStatus.GOOD, root), data, NOW)
    assert wrong.value.code == "InvalidResponse"
    stale = _response(
        root,
        leaf.cert,
        ocsp.OCSPCertStatus.GOOD,
        root,
        this_update=NOW - timedelta(days=2),
        next_update=NOW - timedelta(days=1),
    )
    with pytest.raises(OcspFailure) as old:
        read_answer(stale, data, NOW)
    assert old.value.code == "StaleResponse"
    with pytest.raises(OcspFailure):
        parse_request(OcspRequestData("SHA256", "zz", "00", "1", "http://x"))


def test_signer_trust() -> None:
    root = make_cert("Root", None, ca=True)
    sub = make_cert("Sub", root, ca=True)
    leaf = make_cert("Leaf", sub, ca=False)
    data = ocsp_data_of(leaf.cert, sub.cert)
    by_issuer = ocsp.load_der_ocsp_response(_response(sub, leaf.cert, ocsp.OCSPCertStatus.GOOD, sub))
    assert check_ocsp_signer(by_issuer, data, [sub.cert], [root.cert], NOW) is SignerTrust.TRUSTED
    assert check_ocsp_signer(by_issuer, data, [sub.cert], [], NOW) is SignerTrust.UNVERIFIED  # no anchor
    stranger = make_cert("Stranger", None, ca=True)
    no_delegation = make_cert("Plain", sub, ca=False)  # issued by the CA but without id-kp-OCSPSigning
    forged = ocsp.load_der_ocsp_response(_response(sub, leaf.cert, ocsp.OCSPCertStatus.GOOD, no_delegation))
    assert check_ocsp_signer(forged, data, [sub.cert, no_delegation.cert], [root.cert], NOW) is SignerTrust.UNVERIFIED
    rogue = ocsp.load_der_ocsp_response(_response(sub, leaf.cert, ocsp.OCSPCertStatus.GOOD, stranger))
    assert check_ocsp_signer(rogue, data, [sub.cert], [root.cert], NOW) is SignerTrust.UNVERIFIED


def test_contract_chain() -> None:
    root = make_cert("MO Root", None, ca=True)
    sub = make_cert("MO Sub", root, ca=True)
    leaf = make_cert("EMAID", sub, ca=False, ocsp_url="http://ocsp.example/")
    verdict = check_contract_chain([leaf.cert, sub.cert], [root.cert], NOW)
    assert verdict.status is AuthorizeCertificateStatus.ACCEPTED
    assert [d.responder_url for d in verdict.to_check] == ["http://ocsp.example/"]
    assert check_contract_chain([leaf.cert, sub.cert], [], NOW).status is AuthorizeCertificateStatus.CERT_CHAIN_ERROR
    other_sub = make_cert("Other Sub", root, ca=True)
    assert check_contract_chain([leaf.cert, other_sub.cert], [root.cert], NOW).status is (
        AuthorizeCertificateStatus.SIGNATURE_ERROR
    )


def _csr(cn: str, curve: ec.EllipticCurve) -> str:
    key = ec.generate_private_key(curve)
    csr = x509.CertificateSigningRequestBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
    return csr.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM).decode()


def test_v2g_csr_rules() -> None:
    assert isinstance(check_v2g_csr(_csr("CP-1", ec.SECP256R1()), "CP-1"), CsrAccepted)
    assert isinstance(check_v2g_csr(_csr("CP-1", ec.SECP384R1()), "CP-1"), CsrRefused)
    assert isinstance(check_v2g_csr(_csr("CP-2", ec.SECP256R1()), "CP-1"), CsrRefused)
    assert isinstance(check_v2g_csr("not a csr", "CP-1"), CsrRefused)


async def test_cache_is_bounded_and_respects_next_update() -> None:
    clock = [NOW]
    client = OcspClient(OcspSettings(cache_size=2), lambda: clock[0])
    try:
        root = make_cert("Root", None, ca=True)
        certs = [make_cert(f"L{i}", root, ca=False) for i in range(3)]
        for cert in certs:
            data = ocsp_data_of(cert.cert, root.cert)
            client._store(
                data.key(), read_answer(_response(root, cert.cert, ocsp.OCSPCertStatus.GOOD, root), data, NOW)
            )
        assert client.cache_size == 2
        assert client.cached(ocsp_data_of(certs[0].cert, root.cert)) is None  # the oldest went
        assert client.cached(ocsp_data_of(certs[2].cert, root.cert)) is not None
        clock[0] = NOW + timedelta(hours=2)  # past nextUpdate
        assert client.cached(ocsp_data_of(certs[2].cert, root.cert)) is None
    finally:
        await client.close()
