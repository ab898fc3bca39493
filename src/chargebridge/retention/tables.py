"""The per-session, per-hour aggregates that raw meter samples are folded into (migration 0015)."""

from __future__ import annotations

from sqlalchemy import Column, Float, Index, Integer, String, Table

from chargebridge.store.schema import TZ, BigId, metadata

# One row per (station, EVSE, transaction, hour, measurand, phase, location, unit). Keys that a
# sample leaves out are stored as '' (no transaction, no phase, no location), so that the
# unique key holds on every database (NULLs never conflict).
meter_aggregates = Table(
    "meter_aggregates",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("transaction_id", String(36), nullable=False, server_default=""),
    Column("hour", TZ, nullable=False),  # the start of the UTC hour
    Column("measurand", String(64), nullable=False),
    Column("phase", String(8), nullable=False, server_default=""),
    Column("location", String(8), nullable=False, server_default=""),
    Column("unit", String(32), nullable=False),
    Column("samples", Integer, nullable=False),
    Column("min_value", Float, nullable=False),
    Column("max_value", Float, nullable=False),
    Column("sum_value", Float, nullable=False),  # the average is sum_value / samples
    Column("first_at", TZ, nullable=False),
    Column("first_value", Float, nullable=False),
    Column("last_at", TZ, nullable=False),
    Column("last_value", Float, nullable=False),
    Index(
        "ux_meter_aggregates_bucket",
        "station_id",
        "evse_id",
        "transaction_id",
        "hour",
        "measurand",
        "phase",
        "location",
        "unit",
        unique=True,
    ),
    Index("ix_meter_aggregates_station_hour", "station_id", "hour"),
    Index("ix_meter_aggregates_tx", "station_id", "transaction_id"),
)
