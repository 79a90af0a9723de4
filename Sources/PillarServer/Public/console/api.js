// The console's only door to the server. Every screen calls `api()` (or `upload()` for a file with progress);
// nothing else uses fetch or XMLHttpRequest.
//
// Credentials: an API key in sessionStorage (`pillar.apiKey`, the name the chat page uses too) goes as a bearer
// token. Without one, the browser's session cookie does (same-origin only), and every request that changes
// something carries the session's CSRF token (`X-CSRF-Token`, read from `GET /auth/session`).

const KEY_NAME = "pillar.apiKey";
const SAFE_METHODS = new Set(["GET", "HEAD"]);

/// An error the server answered in Pillar's (OpenAI's) format, `{"error": {"message", "type", "code", "param"}}`,
/// or a failure to reach it at all (status 0, code `network_error`).
export class ApiError extends Error {
  constructor(status, code, message, { type = null, param = null } = {}) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.type = type;
    this.param = param;
  }

  /// "message (code, HTTP status)": what the console shows; never hides the code.
  describe() {
    const where = this.status ? `HTTP ${this.status}` : "no answer";
    return `${this.message} (${this.code}, ${where})`;
  }
}

export function apiKey() { return sessionStorage.getItem(KEY_NAME) || ""; }
export function setApiKey(key) { sessionStorage.setItem(KEY_NAME, key); }
export function clearApiKey() { sessionStorage.removeItem(KEY_NAME); }

/// "key" when a key is stored, else "session" (the cookie, if there is one).
export function credentialMode() { return apiKey() ? "key" : "session"; }

let csrfToken = null;

/// `?name=value&…` with empty values left out, each part percent-encoded.
function queryString(query) {
  if (!query) return "";
  const parts = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length ? `?${parts.join("&")}` : "";
}

async function credentialHeaders(method) {
  const headers = {};
  const key = apiKey();
  if (key) {
    headers.Authorization = `Bearer ${key}`;
  } else if (!SAFE_METHODS.has(method)) {
    if (csrfToken === null) await session();
    if (csrfToken) headers["X-CSRF-Token"] = csrfToken;
  }
  return headers;
}

function errorFrom(status, body, statusText) {
  if (body && typeof body === "object" && body.error && typeof body.error === "object") {
    const error = body.error;
    return new ApiError(status, error.code || "unknown_error", error.message || `HTTP ${status}`,
      { type: error.type ?? null, param: error.param ?? null });
  }
  const text = typeof body === "string" && body.trim() ? body.trim().slice(0, 300) : (statusText || "The server gave no reason.");
  return new ApiError(status, `http_${status}`, text);
}

async function readBody(response) {
  if (response.status === 204) return null;
  const type = response.headers.get("Content-Type") || "";
  const text = await response.text();
  if (/\bjson\b/i.test(type)) {
    try { return JSON.parse(text); } catch (_) { return text; }
  }
  return text;
}

/// Calls the API: `path` from the origin's root (`/v1/admin/keys`), `query` an object of parameters (empty ones
/// left out), `body` an object (sent as JSON), a FormData or a string. Answers the parsed JSON, the text of
/// a non-JSON answer, or null for 204; throws `ApiError` for any answer that is not 2xx.
export async function api(path, { method = "GET", body, query, headers: extra } = {}) {
  method = method.toUpperCase();
  const headers = Object.assign(await credentialHeaders(method), extra || {});
  let payload;
  if (body instanceof FormData || typeof body === "string") {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path + queryString(query), { method, headers, body: payload, credentials: "same-origin" });
  } catch (error) {
    throw new ApiError(0, "network_error", `The server could not be reached: ${error.message}`);
  }
  const parsed = await readBody(response);
  if (!response.ok) {
    const error = errorFrom(response.status, parsed, response.statusText);
    // A credential that stops working mid-visit (a revoked key, an expired session): the console signs in again.
    if (response.status === 401) window.dispatchEvent(new CustomEvent("pillar:unauthorized", { detail: error }));
    throw error;
  }
  return parsed;
}

/// Every item of a cursor-paged list (`{data, has_more}`), following `after` with `cursor(item)` (the item's id
/// unless told), up to `max` items. Answers `{data, truncated}`.
export async function listAll(path, { query = {}, cursor = (item) => item.id, max = 5000 } = {}) {
  const data = [];
  let after;
  for (;;) {
    const page = await api(path, { query: Object.assign({}, query, { limit: 1000, after }) });
    data.push(...page.data);
    if (!page.has_more || page.data.length === 0) return { data, truncated: false };
    if (data.length >= max) return { data, truncated: true };
    after = cursor(page.data[page.data.length - 1]);
  }
}

/// Sends a multipart form with XMLHttpRequest, the one browser API that reports upload progress:
/// `onProgress(loaded, total)` as the bytes leave. Answers like `api()`; `signal` (an AbortSignal) cancels.
export async function upload(path, form, { method = "POST", onProgress, signal } = {}) {
  const headers = await credentialHeaders(method);
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open(method, path);
    request.withCredentials = false; // same-origin requests carry the cookie anyway
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.responseType = "text";
    if (onProgress) {
      request.upload.addEventListener("progress", (event) => {
        onProgress(event.loaded, event.lengthComputable ? event.total : 0);
      });
    }
    request.addEventListener("load", () => {
      const type = request.getResponseHeader("Content-Type") || "";
      let parsed = request.responseText;
      if (/\bjson\b/i.test(type)) {
        try { parsed = JSON.parse(request.responseText); } catch (_) { /* keep the text */ }
      }
      if (request.status >= 200 && request.status < 300) resolve(request.status === 204 ? null : parsed);
      else reject(errorFrom(request.status, parsed, request.statusText));
    });
    request.addEventListener("error", () => reject(new ApiError(0, "network_error", "The upload could not reach the server.")));
    request.addEventListener("abort", () => reject(new ApiError(0, "aborted", "The upload was cancelled.")));
    if (signal) signal.addEventListener("abort", () => request.abort(), { once: true });
    request.send(form);
  });
}

/// The browser session: `{available, signed_in, csrf_token, expires_at, principal, sign_in_url}`. A 404 means
/// this server offers no sign-in (`available: false`). Remembers the CSRF token for later requests.
export async function session() {
  let response;
  try {
    response = await fetch("/auth/session", { credentials: "same-origin", headers: { Accept: "application/json" } });
  } catch (error) {
    throw new ApiError(0, "network_error", `The server could not be reached: ${error.message}`);
  }
  if (response.status === 404) {
    csrfToken = "";
    return { available: false, signed_in: false, sign_in_url: null };
  }
  const body = await readBody(response);
  if (!response.ok) throw errorFrom(response.status, body, response.statusText);
  const state = Object.assign({ available: true, signed_in: false, sign_in_url: null }, body);
  csrfToken = state.signed_in ? state.csrf_token || "" : "";
  return state;
}

/// Ends the browser session; answers the server's reply (it may name `end_session_url`, the provider's sign-out).
export async function signOutSession() {
  return api("/auth/sign-out", { method: "POST" });
}

function describeCaller(raw, source) {
  const roles = Array.isArray(raw.roles) ? raw.roles : [];
  const isAdmin = roles.includes("admin");
  return {
    tenant: raw.tenant ?? null,
    subject: raw.subject ?? null,
    roles,
    groups: Array.isArray(raw.groups) ? raw.groups : [],
    method: raw.method ?? null,
    isAdmin,
    isPlatformAdmin: raw.isPlatformAdmin ?? (isAdmin && raw.tenant === "default"),
    source,
  };
}

/// Who the caller is: `GET /v1/me` (`{tenant, subject, roles, groups, method}`). Where that route does not exist
/// yet (404), the caller's rights are found by asking what it may read: an admin may list the tenant's keys, a
/// platform admin may read the gateway. Throws the ApiError of a refused credential (401).
export async function whoAmI() {
  try {
    return describeCaller(await api("/v1/me"), "me");
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 404) throw error;
  }
  let isAdmin = false;
  let tenant = null;
  let subject = null;
  try {
    const keys = await api("/v1/admin/keys", { query: { limit: 1000 } });
    isAdmin = true;
    tenant = keys.data.length ? keys.data[0].tenant : null;
    // A key's subject is its id; the listing gives each key's first characters.
    const key = apiKey();
    const mine = key ? keys.data.filter((record) => record.prefix && key.startsWith(record.prefix) && !record.revoked_at) : [];
    if (mine.length === 1) subject = mine[0].id;
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 403) throw error;
  }
  let isPlatformAdmin = false;
  if (isAdmin) {
    try {
      await api("/v1/admin/gateway");
      isPlatformAdmin = true;
      tenant = tenant || "default";
    } catch (error) {
      if (!(error instanceof ApiError) || error.status !== 403) throw error;
    }
  }
  return describeCaller(
    { tenant, subject, roles: isAdmin ? ["admin"] : ["user"], groups: [], method: apiKey() ? "api_key" : "session", isPlatformAdmin },
    "probe");
}
