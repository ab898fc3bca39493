"""Connector statuses are written grouped (one upsert per commit): what concurrent callers see."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from chargebridge.store.repository import Store
from chargebridge.store.schema import faults
from tests.conftest import Node


async def _status(store: Store, sid: str, connector: int, status: str, at: datetime, error: str | None = None) -> list:
    return await store.set_connector_status(
        sid,
        evse_id=connector,
        connector_id=1,
        status=status,
        at=at,
        error_code=error,
        vendor_error_code=None,
        info=None,
    )


async def _active_faults(store: Store, sid: str) -> list[tuple[int, str]]:
    rows = await store._fetch_all(
        select(faults.c.evse_id, faults.c.code).where(faults.c.station_id == sid, faults.c.cleared_at.is_(None))
    )
    return sorted((r["evse_id"], r["code"]) for r in rows)


async def test_many_statuses_in_one_commit_keep_the_last_per_connector(node: Node) -> None:
    store = node.app.store
    t0 = datetime.now(UTC)
    ids = [f"GS-{n:03d}" for n in range(40)]
    for sid in ids:
        await store.add_station(sid, now=t0)
    commits_before = store.writer.stats.commits
    await asyncio.gather(
        *(_status(store, sid, 1, "Available", t0) for sid in ids),
        _status(store, ids[0], 1, "Occupied", t0 + timedelta(seconds=1)),
        _status(store, ids[0], 1, "Charging", t0 + timedelta(seconds=2)),
        _status(store, ids[1], 2, "Unavailable", t0),
    )
    # 43 statuses (and their events) needed far fewer commits than one each.
    assert store.writer.stats.commits - commits_before < 20
    connectors = await store.connectors_of(ids[:3])
    assert [(c["evse_id"], c["status"]) for c in connectors[ids[0]]] == [(1, "Charging")]
    assert [(c["evse_id"], c["status"]) for c in connectors[ids[1]]] == [(1, "Available"), (2, "Unavailable")]
    assert [c["status"] for c in connectors[ids[2]]] == ["Available"]


async def test_errors_in_a_grouped_commit_raise_and_clear_faults_in_order(node: Node) -> None:
    store = node.app.store
    t0 = datetime.now(UTC)
    await store.add_station("GS-F", now=t0)
    raised = await asyncio.gather(
        _status(store, "GS-F", 1, "Faulted", t0, "GroundFailure"),
        _status(store, "GS-F", 2, "Available", t0),
        _status(store, "GS-F", 3, "Faulted", t0, "OverVoltage"),
    )
    assert [[f["code"] for f in r] for r in raised] == [["GroundFailure"], [], ["OverVoltage"]]
    assert await _active_faults(store, "GS-F") == [(1, "GroundFailure"), (3, "OverVoltage")]
    # The same error again raises nothing new; recovery clears in the same grouped commit.
    raised = await asyncio.gather(
        _status(store, "GS-F", 1, "Faulted", t0 + timedelta(seconds=1), "GroundFailure"),
        _status(store, "GS-F", 3, "Available", t0 + timedelta(seconds=1)),
    )
    assert raised == [[], []]
    assert await _active_faults(store, "GS-F") == [(1, "GroundFailure")]
    await asyncio.gather(*(_status(store, "GS-F", c, "Available", t0 + timedelta(seconds=2)) for c in (1, 2, 3)))
    assert await _active_faults(store, "GS-F") == []
