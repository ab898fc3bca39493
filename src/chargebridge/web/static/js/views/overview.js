// Fleet overview: counts, power now, energy today, live fleet power, recent faults and events.
import { api } from "../api.js";
import { TimeChart } from "../charts.js";
import { clear, h, kw, kwh, table, throttle, timeEl } from "../dom.js";

export const NAME = "overview";

const KINDS = [
  "station.connected",
  "station.disconnected",
  "station.booted",
  "status.changed",
  "transaction.started",
  "transaction.ended",
  "fault.raised",
  "fault.cleared",
  "firmware.status",
  "security.event",
  "command.completed",
].join(",");

function describe(type, data) {
  const d = data.data || {};
  switch (type) {
    case "status.changed":
      return `EVSE ${d.evse_id} connector ${d.connector_id}: ${d.status}${d.error_code && d.error_code !== "NoError" ? ` (${d.error_code})` : ""}`;
    case "station.booted":
      return `booted (${[d.vendor, d.model, d.firmware_version].filter(Boolean).join(" ")}) – ${d.status}`;
    case "transaction.started":
      return `session ${d.transaction_id} started on EVSE ${d.evse_id ?? "?"}`;
    case "transaction.ended":
      return `session ${d.transaction_id} ended, ${kwh(d.energy_wh)}`;
    case "fault.raised":
      return `fault ${d.code || ""}`;
    case "fault.cleared":
      return `fault cleared ${d.code || ""}`;
    case "command.completed":
      return `${d.command || d.action}: ${d.status || "done"} in ${d.round_trip_ms} ms`;
    default:
      return type.replace(".", " ");
  }
}

function storedEvent(row) {
  const d = row.data || {};
  if (row.kind === "status") return `EVSE ${d.evse_id} connector ${d.connector_id}: ${d.status}`;
  if (row.kind === "boot") return `booted (${[d.vendor, d.model].filter(Boolean).join(" ")})`;
  return row.kind.replace(/_/g, " ");
}

export async function render(main, _args, ctx) {
  const kpis = h("section", { class: "kpis", "aria-label": "Fleet counts" });
  const securityBanner = h("div", { id: "security-banner" });
  const chartBox = h("div");
  const faultsBox = h("div", { id: "fleet-faults" });
  const eventList = h("ol", { class: "events", "aria-label": "Recent events", id: "event-list" });
  main.append(
    h("div", { class: "page-head" }, h("h1", {}, "Fleet overview"), h("span", { class: "muted", id: "summary-at" })),
    securityBanner,
    kpis,
    h("section", { class: "card", "aria-labelledby": "power-title" }, h("h2", { id: "power-title" }, "Fleet power"), chartBox),
    h(
      "div",
      { class: "grid cols-2 mt" },
      h("section", { class: "card", "aria-labelledby": "faults-title" }, h("h2", { id: "faults-title" }, "Active faults"), faultsBox),
      h("section", { class: "card", "aria-labelledby": "events-title" }, h("h2", { id: "events-title" }, "Recent events"), eventList),
    ),
  );

  const kpi = (id, label, value, tone) =>
    h("div", { class: `kpi ${tone || ""}`, id: `kpi-${id}` }, h("div", { class: "label" }, label), h("div", { class: "value" }, value));

  const loadSummary = async () => {
    const s = await api("/fleet/summary");
    clear(
      kpis,
      kpi("stations", "Stations", s.stations),
      kpi("online", "Online", s.online, "ok"),
      kpi("offline", "Offline", s.offline),
      kpi("charging", "Charging", s.charging, "info"),
      kpi("faulted", "Faulted", s.faulted, s.faulted ? "bad" : ""),
      kpi("power", "Power now", kw(s.power_w)),
      kpi("energy", "Energy today", kwh(s.energy_today_wh)),
    );
    clear(
      securityBanner,
      s.unauthenticated
        ? h(
            "p",
            { class: "banner", role: "alert" },
            h("strong", {}, `${s.unauthenticated.toLocaleString()} station${s.unauthenticated === 1 ? "" : "s"} without authentication. `),
            "Security profile 0: anyone who knows the id can connect as the station. ",
            h("a", { href: "#/stations?unauthenticated=true" }, "Show them"),
          )
        : null,
    );
    main.querySelector("#summary-at").textContent = `updated ${new Date(s.at).toLocaleTimeString()}`;
  };

  const loadFaults = async () => {
    const f = await api("/fleet/faults", { query: { active: true, limit: 15 } });
    clear(
      faultsBox,
      table(
        "Active faults",
        [{ label: "Station" }, { label: "Code" }, { label: "EVSE" }, { label: "Raised" }],
        f.items.map((x) => [
          h("a", { href: `#/stations/${encodeURIComponent(x.station_id)}` }, x.station_id),
          x.code,
          `${x.evse_id}/${x.connector_id}`,
          timeEl(x.raised_at),
        ]),
      ),
    );
  };

  const addEvent = (stationId, at, text, prepend = true) => {
    const item = h(
      "li",
      {},
      timeEl(at),
      h("a", { href: `#/stations/${encodeURIComponent(stationId)}` }, stationId),
      h("span", {}, text),
    );
    if (prepend) eventList.prepend(item);
    else eventList.append(item);
    while (eventList.children.length > 60) eventList.lastChild.remove();
  };

  const loadEvents = async () => {
    const e = await api("/fleet/events", { query: { limit: 25 } });
    clear(eventList);
    for (const row of e.items) addEvent(row.station_id, row.at, storedEvent(row), false);
  };

  const power = await api("/fleet/power");
  const chart = new TimeChart(chartBox, { title: "Total fleet power (kW), live", series: [{ label: "Fleet power kW" }] });
  chart.figure.id = "fleet-power-chart";
  chart.set(power.points.map(([t, w]) => [t, w / 1000]));
  await Promise.all([loadSummary(), loadFaults(), loadEvents()]);

  const refreshSummary = throttle(() => loadSummary().catch(() => {}), 1500);
  const refreshFaults = throttle(() => loadFaults().catch(() => {}), 2000);
  const close = ctx.stream({ kinds: KINDS }, (type, data) => {
    if (type === "open") {
      // events between the first load and this (re)connect were not streamed: refetch
      refreshSummary();
      refreshFaults();
      loadEvents().catch(() => {});
      return;
    }
    if (type === "fleet.power") {
      chart.push(data.t, [data.power_w / 1000]);
      const value = main.querySelector("#kpi-power .value");
      if (value) value.textContent = kw(data.power_w);
      return;
    }
    if (type === "gap") {
      refreshSummary();
      return;
    }
    if (data.station_id) addEvent(data.station_id, data.at, describe(type, data));
    refreshSummary();
    if (type.startsWith("fault.") || type === "status.changed") refreshFaults();
  });
  return () => {
    close();
    chart.destroy();
  };
}
