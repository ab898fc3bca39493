"""Tables of the firmware lifecycle (created by migration 0004_firmware).

Images and their download log, the compatibility matrix, what chargebridge knows about a
station's hardware (OCPP does not report the hardware revision), single updates (the
``id`` doubles as the OCPP ``requestId``), campaigns with their stations, and diagnostics / log
uploads.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer, String, Table, Text

from chargebridge.store.schema import TZ, BigId, metadata

firmware_images = Table(
    "firmware_images",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("vendor", String(50), nullable=False),
    Column("models", JSON, nullable=False),  # list of model names
    Column("hardware_revisions", JSON, nullable=False),  # list; empty = any revision
    Column("version", String(64), nullable=False),
    Column("notes", Text),
    Column("filename", String(255), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("signature", Text),  # base64
    Column("signing_certificate", Text),  # PEM
    Column("signed_by", String(16)),  # chargebridge | oem | None
    Column("created_at", TZ, nullable=False),
    Index("ix_firmware_images_vendor_version", "vendor", "version"),
)

firmware_downloads = Table(
    "firmware_downloads",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("image_id", String(32), nullable=False),
    Column("station_id", String(48), nullable=False),
    Column("at", TZ, nullable=False),
    Column("remote", String(64)),
    Column("outcome", String(16), nullable=False),  # served | expired | invalid | missing
    Column("bytes", BigInteger, nullable=False),
    Index("ix_firmware_downloads_image", "image_id"),
)

firmware_compatibility = Table(
    "firmware_compatibility",
    metadata,
    Column("vendor", String(50), primary_key=True),
    Column("model", String(50), primary_key=True),
    Column("hardware_revision", String(32), primary_key=True),  # "" = not known
    Column("firmware_version", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # certified | compatible | known-issue | blocked
    Column("notes", Text),
    Column("source", String(16), nullable=False),  # fleet | campaign | admin
    Column("boot_reports", Integer, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("updated_by", String(100)),
)

station_hardware = Table(
    "station_hardware",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("hardware_revision", String(32)),
    Column("tags", JSON, nullable=False),  # list of strings
    Column("updated_at", TZ, nullable=False),
)

firmware_updates = Table(
    "firmware_updates",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),  # the OCPP requestId
    Column("station_id", String(48), nullable=False),
    Column("image_id", String(32), nullable=False),
    Column("kind", String(16), nullable=False),  # update | rollback
    Column("campaign_id", String(32)),
    Column("action", String(32)),  # UpdateFirmware | SignedUpdateFirmware
    Column("target_version", String(64), nullable=False),
    Column("previous_version", String(64)),
    Column("state", String(16), nullable=False),
    Column("last_status", String(32)),
    Column("failure", String(64)),
    Column("boots", Integer, nullable=False),
    Column("override_reason", Text),
    Column("requested_by", String(100)),
    Column("requested_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("confirmed_at", TZ),
    Index("ix_firmware_updates_station", "station_id", "id"),
    Index("ix_firmware_updates_campaign", "campaign_id"),
)

firmware_campaigns = Table(
    "firmware_campaigns",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("image_id", String(32), nullable=False),
    Column("state", String(16), nullable=False),
    Column("spec", JSON, nullable=False),  # targets, waves, window, gates, policies
    Column("base_url", String(255), nullable=False),
    Column("current_wave", Integer, nullable=False),
    Column("halt_reason", Text),
    Column("created_by", String(100)),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

campaign_stations = Table(
    "campaign_stations",
    metadata,
    Column("campaign_id", String(32), primary_key=True),
    Column("station_id", String(48), primary_key=True),
    Column("wave", Integer, nullable=False),
    Column("hardware_revision", String(32)),
    Column("previous_version", String(64)),
    Column("state", String(24), nullable=False),
    Column("update_id", BigInteger),
    Column("rollback_update_id", BigInteger),
    Column("detail", String(255)),
    Column("updated_at", TZ, nullable=False),
    Index("ix_campaign_stations_state", "campaign_id", "state"),
)

diagnostics_requests = Table(
    "diagnostics_requests",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),  # the OCPP requestId (GetLog)
    Column("station_id", String(48), nullable=False),
    Column("kind", String(16), nullable=False),  # diagnostics (1.6 GetDiagnostics) | log (GetLog)
    Column("log_type", String(20)),
    Column("state", String(16), nullable=False),  # requested | accepted | rejected | uploading | uploaded | failed
    Column("last_status", String(32)),
    Column("filename", String(255)),
    Column("stored_name", String(64)),
    Column("size", BigInteger),
    Column("sha256", String(64)),
    Column("requested_by", String(100)),
    Column("requested_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("uploaded_at", TZ),
    Index("ix_diagnostics_requests_station", "station_id", "id"),
)

# Firmware published by a local controller for the stations behind it (2.0.1 L03/L04; migration
# 0016_iso15118). The ``id`` doubles as the OCPP requestId of PublishFirmware.
firmware_publications = Table(
    "firmware_publications",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("image_id", String(32), nullable=False),
    Column("checksum", String(32), nullable=False),  # MD5 of the image, hex (what PublishFirmware carries)
    Column("state", String(24), nullable=False),
    Column("last_status", String(32)),
    Column("locations", JSON),  # where the controller serves the image once Published
    Column("requested_by", String(100)),
    Column("requested_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("published_at", TZ),
    Column("unpublished_at", TZ),
    Index("ix_firmware_publications_station", "station_id", "id"),
)

# Certification records of the compatibility matrix (migration 0018_procurement): OCA certificates
# (kind "oca": certificate id, OCPP version, profiles certified) and metering approvals (kind
# "metering": scheme eichrecht | mid, certificate id) per vendor/model/firmware version. The
# integration level comes from the validation bench's runs (validation_runs), not from here.
certification_records = Table(
    "certification_records",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("vendor", String(50), nullable=False),
    Column("model", String(50), nullable=False),
    Column("firmware_version", String(64), nullable=False),
    Column("kind", String(16), nullable=False),  # oca | metering
    Column("certificate_id", String(100), nullable=False),
    Column("ocpp_version", String(8)),  # oca: 1.6 | 2.0.1
    Column("profiles", JSON, nullable=False),  # oca: core, advanced-security, smart-charging, iso15118
    Column("scheme", String(16)),  # metering: eichrecht | mid
    Column("issued_on", Date),
    Column("link", String(500)),
    Column("notes", Text),
    Column("created_at", TZ, nullable=False),
    Column("created_by", String(100)),
    Index("ix_certification_records_model", "vendor", "model", "firmware_version"),
)

# What a station must keep after a firmware update (PATCH /api/v1/stations/{id} required_profiles):
# requirement names of firmware/requirements.py; a firmware whose records do not meet them is not
# rolled onto the station unless an admin overrides.
station_requirements = Table(
    "station_requirements",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("requires", JSON, nullable=False),  # list of requirement names
    Column("updated_at", TZ, nullable=False),
    Column("updated_by", String(100)),
)
