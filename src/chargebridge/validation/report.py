"""The run report as one self-contained HTML page (no script, no external file): a summary table
for a procurement file, the cases with their evidence, a latency chart (inline SVG), the quirks
and what was restored. The JSON report is the API's view of the run."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

_CSS = " ".join(
    (
        "body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;",
        "max-width:1100px;color:#1b1f24;padding:0 1rem}",
        "h1{font-size:1.5rem;margin:0 0 .25rem}",
        "h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}",
        "table{border-collapse:collapse;width:100%;margin:.5rem 0}",
        "th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #e5e8eb;vertical-align:top}",
        "th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums}",
        ".badge{display:inline-block;padding:.05rem .5rem;border-radius:1rem;font-size:.8rem;font-weight:600}",
        ".passed{background:#dafbe1;color:#116329}.failed{background:#ffebe9;color:#a40e26}",
        ".skipped{background:#eaeef2;color:#57606a}",
        ".level{font-size:1.25rem;font-weight:700}.muted{color:#57606a}details{margin:.25rem 0}summary{cursor:pointer}",
        "pre{background:#f6f8fa;padding:.5rem;overflow-x:auto;font-size:.78rem;white-space:pre-wrap;",
        "word-break:break-all;margin:.25rem 0}",
    )
)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _badge(result: str) -> str:
    return f'<span class="badge {_e(result)}">{_e(result)}</span>'


def summary_rows(view: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The short table for a procurement file (also printed by the CLI)."""
    station = view.get("station") or {}
    levels = (view.get("summary") or {}).get("levels") or {}
    rows = [
        ("Station", str(view.get("station_id"))),
        ("Vendor / model", f"{station.get('vendor') or '?'} {station.get('model') or '?'}"),
        ("Firmware", str(station.get("firmware_version") or "?")),
        ("OCPP version", str(view.get("ocpp_version") or "?")),
        ("Level requested", str(view.get("level_requested"))),
        ("Level reached", str(view.get("level_reached"))),
        ("Run", f"{view.get('id')} ({view.get('status')}{', ' + str(view['reason']) if view.get('reason') else ''})"),
        ("Started / finished", f"{view.get('started_at')} / {view.get('finished_at') or '-'}"),
    ]
    for level in ("basic", "standard", "advanced"):
        counts = levels.get(level)
        if counts:
            mark = "reached" if counts.get("reached") else "not reached"
            rows.append(
                (
                    f"{level.capitalize()} cases",
                    f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped ({mark})",
                )
            )
    rows.append(("Quirks", str(len(view.get("quirks") or []))))
    return rows


def latency_svg(latency: Mapping[str, Mapping[str, float]], *, width: int = 760) -> str:
    """Horizontal bars per command: p50, p95 and max (ms), with the 1 s and 5 s limits marked."""
    if not latency:
        return '<p class="muted">No command was answered.</p>'
    rows = sorted(latency.items())
    top = max(max(float(s["max_ms"]) for _, s in rows), 1000.0) * 1.05
    label_w, bar_h, gap = 230, 8, 10
    plot_w = width - label_w - 80
    height = len(rows) * (3 * bar_h + gap) + 40

    def x(ms: float) -> float:
        return label_w + plot_w * min(ms, top) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        'aria-label="Command round trips (p50, p95, max) in milliseconds" font-size="11" '
        'font-family="system-ui,sans-serif">'
    ]
    for limit, text in ((1000.0, "1 s"), (5000.0, "5 s")):
        if limit <= top:
            parts.append(
                f'<line x1="{x(limit):.1f}" y1="0" x2="{x(limit):.1f}" y2="{height - 20}" stroke="#a40e26" '
                f'stroke-dasharray="4 3"/><text x="{x(limit) + 3:.1f}" y="{height - 8}" fill="#a40e26">{text}</text>'
            )
    colors = (("p50_ms", "#54aeff"), ("p95_ms", "#0969da"), ("max_ms", "#8c959f"))
    y = 10.0
    for action, stats in rows:
        parts.append(f'<text x="0" y="{y + 2 * bar_h:.1f}">{_e(action)} ({int(stats["count"])})</text>')
        for offset, (key, color) in enumerate(colors):
            value = float(stats[key])
            top_y = y + offset * bar_h
            parts.append(
                f'<rect x="{label_w}" y="{top_y:.1f}" width="{max(1.0, x(value) - label_w):.1f}" height="{bar_h - 1}" '
                f'fill="{color}"><title>{_e(action)} {key[:-3]} {value:.1f} ms</title></rect>'
            )
        parts.append(
            f'<text x="{x(float(stats["max_ms"])) + 4:.1f}" y="{y + 2 * bar_h:.1f}" fill="#57606a">'
            f"{float(stats['p95_ms']):.0f} / {float(stats['max_ms']):.0f} ms</text>"
        )
        y += 3 * bar_h + gap
    legend_y = height - 8
    parts.append(f'<text x="{label_w}" y="{legend_y}" fill="#57606a">bars: p50, p95, max</text>')
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], num: Sequence[int] = ()) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = "".join(f"<td{' class=num' if i in num else ''}>{cell}</td>" for i, cell in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    if not body:
        body.append(f'<tr><td colspan="{len(headers)}" class="muted">Nothing to show.</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _evidence(entries: Sequence[Mapping[str, Any]]) -> str:
    if not entries:
        return '<p class="muted">No frames.</p>'
    lines = []
    for entry in entries:
        if "omitted" in entry:
            lines.append(f"… {entry['omitted']} entries left out …")
        elif "frame" in entry:
            arrow = "→" if entry.get("direction") == "csms->station" else "←"
            lines.append(f"{entry.get('at')} {arrow} {entry.get('frame')}")
        else:
            lines.append(f"{entry.get('at')} • {entry.get('event')} {json.dumps(entry.get('data'), default=str)}")
    return f"<pre>{_e(chr(10).join(lines))}</pre>"


def render_html(view: Mapping[str, Any]) -> str:
    station = view.get("station") or {}
    title = f"Validation of {view.get('station_id')}: {view.get('level_reached')}"
    cases = view.get("cases") or []
    case_rows = [
        (
            _e(c.get("level")),
            f"<strong>{_e(c.get('name'))}</strong><br><span class=muted>{_e(c.get('id'))}</span>",
            _badge(str(c.get("result"))),
            _e(c.get("reason")),
            _e(c.get("duration_ms")),
        )
        for c in cases
    ]
    details = []
    for c in cases:
        facts = json.dumps(c.get("facts") or {}, indent=1, default=str)
        details.append(
            f"<details><summary>{_badge(str(c.get('result')))} {_e(c.get('name'))} "
            f"<span class=muted>({_e(', '.join(c.get('messages') or []))})</span></summary>"
            f"<p><strong>Rule:</strong> {_e(c.get('rule'))}</p><p><strong>Verdict:</strong> {_e(c.get('reason'))}</p>"
            f"<pre>{_e(facts)}</pre>{_evidence(c.get('evidence') or [])}</details>"
        )
    latency = view.get("latency") or {}
    latency_rows = [
        (_e(a), _e(int(s["count"])), f"{s['p50_ms']:.1f}", f"{s['p95_ms']:.1f}", f"{s['max_ms']:.1f}")
        for a, s in sorted(latency.items())
    ]
    quirk_rows = [
        (_e(q.get("case") or "run"), _e(q.get("code")), _e(q.get("detail"))) for q in view.get("quirks") or []
    ]
    restoration = view.get("restoration") or {}
    restore_rows = [
        *((_badge("passed"), _e(text)) for text in restoration.get("restored", [])),
        *((_badge("failed"), _e(text)) for text in restoration.get("not_restored", [])),
        *((_badge("skipped"), _e(text)) for text in restoration.get("kept", [])),
    ]
    links = view.get("links") or {}
    prompt = view.get("prompt")
    waiting = (
        f"<p><strong>Waiting for a person:</strong> {_e(prompt.get('text'))}</p>" if isinstance(prompt, Mapping) else ""
    )
    reason = f"; {_e(view.get('reason'))}" if view.get("reason") else ""
    identity = f"{_e(station.get('vendor'))}/{_e(station.get('model'))}/{_e(station.get('firmware_version'))}"
    settings = _e(json.dumps(view.get("settings") or {}, indent=1))
    parts = [
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>OEM integration validation: {_e(view.get('station_id'))}</h1>",
        f'<p class="muted">{_e(station.get("vendor"))} {_e(station.get("model"))}, firmware '
        f"{_e(station.get('firmware_version'))}, OCPP {_e(view.get('ocpp_version'))} · chargebridge validation "
        f"bench · run {_e(view.get('id'))}</p>",
        f'<p>Level reached: <span class="level">{_e(view.get("level_reached"))}</span> (requested '
        f"{_e(view.get('level_requested'))}; run {_e(view.get('status'))}{reason})</p>",
        waiting,
        "<h2>Summary</h2>",
        _table(("Item", "Value"), ((_e(k), _e(v)) for k, v in summary_rows(view))),
        "<h2>Cases</h2>",
        _table(("Level", "Case", "Result", "Verdict", "ms"), case_rows, num=(4,)),
        "<h2>Response times</h2>",
        latency_svg(latency),
        _table(("Command", "Count", "p50 ms", "p95 ms", "max ms"), latency_rows, num=(1, 2, 3, 4)),
        "<h2>Quirks</h2>",
        f'<p class="muted">Recorded against {identity} in the compatibility matrix ({_e(links.get("matrix"))}; '
        f"all quirks of the model: {_e(links.get('quirks'))}).</p>",
        _table(("Case", "Quirk", "Detail"), quirk_rows),
        "<h2>Restoration</h2>",
        _table(("", "What"), restore_rows),
        "<h2>Evidence</h2>",
        '<p class="muted">The OCPP frames exchanged during each case, with timestamps '
        "(← from the station, → to it).</p>",
        "".join(details),
        "<h2>Settings</h2>",
        f"<pre>{settings}</pre>",
        "</body></html>\n",
    ]
    return "\n".join(parts)
