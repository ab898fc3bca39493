"""Boots are counted in the compatibility matrix grouped per commit (a reconnect storm boots
thousands of stations at once); each boot still gets its station's newest firmware update."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from chargebridge.firmware.store import FirmwareStore
from tests.conftest import Node


def _update(station_id: str, version: str, at: datetime) -> dict[str, object]:
    return {
        "station_id": station_id,
        "image_id": "img",
        "kind": "update",
        "target_version": version,
        "state": "requested",
        "boots": 0,
        "requested_at": at,
        "updated_at": at,
    }


async def test_many_boots_in_one_commit(node: Node) -> None:
    db = FirmwareStore(node.app.store)
    t0 = datetime.now(UTC).replace(microsecond=0)
    ids = [f"BS-{n:02d}" for n in range(30)]
    for n, sid in enumerate(ids):
        await node.app.store.add_station(sid, now=t0)
        if n % 3 == 0:
            await db.set_hardware(sid, "rev-B", [], t0)
    await db.add_update(_update(ids[0], "1.1", t0))
    newest = await db.add_update(_update(ids[0], "1.2", t0 + timedelta(seconds=1)))
    await db.add_update(_update(ids[1], "2.0", t0))
    commits = node.app.store.writer.stats.commits
    recent = await asyncio.gather(
        *(db.record_boot(sid, "Acme", "AC22", "1.0", t0 + timedelta(seconds=5)) for sid in ids),
        db.record_boot(ids[2], None, None, None, t0),  # no identity: nothing to count
    )
    assert node.app.store.writer.stats.commits - commits < 10
    assert recent[0] is not None and recent[0]["id"] == newest and recent[0]["target_version"] == "1.2"
    assert recent[1] is not None and recent[1]["target_version"] == "2.0"
    assert all(r is None for r in recent[2:])
    assert recent[0]["requested_at"].tzinfo is not None
    rev_b = await db.get_compat("Acme", "AC22", "rev-B", "1.0")
    unknown = await db.get_compat("Acme", "AC22", "", "1.0")
    assert rev_b is not None and rev_b["boot_reports"] == 10 and rev_b["status"] == "compatible"
    assert unknown is not None and unknown["boot_reports"] == 20
    # Later boots add to the same entries; an operator's verdict is kept.
    await db.set_compat(("Acme", "AC22", "rev-B", "1.0"), status="blocked", notes="x", source="operator", now=t0)
    await asyncio.gather(*(db.record_boot(sid, "Acme", "AC22", "1.0", t0) for sid in ids[:6]))
    rev_b = await db.get_compat("Acme", "AC22", "rev-B", "1.0")
    unknown = await db.get_compat("Acme", "AC22", "", "1.0")
    assert rev_b is not None and rev_b["boot_reports"] == 12 and rev_b["status"] == "blocked"
    assert unknown is not None and unknown["boot_reports"] == 24
