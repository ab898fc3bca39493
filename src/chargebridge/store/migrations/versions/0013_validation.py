"""Validation bench runs (issue 16): runs with their reports, quirks per vendor/model/firmware,
integrity failures reported by stations.

Revision ID: 0013_validation
Revises: 0012_billing
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_validation"
down_revision = "0012_billing"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "validation_runs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("level_requested", sa.String(length=16), nullable=False),
        sa.Column("level_reached", sa.String(length=16), nullable=False),
        sa.Column("ocpp_version", sa.String(length=8), nullable=True),
        sa.Column("vendor", sa.String(length=50), nullable=True),
        sa.Column("model", sa.String(length=50), nullable=True),
        sa.Column("firmware_version", sa.String(length=64), nullable=True),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("started_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("finished_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_validation_runs_station", "validation_runs", ["station_id", "started_at"])
    op.create_index("ix_validation_runs_model", "validation_runs", ["vendor", "model", "firmware_version"])
    op.create_table(
        "validation_quirks",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("vendor", sa.String(length=50), nullable=False),
        sa.Column("model", sa.String(length=50), nullable=False),
        sa.Column("firmware_version", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=40), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_validation_quirks_model", "validation_quirks", ["vendor", "model", "firmware_version"])
    op.create_index("ix_validation_quirks_run", "validation_quirks", ["run_id"])
    op.create_table(
        "station_integrity_failures",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("type", sa.String(length=50), nullable=False),
        sa.Column("tech_info", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=32), nullable=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("acknowledged_at", TZ, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_station_integrity_failures_station", "station_integrity_failures", ["station_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_station_integrity_failures_station", table_name="station_integrity_failures")
    op.drop_table("station_integrity_failures")
    op.drop_index("ix_validation_quirks_run", table_name="validation_quirks")
    op.drop_index("ix_validation_quirks_model", table_name="validation_quirks")
    op.drop_table("validation_quirks")
    op.drop_index("ix_validation_runs_model", table_name="validation_runs")
    op.drop_index("ix_validation_runs_station", table_name="validation_runs")
    op.drop_table("validation_runs")
