"""Tables of reservations and local authorization lists (created by migration 0008_authorization).

- ``reservations``: one row per reservation; ``id`` doubles as the OCPP reservationId.
- ``local_list_entries``: the local authorization list derived from the id-token store, as a
  history: one row per token per list version in which the token changed (``status`` None: the
  token left the list). The list at version V is, per token, its newest row at or below V.
- ``local_list_stations``: per station, whether it gets a list, what it can hold and which
  version of the list it has (``version``: confirmed consistent with the history; None: unknown).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Index, Integer, String, Table, Text

from chargebridge.store.schema import TZ, BigId, metadata

reservations = Table(
    "reservations",
    metadata,
    Column("id", BigId, primary_key=True, autoincrement=True),  # the OCPP reservationId
    Column("station_id", String(48), nullable=False),
    Column("evse_id", Integer),  # None: any EVSE (1.6 connectorId 0)
    Column("connector_type", String(20)),
    Column("id_token", String(255), nullable=False),
    Column("id_token_type", String(20)),
    Column("group_id_token", String(255)),
    Column("expires_at", TZ, nullable=False),
    # requested | accepted | rejected | faulted | occupied | unavailable | error | used | cancelled | expired | removed
    Column("state", String(16), nullable=False),
    Column("last_status", String(32)),  # the station's answer to ReserveNow / CancelReservation
    Column("detail", String(255)),
    Column("transaction_id", String(36)),
    Column("used_at", TZ),
    Column("requested_by", String(100)),
    Column("created_at", TZ, nullable=False),
    Column("updated_at", TZ, nullable=False),
    Index("ix_reservations_station", "station_id", "id"),
    Index("ix_reservations_state_expiry", "state", "expires_at"),
)

local_list_entries = Table(
    "local_list_entries",
    metadata,
    Column("id_token", String(255), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("type", String(20)),
    Column("status", String(16)),  # None: removed from the list at this version
    Column("expires_at", TZ),
    Column("group_id", String(255)),
    Column("changed_at", TZ, nullable=False),
    Index("ix_local_list_entries_version", "version"),
)

local_list_stations = Table(
    "local_list_stations",
    metadata,
    Column("station_id", String(48), primary_key=True),
    Column("enabled", Boolean),  # None: the node's policy decides
    Column("version", Integer),  # the list version the station holds, consistent with the history
    Column("reported_version", Integer),  # what GetLocalListVersion last answered (-1: not supported)
    Column("reported_at", TZ),
    Column("supported", Boolean),
    Column("station_enabled", Boolean),  # 1.6 LocalAuthListEnabled / 2.0.1 LocalAuthListCtrlr.Enabled
    Column("max_entries", Integer),  # 1.6 LocalAuthListMaxLength
    Column("items_per_message", Integer),  # 1.6 SendLocalListMaxLength / 2.0.1 ItemsPerMessage
    Column("bytes_per_message", Integer),  # 2.0.1 BytesPerMessage
    # unknown | pending | syncing | in_sync | failed | unsupported | disabled | too_large
    Column("state", String(16), nullable=False),
    Column("last_update_type", String(16)),
    Column("last_status", String(32)),
    Column("last_error", Text),
    Column("messages", Integer, nullable=False),  # SendLocalList messages of the last sync
    Column("synced_at", TZ),
    Column("updated_at", TZ, nullable=False),
)
