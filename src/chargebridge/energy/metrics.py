"""Prometheus gauges per site, read from the energy service at scrape time (registered on the
node's metrics registry when the ``[metrics]`` integration runs)."""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from chargebridge.energy.service import EnergyService


class EnergyCollector(Collector):
    def __init__(self, service: EnergyService):
        self.service = service

    def collect(self) -> Iterable[Metric]:
        svc = self.service
        limit = GaugeMetricFamily("chargebridge_site_limit_amps", "A site's effective limit per phase", labels=["site"])
        available = GaugeMetricFamily(
            "chargebridge_site_available_amps", "Current available for charging", labels=["site", "phase"]
        )
        building = GaugeMetricFamily(
            "chargebridge_site_building_load_amps", "Building load measured by the site meter", labels=["site", "phase"]
        )
        allocated = GaugeMetricFamily(
            "chargebridge_site_allocated_amps",
            "Sum of the limits counted for the site's sessions (accepted, or the maximum where not controlled)",
            labels=["site"],
        )
        sessions = GaugeMetricFamily(
            "chargebridge_site_sessions", "Sessions under the site by state", labels=["site", "state"]
        )
        silent = GaugeMetricFamily(
            "chargebridge_site_meter_silent", "1 while the site meter is silent (fallback limit)", labels=["site"]
        )
        unresponsive = GaugeMetricFamily(
            "chargebridge_site_uncontrolled_sessions",
            "Sessions under the site counted at their station's maximum (rejects profiles, silent, disconnected)",
            labels=["site"],
        )
        for site_id, site in sorted(svc.sites.items()):
            state = svc.limit_state(site)
            limit.add_metric([site_id], state.limit_a)
            for phase, amps in enumerate(state.available_a, start=1):
                available.add_metric([site_id, f"L{phase}"], amps)
            for phase, amps in enumerate(state.building_a or (), start=1):
                building.add_metric([site_id, f"L{phase}"], amps)
            view = svc.allocation_json(site_id)
            allocated.add_metric([site_id], view["allocated_a"])
            counts: dict[str, int] = {"charging": 0, "waiting": 0, "pending": 0, "unresponsive": 0, "disconnected": 0}
            for item in view["sessions"]:
                counts[item["status"]] = counts.get(item["status"], 0) + 1
            for name, count in sorted(counts.items()):
                sessions.add_metric([site_id, name], count)
            silent.add_metric([site_id], 1.0 if state.meter_silent else 0.0)
            unresponsive.add_metric(
                [site_id], sum(1 for item in view["sessions"] if item["status"] in ("unresponsive", "disconnected"))
            )
        yield from (limit, available, building, allocated, sessions, silent, unresponsive)
        yield CounterMetricFamily("chargebridge_energy_replans", "Site tree re-plans", value=svc.replans)
        yield CounterMetricFamily(
            "chargebridge_energy_replan_seconds", "Time spent planning and applying", value=svc.replan_seconds_total
        )
        sent = CounterMetricFamily(
            "chargebridge_energy_profiles_sent",
            "The balancer's SetChargingProfile by answer (Accepted, Rejected, or the failure)",
            labels=["result"],
        )
        for result, count in sorted(svc.profiles_sent.items()):
            sent.add_metric([result], count)
        yield sent
