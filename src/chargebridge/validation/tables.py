"""Tables of the validation bench (created by migration 0013_validation).

A run with its report (cases, evidence, latency, restoration) as one JSON document; the quirks
each run noticed, per vendor/model/firmware (the compatibility matrix shows them); and the
integrity failures stations reported (secure boot, firmware signature, tamper), which mark the
station until an operator acknowledges them.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Index, String, Table, Text

from chargebridge.store.schema import TZ, BigId, metadata

validation_runs = Table(
    "validation_runs",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("station_id", String(48), nullable=False),
    Column("status", String(16), nullable=False),  # running | finished | aborted
    Column("level_requested", String(16), nullable=False),
    Column("level_reached", String(16), nullable=False),  # none | basic | standard | advanced
    Column("ocpp_version", String(8)),
    Column("vendor", String(50)),
    Column("model", String(50)),
    Column("firmware_version", String(64)),
    Column("settings", JSON, nullable=False),
    Column("report", JSON, nullable=False),  # cases, latency, quirks, prompt, restoration
    Column("reason", Text),  # why it was aborted
    Column("requested_by", String(100)),
    Column("started_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Column("finished_at", TZ),
    Index("ix_validation_runs_station", "station_id", "started_at"),
    Index("ix_validation_runs_model", "vendor", "model", "firmware_version"),
)

validation_quirks = Table(
    "validation_quirks",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("run_id", String(32), nullable=False),
    Column("station_id", String(48), nullable=False),
    Column("vendor", String(50), nullable=False),
    Column("model", String(50), nullable=False),
    Column("firmware_version", String(64), nullable=False),  # "" = not known
    Column("case_id", String(40)),
    Column("code", String(40), nullable=False),
    Column("detail", Text, nullable=False),
    Column("at", TZ, nullable=False),
    Index("ix_validation_quirks_model", "vendor", "model", "firmware_version"),
    Index("ix_validation_quirks_run", "run_id"),
)

station_integrity_failures = Table(
    "station_integrity_failures",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("type", String(50), nullable=False),
    Column("tech_info", Text),
    Column("run_id", String(32)),  # the validation run it happened in, if any
    Column("at", TZ, nullable=False),
    Column("acknowledged_at", TZ),
    Column("acknowledged_by", String(100)),
    Index("ix_station_integrity_failures_station", "station_id", "id"),
)
