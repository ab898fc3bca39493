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

from bench.gateway_bench import QUICK_GATEWAY, GatewayBenchConfig, markdown, run_gateway_bench, write_gateway_docs
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
    load.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    load.add_argument("--pg-url", help="PostgreSQL URL; a fresh schema is created in it and dropped")
    load.add_argument("--out", type=Path, default=Path("bench/results/latest.json"))
    load.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="markdown file to update")
    load.add_argument("--plot", type=Path, default=Path("docs/img/latency_vs_load.png"))
    load.add_argument("--no-docs", action="store_true", help="write the JSON only")
    gateway = sub.add_parser(
        "gateway", help="latency and CPU the translating gateway adds, against a direct connection"
    )
    gateway.add_argument("--quick", action="store_true", help="a small run (100 stations, 4 s windows)")
    gateway.add_argument("--stations", type=int, help="stations under load [1000]")
    gateway.add_argument("--rate", type=float, help="messages per second per station [1]")
    gateway.add_argument("--duration", type=float, help="measured seconds per phase [15]")
    gateway.add_argument("--warmup", type=float, help="seconds of load before each measured window [3]")
    gateway.add_argument("--rounds", type=int, help="run the three phases this often, report the median round [1]")
    gateway.add_argument("--out", type=Path, default=Path("bench/results/gateway.json"))
    gateway.add_argument("--docs", type=Path, default=Path("docs/benchmarks.md"), help="markdown file to update")
    gateway.add_argument("--no-docs", action="store_true", help="write the JSON only")
    return root


def gateway_config_from(args: argparse.Namespace) -> GatewayBenchConfig:
    values: dict[str, object] = dict(QUICK_GATEWAY) if args.quick else {}
    given = {
        "stations": args.stations,
        "rate": args.rate,
        "duration_s": args.duration,
        "warmup_s": args.warmup,
        "rounds": args.rounds,
    }
    values.update({k: v for k, v in given.items() if v is not None})
    return GatewayBenchConfig(**values)  # type: ignore[arg-type]


def main_gateway(args: argparse.Namespace, command: str, console: Console) -> int:
    data = asyncio.run(run_gateway_bench(gateway_config_from(args), console, command))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    console.print(f"results: {args.out}")
    console.print(markdown(data))
    if not args.no_docs:
        write_gateway_docs(data, args.docs)
        console.print(f"table: {args.docs}")
    return 0


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
    }
    values.update({k: v for k, v in given.items() if v is not None})
    if args.levels:
        values["levels"] = [float(x) for x in args.levels.split(",") if x.strip()]
    values["db"] = args.db
    values["storm"] = not args.no_storm
    values["baseline"] = not args.no_baseline
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
    if args.command == "gateway":
        return main_gateway(args, command, console)
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


if __name__ == "__main__":
    sys.exit(main())
