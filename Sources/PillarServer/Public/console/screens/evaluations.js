// Evaluations: the tenant's datasets (import, versions, items), runs (start one on a dataset for a flow, follow
// it, cancel, resume, mark a baseline), a run's metric scores, the comparison of two runs, and gates.
// GET|POST /v1/admin/eval/datasets[/{name}] · POST|GET /v1/admin/eval/runs · GET …/runs/{id} · GET …/runs/{id}/results
// POST …/runs/{id}/cancel|resume|baseline · GET …/baselines · GET …/compare?baseline&candidate · GET|POST …/gates

import { api, listAll } from "../api.js";
import { chartsNotice, figure, figureSet } from "../charts.js";
import { confirmAction, el, field, formatDollars, formatNumber, formatTime, heading, keepingFocus, messages, section, table } from "../ui.js";

const BASE = "/v1/admin/eval";
const REFRESH_MS = 1500;
const JUDGES = new Set(["groundedness", "relevance", "coherence", "correctness"]);
const PER_ANSWER = new Set(["latency_ms", "total_tokens", "cost_usd"]);
/// docs/evaluation.md's order; a run's custom scorers come after, by name.
const METRIC_ORDER = ["facts_recall", "exact_match", "token_f1", "citations_precision", "citations_recall", "citations_matched",
  "any_citation", "hit@5", "recall@5", "mrr", "ndcg@5", "abstention_correct", "refused", "groundedness", "relevance", "coherence",
  "correctness", "latency_ms", "total_tokens", "cost_usd"];
const RUN_BADGE = { completed: "good", running: "", failed: "bad", budget_exhausted: "bad", cancelled: "warn", interrupted: "warn" };
const DATASET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function runBadge(status) {
  return el("span", { class: `badge ${RUN_BADGE[status] ?? ""}`.trim(), dataset: { status } }, status.replace("_", " "));
}

function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.filter(Boolean).flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

function describeFlow(flow) { return `${flow.name} version ${flow.version}${flow.label ? ` (label ${flow.label})` : ""}`; }
function artifact(use) { return `${use.name}@${use.version}`; }

function metricRank(name) {
  const index = METRIC_ORDER.indexOf(name);
  return index < 0 ? METRIC_ORDER.length : index;
}
function byMetricOrder(a, b) { return metricRank(a) - metricRank(b) || a.localeCompare(b); }

/// "ratio" (0-1), "judge" (a 1-5 score) or "answer" (latency, tokens, cost per answer): the charts' scales.
export function metricScale(name, values) {
  if (PER_ANSWER.has(name)) return "answer";
  if (JUDGES.has(name) || values.some((value) => typeof value === "number" && value > 1)) return "judge";
  return "ratio";
}

export function formatValue(name, value) {
  if (value === undefined || value === null || Number.isNaN(value)) return "—";
  if (name === "cost_usd") return formatDollars(value);
  if (name === "latency_ms") return `${value.toFixed(1)} ms`;
  if (name === "total_tokens") return formatNumber(Math.round(value * 10) / 10);
  return value.toFixed(3);
}

/// Per metric, as the comparison counts it: each item's mean over its repeats, then the mean over items.
export function summarise(results) {
  const perMetric = new Map();
  for (const result of results) {
    for (const [name, score] of Object.entries(result.scores || {})) {
      if (!perMetric.has(name)) perMetric.set(name, { name, items: new Map(), missing: 0, notApplicable: 0, reasons: new Map() });
      const entry = perMetric.get(name);
      if (typeof score.value === "number") {
        const values = entry.items.get(result.item_id) || [];
        values.push(score.value);
        entry.items.set(result.item_id, values);
      } else if (score.error) {
        entry.missing += 1;
        entry.reasons.set(score.error, (entry.reasons.get(score.error) || 0) + 1);
      } else {
        entry.notApplicable += 1;
      }
    }
  }
  return [...perMetric.values()].map((entry) => {
    const itemMeans = [...entry.items.values()].map((values) => values.reduce((sum, value) => sum + value, 0) / values.length);
    const mean = itemMeans.length ? itemMeans.reduce((sum, value) => sum + value, 0) / itemMeans.length : null;
    return { name: entry.name, mean, items: itemMeans.length, missing: entry.missing, notApplicable: entry.notApplicable,
      reasons: entry.reasons, values: itemMeans,
      scale: metricScale(entry.name, itemMeans) };
  }).sort((a, b) => byMetricOrder(a.name, b.name));
}

async function baselines() {
  const { data } = await listAll(`${BASE}/baselines`, { cursor: (entry) => `${entry.dataset}#${entry.flow}` });
  return data;
}

function baselineOf(run, marked) {
  return marked.find((entry) => entry.dataset === run.spec.dataset && entry.flow === run.versions.flow.name) || null;
}

function runOptions(runs, selected) {
  return runs.map((run) => el("option", { value: run.id, selected: run.id === selected },
    `${run.id}: ${run.spec.dataset}@${run.spec.dataset_version}, ${run.spec.flow}, ${run.status.replace("_", " ")}`));
}

export default {
  id: "evaluations",
  title: "Evaluations",
  access: "admin",
  async render(root, context) {
    const [view, ...rest] = context.params;
    if (view === "runs" && rest[0]) return renderRun(root, rest[0], context);
    if (view === "datasets" && rest[0]) return renderDataset(root, rest[0], rest[1], context);
    if (view === "compare") return renderCompare(root, rest[0], rest[1], context);
    return renderHome(root, context);
  },
};

// ---- Datasets, runs and gates ----------------------------------------------------------------------------------

async function renderHome(root, { hashFor, navigate, signal }) {
  const notes = messages();
  const startSlot = el("div", { id: "start-run" });
  const runsSlot = el("div", { id: "eval-runs" });
  const datasetsSlot = el("div", { id: "eval-datasets" });
  const gatesSlot = el("div", { id: "eval-gates" });
  const importSlot = el("div", { id: "import-dataset" });
  root.append(heading("Evaluations"), ...notes.nodes,
    el("p", { class: "lede" }, "Ask a dataset's questions through a flow, score every answer, and compare runs with paired statistics; a gate turns a comparison into pass or fail."),
    section("Start a run", startSlot),
    section("Runs", runsSlot),
    section("Datasets", datasetsSlot, el("h3", {}, "Import a dataset"), importSlot),
    section("Gates", gatesSlot));

  let timer = null;
  let stopped = false;
  const stop = () => { stopped = true; clearTimeout(timer); };
  signal.addEventListener("abort", stop, { once: true });

  let datasets = [];
  let runs = [];
  let marked = [];

  async function loadAll() {
    [datasets, runs, marked] = await Promise.all([
      listAll(`${BASE}/datasets`, { cursor: (entry) => entry.name }).then((page) => page.data),
      listAll(`${BASE}/runs`).then((page) => page.data),
      baselines(),
    ]);
  }

  const act = async (work) => {
    notes.clear();
    try { await work(); } catch (error) { notes.fail(error); }
  };

  // Start a run.
  const datasetSelect = el("select", { name: "dataset", required: true });
  const flowInput = el("input", { type: "text", name: "flow", value: "rag", required: true, autocomplete: "off", spellcheck: "false" });
  const repeatsInput = el("input", { type: "number", name: "repeats", min: "1", max: "10", value: "1", required: true, class: "narrow" });
  const concurrencyInput = el("input", { type: "number", name: "concurrency", min: "1", max: "16", value: "2", required: true, class: "narrow" });
  const modelInput = el("input", { type: "text", name: "model", autocomplete: "off", spellcheck: "false" });
  const noteInput = el("input", { type: "text", name: "note", autocomplete: "off", maxlength: "500" });
  const startButton = el("button", { type: "submit", class: "primary" }, "Start run");
  const startForm = el("form", { class: "inline-form", id: "start-run-form" },
    field("Dataset", datasetSelect, "Its newest version."),
    field("Flow", flowInput, "rag, rag@candidate (a label) or rag@3 (a version)."),
    field("Repeats", repeatsInput), field("Concurrency", concurrencyInput),
    field("Model (optional)", modelInput, "One model for every llm node."),
    field("Note", noteInput),
    startButton);
  startSlot.append(startForm);
  startForm.addEventListener("submit", (event) => { event.preventDefault(); act(async () => {
    const body = { dataset: datasetSelect.value, flow: flowInput.value.trim(), repeats: Number(repeatsInput.value),
      concurrency: Number(concurrencyInput.value) };
    if (modelInput.value.trim()) body.model = modelInput.value.trim();
    if (noteInput.value.trim()) body.note = noteInput.value.trim();
    startButton.disabled = true;
    try {
      const run = await api(`${BASE}/runs`, { method: "POST", body });
      navigate(hashFor("evaluations", "runs", run.id));
    } finally { startButton.disabled = false; }
  }); });

  // Import a dataset.
  const nameInput = el("input", { type: "text", name: "name", required: true, autocomplete: "off", spellcheck: "false", maxlength: "64" });
  const fileInput = el("input", { type: "file", name: "file", required: true, accept: ".jsonl,.json,.csv,.ndjson,text/csv,application/x-ndjson" });
  const importNote = el("input", { type: "text", name: "note", autocomplete: "off", maxlength: "500" });
  const importForm = el("form", { class: "inline-form", id: "import-dataset-form" },
    field("Name", nameInput, "A new name, or an existing one for its next version."),
    field("File", fileInput, "JSON Lines (one item a line) or CSV, as docs/evaluation.md describes."),
    field("Note", importNote),
    el("button", { type: "submit" }, "Import"));
  importSlot.append(importForm);
  importForm.addEventListener("submit", (event) => { event.preventDefault(); act(async () => {
    const name = nameInput.value.trim();
    if (!DATASET_NAME.test(name)) throw new Error("A dataset's name is 1-64 letters, digits, . _ or -, starting with a letter or digit.");
    const file = fileInput.files[0];
    if (!file) throw new Error("Choose a file to import.");
    const format = /\.csv$/i.test(file.name) ? "csv" : "jsonl";
    const saved = await api(`${BASE}/datasets/${encodeURIComponent(name)}`,
      { method: "POST", body: await file.text(), query: { format, note: importNote.value.trim() } });
    importForm.reset();
    await refresh();
    notes.say(`Imported ${saved.item_count} items as version ${saved.version} of ${saved.name}.`);
  }); });

  // Decide a gate.
  const candidateSelect = el("select", { name: "candidate", required: true });
  const baselineSelect = el("select", { name: "baseline" });
  const requireInput = el("input", { type: "text", name: "require", required: true, autocomplete: "off", spellcheck: "false",
    value: "groundedness>=baseline-0.25; facts_recall>=baseline-0.05", class: "wide" });
  const gateResult = el("div", { id: "gate-result" });
  const gateForm = el("form", { class: "inline-form", id: "gate-form" },
    field("Candidate run", candidateSelect), field("Baseline run", baselineSelect),
    field("Require", requireInput, "Clauses separated by ;, such as groundedness>=4.0, token_f1>=baseline-0.02, p<0.05."),
    el("button", { type: "submit" }, "Decide gate"));

  gateForm.addEventListener("submit", (event) => { event.preventDefault(); act(async () => {
    const body = { candidate: candidateSelect.value, require: requireInput.value.trim() };
    if (baselineSelect.value) body.baseline = baselineSelect.value;
    const decided = await api(`${BASE}/gates`, { method: "POST", body });
    gateResult.replaceChildren(el("p", { class: `notice ${decided.gate.passed ? "good" : "bad"}`, id: "gate-verdict" },
      decided.gate.passed ? "The gate passed." : "The gate failed."),
    el("pre", { class: "code", tabindex: "0", "aria-label": "The gate's verdict, clause by clause" }, decided.summary));
    await refresh({ keepGateResult: true });
    notes.say(`Gate ${decided.gate.id} ${decided.gate.passed ? "passed" : "failed"}.`);
  }); });

  function renderRuns() {
    const markedIds = new Set(marked.map((entry) => entry.run_id));
    keepingFocus(runsSlot, () => runsSlot.replaceChildren(table("The tenant's evaluation runs, newest first", [
      { label: "Run", value: (run) => el("a", { href: hashFor("evaluations", "runs", run.id), class: "run-link", dataset: { id: run.id } }, el("code", { class: "id" }, run.id)), rowHeader: true },
      { label: "Dataset", value: (run) => `${run.spec.dataset}@${run.spec.dataset_version}` },
      { label: "Flow", value: (run) => [run.spec.flow, el("br"), el("span", { class: "hint" }, describeFlow(run.versions.flow))] },
      { label: "Status", value: (run) => markedIds.has(run.id) ? [runBadge(run.status), " ", el("span", { class: "badge good baseline-mark" }, "baseline")] : runBadge(run.status) },
      { label: "Answers", value: (run) => `${formatNumber(run.done)} of ${formatNumber(run.total)}`, numeric: true },
      { label: "Started", value: (run) => [formatTime(run.created_at), el("br"), el("span", { class: "hint" }, run.created_by)] },
      { label: "Note", value: (run) => run.spec.note || "" },
      { label: "Actions", value: (run) => runActions(run, marked, { hashFor, act, after: async (message) => { await refresh(); notes.say(message); } }) },
    ], runs, { empty: "No runs yet: start one above." })));
  }

  function renderDatasets() {
    datasetsSlot.replaceChildren(table("The tenant's datasets (newest versions)", [
      { label: "Name", value: (dataset) => el("a", { href: hashFor("evaluations", "datasets", dataset.name), class: "dataset-link" }, dataset.name), rowHeader: true },
      { label: "Version", value: (dataset) => dataset.version, numeric: true },
      { label: "Items", value: (dataset) => formatNumber(dataset.item_count), numeric: true },
      { label: "Source", value: (dataset) => dataset.source },
      { label: "Note", value: (dataset) => dataset.note || "" },
      { label: "Created", value: (dataset) => [formatTime(dataset.created_at), el("br"), el("span", { class: "hint" }, dataset.created_by)] },
    ], datasets, { empty: "No datasets: import one below." }));
    const chosen = datasetSelect.value;
    datasetSelect.replaceChildren(...datasets.map((dataset) => el("option", { value: dataset.name, selected: dataset.name === chosen },
      `${dataset.name} (version ${dataset.version}, ${dataset.item_count} items)`)));
    startButton.disabled = datasets.length === 0;
  }

  async function renderGates({ keepGateResult = false } = {}) {
    const completed = runs.filter((run) => run.status === "completed");
    const chosenCandidate = candidateSelect.value;
    const chosenBaseline = baselineSelect.value;
    candidateSelect.replaceChildren(...runOptions(completed, chosenCandidate));
    baselineSelect.replaceChildren(el("option", { value: "" }, "the marked baseline"), ...runOptions(completed, chosenBaseline));
    if (!keepGateResult) gateResult.replaceChildren();
    const { data: gates } = await listAll(`${BASE}/gates`);
    gatesSlot.replaceChildren(gateForm, gateResult, table("Gates decided, newest first", [
      { label: "Gate", value: (gate) => el("code", { class: "id" }, gate.id), rowHeader: true },
      { label: "When", value: (gate) => [formatTime(gate.created_at), el("br"), el("span", { class: "hint" }, gate.created_by)] },
      { label: "Dataset", value: (gate) => gate.dataset },
      { label: "Candidate", value: (gate) => el("a", { href: hashFor("evaluations", "runs", gate.candidate_run_id) }, gate.candidate_run_id) },
      { label: "Baseline", value: (gate) => el("a", { href: hashFor("evaluations", "runs", gate.baseline_run_id) }, gate.baseline_run_id) },
      { label: "Requirement", value: (gate) => el("code", {}, gate.requirement) },
      { label: "Verdict", value: (gate) => [el("span", { class: `badge ${gate.passed ? "good" : "bad"}` }, gate.passed ? "passed" : "failed"),
        el("ul", { class: "plain" }, (gate.verdict.clauses || []).map((clause) => el("li", {}, `${clause.passed ? "pass" : "FAIL"}: ${clause.message}`)))] },
    ], gates, { empty: "No gates decided." }));
  }

  async function refresh(options) {
    await loadAll();
    if (stopped) return;
    renderDatasets();
    renderRuns();
    await renderGates(options);
    // While a run goes, its progress is followed here.
    clearTimeout(timer);
    if (!stopped && runs.some((run) => run.status === "running")) timer = setTimeout(() => { refreshQuietly(); }, REFRESH_MS * 2);
  }
  async function refreshQuietly() {
    try {
      const before = JSON.stringify(runs.map((run) => [run.id, run.status, run.done]));
      [runs, marked] = await Promise.all([listAll(`${BASE}/runs`).then((page) => page.data), baselines()]);
      if (stopped) return;
      if (JSON.stringify(runs.map((run) => [run.id, run.status, run.done])) !== before) renderRuns();
      if (runs.some((run) => run.status === "running")) timer = setTimeout(refreshQuietly, REFRESH_MS * 2);
    } catch (error) { notes.fail(error); }
  }

  try { await refresh(); } catch (error) { notes.fail(error); }
  return stop;
}

/// The buttons for what may be done to a run now: cancel a running one, resume one that stopped, mark a completed
/// one the baseline of its dataset and flow, compare it with that baseline.
function runActions(run, marked, { hashFor, act, after, compact = true }) {
  const buttons = [];
  const label = (text) => compact ? { "aria-label": `${text} ${run.id}` } : {};
  if (run.status === "running") {
    buttons.push(el("button", { type: "button", class: "danger cancel-run", dataset: { id: run.id }, ...label("Cancel"), on: { click: () => act(async () => {
      const sure = await confirmAction({ title: `Cancel ${run.id}?`, message: "The answers so far are kept; resume the run to finish it.", confirmLabel: "Cancel run" });
      if (!sure) return;
      const cancelled = await api(`${BASE}/runs/${encodeURIComponent(run.id)}/cancel`, { method: "POST" });
      await after(`${run.id} is ${cancelled.status}: ${cancelled.done} of ${cancelled.total} answers.`);
    }) } }, "Cancel"));
  } else if (run.status !== "completed") {
    buttons.push(el("button", { type: "button", class: "resume-run", dataset: { id: run.id }, ...label("Resume"), on: { click: () => act(async () => {
      const resumed = await api(`${BASE}/runs/${encodeURIComponent(run.id)}/resume`, { method: "POST" });
      await after(`${run.id} is ${resumed.status} again.`);
    }) } }, "Resume"));
  }
  const baseline = baselineOf(run, marked);
  if (run.status === "completed" && (!baseline || baseline.run_id !== run.id)) {
    buttons.push(el("button", { type: "button", class: "set-baseline", dataset: { id: run.id }, ...label("Set as baseline"), on: { click: () => act(async () => {
      const set = await api(`${BASE}/runs/${encodeURIComponent(run.id)}/baseline`, { method: "POST" });
      await after(`${set.run_id} is the baseline of ${set.dataset} for flow ${set.flow}.`);
    }) } }, "Set as baseline"));
  }
  if (baseline && baseline.run_id !== run.id) {
    buttons.push(el("a", { href: hashFor("evaluations", "compare", baseline.run_id, run.id), class: "button compare-baseline", ...label("Compare with the baseline") },
      "Compare with the baseline"));
  }
  return buttons.length ? el("div", { class: "actions" }, buttons) : "";
}

// ---- A dataset -------------------------------------------------------------------------------------------------

async function renderDataset(root, name, versionText, { hashFor }) {
  const notes = messages();
  root.append(heading(`Dataset ${name}`), ...notes.nodes,
    el("p", {}, el("a", { href: hashFor("evaluations") }, "All datasets and runs")));
  const body = el("div", { id: "dataset-detail" });
  root.append(body);
  let view;
  try {
    view = await api(`${BASE}/datasets/${encodeURIComponent(name)}`, { query: { version: versionText, items: "true" } });
  } catch (error) { notes.fail(error); return; }
  const versions = [...view.versions].sort((a, b) => b.version - a.version);
  const versionLinks = el("ul", { class: "tabs" }, versions.map((version) => el("li", {}, el("a", {
    href: hashFor("evaluations", "datasets", name, String(version.version)),
    "aria-current": version.version === view.version.version ? "page" : null }, `Version ${version.version}`))));
  body.append(
    section("Versions", table(`Versions of ${name}, newest first`, [
      { label: "Version", value: (version) => version.version, rowHeader: true, numeric: true },
      { label: "Items", value: (version) => formatNumber(version.item_count), numeric: true },
      { label: "Source", value: (version) => version.source },
      { label: "Note", value: (version) => version.note || "" },
      { label: "Created", value: (version) => [formatTime(version.created_at), el("br"), el("span", { class: "hint" }, version.created_by)] },
    ], versions)),
    section(`Items of version ${view.version.version}`, el("nav", { "aria-label": "Dataset versions" }, versionLinks),
      table(`The ${view.items.length} items of ${name} version ${view.version.version}`, [
        { label: "Id", value: (item) => el("code", { class: "id" }, item.id), rowHeader: true },
        { label: "Question", value: (item) => [item.history && item.history.length ? el("span", { class: "hint" }, `after ${item.history.length} messages: `) : "", item.question] },
        { label: "Expected answer", value: (item) => item.expected_answer || "—" },
        { label: "Expected facts", value: (item) => item.expected_facts.length ? el("ul", { class: "tags" }, item.expected_facts.map((fact) => el("li", {}, fact))) : "—" },
        { label: "Expected sources", value: (item) => item.expected_sources.length ? el("ul", { class: "tags" }, item.expected_sources.map((source) => el("li", {}, source))) : "—" },
        { label: "Answerable", value: (item) => item.answerable === false ? "no" : "yes" },
        { label: "Tags", value: (item) => item.tags.length ? el("ul", { class: "tags" }, item.tags.map((tag) => el("li", {}, tag))) : "" },
      ], view.items, { empty: "No items." })));
}

// ---- A run -----------------------------------------------------------------------------------------------------

function scoreCharts(summary, title) {
  const made = [];
  const ratio = summary.filter((metric) => metric.scale === "ratio" && metric.mean !== null);
  const judge = summary.filter((metric) => metric.scale === "judge" && metric.mean !== null);
  const columns = (scaleText) => [
    { label: "Metric", value: (metric) => metric.name, rowHeader: true },
    { label: `Mean (${scaleText})`, value: (metric) => formatValue(metric.name, metric.mean), numeric: true },
    { label: "Items scored", value: (metric) => metric.items, numeric: true },
  ];
  if (ratio.length) {
    made.push(figure({ id: "run-scores-ratio", title: `${title}: metrics from 0 to 1`, yTitle: "mean over items",
      traces: [{ type: "bar", name: "mean", x: ratio.map((metric) => metric.name), y: ratio.map((metric) => metric.mean) }],
      layout: { yaxis: { range: [0, 1.05] }, showlegend: false, margin: { l: 60, r: 20, t: 10, b: 100 } }, columns: columns("0-1"), rows: ratio }));
  }
  if (judge.length) {
    made.push(figure({ id: "run-scores-judge", title: `${title}: judges' scores from 1 to 5`, yTitle: "mean over items",
      traces: [{ type: "bar", name: "mean", x: judge.map((metric) => metric.name), y: judge.map((metric) => metric.mean), marker: { color: "#26a269" } }],
      layout: { yaxis: { range: [0, 5.2] }, showlegend: false }, columns: columns("1-5"), rows: judge }));
  }
  return made;
}

function scoreDetails(result) {
  const entries = Object.entries(result.scores || {}).sort(([a], [b]) => byMetricOrder(a, b));
  return el("details", { class: "scores" }, el("summary", {}, `${entries.filter(([, score]) => typeof score.value === "number").length} scores`),
    el("dl", { class: "details" }, entries.flatMap(([name, score]) => [el("dt", {}, name),
      el("dd", {}, typeof score.value === "number" ? formatValue(name, score.value) : "no value", score.reason ? ` (${score.reason})` : "",
        score.error ? ` (${score.error})` : "")])));
}

async function renderRun(root, id, { hashFor, signal }) {
  const notes = messages();
  root.append(heading(`Run ${id}`), ...notes.nodes,
    el("p", {}, el("a", { href: hashFor("evaluations") }, "All datasets and runs")));
  const body = el("div", { id: "run-detail" });
  root.append(body);
  let timer = null;
  let stopped = false;
  const figures = figureSet();
  const stop = () => { stopped = true; clearTimeout(timer); figures.dispose(); };
  signal.addEventListener("abort", stop, { once: true });

  const act = async (work) => {
    notes.clear();
    try { await work(); } catch (error) { notes.fail(error); }
  };

  async function load(message) {
    const path = `${BASE}/runs/${encodeURIComponent(id)}`;
    const [run, results, marked, runs] = await Promise.all([
      api(path),
      listAll(`${path}/results`, { cursor: (result) => `${result.item_id}#${result.repeat}` }).then((page) => page.data),
      baselines(),
      listAll(`${BASE}/runs`).then((page) => page.data),
    ]);
    if (stopped) return;
    figures.dispose();
    const summary = summarise(results);
    const charts = scoreCharts(summary, "Mean scores").map(figures.add);
    const baseline = baselineOf(run, marked);
    const others = runs.filter((other) => other.id !== run.id && other.spec.dataset === run.spec.dataset);
    const otherSelect = el("select", { name: "other" }, runOptions(others, baseline && baseline.run_id));
    const compareForm = others.length
      ? el("form", { class: "inline-form", id: "compare-other-form" }, field("Compare with run", otherSelect), el("button", { type: "submit" }, "Compare"))
      : el("p", { class: "hint" }, `No other run of ${run.spec.dataset} to compare with yet.`);
    if (others.length) compareForm.addEventListener("submit", (event) => {
      event.preventDefault();
      if (otherSelect.value) location.hash = hashFor("evaluations", "compare", otherSelect.value, run.id);
    });
    const progress = el("progress", { id: "run-progress", max: String(run.total || 1), value: String(run.done) });
    const versions = run.versions;
    keepingFocus(body, () => body.replaceChildren(
      section("The run",
        el("div", { class: "progress" }, el("label", { for: progress.id }, "Answers"), progress,
          el("span", { id: "run-progress-text" }, `${formatNumber(run.done)} of ${formatNumber(run.total)}`), runBadge(run.status),
          baseline && baseline.run_id === run.id ? el("span", { class: "badge good baseline-mark" }, `the baseline of ${baseline.dataset} for ${baseline.flow}`) : ""),
        run.error ? el("p", { class: "notice bad" }, run.error) : null,
        facts([
          ["Dataset", `${run.spec.dataset} version ${run.spec.dataset_version}`],
          ["Flow", `${run.spec.flow}: ${describeFlow(versions.flow)}`],
          ["Repeats, concurrency", `${run.spec.repeats}, ${run.spec.concurrency}`],
          run.spec.model ? ["Model for every llm node", run.spec.model] : null,
          run.spec.groups.length ? ["Retrieval as groups", run.spec.groups.join(", ")] : null,
          ["Prompts used", versions.prompts.length ? el("ul", { class: "tags" }, versions.prompts.map((use) => el("li", {}, artifact(use)))) : "—"],
          ["Models, deployments", `${versions.models.join(", ") || "—"}; ${versions.deployments.join(", ") || "—"}`],
          ["Index", `${formatNumber(versions.index_documents)} documents, ${formatNumber(versions.index_chunks)} chunks`],
          ["Configuration", el("code", { title: versions.configuration_digest }, `${versions.configuration_digest.slice(0, 16)}…`)],
          ["Tokens, cost", `${formatNumber(run.prompt_tokens)} in, ${formatNumber(run.completion_tokens)} out; ${formatDollars(run.cost_usd)}`],
          ["Started", [formatTime(run.created_at), ` by ${run.created_by}`]],
          run.finished_at ? ["Finished", formatTime(run.finished_at)] : null,
          run.spec.note ? ["Note", run.spec.note] : null,
        ]),
        runActions(run, marked, { hashFor, act, after: load, compact: false }),
        compareForm),
      section("Scores", ...[chartsNotice()].filter(Boolean), ...charts,
        table("Every metric: the mean over items of each item's mean over repeats", [
          { label: "Metric", value: (metric) => metric.name, rowHeader: true },
          { label: "Mean", value: (metric) => formatValue(metric.name, metric.mean), numeric: true },
          { label: "Items scored", value: (metric) => metric.items, numeric: true },
          { label: "Answers it does not apply to", value: (metric) => metric.notApplicable, numeric: true },
          { label: "Answers it could not score", value: (metric) => metric.missing, numeric: true },
          { label: "Why", value: (metric) => metric.reasons.size
            ? el("ul", { class: "plain" }, [...metric.reasons].map(([reason, count]) => el("li", {}, `${count}× ${reason}`))) : "" },
        ], summary, { className: "metric-table", empty: run.status === "running" ? "No answers yet." : "No scores." })),
      section("Answers", table(`The run's ${results.length} answers`, [
        { label: "Item", value: (result) => el("code", { class: "id" }, result.item_id), rowHeader: true },
        { label: "Repeat", value: (result) => result.repeat + 1, numeric: true },
        { label: "Status", value: (result) => result.error_code ? `${result.status} (${result.error_code})` : result.status },
        { label: "Answer", value: (result) => el("p", { class: "answer-text" }, result.answer.length > 300 ? `${result.answer.slice(0, 300)}…` : result.answer) },
        { label: "Scores", value: (result) => scoreDetails(result) },
        { label: "Latency", value: (result) => `${result.latency_ms.toFixed(0)} ms`, numeric: true },
        { label: "Tokens", value: (result) => formatNumber(result.prompt_tokens + result.completion_tokens), numeric: true },
        { label: "Trace", value: (result) => result.trace_id ? el("a", { href: hashFor("traces", result.trace_id) }, "trace") : "—" },
      ], results, { empty: "No answers yet." }))));
    if (message) notes.say(message);
    else notes.say(run.status === "running" ? `Running: ${run.done} of ${run.total} answers.` : `The run is ${run.status.replace("_", " ")}: ${run.done} of ${run.total} answers.`);
    clearTimeout(timer);
    if (run.status === "running" && !stopped) timer = setTimeout(() => { load().catch((error) => notes.fail(error)); }, REFRESH_MS);
  }

  try { await load(); } catch (error) { notes.fail(error); }
  return stop;
}

// ---- Two runs compared -----------------------------------------------------------------------------------------

function signed(value, name) {
  if (value === undefined || value === null) return "—";
  const text = formatValue(name, Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : text;
}

/// "better", "worse" or "same" by the metric's direction, and whether the difference is significant (p < 0.05).
function verdict(metric) {
  if (metric.delta === null || metric.delta === undefined || metric.delta === 0) return { text: "no change", badge: "" };
  const better = metric.direction === "lower" ? metric.delta < 0 : metric.delta > 0;
  const significant = typeof metric.p_value === "number" && metric.p_value < 0.05;
  return { text: `${better ? "better" : "worse"}${significant ? " (p < 0.05)" : ""}`, badge: significant ? (better ? "good" : "bad") : "warn" };
}

async function renderCompare(root, baselineId, candidateId, { hashFor, signal }) {
  const notes = messages();
  root.append(heading("Compare two runs"), ...notes.nodes,
    el("p", {}, el("a", { href: hashFor("evaluations") }, "All datasets and runs")));
  const body = el("div", { id: "comparison" });
  const baselineSelect = el("select", { name: "baseline", required: true });
  const candidateSelect = el("select", { name: "candidate", required: true });
  const form = el("form", { class: "inline-form", id: "compare-form" }, field("Baseline run", baselineSelect), field("Candidate run", candidateSelect),
    el("button", { type: "submit", class: "primary" }, "Compare"));
  root.append(section("Runs", form), body);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    location.hash = hashFor("evaluations", "compare", baselineSelect.value, candidateSelect.value);
  });
  const figures = figureSet(signal);

  try {
    const { data: runs } = await listAll(`${BASE}/runs`);
    baselineSelect.append(...runOptions(runs, baselineId));
    candidateSelect.append(...runOptions(runs, candidateId));
  } catch (error) { notes.fail(error); return; }
  if (!baselineId || !candidateId) { notes.say("Choose two runs of the same dataset to compare."); return; }

  let comparison;
  try {
    comparison = await api(`${BASE}/compare`, { query: { baseline: baselineId, candidate: candidateId } });
  } catch (error) { notes.fail(error); return; }
  if (signal.aborted) return;
  const metrics = comparison.metrics;
  const judged = metrics.filter((metric) => metric.judge);
  const agreement = (value) => typeof value === "number" ? value.toFixed(2) : "—";
  const shown = (scale) => metrics.filter((metric) => metricScale(metric.name, [...metric.baseline_values, ...metric.candidate_values]) === scale
    && (metric.baseline_mean !== null || metric.candidate_mean !== null));
  const means = (scale, title, range) => {
    const rows = shown(scale);
    if (!rows.length) return null;
    const made = figure({ id: `compare-${scale}`, title, yTitle: "mean over items",
      traces: [
        { type: "bar", name: `baseline ${comparison.baseline.id}`, x: rows.map((metric) => metric.name), y: rows.map((metric) => metric.baseline_mean) },
        { type: "bar", name: `candidate ${comparison.candidate.id}`, x: rows.map((metric) => metric.name), y: rows.map((metric) => metric.candidate_mean) },
      ],
      layout: { yaxis: { range }, margin: { l: 60, r: 20, t: 36, b: 90 }, legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" } },
      columns: [
        { label: "Metric", value: (metric) => metric.name, rowHeader: true },
        { label: "Baseline", value: (metric) => formatValue(metric.name, metric.baseline_mean), numeric: true },
        { label: "Candidate", value: (metric) => formatValue(metric.name, metric.candidate_mean), numeric: true },
      ], rows });
    return figures.add(made);
  };
  const summary = (run) => facts([
    ["Run", el("a", { href: hashFor("evaluations", "runs", run.id) }, run.id)],
    ["Dataset", run.dataset], ["Flow", run.flow],
    ["Prompts", run.prompts.length ? el("ul", { class: "tags" }, run.prompts.map((prompt) => el("li", {}, prompt))) : "—"],
    ["Items, repeats", `${run.items}, ${run.repeats}`], ["Status", runBadge(run.status)], ["Cost", formatDollars(run.cost_usd)],
  ]);
  body.replaceChildren(
    comparison.warnings.length
      ? el("div", { class: "notice bad", id: "compare-warnings", role: "note" }, el("p", {}, el("strong", {}, "Read this first:")),
        el("ul", {}, comparison.warnings.map((warning) => el("li", {}, warning))))
      : null,
    el("div", { class: "split" }, section("Baseline", summary(comparison.baseline)), section("Candidate", summary(comparison.candidate))),
    section("Means", ...[chartsNotice()].filter(Boolean),
      means("ratio", "Baseline and candidate: metrics from 0 to 1", [0, 1.05]),
      means("judge", "Baseline and candidate: judges' scores from 1 to 5", [0, 5.2])),
    section("Every metric", el("p", { class: "hint" },
      `Paired over the items both runs scored: the candidate minus the baseline, a 95% bootstrap interval (${formatNumber(comparison.bootstrap_resamples)} resamples) and a permutation p-value.`),
    table("Every metric compared", [
      { label: "Metric", value: (metric) => metric.name, rowHeader: true },
      { label: "Baseline", value: (metric) => formatValue(metric.name, metric.baseline_mean), numeric: true },
      { label: "Candidate", value: (metric) => formatValue(metric.name, metric.candidate_mean), numeric: true },
      { label: "Difference", value: (metric) => signed(metric.delta, metric.name), numeric: true },
      { label: "95% interval", value: (metric) => metric.interval_low === null || metric.interval_low === undefined ? "—"
        : `${signed(metric.interval_low, metric.name)} to ${signed(metric.interval_high, metric.name)}`, numeric: true },
      { label: "p-value", value: (metric) => typeof metric.p_value === "number" ? metric.p_value.toFixed(3) : "—", numeric: true },
      { label: "Pairs", value: (metric) => metric.pairs, numeric: true },
      { label: "pass^k", value: (metric) => typeof metric.baseline_pass_k === "number" || typeof metric.candidate_pass_k === "number"
        ? `${formatValue("", metric.baseline_pass_k)} → ${formatValue("", metric.candidate_pass_k)}` : "—", numeric: true },
      { label: "Verdict", value: (metric) => { const result = verdict(metric); return el("span", { class: `badge ${result.badge}`.trim() }, result.text); } },
    ], metrics, { className: "comparison-table" }),
    judged.length ? table("The judges' agreement with people's ratings on the same items", [
      { label: "Metric", value: (metric) => metric.name, rowHeader: true },
      { label: "Judge prompt", value: (metric) => metric.judge.prompt },
      { label: "Cohen's kappa (items)", value: (metric) => `${agreement(metric.judge.kappa)} (${metric.judge.kappa_items})`, numeric: true },
      { label: "Spearman's rho (items)", value: (metric) => `${agreement(metric.judge.spearman)} (${metric.judge.spearman_items})`, numeric: true },
      { label: "Spread over repeats", value: (metric) => agreement(metric.judge.repeat_standard_deviation), numeric: true },
      { label: "Flag", value: (metric) => metric.judge.flagged
        ? el("span", { class: "badge bad" }, `FLAGGED: below ${metric.judge.minimum_agreement}`) : "agrees enough, or too few ratings to tell" },
    ], judged, { className: "judges-table" }) : null),
    section("Regressions", table("Items that got worse, worst first", [
      { label: "Item", value: (regression) => el("code", { class: "id" }, regression.item_id), rowHeader: true },
      { label: "Question", value: (regression) => regression.question },
      { label: "Metric", value: (regression) => regression.metric },
      { label: "Baseline", value: (regression) => formatValue(regression.metric, regression.baseline), numeric: true },
      { label: "Candidate", value: (regression) => formatValue(regression.metric, regression.candidate), numeric: true },
    ], comparison.regressions, { empty: "No item got worse." })));
  notes.say(`Compared ${comparison.candidate.id} with ${comparison.baseline.id} over ${comparison.items.length} items.`);
}

