"""Operator experience (issue 19): station clocks and meter sample retention.

- ``stations``: ``clock_skew_s`` / ``clock_skew_at``, the station clock's last offset beyond
  ``clock_skew_limit_s`` (null while its times agree with the server's);
- ``transactions``: ``start_in_future``, ``end_before_start`` and ``time_note``, times from a
  wrong station clock, stored as sent and flagged;
- ``meter_aggregates``: per-session, per-hour aggregates of the raw meter samples the retention
  job deletes.

Revision ID: 0015_operations
Revises: 0014_cluster
"""

import sqlalchemy as sa
from alembic import op

revision = "0015_operations"
down_revision = "0014_cluster"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.add_column(sa.Column("clock_skew_s", sa.Float(), nullable=True))
        batch.add_column(sa.Column("clock_skew_at", TZ, nullable=True))
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("start_in_future", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch.add_column(sa.Column("end_before_start", sa.Boolean(), server_default=sa.text("false"), nullable=False))
        batch.add_column(sa.Column("time_note", sa.String(length=255), nullable=True))
    # Transactions stored before: an end before the start is plain from the row itself.
    op.execute(
        "UPDATE transactions SET end_before_start = true, time_note = 'the end is before the start' "
        "WHERE stopped_at IS NOT NULL AND started_at IS NOT NULL AND stopped_at < started_at"
    )
    op.create_table(
        "meter_aggregates",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.String(length=36), server_default="", nullable=False),
        sa.Column("hour", TZ, nullable=False),
        sa.Column("measurand", sa.String(length=64), nullable=False),
        sa.Column("phase", sa.String(length=8), server_default="", nullable=False),
        sa.Column("location", sa.String(length=8), server_default="", nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("samples", sa.Integer(), nullable=False),
        sa.Column("min_value", sa.Float(), nullable=False),
        sa.Column("max_value", sa.Float(), nullable=False),
        sa.Column("sum_value", sa.Float(), nullable=False),
        sa.Column("first_at", TZ, nullable=False),
        sa.Column("first_value", sa.Float(), nullable=False),
        sa.Column("last_at", TZ, nullable=False),
        sa.Column("last_value", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ux_meter_aggregates_bucket",
        "meter_aggregates",
        ["station_id", "evse_id", "transaction_id", "hour", "measurand", "phase", "location", "unit"],
        unique=True,
    )
    op.create_index("ix_meter_aggregates_station_hour", "meter_aggregates", ["station_id", "hour"])
    op.create_index("ix_meter_aggregates_tx", "meter_aggregates", ["station_id", "transaction_id"])


def downgrade() -> None:
    op.drop_index("ix_meter_aggregates_tx", table_name="meter_aggregates")
    op.drop_index("ix_meter_aggregates_station_hour", table_name="meter_aggregates")
    op.drop_index("ux_meter_aggregates_bucket", table_name="meter_aggregates")
    op.drop_table("meter_aggregates")
    with op.batch_alter_table("transactions") as batch:
        batch.drop_column("time_note")
        batch.drop_column("end_before_start")
        batch.drop_column("start_in_future")
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("clock_skew_at")
        batch.drop_column("clock_skew_s")
