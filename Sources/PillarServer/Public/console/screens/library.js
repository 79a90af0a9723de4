// The prompt and flow libraries: names, a name's versions and labels, the diff of two versions, pointing a label
// (one version, or a split for a canary), promoting one label to another, rolling a label back, and each label's
// canary analysis.
// GET /v1/admin/{prompts|flows} · GET …/{name} · GET …/{name}/versions/{v} · GET …/{name}/diff?from&to
// PUT …/{name}/labels/{label} {version}|{split} · POST …/{name}/labels/{label}/rollback · POST …/{name}/promote {from, to}
// GET|POST …/{name}/labels/{label}/analysis · POST …/{name}/labels/{label}/analysis/abort

import { api, ApiError, listAll } from "../api.js";
import { confirmAction, el, field, formatTime, heading, messages, section, table, uniqueId } from "../ui.js";

const KINDS = { prompts: { one: "prompt", title: "Prompts" }, flows: { one: "flow", title: "Flows" } };
const LABEL_PATTERN = /^(?![0-9]+$)[a-z0-9][a-z0-9._-]{0,31}$/;

function describeSplit(split) {
  return split.map((share) => share.weight === 100 ? `version ${share.version}` : `version ${share.version}: ${share.weight}%`).join(", ");
}

/// "3" → {version: 3}; "1:90, 2:10" → {split: [{version: 1, weight: 90}, {version: 2, weight: 10}]}.
export function parseAssignment(text) {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return { version: Number(trimmed) };
  const split = trimmed.split(",").map((part) => part.trim()).filter(Boolean).map((part) => {
    const match = /^(\d+)\s*:\s*(\d+)%?$/.exec(part);
    if (!match) throw new Error(`“${part}” is not version:weight`);
    return { version: Number(match[1]), weight: Number(match[2]) };
  });
  if (!split.length) throw new Error("Give a version, or a split such as 1:90, 2:10");
  return { split };
}

function diffView(text) {
  const pre = el("pre", { class: "diff", id: "diff-output", tabindex: "0", "aria-label": "Unified diff" });
  for (const line of text.split("\n")) {
    let kind = "same";
    if (line.startsWith("+++") || line.startsWith("---")) kind = "file";
    else if (line.startsWith("@@")) kind = "hunk";
    else if (line.startsWith("+")) kind = "added";
    else if (line.startsWith("-")) kind = "removed";
    pre.append(el("span", { class: `line ${kind}` }, line), "\n");
  }
  return pre;
}

export default {
  id: "library",
  title: "Prompts and flows",
  access: "admin",
  async render(root, { params, hashFor }) {
    const kind = KINDS[params[0]] ? params[0] : "prompts";
    const name = params[1] || null;
    const base = `/v1/admin/${kind}`;
    const notes = messages();
    const tabs = el("ul", { class: "tabs" }, Object.entries(KINDS).map(([key, info]) =>
      el("li", {}, el("a", { href: hashFor("library", key), "aria-current": key === kind && !name ? "page" : null }, info.title))));
    root.append(heading(name ? `${KINDS[kind].one === "prompt" ? "Prompt" : "Flow"} ${name}` : "Prompts and flows"),
      ...notes.nodes, el("nav", { "aria-label": "Library" }, tabs));
    if (!name) {
      await renderList(root, kind, base, notes, hashFor);
      return;
    }
    root.append(el("p", {}, el("a", { href: hashFor("library", kind) }, `All ${KINDS[kind].title.toLowerCase()}`)));
    const body = el("div", { id: "library-detail" });
    root.append(body);
    await renderDetail(body, kind, name, base, notes);
  },
};

async function renderList(root, kind, base, notes, hashFor) {
  const slot = el("div", { id: "library-list" });
  root.append(section(KINDS[kind].title, slot));
  try {
    const { data } = await listAll(base, { cursor: (entry) => entry.name });
    slot.replaceChildren(table(`The ${KINDS[kind].title.toLowerCase()} of the tenant (shipped ones included)`, [
      { label: "Name", value: (entry) => el("a", { href: hashFor("library", kind, entry.name), class: "entry" }, entry.name), rowHeader: true },
      { label: "Latest version", value: (entry) => entry.latest_version, numeric: true },
      { label: "Labels", value: (entry) => entry.labels.length
        ? el("ul", { class: "tags" }, entry.labels.map((label) => el("li", {}, `${label.label} → ${describeSplit(label.split)}`))) : "none" },
    ], data, { empty: `No ${KINDS[kind].title.toLowerCase()}.` }));
  } catch (error) { notes.fail(error); }
}

async function renderDetail(root, kind, name, base, notes) {
  const path = `${base}/${encodeURIComponent(name)}`;
  let item;
  try {
    item = await api(path);
  } catch (error) { notes.fail(error); return; }
  const versions = [...item.versions].sort((a, b) => b.version - a.version);
  const versionNumbers = versions.map((version) => version.version);
  const labelNames = item.labels.map((label) => label.label);

  const reload = async (message) => {
    root.replaceChildren();
    notes.clear();
    await renderDetail(root, kind, name, base, notes);
    if (message) notes.say(message);
  };
  const act = async (work) => {
    notes.clear();
    try { await work(); } catch (error) { notes.fail(error); }
  };

  // Labels, with rollback per label.
  const labelsTable = table(`Where the labels of ${name} point`, [
    { label: "Label", value: (label) => label.label, rowHeader: true },
    { label: "Points at", value: (label) => describeSplit(label.split) },
    { label: "Changed by", value: (label) => label.updated_by },
    { label: "Changed", value: (label) => formatTime(label.updated_at) },
    { label: "Actions", value: (label) => el("button", { type: "button", class: "rollback", dataset: { label: label.label },
      "aria-label": `Roll back ${label.label}`, on: { click: () => act(async () => {
        const sure = await confirmAction({ title: `Roll back “${label.label}”?`, message: `The label returns to where it pointed before its last change.`, confirmLabel: "Roll back", danger: false });
        if (!sure) return;
        const restored = await api(`${path}/labels/${encodeURIComponent(label.label)}/rollback`, { method: "POST" });
        await reload(`${label.label} points at ${describeSplit(restored.split)} again.`);
      }) } }, "Roll back") },
  ], item.labels, { empty: "No labels." });

  // Point a label.
  const labelInput = el("input", { type: "text", name: "label", required: true, autocomplete: "off", list: uniqueId("labels") });
  const labelList = el("datalist", { id: labelInput.getAttribute("list") }, labelNames.map((label) => el("option", { value: label })));
  const assignmentInput = el("input", { type: "text", name: "assignment", required: true, autocomplete: "off", value: String(versionNumbers[0] || "") });
  const pointForm = el("form", { class: "inline-form", id: "point-label-form" },
    field("Label", labelInput), labelList,
    field("Version or split", assignmentInput, `A version (${versionNumbers.join(", ")}), or weights that sum to 100 such as 1:90, 2:10.`),
    el("button", { type: "submit", class: "primary" }, "Point label"));
  pointForm.addEventListener("submit", (event) => { event.preventDefault(); act(async () => {
    const label = labelInput.value.trim();
    if (!LABEL_PATTERN.test(label)) throw new Error("A label is 1-32 lowercase letters, digits, . _ or -, and not only digits.");
    const updated = await api(`${path}/labels/${encodeURIComponent(label)}`, { method: "PUT", body: parseAssignment(assignmentInput.value) });
    await reload(`${label} points at ${describeSplit(updated.split)}.`);
  }); });

  // Promote.
  const fromSelect = el("select", { name: "from" }, labelNames.map((label) => el("option", { value: label }, label)));
  const toInput = el("input", { type: "text", name: "to", required: true, autocomplete: "off" });
  const promoteForm = el("form", { class: "inline-form", id: "promote-form" },
    field("From label", fromSelect), field("To label", toInput, "It takes the assignment the first label has now."),
    el("button", { type: "submit", disabled: labelNames.length === 0 }, "Promote"));
  promoteForm.addEventListener("submit", (event) => { event.preventDefault(); act(async () => {
    const promoted = await api(`${path}/promote`, { method: "POST", body: { from: fromSelect.value, to: toInput.value.trim() } });
    await reload(`${promoted.label} now points at ${describeSplit(promoted.split)}.`);
  }); });

  // Versions, each readable.
  const versionBody = el("div", { id: "version-body" });
  const versionsTable = table(`Versions of ${name}, newest first`, [
    { label: "Version", value: (version) => version.version, rowHeader: true, numeric: true },
    { label: "Note", value: (version) => version.note || "" },
    { label: "Saved by", value: (version) => version.created_by },
    { label: "Saved", value: (version) => formatTime(version.created_at) },
    { label: "Actions", value: (version) => el("button", { type: "button", class: "view-version", "aria-label": `Show version ${version.version}`,
      on: { click: () => act(async () => {
        const full = await api(`${path}/versions/${version.version}`);
        versionBody.replaceChildren(el("h3", {}, `Version ${full.version}`),
          el("pre", { class: "code", tabindex: "0", "aria-label": `Version ${full.version} as saved` }, prettyBody(full.body)));
      }) } }, "Show") },
  ], versions);

  // Diff.
  const options = () => versionNumbers.map((number) => el("option", { value: String(number) }, `version ${number}`));
  const diffFrom = el("select", { name: "from" }, options());
  const diffTo = el("select", { name: "to" }, options());
  if (versionNumbers.length > 1) diffFrom.value = String(versionNumbers[1]);
  const diffSlot = el("div", { id: "diff-slot" });
  const diffForm = el("form", { class: "inline-form", id: "diff-form" }, field("From", diffFrom), field("To", diffTo),
    el("button", { type: "submit" }, "Show diff"));
  diffForm.addEventListener("submit", (event) => { event.preventDefault(); act(async () => {
    const result = await api(`${path}/diff`, { query: { from: diffFrom.value, to: diffTo.value } });
    diffSlot.replaceChildren(result.diff.trim() ? diffView(result.diff) : el("p", {}, "The two versions are the same."));
  }); });

  const analysisSlot = el("div", { id: "analysis-slot" });
  root.append(
    section("Labels", labelsTable),
    section("Point a label", pointForm),
    section("Promote", promoteForm),
    section("Versions", versionsTable, versionBody),
    section("Compare two versions", diffForm, diffSlot),
    section("Canary analysis", analysisSlot));
  await renderAnalyses(analysisSlot, path, item.labels, versionNumbers, act, reload);
}

function prettyBody(body) {
  if (!body) return "";
  try { return JSON.stringify(JSON.parse(body), null, 2); } catch (_) { return body; }
}

async function renderAnalyses(slot, path, labels, versionNumbers, act, reload) {
  if (!labels.length) { slot.append(el("p", {}, "A canary analysis runs on a label; this has none.")); return; }
  for (const label of labels) {
    const analysisPath = `${path}/labels/${encodeURIComponent(label.label)}/analysis`;
    const box = el("div", { class: "analysis", dataset: { label: label.label } }, el("h3", {}, `Label ${label.label}`));
    slot.append(box);
    let analysis = null;
    try {
      analysis = await api(analysisPath);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) { box.append(el("p", { class: "error" }, error.describe ? error.describe() : String(error))); continue; }
    }
    if (analysis) {
      box.append(el("dl", { class: "facts" },
        el("dt", {}, "Status"), el("dd", { class: "analysis-status" }, analysis.status.replace("_", " ")),
        el("dt", {}, "Candidate"), el("dd", {}, `version ${analysis.candidate_version} at ${analysis.weight}% (step ${analysis.step} of ${analysis.spec.steps.length})`),
        el("dt", {}, "Stable"), el("dd", {}, `version ${analysis.stable_version}`),
        el("dt", {}, "Failed checks"), el("dd", {}, `${analysis.failures} of at most ${analysis.spec.failure_limit}`),
        el("dt", {}, "Started"), el("dd", {}, analysis.started_by, ", ", formatTime(analysis.created_at))));
      box.append(table(`Decisions of the analysis on ${label.label}, newest last`, [
        { label: "When", value: (decision) => formatTime(decision.at) },
        { label: "Action", value: (decision) => decision.action },
        { label: "Weight", value: (decision) => `${decision.from_weight}% → ${decision.to_weight}%` },
        { label: "Reason", value: (decision) => decision.reason },
      ], analysis.decisions || [], { empty: "No decisions yet." }));
      if (analysis.status === "running" || analysis.status === "paused") {
        box.append(el("button", { type: "button", class: "danger abort-analysis", on: { click: () => act(async () => {
          const sure = await confirmAction({ title: `Abort the analysis on “${label.label}”?`, message: "The label goes back to the stable version.", confirmLabel: "Abort analysis" });
          if (!sure) return;
          const aborted = await api(`${analysisPath}/abort`, { method: "POST" });
          await reload(`The analysis on ${label.label} is ${aborted.status}.`);
        }) } }, "Abort analysis"));
        continue;
      }
    } else {
      box.append(el("p", {}, "No canary analysis has run on this label."));
    }
    const candidate = el("select", { name: "candidate" }, versionNumbers.map((number) => el("option", { value: String(number) }, `version ${number}`)));
    const steps = el("input", { type: "text", name: "steps", autocomplete: "off", placeholder: "default" });
    const form = el("form", { class: "inline-form start-analysis" }, field("Candidate", candidate),
      field("Steps (percent)", steps, "Optional, such as 5, 25, 50; the configured steps otherwise."),
      el("button", { type: "submit" }, "Start analysis"));
    form.addEventListener("submit", (event) => { event.preventDefault(); act(async () => {
      const body = { candidate: Number(candidate.value) };
      if (steps.value.trim()) body.steps = steps.value.split(",").map((step) => Number(step.trim()));
      const started = await api(analysisPath, { method: "POST", body });
      await reload(`A canary analysis of version ${started.candidate_version} on ${label.label} is ${started.status}.`);
    }); });
    box.append(form);
  }
}
