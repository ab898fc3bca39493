// Stations: server-side filtering, sorting and paging (GET /api/v1/fleet/stations); state in the URL.
import { api } from "../api.js";
import { badge, clear, debounce, h, kw, table, throttle, timeEl, unauthenticatedBadge } from "../dom.js";
import { integrityBadge, integrityMarked } from "./validation.js";

export const NAME = "stations";

const FILTERS = ["q", "state", "vendor", "model", "firmware_version", "ocpp_version", "unauthenticated"];
const LIVE_KINDS = "station.connected,station.disconnected,station.booted,status.changed,transaction.started,transaction.ended,fault.raised,fault.cleared";

function select(id, label, options, value) {
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    h(
      "select",
      { id, name: id },
      h("option", { value: "" }, "any"),
      options.map((o) => h("option", { value: o, selected: o === value }, o)),
    ),
  );
}

export async function render(main, { query }, ctx) {
  const state = {
    q: query.get("q") || "",
    state: query.get("state") || "",
    vendor: query.get("vendor") || "",
    model: query.get("model") || "",
    firmware_version: query.get("firmware_version") || "",
    ocpp_version: query.get("ocpp_version") || "",
    unauthenticated: query.get("unauthenticated") || "",
    sort: query.get("sort") || "id",
    order: query.get("order") === "desc" ? "desc" : "asc",
    offset: Number(query.get("offset") || 0),
    limit: Number(query.get("limit") || 50),
  };
  const facets = await api("/fleet/facets");
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "Filter stations" },
    h(
      "div",
      { class: "field" },
      h("label", { for: "f-q" }, "Station id contains"),
      h("input", { id: "f-q", name: "q", type: "search", value: state.q, autocomplete: "off" }),
    ),
    select("f-state", "State", facets.states, state.state),
    select("f-vendor", "Vendor", facets.vendor, state.vendor),
    select("f-model", "Model", facets.model, state.model),
    select("f-firmware_version", "Firmware", facets.firmware_version, state.firmware_version),
    select("f-ocpp_version", "OCPP", facets.ocpp_version, state.ocpp_version),
    h(
      "div",
      { class: "field" },
      h("label", { for: "f-unauthenticated" }, "Authentication"),
      h(
        "select",
        { id: "f-unauthenticated", name: "unauthenticated" },
        [
          ["", "any"],
          ["true", "none (profile 0)"],
          ["false", "password or certificate"],
        ].map(([value, label]) => h("option", { value, selected: value === state.unauthenticated }, label)),
      ),
    ),
    select("f-limit", "Per page", ["25", "50", "100", "250"], String(state.limit)),
  );
  form.querySelector("#f-limit option[value='']").remove();
  const results = h("div", { id: "stations-results", "aria-live": "polite", "aria-busy": "false" });
  main.append(h("div", { class: "page-head" }, h("h1", {}, "Stations")), h("section", { class: "card" }, form, results));

  const writeUrl = () => {
    const params = new URLSearchParams();
    for (const key of [...FILTERS, "sort", "order"]) if (state[key]) params.set(key, state[key]);
    if (state.offset) params.set("offset", String(state.offset));
    if (state.limit !== 50) params.set("limit", String(state.limit));
    const text = params.toString();
    history.replaceState(null, "", `#/stations${text ? `?${text}` : ""}`);
  };

  const load = async () => {
    results.setAttribute("aria-busy", "true");
    const query = { limit: state.limit, offset: state.offset, sort: state.sort, order: state.order };
    for (const key of FILTERS) if (state[key]) query[key] = state[key];
    const [page, marked] = await Promise.all([api("/fleet/stations", { query }), integrityMarked()]);
    const columns = [
      { label: "Station", sort: "id" },
      { label: "State" },
      { label: "OCPP", sort: "ocpp_version" },
      { label: "Vendor", sort: "vendor" },
      { label: "Model", sort: "model" },
      { label: "Firmware", sort: "firmware_version" },
      { label: "Power", num: true },
      { label: "Last seen", sort: "last_seen" },
    ];
    const rows = page.items.map((s) => [
      [
        h("a", { href: `#/stations/${encodeURIComponent(s.id)}` }, s.id),
        s.unauthenticated ? unauthenticatedBadge() : null,
        marked.has(s.id) ? integrityBadge() : null,
      ],
      badge(s.state),
      s.ocpp_version || "–",
      s.vendor || "–",
      s.model || "–",
      s.firmware_version || "–",
      kw(s.power_w),
      timeEl(s.last_seen),
    ]);
    const first = page.total ? page.offset + 1 : 0;
    const last = page.offset + page.items.length;
    clear(
      results,
      table("Stations", columns, rows, {
        sort: { key: state.sort, order: state.order },
        onSort: (key) => {
          state.order = state.sort === key && state.order === "asc" ? "desc" : "asc";
          state.sort = key;
          state.offset = 0;
          refresh();
        },
      }),
      h(
        "div",
        { class: "pager" },
        h("span", { id: "page-info" }, `${first}–${last} of ${page.total.toLocaleString()}`),
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            disabled: state.offset === 0,
            onclick: () => {
              state.offset = Math.max(0, state.offset - state.limit);
              refresh();
            },
          },
          "Previous",
        ),
        h(
          "button",
          {
            type: "button",
            class: "secondary",
            disabled: page.next_offset === null,
            onclick: () => {
              state.offset = page.next_offset;
              refresh();
            },
          },
          "Next",
        ),
      ),
    );
    results.setAttribute("aria-busy", "false");
  };

  const refresh = () => {
    writeUrl();
    load().catch((err) => clear(results, h("p", { class: "error", role: "alert" }, String(err.message || err))));
  };

  const fromForm = () => {
    for (const key of FILTERS) state[key] = form.querySelector(`#f-${key}`).value;
    state.limit = Number(form.querySelector("#f-limit").value);
    state.offset = 0;
    refresh();
  };
  form.addEventListener("change", fromForm);
  form.addEventListener("input", debounce(fromForm, 300));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    fromForm();
  });

  await load();
  const liveRefresh = throttle(() => load().catch(() => {}), 3000);
  const close = ctx.stream({ kinds: LIVE_KINDS }, (type, data) => {
    if (type === "fleet.power") return; // "open" refetches too: events before it were not streamed
    liveRefresh();
  });
  return close;
}
