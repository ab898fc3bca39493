"""Sites and energy management (issue 14).

Revision ID: 0011_energy
Revises: 0010_translator
"""

revision = "0011_energy"
down_revision = "0010_translator"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass  # reserved in the revision chain; filled by the change that needs it


def downgrade() -> None:
    pass
