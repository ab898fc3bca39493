"""``python -m bench energy`` at tiny scale: the trees it builds, the invariant holds, the docs block."""

from __future__ import annotations

from pathlib import Path

from bench.energy import END, START, Case, build, markdown, run_energy, write_docs

from chargebridge.energy.plan import plan, violations


def test_trees_bind_at_every_level_and_keep_the_invariant() -> None:
    for case in (Case("flat", 0, 0, 30, 2), Case("feeders", 0, 3, 10, 3), Case("groups", 2, 3, 5, 4)):
        nodes, sessions, fixed = build(case)
        assert len(sessions) + len(fixed) == case.station_count
        assert len(fixed) == case.unresponsive
        result = plan(nodes, sessions, fixed)
        assert violations(nodes, sessions, fixed, result.allocations) == []
        assert min(result.residual_a[("root", p)] for p in range(3)) < 16  # the root binds: one phase is used up


def test_run_and_docs_block(tmp_path: Path) -> None:
    data = run_energy(2, "python -m bench energy --repeat 2", (Case("tiny", 0, 2, 10, 1),))
    row = data["results"][0]
    assert row["sessions"] == 19 and row["admitted"] + row["waiting"] == 19
    assert row["plan"]["median_ms"] >= 0 and row["check"]["max_ms"] >= row["check"]["median_ms"]
    docs = tmp_path / "benchmarks.md"
    docs.write_text(f"# Benchmarks\n\nbefore\n\n{START}\nold\n{END}\n\nafter\n")
    write_docs(data, docs)
    text = docs.read_text()
    assert "old" not in text and "| tiny |" in text and text.startswith("# Benchmarks") and "after" in text
    assert "python -m bench energy --repeat 2" in markdown(data)
