"""Procurement: certification records in the compatibility matrix and stations' required profiles.

- ``certification_records``: OCA certificates and metering approvals per vendor/model/firmware;
- ``station_requirements``: the requirement names a station must keep across firmware updates.

Revision ID: 0018_procurement
Revises: 0017_edge
"""

import sqlalchemy as sa
from alembic import op

revision = "0018_procurement"
down_revision = "0017_edge"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "certification_records",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("vendor", sa.String(length=50), nullable=False),
        sa.Column("model", sa.String(length=50), nullable=False),
        sa.Column("firmware_version", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("certificate_id", sa.String(length=100), nullable=False),
        sa.Column("ocpp_version", sa.String(length=8), nullable=True),
        sa.Column("profiles", sa.JSON(), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("link", sa.String(length=500), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_certification_records_model", "certification_records", ["vendor", "model", "firmware_version"])
    op.create_table(
        "station_requirements",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("requires", sa.JSON(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("station_id"),
    )


def downgrade() -> None:
    op.drop_table("station_requirements")
    op.drop_index("ix_certification_records_model", table_name="certification_records")
    op.drop_table("certification_records")
