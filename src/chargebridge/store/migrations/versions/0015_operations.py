"""Operator experience: retention aggregates (issue 19).

Revision ID: 0015_operations
Revises: 0014_cluster
"""

revision = "0015_operations"
down_revision = "0014_cluster"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
