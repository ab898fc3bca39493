"""Firmware lifecycle: images, downloads, compatibility matrix, station hardware, updates, campaigns, diagnostics.

Revision ID: 0004_firmware
Revises: 0003_webhooks
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_firmware"
down_revision = "0003_webhooks"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "firmware_images",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("vendor", sa.String(length=50), nullable=False),
        sa.Column("models", sa.JSON(), nullable=False),
        sa.Column("hardware_revisions", sa.JSON(), nullable=False),
        sa.Column("version", sa.String(length=64), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("signing_certificate", sa.Text(), nullable=True),
        sa.Column("signed_by", sa.String(length=16), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_firmware_images_vendor_version", "firmware_images", ["vendor", "version"])
    op.create_table(
        "firmware_downloads",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("image_id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("remote", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("bytes", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_firmware_downloads_image", "firmware_downloads", ["image_id"])
    op.create_table(
        "firmware_compatibility",
        sa.Column("vendor", sa.String(length=50), nullable=False),
        sa.Column("model", sa.String(length=50), nullable=False),
        sa.Column("hardware_revision", sa.String(length=32), nullable=False),
        sa.Column("firmware_version", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("boot_reports", sa.Integer(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("vendor", "model", "hardware_revision", "firmware_version"),
    )
    op.create_table(
        "station_hardware",
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("hardware_revision", sa.String(length=32), nullable=True),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("station_id"),
    )
    op.create_table(
        "firmware_updates",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("image_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("campaign_id", sa.String(length=32), nullable=True),
        sa.Column("action", sa.String(length=32), nullable=True),
        sa.Column("target_version", sa.String(length=64), nullable=False),
        sa.Column("previous_version", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("failure", sa.String(length=64), nullable=True),
        sa.Column("boots", sa.Integer(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("confirmed_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_firmware_updates_station", "firmware_updates", ["station_id", "id"])
    op.create_index("ix_firmware_updates_campaign", "firmware_updates", ["campaign_id"])
    op.create_table(
        "firmware_campaigns",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("image_id", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("base_url", sa.String(length=255), nullable=False),
        sa.Column("current_wave", sa.Integer(), nullable=False),
        sa.Column("halt_reason", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "campaign_stations",
        sa.Column("campaign_id", sa.String(length=32), nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("wave", sa.Integer(), nullable=False),
        sa.Column("hardware_revision", sa.String(length=32), nullable=True),
        sa.Column("previous_version", sa.String(length=64), nullable=True),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("update_id", sa.BigInteger(), nullable=True),
        sa.Column("rollback_update_id", sa.BigInteger(), nullable=True),
        sa.Column("detail", sa.String(length=255), nullable=True),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "station_id"),
    )
    op.create_index("ix_campaign_stations_state", "campaign_stations", ["campaign_id", "state"])
    op.create_table(
        "diagnostics_requests",
        sa.Column("id", BIG_ID, autoincrement=True, nullable=False),
        sa.Column("station_id", sa.String(length=48), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("log_type", sa.String(length=20), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("last_status", sa.String(length=32), nullable=True),
        sa.Column("filename", sa.String(length=255), nullable=True),
        sa.Column("stored_name", sa.String(length=64), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("requested_by", sa.String(length=100), nullable=True),
        sa.Column("requested_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("uploaded_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_diagnostics_requests_station", "diagnostics_requests", ["station_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_diagnostics_requests_station", table_name="diagnostics_requests")
    op.drop_table("diagnostics_requests")
    op.drop_index("ix_campaign_stations_state", table_name="campaign_stations")
    op.drop_table("campaign_stations")
    op.drop_table("firmware_campaigns")
    op.drop_index("ix_firmware_updates_campaign", table_name="firmware_updates")
    op.drop_index("ix_firmware_updates_station", table_name="firmware_updates")
    op.drop_table("firmware_updates")
    op.drop_table("station_hardware")
    op.drop_table("firmware_compatibility")
    op.drop_index("ix_firmware_downloads_image", table_name="firmware_downloads")
    op.drop_table("firmware_downloads")
    op.drop_index("ix_firmware_images_vendor_version", table_name="firmware_images")
    op.drop_table("firmware_images")
