// The station page's "Validation" card: start a validation run (operators), follow it (the
// prompt for the person at the station is shown prominently), and render its report: level,
// cases with their evidence (expandable), the latency chart (vendored uPlot), quirks, restoration.
import { api, download } from "../api.js";
import { badge, clear, errorText, h, table, timeEl } from "../dom.js";

const RESULT_CLASS = { passed: "Available", failed: "Faulted", skipped: "Reserved" };

function resultBadge(result) {
  const el = badge(result);
  el.classList.add(RESULT_CLASS[result] || "offline");
  return el;
}

function evidenceText(entries) {
  return (entries || [])
    .map((e) => {
      if (e.omitted !== undefined) return `… ${e.omitted} entries left out …`;
      if (e.frame !== undefined) return `${e.at} ${e.direction === "csms->station" ? "→" : "←"} ${e.frame}`;
      return `${e.at} • ${e.event} ${JSON.stringify(e.data)}`;
    })
    .join("\n");
}

/** Bars of p50 / p95 / max per command (ms) on uPlot, commands along the x axis. */
function latencyChart(container, latency) {
  const names = Object.keys(latency || {}).sort();
  if (!names.length || !window.uPlot) {
    container.append(h("p", { class: "muted" }, "No command was answered."));
    return null;
  }
  const xs = names.map((_, i) => i);
  const column = (key) => names.map((n) => latency[n][key]);
  const figure = h("figure", { class: "chart", id: "validation-latency", role: "img", "aria-label": "Command round trips p50, p95 and max in ms", "data-commands": String(names.length) });
  container.append(figure);
  // Nested bars: max (widest, faint) behind p95 behind p50 (narrowest), one group per command.
  const bars = (size, max) => (window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [size, max] }) : undefined);
  const series = [
    {},
    { label: "max ms", stroke: "#8c959f", fill: "#8c959f55", paths: bars(0.6, 90), points: { show: false } },
    { label: "p95 ms", stroke: "#0969da", fill: "#0969da99", paths: bars(0.4, 60), points: { show: false } },
    { label: "p50 ms", stroke: "#54aeff", fill: "#54aeffcc", paths: bars(0.2, 30), points: { show: false } },
  ];
  const width = Math.max(320, container.clientWidth || 640);
  return new window.uPlot(
    {
      width,
      height: 260,
      scales: { x: { time: false, range: [-0.5, names.length - 0.5] }, y: { range: (_u, _min, max) => [0, Math.max(max * 1.1, 10)] } },
      axes: [
        { splits: () => xs, values: (_u, splits) => splits.map((s) => names[s] || ""), rotate: -30, size: 90, grid: { show: false } },
        { label: "ms", size: 60 },
      ],
      series,
      cursor: { drag: { x: false, y: false } },
    },
    [xs, column("max_ms"), column("p95_ms"), column("p50_ms")],
    figure,
  );
}

export function renderReport(box, view) {
  const reached = h("strong", { id: "validation-level", dataset: { level: view.level_reached } }, view.level_reached);
  const status = view.status === "running" ? `running${view.current_case ? `: ${view.current_case}` : ""} (${view.phase || "cases"})` : view.status;
  const parts = [
    h("p", {}, "Level reached: ", reached, ` (asked: ${view.level_requested}) · run ${view.id} · `, h("span", { id: "validation-status" }, status), view.reason ? ` · ${view.reason}` : ""),
  ];
  if (view.prompt) {
    parts.push(h("p", { class: "banner", role: "alert", id: "validation-prompt" }, h("strong", {}, "Action needed at the station: "), view.prompt.text));
  }
  const cases = [...(view.cases || [])];
  const rows = cases.map((c) => [c.level, c.name, resultBadge(c.result), c.reason, String(c.duration_ms ?? "")]);
  for (const p of view.pending_cases || []) rows.push([p.level, p.name, badge(p.id === view.current_case ? "running" : "pending"), "", ""]);
  parts.push(table("Validation cases", [{ label: "Level" }, { label: "Case" }, { label: "Result" }, { label: "Verdict" }, { label: "ms", num: true }], rows));
  const details = h("div", { id: "validation-evidence" });
  for (const c of cases) {
    details.append(
      h(
        "details",
        {},
        h("summary", {}, resultBadge(c.result), " ", c.name, h("span", { class: "muted" }, ` (${(c.messages || []).join(", ")})`)),
        h("p", {}, h("strong", {}, "Rule: "), c.rule || ""),
        h("pre", { class: "evidence" }, c.evidence ? evidenceText(c.evidence) : `${c.evidence_entries ?? 0} entries (shown when the run is over)`),
      ),
    );
  }
  parts.push(h("h3", { class: "mt" }, "Evidence"), details);
  const chartBox = h("div", { id: "validation-latency-box" });
  parts.push(h("h3", { class: "mt" }, "Response times"), chartBox);
  const quirks = view.quirks || [];
  parts.push(
    h("h3", { class: "mt" }, `Quirks (${quirks.length})`),
    table("Quirks", [{ label: "Case" }, { label: "Quirk" }, { label: "Detail" }], quirks.map((q) => [q.case || "run", q.code, q.detail])),
  );
  const r = view.restoration || {};
  const restoreRows = [
    ...(r.restored || []).map((t) => [badge("restored"), t]),
    ...(r.not_restored || []).map((t) => [resultBadge("failed"), t]),
    ...(r.kept || []).map((t) => [badge("kept"), t]),
  ];
  parts.push(h("h3", { class: "mt" }, "Restoration"), table("Restoration", [{ label: "" }, { label: "What" }], restoreRows));
  clear(box, parts);
  return latencyChart(chartBox, view.latency);
}

export function validationCard(stationId, ctx) {
  const card = h("section", { class: "card mt", id: "validation", "aria-labelledby": "validation-title" });
  const report = h("div", { id: "validation-report", "aria-live": "polite" });
  const history = h("div", { id: "validation-history" });
  const message = h("p", { class: "muted", id: "validation-message" });
  let timer = null;
  let chart = null;
  let stopped = false;

  const show = (view) => {
    if (chart) chart.destroy();
    chart = renderReport(report, view);
  };

  const follow = async (runId, light = true) => {
    clearTimeout(timer);
    try {
      // While a run goes on, poll without the frames; the finished report has them.
      let view = await api(`/validation-runs/${encodeURIComponent(runId)}`, { query: light ? { evidence: "false" } : {} });
      if (view.status !== "running" && light) view = await api(`/validation-runs/${encodeURIComponent(runId)}`);
      show(view);
      if (view.status === "running" && !stopped) timer = setTimeout(() => follow(runId), 1000);
      else loadHistory();
    } catch (err) {
      message.textContent = errorText(err);
    }
  };

  const loadHistory = async () => {
    const runs = await api("/validation-runs", { query: { station_id: stationId, limit: 10 } });
    clear(
      history,
      table(
        "Validation runs",
        [{ label: "Run" }, { label: "Started" }, { label: "Status" }, { label: "Level" }, { label: "" }],
        runs.items.map((run) => [
          h("button", { type: "button", class: "secondary", onclick: () => follow(run.id) }, run.id),
          timeEl(run.started_at),
          run.status,
          h("strong", {}, run.level_reached),
          h("button", { type: "button", class: "secondary", onclick: () => download(`/validation-runs/${run.id}/report.html`, {}, `validation-${stationId}-${run.id}.html`) }, "HTML report"),
        ]),
      ),
    );
    return runs.items;
  };

  const controls = [];
  if (ctx.canOperate) {
    const level = h("select", { id: "validation-level-select" }, ["basic", "standard", "advanced"].map((l) => h("option", { value: l, selected: l === "advanced" }, l)));
    const manual = h("input", { id: "validation-manual", type: "number", min: "10", max: "3600", value: "300" });
    const start = h("button", { type: "button", id: "validation-start" }, "Validate");
    start.addEventListener("click", async () => {
      start.disabled = true;
      message.textContent = "";
      try {
        const run = await api(`/stations/${encodeURIComponent(stationId)}/validation-runs`, {
          method: "POST",
          body: { level: level.value, manual_step_timeout_s: Number(manual.value) },
        });
        follow(run.id);
      } catch (err) {
        message.textContent = errorText(err);
      } finally {
        start.disabled = false;
      }
    });
    const abort = h("button", { type: "button", class: "danger", id: "validation-abort" }, "Abort run");
    abort.addEventListener("click", async () => {
      const runs = await api("/validation-runs", { query: { station_id: stationId, limit: 1 } });
      const running = runs.items.find((r) => r.status === "running");
      if (running) await api(`/validation-runs/${running.id}/abort`, { method: "POST" }).catch((err) => (message.textContent = errorText(err)));
    });
    controls.push(
      h(
        "div",
        { class: "toolbar" },
        h("label", { for: "validation-level-select" }, "Level"),
        level,
        h("label", { for: "validation-manual" }, "Manual step timeout (s)"),
        manual,
        start,
        abort,
      ),
    );
  }
  card.append(h("h2", { id: "validation-title" }, "Validation"), ...controls, message, report, h("h3", { class: "mt" }, "Runs"), history);
  loadHistory()
    .then((items) => {
      if (items.length) follow(items[0].id);
    })
    .catch((err) => (message.textContent = errorText(err)));
  const close = () => {
    stopped = true;
    clearTimeout(timer);
    if (chart) chart.destroy();
  };
  return { card, close };
}

/** The stations (of a list) that reported an integrity failure nobody acknowledged yet. */
export async function integrityMarked() {
  try {
    const marked = await api("/integrity-failures");
    return new Set(marked.stations || []);
  } catch {
    return new Set();
  }
}

export function integrityBadge() {
  const el = h("span", { class: "badge integrity", title: "The station reported a secure-boot or integrity failure" }, "integrity failure");
  return el;
}
