"""Sites and energy management (issue 14): sites and feeders, station and EVSE energy settings, curtailments.

Revision ID: 0011_energy
Revises: 0010_translator
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_energy"
down_revision = "0010_translator"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "energy_sites",
        sa.Column("id", sa.String(length=48), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("parent_id", sa.String(length=48), nullable=True),
        sa.Column("grid_limit_a", sa.Float(), nullable=False),
        sa.Column("phases", sa.Integer(), nullable=False),
        sa.Column("voltage_v", sa.Float(), nullable=False),
        sa.Column("min_current_a", sa.Float(), nullable=False),
        sa.Column("safety_margin_a", sa.Float(), nullable=False),
        sa.Column("fallback_limit_a", sa.Float(), nullable=True),
        sa.Column("meter", sa.String(length=100), nullable=True),
        sa.Column("meter_includes_charging", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("schedule", sa.JSON(), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["energy_sites.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_energy_sites_parent", "energy_sites", ["parent_id"])
    op.create_table(
        "energy_stations",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("site_id", sa.String(length=48), nullable=True),
        sa.Column("max_current_a", sa.Float(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("phase_rotation", sa.String(length=3), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["energy_sites.id"], ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_index("ix_energy_stations_site", "energy_stations", ["site_id"])
    op.create_table(
        "energy_evses",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("evse_id", sa.Integer(), nullable=False),
        sa.Column("max_current_a", sa.Float(), nullable=True),
        sa.Column("priority", sa.Integer(), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["station_id"], ["stations.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("station_id", "evse_id"),
    )
    op.create_table(
        "energy_curtailments",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("site_id", sa.String(length=48), nullable=False),
        sa.Column("limit_a", sa.Float(), nullable=False),
        sa.Column("limit_kw", sa.Float(), nullable=True),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("ends_at", TZ, nullable=False),
        sa.Column("cleared_at", TZ, nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("via", sa.String(length=16), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["energy_sites.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_energy_curtailments_site", "energy_curtailments", ["site_id", "ends_at"])


def downgrade() -> None:
    op.drop_index("ix_energy_curtailments_site", table_name="energy_curtailments")
    op.drop_table("energy_curtailments")
    op.drop_table("energy_evses")
    op.drop_index("ix_energy_stations_site", table_name="energy_stations")
    op.drop_table("energy_stations")
    op.drop_index("ix_energy_sites_parent", table_name="energy_sites")
    op.drop_table("energy_sites")
