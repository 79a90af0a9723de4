// Charts with plotly.js when the page loaded it (`/console/vendor/plotly.min.js`, a classic script before the
// modules), and always a table of the same figures beside each chart: the table is what screen readers and
// keyboard users read, and all there is when plotly.js is absent.

import { el, table, uniqueId } from "./ui.js";

export function chartsAvailable() { return typeof window.Plotly === "object" && typeof window.Plotly.newPlot === "function"; }

/// A note for the top of a screen with charts, when there are none to draw.
export function chartsNotice() {
  if (chartsAvailable()) return null;
  return el("p", { class: "notice", "data-charts": "unavailable" },
    "Charts are unavailable (plotly.js is not served here); the same figures are in the tables.");
}

const palette = ["#1a5fb4", "#c64600", "#26a269", "#9141ac", "#a51d2d", "#986a44"];

/// A figure: `title`, plotly `traces` (`[{name, x, y, type}]`), and the table (`columns`, `rows`) that holds
/// the same numbers. Answers `{node, dispose}`; `dispose` frees the chart when the screen closes. `layout`
/// overrides the default layout (bar charts over categories); its `xaxis` and `yaxis` merge with the defaults'.
/// `id` names the figure (for the tests); the chart inside it is `.chart`.
export function figure({ title, traces, columns, rows, yTitle = "", stacked = false, empty, layout: overrides = {}, id }) {
  const captionId = uniqueId("figure");
  const node = el("figure", { class: "figure", "aria-labelledby": captionId, id }, el("figcaption", { id: captionId }, title));
  let chart = null;
  if (chartsAvailable() && rows.length) {
    chart = el("div", { class: "chart", role: "img", "aria-label": `Chart: ${title}. The same figures are in the table below it.` });
    node.append(chart);
    const layout = {
      margin: { l: 60, r: 20, t: 10, b: 60 }, height: 280, barmode: stacked ? "stack" : "group",
      yaxis: { title: { text: yTitle }, rangemode: "tozero" }, xaxis: { automargin: true, type: "category" },
      legend: { orientation: "h" }, paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)",
      font: { family: "system-ui, sans-serif", color: "#222" }, colorway: palette,
    };
    for (const [key, value] of Object.entries(overrides)) {
      layout[key] = (key === "xaxis" || key === "yaxis") ? Object.assign({}, layout[key], value) : value;
    }
    if (overrides.height) chart.style.minHeight = `${overrides.height}px`;
    // Drawn once the figure is on the page (the screen inserts it right after): plotly.js sizes a chart by its
    // container, which a detached node does not have.
    const target = chart;
    const failed = (error) => {
      if (target.isConnected) target.replaceWith(el("p", { class: "notice" }, `The chart could not be drawn (${error.message}); the table has its figures.`));
    };
    queueMicrotask(() => {
      if (!target.isConnected) return;
      try {
        Promise.resolve(window.Plotly.newPlot(target, traces, layout, { displaylogo: false, responsive: true, displayModeBar: false })).catch(failed);
      } catch (error) { failed(error); }
    });
  }
  node.append(table(`Table: ${title}`, columns, rows, { empty: empty || "No data for this period." }));
  return {
    node,
    dispose() { if (chart && chart.isConnected && chartsAvailable()) window.Plotly.purge(chart); },
  };
}

/// The figures a screen has drawn, freed together: before it draws again, and when it closes (`signal`, if given).
/// `add` keeps a figure and answers its node, to put on the page.
export function figureSet(signal) {
  let drawn = [];
  const dispose = () => { for (const made of drawn) made.dispose(); drawn = []; };
  if (signal) signal.addEventListener("abort", dispose, { once: true });
  return { add(made) { drawn.push(made); return made.node; }, dispose };
}
