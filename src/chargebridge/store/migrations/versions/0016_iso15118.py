"""ISO 15118 certificates, firmware publishing and transaction-status tracking (OCPP 2.0.1 blocks L, M, E).

Revision ID: 0016_iso15118
Revises: 0015_operations
"""

revision = "0016_iso15118"
down_revision = "0015_operations"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
