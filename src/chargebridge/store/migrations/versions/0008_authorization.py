"""Reservations and local authorization lists (blocks H, D).

Revision ID: 0008_authorization
Revises: 0007_device_model
"""

revision = "0008_authorization"
down_revision = "0007_device_model"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
