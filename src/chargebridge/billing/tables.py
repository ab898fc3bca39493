"""Tables of billing (created by migration 0012_billing).

Tariffs (the current body and every version, so a CDR prices a session with the tariff in force
when it started), tariff assignments (id-token group, station, site, default), per-station
billing settings, registered meter public keys, and charge detail records. Money is stored as
exact decimal text, never as a float. The signed meter readings themselves are station data,
written with the samples: ``store.schema.signed_meter_values``.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Float, Index, Integer, String, Table, Text

from chargebridge.store.schema import TZ, BigId, metadata

billing_tariffs = Table(
    "billing_tariffs",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("currency", String(3), nullable=False),
    Column("body", Text, nullable=False),  # the OCPI Tariff JSON, numbers exactly as given
    Column("version", Integer, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

billing_tariff_versions = Table(
    "billing_tariff_versions",
    metadata,
    Column("tariff_id", String(36), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("body", Text, nullable=False),
    Column("valid_from", TZ, nullable=False),
)

# scope: "group" (id-token group, a fleet contract), "station", "site" or "default" (key "")
billing_assignments = Table(
    "billing_assignments",
    metadata,
    Column("scope", String(8), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("tariff_id", String(36), nullable=False),
    Column("assigned_at", TZ, nullable=False),
    Index("ix_billing_assignments_tariff", "tariff_id"),
)

billing_station_profiles = Table(
    "billing_station_profiles",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("site_id", String(64)),
    Column("time_zone", String(64)),
    Column("max_power_w", Float),
    Column("require_signed", Boolean, nullable=False),
    Column("running_cost", Boolean),  # None: the [billing] running_cost default
    Column("updated_at", TZ, nullable=False),
)

billing_meter_keys = Table(
    "billing_meter_keys",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("public_key", Text, nullable=False),  # hex DER (SubjectPublicKeyInfo)
    Column("curve", String(32), nullable=False),
    Column("source", String(16), nullable=False),  # api | station
    Column("created_at", TZ, nullable=False),
    Column("revoked_at", TZ),
    Index("ix_billing_meter_keys_station", "station_id"),
)

billing_cdrs = Table(
    "billing_cdrs",
    metadata,
    Column("pk", BigId, primary_key=True, autoincrement=True),
    Column("id", String(39), nullable=False, unique=True),
    Column("station_id", String(48), nullable=False),
    Column("transaction_id", String(36), nullable=False),
    Column("transaction_pk", BigInteger),  # None for a credit CDR
    Column("id_token", String(255)),
    Column("group_id", String(255)),
    Column("tariff_id", String(36)),
    Column("currency", String(3), nullable=False),
    Column("start_date_time", TZ, nullable=False),
    Column("end_date_time", TZ, nullable=False),
    Column("total_energy_wh", Text, nullable=False),
    Column("total_cost_excl", Text, nullable=False),
    Column("total_cost_incl", Text),
    Column("verdict", String(16), nullable=False),  # ok | needs_review
    Column("reasons", JSON, nullable=False),
    Column("credit", Boolean, nullable=False),
    Column("credit_reference_id", String(39)),
    Column("body", Text, nullable=False),  # the OCPI CDR JSON, immutable
    Column("created_at", TZ, nullable=False),
    Column("review_decision", String(16)),  # approved | credited, set by an operator
    Column("reviewed_at", TZ),
    Column("reviewed_by", String(100)),
    Index("ux_billing_cdrs_transaction", "transaction_pk", unique=True),
    Index("ix_billing_cdrs_station_end", "station_id", "end_date_time"),
    Index("ix_billing_cdrs_token", "id_token"),
    Index("ix_billing_cdrs_group_end", "group_id", "end_date_time"),
)
