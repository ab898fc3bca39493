"""Translating gateway state (issue 13): per-station counters and state, transaction id
mappings, the durable queue of messages for the upstream CSMS.

Revision ID: 0010_translator
Revises: 0009_smart_charging
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_translator"
down_revision = "0009_smart_charging"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "translator_stations",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("seq_no", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("event_id", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("notify_seq_no", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("next_tx_key", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("next_request_id", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("next_item_no", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_table(
        "translator_sessions",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("session_key", sa.BigInteger(), nullable=False),
        sa.Column("station_tx_id", sa.String(length=36), nullable=False),
        sa.Column("upstream_tx_id", sa.String(length=36), nullable=True),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("ended", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", "session_key"),
    )
    op.create_index("ix_translator_sessions_station_tx", "translator_sessions", ["station_id", "station_tx_id"])
    op.create_index("ix_translator_sessions_open", "translator_sessions", ["station_id", "ended"])
    op.create_table(
        "translator_queue",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("item_no", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("session_key", sa.BigInteger(), nullable=True),
        sa.Column("tag", sa.String(length=16), nullable=True),
        sa.Column("queued_offline", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="queued", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", "item_no"),
    )
    op.create_index("ix_translator_queue_status", "translator_queue", ["status"])


def downgrade() -> None:
    op.drop_index("ix_translator_queue_status", table_name="translator_queue")
    op.drop_table("translator_queue")
    op.drop_index("ix_translator_sessions_open", table_name="translator_sessions")
    op.drop_index("ix_translator_sessions_station_tx", table_name="translator_sessions")
    op.drop_table("translator_sessions")
    op.drop_table("translator_stations")
