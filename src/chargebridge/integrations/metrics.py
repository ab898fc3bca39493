"""Prometheus metrics at ``/metrics``, collected from the stats objects the core already keeps.

Nothing here touches the OCPP hot path: a custom collector reads ``gateway.stats``,
``store.writer.stats`` and ``bus.stats()`` at scrape time, and the command round-trip
histogram is fed from ``command.completed`` events on the bus. Each node has its own
registry (no module-level globals).
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.metrics_core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    InfoMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from pydantic import Field, SecretStr, field_validator, model_validator

from chargebridge.domain.events import EventKind
from chargebridge.eventloop import loop_name
from chargebridge.histogram import LatencyHistogram
from chargebridge.integrations.base import ReportsStats, Section, check_env, resolve_secret
from chargebridge.services.authorization import Authorization
from chargebridge.tasks import cancel_and_wait

if TYPE_CHECKING:
    from chargebridge.api.deps import ApiContext
    from chargebridge.bus.memory import Subscription
    from chargebridge.extensions import Extension

log = logging.getLogger(__name__)

DEFAULT_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class MetricsConfig(Section):
    enabled: bool = True
    path: str = "/metrics"
    bearer_token: SecretStr | None = None
    bearer_token_env: str | None = None
    round_trip_buckets_s: list[float] = Field(default_factory=lambda: list(DEFAULT_BUCKETS_S), min_length=1)

    @field_validator("path")
    @classmethod
    def _absolute(cls, value: str) -> str:
        if not value.startswith("/") or value.startswith("/api/"):
            raise ValueError("must start with '/' and not be under /api/")
        return value

    @model_validator(mode="after")
    def _env_present(self) -> MetricsConfig:
        check_env(self.bearer_token_env, "bearer_token_env")
        return self


class CoreCollector(Collector):
    """Reads the core's counters at scrape time."""

    def __init__(self, others: Sequence[Extension]):
        self.context: ApiContext | None = None
        self.others = others

    def collect(self) -> Iterable[Metric]:
        ctx = self.context
        if ctx is None:
            return
        yield InfoMetricFamily("chargebridge_event_loop", "The event loop of this node", value={"loop": loop_name()})
        yield from self._gateway(ctx)
        yield from self._bus(ctx)
        yield from self._cluster(ctx)
        yield from self._store(ctx)
        yield from self._api_auth(ctx)
        yield from self._integrations(ctx.stats_reporters)

    def _gateway(self, ctx: ApiContext) -> Iterable[Metric]:
        connected = GaugeMetricFamily(
            "chargebridge_connected_stations", "Stations with a live WebSocket", labels=["ocpp_version"]
        )
        by_version: dict[str, int] = {"1.6": 0, "2.0.1": 0}
        for conn in list(ctx.gateway.connections.values()):
            by_version[conn.version] = by_version.get(conn.version, 0) + 1
        for version, count in sorted(by_version.items()):
            connected.add_metric([version], count)
        yield connected
        stats = ctx.gateway.stats
        inbound = CounterMetricFamily(
            "chargebridge_ocpp_messages_in", "CALLs received from stations, by action", labels=["action"]
        )
        for action, count in sorted(stats.by_action.items()):
            inbound.add_metric([action], count)
        yield inbound
        answered = CounterMetricFamily(
            "chargebridge_ocpp_answers",
            "Answers to station CALLs, by action and result (ok or the CALLERROR code)",
            labels=["action", "result"],
        )
        for (action, result), count in sorted(stats.by_action_result.items()):
            answered.add_metric([action, result], count)
        yield answered
        outbound = CounterMetricFamily(
            "chargebridge_ocpp_calls_out_results",
            "Our CALLs to stations by action and outcome (answered, callerror, timeout, disconnected)",
            labels=["action", "result"],
        )
        for (action, result), count in sorted(stats.calls_out_by_result.items()):
            outbound.add_metric([action, result], count)
        yield outbound
        yield _histogram(
            "chargebridge_ocpp_call_round_trip_seconds",
            "Round trip of our CALLs to stations (commands, raw calls, firmware)",
            stats.call_round_trip,
        )
        yield CounterMetricFamily("chargebridge_ocpp_calls_out", "CALLs sent to stations", value=stats.calls_out)
        yield CounterMetricFamily(
            "chargebridge_ocpp_errors_sent", "CALLERRORs sent to stations", value=stats.errors_sent
        )
        yield CounterMetricFamily(
            "chargebridge_ocpp_protocol_violations", "Broken frames received", value=stats.protocol_violations
        )
        yield CounterMetricFamily(
            "chargebridge_ocpp_unmatched_replies", "Replies to no outstanding CALL", value=stats.unmatched_replies
        )
        refusals = CounterMetricFamily(
            "chargebridge_handshake_refusals",
            "Refused WebSocket and TLS handshakes by reason (a security event type, LockedOut, ProbeLimited, "
            "UnknownStation, InvalidPath, ReplacementRateLimited, ...)",
            labels=["reason"],
        )
        for reason, count in sorted(stats.handshake_refusals.items()):
            refusals.add_metric([reason], count)
        yield refusals
        replacements = CounterMetricFamily(
            "chargebridge_connection_replacements",
            "New connections for a station with a live one: accepted (the old socket closed) or refused",
            labels=["result"],
        )
        replacements.add_metric(["accepted"], stats.replacements)
        replacements.add_metric(["refused"], stats.replacements_refused)
        yield replacements

    def _cluster(self, ctx: ApiContext) -> Iterable[Metric]:
        """Cluster mode: this node's view of the network and its share of the cluster's work."""
        cluster = ctx.cluster
        if cluster is None:
            return
        status = cluster.status()
        yield GaugeMetricFamily(
            "chargebridge_cluster_connected_stations",
            "Stations connected to any node of the network (this node's view of the presence bucket)",
            value=status["connected_stations"],
        )
        nodes = GaugeMetricFamily("chargebridge_cluster_nodes", "Nodes this node sees, by liveness", labels=["alive"])
        alive = sum(1 for n in status["nodes"] if n["alive"])
        nodes.add_metric(["true"], alive)
        nodes.add_metric(["false"], len(status["nodes"]) - alive)
        yield nodes
        yield GaugeMetricFamily(
            "chargebridge_cluster_nats_connected",
            "1 when this node is connected to NATS",
            value=status["nats_connected"],
        )
        routing = CounterMetricFamily(
            "chargebridge_cluster_routing", "Cross-node commands and takeovers by kind", labels=["kind"]
        )
        for kind, count in sorted(status["routing"].items()):
            routing.add_metric([kind], count)
        yield routing
        presence = CounterMetricFamily(
            "chargebridge_cluster_presence", "Presence bucket writes and conflicts by kind", labels=["kind"]
        )
        for kind, count in sorted(status["presence"].items()):
            if not kind.endswith("_s"):
                presence.add_metric([kind], count)
        yield presence
        yield GaugeMetricFamily(
            "chargebridge_cluster_max_heartbeat_gap_seconds",
            "Longest time between two heartbeats of this node (must stay well under the node TTL)",
            value=status["presence"].get("max_heartbeat_gap_s", 0.0),
        )
        bus = CounterMetricFamily(
            "chargebridge_cluster_bus", "Events shared with (and received from) the other nodes", labels=["kind"]
        )
        for kind, count in sorted(status["bus"].items()):
            bus.add_metric([kind], count)
        yield bus
        leases = GaugeMetricFamily(
            "chargebridge_cluster_lease_held", "1 for each lease this node holds", labels=["lease"]
        )
        for name, lease in sorted(status["leases"].items()):
            leases.add_metric([name], 1 if lease["held"] else 0)
        yield leases

    def _bus(self, ctx: ApiContext) -> Iterable[Metric]:
        yield CounterMetricFamily("chargebridge_bus_published", "Events published on the bus", value=ctx.bus.published)
        depth = GaugeMetricFamily(
            "chargebridge_bus_queue_depth", "Events waiting per subscriber", labels=["subscriber"]
        )
        dropped = CounterMetricFamily(
            "chargebridge_bus_dropped", "Events dropped (oldest first) per subscriber", labels=["subscriber"]
        )
        delivered = CounterMetricFamily(
            "chargebridge_bus_delivered", "Events taken by each subscriber", labels=["subscriber"]
        )
        for name, sub in sorted(ctx.bus.stats().items()):
            depth.add_metric([name], sub["depth"])
            dropped.add_metric([name], sub["dropped"])
            delivered.add_metric([name], sub["delivered"])
        yield from (depth, dropped, delivered)

    def _store(self, ctx: ApiContext) -> Iterable[Metric]:
        writer = ctx.store.writer
        s = writer.stats
        yield CounterMetricFamily("chargebridge_db_commits", "Group commits", value=s.commits)
        yield CounterMetricFamily("chargebridge_db_write_ops", "Write operations committed", value=s.ops)
        yield CounterMetricFamily("chargebridge_db_write_retries", "Batches retried (database away)", value=s.retries)
        yield CounterMetricFamily("chargebridge_db_write_failures", "Write operations that failed", value=s.failures)
        yield GaugeMetricFamily(
            "chargebridge_db_last_commit_seconds", "Duration of the latest group commit", value=s.last_commit_ms / 1000
        )
        yield GaugeMetricFamily("chargebridge_db_write_backlog", "Writes waiting for a commit", value=writer.backlog)
        yield _histogram("chargebridge_db_commit_seconds", "Duration of group commits", s.commit_latency)
        health = ctx.store.health
        yield GaugeMetricFamily(
            "chargebridge_db_up", "1 while the database answers, 0 during an outage", value=health.up
        )
        yield GaugeMetricFamily(
            "chargebridge_db_outage_seconds", "Length of the current database outage (0 when up)", value=health.outage_s
        )
        yield CounterMetricFamily("chargebridge_db_outages", "Database outages since start", value=health.outages)
        yield CounterMetricFamily(
            "chargebridge_db_outage_duration_seconds",
            "Time the database was unreachable, all outages",
            value=health.outage_seconds_total,
        )
        refused = CounterMetricFamily(
            "chargebridge_db_unavailable",
            "Operations refused because the database was unreachable (write: after the retry window)",
            labels=["operation"],
        )
        refused.add_metric(["read"], health.refused_reads)
        refused.add_metric(["write"], health.refused_writes)
        yield refused
        yield from self._authorization(ctx)

    def _authorization(self, ctx: ApiContext) -> Iterable[Metric]:
        authorization = getattr(ctx.gateway.services, "authorization", None)
        if not isinstance(authorization, Authorization):
            return
        yield GaugeMetricFamily(
            "chargebridge_authorize_cache_entries",
            "Token statuses held for offline Authorize",
            value=len(ctx.store.token_cache),
        )
        answers = CounterMetricFamily(
            "chargebridge_authorize_offline_answers",
            "Authorizations answered without the database, by source (cache, policy) and status",
            labels=["source", "status"],
        )
        for (source, answer), count in sorted(authorization.stats.offline_answers.items()):
            answers.add_metric([source, answer], count)
        yield answers
        yield CounterMetricFamily(
            "chargebridge_authorize_offline_discrepancies",
            "Offline answers the database contradicted once it was back",
            value=authorization.stats.discrepancies,
        )
        yield GaugeMetricFamily(
            "chargebridge_authorize_offline_pending", "Offline answers not yet reconciled", value=authorization.pending
        )
        yield CounterMetricFamily(
            "chargebridge_authorize_offline_dropped",
            "Offline answers not kept for reconciliation (backlog full)",
            value=authorization.stats.dropped,
        )

    def _api_auth(self, ctx: ApiContext) -> Iterable[Metric]:
        guard = ctx.bearer_guard
        failures = CounterMetricFamily(
            "chargebridge_api_auth_failures",
            "API requests refused for their bearer token, by reason (missing, unknown, revoked, expired)",
            labels=["reason"],
        )
        for reason, count in sorted(guard.failures.items()):
            failures.add_metric([reason], count)
        yield failures
        yield CounterMetricFamily(
            "chargebridge_api_auth_lockouts",
            "Source addresses locked out of the API after too many refused bearer tokens",
            value=guard.lockouts,
        )
        yield CounterMetricFamily(
            "chargebridge_api_auth_throttled",
            "API requests answered 429 because their source address was locked out",
            value=guard.throttled,
        )

    def _integrations(self, reporters: Sequence[object] = ()) -> Iterable[Metric]:
        for ext in [*self.others, *reporters]:
            if not isinstance(ext, ReportsStats):
                continue
            for stat, value in sorted(ext.stats().items()):
                name = f"chargebridge_{ext.name}_{stat}"
                if stat.endswith("_total"):
                    yield CounterMetricFamily(name.removesuffix("_total"), f"{ext.name} {stat}", value=value)
                else:
                    yield GaugeMetricFamily(name, f"{ext.name} {stat}", value=value)


class MetricsExtension:
    name = "metrics"

    def __init__(self, config: MetricsConfig, *, others: Sequence[Extension] = ()):
        self.config = config
        self.registry = CollectorRegistry()
        self.collector = CoreCollector(others)
        self.registry.register(self.collector)
        self.round_trip = Histogram(
            "chargebridge_command_round_trip_seconds",
            "Round trip of answered commands sent to stations (REST and MQTT), by action and status",
            ["action", "status"],
            buckets=config.round_trip_buckets_s,
            registry=self.registry,
        )
        self._token = resolve_secret(config.bearer_token, config.bearer_token_env)
        self._sub: Subscription | None = None
        self._task: asyncio.Task[None] | None = None

    def routers(self) -> list[APIRouter]:
        router = APIRouter(tags=["system"])

        @router.get(self.config.path, include_in_schema=False)
        async def metrics(authorization: Annotated[str | None, Header()] = None) -> Response:
            self._check(authorization)
            return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)

        return [router]

    def _check(self, authorization: str | None) -> None:
        if self._token is None:
            return
        scheme, _, given = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), self._token.encode()):
            raise HTTPException(
                status.HTTP_401_UNAUTHORIZED, "a valid bearer token is required", {"WWW-Authenticate": "Bearer"}
            )

    async def start(self, context: ApiContext) -> None:
        self.collector.context = context
        # local_only: a node's metrics count its own commands (Prometheus sums the nodes).
        self._sub = context.bus.subscribe("metrics", {EventKind.COMMAND_COMPLETED}, queue_size=10_000, local_only=True)
        self._task = asyncio.create_task(self._observe(self._sub), name="metrics-commands")

    async def _observe(self, sub: Subscription) -> None:
        while True:
            event = await sub.get()
            self.observe_command(event.data)

    def observe_command(self, data: dict[str, Any]) -> None:
        round_trip_ms = data.get("round_trip_ms")
        if not isinstance(round_trip_ms, int | float):
            return
        answer = data.get("status")
        self.round_trip.labels(str(data.get("action", "")), str(answer) if answer is not None else "answered").observe(
            round_trip_ms / 1000
        )

    async def stop(self) -> None:
        if self._task is not None:
            await cancel_and_wait(self._task)
            self._task = None
        if self._sub is not None and self.collector.context is not None:
            self.collector.context.bus.unsubscribe(self._sub)
        self.collector.context = None


def _histogram(name: str, documentation: str, histogram: LatencyHistogram) -> HistogramMetricFamily:
    family = HistogramMetricFamily(name, documentation)
    family.add_metric([], histogram.cumulative(), sum_value=histogram.total_s)
    return family
