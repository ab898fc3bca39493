"""Tables of smart charging (created by migration 0009_smart_charging).

- ``charging_profiles``: the profiles a station holds, one row per (station, profile id) - profile
  ids are unique per station in both versions. ``origin`` says how we know: ``csms`` (we sent it
  and the station accepted it) or ``report`` (the station listed it in ReportChargingProfiles).
- ``charging_limits``: external limits (NotifyChargingLimit), released by ClearedChargingLimit
  (``cleared_at``); history is kept.
- ``ev_charging_needs``: each NotifyEVChargingNeeds with our answer and the TxProfile schedule we
  derived and sent (and the station's answer to it).
- ``ev_charging_schedules``: each NotifyEVChargingSchedule (the schedule the EV chose) and our verdict.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Index, Integer, String, Table

from chargebridge.store.schema import TZ, BigId, metadata

charging_profiles = Table(
    "charging_profiles",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("profile_id", Integer, primary_key=True),
    Column("evse_id", Integer, nullable=False),  # 0 = the whole station
    Column("purpose", String(40), nullable=False),  # 2.0.1 ChargingProfilePurposeEnumType names
    Column("stack_level", Integer, nullable=False),
    Column("transaction_id", String(36)),
    Column("origin", String(16), nullable=False),  # csms | report
    Column("limit_source", String(8)),  # ReportChargingProfiles chargingLimitSource
    Column("profile", JSON, nullable=False),  # the neutral profile (domain.charging.profile_json)
    Column("installed_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Index("ix_charging_profiles_transaction", "station_id", "transaction_id"),
)

charging_limits = Table(
    "charging_limits",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer, nullable=False),  # 0 = the whole station
    Column("source", String(8), nullable=False),  # EMS | Other | SO | CSO
    Column("grid_critical", Boolean),
    Column("schedules", JSON, nullable=False),  # list of neutral schedules (may be empty)
    Column("reported_at", TZ, nullable=False),
    Column("cleared_at", TZ),
    Index("ix_charging_limits_station", "station_id", "cleared_at"),
)

ev_charging_needs = Table(
    "ev_charging_needs",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("transaction_id", String(36)),
    Column("needs", JSON, nullable=False),  # domain.charging.EvChargingNeeds.to_json()
    Column("max_schedule_tuples", Integer),
    Column("status", String(16), nullable=False),  # our NotifyEVChargingNeeds answer
    Column("reason", String(255)),
    Column("profile_id", Integer),  # the TxProfile we sent
    Column("schedule", JSON),  # its neutral schedule
    Column("profile_status", String(16)),  # the station's SetChargingProfile answer, or failed
    Column("received_at", TZ, nullable=False),
    Column("answered_at", TZ),
    Index("ix_ev_charging_needs_station", "station_id", "id"),
)

ev_charging_schedules = Table(
    "ev_charging_schedules",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer, nullable=False),
    Column("time_base", TZ, nullable=False),
    Column("schedule", JSON, nullable=False),
    Column("accepted", Boolean, nullable=False),
    Column("reason", String(255)),
    Column("received_at", TZ, nullable=False),
    Index("ix_ev_charging_schedules_station", "station_id", "id"),
)
