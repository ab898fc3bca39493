"""Tables of energy management (created by migration 0011_energy).

- ``energy_sites``: sites and feeders (a site under a ``parent_id`` has its own limit; the balancer
  respects every level), their grid connection limit, phases, voltage, minimum current per EV,
  safety margin, fallback limit, the Modbus meter measuring the building load, the time zone and the
  weekly time-of-use table (``schedule``: ``[{day, start, limit_a}]``). The id is a string so other
  capabilities (billing's per-site tariffs) can key by it.
- ``energy_stations``: which site a station belongs to, its maximum current (ChargePointMaxProfile;
  what an unresponsive station is assumed to draw), its priority and phase rotation.
- ``energy_evses``: per-EVSE maximum current and priority (override the station's).
- ``energy_curtailments``: grid-operator / aggregator limits with a duration (REST or MQTT), kept
  as history; ``cleared_at`` when released before their end.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Index, Integer, String, Table

from chargebridge.store.schema import TZ, BigId, metadata

energy_sites = Table(
    "energy_sites",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("parent_id", String(48), ForeignKey("energy_sites.id", ondelete="RESTRICT")),
    Column("grid_limit_a", Float, nullable=False),
    Column("phases", Integer, nullable=False),
    Column("voltage_v", Float, nullable=False),
    Column("min_current_a", Float, nullable=False),
    Column("safety_margin_a", Float, nullable=False),
    Column("fallback_limit_a", Float),
    Column("meter", String(100)),
    Column("meter_includes_charging", Boolean, nullable=False),
    Column("timezone", String(64), nullable=False),
    Column("schedule", JSON, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Index("ix_energy_sites_parent", "parent_id"),
)

energy_stations = Table(
    "energy_stations",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", String(48), ForeignKey("energy_sites.id", ondelete="RESTRICT")),
    Column("max_current_a", Float),
    Column("priority", Integer, nullable=False),
    Column("phase_rotation", String(3)),
    Column("updated_at", TZ, nullable=False),
    Index("ix_energy_stations_site", "site_id"),
)

energy_evses = Table(
    "energy_evses",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("evse_id", Integer, primary_key=True),
    Column("max_current_a", Float),
    Column("priority", Integer),
    Column("updated_at", TZ, nullable=False),
)

energy_curtailments = Table(
    "energy_curtailments",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("site_id", String(48), ForeignKey("energy_sites.id", ondelete="CASCADE"), nullable=False),
    Column("limit_a", Float, nullable=False),
    Column("limit_kw", Float),  # as requested, when given in kW
    Column("source", String(64), nullable=False),
    Column("starts_at", TZ, nullable=False),
    Column("ends_at", TZ, nullable=False),
    Column("cleared_at", TZ),
    Column("created_by", String(100)),
    Column("via", String(16), nullable=False),  # rest | mqtt
    Column("created_at", TZ, nullable=False),
    Index("ix_energy_curtailments_site", "site_id", "ends_at"),
)
