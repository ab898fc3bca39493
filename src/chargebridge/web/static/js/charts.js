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
