"""Validation bench runs (issue 16).

Revision ID: 0013_validation
Revises: 0012_billing
"""

revision = "0013_validation"
down_revision = "0012_billing"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
