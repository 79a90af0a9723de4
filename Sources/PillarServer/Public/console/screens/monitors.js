// Monitors: each production-quality monitor's state on every tenant, flow and label it watches, its values over
// time and its alerts (the level changes it made), refreshed while open; a test alert through the webhooks.
// GET /v1/admin/monitors · GET /v1/admin/monitors/{name} · POST /v1/admin/monitors/{name}/test {webhook?} (platform)
// The API keeps each scope's latest value and the latest 50 transitions: the values shown over time are those
// transitions' values and what this page has seen since it was loaded.

import { api } from "../api.js";
import { chartsNotice, figure } from "../charts.js";
import { el, field, formatNumber, formatTime, heading, keepingFocus, messages, section, table } from "../ui.js";

const REFRESH_MS = 5000;
const LEVEL_BADGE = { ok: "good", warning: "warn", alert: "bad" };
const LEVEL_RANK = { ok: 0, warning: 1, alert: 2 };
const SCOPE_COLOURS = ["#1a5fb4", "#26a269", "#9141ac", "#986a44", "#c64600", "#5e5c64"];

/// What this page saw of each scope, by monitor: `Map(monitor → Map(scopeKey → Map(evaluatedAt → point)))`.
const seen = new Map();

function levelBadge(level, extra) {
  return el("span", { class: `badge ${LEVEL_BADGE[level] ?? ""}`.trim(), dataset: { level } }, extra ? `${level} ${extra}` : level);
}

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(Boolean).flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

export function formatSignal(value) {
  if (value === undefined || value === null) return "—";
  if (Math.abs(value) >= 1000) return formatNumber(Math.round(value));
  return String(Number(value.toPrecision(4)));
}

function formatWindow(seconds) {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function thresholds(spec) {
  const word = spec.direction === "below" ? "below" : "above";
  const parts = [];
  if (spec.warning !== undefined && spec.warning !== null) parts.push(`warning ${word} ${formatSignal(spec.warning)}`);
  parts.push(`alert ${word} ${formatSignal(spec.alert)}`);
  return parts.join(", ");
}

function scopeKey(scope) { return `${scope.tenant}/${scope.flow}@${scope.label ?? "(no label)"}`; }
function scopeName(scope) { return `${scope.flow}${scope.label ? `@${scope.label}` : ""} in tenant ${scope.tenant}`; }

/// Seconds since 1970 as plotly's local date-time text (an ISO string would be read as UTC).
function plotlyTime(seconds) {
  const date = new Date(seconds * 1000);
  const pad = (number, width = 2) => String(number).padStart(width, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

function remember(report) {
  const byScope = seen.get(report.spec.name) || new Map();
  seen.set(report.spec.name, byScope);
  for (const scope of report.scopes) {
    if (typeof scope.state.last_value !== "number") continue;
    const key = scopeKey(scope);
    const points = byScope.get(key) || new Map();
    byScope.set(key, points);
    points.set(scope.state.evaluated_at, { at: scope.state.evaluated_at, value: scope.state.last_value, samples: scope.state.last_samples,
      level: scope.state.level, scope, source: "seen here" });
  }
}

/// Every known value of the monitor over time, oldest first: its transitions' values and what this page saw.
function pointsOf(report) {
  const points = [];
  for (const transition of report.transitions || []) {
    if (typeof transition.transition.value !== "number") continue;
    points.push({ at: transition.transition.at, value: transition.transition.value, samples: transition.transition.samples,
      level: transition.transition.to, scope: transition, source: `transition ${transition.transition.from} → ${transition.transition.to}` });
  }
  for (const byTime of (seen.get(report.spec.name) || new Map()).values()) points.push(...byTime.values());
  return points.sort((a, b) => a.at - b.at);
}

export default {
  id: "monitors",
  title: "Monitors",
  access: "admin",
  async render(root, context) {
    if (context.params[0]) return renderMonitor(root, context.params[0], context);
    return renderList(root, context);
  },
};

/// Calls `refresh` now and every REFRESH_MS while the screen is open and the tab is visible; answers the stop.
function poll(refresh, signal) {
  let timer = null;
  let stopped = false;
  const stop = () => { stopped = true; clearTimeout(timer); };
  signal.addEventListener("abort", stop, { once: true });
  const tick = async () => {
    if (stopped) return;
    if (!document.hidden) await refresh();
    if (!stopped) timer = setTimeout(tick, REFRESH_MS);
  };
  return { start: tick, stop };
}

// ---- Every monitor ---------------------------------------------------------------------------------------------

async function renderList(root, { caller, hashFor, signal }) {
  const notes = messages();
  const updated = el("p", { class: "hint", id: "monitors-updated" }, "Not loaded yet.");
  const slot = el("div", { id: "monitor-list" });
  root.append(heading("Monitors"), ...notes.nodes,
    el("p", { class: "lede" }, "Each monitor watches a quality signal over a window on every flow and label it sees, " +
      `separately per tenant${caller.isPlatformAdmin ? " (you see every tenant's)" : " (you see your tenant's)"}. ` +
      `Refreshed every ${REFRESH_MS / 1000} seconds while this screen is open.`),
    updated, section("Monitors", slot));

  let levels = new Map();
  const { start, stop } = poll(async () => {
    try {
      // Monitors are few (configured, not created): one page holds them.
      const listing = await api("/v1/admin/monitors", { query: { limit: 1000 } });
      const data = listing.data;
      if (signal.aborted) return;
      notes.alert.hidden = true;
      const changes = [];
      for (const report of data) {
        remember(report);
        const before = levels.get(report.spec.name);
        if (before && before !== report.level) changes.push(`${report.spec.name} is ${report.level} (was ${before})`);
      }
      levels = new Map(data.map((report) => [report.spec.name, report.level]));
      if (changes.length) notes.say(changes.join("; "));
      const worst = data.reduce((level, report) => LEVEL_RANK[report.level] > LEVEL_RANK[level] ? report.level : level, "ok");
      keepingFocus(slot, () => slot.replaceChildren(
        el("p", { id: "monitors-summary" }, `${data.length} monitors; the worst level is `, levelBadge(worst), "."),
        table("The monitors in force and their worst level", [
          { label: "Monitor", value: (report) => el("a", { href: hashFor("monitors", report.spec.name), class: "monitor-link" }, report.spec.name), rowHeader: true },
          { label: "Signal", value: (report) => el("code", { class: "id" }, report.spec.signal) },
          { label: "Level", value: (report) => levelBadge(report.level) },
          { label: "Thresholds", value: (report) => thresholds(report.spec) },
          { label: "Window", value: (report) => formatWindow(report.spec.window_seconds), numeric: true },
          { label: "Minimum samples", value: (report) => formatNumber(report.spec.minimum_samples), numeric: true },
          { label: "Where it stands", value: (report) => report.scopes.length
            ? el("ul", { class: "plain" }, report.scopes.map((scope) => el("li", { dataset: { scope: scopeKey(scope) } }, levelBadge(scope.state.level), " ",
              `${scopeName(scope)}: ${formatSignal(scope.state.last_value)} over ${formatNumber(scope.state.last_samples)} samples`)))
            : el("span", { class: "hint" }, "nothing seen yet") },
        ], data, { empty: "No monitors are configured." })));
      const evaluated = listing.evaluated_at;
      updated.textContent = `${evaluated ? `Monitors last evaluated ${new Date(evaluated * 1000).toLocaleTimeString("en-GB")}. ` : "Monitors not evaluated yet. "}` +
        `Updated ${new Date().toLocaleTimeString("en-GB")}.`;
      updated.dataset.refreshes = String(Number(updated.dataset.refreshes || 0) + 1);
    } catch (error) { notes.fail(error); }
  }, signal);
  await start();
  return stop;
}

// ---- One monitor -----------------------------------------------------------------------------------------------

function valuesFigure(report, points) {
  const spec = report.spec;
  const scopes = new Map();
  for (const point of points) {
    const key = scopeKey(point.scope);
    if (!scopes.has(key)) scopes.set(key, { key, name: scopeName(point.scope), points: [] });
    scopes.get(key).points.push(point);
  }
  const traces = [...scopes.values()].map((scope, index) => ({
    type: "scatter", mode: "lines+markers", name: scope.name, line: { color: SCOPE_COLOURS[index % SCOPE_COLOURS.length] },
    x: scope.points.map((point) => plotlyTime(point.at)), y: scope.points.map((point) => point.value),
  }));
  if (points.length) {
    const first = points[0].at - 30;
    const last = points[points.length - 1].at + 30;
    const line = (value, name, colour) => ({ type: "scatter", mode: "lines", name, hoverinfo: "name",
      x: [plotlyTime(first), plotlyTime(last)], y: [value, value], line: { dash: "dash", color: colour, width: 1.5 } });
    if (spec.warning !== undefined && spec.warning !== null) traces.push(line(spec.warning, `warning threshold (${formatSignal(spec.warning)})`, "#986a44"));
    traces.push(line(spec.alert, `alert threshold (${formatSignal(spec.alert)})`, "#a51d2d"));
  }
  const rows = [...points].reverse();
  return figure({
    id: "monitor-values", title: `Values of ${spec.signal} over time`, yTitle: spec.signal, traces, rows,
    layout: { xaxis: { type: "date", title: { text: "" } }, yaxis: { rangemode: "normal" }, margin: { l: 70, r: 20, t: 36, b: 50 },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } },
    columns: [
      { label: "When", value: (point) => formatTime(point.at), rowHeader: true },
      { label: "Where", value: (point) => scopeName(point.scope) },
      { label: "Value", value: (point) => formatSignal(point.value), numeric: true },
      { label: "Samples", value: (point) => formatNumber(point.samples), numeric: true },
      { label: "Level", value: (point) => levelBadge(point.level) },
      { label: "From", value: (point) => point.source },
    ],
    empty: "No values yet: a scope has a value once it has samples in the window.",
  });
}

async function renderMonitor(root, name, { caller, hashFor, signal }) {
  const notes = messages();
  const updated = el("p", { class: "hint", id: "monitor-updated" }, "Not loaded yet.");
  const specSlot = el("div", { id: "monitor-spec" });
  const scopesSlot = el("div", { id: "monitor-scopes" });
  const valuesSlot = el("div", { id: "monitor-values-slot" });
  const alertsSlot = el("div", { id: "monitor-alerts" });
  root.append(heading(`Monitor ${name}`), ...notes.nodes,
    el("p", {}, el("a", { href: hashFor("monitors") }, "All monitors")), updated,
    section("What it watches", specSlot),
    section("Where it stands", scopesSlot),
    section("Values over time", el("p", { class: "hint" },
      "The API keeps each scope's latest value and the monitor's latest level changes: the values here are those changes' values and what this page has seen since it was opened."),
    ...[chartsNotice()].filter(Boolean), valuesSlot),
    section("Alerts and level changes", alertsSlot));

  if (caller.isPlatformAdmin) root.append(section("Test alert", ...testForm(name, notes)));

  let disposeChart = () => {};
  signal.addEventListener("abort", () => disposeChart(), { once: true });
  let fingerprint = "";
  const { start, stop } = poll(async () => {
    try {
      const report = await api(`/v1/admin/monitors/${encodeURIComponent(name)}`);
      if (signal.aborted) return;
      notes.alert.hidden = true;
      remember(report);
      const points = pointsOf(report);
      const now = JSON.stringify([report.level, report.scopes.map((scope) => [scopeKey(scope), scope.state.evaluated_at, scope.state.level]),
        (report.transitions || []).length, points.length]);
      updated.textContent = `Updated ${new Date().toLocaleTimeString("en-GB")}.`;
      updated.dataset.refreshes = String(Number(updated.dataset.refreshes || 0) + 1);
      if (now === fingerprint) return;
      if (fingerprint) {
        const before = JSON.parse(fingerprint)[0];
        if (before !== report.level) notes.say(`${name} is ${report.level} (was ${before}).`);
      }
      fingerprint = now;
      keepingFocus(root, () => {
        const spec = report.spec;
        specSlot.replaceChildren(facts([
          ["Signal", el("code", {}, spec.signal)],
          ["Level (worst of its scopes)", levelBadge(report.level)],
          ["Thresholds", thresholds(spec)],
          ["Window", formatWindow(spec.window_seconds)],
          ["Minimum samples", `${formatNumber(spec.minimum_samples)}; with fewer, “no data” means ${spec.no_data}`],
          ["Clearing", `back past the threshold by ${formatSignal(spec.hysteresis)} for ${spec.clear_after} rounds in a row`],
          spec.tenant || spec.flow || spec.label
            ? ["Only", [spec.tenant ? `tenant ${spec.tenant}` : "", spec.flow ? ` flow ${spec.flow}` : "", spec.label ? ` label ${spec.label}` : ""].join(" ").trim()]
            : ["Watches", "every tenant, flow and label, each separately"],
        ]));
        scopesSlot.replaceChildren(table(`Where ${name} stands on each scope it watches`, [
          { label: "Flow and label", value: (scope) => `${scope.flow}${scope.label ? `@${scope.label}` : ""}`, rowHeader: true },
          { label: "Tenant", value: (scope) => scope.tenant },
          { label: "Level", value: (scope) => levelBadge(scope.state.level) },
          { label: "Latest value", value: (scope) => formatSignal(scope.state.last_value), numeric: true },
          { label: "Samples", value: (scope) => formatNumber(scope.state.last_samples), numeric: true },
          { label: "At this level since", value: (scope) => formatTime(scope.state.since) },
          { label: "Evaluated", value: (scope) => formatTime(scope.state.evaluated_at) },
          { label: "Rounds toward clearing", value: (scope) => `${scope.state.clearing} of ${spec.clear_after}`, numeric: true },
        ], report.scopes, { empty: "Nothing seen yet: a scope appears once its flow has answered." }));
        disposeChart();
        const made = valuesFigure(report, points);
        disposeChart = made.dispose;
        valuesSlot.replaceChildren(made.node);
        const transitions = [...(report.transitions || [])].reverse();
        alertsSlot.replaceChildren(
          el("p", { class: "hint" }, "A rise to warning or alert is sent to the webhooks that take monitor.state events (at most once per 5 minutes for the same alert); the API does not list the deliveries."),
          table("Level changes, newest first (the latest 50)", [
            { label: "When", value: (change) => formatTime(change.transition.at), rowHeader: true },
            { label: "Where", value: (change) => scopeName(change) },
            { label: "Change", value: (change) => [levelBadge(change.transition.from), " → ", levelBadge(change.transition.to)] },
            { label: "Value", value: (change) => formatSignal(change.transition.value), numeric: true },
            { label: "Samples", value: (change) => formatNumber(change.transition.samples), numeric: true },
            { label: "Why", value: (change) => change.transition.reason },
          ], transitions, { empty: "No level changes since the server started watching." }));
      });
    } catch (error) { notes.fail(error); }
  }, signal);
  await start();
  return () => { stop(); disposeChart(); };
}

function testForm(name, notes) {
  const webhookInput = el("input", { type: "text", name: "webhook", autocomplete: "off", spellcheck: "false" });
  const button = el("button", { type: "submit" }, "Send a test alert");
  const result = el("div", { id: "test-alert-result" });
  const form = el("form", { class: "inline-form", id: "test-alert-form" },
    field("Webhook (optional)", webhookInput, "A webhook's name; empty sends to every webhook."), button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    notes.clear();
    button.disabled = true;
    try {
      const body = webhookInput.value.trim() ? { webhook: webhookInput.value.trim() } : {};
      const sent = await api(`/v1/admin/monitors/${encodeURIComponent(name)}/test`, { method: "POST", body });
      const delivered = sent.deliveries.filter((delivery) => delivery.delivered).length;
      result.replaceChildren(table(`Deliveries of test alert ${sent.event}`, [
        { label: "Webhook", value: (delivery) => delivery.endpoint, rowHeader: true },
        { label: "Delivered", value: (delivery) => el("span", { class: `badge ${delivery.delivered ? "good" : "bad"}` }, delivery.delivered ? "delivered" : "not delivered") },
        { label: "Attempts", value: (delivery) => delivery.attempts, numeric: true },
        { label: "Last HTTP status", value: (delivery) => delivery.status ?? "—", numeric: true },
        { label: "Error", value: (delivery) => delivery.error || "" },
      ], sent.deliveries, { empty: "No webhook is configured to take it." }));
      notes.say(sent.deliveries.length
        ? `Test alert ${sent.event}: delivered to ${delivered} of ${sent.deliveries.length} webhooks.`
        : `Test alert ${sent.event}: no webhook is configured.`);
    } catch (error) { notes.fail(error); } finally { button.disabled = false; }
  });
  return [el("p", { class: "hint" }, "Sends a test alert for this monitor through the webhooks now, whatever its state, and reports each delivery."), form, result];
}
