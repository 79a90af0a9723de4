// The gateway's deployments, live: state, requests in flight, circuit breaker, the upstream's quota left.
// GET /v1/admin/gateway (platform admins), every few seconds while this screen is open.

import { api } from "../api.js";
import { el, formatNumber, heading, messages, section, table } from "../ui.js";

const REFRESH_MS = 3000;

const BREAKER = {
  closed: { text: "closed (healthy)", badge: "good" },
  half_open: { text: "half open (probing)", badge: "warn" },
  open: { text: "open (cut off)", badge: "bad" },
};

function state(deployment) {
  if (deployment.breaker === "open") return "unavailable";
  if (deployment.max_in_flight && deployment.in_flight >= deployment.max_in_flight) return "at capacity";
  if (deployment.breaker === "half_open") return "recovering";
  return deployment.in_flight > 0 ? "serving" : "idle";
}

export default {
  id: "gateway",
  title: "Gateway",
  access: "platform",
  async render(root, { signal }) {
    const notes = messages();
    const updated = el("p", { class: "hint", id: "gateway-updated" }, "Not loaded yet.");
    const pause = el("button", { type: "button", id: "gateway-pause", "aria-pressed": "false" }, "Pause updates");
    const slot = el("div", { id: "gateway-table" });
    root.append(heading("Gateway"), ...notes.nodes,
      el("p", { class: "lede" }, `Every deployment of the shared gateway, refreshed every ${REFRESH_MS / 1000} seconds while this screen is open.`),
      el("div", { class: "toolbar" }, pause, updated),
      section("Deployments", slot));

    let paused = false;
    let timer = null;
    let stopped = false;
    let breakers = new Map();

    async function refresh() {
      if (stopped) return;
      if (!paused && !document.hidden) {
        try {
          const body = await api("/v1/admin/gateway");
          if (stopped) return;
          notes.alert.hidden = true;
          const changes = [];
          for (const deployment of body.deployments) {
            const before = breakers.get(deployment.name);
            if (before && before !== deployment.breaker) changes.push(`${deployment.name}: breaker ${deployment.breaker.replace("_", " ")}`);
          }
          breakers = new Map(body.deployments.map((deployment) => [deployment.name, deployment.breaker]));
          if (changes.length) notes.say(changes.join("; "));
          slot.replaceChildren(table("Deployments and their live state", [
            { label: "Deployment", value: (d) => d.name, rowHeader: true },
            { label: "Models", value: (d) => d.models.join(", ") },
            { label: "State", value: (d) => state(d) },
            { label: "In flight", value: (d) => d.max_in_flight ? `${d.in_flight} of ${d.max_in_flight}` : `${d.in_flight} (no limit)`, numeric: true },
            { label: "Breaker", value: (d) => { const b = BREAKER[d.breaker] || { text: d.breaker, badge: "" }; return el("span", { class: `badge ${b.badge}`, dataset: { breaker: d.breaker } }, b.text); } },
            { label: "Requests left (upstream quota)", value: (d) => d.remaining_requests ?? "not reported", numeric: true },
            { label: "Tokens left (upstream quota)", value: (d) => d.remaining_tokens === undefined ? "not reported" : formatNumber(d.remaining_tokens), numeric: true },
            { label: "Priority", value: (d) => d.priority, numeric: true },
            { label: "Weight", value: (d) => d.weight, numeric: true },
          ], body.deployments, { empty: "No deployments." }));
          updated.textContent = `Updated ${new Date().toLocaleTimeString("en-GB")}.`;
          updated.dataset.refreshes = String(Number(updated.dataset.refreshes || 0) + 1);
        } catch (error) {
          notes.fail(error);
        }
      }
      if (!stopped) timer = setTimeout(refresh, REFRESH_MS);
    }

    pause.addEventListener("click", () => {
      paused = !paused;
      pause.setAttribute("aria-pressed", String(paused));
      pause.textContent = paused ? "Resume updates" : "Pause updates";
      notes.say(paused ? "Updates paused." : "Updates resumed.");
    });

    const stop = () => { stopped = true; clearTimeout(timer); };
    signal.addEventListener("abort", stop, { once: true });
    await refresh();
    return stop;
  },
};
