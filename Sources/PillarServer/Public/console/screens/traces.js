// Traces: how answers came to be. A search by time, user, flow and outcome (a user finds only their own; the
// server sees to that), paged with the cursor; one trace's nodes as a timing waterfall, and for each node what it
// retrieved, the prompt it used, its guards' results, tokens, cost and errors.
// GET /v1/traces?from&to&subject&flow&status&limit&after (times in seconds since 1970) · GET /v1/traces/{id}
// The text of cited passages: GET /v1/conversations/{id} (the trace's own user only; the trace keeps no text).
// Cost: the trace's `turns` (the gateway's calls made for it) and `cost_usd`.

import { api, ApiError, listAll } from "../api.js";
import { chartsNotice, figure } from "../charts.js";
import { el, field, formatDollars, formatNumber, formatTime, heading, messages, section, table, uniqueId } from "../ui.js";

const RANGES = [
  { value: "hour", label: "Last hour", seconds: 3600 },
  { value: "day", label: "Last 24 hours", seconds: 86400 },
  { value: "week", label: "Last 7 days", seconds: 7 * 86400 },
  { value: "month", label: "Last 30 days", seconds: 30 * 86400 },
  { value: "all", label: "Any time", seconds: null },
  { value: "custom", label: "Between two times…", seconds: null },
];
const STATUS_BADGE = { succeeded: "good", failed: "bad", skipped: "" };
const STATUS_COLOUR = { succeeded: "#1a5fb4", failed: "#a51d2d", skipped: "#767676" };
const EXCERPT_LENGTH = 400;

/// The search as it was left, so that coming back from a trace shows the same page of results.
let remembered = null;

export function formatMs(value) {
  if (value === undefined || value === null) return "—";
  if (value < 10) return `${value.toFixed(2)} ms`;
  if (value < 1000) return `${value.toFixed(1)} ms`;
  return `${(value / 1000).toFixed(2)} s`;
}

function badge(status, extra) {
  return el("span", { class: `badge ${STATUS_BADGE[status] ?? ""}`.trim(), dataset: { status } }, extra ? `${status} (${extra})` : status);
}

function describeFlow(flow) {
  return `${flow.name} version ${flow.version}${flow.label ? ` (label ${flow.label})` : ""}`;
}

/// `<input type=datetime-local>`'s value (local time) as seconds since 1970, or null when empty.
function secondsOf(input) {
  if (!input.value) return null;
  const moment = new Date(input.value).getTime();
  return Number.isFinite(moment) ? Math.floor(moment / 1000) : null;
}

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(Boolean).flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

export default {
  id: "traces",
  title: "Traces",
  access: "everyone",
  async render(root, context) {
    if (context.params[0]) return renderTrace(root, context.params[0], context);
    return renderSearch(root, context);
  },
};

// ---- The search ------------------------------------------------------------------------------------------------

async function renderSearch(root, { caller, hashFor, signal }) {
  const notes = messages();
  const rangeSelect = el("select", { name: "range" }, RANGES.map((range) => el("option", { value: range.value }, range.label)));
  const fromInput = el("input", { type: "datetime-local", name: "from", step: "1" });
  const toInput = el("input", { type: "datetime-local", name: "to", step: "1" });
  const between = el("div", { class: "inline-form", id: "trace-between", hidden: true },
    field("From (your local time)", fromInput), field("To (your local time)", toInput));
  const subjectInput = el("input", { type: "text", name: "subject", autocomplete: "off", spellcheck: "false", maxlength: "512" });
  const flowInput = el("input", { type: "text", name: "flow", autocomplete: "off", spellcheck: "false", maxlength: "512", list: uniqueId("flows") });
  const flowList = el("datalist", { id: flowInput.getAttribute("list") });
  const statusSelect = el("select", { name: "status" }, el("option", { value: "" }, "any"),
    el("option", { value: "succeeded" }, "succeeded"), el("option", { value: "failed" }, "failed"));
  const limitInput = el("input", { type: "number", name: "limit", min: "1", max: "1000", step: "1", value: "25", required: true, class: "narrow" });
  const searchButton = el("button", { type: "submit", class: "primary" }, "Search");
  if (!caller.isAdmin) {
    subjectInput.value = caller.subject || "";
    subjectInput.readOnly = true;
  }
  const form = el("form", { id: "trace-search", class: "inline-form", role: "search", "aria-label": "Search traces" },
    field("When", rangeSelect), between,
    field("User (subject)", subjectInput, caller.isAdmin ? "Empty: every user of the tenant." : "You see your own traces only."),
    field("Flow", flowInput, "A flow's name, such as rag."), flowList,
    field("Outcome", statusSelect),
    field("Per page", limitInput),
    searchButton);
  const slot = el("div", { id: "trace-results" });
  const previous = el("button", { type: "button", id: "traces-previous", disabled: true }, "Previous page");
  const next = el("button", { type: "button", id: "traces-next", disabled: true }, "Next page");
  const pageLabel = el("span", { class: "hint", id: "traces-page" });
  root.append(heading("Traces"), ...notes.nodes,
    el("p", { class: "lede" }, caller.isAdmin
      ? "How each answer of the tenant came to be: the flow and its version, every node's timing, what was retrieved, the guards' results. Newest first."
      : "How each of your answers came to be: the flow and its version, every node's timing, what was retrieved, the guards' results. Newest first."),
    section("Search", form),
    section("Results", el("div", { class: "toolbar" }, previous, next, pageLabel), slot));

  rangeSelect.addEventListener("change", () => { between.hidden = rangeSelect.value !== "custom"; });
  if (caller.isAdmin) {
    listAll("/v1/admin/flows", { cursor: (entry) => entry.name }).then(({ data }) => {
      flowList.replaceChildren(...data.map((entry) => el("option", { value: entry.name })));
    }).catch(() => { /* the datalist is a convenience only */ });
  }

  // `cursors[n]` is the `after` of page n (page 0 has none).
  let state = { query: null, cursors: [null], page: 0 };

  function queryFromForm() {
    const range = RANGES.find((candidate) => candidate.value === rangeSelect.value);
    const query = { flow: flowInput.value.trim(), status: statusSelect.value, limit: limitInput.value };
    if (range.value === "custom") {
      query.from = secondsOf(fromInput);
      query.to = secondsOf(toInput);
      if (query.from === null && query.to === null) throw new Error("Give a time to search from, to, or both.");
      if (query.from !== null && query.to !== null && query.from > query.to) throw new Error("The search starts after it ends: swap the two times.");
    } else if (range.seconds) {
      query.from = Math.floor(Date.now() / 1000) - range.seconds;
    }
    if (caller.isAdmin) query.subject = subjectInput.value.trim();
    const limit = Number(limitInput.value);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error("Per page is a whole number from 1 to 1000.");
    return query;
  }

  async function load() {
    notes.clear();
    try {
      const after = state.cursors[state.page];
      const page = await api("/v1/traces", { query: { ...state.query, after } });
      if (signal.aborted) return;
      if (page.has_more && page.data.length) state.cursors[state.page + 1] = page.data[page.data.length - 1].id;
      else state.cursors.length = state.page + 1;
      remembered = { form: formValues(), state: { ...state, cursors: [...state.cursors] } };
      slot.replaceChildren(table("Traces, newest first", [
        { label: "Trace", value: (trace) => el("a", { href: hashFor("traces", trace.id), class: "trace-link", dataset: { id: trace.id } },
          el("code", { class: "id" }, trace.id)), rowHeader: true },
        { label: "When", value: (trace) => formatTime(trace.created_at) },
        { label: "User", value: (trace) => el("code", {}, trace.subject) },
        { label: "Flow", value: (trace) => describeFlow(trace.flow) },
        { label: "Outcome", value: (trace) => badge(trace.status, trace.error_code) },
        { label: "Duration", value: (trace) => formatMs(trace.duration_ms), numeric: true },
        { label: "Tokens", value: (trace) => formatNumber(trace.total_tokens), numeric: true },
        { label: "Conversation", value: (trace) => trace.conversation_id ? el("code", {}, trace.conversation_id) : "—" },
      ], page.data, { empty: "No trace matches." }));
      previous.disabled = state.page === 0;
      next.disabled = !page.has_more;
      pageLabel.textContent = `Page ${state.page + 1}`;
      notes.say(page.data.length
        ? `${page.data.length} trace${page.data.length === 1 ? "" : "s"} on page ${state.page + 1}${page.has_more ? ", more on the next" : ""}.`
        : "No trace matches the search.");
    } catch (error) { notes.fail(error); }
  }

  function formValues() {
    return { range: rangeSelect.value, from: fromInput.value, to: toInput.value, subject: subjectInput.value,
      flow: flowInput.value, status: statusSelect.value, limit: limitInput.value };
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    notes.clear();
    try {
      state = { query: queryFromForm(), cursors: [null], page: 0 };
    } catch (error) { notes.fail(error); return; }
    load();
  });
  next.addEventListener("click", () => { state.page += 1; load(); });
  previous.addEventListener("click", () => { if (state.page > 0) { state.page -= 1; load(); } });

  if (remembered) {
    const values = remembered.form;
    rangeSelect.value = values.range;
    fromInput.value = values.from;
    toInput.value = values.to;
    if (caller.isAdmin) subjectInput.value = values.subject;
    flowInput.value = values.flow;
    statusSelect.value = values.status;
    limitInput.value = values.limit;
    between.hidden = rangeSelect.value !== "custom";
    state = { ...remembered.state, cursors: [...remembered.state.cursors] };
  } else {
    rangeSelect.value = "week";
    state = { query: queryFromForm(), cursors: [null], page: 0 };
  }
  await load();
}

// ---- One trace -------------------------------------------------------------------------------------------------

/// Node labels for the chart's category axis, which must differ: a name seen twice gets its position.
function nodeLabels(nodes) {
  const counts = new Map();
  for (const node of nodes) counts.set(node.name, (counts.get(node.name) || 0) + 1);
  return nodes.map((node, index) => counts.get(node.name) > 1 ? `${node.name} (#${index + 1})` : node.name);
}

function waterfall(trace, labels) {
  const nodes = trace.nodes;
  const total = Math.max(trace.duration_ms, ...nodes.map((node) => node.start_ms + node.duration_ms), 1);
  // A node that took no time (skipped, or instant) still gets a sliver, so that it is seen on its row.
  const sliver = total * 0.004;
  const traces = [];
  for (const status of ["succeeded", "failed", "skipped"]) {
    const indexes = nodes.map((node, index) => index).filter((index) => nodes[index].status === status);
    if (!indexes.length) continue;
    traces.push({
      type: "bar", orientation: "h", name: status, marker: { color: STATUS_COLOUR[status] },
      y: indexes.map((index) => labels[index]),
      x: indexes.map((index) => Math.max(nodes[index].duration_ms, sliver)),
      base: indexes.map((index) => nodes[index].start_ms),
      hovertext: indexes.map((index) => {
        const node = nodes[index];
        return `${node.name} (${node.kind}, ${node.status}): from ${formatMs(node.start_ms)}, ${formatMs(node.duration_ms)}`;
      }),
      hoverinfo: "text",
    });
  }
  const generating = nodes.map((node, index) => index).filter((index) => typeof nodes[index].generation_ms === "number");
  if (generating.length) {
    traces.push({
      type: "bar", orientation: "h", name: "waiting on the model", width: 0.3, marker: { color: "#c64600" },
      y: generating.map((index) => labels[index]),
      x: generating.map((index) => nodes[index].generation_ms),
      base: generating.map((index) => nodes[index].start_ms),
      hovertext: generating.map((index) => `${nodes[index].name}: ${formatMs(nodes[index].generation_ms)} waiting on ${nodes[index].model || "the model"}`),
      hoverinfo: "text",
    });
  }
  const rows = nodes.map((node, index) => ({ node, label: labels[index], index }));
  return figure({
    id: "trace-waterfall",
    title: `Timing of the ${nodes.length} nodes (milliseconds from the start of the flow)`,
    traces, rows,
    layout: {
      barmode: "overlay", height: Math.max(220, 110 + 32 * nodes.length),
      margin: { l: 20, r: 20, t: 36, b: 50 }, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },
      xaxis: { type: "linear", title: { text: "milliseconds from the start of the flow" }, rangemode: "tozero", automargin: true },
      // The nodes top to bottom in the order they ran (plotly would otherwise order categories by trace).
      yaxis: { type: "category", categoryorder: "array", categoryarray: labels, autorange: "reversed", automargin: true, rangemode: "normal", title: { text: "" } },
    },
    columns: [
      { label: "Node", value: (row) => row.label, rowHeader: true },
      { label: "Kind", value: (row) => row.node.kind },
      { label: "Status", value: (row) => badge(row.node.status, row.node.error_code) },
      { label: "Starts at", value: (row) => formatMs(row.node.start_ms), numeric: true },
      { label: "Takes", value: (row) => formatMs(row.node.duration_ms), numeric: true },
      { label: "Ends at", value: (row) => formatMs(row.node.start_ms + row.node.duration_ms), numeric: true },
      { label: "Waiting on the model", value: (row) => typeof row.node.generation_ms === "number" ? formatMs(row.node.generation_ms) : "—", numeric: true },
      { label: "Note", value: (row) => row.node.note || "" },
    ],
    empty: "The trace has no nodes.",
  });
}

/// The cited passages' text, from the conversation the answer is in: only its own user may read it.
async function excerpts(trace, caller) {
  if (!trace.conversation_id || !caller.subject || caller.subject !== trace.subject) return null;
  try {
    const conversation = await api(`/v1/conversations/${encodeURIComponent(trace.conversation_id)}`);
    const message = (conversation.messages || []).find((candidate) => candidate.trace_id === trace.id);
    const texts = new Map();
    for (const citation of (message && message.citations) || []) {
      texts.set(`${citation.document_id}#${citation.document_version}#${citation.chunk_id}`, citation.text);
    }
    return texts;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null; // the conversation was deleted
    throw error;
  }
}

/// Each llm node's turn: the one of its model with the node's own token counts.
function turnsByNode(nodes, turns) {
  const left = [...(turns || [])];
  const matched = new Map();
  for (const node of nodes) {
    if (!node.usage || !node.model) continue;
    const index = left.findIndex((turn) => turn.model === node.model && turn.prompt_tokens === node.usage.prompt_tokens
      && turn.completion_tokens === node.usage.completion_tokens);
    if (index >= 0) matched.set(node, left.splice(index, 1)[0]);
  }
  return matched;
}

function usageText(usage) {
  if (!usage) return "—";
  return `${formatNumber(usage.prompt_tokens)} in, ${formatNumber(usage.completion_tokens)} out (${formatNumber(usage.total_tokens)} in all)`;
}

function score(value) {
  if (typeof value !== "number") return "—";
  return value !== 0 && Math.abs(value) < 0.001 ? value.toExponential(2) : value.toFixed(4);
}

function chunksTable(chunks, cited, texts, nodeName) {
  const details = (pairs) => el("dl", { class: "details" }, pairs.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  return table(`Chunks retrieved by ${nodeName}, in the order the answer's prompt numbered them`, [
    { label: "Marker", value: (chunk) => `[${chunk.marker}]`, rowHeader: true },
    { label: "Document", value: (chunk) => [el("span", { class: "chunk-title" }, chunk.title || "(untitled)"), el("br"), el("code", {}, chunk.source_uri),
      el("br"), el("span", { class: "hint" }, (chunk.heading_path || []).join(" › ") || "(no section)"), el("br"),
      el("span", { class: "hint" }, `${chunk.document_id} version ${chunk.document_version}, characters ${chunk.start}-${chunk.end}`)] },
    { label: "Scores", value: (chunk) => details([
      ["fused", score(chunk.score)],
      ["keyword", chunk.keyword_rank ? `#${chunk.keyword_rank}, ${score(chunk.keyword_score)}` : "—"],
      ["vector", chunk.vector_rank ? `#${chunk.vector_rank}, ${score(chunk.vector_score)}` : "—"],
    ]) },
    { label: "Cited", value: (chunk) => cited.has(chunk.marker) ? el("span", { class: "badge good" }, "cited") : "no" },
    { label: "Excerpt", value: (chunk) => {
      const text = texts && texts.get(`${chunk.document_id}#${chunk.document_version}#${chunk.chunk_id}`);
      if (!text) {
        return el("span", { class: "hint" }, texts ? "Not cited: the trace keeps no text, and the conversation only the cited passages."
          : "The trace keeps no text; its user sees the cited passages' text here.");
      }
      return el("p", { class: "excerpt" }, text.length > EXCERPT_LENGTH ? `${text.slice(0, EXCERPT_LENGTH)}…` : text);
    } },
  ], chunks, { className: "chunks" });
}

function guardsTable(guards, caption) {
  return table(caption, [
    { label: "Guard", value: (result) => result.node, rowHeader: true },
    { label: "Result", value: (result) => el("span", { class: `badge ${result.passed ? "good" : "bad"}` }, result.passed ? "passed" : "did not pass") },
    { label: "Action", value: (result) => result.action },
    { label: "Findings", value: (result) => result.findings.length ? el("ul", { class: "tags" }, result.findings.map((finding) => el("li", {}, finding))) : "none" },
  ], guards, { className: "guards" });
}

function nodeArticle(node, label, { trace, cited, texts, turn, caller, hashFor }) {
  const chunks = trace.retrieved.filter((chunk) => chunk.node === node.name);
  const guards = trace.guards.filter((result) => result.node === node.name);
  const headingId = uniqueId("node");
  const promptLink = node.prompt
    ? (caller.isAdmin
      ? el("a", { href: hashFor("library", "prompts", node.prompt.name) }, `${node.prompt.name} version ${node.prompt.version}`)
      : `${node.prompt.name} version ${node.prompt.version}`)
    : null;
  const article = el("article", { class: `node ${node.status}`, "aria-labelledby": headingId, dataset: { node: node.name } },
    el("h3", { id: headingId }, `${label} `, el("span", { class: "hint" }, `(${node.kind})`), " ", badge(node.status)),
    facts([
      ["Timing", `from ${formatMs(node.start_ms)}, ${formatMs(node.duration_ms)}`],
      node.note ? ["Note", node.note] : null,
      node.error_code ? ["Error", el("code", { class: "error-code" }, node.error_code)] : null,
      promptLink ? ["Prompt", [promptLink, node.prompt.label ? ` (label ${node.prompt.label})` : ""]] : null,
      node.model ? ["Model", [node.model, node.deployment ? ` on deployment ${node.deployment}` : ""]] : null,
      typeof node.generation_ms === "number" ? ["Waiting on the model", `${formatMs(node.generation_ms)} of ${formatMs(node.duration_ms)}`] : null,
      node.usage ? ["Tokens", usageText(node.usage)] : null,
      node.usage && turn !== undefined ? ["Cost", turn && typeof turn.cost_usd === "number" ? formatDollars(turn.cost_usd)
        : turn ? "no price is configured for this model" : "no call of the gateway matches this node"] : null,
    ]));
  if (chunks.length) article.append(chunksTable(chunks, cited, texts, label));
  if (guards.length) article.append(guardsTable(guards, `Results of guard ${label}`));
  return article;
}

async function renderTrace(root, id, { caller, hashFor, signal }) {
  const notes = messages();
  root.append(heading(`Trace ${id}`), ...notes.nodes,
    el("p", {}, el("a", { href: hashFor("traces"), id: "back-to-traces" }, "Back to the search")));
  const body = el("div", { id: "trace-detail" });
  root.append(body);
  let trace;
  try {
    trace = await api(`/v1/traces/${encodeURIComponent(id)}`);
  } catch (error) { notes.fail(error); return; }
  if (signal.aborted) return;

  const texts = await excerpts(trace, caller).catch(() => null);
  if (signal.aborted) return;
  const turns = trace.turns || [];
  const cited = new Set(trace.cited_markers || []);
  const labels = nodeLabels(trace.nodes);
  const byNode = turnsByNode(trace.nodes, turns);
  const cost = typeof trace.cost_usd === "number" ? trace.cost_usd : null;
  const quality = trace.quality;

  const summary = facts([
    ["When", formatTime(trace.created_at)],
    ["User", el("code", {}, trace.subject)],
    ["Flow", caller.isAdmin ? el("a", { href: hashFor("library", "flows", trace.flow.name) }, describeFlow(trace.flow)) : describeFlow(trace.flow)],
    ["Outcome", badge(trace.status, trace.error_code)],
    trace.standalone_query ? ["Question (standalone)", el("q", {}, trace.standalone_query)] : null,
    ["Duration", `${formatMs(trace.duration_ms)}: ${formatMs(trace.generation_ms)} waiting on models, ${formatMs(Math.max(trace.duration_ms - trace.generation_ms, 0))} in the flow itself`],
    ["Tokens", usageText(trace.usage)],
    ["Cost", cost !== null ? el("span", { id: "trace-cost" }, formatDollars(cost))
      : turns.length ? "no price is configured for these models" : "no call to a model"],
    ["Conversation", trace.conversation_id ? el("code", {}, trace.conversation_id) : "none"],
    trace.telemetry_trace_id ? ["Telemetry trace id", el("code", {}, trace.telemetry_trace_id)] : null,
    ["Chunks retrieved, cited", `${trace.retrieved.length}, markers ${[...cited].map((marker) => `[${marker}]`).join(" ") || "none"}`],
  ]);
  const made = waterfall(trace, labels);
  signal.addEventListener("abort", made.dispose, { once: true });

  const sections = [section("The answer", summary)];
  if (trace.error_code) {
    sections[0].append(el("p", { class: "notice bad", role: "note" }, `The answer failed with `, el("code", {}, trace.error_code), "."));
  }
  if (quality) {
    sections.push(section("Production quality", facts([
      ["Judgement", quality.judgement],
      ["Groundedness (0-1)", score(quality.groundedness)],
      ["Relevance (0-1)", score(quality.relevance)],
      ["Retrieval coverage", score(quality.coverage)],
      ["Abstained", quality.abstained ? "yes" : "no"],
      ["Refused by a guard", quality.refused ? "yes" : "no"],
      typeof quality.thumbs_down === "boolean" ? ["Rated down", quality.thumbs_down ? "yes" : "no"] : null,
    ])));
  }
  sections.push(section("Waterfall", ...[chartsNotice()].filter(Boolean), made.node));
  const nodes = section("Nodes", ...trace.nodes.map((node, index) => nodeArticle(node, labels[index], {
    trace, cited, texts, turn: byNode.get(node) ?? null, caller, hashFor })));
  sections.push(nodes);
  const named = new Set(trace.nodes.map((node) => node.name));
  const loose = trace.guards.filter((result) => !named.has(result.node));
  if (loose.length) sections.push(section("Other guard results", guardsTable(loose, "Guard results without a node of their own")));
  if (turns.length) {
    sections.push(section("Calls to models", el("p", { class: "hint" },
      "The gateway's calls made for this answer, with their attempts and what they cost."),
    table("The gateway's turns for this answer", [
      { label: "Model", value: (turn) => turn.model, rowHeader: true },
      { label: "Deployment", value: (turn) => turn.deployment || "—" },
      { label: "Status", value: (turn) => turn.error_code ? `${turn.status} (${turn.error_code})` : turn.status },
      { label: "Tokens in / out", value: (turn) => `${formatNumber(turn.prompt_tokens)} / ${formatNumber(turn.completion_tokens)}`, numeric: true },
      { label: "Cost", value: (turn) => typeof turn.cost_usd === "number" ? formatDollars(turn.cost_usd) : "no price", numeric: true },
      { label: "Latency", value: (turn) => formatMs(turn.latency_ms), numeric: true },
    ], turns)));
  }
  body.replaceChildren(...sections);
  notes.say(`Trace of ${describeFlow(trace.flow)}: ${trace.nodes.length} nodes, ${trace.status}.`);
  return made.dispose;
}
