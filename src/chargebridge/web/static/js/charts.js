// Time-series charts on the vendored uPlot (window.uPlot, loaded by index.html; no network).
import { h } from "./dom.js";

function css(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#888";
}

/**
 * A live line chart. `series` = [{label, scale?, color?}]; values are pushed as
 * push(tSeconds, [v1, v2, ...]). Keeps at most `maxPoints` points.
 */
export class TimeChart {
  constructor(container, { title, series, maxPoints = 2000, height = 260, yLabel = "kW" }) {
    this.container = container;
    this.maxPoints = maxPoints;
    this.data = [[], ...series.map(() => [])];
    this.figure = h("figure", { class: "chart chart-box", role: "img", "aria-label": title, "data-points": "0" });
    this.empty = h("p", { class: "chart-empty" }, "Waiting for data…");
    this.caption = h("figcaption", { class: "muted small" }, title);
    container.append(this.figure);
    const axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { stroke: css("--grid") } };
    const colors = [css("--chart-1"), css("--chart-2")];
    // y from zero (power and energy are never negative here), a little head-room.
    const range = (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];
    const scales = { x: { time: true }, y: { range } };
    const clock = (_u, splits) => splits.map((s) => new Date(s * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
    const incrs = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 43200, 86400];
    const axes = [{ ...axis, values: clock, space: 90, incrs }, { ...axis, label: yLabel, scale: series[0].scale || "y", size: 60 }];
    series.forEach((s) => {
      if (s.scale && !scales[s.scale]) scales[s.scale] = { range };
    });
    if (series.some((s) => s.scale && s.scale !== (series[0].scale || "y"))) {
      const other = series.find((s) => s.scale && s.scale !== (series[0].scale || "y"));
      axes.push({ ...axis, label: other.axisLabel || "", scale: other.scale, side: 1, size: 60, grid: { show: false } });
    }
    this.width = Math.max(280, container.clientWidth || 600);
    this.plot = new window.uPlot(
      {
        width: this.width,
        height,
        scales,
        axes,
        cursor: { drag: { x: false, y: false } },
        series: [
          {},
          ...series.map((s, i) => ({
            label: s.label,
            scale: s.scale || "y",
            stroke: s.color || colors[i % colors.length],
            width: 2,
            fill: i === 0 ? `${colors[0]}22` : undefined,
            points: { show: false },
            spanGaps: true,
          })),
        ],
      },
      this.data,
      this.figure,
    );
    this.figure.append(this.empty, this.caption);
    this.resizer = new ResizeObserver(() => {
      const width = Math.max(280, container.clientWidth);
      if (Math.abs(width - this.width) > 4) {
        this.width = width;
        this.plot.setSize({ width, height });
      }
    });
    this.resizer.observe(container);
  }

  /** Replace all points: rows of [t, v1, v2...] sorted by t. */
  set(rows) {
    this.data = this.data.map((_, i) => rows.map((r) => r[i]));
    this.plot.setData(this.data);
    this.figure.dataset.points = String(this.data[0].length);
    if (rows.length) this.figure.dataset.last = String(rows[rows.length - 1][1]);
    this.empty.hidden = this.data[0].length > 0;
  }

  push(t, values) {
    const xs = this.data[0];
    if (xs.length && t < xs[xs.length - 1]) return; // out of order: ignore
    xs.push(t);
    values.forEach((v, i) => this.data[i + 1].push(v));
    if (xs.length > this.maxPoints) this.data.forEach((col) => col.shift());
    this.plot.setData(this.data);
    this.figure.dataset.points = String(xs.length);
    this.figure.dataset.last = String(values[0]);
    this.empty.hidden = true;
  }

  get points() {
    return this.data[0].length;
  }

  destroy() {
    this.resizer.disconnect();
    this.plot.destroy();
  }
}

const STACK_COLORS = ["#1f6feb", "#2da44e", "#bf8700", "#8250df", "#cf222e", "#1b7c83", "#bc4c00", "#6e7781", "#0969da", "#9a6700"];

/**
 * A stacked area chart (uPlot bands between cumulative series) with optional line series on top:
 * set(times, stacks, lines) where stacks = [{label, values}] (drawn bottom up) and
 * lines = [{label, values, color}] (e.g. the site's limit). Values may be null (no point).
 */
export class StackedChart {
  constructor(container, { title, height = 300, yLabel = "A" }) {
    this.container = container;
    this.title = title;
    this.height = height;
    this.yLabel = yLabel;
    this.figure = h("figure", { class: "chart chart-box", role: "img", "aria-label": title, "data-points": "0", "data-series": "0" });
    this.empty = h("p", { class: "chart-empty" }, "Waiting for data…");
    this.caption = h("figcaption", { class: "muted small" }, title);
    container.append(this.figure);
    this.figure.append(this.empty, this.caption);
    this.plot = null;
    this.key = "";
    this.width = Math.max(280, container.clientWidth || 600);
    this.resizer = new ResizeObserver(() => {
      const width = Math.max(280, container.clientWidth);
      if (this.plot && Math.abs(width - this.width) > 4) {
        this.width = width;
        this.plot.setSize({ width, height: this.height });
      }
    });
    this.resizer.observe(container);
  }

  _build(stacks, lines) {
    if (this.plot) this.plot.destroy();
    const axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { stroke: css("--grid") } };
    const clock = (_u, splits) => splits.map((s) => new Date(s * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" }));
    const series = [{}];
    const bands = [];
    stacks.forEach((s, i) => {
      const color = STACK_COLORS[i % STACK_COLORS.length];
      series.push({ label: s.label, stroke: color, width: 1, fill: i === 0 ? `${color}99` : undefined, points: { show: false }, paths: window.uPlot.paths.stepped({ align: 1 }) });
      if (i > 0) bands.push({ series: [i + 1, i], fill: `${color}99` });
    });
    lines.forEach((l) => series.push({ label: l.label, stroke: l.color || css("--bad"), width: 2, dash: l.dash, points: { show: false }, paths: window.uPlot.paths.stepped({ align: 1 }) }));
    const range = (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];
    this.plot = new window.uPlot(
      {
        width: this.width,
        height: this.height,
        scales: { x: { time: true }, y: { range } },
        axes: [{ ...axis, values: clock, space: 90 }, { ...axis, label: this.yLabel, size: 60 }],
        cursor: { drag: { x: false, y: false } },
        series,
        bands,
      },
      [[]],
      this.figure,
    );
    this.figure.insertBefore(this.plot.root, this.empty);
  }

  set(times, stacks, lines = []) {
    const key = [...stacks.map((s) => s.label), "|", ...lines.map((l) => l.label)].join("\u0000");
    if (key !== this.key || !this.plot) {
      this.key = key;
      this._build(stacks, lines);
    }
    const cumulative = [];
    let running = times.map(() => 0);
    for (const s of stacks) {
      running = running.map((v, i) => v + (s.values[i] || 0));
      cumulative.push(running);
    }
    this.plot.setData([times, ...cumulative, ...lines.map((l) => l.values)]);
    this.figure.dataset.points = String(times.length);
    this.figure.dataset.series = String(stacks.length);
    this.figure.dataset.top = times.length ? String(cumulative.length ? cumulative[cumulative.length - 1][times.length - 1] : 0) : "";
    this.empty.hidden = times.length > 0;
  }

  destroy() {
    this.resizer.disconnect();
    if (this.plot) this.plot.destroy();
  }
}
