"""Edges: site controllers that report field devices (``chargebridge edge``).

- ``edges``: one row per edge, with the last applied sequence number of its outbox;
- ``edge_outboxes``: the last applied sequence number per outbox of an edge;
- ``edge_devices``: its devices (labels, reachability, last good read, counters, faults);
- ``edge_samples``: the samples it sent;
- ``edge_commands``: commands and diagnostics for it, and their answers.

Revision ID: 0017_edge
Revises: 0016_iso15118
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_edge"
down_revision = "0016_iso15118"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "edges",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("token_id", sa.String(length=32), nullable=True),
        sa.Column("uplink", sa.String(length=8), nullable=True),
        sa.Column("outbox_id", sa.String(length=64), nullable=True),
        sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("records_total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("duplicates_total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("rejected_total", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("first_seen_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=True),
        sa.Column("status", sa.JSON(), nullable=True),
        sa.Column("status_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "edge_outboxes",
        sa.Column("edge_id", sa.String(length=48), nullable=False),
        sa.Column("outbox_id", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("first_seen_at", TZ, nullable=False),
        sa.Column("last_seen_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("edge_id", "outbox_id"),
    )
    op.create_table(
        "edge_devices",
        sa.Column("edge_id", sa.String(length=48), nullable=False),
        sa.Column("device", sa.String(length=48), nullable=False),
        sa.Column("transport", sa.String(length=8), nullable=True),
        sa.Column("station_id", sa.String(length=48), nullable=True),
        sa.Column("site_id", sa.String(length=64), nullable=True),
        sa.Column("evse_id", sa.Integer(), server_default="0", nullable=False),
        sa.Column("reachable", sa.Boolean(), nullable=True),
        sa.Column("last_good_read_at", TZ, nullable=True),
        sa.Column("last_sample_at", TZ, nullable=True),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("counters", sa.JSON(), nullable=True),
        sa.Column("active_faults", sa.JSON(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("edge_id", "device"),
    )
    op.create_table(
        "edge_samples",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("edge_id", sa.String(length=48), nullable=False),
        sa.Column("device", sa.String(length=48), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("timestamp", TZ, nullable=False),
        sa.Column("sampled_values", sa.JSON(), nullable=False),
        sa.Column("received_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_edge_samples_device", "edge_samples", ["edge_id", "device", "timestamp"])
    op.create_table(
        "edge_commands",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("edge_id", sa.String(length=48), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("answered_at", TZ, nullable=True),
        sa.Column("answer", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_edge_commands_edge", "edge_commands", ["edge_id", "state", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_edge_commands_edge", table_name="edge_commands")
    op.drop_table("edge_commands")
    op.drop_index("ix_edge_samples_device", table_name="edge_samples")
    op.drop_table("edge_samples")
    op.drop_table("edge_devices")
    op.drop_table("edge_outboxes")
    op.drop_table("edges")
