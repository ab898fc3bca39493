// Sites (energy management): each site's limit, measured building load and the balancer's allocation
// to every session over time (a stacked chart), from GET /api/v1/sites[/{id}[/history]].
import { api } from "../api.js";
import { StackedChart } from "../charts.js";
import { badge, clear, errorText, h, table, throttle, timeEl } from "../dom.js";

export const NAME = "sites";

const REFRESH_MS = 5000; // besides the live stream's site.allocation / site.limit events
const LIVE_KINDS = "site.allocation,site.limit";
const MAX_STACKS = 20; // beyond this many sessions the smallest are summed as "others"

function amps(value) {
  if (value === null || value === undefined) return "–";
  return `${Number(value).toLocaleString(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 })} A`;
}

function phases(list) {
  if (!list) return "–";
  return list.map(amps).join(" / ");
}

function sourceText(limit) {
  if (!limit) return "–";
  const source = limit.source.startsWith("curtailment:") ? `curtailment (${limit.source.slice(12)})` : limit.source;
  return `${amps(limit.limit_a)} · ${source}`;
}

function counts(live) {
  const out = { charging: 0, waiting: 0, other: 0 };
  for (const s of (live && live.sessions) || []) {
    if (s.status === "charging") out.charging += 1;
    else if (s.status === "waiting") out.waiting += 1;
    else out.other += 1;
  }
  return out;
}

function fleetScopeMessage(err) {
  if (err && err.status === 403) return "Sites are fleet objects: this token is limited to certain stations.";
  return errorText(err);
}

export async function render(main, args, ctx) {
  if (args.id) return renderSite(main, args.id, ctx);
  return renderList(main);
}

async function renderList(main) {
  const results = h("div", { id: "sites-results", "aria-live": "polite" });
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Sites")), h("section", { class: "card" }, results));
  const load = async () => {
    let items;
    try {
      items = (await api("/sites")).items;
    } catch (err) {
      clear(results, h("p", { role: "alert" }, fleetScopeMessage(err)));
      return;
    }
    const rows = items.map((site) => {
      const live = site.live || {};
      const c = counts(live);
      return [
        h("a", { href: `#/sites/${encodeURIComponent(site.id)}` }, site.id),
        site.name,
        site.parent_id ? h("a", { href: `#/sites/${encodeURIComponent(site.parent_id)}` }, site.parent_id) : "–",
        sourceText(live.limit),
        live.limit ? amps(Math.min(...live.limit.available_a)) : "–",
        live.limit && live.limit.building_load_a ? amps(Math.max(...live.limit.building_load_a)) : site.meter ? "silent" : "no meter",
        amps(live.allocated_a),
        `${c.charging} / ${c.waiting}`,
      ];
    });
    clear(
      results,
      table(
        "Sites",
        [
          { label: "Site" },
          { label: "Name" },
          { label: "Under" },
          { label: "Limit" },
          { label: "Available", num: true },
          { label: "Building load", num: true },
          { label: "Allocated", num: true },
          { label: "Charging / waiting", num: true },
        ],
        rows,
      ),
    );
  };
  await load();
  const timer = setInterval(load, REFRESH_MS);
  return () => clearInterval(timer);
}

function sessionRows(live) {
  return (live.sessions || []).map((s) => [
    h("a", { href: `#/stations/${encodeURIComponent(s.station_id)}` }, s.station_id),
    String(s.evse_id),
    badge(s.status),
    amps(s.allocation_a),
    amps(s.limit_a),
    amps(s.measured_a),
    s.phases.map((p) => `L${p}`).join(" "),
  ]);
}

/** Rows of the history as the chart's series: one stacked series per session (largest first). */
export function chartData(points) {
  const times = points.map((p) => Date.parse(p.at) / 1000);
  const totals = new Map();
  for (const p of points) for (const [key, value] of Object.entries(p.allocations)) totals.set(key, (totals.get(key) || 0) + value);
  const keys = [...totals.keys()].sort((a, b) => totals.get(b) - totals.get(a) || a.localeCompare(b));
  const shown = keys.slice(0, MAX_STACKS);
  const others = keys.slice(MAX_STACKS);
  const stacks = shown.map((key) => ({ label: key, values: points.map((p) => p.allocations[key] ?? null) }));
  if (others.length) {
    stacks.push({ label: `${others.length} others`, values: points.map((p) => others.reduce((sum, key) => sum + (p.allocations[key] || 0), 0)) });
  }
  const lines = [
    { label: "limit", values: points.map((p) => p.limit_a), color: "#cf222e" },
    { label: "available", values: points.map((p) => p.available_a), color: "#57606a", dash: [6, 4] },
  ];
  return { times, stacks, lines };
}

async function renderSite(main, id, ctx) {
  const kpis = h("section", { class: "kpis", "aria-label": "Site now", id: "site-kpis" });
  const chartBox = h("div", { id: "site-chart" });
  const sessionsBox = h("div", { id: "site-sessions" });
  const limitsBox = h("div", { id: "site-limits" });
  const title = h("h1", {}, `Site ${id}`);
  main.append(
    h("div", { class: "page-head" }, title, h("a", { href: "#/sites", class: "muted" }, "All sites")),
    kpis,
    h("section", { class: "card" }, h("h2", {}, "Allocation over time"), chartBox),
    h("div", { class: "grid cols-2" }, h("section", { class: "card" }, h("h2", {}, "Sessions"), sessionsBox), h("section", { class: "card" }, h("h2", {}, "Limits"), limitsBox)),
  );
  const chart = new StackedChart(chartBox, { title: `Current allocated to each session at ${id} (stacked), with the site's limit` });
  const kpi = (key, label, value, tone) =>
    h("div", { class: `kpi ${tone || ""}`, id: `kpi-${key}` }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));

  const load = async () => {
    let site;
    let history;
    try {
      [site, history] = await Promise.all([api(`/sites/${encodeURIComponent(id)}`), api(`/sites/${encodeURIComponent(id)}/history`, { query: { minutes: 60 } })]);
    } catch (err) {
      clear(kpis, h("p", { role: "alert" }, fleetScopeMessage(err)));
      return;
    }
    const live = site.live || {};
    const limit = live.limit || {};
    const c = counts(live);
    title.textContent = `Site ${site.name || site.id}`;
    clear(
      kpis,
      kpi("limit", "Limit", sourceText(limit)),
      kpi("available", "Available", amps(limit.available_a ? Math.min(...limit.available_a) : null), "info"),
      kpi("building", "Building load", limit.building_load_a ? phases(limit.building_load_a) : site.meter ? "meter silent" : "no meter", limit.meter_silent ? "bad" : ""),
      kpi("allocated", "Allocated", amps(live.allocated_a)),
      kpi("charging", "Charging", c.charging, "ok"),
      kpi("waiting", "Waiting", c.waiting, c.waiting ? "bad" : ""),
    );
    const data = chartData(history.points);
    chart.set(data.times, data.stacks, data.lines);
    clear(
      sessionsBox,
      table(
        "Sessions of the site",
        [{ label: "Station" }, { label: "EVSE", num: true }, { label: "State" }, { label: "Allocation", num: true }, { label: "Limit sent", num: true }, { label: "Measured", num: true }, { label: "Phases" }],
        sessionRows(live),
      ),
    );
    const curtailments = (live.curtailments || []).map((cur) => [cur.source, amps(cur.limit_a), timeEl(cur.starts_at), timeEl(cur.ends_at)]);
    clear(
      limitsBox,
      h("p", {}, `Grid connection ${amps(site.grid_limit_a)}, ${site.phases} phase${site.phases === 1 ? "" : "s"} at ${site.voltage_v} V, minimum ${amps(site.min_current_a)} per EV, margin ${amps(site.safety_margin_a)}, fallback ${amps(site.fallback_limit_a)}.`),
      table("Active curtailments", [{ label: "Source" }, { label: "Limit", num: true }, { label: "From" }, { label: "Until" }], curtailments),
      (live.children || []).length ? h("p", {}, "Sites under it: ", live.children.map((child) => h("a", { href: `#/sites/${encodeURIComponent(child)}` }, child, " "))) : null,
    );
  };
  await load();
  const timer = setInterval(load, REFRESH_MS);
  const refresh = throttle(load, 1000);
  const close = ctx.stream({ kinds: LIVE_KINDS }, (type, event) => {
    if (event && event.data && event.data.site_id === id) refresh();
  });
  return () => {
    clearInterval(timer);
    close();
    chart.destroy();
  };
}
