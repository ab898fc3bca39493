"""Security and reliability fixes (issue 11).

Revision ID: 0006_security_fixes
Revises: 0005_certificates_rotation
"""

revision = "0006_security_fixes"
down_revision = "0005_certificates_rotation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
