// One station: identity, EVSEs/connectors live, power chart, commands, sessions, faults, timeline.
import { api } from "../api.js";
import { TimeChart } from "../charts.js";
import { badge, clear, errorText, h, kwh, skewText, table, throttle, timeEl, timeFlag, unauthenticatedBadge, when } from "../dom.js";
import { integrityBadge, integrityMarked, validationCard } from "./validation.js";

export const NAME = "station";

const POWER = "Power.Active.Import";
const TRIGGERS = ["StatusNotification", "MeterValues", "Heartbeat", "BootNotification", "FirmwareStatusNotification", "DiagnosticsStatusNotification"];

function field(id, label, control) {
  control.id = id;
  return h("div", { class: "field" }, h("label", { for: id }, label), control);
}

function options(values, selected) {
  return values.map(([value, label]) => h("option", { value, selected: String(value) === String(selected) }, label));
}

function powerOf(values) {
  const power = values.filter((v) => v.measurand === POWER);
  const total = power.filter((v) => !v.phase);
  if (total.length) return total[total.length - 1].value;
  const phases = power.filter((v) => String(v.phase || "").startsWith("L"));
  return phases.length ? phases.reduce((sum, v) => sum + v.value, 0) : null;
}

export async function render(main, { id }, ctx) {
  const path = `/stations/${encodeURIComponent(id)}`;
  let station = await api(path);
  let activeTx = [];
  const head = h("div", { class: "page-head" });
  const securityBanner = h("div", { id: "security-banner" });
  const identity = h("dl", { class: "identity", id: "identity" });
  const evses = h("div", { id: "evses" });
  const chartBox = h("div");
  const sessionsBox = h("div", { id: "station-sessions" });
  const faultsBox = h("div", { id: "station-faults" });
  const timeline = h("ol", { class: "events", id: "timeline", "aria-label": "Status timeline" });
  const securityBox = h("div", { id: "security-events" });
  const commandsCard = h("section", { class: "card", id: "commands", "aria-labelledby": "commands-title" });
  const resultLog = h("ol", { class: "events result-log", id: "command-results", "aria-live": "polite", "aria-label": "Command results" });
  const configBox = h("div", { id: "config" });
  const validation = validationCard(id, ctx);
  let integrity = (await integrityMarked()).has(id);

  const sections = [
    head,
    securityBanner,
    h(
      "div",
      { class: "grid cols-2" },
      h("section", { class: "card", "aria-labelledby": "id-title" }, h("h2", { id: "id-title" }, "Identity"), identity),
      h("section", { class: "card", "aria-labelledby": "evse-title" }, h("h2", { id: "evse-title" }, "EVSEs and connectors"), evses),
    ),
    h("section", { class: "card mt", "aria-labelledby": "spower-title" }, h("h2", { id: "spower-title" }, "Power"), chartBox),
    ctx.canOperate ? commandsCard : null,
    validation.card,
    h(
      "div",
      { class: "grid cols-2 mt" },
      h("section", { class: "card", "aria-labelledby": "ss-title" }, h("h2", { id: "ss-title" }, "Sessions"), sessionsBox),
      h("section", { class: "card", "aria-labelledby": "sf-title" }, h("h2", { id: "sf-title" }, "Faults"), faultsBox),
      h("section", { class: "card", "aria-labelledby": "tl-title" }, h("h2", { id: "tl-title" }, "Status timeline"), timeline),
      h("section", { class: "card", "aria-labelledby": "se-title" }, h("h2", { id: "se-title" }, "Security events"), securityBox),
    ),
  ];
  main.append(...sections.filter(Boolean));

  const showStation = () => {
    const s = station;
    const statuses = s.evses.flatMap((e) => e.connectors.map((c) => c.status));
    let state = s.connected ? "online" : "offline";
    if (s.connected && (activeTx.length || statuses.includes("Charging"))) state = "charging";
    if (s.faults.length || statuses.includes("Faulted")) state = "faulted";
    clear(
      head,
      h("h1", {}, s.id),
      badge(state),
      s.unauthenticated ? unauthenticatedBadge() : null,
      integrity ? integrityBadge() : null,
      h("span", { class: "muted" }, s.connected ? `connected since ${new Date(s.connected_at).toLocaleString()}` : "not connected"),
    );
    clear(
      securityBanner,
      s.unauthenticated
        ? h(
            "p",
            { class: "banner", role: "alert" },
            h("strong", {}, "No authentication. "),
            "This station is at security profile 0: it has no password and no certificate, so anyone who knows its id can connect as it, feed false data and take its commands. Give it a password (PUT /api/v1/stations/{id}/security with a profile of 1 or higher) and configure the charger with it.",
          )
        : null,
    );
    const rows = [
      ["OCPP version", s.ocpp_version],
      ["Vendor", s.vendor],
      ["Model", s.model],
      ["Serial number", s.serial_number],
      ["Firmware", s.firmware_version],
      ["Registration", s.registration_status],
      ["Security profile", s.security_profile === undefined ? null : `${s.security_profile}${s.unauthenticated ? " (no authentication)" : ""}`],
      ["Last boot", s.last_boot_at ? `${new Date(s.last_boot_at).toLocaleString()} (${s.boot_status || "?"})` : null],
      ["Last seen", s.last_seen ? new Date(s.last_seen).toLocaleString() : null],
      ["Station status", s.status],
      [
        "Clock",
        s.clock_skew
          ? h(
              "span",
              { class: "clock-skew", id: "clock-skew", title: "The station's timestamps are this far from the server's clock; its times are stored as sent and flagged." },
              h("span", { class: "badge timeflag" }, `${skewText(s.clock_skew.skew_s)} off`),
              ` ${s.clock_skew.skew_s > 0 ? "ahead of" : "behind"} the server's clock (seen ${when(s.clock_skew.at)})`,
            )
          : h("span", { id: "clock-skew" }, "in time"),
      ],
    ];
    clear(identity, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v || "–")]));
    const connectorRows = s.evses.flatMap((e) =>
      e.connectors.map((c) => [String(e.evse_id), String(c.connector_id), badge(c.status), c.error_code && c.error_code !== "NoError" ? c.error_code : "–", timeEl(c.updated_at)]),
    );
    clear(evses, table("Connectors", [{ label: "EVSE" }, { label: "Connector" }, { label: "Status" }, { label: "Error" }, { label: "Updated" }], connectorRows));
  };

  const loadSessions = async () => {
    const page = await api("/transactions", { query: { station_id: id, limit: 15 } });
    const wasCharging = activeTx.length > 0;
    activeTx = page.items.filter((t) => t.active);
    if (wasCharging !== activeTx.length > 0) showStation();
    clear(
      sessionsBox,
      table(
        "Sessions",
        [{ label: "Session" }, { label: "EVSE" }, { label: "Token" }, { label: "Started" }, { label: "State" }, { label: "Energy", num: true }],
        page.items.map((t) => [
          h("a", { href: `#/sessions/${encodeURIComponent(id)}/${encodeURIComponent(t.id)}` }, t.id),
          String(t.evse_id ?? "–"),
          t.id_token || "–",
          [timeEl(t.started_at), " ", timeFlag(t)],
          t.active ? badge("Charging") : t.stop_reason || "ended",
          kwh(t.energy_wh),
        ]),
      ),
    );
    const stopSelect = main.querySelector("#cmd-stop-tx");
    if (stopSelect) {
      clear(stopSelect, activeTx.length ? options(activeTx.map((t) => [t.id, `${t.id} (EVSE ${t.evse_id ?? "?"})`])) : h("option", { value: "" }, "no active session"));
    }
  };

  const loadFaults = async () => {
    const f = await api(`${path}/faults`, { query: { active: false } });
    const items = [...f.items].reverse().slice(0, 20);
    clear(
      faultsBox,
      table(
        "Faults",
        [{ label: "Code" }, { label: "EVSE" }, { label: "Source" }, { label: "Raised" }, { label: "Cleared" }],
        items.map((x) => [x.code, `${x.evse_id}/${x.connector_id}`, x.source, timeEl(x.raised_at), x.cleared_at ? timeEl(x.cleared_at) : badge("active")]),
      ),
    );
  };

  const timelineItem = (at, text) => h("li", {}, timeEl(at), h("span", {}, text));
  const loadTimeline = async () => {
    const e = await api(`${path}/events`, { query: { limit: 40 } });
    clear(
      timeline,
      e.items.map((row) => {
        const d = row.data || {};
        const text = row.kind === "status" ? `EVSE ${d.evse_id}/${d.connector_id} → ${d.status}${d.error_code && d.error_code !== "NoError" ? ` (${d.error_code})` : ""}` : row.kind.replace(/_/g, " ");
        return timelineItem(row.at, text);
      }),
    );
    const sec = await api(`${path}/events`, { query: { kind: "security_event", limit: 20 } });
    clear(
      securityBox,
      table("Security events", [{ label: "Type" }, { label: "Info" }, { label: "At" }], sec.items.map((r) => [r.data.type, r.data.tech_info || "–", timeEl(r.at)])),
    );
  };

  // Power chart: history from the stored samples, then live meter.sampled events.
  const chart = new TimeChart(chartBox, { title: `Power of ${id} (kW), live`, series: [{ label: "Power kW" }] });
  chart.figure.id = "station-power-chart";
  const lastByEvse = new Map();
  const loadPower = async () => {
    const since = new Date(Date.now() - 2 * 3600 * 1000).toISOString();
    const mv = await api(`${path}/meter-values`, { query: { since, limit: 10000 } });
    const byTime = new Map();
    for (const v of mv.items) {
      if (v.measurand !== POWER) continue;
      const key = `${v.timestamp}|${v.evse_id}`;
      if (!byTime.has(key)) byTime.set(key, { t: Date.parse(v.timestamp) / 1000, evse: v.evse_id, values: [] });
      byTime.get(key).values.push(v);
    }
    const samples = [...byTime.values()].sort((a, b) => a.t - b.t);
    lastByEvse.clear();
    const rows = [];
    for (const s of samples) {
      lastByEvse.set(s.evse, powerOf(s.values) || 0);
      rows.push([s.t, [...lastByEvse.values()].reduce((a, b) => a + b, 0) / 1000]);
    }
    chart.set(rows);
  };
  const pushPower = (t) => chart.push(t, [[...lastByEvse.values()].reduce((a, b) => a + b, 0) / 1000]);

  // Commands (operator and admin only; viewers never get the buttons).
  const addResult = (command, result, error) => {
    const item = error
      ? h("li", { class: "failed" }, h("strong", {}, command), h("span", { class: "failed" }, `failed: ${error}`))
      : h(
          "li",
          {},
          h("strong", {}, command),
          h("span", { class: result.status || "" }, result.status || "done"),
          h("span", { class: "muted" }, `${result.action}, round trip ${result.round_trip_ms} ms`),
        );
    item.prepend(h("time", {}, new Date().toLocaleTimeString()));
    resultLog.prepend(item);
    return item;
  };
  const send = async (command, body, button) => {
    button.disabled = true;
    try {
      const result = await api(`${path}/commands/${command}`, { method: "POST", body });
      addResult(command, result);
      return result;
    } catch (err) {
      addResult(command, null, errorText(err));
      return null;
    } finally {
      button.disabled = false;
    }
  };

  if (ctx.canOperate) {
    const evseIds = station.evses.length ? station.evses.map((e) => e.evse_id) : [1];
    const evseOptions = (withZero) => options([...(withZero ? [[0, "whole station"]] : []), ...evseIds.map((e) => [e, `EVSE ${e}`])], withZero ? 0 : evseIds[0]);
    const form = (legend, controls, label, onSubmit, cls = "") => {
      const button = h("button", { type: "submit", class: cls }, label);
      const f = h("form", {}, h("fieldset", {}, h("legend", {}, legend), controls, button));
      f.addEventListener("submit", (event) => {
        event.preventDefault();
        onSubmit(button);
      });
      return f;
    };
    // The id token: the registered ones are offered (an unregistered token is answered Invalid and the
    // station ends the session at once); any other can still be typed.
    const tokenList = h("datalist", { id: "cmd-start-tokens" });
    const startToken = h("input", { value: "", maxlength: 36, required: true, autocomplete: "off", list: "cmd-start-tokens" });
    const tokenHint = h("p", { class: "muted hint", id: "cmd-start-hint", "aria-live": "polite" });
    let accepted = null; // the registered, accepted id tokens (null: this token may not list them)
    const checkToken = () => {
      const value = startToken.value.trim();
      clear(
        tokenHint,
        accepted && value && !accepted.includes(value)
          ? `${value} is not a registered id token: the station would end the session at once. Register it (chargebridge id-token add ${value}) or pick one from the list.`
          : null,
      );
    };
    startToken.addEventListener("input", checkToken);
    api("/id-tokens", { query: { limit: 1000 } })
      .then((page) => {
        const now = Date.now();
        accepted = page.items.filter((t) => t.status === "Accepted" && !(t.expires_at && Date.parse(t.expires_at) <= now)).map((t) => t.id_token);
        clear(tokenList, accepted.map((value) => h("option", { value })));
        if (!startToken.value && accepted.length) startToken.value = accepted[0];
        checkToken();
      })
      .catch(() => {
        /* a token limited to stations cannot list the fleet's id tokens: type one */
      });
    const startEvse = h("select", {}, evseOptions(false));
    const stopTx = h("select", {});
    const resetType = h("select", {}, options([["soft", "soft"], ["hard", "hard"]]));
    const unlockEvse = h("select", {}, evseOptions(false));
    const availEvse = h("select", {}, evseOptions(true));
    const availType = h("select", {}, options([["true", "Operative"], ["false", "Inoperative"]]));
    const triggerMessage = h("select", {}, options(TRIGGERS.map((t) => [t, t])));
    const triggerEvse = h("select", {}, options([["", "none"], ...evseIds.map((e) => [e, `EVSE ${e}`])]));
    const configKeys = h("input", { value: station.ocpp_version === "2.0.1" ? "OCPPCommCtrlr.HeartbeatInterval" : "", autocomplete: "off", placeholder: "all keys" });
    clear(
      commandsCard,
      h("h2", { id: "commands-title" }, "Commands"),
      h(
        "div",
        { class: "commands" },
        form("Remote start", [field("cmd-start-token", "Id token", startToken), tokenList, field("cmd-start-evse", "EVSE", startEvse), tokenHint], "Start session", (b) =>
          send("remote-start", { id_token: startToken.value, evse_id: Number(startEvse.value) }, b).then(() => loadSessions()),
        ),
        form("Remote stop", [field("cmd-stop-tx", "Session", stopTx)], "Stop session", (b) => {
          if (!stopTx.value) return addResult("remote-stop", null, "no active session");
          const tx = /^\d+$/.test(stopTx.value) && station.ocpp_version === "1.6" ? Number(stopTx.value) : stopTx.value;
          return send("remote-stop", { transaction_id: tx }, b).then(() => loadSessions());
        }),
        form("Reset", [field("cmd-reset-type", "Type", resetType)], "Reset", (b) => {
          if (confirm(`Reset ${id} (${resetType.value})?`)) send("reset", { type: resetType.value }, b);
        }, "danger"),
        form("Unlock connector", [field("cmd-unlock-evse", "EVSE", unlockEvse)], "Unlock", (b) => send("unlock", { evse_id: Number(unlockEvse.value) }, b)),
        form("Availability", [field("cmd-avail-evse", "Scope", availEvse), field("cmd-avail-type", "Set to", availType)], "Change availability", (b) =>
          send("change-availability", { operational: availType.value === "true", evse_id: Number(availEvse.value) }, b),
        ),
        form("Trigger message", [field("cmd-trigger-message", "Message", triggerMessage), field("cmd-trigger-evse", "EVSE", triggerEvse)], "Trigger", (b) =>
          send("trigger-message", { message: triggerMessage.value, ...(triggerEvse.value ? { evse_id: Number(triggerEvse.value) } : {}) }, b),
        ),
        form("Configuration", [field("cmd-config-keys", "Keys (comma separated)", configKeys)], "Read configuration", async (b) => {
          const keys = configKeys.value.split(",").map((k) => k.trim()).filter(Boolean);
          const result = await send("get-configuration", { keys }, b);
          if (result) showConfig(result.response);
        }),
      ),
      h("h3", { class: "mt" }, "Results"),
      resultLog,
      configBox,
    );
  }

  const showConfig = (response) => {
    const rows = [];
    for (const k of response.configurationKey || []) rows.push([k.key, k.value ?? "–", k.readonly ? "read-only" : "read-write"]);
    for (const r of response.getVariableResult || []) rows.push([`${r.component?.name}.${r.variable?.name}`, r.attributeValue ?? "–", r.attributeStatus]);
    for (const k of response.unknownKey || []) rows.push([k, "–", "unknown"]);
    clear(configBox, h("h3", { class: "mt" }, "Configuration"), table("Configuration", [{ label: "Key" }, { label: "Value" }, { label: "Access / status" }], rows));
  };

  showStation();
  await Promise.all([loadSessions(), loadFaults(), loadTimeline(), loadPower()]);

  const reloadStation = throttle(async () => {
    try {
      station = await api(path);
      showStation();
    } catch {
      /* the next event retries */
    }
  }, 1000);
  const reloadSessions = throttle(() => loadSessions().catch(() => {}), 1000);
  const reloadFaults = throttle(() => loadFaults().catch(() => {}), 1500);
  const reloadEnergy = throttle(() => loadSessions().catch(() => {}), 5000); // energy of running sessions

  const close = ctx.stream({ station_id: id }, (type, event) => {
    if (type === "open") {
      // Whatever happened between the first load and this (re)connect was not streamed: refetch.
      reloadStation();
      reloadSessions();
      reloadFaults();
      loadTimeline().catch(() => {});
      loadPower().catch(() => {});
      return;
    }
    if (type === "fleet.power" || type === "gap" || type === "hello") return;
    const d = event.data || {};
    if (type === "meter.sampled") {
      const p = powerOf(d.values || []);
      if (p !== null) {
        lastByEvse.set(d.evse_id, p);
        pushPower(Date.parse(d.timestamp || event.at) / 1000);
      }
      if (d.transaction_id) reloadEnergy();
      return;
    }
    if (type.startsWith("transaction.")) {
      reloadSessions();
      if (type === "transaction.ended" && d.evse_id !== undefined) {
        lastByEvse.set(d.evse_id, 0);
        pushPower(Date.parse(event.at) / 1000);
      }
    }
    if (type === "status.changed") {
      timeline.prepend(timelineItem(event.at, `EVSE ${d.evse_id}/${d.connector_id} → ${d.status}${d.error_code && d.error_code !== "NoError" ? ` (${d.error_code})` : ""}`));
    } else if (!type.startsWith("transaction.") && type !== "command.completed") {
      timeline.prepend(timelineItem(event.at, type.replace(".", " ")));
    }
    if (type === "station.event" && d.type === "integrity_failure") {
      integrity = true;
      showStation();
    }
    if (type.startsWith("fault.")) reloadFaults();
    if (type.startsWith("station.") || type === "status.changed" || type.startsWith("fault.")) reloadStation();
  });
  return () => {
    close();
    chart.destroy();
    validation.close();
  };
}
