"""Device model, monitoring, customer information, display messages (OCPP 2.0.1 blocks B, N, O).

Revision ID: 0007_device_model
Revises: 0006_security_fixes
"""

revision = "0007_device_model"
down_revision = "0006_security_fixes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
