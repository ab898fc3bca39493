"""The load benchmark runs end to end at tiny scale and produces the fields the report needs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from bench.orchestrator import BenchConfig, ratios, run_bench
from bench.procstat import cpu_seconds, rss_bytes
from bench.report import END, START, markdown_table, plot, write_docs
from rich.console import Console


def test_procstat_reads_this_process() -> None:
    before = cpu_seconds(os.getpid())
    sum(i * i for i in range(300_000))
    assert cpu_seconds(os.getpid()) >= before
    assert rss_bytes(os.getpid()) > 10 * 2**20


def _level(rate: float, p99: float, cpu: float) -> dict[str, Any]:
    return {
        "offered_rate": rate,
        "achieved_rate": rate,
        "p50_ms": p99 / 2,
        "p95_ms": p99 * 0.9,
        "p99_ms": p99,
        "errors": 0,
        "skipped_busy": 0,
        "server_cpu_s_per_1000": cpu,
        "server_cpu_share": 0.1,
    }


def _fake_result() -> dict[str, Any]:
    def target(p99: float, cpu: float, rss: float) -> dict[str, Any]:
        return {
            "connect": {"rate_per_s": 100.0},
            "idle": {"stations": 10, "rss_per_station_kib": rss},
            "sweep": [_level(5.0, p99, cpu), _level(10.0, p99 * 2, cpu)],
            "fixed": _level(10.0, p99 * 2, cpu),
        }

    results = {"baseline": target(2.0, 1.0, 40.0), "chargebridge-sqlite": target(1.0, 0.2, 20.0)}
    return {
        "date": "2026-01-01T00:00:00+00:00",
        "command": "python -m bench load --quick",
        "machine": {
            "cpus": 2,
            "cpu_model": "test",
            "memory_gib": 1.0,
            "kernel": "x",
            "implementation": "CPython",
            "python": "3.11",
        },
        "config": {"stations": 10, "rate": 1.0, "duration_s": 2.0},
        "wall_s": 1.0,
        "results": results,
        "ratios": ratios(results),
    }


def test_ratios_and_report(tmp_path: Path) -> None:
    data = _fake_result()
    assert data["ratios"]["chargebridge-sqlite"]["cpu_per_meter_values"] == pytest.approx(0.2)
    assert data["ratios"]["chargebridge-sqlite"]["rss_per_station"] == pytest.approx(0.5)
    table = markdown_table(data)
    assert "| server CPU per MeterValues (us) | 1,000 | 200 (0.20x) |" in table
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# Benchmarks\n\nprose before\n\n{START}\nold table\n{END}\n\nprose after\n")
    write_docs(data, docs)
    text = docs.read_text()
    assert "old table" not in text
    assert "prose before" in text and "prose after" in text
    assert text.count(START) == 1 and "python -m bench load --quick" in text
    plot(data, tmp_path / "img" / "plot.png")
    assert (tmp_path / "img" / "plot.png").stat().st_size > 1000


@pytest.mark.timeout(120)
async def test_tiny_run_against_baseline_and_chargebridge(tmp_path: Path) -> None:
    config = BenchConfig(
        stations=5,
        rate=2.0,
        duration_s=1.5,
        warmup_s=0.5,
        idle_stations=6,
        levels=[10.0],
        rest_requests=5,
        storm_stations=5,
        storm_back_timeout_s=40.0,
        db="sqlite",
        settle_s=0.5,
    )
    data = await run_bench(config, Console(file=open(os.devnull, "w")), "python -m bench load --quick")  # noqa: SIM115, ASYNC230
    results = data["results"]
    assert set(results) == {"baseline", "lean", "chargebridge-sqlite"}
    for name, result in results.items():
        assert result["connect"]["stations"] == 6 and result["connect"]["failed"] == 0, name
        fixed = result["fixed"]
        assert fixed["answered"] >= 10, name  # 10 msg/s for 1.5 s, give or take phase
        assert fixed["errors"] == 0, name
        assert 0 < fixed["p50_ms"] <= fixed["p99_ms"], name
        if name == "lean":
            # 15 messages at about 0.1 ms each can fall inside one clock tick (10 ms) of /proc's CPU time
            assert fixed["server_cpu_s_per_1000"] >= 0, name
        else:
            assert fixed["server_cpu_s_per_1000"] > 0, name
        assert result["idle"]["rss_per_station_kib"] is not None, name
        storm = result["storm"]
        assert storm["all_back"] is True and storm["back"] == 5, name
    rest = results["chargebridge-sqlite"]["rest"]
    assert rest["statuses"] == {"200 Accepted": 5}
    assert rest["p50_ms"] > 0
    reconciled = results["chargebridge-sqlite"]["storm"]["reconcile"]
    assert reconciled["lost"] == 0 and reconciled["double_counted"] == 0
    assert reconciled["ledger_transactions"] == reconciled["server_transactions"]
    assert set(data["ratios"]["chargebridge-sqlite"]) >= {"cpu_per_meter_values", "p99", "connect_rate", "cpu_vs_lean"}
    # The benchmark stays honest: every MeterValues the generator got a CALLRESULT for is in the
    # database afterwards, with all its sampled values (CALLRESULT only after COMMIT).
    stored = results["chargebridge-sqlite"]["stored"]
    assert stored["meter_values_answered"] >= 10
    assert stored["meter_samples_stored"] >= stored["meter_values_answered"] * stored["sampled_values_per_message"]


def test_flood_report(tmp_path: Path) -> None:
    from dataclasses import asdict

    from bench.flood import FloodConfig, json_array, markdown, summary
    from bench.flood import write_docs as write_flood_docs

    assert len(json_array(1001)) == 1001 and json_array(1001).startswith(b"[0,0")
    stats = summary([1.0, 2.0, 3.0, 50.0])
    assert stats["beats"] == 4 and stats["max_ms"] == 50.0 and stats["p50_ms"] == 3.0
    config = FloodConfig()
    data = {
        "date": "2026-01-01T00:00:00+00:00",
        "command": "python -m bench flood --quick",
        "machine": {"cpus": 2, "cpu_model": "test", "implementation": "CPython", "python": "3.11"},
        "config": asdict(config),
        "wall_s": 10.0,
        "quiet": stats,
        "flood": stats,
        "answers": {"no-token:401": 10},
        "requests_per_s": 1.0,
        "server_cpu_share": 0.5,
        "rss_mib": {"before": 100.0, "peak": 110.0, "after": 105.0},
    }
    assert "| p95 |" in markdown(data) and "no-token:401 x 10" in markdown(data)
    docs = tmp_path / "benchmarks.md"
    docs.write_text("# Benchmarks\n\n<!-- bench:flood:start -->\nold\n<!-- bench:flood:end -->\n\nafter\n")
    write_flood_docs(data, docs)
    text = docs.read_text()
    assert "old" not in text and "python -m bench flood --quick" in text and text.endswith("after\n")
