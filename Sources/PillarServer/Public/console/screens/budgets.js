// The tenant's limits and budgets with what is left: the tenant's own, each key's that has limits of its own, and
// the evaluation runs', as the admission control counts them at this moment (settled use, what requests in flight
// hold, what is left, and when each resets).
// GET /v1/admin/budgets · GET /v1/admin/keys (key names)

import { api, listAll } from "../api.js";
import { chartsNotice, figure, figureSet } from "../charts.js";
import { el, formatDollars, formatNumber, formatTime, heading, messages, section, table } from "../ui.js";

const NAMES = {
  requests_per_minute: "Requests per minute",
  tokens_per_minute: "Tokens per minute",
  tokens_per_day: "Tokens per UTC day",
  tokens_per_month: "Tokens per UTC month",
  cost_per_day_usd: "Dollars per UTC day",
  cost_per_month_usd: "Dollars per UTC month",
};

function amount(line, value) {
  return line.unit === "usd" ? formatDollars(value) : formatNumber(Math.round(value));
}

function share(line) { return line.limit > 0 ? Math.min(1, (line.used + line.reserved) / line.limit) : 1; }

/// A bar a person can read without the chart: a native meter, labelled with the share spent.
function meter(line) {
  const spent = share(line);
  return el("span", { class: "meter-cell" },
    el("meter", { min: "0", max: "1", low: "0.75", high: "0.9", optimum: "0", value: String(spent),
      "aria-label": `${NAMES[line.name] || line.name}: ${(spent * 100).toFixed(1)}% spent` }),
    el("span", {}, ` ${(spent * 100).toFixed(1)}%`));
}

export default {
  id: "budgets",
  title: "Budgets and limits",
  access: "admin",
  async render(root, { signal }) {
    const notes = messages();
    const refresh = el("button", { type: "button", id: "budgets-refresh" }, "Refresh");
    const body = el("div", { id: "budgets-body" });
    root.append(heading("Budgets and limits"), ...notes.nodes, ...[chartsNotice()].filter(Boolean),
      el("p", { class: "lede" }, "What each limit allows, what is spent, what requests in flight hold, and what is left. " +
        "Requests past a limit are refused with 429 and Retry-After before any model is called."),
      el("div", { class: "toolbar" }, refresh), body);

    const figures = figureSet(signal);

    async function load() {
      notes.clear();
      figures.dispose();
      try {
        const [answer, keyList] = await Promise.all([
          api("/v1/admin/budgets"),
          listAll("/v1/admin/keys").catch(() => ({ data: [] })),
        ]);
        if (signal.aborted) return;
        const keyNames = new Map(keyList.data.map((key) => [key.id, key.name]));
        const title = (standing) => {
          if (standing.scope === "tenant") return "The tenant";
          if (standing.scope === "evaluation") return "Evaluation runs";
          return keyNames.has(standing.key) ? `Key ${keyNames.get(standing.key)} (${standing.key})` : `Key ${standing.key}`;
        };
        if (!answer.data.length) {
          body.replaceChildren(el("p", { class: "notice", id: "budgets-none" },
            "No limits apply to this tenant: set `limits` (and `evaluation.budgets`) in the configuration to cap requests, tokens or dollars."));
          return;
        }
        const sections = answer.data.map((standing) => {
          const chart = figures.add(figure({
            title: `${title(standing)}: share of each limit spent or held`, yTitle: "share of the limit",
            traces: [
              { type: "bar", name: "spent", x: standing.lines.map((line) => NAMES[line.name] || line.name),
                y: standing.lines.map((line) => line.limit > 0 ? line.used / line.limit : 0) },
              { type: "bar", name: "held by requests in flight", x: standing.lines.map((line) => NAMES[line.name] || line.name),
                y: standing.lines.map((line) => line.limit > 0 ? line.reserved / line.limit : 0) },
            ], stacked: true,
            columns: [
              { label: "Limit", value: (line) => NAMES[line.name] || line.name, rowHeader: true },
              { label: "Allowed", value: (line) => amount(line, line.limit), numeric: true },
              { label: "Used", value: (line) => amount(line, line.used), numeric: true },
              { label: "In flight", value: (line) => amount(line, line.reserved), numeric: true },
              { label: "Left", value: (line) => amount(line, line.remaining), numeric: true },
              { label: "Spent", value: meter },
              { label: "Resets", value: (line) => formatTime(line.resets_at) },
            ], rows: standing.lines,
          }));
          const node = section(title(standing), chart);
          node.dataset.scope = standing.scope;
          if (standing.key) node.dataset.key = standing.key;
          return node;
        });
        body.replaceChildren(...sections,
          el("p", { class: "hint" }, `A request without max_tokens may answer up to ${formatNumber(answer.default_completion_tokens)} ` +
            "tokens, or what a budget has left if that is less."));
        notes.say(answer.data.length === 1 ? "1 scope with limits." : `${answer.data.length} scopes with limits.`);
      } catch (error) { notes.fail(error); }
    }

    refresh.addEventListener("click", load);
    await load();
    return figures.dispose;
  },
};
