"""``python -m bench load ...``: the load benchmark; ``python -m bench gateway ...``: what the translating
gateway adds (see docs/benchmarks.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from dataclasses import fields
from pathlib import Path

from rich.console import Console

from bench.energy import markdown as energy_markdown
from bench.energy import run_energy
from bench.energy import write_docs as write_energy_docs
from bench.flood import QUICK as FLOOD_QUICK
from bench.flood import FloodConfig, markdown, run_flood
from bench.flood import write_docs as write_flood_docs
from bench.gateway_bench import QUICK_GATEWAY, GatewayBenchConfig, run_gateway_bench, write_gateway_docs
from bench.gateway_bench import markdown as gateway_markdown
from bench.orchestrator import QUICK, BenchConfig, run_bench
from bench.report import plot, write_docs


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bench", description="chargebridge benchmarks")
    sub = root.add_subparsers(dest="command", required=True)
    load = sub.add_parser("load", help="load benchmark against the baseline CSMS")
    load.add_argument("--quick", action="store_true", help="a small run (50 stations, 3 s windows)")
    load.add_argument("--stations", type=int, help="stations under the fixed load [1000]")
    load.add_argument("--rate", type=float, help="MeterValues per second per station at the fixed load [1]")
    load.add_argument("--duration", type=float, help="measured seconds per load level [15]")
    load.add_argument("--warmup", type=float, help="seconds of load before each measured window [3]")
    load.add_argument("--idle-stations", type=int, help="stations connected for connect rate and RSS [= stations]")
    load.add_argument("--levels", help="comma-separated total messages/s for the sweep [0.25,0.5,1,1.5 x fixed]")
    load.add_argument("--rest-requests", type=int, help="REST remote-start requests [200]")
    load.add_argument("--storm-stations", type=int, help="stations in the reconnect storm [1000]")
    load.add_argument("--no-storm", action="store_true", help="skip the reconnect storm")
    load.add_argument("--no-baseline", action="store_true", help="skip the baseline (no ratios)")
    load.add_argument("--no-lean", action="store_true", help="skip the lean no-storage reference server")
    load.add_argument(
        "--lean-picows", action="store_true", help="also the lean reference on picows (the WebSocket layer's share)"
    )
    load.add_argument("--sampled-values", type=int, help="sampled values per MeterValues, 1-10 [3]")
    load.add_argument(
        "--saturation", action="store_true", help="closed-loop saturation on one pinned core after the sweep"
    )
    load.add_argument("--saturation-stations", type=int, help="stations sending back to back [200]")
    load.add_argument(
        "--dashboard-clients",
        type=int,
        help="after the sweep, the fixed level again with this many live-event streams open (the dashboard's cost)",
    )
    load.add_argument(
        "--profile", type=Path, help="write py-spy profiles of each chargebridge server at the fixed level here"
    )
    load.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    load.add_argument("--pg-url", help="PostgreSQL URL; a fresh schema is created in it and dropped")
    load.add_argument("--out", type=Path, default=Path("bench/results/latest.json"))
    load.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="markdown file to update")
    load.add_argument("--plot", type=Path, default=Path("docs/img/latency_vs_load.png"))
    load.add_argument("--no-docs", action="store_true", help="write the JSON only")
    flood = sub.add_parser("flood", help="a station's heartbeat latency while the REST API is flooded")
    flood.add_argument("--quick", action="store_true", help="a small run (2 s + 4 s, 8 MB bodies)")
    flood.add_argument("--quiet", type=float, help="seconds of heartbeats without the flood [5]")
    flood.add_argument("--duration", type=float, help="seconds of heartbeats during the flood [10]")
    flood.add_argument("--no-token-clients", type=int, help="clients POSTing without a token [3]")
    flood.add_argument("--declared-clients", type=int, help="clients declaring 30 MB with a valid token [1]")
    flood.add_argument("--chunked-clients", type=int, help="clients streaming a chunked body with a token [1]")
    flood.add_argument("--big-json-clients", type=int, help="clients POSTing 1 MiB JSON arrays with a token [1]")
    flood.add_argument("--body-mib", type=int, help="size of the large bodies in MiB [30]")
    flood.add_argument("--out", type=Path, default=Path("bench/results/flood.json"))
    flood.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="markdown file to update")
    flood.add_argument("--no-docs", action="store_true", help="write the JSON only")
    cluster = sub.add_parser("cluster", help="one node vs three in cluster mode (PostgreSQL + NATS JetStream)")
    cluster.add_argument("--quick", action="store_true", help="a small run (50 stations per node, 300 in failover)")
    cluster.add_argument("--stations-per-node", type=int, help="stations on each node [300]")
    cluster.add_argument("--rate-per-node", type=float, help="MeterValues/s per node [150]")
    cluster.add_argument("--duration", type=float, help="measured seconds per set-up [15]")
    cluster.add_argument("--rest-requests", type=int, help="REST commands per path (cross-node, same node) [150]")
    cluster.add_argument("--failover-stations", type=int, help="stations in the SIGKILL failover [5000]")
    cluster.add_argument("--no-failover", action="store_true", help="skip the failover phase")
    cluster.add_argument("--node-ttl", type=float, help="cluster_node_ttl_s of the nodes [6]")
    cluster.add_argument("--pg-url", help="PostgreSQL URL; a fresh schema per set-up is created and dropped")
    cluster.add_argument("--nats-url", help="NATS JetStream server [nats://127.0.0.1:4222]")
    cluster.add_argument("--out", type=Path, default=Path("bench/results/cluster.json"))
    cluster.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="markdown file to update")
    cluster.add_argument("--no-docs", action="store_true", help="write the JSON only")
    gateway = sub.add_parser(
        "gateway", help="latency and CPU the translating gateway adds, against a direct connection"
    )
    gateway.add_argument("--quick", action="store_true", help="a small run (100 stations, 4 s windows)")
    gateway.add_argument("--stations", type=int, help="stations under load [1000]")
    gateway.add_argument("--rate", type=float, help="messages per second per station [1]")
    gateway.add_argument("--duration", type=float, help="measured seconds per phase [15]")
    gateway.add_argument("--warmup", type=float, help="seconds of load before each measured window [3]")
    gateway.add_argument("--rounds", type=int, help="run the three phases this often, report the median round [1]")
    gateway.add_argument(
        "--profile",
        type=Path,
        help="write py-spy profiles (raw collapsed stacks) of the gateway and serve over the fixed window here",
    )
    gateway.add_argument("--out", type=Path, default=Path("bench/results/gateway.json"))
    gateway.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="markdown file to update")
    gateway.add_argument("--no-docs", action="store_true", help="write the JSON only")
    energy = sub.add_parser("energy", help="the energy manager's re-plan cost (1,000 and 10,000 sessions)")
    energy.add_argument("--repeat", type=int, default=30, help="plans per case [30]; --quick: 3")
    energy.add_argument("--quick", action="store_true", help="3 plans per case")
    energy.add_argument("--out", type=Path, default=Path("bench/results/energy.json"))
    energy.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="markdown file to update")
    energy.add_argument("--no-docs", action="store_true", help="write the JSON only")
    return root


def cluster_main(args: argparse.Namespace, console: Console, command: str) -> int:
    from bench.cluster import QUICK as CLUSTER_QUICK
    from bench.cluster import ClusterBenchConfig, run_cluster_bench
    from bench.cluster import markdown as cluster_markdown
    from bench.cluster import write_docs as write_cluster_docs

    values: dict[str, object] = dict(CLUSTER_QUICK) if args.quick else {}
    given = {
        "stations_per_node": args.stations_per_node,
        "rate_per_node": args.rate_per_node,
        "duration_s": args.duration,
        "rest_requests": args.rest_requests,
        "failover_stations": args.failover_stations,
        "node_ttl_s": args.node_ttl,
        "pg_url": args.pg_url,
        "nats_url": args.nats_url,
    }
    values.update({k: v for k, v in given.items() if v is not None})
    values["failover"] = not args.no_failover
    config = ClusterBenchConfig(**values)  # type: ignore[arg-type]
    data = asyncio.run(run_cluster_bench(config, console, command))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    console.print(cluster_markdown(data))
    console.print(f"results: {args.out}")
    if not args.no_docs:
        write_cluster_docs(data, args.docs)


def gateway_config_from(args: argparse.Namespace) -> GatewayBenchConfig:
    values: dict[str, object] = dict(QUICK_GATEWAY) if args.quick else {}
    given = {
        "stations": args.stations,
        "rate": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
        "profile_dir": str(args.profile) if args.profile else None,
    }
    values.update({k: v for k, v in given.items() if v is not None})
    return GatewayBenchConfig(**values)  # type: ignore[arg-type]


def main_gateway(args: argparse.Namespace, command: str, console: Console) -> int:
    data = asyncio.run(run_gateway_bench(gateway_config_from(args), console, command))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    console.print(f"results: {args.out}")
    console.print(gateway_markdown(data))
    if not args.no_docs:
        write_gateway_docs(data, args.docs)
        console.print(f"table: {args.docs}")
    return 0


def flood_config_from(args: argparse.Namespace) -> FloodConfig:
    values: dict[str, object] = dict(FLOOD_QUICK) if args.quick else {}
    given = {
        "quiet_s": args.quiet,
        "duration_s": args.duration,
        "no_token_clients": args.no_token_clients,
        "declared_clients": args.declared_clients,
        "chunked_clients": args.chunked_clients,
        "big_json_clients": args.big_json_clients,
        "body_mib": args.body_mib,
    }
    values.update({k: v for k, v in given.items() if v is not None})
    return FloodConfig(**values)  # type: ignore[arg-type]


def config_from(args: argparse.Namespace) -> BenchConfig:
    values: dict[str, object] = dict(QUICK) if args.quick else {}
    given = {
        "stations": args.stations,
        "rate": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "idle_stations": args.idle_stations,
        "rest_requests": args.rest_requests,
        "storm_stations": args.storm_stations,
        "pg_url": args.pg_url,
        "sampled_values": args.sampled_values,
        "saturation_stations": args.saturation_stations,
        "dashboard_clients": args.dashboard_clients,
        "profile_dir": str(args.profile) if args.profile else None,
    }
    values.update({k: v for k, v in given.items() if v is not None})
    if args.levels:
        values["levels"] = [float(x) for x in args.levels.split(",") if x.strip()]
    values["db"] = args.db
    values["storm"] = not args.no_storm
    values["baseline"] = not args.no_baseline
    values["lean"] = not args.no_lean
    values["lean_picows"] = args.lean_picows
    values["saturation"] = args.saturation
    known = {f.name for f in fields(BenchConfig)}
    config = BenchConfig(**{k: v for k, v in values.items() if k in known})  # type: ignore[arg-type]
    config.idle_stations = max(config.idle_stations if args.idle_stations else config.stations, config.stations)
    if args.quick and not args.idle_stations:
        config.idle_stations = max(int(QUICK["idle_stations"]), config.stations)
    return config


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(stderr=True)
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    if args.command == "flood":
        return flood_main(args, console, command)
    if args.command == "cluster":
        return cluster_main(args, console, command)
    if args.command == "gateway":
        return main_gateway(args, command, console)
    if args.command == "energy":
        return energy_main(args, console, command)
    config = config_from(args)
    data = asyncio.run(run_bench(config, console, command))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    console.print(f"results: {args.out}")
    if not args.no_docs:
        write_docs(data, args.docs)
        plot(data, args.plot)
        console.print(f"table: {args.docs}; plot: {args.plot}")
    return 0


def flood_main(args: argparse.Namespace, console: Console, command: str) -> int:
    result = asyncio.run(run_flood(flood_config_from(args), command, console.print))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(markdown(result))
    console.print(f"results: {args.out}")
    if not args.no_docs:
        write_flood_docs(result, args.docs)
        console.print(f"table: {args.docs}")
    return 0


def energy_main(args: argparse.Namespace, console: Console, command: str) -> int:
    result = run_energy(3 if args.quick else args.repeat, command)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    console.print(energy_markdown(result))
    console.print(f"results: {args.out}")
    if not args.no_docs:
        write_energy_docs(result, args.docs)
        console.print(f"table: {args.docs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
