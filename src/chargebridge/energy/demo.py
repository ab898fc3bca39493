"""The demo's site: every simulated station on one grid connection too small for all of them at once,
so the dashboard's Sites view shows the balancer sharing it (``chargebridge demo``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chargebridge.app import Chargebridge

DEMO_SITE = "demo-depot"


async def create_demo_site(node: Chargebridge, station_ids: Sequence[str]) -> tuple[str, float] | None:
    """Create the demo site (5 A per station, at least 32 A: less than the fleet would draw) and put
    the stations on it. Returns (site id, grid limit), or None without energy management."""
    from chargebridge.energy.extension import EnergyExtension

    ext = next((e for e in node.extensions if isinstance(e, EnergyExtension)), None)
    if ext is None or ext.service is None or node.store is None:
        return None
    service = ext.service
    now = node.clock.now()
    limit = max(32.0, 5.0 * len(station_ids))
    if await service.data.get_site(DEMO_SITE) is None:
        await service.data.add_site(
            {
                "id": DEMO_SITE,
                "name": "Demo depot",
                "parent_id": None,
                "grid_limit_a": limit,
                "phases": 3,
                "voltage_v": 230.0,
                "min_current_a": 6.0,
                "safety_margin_a": 0.0,
                "fallback_limit_a": None,
                "meter": None,
                "meter_includes_charging": False,
                "timezone": "UTC",
                "schedule": [],
                "created_at": now,
                "updated_at": now,
            }
        )
    for station_id in station_ids:
        await node.store.add_station(station_id, now=now, if_missing=True)
        await service.data.set_station(station_id, {"site_id": DEMO_SITE, "max_current_a": 32.0}, now)
    await service.site_changed(DEMO_SITE)
    return DEMO_SITE, limit
