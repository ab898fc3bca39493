// Sessions (transactions): filters, energy totals, CSV/XML export (server-side), and one session's meter curve.
import { api, download } from "../api.js";
import { TimeChart } from "../charts.js";
import { badge, clear, h, kwh, table, throttle, timeEl, timeFlag } from "../dom.js";

export const NAME = "sessions";

// Cost so far (running cost of an active session, the CDR's total once ended), from billing.
function costText(cost) {
  if (!cost || !cost.total_cost) return "no tariff applies";
  const t = cost.total_cost;
  const text = `${cost.currency} ${t.excl_vat} excl. VAT` + (t.incl_vat !== undefined ? `, ${t.incl_vat} incl.` : "");
  if (cost.active) return `${text} so far`;
  return cost.verdict && cost.verdict !== "ok" ? `${text} (held: ${cost.verdict})` : text;
}

async function renderCurve(main, stationId, txId, ctx) {
  const tx = await api(`/stations/${encodeURIComponent(stationId)}/transactions/${encodeURIComponent(txId)}`);
  const costPath = `/stations/${encodeURIComponent(stationId)}/transactions/${encodeURIComponent(txId)}/cost`;
  const costEl = h("dd", { id: "session-cost" }, "…");
  const loadCost = () =>
    api(costPath)
      .then((cost) => clear(costEl, costText(cost)))
      .catch(() => clear(costEl, "–"));
  const chartBox = h("div");
  main.append(
    h("div", { class: "page-head" }, h("h1", {}, `Session ${tx.id}`), tx.active ? badge("Charging") : badge("ended"), h("a", { href: "#/sessions" }, "All sessions")),
    h(
      "section",
      { class: "card" },
      h(
        "dl",
        { class: "identity", id: "session-facts" },
        [
          ["Station", h("a", { href: `#/stations/${encodeURIComponent(stationId)}` }, stationId)],
          ["EVSE / connector", `${tx.evse_id ?? "–"} / ${tx.connector_id ?? "–"}`],
          ["Id token", `${tx.id_token || "–"} (${tx.id_token_status || "–"})`],
          ["Started", timeEl(tx.started_at)],
          ["Stopped", timeEl(tx.stopped_at)],
          ["Energy", kwh(tx.energy_wh)],
          ["Stop reason", tx.stop_reason || "–"],
          ["Check", tx.energy_mismatch ? `mismatch: ${tx.energy_note}` : tx.energy_note || "ok"],
          ["Times", tx.time_note ? [timeFlag(tx), ` ${tx.time_note}`] : "as the station sent them, plausible"],
        ]
          .map(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])
          .concat([[h("dt", {}, "Cost"), costEl]]),
      ),
    ),
    h("section", { class: "card mt", "aria-labelledby": "curve-title" }, h("h2", { id: "curve-title" }, "Meter curve"), chartBox),
  );
  const chart = new TimeChart(chartBox, {
    title: `Energy (kWh) and power (kW) of session ${tx.id}`,
    series: [{ label: "Energy kWh", scale: "kwh" }, { label: "Power kW", scale: "kw", axisLabel: "kW" }],
    yLabel: "kWh",
  });
  chart.figure.id = "session-curve";
  const load = async () => {
    const mv = await api(`/stations/${encodeURIComponent(stationId)}/meter-values`, { query: { transaction_id: txId, limit: 10000 } });
    const byTime = new Map();
    const start = tx.meter_start_wh || 0;
    if (!mv.items.length && !tx.active) {
      // Raw samples past their retention: the hourly aggregates (register at each hour's end, average power).
      const agg = await api(`/stations/${encodeURIComponent(stationId)}/meter-aggregates`, { query: { transaction_id: txId, limit: 10000 } }).catch(() => ({ items: [] }));
      for (const a of agg.items) {
        if (a.phase) continue;
        const t = Date.parse(a.last_at) / 1000;
        if (!byTime.has(t)) byTime.set(t, [t, null, null]);
        if (a.measurand === "Energy.Active.Import.Register") byTime.get(t)[1] = (a.last - start) / 1000;
        if (a.measurand === "Power.Active.Import") byTime.get(t)[2] = a.avg / 1000;
      }
    }
    for (const v of mv.items) {
      const t = Date.parse(v.timestamp) / 1000;
      if (!byTime.has(t)) byTime.set(t, [t, null, null]);
      const row = byTime.get(t);
      if (v.measurand === "Energy.Active.Import.Register" && !v.phase) row[1] = (v.value - start) / 1000;
      if (v.measurand === "Power.Active.Import" && !v.phase) row[2] = v.value / 1000;
    }
    chart.set([...byTime.values()].sort((a, b) => a[0] - b[0]));
  };
  await load();
  await loadCost();
  const reload = throttle(() => Promise.all([load(), loadCost()]).catch(() => {}), 1000);
  const close = tx.active
    ? ctx.stream({ station_id: stationId, kinds: "meter.sampled,transaction.updated,transaction.ended" }, (type, e) => {
        if (type !== "open" && e.data && String(e.data.transaction_id) === String(txId)) reload();
      })
    : () => {};
  return () => {
    close();
    chart.destroy();
  };
}

export async function render(main, { station, tx, query }, ctx) {
  if (station && tx) return renderCurve(main, station, tx, ctx);
  const state = {
    station_id: query.get("station_id") || "",
    active: query.get("active") || "",
    since: query.get("since") || "",
    offset: Number(query.get("offset") || 0),
    limit: 50,
  };
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter sessions" },
    h("div", { class: "field" }, h("label", { for: "s-station" }, "Station id"), h("input", { id: "s-station", value: state.station_id, autocomplete: "off" })),
    h(
      "div",
      { class: "field" },
      h("label", { for: "s-active" }, "State"),
      h(
        "select",
        { id: "s-active" },
        [["", "any"], ["true", "active"], ["false", "ended"]].map(([v, l]) => h("option", { value: v, selected: v === state.active }, l)),
      ),
    ),
    h("div", { class: "field" }, h("label", { for: "s-since" }, "Since (date)"), h("input", { id: "s-since", type: "date", value: state.since })),
    h("button", { type: "submit" }, "Apply"),
    h("button", { type: "button", class: "secondary", id: "s-export" }, "Export CSV"),
    h("button", { type: "button", class: "secondary", id: "s-export-xml" }, "Export XML"),
  );
  const totals = h("div", { class: "kpis", id: "session-totals" });
  const results = h("div", { id: "sessions-results", "aria-live": "polite" });
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Sessions")), totals, h("section", { class: "card" }, form, results));

  let page = null;
  const load = async () => {
    const q = { limit: state.limit, offset: state.offset, station_id: state.station_id, active: state.active };
    if (state.since) q.since = new Date(`${state.since}T00:00:00`).toISOString();
    page = await api("/fleet/sessions", { query: q });
    clear(
      totals,
      h("div", { class: "kpi" }, h("div", { class: "label" }, "Sessions"), h("div", { class: "value", id: "total-sessions" }, page.total)),
      h("div", { class: "kpi info" }, h("div", { class: "label" }, "Energy"), h("div", { class: "value", id: "total-energy" }, kwh(page.energy_wh))),
    );
    const first = page.total ? page.offset + 1 : 0;
    clear(
      results,
      table(
        "Sessions",
        [{ label: "Session" }, { label: "Station" }, { label: "EVSE" }, { label: "Token" }, { label: "Started" }, { label: "Stopped" }, { label: "State" }, { label: "Energy", num: true }],
        page.items.map((t) => [
          h("a", { href: `#/sessions/${encodeURIComponent(t.station_id)}/${encodeURIComponent(t.id)}` }, t.id),
          h("a", { href: `#/stations/${encodeURIComponent(t.station_id)}` }, t.station_id),
          String(t.evse_id ?? "–"),
          t.id_token || "–",
          [timeEl(t.started_at), " ", timeFlag(t)],
          timeEl(t.stopped_at),
          t.active ? badge("Charging") : t.orphan ? "orphan stop" : t.stop_reason || "ended",
          kwh(t.energy_wh),
        ]),
      ),
      h(
        "div",
        { class: "pager" },
        h("span", {}, `${first}–${page.offset + page.items.length} of ${page.total.toLocaleString()}`),
        h("button", { type: "button", class: "secondary", disabled: state.offset === 0, onclick: () => go(Math.max(0, state.offset - state.limit)) }, "Previous"),
        h("button", { type: "button", class: "secondary", disabled: page.next_offset === null, onclick: () => go(page.next_offset) }, "Next"),
      ),
    );
  };
  const go = (offset) => {
    state.offset = offset;
    const params = new URLSearchParams();
    for (const key of ["station_id", "active", "since"]) if (state[key]) params.set(key, state[key]);
    if (state.offset) params.set("offset", String(state.offset));
    history.replaceState(null, "", `#/sessions${params.toString() ? `?${params}` : ""}`);
    load().catch((err) => clear(results, h("p", { class: "error", role: "alert" }, String(err.message || err))));
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    state.station_id = form.querySelector("#s-station").value.trim();
    state.active = form.querySelector("#s-active").value;
    state.since = form.querySelector("#s-since").value;
    go(0);
  });
  // Server-side exports (streamed, every matching session, not just this page).
  const exportQuery = () => ({
    station_id: state.station_id,
    active: state.active,
    since: state.since ? new Date(`${state.since}T00:00:00`).toISOString() : undefined,
  });
  const exportAs = (format) => () =>
    download(`/exports/transactions.${format}`, exportQuery(), `sessions.${format}`).catch((err) =>
      clear(results, h("p", { class: "error", role: "alert" }, `export failed: ${err.message || err}`)),
    );
  form.querySelector("#s-export").addEventListener("click", exportAs("csv"));
  form.querySelector("#s-export-xml").addEventListener("click", exportAs("xml"));
  await load();
  const reload = throttle(() => load().catch(() => {}), 2000);
  return ctx.stream({ kinds: "transaction.started,transaction.updated,transaction.ended" }, (type, data) => {
    if (type === "fleet.power") return; // "open" refetches too: events before it were not streamed
    reload();
  });
}
