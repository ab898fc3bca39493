"""Tables of the translating gateway (created by migration 0010_translator).

- ``translator_stations``: one row per station: the counters the gateway keeps in the station's
  name (TransactionEvent seqNo, NotifyEvent eventId and seqNo, the 1.6 transaction ids it hands
  out, the request ids it makes up) and the rest of its state as JSON (boot, pending remote
  starts, connector statuses waiting to be re-sent, firmware / log request ids).
- ``translator_sessions``: one row per transaction: the id the station uses and the id the
  upstream uses (UUID-like for a 2.0.1 upstream, the upstream's integer for a 1.6 one).
- ``translator_queue``: the durable queue of messages for the upstream, in order of ``item_no``
  (numbered per station by the gateway, so that a commit's inserts and deletes run as one
  statement each); a row is deleted once the upstream answered it, or kept with status ``failed``
  and the error when the upstream refused it every time (dead letter: nothing is dropped silently)
  until an operator sends it again (back to ``queued``) or deletes it over the gateway's HTTP API.
"""

from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, text

from chargebridge.store.schema import TZ, metadata

translator_stations = Table(
    "translator_stations",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("seq_no", BigInteger, nullable=False, server_default="0"),
    Column("event_id", BigInteger, nullable=False, server_default="0"),
    Column("notify_seq_no", BigInteger, nullable=False, server_default="0"),
    Column("next_tx_key", BigInteger, nullable=False, server_default="1"),
    Column("next_request_id", BigInteger, nullable=False, server_default="1"),
    Column("next_item_no", BigInteger, nullable=False, server_default="1"),
    Column("state", JSON, nullable=False),
    Column("updated_at", TZ, nullable=False),
)

translator_sessions = Table(
    "translator_sessions",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("session_key", BigInteger, primary_key=True),
    Column("station_tx_id", String(36), nullable=False),
    Column("upstream_tx_id", String(36)),
    Column("dedupe_key", String(64)),
    Column("ended", Boolean, nullable=False, server_default=text("false")),
    Column("data", JSON, nullable=False),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Index("ix_translator_sessions_station_tx", "station_id", "station_tx_id"),
    Index("ix_translator_sessions_open", "station_id", "ended"),
)

translator_queue = Table(
    "translator_queue",
    metadata,
    Column("station_id", String(48), ForeignKey("stations.id", ondelete="CASCADE"), primary_key=True),
    Column("item_no", BigInteger, primary_key=True),
    Column("action", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("session_key", BigInteger),
    Column("tag", String(16)),
    Column("queued_offline", Boolean, nullable=False, server_default=text("false")),
    Column("status", String(16), nullable=False, server_default="queued"),  # queued | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("created_at", TZ, nullable=False),
    Index("ix_translator_queue_status", "status"),
)
