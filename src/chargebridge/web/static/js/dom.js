// Small DOM helpers. Text always goes in as text (never parsed as HTML).

/** h("td", {class: "num"}, "42") -> <td class="num">42</td>. Attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function badge(text) {
  const value = text || "unknown";
  return h("span", { class: `badge ${value.replace(/[^A-Za-z]/g, "")}` }, value);
}

/** The warning badge of a station at security profile 0 (no password, no certificate). */
export function unauthenticatedBadge() {
  return h(
    "span",
    { class: "badge unauthenticated", title: "Security profile 0: connects without authentication; anyone who knows the id can impersonate it" },
    "unauthenticated",
  );
}

export function kw(watts) {
  if (watts === null || watts === undefined) return "–";
  return `${(watts / 1000).toLocaleString(undefined, { maximumFractionDigits: 1, minimumFractionDigits: 1 })} kW`;
}

export function kwh(wh) {
  if (wh === null || wh === undefined) return "–";
  return `${(wh / 1000).toLocaleString(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 })} kWh`;
}

export function when(value) {
  if (!value) return "–";
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return String(value);
  return date.toLocaleString(undefined, { dateStyle: "short", timeStyle: "medium" });
}

/** How far a station's clock is off, e.g. "+20 min" (positive: ahead of the server's). */
export function skewText(seconds) {
  const sign = seconds > 0 ? "+" : "−";
  const abs = Math.abs(seconds);
  if (abs >= 3600) return `${sign}${(abs / 3600).toFixed(1)} h`;
  if (abs >= 60) return `${sign}${Math.round(abs / 60)} min`;
  return `${sign}${Math.round(abs)} s`;
}

/** The flag of a transaction whose times came from a wrong station clock (or null). */
export function timeFlag(tx) {
  if (!tx || !(tx.start_in_future || tx.end_before_start)) return null;
  const text = tx.start_in_future ? "start in the future" : "ends before start";
  return h("span", { class: "badge timeflag", title: tx.time_note || text }, text);
}

export function timeEl(value) {
  return h("time", { datetime: value || "" }, when(value));
}

/** A table: columns [{label, num?, key?, sort?}], rows of cell arrays. */
export function table(caption, columns, rows, { sort, onSort } = {}) {
  const head = h(
    "tr",
    {},
    columns.map((col) => {
      const attrs = { scope: "col", class: col.num ? "num" : undefined };
      if (col.sort && onSort) {
        const active = sort && sort.key === col.sort;
        attrs["aria-sort"] = active ? (sort.order === "desc" ? "descending" : "ascending") : "none";
        return h("th", attrs, h("button", { type: "button", onclick: () => onSort(col.sort) }, col.label));
      }
      return h("th", attrs, col.label);
    }),
  );
  const body = h(
    "tbody",
    {},
    rows.length
      ? rows.map((cells) => h("tr", {}, cells.map((cell, i) => h("td", { class: columns[i].num ? "num" : undefined }, cell))))
      : h("tr", {}, h("td", { colspan: columns.length, class: "muted" }, "Nothing to show.")),
  );
  return h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "sr-only", hidden: true }, caption), h("thead", {}, head), body));
}

export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Run `fn` at most once per `ms`, trailing call included. */
export function throttle(fn, ms) {
  let last = 0;
  let timer = null;
  return () => {
    const wait = last + ms - Date.now();
    if (wait <= 0) {
      last = Date.now();
      fn();
    } else if (!timer) {
      timer = setTimeout(() => {
        timer = null;
        last = Date.now();
        fn();
      }, wait);
    }
  };
}

export function toast(message) {
  const el = document.getElementById("toast");
  el.textContent = message;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (el.textContent = ""), 6000);
}

export function errorText(err) {
  if (!err) return "unknown error";
  if (err.detail && typeof err.detail === "object") {
    const d = err.detail;
    if (Array.isArray(d)) return d.map((e) => e.msg || JSON.stringify(e)).join("; ");
    return [d.reason, d.error_code, d.description].filter(Boolean).join(": ");
  }
  return err.message || String(err);
}
