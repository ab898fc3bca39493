"""Tariffs and charge detail records (issue 15).

Revision ID: 0012_billing
Revises: 0011_energy
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_billing"
down_revision = "0011_energy"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "signed_meter_values",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=True),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("timestamp", TZ, nullable=False),
        sa.Column("measurand", sa.String(length=64), nullable=False),
        sa.Column("context", sa.String(length=24), nullable=False),
        sa.Column("encoding_method", sa.String(length=50), nullable=False),
        sa.Column("signing_method", sa.String(length=50), nullable=True),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=True),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_signed_meter_values_tx", "signed_meter_values", ["station_id", "transaction_id"])
    op.create_table(
        "billing_tariffs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "billing_tariff_versions",
        sa.Column("tariff_id", sa.String(length=36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("valid_from", TZ, nullable=False),
        sa.PrimaryKeyConstraint("tariff_id", "version"),
    )
    op.create_table(
        "billing_assignments",
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("tariff_id", sa.String(length=36), nullable=False),
        sa.Column("assigned_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("scope", "key"),
    )
    op.create_index("ix_billing_assignments_tariff", "billing_assignments", ["tariff_id"])
    op.create_table(
        "billing_station_profiles",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("max_power_w", sa.Float(), nullable=True),
        sa.Column("require_signed", sa.Boolean(), nullable=False),
        sa.Column("running_cost", sa.Boolean(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_table(
        "billing_meter_keys",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("public_key", sa.Text(), nullable=False),
        sa.Column("curve", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_billing_meter_keys_station", "billing_meter_keys", ["station_id"])
    op.create_table(
        "billing_cdrs",
        sa.Column("pk", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=39), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=False),
        sa.Column("transaction_pk", sa.BigInteger(), nullable=True),
        sa.Column("id_token", sa.String(length=255), nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.Column("tariff_id", sa.String(length=36), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("start_date_time", TZ, nullable=False),
        sa.Column("end_date_time", TZ, nullable=False),
        sa.Column("total_energy_wh", sa.Text(), nullable=False),
        sa.Column("total_cost_excl", sa.Text(), nullable=False),
        sa.Column("total_cost_incl", sa.Text(), nullable=True),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("credit", sa.Boolean(), nullable=False),
        sa.Column("credit_reference_id", sa.String(length=39), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("review_decision", sa.String(length=16), nullable=True),
        sa.Column("reviewed_at", TZ, nullable=True),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("pk"),
        sa.UniqueConstraint("id"),
    )
    op.create_index("ux_billing_cdrs_transaction", "billing_cdrs", ["transaction_pk"], unique=True)
    op.create_index("ix_billing_cdrs_station_end", "billing_cdrs", ["station_id", "end_date_time"])
    op.create_index("ix_billing_cdrs_token", "billing_cdrs", ["id_token"])
    op.create_index("ix_billing_cdrs_group_end", "billing_cdrs", ["group_id", "end_date_time"])


def downgrade() -> None:
    for index, table in (
        ("ix_billing_cdrs_group_end", "billing_cdrs"),
        ("ix_billing_cdrs_token", "billing_cdrs"),
        ("ix_billing_cdrs_station_end", "billing_cdrs"),
        ("ux_billing_cdrs_transaction", "billing_cdrs"),
        ("ix_billing_meter_keys_station", "billing_meter_keys"),
        ("ix_billing_assignments_tariff", "billing_assignments"),
        ("ix_signed_meter_values_tx", "signed_meter_values"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "billing_cdrs",
        "billing_meter_keys",
        "billing_station_profiles",
        "billing_assignments",
        "billing_tariff_versions",
        "billing_tariffs",
        "signed_meter_values",
    ):
        op.drop_table(table)
