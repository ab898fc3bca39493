"""Cluster mode (issue 17).

Revision ID: 0014_cluster
Revises: 0013_validation
"""

revision = "0014_cluster"
down_revision = "0013_validation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
