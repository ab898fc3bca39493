"""Station certificates, password rotation, station-less security events.

Revision ID: 0005_certificates_rotation
Revises: 0004_firmware
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_certificates_rotation"
down_revision = "0004_firmware"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.add_column(sa.Column("pending_password_hash", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("password_changed_at", TZ, nullable=True))
    # Security events the server records before it knows a station (TLS handshakes) have no station.
    with op.batch_alter_table("station_events") as batch:
        batch.alter_column("station_id", existing_type=sa.String(length=48), nullable=True)
    op.create_table(
        "station_certificates",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("certificate_type", sa.String(length=40), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("serial_number", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=True),
        sa.Column("issuer", sa.String(length=255), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=True),
        sa.Column("hash_data", sa.JSON(), nullable=True),
        sa.Column("not_before", TZ, nullable=True),
        sa.Column("not_after", TZ, nullable=True),
        sa.Column("pem", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_station_certificates_station", "station_certificates", ["station_id", "certificate_type"])
    op.create_index("ix_station_certificates_not_after", "station_certificates", ["not_after"])


def downgrade() -> None:
    op.drop_index("ix_station_certificates_not_after", table_name="station_certificates")
    op.drop_index("ix_station_certificates_station", table_name="station_certificates")
    op.drop_table("station_certificates")
    with op.batch_alter_table("station_events") as batch:
        batch.alter_column("station_id", existing_type=sa.String(length=48), nullable=False)
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("password_changed_at")
        batch.drop_column("pending_password_hash")
