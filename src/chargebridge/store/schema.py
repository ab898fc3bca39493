"""Database tables (SQLAlchemy Core). The Alembic migrations under ``store/migrations`` create
exactly these; a test compares the two so they cannot drift apart."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect

metadata = MetaData()


class UtcDateTime(TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that always hands back timezone-aware UTC datetimes.

    SQLite keeps no zone and returns naive values; without this, every reader had to remember
    to re-attach UTC, and one that forgot sent a time without an offset to the API (which a
    browser then reads as its local time). Values are stored in UTC; a naive value given to the
    database is taken as UTC (the convention of the whole code base)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, datetime):
            return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return value


TZ = UtcDateTime()
# BIGINT on PostgreSQL, but INTEGER on SQLite so that it stays the rowid (autoincrement).
BigId = BigInteger().with_variant(Integer(), "sqlite")

stations = Table(
    "stations",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("ocpp_version", String(8)),
    Column("vendor", String(50)),
    Column("model", String(50)),
    Column("serial_number", String(64)),
    Column("firmware_version", String(64)),
    Column("iccid", String(32)),
    Column("imsi", String(32)),
    Column("meter_type", String(32)),
    Column("meter_serial_number", String(32)),
    Column("registration_status", String(16), nullable=False, server_default="Accepted"),
    Column("boot_status", String(16)),
    Column("password_hash", String(255)),
    # Password rotation: the new password the station was told; the old one stays valid until it is used.
    Column("pending_password_hash", String(255)),
    Column("password_changed_at", TZ),
    Column("security_profile", Integer, nullable=False, server_default="0"),
    Column("connected", Boolean, nullable=False, server_default=text("false")),
    # Cluster mode: the node whose socket the station is on (NULL on one node).
    Column("node_id", String(64)),
    Column("connected_at", TZ),
    Column("disconnected_at", TZ),
    Column("last_seen", TZ),
    Column("last_boot_at", TZ),
    Column("created_at", TZ, nullable=False),
    # The station's clock (migration 0015): how far its last timestamp beyond clock_skew_limit_s was
    # from the server's clock (seconds, positive: ahead) and when; null once its times agree again.
    Column("clock_skew_s", Float),
    Column("clock_skew_at", TZ),
)

connectors = Table(
    "connectors",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("evse_id", Integer, primary_key=True),
    Column("connector_id", Integer, primary_key=True),
    Column("status", String(16), nullable=False),
    Column("error_code", String(64)),
    Column("vendor_error_code", String(255)),
    Column("info", String(255)),
    Column("updated_at", TZ, nullable=False),
)

faults = Table(
    "faults",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), nullable=False),
    Column("evse_id", Integer, nullable=False, server_default="0"),
    Column("connector_id", Integer, nullable=False, server_default="0"),
    Column("source", String(32), nullable=False),
    Column("code", String(64), nullable=False),
    Column("vendor_code", String(255)),
    Column("info", Text),
    Column("raised_at", TZ, nullable=False),
    Column("cleared_at", TZ),
    Index("ix_faults_station_active", "station_id", "cleared_at"),
)

station_events = Table(
    "station_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48)),  # None: a server security event before any station id (TLS)
    Column("at", TZ, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("data", JSON, nullable=False),
    Index("ix_station_events_station_at", "station_id", "at"),
)

id_tokens = Table(
    "id_tokens",
    metadata,
    Column("id_token", String(255), primary_key=True),
    Column("type", String(20)),
    Column("status", String(16), nullable=False),
    Column("expires_at", TZ),
    Column("group_id", String(255)),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

transactions = Table(
    "transactions",
    metadata,
    # The surrogate key doubles as the integer transactionId a 1.6 station is given.
    Column("pk", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("transaction_id", String(36), nullable=False),
    Column("ocpp_version", String(8), nullable=False),
    Column("evse_id", Integer),
    Column("connector_id", Integer),
    Column("id_token", String(255)),
    Column("id_token_status", String(16)),
    Column("started_at", TZ),
    Column("stopped_at", TZ),
    Column("meter_start_wh", Float),
    Column("meter_stop_wh", Float),
    Column("energy_wh", Float),
    Column("sampled_min_wh", Float),
    Column("sampled_max_wh", Float),
    Column("energy_mismatch", Boolean, nullable=False, server_default=text("false")),
    Column("energy_note", String(255)),
    Column("stop_reason", String(32)),
    Column("active", Boolean, nullable=False),
    Column("orphan", Boolean, nullable=False, server_default=text("false")),
    Column("offline", Boolean, nullable=False, server_default=text("false")),
    Column("remote_start_id", Integer),
    Column("charging_state", String(20)),
    Column("start_seq_no", Integer),
    Column("end_seq_no", Integer),
    Column("last_seq_no", Integer),
    Column("dedupe_key", String(64)),
    # Finalisation (migration 0016): complete | awaiting_events | incomplete; null while active.
    Column("completeness", String(16)),
    Column("finalised_at", TZ),
    Column("missing_seq_nos", JSON),  # seqNos still missing when the transaction ended (at most 100)
    Column("awaiting_since", TZ),
    Column("finalise_after", TZ),  # finalise as incomplete from then on, even without the missing events
    Column("finalise_note", String(255)),
    # The station's clock (migration 0015): stored as sent, flagged for billing and review.
    Column("start_in_future", Boolean, nullable=False, server_default=text("false")),
    Column("end_before_start", Boolean, nullable=False, server_default=text("false")),
    Column("time_note", String(255)),
    Column("updated_at", TZ, nullable=False),
    Index(
        "ux_transactions_station_tx",
        "station_id",
        "transaction_id",
        unique=True,
        sqlite_where=text("orphan = 0"),
        postgresql_where=text("orphan = false"),
    ),
    Index(
        "ux_transactions_dedupe",
        "station_id",
        "dedupe_key",
        unique=True,
        sqlite_where=text("dedupe_key IS NOT NULL"),
        postgresql_where=text("dedupe_key IS NOT NULL"),
    ),
    Index("ix_transactions_active", "station_id", "active"),
    Index("ix_transactions_started", "started_at"),
)

transaction_events = Table(
    "transaction_events",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("transaction_id", String(36), nullable=False),
    Column("seq_no", Integer, nullable=False),
    Column("event_type", String(8), nullable=False),
    Column("timestamp", TZ, nullable=False),
    Column("offline", Boolean, nullable=False),
    Column("received_at", TZ, nullable=False),
    Index("ux_transaction_events_seq", "station_id", "transaction_id", "seq_no", unique=True),
)

meter_samples = Table(
    "meter_samples",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer),
    Column("transaction_id", String(36)),
    Column("timestamp", TZ, nullable=False),
    Column("measurand", String(64), nullable=False),
    Column("value", Float, nullable=False),
    Column("unit", String(32), nullable=False),
    Column("phase", String(8)),
    Column("location", String(8)),
    Column("context", String(24), nullable=False),
    Index("ix_meter_samples_station_ts", "station_id", "timestamp"),
    Index("ix_meter_samples_tx", "station_id", "transaction_id"),
)

# Signed meter readings (OCMF and other formats) as the station sent them: 2.0.1 signedMeterValue,
# 1.6 SampledValue format SignedData, vendor DataTransfer. Verified by billing (migration 0012).
signed_meter_values = Table(
    "signed_meter_values",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("connector_id", Integer),
    Column("transaction_id", String(36)),
    Column("timestamp", TZ, nullable=False),
    Column("measurand", String(64), nullable=False),
    Column("context", String(24), nullable=False),
    Column("encoding_method", String(50), nullable=False),
    Column("signing_method", String(50)),
    Column("data", Text, nullable=False),
    Column("public_key", Text),
    Column("received_at", TZ, nullable=False),
    Index("ix_signed_meter_values_tx", "station_id", "transaction_id"),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100)),
    Column("token_hash", String(128), nullable=False, unique=True),
    Column("role", String(16), nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("expires_at", TZ),
    Column("revoked_at", TZ),
)
