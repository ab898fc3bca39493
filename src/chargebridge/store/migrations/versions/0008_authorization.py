"""Reservations and local authorization lists (blocks H, D).

Revision ID: 0008_authorization
Revises: 0007_device_model
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_authorization"
down_revision = "0007_device_model"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "reservations",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=True),
        sa.Column("connector_type", sa.String(length=20), nullable=True),
        sa.Column("id_token", sa.String(length=255), nullable=False),
        sa.Column("id_token_type", sa.String(length=20), nullable=True),
        sa.Column("group_id_token", sa.String(length=255), nullable=True),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("used_at", TZ, nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_reservations_station", "reservations", ["station_id", "id"])
    op.create_index("ix_reservations_state_expiry", "reservations", ["state", "expires_at"])
    op.create_table(
        "local_list_entries",
        sa.Column("id_token", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=True),
        sa.Column("expires_at", TZ, nullable=True),
        sa.Column("group_id", sa.String(length=255), nullable=True),
        sa.Column("changed_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id_token", "version"),
    )
    op.create_index("ix_local_list_entries_version", "local_list_entries", ["version"])
    op.create_table(
        "local_list_stations",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("reported_version", sa.Integer(), nullable=True),
        sa.Column("reported_at", TZ, nullable=True),
        sa.Column("supported", sa.Boolean(), nullable=True),
        sa.Column("station_enabled", sa.Boolean(), nullable=True),
        sa.Column("max_entries", sa.Integer(), nullable=True),
        sa.Column("items_per_message", sa.Integer(), nullable=True),
        sa.Column("bytes_per_message", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("last_update_type", sa.String(length=16), nullable=True),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("synced_at", TZ, nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("station_id"),
    )


def downgrade() -> None:
    op.drop_table("local_list_stations")
    op.drop_index("ix_local_list_entries_version", table_name="local_list_entries")
    op.drop_table("local_list_entries")
    op.drop_index("ix_reservations_state_expiry", table_name="reservations")
    op.drop_index("ix_reservations_station", table_name="reservations")
    op.drop_table("reservations")
