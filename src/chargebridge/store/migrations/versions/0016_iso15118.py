"""ISO 15118 certificates, firmware publishing and transaction-status tracking (OCPP 2.0.1 blocks L, M, E).

- ``trust_anchors``: the V2G and MO roots of the CA store (iso15118 package);
- ``firmware_publications``: PublishFirmware requests to local controllers and their status;
- ``transactions``: finalisation columns (an ended 2.0.1 transaction with missing seqNos waits for
  them before it is final). Transactions that had already ended are final (``complete``).

Revision ID: 0016_iso15118
Revises: 0015_operations
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_iso15118"
down_revision = "0015_operations"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trust_anchors",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("serial_number", sa.String(length=40), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("not_before", TZ, nullable=False),
        sa.Column("not_after", TZ, nullable=False),
        sa.Column("pem", sa.Text(), nullable=False),
        sa.Column("added_at", TZ, nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_trust_anchors_fingerprint", "trust_anchors", ["fingerprint"], unique=True)
    op.create_table(
        "firmware_publications",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("image_id", sa.String(length=32), nullable=False),
        sa.Column("checksum", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("locations", sa.JSON(), nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("published_at", TZ, nullable=True),
        sa.Column("unpublished_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_firmware_publications_station", "firmware_publications", ["station_id", "id"])
    with op.batch_alter_table("transactions") as batch:
        batch.add_column(sa.Column("completeness", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("finalised_at", TZ, nullable=True))
        batch.add_column(sa.Column("missing_seq_nos", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("awaiting_since", TZ, nullable=True))
        batch.add_column(sa.Column("finalise_after", TZ, nullable=True))
        batch.add_column(sa.Column("finalise_note", sa.String(length=255), nullable=True))
    # Whatever had ended before finalisation existed is final.
    op.execute(
        "UPDATE transactions SET completeness = 'complete', finalised_at = COALESCE(stopped_at, updated_at) "
        "WHERE active = false"
    )


def downgrade() -> None:
    with op.batch_alter_table("transactions") as batch:
        for column in ("finalise_note", "finalise_after", "awaiting_since", "missing_seq_nos", "finalised_at"):
            batch.drop_column(column)
        batch.drop_column("completeness")
    op.drop_index("ix_firmware_publications_station", table_name="firmware_publications")
    op.drop_table("firmware_publications")
    op.drop_index("ux_trust_anchors_fingerprint", table_name="trust_anchors")
    op.drop_table("trust_anchors")
