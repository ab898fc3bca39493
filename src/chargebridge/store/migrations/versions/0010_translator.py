"""Translating gateway state (issue 13).

Revision ID: 0010_translator
Revises: 0009_smart_charging
"""

revision = "0010_translator"
down_revision = "0009_smart_charging"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
