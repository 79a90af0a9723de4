// The Pillar operator console: a hash router over one module per screen, a nav of the screens the caller's
// role may use, and the sign-in and sign-out of either credential (a pasted API key, or the browser session).

import { ApiError, apiKey, setApiKey, clearApiKey, credentialMode, session, signOutSession, whoAmI } from "./api.js";
import { describeError, el } from "./ui.js";
import overview from "./screens/overview.js";
import budgets from "./screens/budgets.js";
import traces from "./screens/traces.js";
import keys from "./screens/keys.js";
import gateway from "./screens/gateway.js";
import metrics from "./screens/metrics.js";
import documents from "./screens/documents.js";
import library from "./screens/library.js";
import evaluations from "./screens/evaluations.js";
import monitors from "./screens/monitors.js";
import feedback from "./screens/feedback.js";
import audit from "./screens/audit.js";
import privacy from "./screens/privacy.js";
import account from "./screens/account.js";

/// In nav order. `access`: "everyone", "admin" (the tenant's admins) or "platform" (admins of tenant `default`).
const SCREENS = [overview, traces, budgets, keys, documents, library, evaluations, monitors, feedback, audit, privacy, gateway, metrics, account];

const app = document.getElementById("app");
const navList = document.getElementById("nav-list");
const screenRoot = document.getElementById("screen");
const whoami = document.getElementById("whoami");
const signOutButton = document.getElementById("sign-out");
const signInPanel = document.getElementById("sign-in");
const signInText = document.getElementById("sign-in-text");
const signInLink = document.getElementById("sign-in-link");
const signInError = document.getElementById("sign-in-error");
const keyForm = document.getElementById("key-form");
const keyInput = document.getElementById("api-key");
const bootStatus = document.getElementById("boot-status");

let caller = null;
let current = null; // {screen, cleanup, controller}

export function mayUse(screen, who) {
  if (!who) return false;
  switch (screen.access) {
    case "everyone": return true;
    case "admin": return who.isAdmin;
    case "platform": return who.isPlatformAdmin;
    default: return false;
  }
}

function parseHash() {
  const path = location.hash.replace(/^#\/?/, "");
  const [id = "", ...rest] = path.split("/").map((part) => { try { return decodeURIComponent(part); } catch (_) { return part; } });
  return { id, params: rest.filter((part) => part !== "") };
}

/// `#/id/param…`, each part encoded.
export function hashFor(id, ...params) {
  return "#/" + [id, ...params].map((part) => encodeURIComponent(part)).join("/");
}

function defaultScreen() {
  return SCREENS.find((screen) => screen.id !== "account" && mayUse(screen, caller)) || account;
}

function renderNav(activeId) {
  navList.replaceChildren(...SCREENS.filter((screen) => mayUse(screen, caller)).map((screen) => {
    const link = el("a", { href: hashFor(screen.id), dataset: { screen: screen.id } }, screen.title);
    if (screen.id === activeId) link.setAttribute("aria-current", "page");
    return el("li", {}, link);
  }));
}

function stopCurrent() {
  if (!current) return;
  current.controller.abort();
  try { if (typeof current.cleanup === "function") current.cleanup(); } catch (_) { /* the screen is gone anyway */ }
  current = null;
}

async function route() {
  if (!caller) return;
  const { id, params } = parseHash();
  let screen = SCREENS.find((candidate) => candidate.id === id);
  if (!id) screen = defaultScreen();
  stopCurrent();
  renderNav(screen ? screen.id : null);
  screenRoot.replaceChildren();
  document.title = `${screen ? screen.title : "Not found"} · Pillar console`;
  if (!screen || !mayUse(screen, caller)) {
    const heading = el("h1", { tabindex: "-1", id: "screen-heading" }, screen ? `${screen.title} is not available` : "No such screen");
    screenRoot.append(heading,
      el("p", {}, screen ? `This screen needs the ${screen.access === "platform" ? "platform admin" : "admin"} role, which you do not have.`
        : "The address names no screen of the console."),
      el("p", {}, el("a", { href: hashFor(defaultScreen().id) }, "Go to the console's first screen")));
    heading.focus();
    return;
  }
  const controller = new AbortController();
  current = { screen, cleanup: null, controller };
  const context = { caller, params, signal: controller.signal, hashFor, navigate: (hash) => { location.hash = hash; } };
  const pending = screen.render(screenRoot, context);
  // The heading exists as soon as render starts: focus moves there on every navigation.
  const heading = screenRoot.querySelector("h1");
  if (heading) heading.focus();
  try {
    const cleanup = await pending;
    if (current && current.controller === controller) current.cleanup = cleanup;
    else if (typeof cleanup === "function") cleanup();
  } catch (error) {
    screenRoot.append(el("p", { role: "alert", class: "error" }, describeError(error)));
  }
}

function describeCaller(who) {
  const role = who.isPlatformAdmin ? "platform admin" : who.isAdmin ? "admin" : "user";
  const parts = [];
  if (who.subject) parts.push(who.subject);
  if (who.tenant) parts.push(`tenant ${who.tenant}`);
  parts.push(role);
  parts.push(credentialMode() === "key" ? "API key" : "session");
  return `Signed in: ${parts.join(" · ")}`;
}

function showSignIn(state, error) {
  caller = null;
  stopCurrent();
  app.hidden = true;
  whoami.hidden = true;
  signOutButton.hidden = true;
  signInPanel.hidden = false;
  bootStatus.textContent = "";
  if (state && state.sign_in_url) {
    signInLink.href = `${state.sign_in_url}?return_to=${encodeURIComponent("/console/")}`;
    signInLink.hidden = false;
    signInText.textContent = "Sign in with your organisation's account, or paste an API key.";
  } else {
    signInLink.hidden = true;
    signInText.textContent = state && state.available === false
      ? "This server offers no browser sign-in. Paste an API key to use the console."
      : "Paste an API key to use the console.";
  }
  signInError.textContent = error ? describeError(error) : "";
  signInError.hidden = !error;
  document.title = "Sign in · Pillar console";
  document.getElementById("sign-in-heading").focus();
}

/// `reason`: the refusal that ended the visit (a session that expired mid-visit), shown on the sign-in panel.
async function start(reason) {
  caller = null;
  bootStatus.textContent = "Loading the console…";
  let state = null;
  if (!apiKey()) {
    try {
      state = await session();
    } catch (error) {
      showSignIn({ available: false }, error);
      return;
    }
    if (!state.signed_in) { showSignIn(state, reason); return; }
  }
  try {
    caller = await whoAmI();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      // A refused key is dropped so that another can be pasted; a refused session shows its sign-in again.
      if (credentialMode() === "key") clearApiKey();
      let fresh = state;
      if (!fresh) { try { fresh = await session(); } catch (_) { fresh = { available: false }; } }
      showSignIn(fresh, error);
    } else {
      showSignIn(state || { available: false }, error);
    }
    return;
  }
  signInPanel.hidden = true;
  app.hidden = false;
  whoami.textContent = describeCaller(caller);
  whoami.hidden = false;
  signOutButton.hidden = false;
  bootStatus.textContent = "";
  await route();
}

keyForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) return;
  setApiKey(key);
  keyInput.value = "";
  start();
});

signOutButton.addEventListener("click", async () => {
  if (credentialMode() === "key") {
    // Without the key the browser session (if there is one) is what is left; start shows which.
    clearApiKey();
    start();
    return;
  }
  signOutButton.disabled = true;
  try {
    const body = await signOutSession();
    location.assign((body && body.end_session_url) || "/console/");
  } catch (error) {
    signOutButton.disabled = false;
    bootStatus.textContent = `Signing out failed: ${describeError(error)}`;
  }
});

window.addEventListener("hashchange", () => { route(); });
// Only once signed in: while `start` asks who the caller is, it handles a refusal itself.
window.addEventListener("pillar:unauthorized", (event) => { if (caller) start(event.detail); });
start();
