"""The energy management extension: wires the energy service into a node (routes, the station
fields of ``PATCH /api/v1/stations/{id}``, the MQTT site commands, the Prometheus gauges).

It is built with the list of the node's extensions so that it finds the ones it works with when it
starts: smart charging (it sends every profile through it), the MQTT bridge (site commands on its
access-controlled command topic) and metrics (per-site gauges).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chargebridge.api.auth import Principal
from chargebridge.energy.limits import ROTATIONS
from chargebridge.energy.routes import (
    STATION_FIELDS,
    LimitBody,
    build_router,
    curtailment_view,
    limit_values,
    principal_name,
)
from chargebridge.energy.service import EnergyError, EnergyOptions, EnergyService, MeterInfo
from chargebridge.integrations.mqtt_auth import CommandRefused
from chargebridge.store.repository import Row
from chargebridge.tasks import cancel_and_wait

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.config import Settings
    from chargebridge.extensions import Extension

log = logging.getLogger(__name__)

SITE_COMMANDS = ("set-limit", "clear-limit")
# Cluster mode: the lease whose holder balances every site, and how often it re-reads the sites.
BALANCER_LEASE = "energy.balancer"
CLUSTER_RELOAD_S = 30.0


class ClearLimitBody(BaseModel):
    """MQTT ``clear-limit``: release the site's active limits of ``source`` (or the one with ``id``)."""

    model_config = ConfigDict(extra="forbid")
    source: str | None = Field(default=None, min_length=1, max_length=64)
    id: int | None = Field(default=None, ge=1, le=2**63 - 1)


class EnergyExtension:
    name = "energy"

    def __init__(self, settings: Settings, extensions: Sequence[Extension] = ()):
        self.settings = settings
        self.extensions = extensions  # the node's extensions (the list is complete when start() runs)
        self.options = EnergyOptions(
            replan_interval_s=settings.energy_replan_interval_s,
            meter_timeout_s=settings.energy_meter_timeout_s,
            default_max_current_a=settings.energy_default_max_current_a,
            profile_timeout_s=settings.energy_profile_timeout_s,
            stack_level=settings.energy_stack_level,
            retry_s=settings.energy_retry_s,
            verify_interval_s=settings.energy_verify_interval_s,
        )
        self.service: EnergyService | None = None
        self._context: ApiContext | None = None
        self._collector: Any = None
        self._registry: Any = None
        self._bridge: Any = None
        self._lease_task: asyncio.Task[None] | None = None

    def routers(self) -> list[APIRouter]:
        return [build_router(self)]

    def _meters(self) -> dict[str, MeterInfo]:
        from chargebridge.integrations.config import config_from_settings

        modbus = config_from_settings(self.settings).modbus
        if not modbus.enabled:
            return {}
        return {
            m.name: MeterInfo(m.name, m.poll_interval_s, m.timeout_s, m.site_id, m.station_id) for m in modbus.meters
        }

    async def start(self, context: ApiContext) -> None:
        from chargebridge.integrations.metrics import MetricsExtension
        from chargebridge.integrations.mqtt import MqttBridge
        from chargebridge.smartcharging.extension import SmartChargingExtension

        smart = next((e for e in self.extensions if isinstance(e, SmartChargingExtension)), None)
        if smart is None or smart.service is None:
            raise RuntimeError("energy management needs the smart charging extension, started before it")
        self._context = context
        self.service = EnergyService(
            context.store,
            context.bus,
            context.clock,
            smart.service,
            connected=context.gateway.is_connected,  # on any node of a cluster
            meters=self._meters(),
            options=self.options,
        )
        await self.service.start()
        if context.leases.distributed:
            # Cluster mode: one node at a time balances the network's sites (the lease holder); the
            # others keep their picture but send no profiles.
            leases = context.leases
            self.service.may_plan = lambda root: leases.held(BALANCER_LEASE)
            self._lease_task = asyncio.create_task(
                leases.run_while_held(BALANCER_LEASE, self._balance), name="energy-balancer-lease"
            )
        context.station_updaters.append(self.update_station_fields)
        for ext in self.extensions:
            if isinstance(ext, MetricsExtension):
                from chargebridge.energy.metrics import EnergyCollector

                self._collector = EnergyCollector(self.service)
                self._registry = ext.registry
                ext.registry.register(self._collector)
            elif isinstance(ext, MqttBridge):
                ext.site_commands = self.mqtt_site_command
                self._bridge = ext

    async def _balance(self) -> None:
        """While this node holds the balancer lease: take in what other nodes changed (sites,
        station settings, curtailments are written to the database by whichever node the API call
        reached) and re-plan every site tree, then again every ``CLUSTER_RELOAD_S``."""
        assert self.service is not None
        while True:
            await self.service.reload()
            for root in self.service.roots():
                self.service.request_replan(root, "balancer lease")
            await asyncio.sleep(CLUSTER_RELOAD_S)

    async def stop(self) -> None:
        if self._lease_task is not None:
            await cancel_and_wait(self._lease_task)
            self._lease_task = None
        if self._registry is not None and self._collector is not None:
            self._registry.unregister(self._collector)
            self._registry = self._collector = None
        if self._bridge is not None:
            self._bridge.site_commands = None
            self._bridge = None
        if self._context is not None and self.update_station_fields in self._context.station_updaters:
            self._context.station_updaters.remove(self.update_station_fields)
        if self.service is not None:
            await self.service.stop()

    def _svc(self) -> EnergyService:
        if self.service is None:
            raise EnergyError(503, "energy management is not running")
        return self.service

    # -- sites -----------------------------------------------------------------------------------

    async def check_site(
        self, svc: EnergyService, site_id: str, values: dict[str, Any], *, existing: Row | None
    ) -> None:
        """422 for a site that cannot work: an unknown meter or parent, a cycle, limits that contradict."""
        meter = values.get("meter")
        if meter is not None:
            info = svc.meters.get(meter)
            if info is None:
                known = ", ".join(sorted(svc.meters)) or "none: [modbus] is not enabled or has no meters"
                raise EnergyError(422, f"unknown meter {meter!r} (the integrations config's Modbus meters: {known})")
            if info.site_id is None:
                raise EnergyError(
                    422, f"meter {meter!r} measures station {info.station_id!r}, not a site's building load"
                )
        parent = values.get("parent_id")
        if parent is not None:
            if parent == site_id:
                raise EnergyError(422, "a site cannot be its own parent")
            if await svc.data.get_site(parent) is None:
                raise EnergyError(422, f"unknown parent site {parent!r}")
            seen = {site_id}
            current: str | None = parent
            while current is not None:
                if current in seen:
                    raise EnergyError(422, f"parent {parent!r} would make a cycle of sites")
                seen.add(current)
                row = await svc.data.get_site(current)
                current = row["parent_id"] if row is not None else None
        grid = float(values["grid_limit_a"])
        if values.get("fallback_limit_a") is not None and float(values["fallback_limit_a"]) > grid:
            raise EnergyError(422, "fallback_limit_a must not exceed grid_limit_a")
        if float(values.get("safety_margin_a") or 0.0) >= grid:
            raise EnergyError(422, "safety_margin_a must be below grid_limit_a")
        if float(values.get("min_current_a") or 0.0) > grid:
            raise EnergyError(422, "min_current_a must not exceed grid_limit_a")

    async def curtail(self, site_id: str, body: LimitBody, principal: Principal | None, *, via: str) -> dict[str, Any]:
        """A grid-operator / aggregator limit for a duration (REST and MQTT). A new limit of the same
        source replaces that source's active one."""
        svc = self._svc()
        site = await svc.data.get_site(site_id)
        if site is None:
            raise EnergyError(404, f"site {site_id!r} does not exist")
        now = svc.clock.now()
        limit_a, limit_kw = limit_values(body, site)
        starts = body.starts_at or now
        ends = starts + timedelta(seconds=body.duration_s)
        if ends <= now:
            raise EnergyError(422, "the limit would already have ended")
        replaced = await svc.data.replace_source(site_id, body.source, now)
        new_id = await svc.data.add_curtailment(
            {
                "site_id": site_id,
                "limit_a": limit_a,
                "limit_kw": limit_kw,
                "source": body.source,
                "starts_at": starts,
                "ends_at": ends,
                "created_by": principal_name(principal),
                "via": via,
                "created_at": now,
            }
        )
        await svc.curtailments_changed(site_id)
        row = await svc.data.get_curtailment(new_id)
        assert row is not None
        runtime = svc.sites.get(site_id)
        effective = svc.limit_state(runtime).limit_a if runtime is not None else None
        return {**curtailment_view(row, now), "replaced": replaced, "effective_limit_a": effective}

    async def release(self, site_id: str, body: ClearLimitBody) -> dict[str, Any]:
        svc = self._svc()
        if await svc.data.get_site(site_id) is None:
            raise EnergyError(404, f"site {site_id!r} does not exist")
        now = svc.clock.now()
        released: list[int] = []
        if body.id is not None:
            row = await svc.data.get_curtailment(body.id)
            if row is None or row["site_id"] != site_id:
                raise EnergyError(404, f"site {site_id!r} has no limit {body.id}")
            if await svc.data.clear_curtailment(body.id, now):
                released.append(body.id)
        elif body.source is not None:
            released = await svc.data.replace_source(site_id, body.source, now)
        else:
            raise EnergyError(422, "give the source or the id of the limit to release")
        await svc.curtailments_changed(site_id)
        return {"site_id": site_id, "released": released}

    async def mqtt_site_command(
        self, site_id: str, name: str, body: dict[str, Any], principal: Principal
    ) -> dict[str, Any]:
        """A site command from the MQTT bridge (already authenticated and checked against its rules)."""
        if name not in SITE_COMMANDS:
            raise CommandRefused(404, f"unknown site command {name!r}", list(SITE_COMMANDS))
        try:
            if name == "set-limit":
                parsed = LimitBody.model_validate(body)
                return {"command": name, **(await self.curtail(site_id, parsed, principal, via="mqtt"))}
            cleared = ClearLimitBody.model_validate(body)
            return {"command": name, **(await self.release(site_id, cleared))}
        except ValidationError as exc:
            details = json.loads(exc.json(include_input=False, include_url=False))
            raise CommandRefused(422, "invalid command body", details) from exc
        except EnergyError as exc:
            raise CommandRefused(exc.status, exc.message) from exc

    # -- stations --------------------------------------------------------------------------------

    async def update_station_fields(self, station_id: str, given: dict[str, Any], principal: Any) -> dict[str, Any]:
        """``PATCH /api/v1/stations/{id}``: ``site_id``, ``max_current_a``, ``priority``."""
        fields = {key: given[key] for key in STATION_FIELDS if key in given}
        if not fields:
            return {}
        if isinstance(principal, Principal) and principal.scoped:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                "a station's site, maximum current and priority change what the whole site may draw: "
                "this token is limited to certain stations",
            )
        try:
            await self.set_station(station_id, fields)
        except EnergyError as exc:
            raise HTTPException(exc.status, exc.message) from exc
        settings = await self._svc().data.station_settings(station_id)
        row = settings[0] if settings else None
        return {key: (row[key] if row is not None else None) for key in STATION_FIELDS}

    async def set_station(self, station_id: str, values: dict[str, Any]) -> None:
        svc = self._svc()
        site_id = values.get("site_id")
        if site_id is not None and await svc.data.get_site(site_id) is None:
            raise EnergyError(422, f"unknown site {site_id!r}")
        rotation = values.get("phase_rotation")
        if rotation is not None and rotation not in ROTATIONS:
            raise EnergyError(422, f"phase_rotation must be one of {', '.join(ROTATIONS)}")
        previous = await svc.data.station_settings(station_id)
        previous_site = previous[0]["site_id"] if previous else None
        row_values: dict[str, Any] = {
            k: values[k] for k in ("site_id", "max_current_a", "priority", "phase_rotation") if k in values
        }
        if "priority" in row_values and row_values["priority"] is None:
            row_values["priority"] = 0
        now = svc.clock.now()
        await svc.data.set_station(station_id, row_values, now)
        if values.get("evses") is not None:
            items = {
                int(e["evse_id"]): {"max_current_a": e.get("max_current_a"), "priority": e.get("priority")}
                for e in values["evses"]
            }
            await svc.data.replace_evses(station_id, items, now)
        await svc.station_changed(station_id, previous_site)

    async def station_energy(self, station_id: str) -> dict[str, Any]:
        svc = self._svc()
        rows = await svc.data.station_settings(station_id)
        row = rows[0] if rows else None
        evses = await svc.data.evse_settings(station_id)
        runtime = svc.stations.get(station_id)
        live: dict[str, Any] | None = None
        if runtime is not None:
            live = svc.station_json(runtime)
            live["sessions"] = [
                {
                    "evse_id": s.evse_id,
                    "transaction_id": s.transaction_id,
                    "allocation_a": s.target_a,
                    "limit_a": s.sent_a,
                    "counted_a": svc.in_effect(runtime, s),
                }
                for s in sorted(runtime.sessions.values(), key=lambda s: s.evse_id)
            ]
        return {
            "station_id": station_id,
            "site_id": row["site_id"] if row else None,
            "max_current_a": row["max_current_a"] if row else None,
            "priority": row["priority"] if row else 0,
            "phase_rotation": row["phase_rotation"] if row else None,
            "evses": [
                {"evse_id": e["evse_id"], "max_current_a": e["max_current_a"], "priority": e["priority"]} for e in evses
            ],
            "live": live,
        }
