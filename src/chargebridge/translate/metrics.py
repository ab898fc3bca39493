"""The gateway's counters and their Prometheus form (read at scrape time; nothing on the hot path
but a dict increment and a histogram bucket).

- ``chargebridge_gateway_legs{leg, state}``: stations per leg state;
- ``chargebridge_gateway_station_up{station_id, leg}``: per station, 1 when the leg is up;
- ``chargebridge_gateway_station_queue{station_id}``: messages waiting for the upstream, per station;
- ``chargebridge_gateway_translations_total{direction, action, result}``: every message translated,
  by result (``ok``, ``untranslatable``, ``refused`` (the sender's message broke the rules),
  ``failed`` (ours or the upstream's error));
- ``chargebridge_gateway_added_latency_seconds``: time a message spends in the gateway (both ways,
  upstream round trip excluded); ``chargebridge_gateway_upstream_round_trip_seconds``;
- ``chargebridge_gateway_replayed_total``, ``chargebridge_gateway_dead_letters_total``,
  ``chargebridge_gateway_upstream_garbage_total``, ``chargebridge_gateway_upstream_connects_total``;
- ``chargebridge_gateway_dead_letters_retried_total``, ``chargebridge_gateway_dead_letters_discarded_total``:
  dead letters an operator sent again / deleted (the HTTP API's write routes).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from chargebridge.histogram import LatencyHistogram

if TYPE_CHECKING:
    from chargebridge.translate.service import TranslatingGateway

# Sub-millisecond resolution: the gateway's own share of a message's round trip is small.
ADDED_LATENCY_BUCKETS_S = (
    0.0001,
    0.0002,
    0.0003,
    0.0005,
    0.00075,
    0.001,
    0.0015,
    0.002,
    0.003,
    0.005,
    0.01,
    0.025,
    0.05,
    0.1,
    0.25,
    1.0,
)


def _histogram(buckets: tuple[float, ...]) -> LatencyHistogram:
    return LatencyHistogram(buckets=buckets, counts=[0] * (len(buckets) + 1))


UP = "station->upstream"
DOWN = "upstream->station"


@dataclass(slots=True)
class GatewayStats:
    translations: dict[tuple[str, str, str], int] = field(default_factory=dict)
    added_latency: LatencyHistogram = field(default_factory=lambda: _histogram(ADDED_LATENCY_BUCKETS_S))
    upstream_round_trip: LatencyHistogram = field(default_factory=LatencyHistogram)
    replayed: int = 0
    dead_letters: int = 0
    dead_letters_retried: int = 0
    dead_letters_discarded: int = 0
    upstream_connects: int = 0

    def count(self, direction: str, action: str, result: str) -> None:
        key = (direction, action, result)
        self.translations[key] = self.translations.get(key, 0) + 1


class GatewayCollector(Collector):
    def __init__(self, gateway: TranslatingGateway):
        self.gateway = gateway

    def collect(self) -> Iterable[Metric]:
        gw = self.gateway
        stats = gw.stats
        legs = GaugeMetricFamily("chargebridge_gateway_legs", "Stations by leg and state", labels=["leg", "state"])
        up = GaugeMetricFamily(
            "chargebridge_gateway_station_up", "1 when the station's leg is up", labels=["station_id", "leg"]
        )
        queue = GaugeMetricFamily(
            "chargebridge_gateway_station_queue",
            "Messages waiting for the upstream, per station",
            labels=["station_id"],
        )
        by_state: dict[tuple[str, str], int] = {}
        for station_id, bridge in sorted(gw.bridges.items()):
            station_state = "connected" if bridge.station is not None else "disconnected"
            upstream_state = bridge.upstream.state if bridge.upstream is not None else "closed"
            for leg, leg_state in (("station", station_state), ("upstream", upstream_state)):
                by_state[(leg, leg_state)] = by_state.get((leg, leg_state), 0) + 1
            up.add_metric([station_id, "station"], 1 if bridge.station is not None else 0)
            up.add_metric([station_id, "upstream"], 1 if upstream_state == "online" else 0)
            queue.add_metric([station_id], bridge.queued)
        for (leg, leg_state), count in sorted(by_state.items()):
            legs.add_metric([leg, leg_state], count)
        yield from (legs, up, queue)
        translations = CounterMetricFamily(
            "chargebridge_gateway_translations",
            "Messages translated, by direction, action and result",
            labels=["direction", "action", "result"],
        )
        for (direction, action, result), count in sorted(stats.translations.items()):
            translations.add_metric([direction, action, result], count)
        yield translations
        yield _family(
            "chargebridge_gateway_added_latency_seconds",
            "Time a message spends in the gateway, both ways, the upstream's round trip excluded",
            stats.added_latency,
        )
        yield _family(
            "chargebridge_gateway_upstream_round_trip_seconds",
            "Round trip of the gateway's CALLs upstream",
            stats.upstream_round_trip,
        )
        yield CounterMetricFamily(
            "chargebridge_gateway_replayed", "Queued messages sent after an outage or restart", value=stats.replayed
        )
        yield CounterMetricFamily(
            "chargebridge_gateway_dead_letters",
            "Queued messages the upstream refused every time (kept)",
            value=stats.dead_letters,
        )
        yield CounterMetricFamily(
            "chargebridge_gateway_dead_letters_retried",
            "Dead letters an operator put back in their station's queue",
            value=stats.dead_letters_retried,
        )
        yield CounterMetricFamily(
            "chargebridge_gateway_dead_letters_discarded",
            "Dead letters an operator deleted",
            value=stats.dead_letters_discarded,
        )
        yield CounterMetricFamily(
            "chargebridge_gateway_upstream_connects", "Upstream connections opened", value=stats.upstream_connects
        )
        garbage = sum(bridge.upstream.garbage for bridge in gw.bridges.values() if bridge.upstream is not None)
        yield CounterMetricFamily(
            "chargebridge_gateway_upstream_garbage",
            "Broken frames and stray replies from the upstream (live connections)",
            value=garbage,
        )


def _family(name: str, documentation: str, histogram: LatencyHistogram) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation)
    family.add_metric([], histogram.cumulative(), sum_value=histogram.total_s)
    return family
