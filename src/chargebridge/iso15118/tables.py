"""The CA store's ISO 15118 trust anchors (created by migration 0016_iso15118).

V2G roots (``V2GRootCertificate``: the V2G PKI the SECC certificates and CPS chain to) and MO
roots (``MORootCertificate``: mobility operators whose contract certificates the CSMS accepts),
each a self-signed certificate, unique by SHA-256 fingerprint.
"""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from chargebridge.store.schema import TZ, BigId, metadata

trust_anchors = Table(
    "trust_anchors",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("kind", String(24), nullable=False),  # V2GRootCertificate | MORootCertificate
    Column("subject", String(255), nullable=False),
    Column("serial_number", String(40), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("not_before", TZ, nullable=False),
    Column("not_after", TZ, nullable=False),
    Column("pem", Text, nullable=False),
    Column("added_at", TZ, nullable=False),
    Column("added_by", String(100)),
    Index("ux_trust_anchors_fingerprint", "fingerprint", unique=True),
)
