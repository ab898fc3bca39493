"""Smart charging: charging profiles, external charging limits, ISO 15118 EV charging needs and schedules (block K).

Revision ID: 0009_smart_charging
Revises: 0008_authorization
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_smart_charging"
down_revision = "0008_authorization"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "charging_profiles",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("profile_id", sa.Integer(), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("stack_level", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("limit_source", sa.String(length=8), nullable=True),
        sa.Column("profile", sa.JSON(), nullable=False),
        sa.Column("installed_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("station_id", "profile_id"),
    )
    op.create_index("ix_charging_profiles_transaction", "charging_profiles", ["station_id", "transaction_id"])
    op.create_table(
        "charging_limits",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("grid_critical", sa.Boolean(), nullable=True),
        sa.Column("schedules", sa.JSON(), nullable=False),
        sa.Column("reported_at", TZ, nullable=False),
        sa.Column("cleared_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_charging_limits_station", "charging_limits", ["station_id", "cleared_at"])
    op.create_table(
        "ev_charging_needs",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), nullable=True),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("max_schedule_tuples", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("profile_id", sa.Integer(), nullable=True),
        sa.Column("schedule", sa.JSON(), nullable=True),
        sa.Column("profile_status", sa.String(length=16), nullable=True),
        sa.Column("received_at", TZ, nullable=False),
        sa.Column("answered_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ev_charging_needs_station", "ev_charging_needs", ["station_id", "id"])
    op.create_table(
        "ev_charging_schedules",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("time_base", TZ, nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.String(length=255), nullable=True),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_ev_charging_schedules_station", "ev_charging_schedules", ["station_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_ev_charging_schedules_station", table_name="ev_charging_schedules")
    op.drop_table("ev_charging_schedules")
    op.drop_index("ix_ev_charging_needs_station", table_name="ev_charging_needs")
    op.drop_table("ev_charging_needs")
    op.drop_index("ix_charging_limits_station", table_name="charging_limits")
    op.drop_table("charging_limits")
    op.drop_index("ix_charging_profiles_transaction", table_name="charging_profiles")
    op.drop_table("charging_profiles")
