// What the tenant's traffic did over a period: requests, errors, tokens and cost by day, by model, deployment and key,
// latency and time to first token over time by model, and the errors of the newest turns by code. Charts when
// plotly.js is there, and a table of the same figures always.
// GET /v1/admin/usage?from&to&group_by=day|model|key|deployment|day,model|hour,model · GET /v1/admin/turns?limit ·
// GET /v1/admin/keys (key names)

import { api, listAll } from "../api.js";
import { chartsNotice, figure, figureSet } from "../charts.js";
import { el, field, formatDollars, formatNumber, heading, messages, section, table } from "../ui.js";

const RECENT_TURNS = 200;

function isoDay(date) { return date.toISOString().slice(0, 10); }

function totals(rows) {
  return rows.reduce((sum, row) => ({
    requests: sum.requests + row.requests, failed: sum.failed + row.failed,
    prompt: sum.prompt + row.prompt_tokens, completion: sum.completion + row.completion_tokens, cost: sum.cost + row.cost_usd,
  }), { requests: 0, failed: 0, prompt: 0, completion: 0, cost: 0 });
}

function percent(part, whole) { return whole ? `${((part / whole) * 100).toFixed(1)}%` : "—"; }

function milliseconds(value) { return value === undefined || value === null ? "—" : `${formatNumber(Math.round(value))} ms`; }

/// One line per model across the time buckets, of one percentile of one timing (`latency` or `time_to_first_token`).
function timingTraces(rows, timing, percentile) {
  const byModel = new Map();
  for (const row of rows) {
    const value = row[timing] ? row[timing][percentile] : null;
    if (value === null || value === undefined) continue;
    const line = byModel.get(row.dimensions.model) || { x: [], y: [] };
    line.x.push(row.bucket);
    line.y.push(value);
    byModel.set(row.dimensions.model, line);
  }
  return [...byModel.entries()].map(([model, line]) => ({ type: "scatter", mode: "lines+markers", name: model, x: line.x, y: line.y }));
}

export default {
  id: "overview",
  title: "Overview",
  access: "admin",
  async render(root, { signal }) {
    const notes = messages();
    const today = new Date();
    const fromInput = el("input", { type: "date", name: "from", value: isoDay(new Date(today.getTime() - 29 * 86400000)), required: true });
    const toInput = el("input", { type: "date", name: "to", value: isoDay(today), required: true });
    const form = el("form", { class: "inline-form", id: "period-form" }, field("From (UTC day)", fromInput), field("To (UTC day, included)", toInput),
      el("button", { type: "submit" }, "Show"));
    const body = el("div", { id: "overview-body" });
    root.append(heading("Overview"), ...notes.nodes, ...[chartsNotice()].filter(Boolean), form, body);

    const figures = figureSet(signal);

    async function load() {
      notes.clear();
      figures.dispose();
      const query = { from: fromInput.value, to: toInput.value };
      try {
        // A period of a day or two reads better by the hour.
        const span = (Date.parse(query.to) - Date.parse(query.from)) / 86400000;
        const bucket = span <= 1 ? "hour" : "day";
        const [days, models, keys, deployments, timeline, turns, keyList] = await Promise.all([
          listAll("/v1/admin/usage", { query: { ...query, group_by: "day" }, cursor: (row) => row.group }),
          listAll("/v1/admin/usage", { query: { ...query, group_by: "model" }, cursor: (row) => row.group }),
          listAll("/v1/admin/usage", { query: { ...query, group_by: "key" }, cursor: (row) => row.group }),
          listAll("/v1/admin/usage", { query: { ...query, group_by: "deployment" }, cursor: (row) => row.group }),
          listAll("/v1/admin/usage", { query: { ...query, group_by: `${bucket},model` }, cursor: (row) => row.group }),
          api("/v1/admin/turns", { query: { limit: RECENT_TURNS } }),
          listAll("/v1/admin/keys").catch(() => ({ data: [] })),
        ]);
        if (signal.aborted) return;
        const keyNames = new Map(keyList.data.map((key) => [key.id, key.name]));
        const sum = totals(days.data);
        const add = figures.add;
        const dayRows = [...days.data].sort((a, b) => a.group.localeCompare(b.group));
        const modelRows = [...models.data].sort((a, b) => b.requests - a.requests);
        const keyRows = [...keys.data].sort((a, b) => b.requests - a.requests);
        const deploymentRows = [...deployments.data].sort((a, b) => b.requests - a.requests);
        const timelineRows = timeline.data.map((row) => ({ ...row, bucket: row.dimensions[bucket] }))
          .sort((a, b) => a.bucket.localeCompare(b.bucket) || a.dimensions.model.localeCompare(b.dimensions.model));
        const bucketLabel = bucket === "hour" ? "Hour (UTC)" : "Day";
        const timingColumns = [
          { label: bucketLabel, value: (r) => r.bucket, rowHeader: true },
          { label: "Model", value: (r) => r.dimensions.model },
          { label: "Requests", value: (r) => formatNumber(r.requests), numeric: true },
          { label: "Latency p50", value: (r) => milliseconds(r.latency && r.latency.p50_ms), numeric: true },
          { label: "Latency p95", value: (r) => milliseconds(r.latency && r.latency.p95_ms), numeric: true },
          { label: "First token p50", value: (r) => milliseconds(r.time_to_first_token && r.time_to_first_token.p50_ms), numeric: true },
          { label: "First token p95", value: (r) => milliseconds(r.time_to_first_token && r.time_to_first_token.p95_ms), numeric: true },
        ];
        const failedTurns = turns.data.filter((turn) => turn.status !== "succeeded");
        const byCode = new Map();
        for (const turn of failedTurns) {
          const code = turn.error_code || turn.status;
          const entry = byCode.get(code) || { code, count: 0, models: new Set() };
          entry.count += 1;
          entry.models.add(turn.model);
          byCode.set(code, entry);
        }
        const codeRows = [...byCode.values()].sort((a, b) => b.count - a.count);
        const keyLabel = (id) => keyNames.has(id) ? `${keyNames.get(id)} (${id})` : id;

        body.replaceChildren(
          section("The period", el("dl", { class: "facts totals", id: "overview-totals" },
            el("dt", {}, "Requests"), el("dd", { dataset: { total: "requests" } }, formatNumber(sum.requests)),
            el("dt", {}, "Failed"), el("dd", { dataset: { total: "failed" } }, `${formatNumber(sum.failed)} (${percent(sum.failed, sum.requests)})`),
            el("dt", {}, "Prompt tokens"), el("dd", {}, formatNumber(sum.prompt)),
            el("dt", {}, "Completion tokens"), el("dd", {}, formatNumber(sum.completion)),
            el("dt", {}, "Cost"), el("dd", {}, formatDollars(sum.cost)))),
          section("By day",
            add(figure({
              title: "Requests and failures by day", yTitle: "requests",
              traces: [
                { type: "bar", name: "succeeded", x: dayRows.map((r) => r.group), y: dayRows.map((r) => r.requests - r.failed) },
                { type: "bar", name: "failed", x: dayRows.map((r) => r.group), y: dayRows.map((r) => r.failed) },
              ], stacked: true,
              columns: [
                { label: "Day", value: (r) => r.group, rowHeader: true },
                { label: "Requests", value: (r) => formatNumber(r.requests), numeric: true },
                { label: "Failed", value: (r) => formatNumber(r.failed), numeric: true },
                { label: "Cost", value: (r) => formatDollars(r.cost_usd), numeric: true },
              ], rows: dayRows,
            })),
            add(figure({
              title: "Tokens by day", yTitle: "tokens", stacked: true,
              traces: [
                { type: "bar", name: "prompt", x: dayRows.map((r) => r.group), y: dayRows.map((r) => r.prompt_tokens) },
                { type: "bar", name: "completion", x: dayRows.map((r) => r.group), y: dayRows.map((r) => r.completion_tokens) },
              ],
              columns: [
                { label: "Day", value: (r) => r.group, rowHeader: true },
                { label: "Prompt tokens", value: (r) => formatNumber(r.prompt_tokens), numeric: true },
                { label: "Completion tokens", value: (r) => formatNumber(r.completion_tokens), numeric: true },
              ], rows: dayRows,
            }))),
          section(bucket === "hour" ? "Latency by the hour" : "Latency by day",
            el("p", { class: "hint" }, "Of the requests that succeeded; time to first token of the streamed ones. Nearest-rank percentiles."),
            add(figure({
              title: "Latency p95 by model", yTitle: "milliseconds", traces: timingTraces(timelineRows, "latency", "p95_ms"),
              columns: timingColumns, rows: timelineRows,
            })),
            add(figure({
              title: "Time to first token p95 by model", yTitle: "milliseconds",
              traces: timingTraces(timelineRows, "time_to_first_token", "p95_ms"),
              columns: timingColumns.filter((column) => !column.label.startsWith("Latency")),
              rows: timelineRows.filter((r) => r.time_to_first_token), empty: "No streamed requests in this period.",
            }))),
          section("By model", add(figure({
            title: "Requests and failures by model", yTitle: "requests", stacked: true,
            traces: [
              { type: "bar", name: "succeeded", x: modelRows.map((r) => r.group), y: modelRows.map((r) => r.requests - r.failed) },
              { type: "bar", name: "failed", x: modelRows.map((r) => r.group), y: modelRows.map((r) => r.failed) },
            ],
            columns: [
              { label: "Model", value: (r) => r.group, rowHeader: true },
              { label: "Requests", value: (r) => formatNumber(r.requests), numeric: true },
              { label: "Failed", value: (r) => formatNumber(r.failed), numeric: true },
              { label: "Error rate", value: (r) => percent(r.failed, r.requests), numeric: true },
              { label: "Prompt tokens", value: (r) => formatNumber(r.prompt_tokens), numeric: true },
              { label: "Completion tokens", value: (r) => formatNumber(r.completion_tokens), numeric: true },
              { label: "Cost", value: (r) => formatDollars(r.cost_usd), numeric: true },
              { label: "Latency p95", value: (r) => milliseconds(r.latency && r.latency.p95_ms), numeric: true },
              { label: "First token p95", value: (r) => milliseconds(r.time_to_first_token && r.time_to_first_token.p95_ms), numeric: true },
            ], rows: modelRows,
          }))),
          section("By deployment", add(figure({
            title: "Requests and failures by deployment", yTitle: "requests", stacked: true,
            traces: [
              { type: "bar", name: "succeeded", x: deploymentRows.map((r) => r.group), y: deploymentRows.map((r) => r.requests - r.failed) },
              { type: "bar", name: "failed", x: deploymentRows.map((r) => r.group), y: deploymentRows.map((r) => r.failed) },
            ],
            columns: [
              { label: "Deployment", value: (r) => r.group, rowHeader: true },
              { label: "Requests", value: (r) => formatNumber(r.requests), numeric: true },
              { label: "Failed", value: (r) => formatNumber(r.failed), numeric: true },
              { label: "Interrupted attempts", value: (r) => formatNumber(r.interrupted_attempts), numeric: true },
              { label: "Latency p50", value: (r) => milliseconds(r.latency && r.latency.p50_ms), numeric: true },
              { label: "Latency p95", value: (r) => milliseconds(r.latency && r.latency.p95_ms), numeric: true },
              { label: "First token p95", value: (r) => milliseconds(r.time_to_first_token && r.time_to_first_token.p95_ms), numeric: true },
            ], rows: deploymentRows,
          }))),
          section("By key", add(figure({
            title: "Tokens by key", yTitle: "tokens", stacked: true,
            traces: [
              { type: "bar", name: "prompt", x: keyRows.map((r) => keyLabel(r.group)), y: keyRows.map((r) => r.prompt_tokens) },
              { type: "bar", name: "completion", x: keyRows.map((r) => keyLabel(r.group)), y: keyRows.map((r) => r.completion_tokens) },
            ],
            columns: [
              { label: "Key", value: (r) => keyLabel(r.group), rowHeader: true },
              { label: "Requests", value: (r) => formatNumber(r.requests), numeric: true },
              { label: "Failed", value: (r) => formatNumber(r.failed), numeric: true },
              { label: "Prompt tokens", value: (r) => formatNumber(r.prompt_tokens), numeric: true },
              { label: "Completion tokens", value: (r) => formatNumber(r.completion_tokens), numeric: true },
              { label: "Cost", value: (r) => formatDollars(r.cost_usd), numeric: true },
            ], rows: keyRows,
          }))),
          section("Errors of the newest turns", el("p", { class: "hint" },
            `Of the newest ${turns.data.length} turns (whatever their day), ${failedTurns.length} did not succeed.`),
          add(figure({
            title: "Failed turns by error code", yTitle: "turns",
            traces: [{ type: "bar", name: "failed turns", x: codeRows.map((r) => r.code), y: codeRows.map((r) => r.count) }],
            columns: [
              { label: "Error code", value: (r) => el("code", {}, r.code), rowHeader: true },
              { label: "Turns", value: (r) => formatNumber(r.count), numeric: true },
              { label: "Models", value: (r) => [...r.models].join(", ") },
            ], rows: codeRows, empty: "No failed turns among the newest.",
          })),
          table("The newest turns", [
            { label: "Model", value: (t) => t.model, rowHeader: true },
            { label: "Deployment", value: (t) => t.deployment || "—" },
            { label: "Status", value: (t) => t.error_code ? `${t.status} (${t.error_code})` : t.status },
            { label: "Key or user", value: (t) => keyLabel(t.subject) },
            { label: "Tokens in / out", value: (t) => `${formatNumber(t.prompt_tokens)} / ${formatNumber(t.completion_tokens)}`, numeric: true },
            { label: "Latency", value: (t) => `${Math.round(t.latency_ms)} ms`, numeric: true },
            { label: "Attempts", value: (t) => t.attempts, numeric: true },
          ], turns.data.slice(0, 20), { empty: "No turns yet." })));
        notes.say(`Usage from ${query.from} to ${query.to}: ${formatNumber(sum.requests)} ${sum.requests === 1 ? "request" : "requests"}.`);
      } catch (error) { notes.fail(error); }
    }

    form.addEventListener("submit", (event) => { event.preventDefault(); load(); });
    await load();
    return figures.dispose;
  },
};
