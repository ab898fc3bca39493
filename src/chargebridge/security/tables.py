"""Tables owned by the security package: the audit log, API-token station scopes, station certificates.

They share :data:`chargebridge.store.schema.metadata`; migrations ``0002_security`` and
``0005_certificates_rotation`` create them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text

from chargebridge.store.schema import TZ, BigId, metadata

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("at", TZ, nullable=False),
    Column("actor", String(32)),
    Column("actor_name", String(100)),
    Column("role", String(16)),
    Column("action", String(100), nullable=False),
    Column("method", String(8), nullable=False),
    Column("path", String(255), nullable=False),
    Column("station_id", String(48)),
    Column("parameters", JSON),
    Column("result", String(16), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("detail", JSON),
    Column("source", String(64)),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_station_at", "station_id", "at"),
)

api_token_stations = Table(
    "api_token_stations",
    metadata,
    Column("token_id", String(32), ForeignKey("api_tokens.id", ondelete="CASCADE"), primary_key=True),
    Column("station_id", String(48), primary_key=True),
)

# Every certificate the CSMS knows a station holds: signed by our CA after a SignCertificate
# (origin "signed"), seen as a TLS client certificate ("client_tls"), sent with InstallCertificate
# ("installed") or reported by GetInstalledCertificateIds ("reported").
station_certificates = Table(
    "station_certificates",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), nullable=False),
    Column("certificate_type", String(40), nullable=False),
    Column("origin", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("serial_number", String(64), nullable=False),
    Column("subject", String(255)),
    Column("issuer", String(255)),
    Column("fingerprint", String(64)),  # SHA-256 of the DER certificate, when the CSMS has it
    Column("hash_data", JSON),  # OCPP certificateHashData (hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber)
    Column("not_before", TZ),
    Column("not_after", TZ),
    Column("pem", Text),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Index("ix_station_certificates_station", "station_id", "certificate_type"),
    Index("ix_station_certificates_not_after", "not_after"),
)
