"""Cluster mode (issue 17): which node holds each station's socket.

Revision ID: 0014_cluster
Revises: 0013_validation
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_cluster"
down_revision = "0013_validation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL on one node; in cluster mode the node whose socket the station is on, so a node's
    # disconnects and start-up touch only its own stations and a dead node's are found.
    with op.batch_alter_table("stations") as batch:
        batch.add_column(sa.Column("node_id", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stations") as batch:
        batch.drop_column("node_id")
