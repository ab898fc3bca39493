"""Tables owned by the security package: the audit log and API-token station scopes.

They share :data:`chargebridge.store.schema.metadata`; migration ``0002_security`` creates them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table

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
