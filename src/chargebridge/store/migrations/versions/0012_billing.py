"""Tariffs and charge detail records (issue 15).

Revision ID: 0012_billing
Revises: 0011_energy
"""

revision = "0012_billing"
down_revision = "0011_energy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
