"""The server's TLS context for OCPP security profiles 2 and 3.

TLS 1.2 and 1.3 only, no compression, no renegotiation, AEAD suites only. For TLS 1.2 the
list holds the four suites the OCPP security whitepaper (1.6) and OCPP 2.0.1 require -
ECDHE-ECDSA with AES-GCM and RSA with AES-GCM - plus ECDHE-RSA with AES-GCM for forward
secrecy with RSA certificates. An RSA and an ECDSA server certificate may be loaded side by
side; OpenSSL picks the one that fits what the station offers.

With a CA file configured the server asks for a client certificate (profile 3) and verifies it
against that CA during the TLS handshake; a station without one still completes TLS and is
judged by its profile at the HTTP handshake.
"""

from __future__ import annotations

import ssl
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa

TLS12_CIPHERS = ":".join(
    [
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-RSA-AES256-GCM-SHA384",
        "AES128-GCM-SHA256",  # TLS_RSA_WITH_AES_128_GCM_SHA256, required by OCPP
        "AES256-GCM-SHA384",  # TLS_RSA_WITH_AES_256_GCM_SHA384, required by OCPP
    ]
)

MIN_RSA_BITS = 2048
MIN_EC_BITS = 256


class WeakKey(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CertKeyPair:
    cert_file: Path
    key_file: Path


def check_key_strength(cert: x509.Certificate) -> None:
    """Refuse RSA keys under 2048 bits and EC keys under 256 bits."""
    key = cert.public_key()
    if isinstance(key, rsa.RSAPublicKey):
        if key.key_size < MIN_RSA_BITS:
            raise WeakKey(f"RSA key of {key.key_size} bits; at least {MIN_RSA_BITS} are required")
    elif isinstance(key, ec.EllipticCurvePublicKey):
        if key.curve.key_size < MIN_EC_BITS:
            raise WeakKey(f"EC key of {key.curve.key_size} bits; at least {MIN_EC_BITS} are required")
    else:
        raise WeakKey(f"unsupported key type {type(key).__name__}; use RSA or ECDSA")


def server_context(chains: Sequence[CertKeyPair], ca_file: Path | None = None) -> ssl.SSLContext:
    if not chains:
        raise ValueError("a TLS listener needs at least one server certificate and key")
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.options |= ssl.OP_NO_COMPRESSION | ssl.OP_NO_RENEGOTIATION | ssl.OP_CIPHER_SERVER_PREFERENCE
    ctx.set_ciphers(TLS12_CIPHERS)
    for chain in chains:
        check_key_strength(x509.load_pem_x509_certificate(chain.cert_file.read_bytes()))
        ctx.load_cert_chain(chain.cert_file, chain.key_file)
    if ca_file is not None:
        ctx.load_verify_locations(cafile=ca_file)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    else:
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


def peer_common_name(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> str | None:
    """The subject CN of a client certificate that passed verification, else None."""
    if ssl_object is None:
        return None
    cert = ssl_object.getpeercert()
    if not cert:
        return None
    for rdn in cert.get("subject", ()):
        for attribute in rdn:
            if attribute[0] == "commonName":
                return str(attribute[1])
    return None
