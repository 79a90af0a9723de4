// The platform's Prometheus metrics, as a filterable table (every tenant's labels: platform admins only).
// GET /metrics (text exposition format)

import { api } from "../api.js";
import { el, field, heading, messages, section, table } from "../ui.js";

const MAX_ROWS = 500;

/// `name{a="b",c="d"} 12` lines (comments and blank lines skipped) → [{name, labels, value}].
export function parseMetrics(text) {
  const series = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = [];
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
    let label;
    while ((label = labelPattern.exec(match[3] || "")) !== null) labels.push(`${label[1]}=${label[2].replace(/\\(.)/g, "$1")}`);
    series.push({ name: match[1], labels: labels.join(", "), value: match[4] });
  }
  return series;
}

export default {
  id: "metrics",
  title: "Metrics",
  access: "platform",
  async render(root) {
    const notes = messages();
    const filterInput = el("input", { type: "search", name: "filter", value: "pillar_" });
    const refresh = el("button", { type: "button" }, "Refresh");
    const slot = el("div", { id: "metrics-list" });
    root.append(heading("Metrics"), ...notes.nodes,
      el("p", { class: "lede" }, "The Prometheus metrics of this Pillar process, every tenant's included. Scrape /metrics for history; this is now."),
      section("Series", el("div", { class: "inline-form", role: "search" }, field("Name or label contains", filterInput), refresh), slot));
    let series = [];
    function render() {
      const needle = filterInput.value.trim().toLowerCase();
      const rows = series.filter((row) => !needle || row.name.toLowerCase().includes(needle) || row.labels.toLowerCase().includes(needle));
      slot.replaceChildren(table(`Metric series${rows.length > MAX_ROWS ? ` (the first ${MAX_ROWS} of ${rows.length})` : ""}`, [
        { label: "Metric", value: (row) => el("code", {}, row.name), rowHeader: true },
        { label: "Labels", value: (row) => row.labels },
        { label: "Value", value: (row) => row.value, numeric: true },
      ], rows.slice(0, MAX_ROWS), { empty: "No series match." }));
    }
    async function load() {
      notes.clear();
      try {
        const text = await api("/metrics");
        series = parseMetrics(typeof text === "string" ? text : "");
        render();
        notes.say(`${series.length} series read.`);
      } catch (error) { notes.fail(error); }
    }
    let debounce = null;
    filterInput.addEventListener("input", () => { clearTimeout(debounce); debounce = setTimeout(render, 150); });
    refresh.addEventListener("click", load);
    await load();
    return () => clearTimeout(debounce);
  },
};
