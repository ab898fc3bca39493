"""Charging profiles, external limits, EV charging needs, ISO 15118 certificates (blocks K, M).

Revision ID: 0009_smart_charging
Revises: 0008_authorization
"""

revision = "0009_smart_charging"
down_revision = "0008_authorization"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
