"""Turn a results JSON into the markdown table in docs/benchmarks.md and the latency-vs-load plot."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

START = "<!-- bench:results:start -->"
END = "<!-- bench:results:end -->"
TARGET_NAMES = {
    "baseline": "baseline (ocpp README style)",
    "lean": "lean reference (uvloop + orjson, stores nothing)",
    "lean-picows": "lean reference on picows",
    "chargebridge-sqlite": "chargebridge, SQLite",
    "chargebridge-postgresql": "chargebridge, PostgreSQL",
}


def _num(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _ratio(value: Any) -> str:
    return "-" if value is None else f"{value:.2f}x"


def markdown_table(data: dict[str, Any]) -> str:
    results: dict[str, Any] = data["results"]
    ratios: dict[str, Any] = data.get("ratios", {})
    config = data["config"]
    machine = data["machine"]
    targets = [t for t in results if "skipped" not in results[t]]
    fixed_rate = config["stations"] * config["rate"]
    header = "| figure | " + " | ".join(TARGET_NAMES.get(t, t) for t in targets) + " |"
    rule = "| --- |" + " --- |" * len(targets)

    def row(label: str, getter: Any, ratio_key: str | None = None, digits: int = 1) -> str:
        cells = []
        for target in targets:
            value = getter(results[target])
            cell = _num(value, digits)
            if ratio_key and target != "baseline" and value is not None:
                cell += f" ({_ratio(ratios.get(target, {}).get(ratio_key))})"
            cells.append(cell)
        return f"| {label} | " + " | ".join(cells) + " |"

    def get(*path: str) -> Any:
        def getter(result: dict[str, Any]) -> Any:
            node: Any = result
            for key in path:
                if not isinstance(node, dict) or key not in node:
                    return None
                node = node[key]
            return node

        return getter

    def cpu_us(result: dict[str, Any]) -> Any:
        value = get("fixed", "server_cpu_s_per_1000")(result)
        return None if value is None else value * 1000.0

    def fixed_stat(key: str) -> Any:
        return get("fixed", key)

    lines = [
        f"Run {data['date']} on {machine['cpus']} CPUs ({machine['cpu_model']}), {machine['memory_gib']} GiB, "
        f"Linux {machine['kernel']}, {machine['implementation']} {machine['python']}; "
        f"wall time {data['wall_s']:.0f} s.",
        "",
        "```",
        data["command"],
        "```",
        "",
        f"Ratios in brackets are to the baseline in the same run. Fixed load: {config['stations']:,} stations x "
        f"{config['rate']:g} MeterValues/s = {fixed_rate:,.0f} messages/s, {config['duration_s']:g} s measured.",
        "",
        header,
        rule,
        row("server CPU per MeterValues (us)", cpu_us, "cpu_per_meter_values", 0),
        row("CPU-seconds per 1,000 MeterValues", get("fixed", "server_cpu_s_per_1000"), None, 3),
        row("server CPU share at fixed load (cores)", fixed_stat("server_cpu_share"), None, 2),
        row("CALL round trip p50 (ms)", fixed_stat("p50_ms"), "p50", 2),
        row("CALL round trip p95 (ms)", fixed_stat("p95_ms"), "p95", 2),
        row("CALL round trip p99 (ms)", fixed_stat("p99_ms"), "p99", 2),
        row("achieved messages/s", fixed_stat("achieved_rate"), None, 0),
        row("CALLERRORs / busy skips", lambda r: f"{r['fixed']['errors']} / {r['fixed']['skipped_busy']}"),
        row("connect rate (stations/s, boot + status)", get("connect", "rate_per_s"), "connect_rate", 0),
        row("stations connected (idle)", get("idle", "stations")),
        row("RSS per connected idle station (KiB)", get("idle", "rss_per_station_kib"), "rss_per_station", 1),
        row("REST remote-start p50 (ms)", get("rest", "p50_ms"), None, 2),
        row("REST remote-start p99 (ms)", get("rest", "p99_ms"), None, 2),
        row("REST answers", lambda r: _statuses(get("rest", "statuses")(r))),
        row("storm: stations", get("storm", "stations")),
        row("storm: server restart (s)", get("storm", "restart_s"), None, 2),
        row("storm: all back after restart (s)", get("storm", "all_back_after_restart_s"), "storm_all_back", 2),
        row("storm: transactions in ledger", get("storm", "reconcile", "ledger_transactions")),
        row("storm: lost / double counted", _lost),
        row("storm: energy mismatches", get("storm", "reconcile", "energy_mismatches")),
    ]
    skipped = [f"{t}: {results[t]['skipped']}" for t in results if "skipped" in results[t]]
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped)]
    sweep_lines = [
        "",
        "Latency vs load (sweep):",
        "",
        "| target | offered msg/s | achieved | p50 ms | p99 ms | CPU us/msg |",
    ]
    sweep_lines.append("| --- | --- | --- | --- | --- | --- |")
    for target in targets:
        for level in results[target].get("sweep", []):
            sweep_lines.append(
                f"| {TARGET_NAMES.get(target, target)} | {_num(level['offered_rate'], 0)} | "
                f"{_num(level['achieved_rate'], 0)} | {_num(level['p50_ms'], 2)} | {_num(level['p99_ms'], 2)} | "
                f"{_num(level['server_cpu_s_per_1000'] * 1000.0, 0)} |"
            )
    return "\n".join(lines + sweep_lines) + "\n"


def _statuses(statuses: dict[str, int] | None) -> str:
    if not statuses:
        return "-"
    return ", ".join(f"{k}: {v}" for k, v in sorted(statuses.items()))


def _lost(result: dict[str, Any]) -> str:
    rec = (result.get("storm") or {}).get("reconcile")
    if not rec:
        return "-"
    return f"{rec['lost']} / {rec['double_counted']}"


def write_docs(data: dict[str, Any], docs: Path) -> None:
    """Replace the generated block of ``docs`` (or append one) with the table of ``data``."""
    block = f"{START}\n{markdown_table(data)}{END}"
    text = docs.read_text(encoding="utf-8") if docs.exists() else "# Benchmarks\n\n"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _: block, text, flags=re.S)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    docs.write_text(text, encoding="utf-8")


def plot(data: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for target, result in data["results"].items():
        sweep = result.get("sweep") or []
        if not sweep:
            continue
        xs = [level["offered_rate"] for level in sweep]
        name = TARGET_NAMES.get(target, target)
        (line,) = ax.plot(xs, [level["p99_ms"] for level in sweep], marker="o", label=f"{name} p99")
        ax.plot(
            xs,
            [level["p50_ms"] for level in sweep],
            marker=".",
            linestyle="--",
            color=line.get_color(),
            label=f"{name} p50",
        )
    ax.set_yscale("log")
    ax.set_xlabel("offered MeterValues per second (achieved rates: see the sweep table)")
    ax.set_ylabel("CALL round trip (ms)")
    ax.set_title(f"Latency vs load ({data['machine']['cpus']} CPUs, server and load generator on one machine)")
    ax.axhline(10.0, color="grey", linewidth=0.8, linestyle=":")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
