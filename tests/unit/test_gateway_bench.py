"""``python -m bench gateway`` runs end to end at tiny scale and writes its table into the docs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from bench.gateway_bench import (
    END,
    START,
    GatewayBenchConfig,
    markdown,
    run_gateway_bench,
    window_quantiles,
    write_gateway_docs,
)
from rich.console import Console


def test_window_quantiles_count_only_the_window() -> None:
    before = [(0.001, 100.0), (0.002, 100.0), (float("inf"), 100.0)]
    after = [(0.001, 190.0), (0.002, 199.0), (float("inf"), 200.0)]  # window: 90 <= 1 ms, 9 <= 2 ms, 1 above
    assert window_quantiles(before, after) == {"p50_ms": 1.0, "p99_ms": 2.0, "count": 100.0}
    assert window_quantiles([], after)["count"] == 200.0


@pytest.mark.timeout(180)
async def test_tiny_gateway_run(tmp_path: Path) -> None:
    config = GatewayBenchConfig(
        stations=4, rate=2.0, light_rate=1.0, duration_s=1.5, warmup_s=0.5, connect_concurrency=4
    )
    with open(os.devnull, "w") as sink:  # noqa: ASYNC230
        data = await run_gateway_bench(config, Console(file=sink), "python -m bench gateway --quick")
    results = data["results"]
    for phase in ("direct", "gateway", "serve"):
        result = results[phase]
        assert result["connected"] == 4 and result["connect_failed"] == 0, phase
        assert result["answered"] >= 8 and result["errors"] == 0, phase
        assert 0 < result["p50_ms"] <= result["p99_ms"], phase
        assert result["light"]["answered"] >= 1 and result["light"]["rate_per_station"] == config.light_rate, phase
    assert results["gateway"]["cpu_us_per_message"]["gateway"] > 0
    assert results["gateway"]["internal_added_latency"]["count"] >= 8
    assert data["summary"]["serve_cpu_us_per_message"] > 0
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# Benchmarks\n\nbefore\n\n{START}\nold\n{END}\n\nafter\n")
    write_gateway_docs(data, docs)
    text = docs.read_text()
    assert "old" not in text and "before" in text and "after" in text
    assert "python -m bench gateway --quick" in text and markdown(data) in text
    assert len(data["rounds"]) == 1 and "rounds" not in markdown(data).split("| goal")[0]
    assert "All 2 rounds" in markdown({**data, "rounds": data["rounds"] * 2})
