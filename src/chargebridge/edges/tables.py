"""The tables of the edges capability (created by migration 0017_edge).

- ``edges``: one row per site controller: the API token it reports with (pinned at its first
  batch), the outbox it sends from and the last sequence number applied (the idempotency key),
  its latest status report.
- ``edge_outboxes``: the last sequence number applied per outbox of an edge.
- ``edge_devices``: the field devices an edge reports: labels (station, site, EVSE), reachability,
  last good read, error counters, active faults.
- ``edge_samples``: every sample an edge sent, with its sequence number.
- ``edge_commands``: commands and diagnostics for an edge, and their answers.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, Index, Integer, String, Table

from chargebridge.store.schema import TZ, BigId, metadata

edges = Table(
    "edges",
    metadata,
    Column("id", String(48), primary_key=True),
    Column("name", String(100)),
    Column("token_id", String(32)),
    Column("uplink", String(8)),  # https | mqtt | nats: how its last batch came
    Column("outbox_id", String(64)),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    Column("records_total", BigInteger, nullable=False, server_default="0"),
    Column("duplicates_total", BigInteger, nullable=False, server_default="0"),
    Column("rejected_total", BigInteger, nullable=False, server_default="0"),
    Column("first_seen_at", TZ, nullable=False),
    Column("last_seen_at", TZ),
    Column("status", JSON),
    Column("status_at", TZ),
)

# The last sequence number applied per outbox of an edge (the idempotency key is (edge, outbox, seq):
# a replaced disk starts a new outbox, and two outboxes reporting under one id never undo each other).
edge_outboxes = Table(
    "edge_outboxes",
    metadata,
    Column("edge_id", String(48), primary_key=True),
    Column("outbox_id", String(64), primary_key=True),
    Column("last_seq", BigInteger, nullable=False, server_default="0"),
    Column("first_seen_at", TZ, nullable=False),
    Column("last_seen_at", TZ, nullable=False),
)

edge_devices = Table(
    "edge_devices",
    metadata,
    Column("edge_id", String(48), primary_key=True),
    Column("device", String(48), primary_key=True),
    Column("transport", String(8)),
    Column("station_id", String(48)),
    Column("site_id", String(64)),
    Column("evse_id", Integer, nullable=False, server_default="0"),
    Column("reachable", Boolean),
    Column("last_good_read_at", TZ),
    Column("last_sample_at", TZ),
    Column("last_error", String(500)),
    Column("counters", JSON),
    Column("active_faults", JSON),
    Column("updated_at", TZ, nullable=False),
)

edge_samples = Table(
    "edge_samples",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),
    Column("edge_id", String(48), nullable=False),
    Column("device", String(48), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("timestamp", TZ, nullable=False),
    Column("sampled_values", JSON, nullable=False),
    Column("received_at", TZ, nullable=False),
    Index("ix_edge_samples_device", "edge_id", "device", "timestamp"),
)

edge_commands = Table(
    "edge_commands",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("edge_id", String(48), nullable=False),
    Column("type", String(32), nullable=False),
    Column("params", JSON, nullable=False),
    Column("state", String(16), nullable=False),  # pending | answered (expired: pending past expires_at)
    Column("created_at", TZ, nullable=False),
    Column("expires_at", TZ, nullable=False),
    Column("created_by", String(100)),
    Column("answered_at", TZ),
    Column("answer", JSON),
    Index("ix_edge_commands_edge", "edge_id", "state", "created_at"),
)
