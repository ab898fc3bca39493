"""The cluster's database queries: stations left connected by a node that died, and this node's
stations put back after its heartbeat lapsed (``stations.node_id``, migration 0014)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from chargebridge.store.repository import Store
from chargebridge.store.schema import stations


async def orphaned(store: Store, alive: Collection[str], limit: int = 10_000) -> list[tuple[str, str | None]]:
    """(station, node) of stations marked connected on a node that is not alive (or on none:
    rows a single-node run left behind)."""
    query = (
        select(stations.c.id, stations.c.node_id)
        .where(
            stations.c.connected.is_(True),
            or_(stations.c.node_id.is_(None), stations.c.node_id.not_in(sorted(alive))),
        )
        .limit(limit)
    )
    async with store.engine.connect() as conn:
        return [(str(r[0]), r[1]) for r in (await conn.execute(query)).all()]


async def mark_orphan_disconnected(store: Store, station_id: str, node: str | None, at: datetime) -> bool:
    """Mark the station disconnected if it is still on ``node`` (it may have reconnected meanwhile)."""
    on_node = stations.c.node_id.is_(None) if node is None else stations.c.node_id == node

    async def op(conn: AsyncConnection) -> int:
        result = await conn.execute(
            update(stations)
            .where(stations.c.id == station_id, stations.c.connected.is_(True), on_node)
            .values(connected=False, node_id=None, disconnected_at=at)
        )
        return int(result.rowcount)

    return await store.writer.run(op) > 0


async def reassert(store: Store, station_ids: Sequence[str], node: str, at: datetime) -> list[str]:
    """This node's live stations that the sweep marked disconnected while its heartbeat was away:
    marked connected on this node again. Returns the ones that changed."""
    if not station_ids:
        return []

    async def op(conn: AsyncConnection) -> list[str]:
        changed: list[str] = []
        for start in range(0, len(station_ids), 1000):
            chunk = list(station_ids[start : start + 1000])
            result = await conn.execute(
                update(stations)
                .where(stations.c.id.in_(chunk), stations.c.connected.is_(False))
                .values(connected=True, node_id=node, connected_at=at)
                .returning(stations.c.id)
            )
            changed.extend(str(r[0]) for r in result.all())
        return changed

    return await store.writer.run(op)
