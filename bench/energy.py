"""``python -m bench energy``: the cost of one re-plan of the energy manager (the pure plan).

A site tree like a large depot: a root connection with feeders under it, stations under the feeders,
one session per station (mixed priorities, some single-phase EVs on known phases, EV maxima below
the station's), plus a few unresponsive stations counted at their maximum. Each case is planned
``repeat`` times; the invariant check the service runs before sending anything is timed too.
"""

from __future__ import annotations

import os
import random
import re
import statistics
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.procstat import machine_info
from chargebridge.energy.plan import ALL_PHASES, FixedLoad, PlanNode, PlanSession, plan, violations

START = "<!-- bench:energy:start -->"
END = "<!-- bench:energy:end -->"


@dataclass(frozen=True, slots=True)
class Case:
    """``groups`` sub-distributions under the root (0: none), ``feeders`` under each (0: stations
    straight under the group/root), ``stations`` under each feeder; the first ``unresponsive``
    stations are counted at their maximum, every other station has one session."""

    name: str
    groups: int
    feeders: int
    stations: int
    unresponsive: int = 5

    @property
    def station_count(self) -> int:
        return max(1, self.groups) * max(1, self.feeders) * self.stations


CASES = (
    Case("1,000 sessions, one site", 0, 0, 1005),
    Case("1,000 sessions, root and 10 feeders", 0, 10, 101, 10),
    Case("1,000 sessions, root, 4 groups, 40 feeders", 4, 10, 26, 40),
    Case("10,000 sessions, root and 10 feeders", 0, 10, 1001, 10),
)


def build(case: Case, seed: int = 14) -> tuple[list[PlanNode], list[PlanSession], list[FixedLoad]]:
    """The tree of ``case``; every level gets less than what is under it could draw, so it binds."""
    rng = random.Random(seed)

    def node(name: str, parent: str | None, stations: int, share: float) -> PlanNode:
        amps = share * 16 * stations
        return PlanNode(name, parent, (amps, amps, amps))

    nodes = [node("root", None, case.station_count, 0.6)]
    groups = [f"group-{g}" for g in range(case.groups)] or ["root"]
    for g in groups if case.groups else []:
        nodes.append(node(g, "root", case.station_count // case.groups, 0.75))
    feeders: list[str] = []
    for g in groups:
        for f in range(case.feeders):
            name = f"{g}-feeder-{f}"
            nodes.append(node(name, g, case.stations, 0.7))
            feeders.append(name)
    feeders = feeders or groups
    sessions: list[PlanSession] = []
    fixed: list[FixedLoad] = []
    station = 0
    for feeder in feeders:
        for _ in range(case.stations):
            name = f"st-{station}"
            nodes.append(PlanNode(name, feeder, (32.0, 32.0, 32.0)))
            if station < case.unresponsive:
                fixed.append(FixedLoad(name, 32.0, key=name))
            else:
                phases = rng.choice([ALL_PHASES] * 8 + [frozenset({0}), frozenset({1}), frozenset({2})])
                sessions.append(
                    PlanSession(
                        key=f"{name}/1",
                        node=name,
                        min_a=6.0,
                        max_a=rng.choice([16.0, 32.0, 32.0, 11.0, 25.0]),
                        phases=phases,
                        priority=rng.choice([0, 0, 0, 1, 2]),
                        rank=float(station),
                        running=rng.random() < 0.9,
                    )
                )
            station += 1
    return nodes, sessions, fixed


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {
        "median_ms": round(statistics.median(ordered) * 1000, 2),
        "p95_ms": round(p95 * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
    }


def run_energy(
    repeat: int = 30, command: str = "python -m bench energy", cases: tuple[Case, ...] = CASES
) -> dict[str, Any]:
    started = time.perf_counter()
    load = round(os.getloadavg()[0], 2)
    results = []
    for case in cases:
        nodes, sessions, fixed = build(case)
        plan(nodes, sessions, fixed)  # warm up
        plans: list[float] = []
        checks: list[float] = []
        result = None
        for _ in range(repeat):
            t0 = time.perf_counter()
            result = plan(nodes, sessions, fixed)
            t1 = time.perf_counter()
            problems = violations(nodes, sessions, fixed, result.allocations)
            t2 = time.perf_counter()
            assert not problems, problems[:3]
            plans.append(t1 - t0)
            checks.append(t2 - t1)
        assert result is not None
        admitted = sum(1 for v in result.allocations.values() if v > 0)
        results.append(
            {
                "case": case.name,
                "nodes": len(nodes),
                "sessions": len(sessions),
                "unresponsive": len(fixed),
                "admitted": admitted,
                "waiting": len(result.waiting),
                "allocated_a": round(result.total(), 1),
                "plan": _ms(plans),
                "check": _ms(checks),
            }
        )
    return {
        "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "command": command,
        "machine": machine_info(),
        "repeat": repeat,
        "load_average": load,
        "wall_s": round(time.perf_counter() - started, 1),
        "results": results,
    }


def markdown(data: dict[str, Any]) -> str:
    machine = data["machine"]
    lines = [
        f"Run {data['date']} on {machine['cpus']} CPUs ({machine['cpu_model']}), "
        f"{machine['implementation']} {machine['python']}; {data['repeat']} plans per case; "
        f"load average {data.get('load_average', 0):g} at the start.",
        "",
        "```",
        data["command"],
        "```",
        "",
        "| case | tree nodes | sessions | admitted / waiting | plan median (ms) | plan p95 | invariant check median |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in data["results"]:
        lines.append(
            f"| {r['case']} | {r['nodes']:,} | {r['sessions']:,} (+{r['unresponsive']} unresponsive) | "
            f"{r['admitted']:,} / {r['waiting']:,} | {r['plan']['median_ms']:.2f} | {r['plan']['p95_ms']:.2f} | "
            f"{r['check']['median_ms']:.2f} |"
        )
    return "\n".join(lines) + "\n"


def write_docs(data: dict[str, Any], docs: Path) -> None:
    """Replace the energy block of ``docs`` (or append one)."""
    block = f"{START}\n{markdown(data)}{END}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    docs.write_text(text, encoding="utf-8")
