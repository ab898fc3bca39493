"""Initial schema: stations, connectors, faults, events, id tokens, transactions, meter samples, API tokens.

Revision ID: 0001_initial
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("token_hash", sa.String(length=128), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_table(
        "id_tokens",
        sa.Column("id_token", sa.String(length=255), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id_token"),
    )
    op.create_table(
        "meter_samples",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("measurand", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("phase", sa.String(length=8), nullable=True),
        sa.Column("location", sa.String(length=8), nullable=True),
        sa.Column("context", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meter_samples_station_ts", "meter_samples", ["station_id", "timestamp"], unique=False)
    op.create_index("ix_meter_samples_tx", "meter_samples", ["station_id", "transaction_id"], unique=False)
    op.create_table(
        "station_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_station_events_station_at", "station_events", ["station_id", "at"], unique=False)
    op.create_table(
        "stations",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("ocpp_version", sa.String(length=8), nullable=True),
        sa.Column("vendor", sa.String(length=50), nullable=True),
        sa.Column("model", sa.String(length=50), nullable=True),
        sa.Column("serial_number", sa.String(length=64), nullable=True),
        sa.Column("firmware_version", sa.String(length=64), nullable=True),
        sa.Column("iccid", sa.String(length=32), nullable=True),
        sa.Column("imsi", sa.String(length=32), nullable=True),
        sa.Column("meter_type", sa.String(length=32), nullable=True),
        sa.Column("meter_serial_number", sa.String(length=32), nullable=True),
        sa.Column("registration_status", sa.String(length=16), server_default="Accepted", nullable=False),
        sa.Column("boot_status", sa.String(length=16), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("security_profile", sa.Integer(), server_default="0", nullable=False),
        sa.Column("connected", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disconnected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_boot_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "transaction_events",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("seq_no", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=8), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("offline", sa.Boolean(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_transaction_events_seq", "transaction_events", ["station_id", "transaction_id", "seq_no"], unique=True
    )
    op.create_table(
        "transactions",
        sa.Column("pk", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("ocpp_version", sa.String(length=8), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.Column("id_token", sa.String(length=255), nullable=True),
        sa.Column("id_token_status", sa.String(length=16), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("meter_start_wh", sa.Float(), nullable=True),
        sa.Column("meter_stop_wh", sa.Float(), nullable=True),
        sa.Column("energy_wh", sa.Float(), nullable=True),
        sa.Column("sampled_min_wh", sa.Float(), nullable=True),
        sa.Column("sampled_max_wh", sa.Float(), nullable=True),
        sa.Column("energy_mismatch", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("energy_note", sa.String(length=255), nullable=True),
        sa.Column("stop_reason", sa.String(length=32), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("orphan", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("offline", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("remote_start_id", sa.Integer(), nullable=True),
        sa.Column("charging_state", sa.String(length=20), nullable=True),
        sa.Column("start_seq_no", sa.Integer(), nullable=True),
        sa.Column("end_seq_no", sa.Integer(), nullable=True),
        sa.Column("last_seq_no", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("pk"),
    )
    op.create_index("ix_transactions_active", "transactions", ["station_id", "active"], unique=False)
    op.create_index("ix_transactions_started", "transactions", ["started_at"], unique=False)
    op.create_index(
        "ux_transactions_dedupe",
        "transactions",
        ["station_id", "dedupe_key"],
        unique=True,
        sqlite_where=sa.text("dedupe_key IS NOT NULL"),
        postgresql_where=sa.text("dedupe_key IS NOT NULL"),
    )
    op.create_index(
        "ux_transactions_station_tx",
        "transactions",
        ["station_id", "transaction_id"],
        unique=True,
        sqlite_where=sa.text("orphan = 0"),
        postgresql_where=sa.text("orphan = false"),
    )
    op.create_table(
        "connectors",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("vendor_error_code", sa.String(length=255), nullable=True),
        sa.Column("info", sa.String(length=255), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", "evse_id", "connector_id"),
    )
    op.create_table(
        "faults",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("connector_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("vendor_code", sa.String(length=255), nullable=True),
        sa.Column("info", sa.Text(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_faults_station_active", "faults", ["station_id", "cleared_at"], unique=False)
    # ### end Alembic commands ###


def downgrade() -> None:

    op.drop_index("ix_faults_station_active", table_name="faults")
    op.drop_table("faults")
    op.drop_table("connectors")
    op.drop_index(
        "ux_transactions_station_tx",
        table_name="transactions",
        sqlite_where=sa.text("orphan = 0"),
        postgresql_where=sa.text("orphan = false"),
    )
    op.drop_index(
        "ux_transactions_dedupe",
        table_name="transactions",
        sqlite_where=sa.text("dedupe_key IS NOT NULL"),
        postgresql_where=sa.text("dedupe_key IS NOT NULL"),
    )
    op.drop_index("ix_transactions_started", table_name="transactions")
    op.drop_index("ix_transactions_active", table_name="transactions")
    op.drop_table("transactions")
    op.drop_index("ux_transaction_events_seq", table_name="transaction_events")
    op.drop_table("transaction_events")
    op.drop_table("stations")
    op.drop_index("ix_station_events_station_at", table_name="station_events")
    op.drop_table("station_events")
    op.drop_index("ix_meter_samples_tx", table_name="meter_samples")
    op.drop_index("ix_meter_samples_station_ts", table_name="meter_samples")
    op.drop_table("meter_samples")
    op.drop_table("id_tokens")
    op.drop_table("api_tokens")
    # ### end Alembic commands ###
