// Pillar's chat page: plain JavaScript, no build step. A person either signs in through the identity provider
// (the server keeps the session in an HttpOnly cookie, and every request that changes something carries the
// session's CSRF token) or pastes an API key, which stays in sessionStorage (gone when the tab closes) and is sent
// as a bearer token to the same API that SDKs use. A pasted key wins over a session.
//
// Two modes, chosen by the model picker:
// - a plain model (e.g. `gpt-4o-mini`): `/v1/chat/completions`, streamed, history kept in this page;
// - a flow (an id starting with `pillar:`, e.g. `pillar:rag`): Pillar's own `/v1/chat`, with conversations kept by
//   the server and listed in the sidebar, answers with citations of the passages they rest on.
// Everything the model or a document says is untrusted: it reaches the page through textContent and DOM nodes only.
"use strict";

const FLOW_PREFIX = "pillar:";

const keyInput = document.getElementById("api-key");
const modelSelect = document.getElementById("model");
const messagesList = document.getElementById("messages");
const errorBox = document.getElementById("error");
const promptInput = document.getElementById("prompt");
const sendButton = document.getElementById("send");
const sidebar = document.getElementById("conversations");
const conversationList = document.getElementById("conversation-list");
const noConversations = document.getElementById("no-conversations");
const newChatButton = document.getElementById("new-chat");
const citationPanel = document.getElementById("citation-panel");
const citationTitle = document.getElementById("citation-title");
const citationSource = document.getElementById("citation-source");
const citationText = document.getElementById("citation-text");
const closeCitationButton = document.getElementById("close-citation");
const samplesBox = document.getElementById("samples");
const samplesText = document.getElementById("samples-text");
const loadSamplesButton = document.getElementById("load-samples");
const signInLink = document.getElementById("sign-in");
const signedInAs = document.getElementById("signed-in-as");
const signOutButton = document.getElementById("sign-out");

/// The plain models' conversation, kept in the page.
const turns = [];
/// The flow conversation on screen, or null for a new one.
let conversationId = null;
/// Bumped whenever the chat on screen is replaced; a stream or load that started before stops touching the page.
let chatEpoch = 0;
let streaming = null; // the AbortController of the answer being streamed
let lastMode = null;
let citationOpener = null;

/// What `GET /auth/session` said: `{signed_in, sign_in_url, csrf_token, principal}`.
let session = { signed_in: false, sign_in_url: null };

function apiKey() { return sessionStorage.getItem("pillar.apiKey") || ""; }
function hasCredentials() { return Boolean(apiKey() || session.signed_in); }
function authHeaders(extra) {
  const headers = apiKey() ? { Authorization: `Bearer ${apiKey()}` } : { "X-CSRF-Token": session.csrf_token || "" };
  return Object.assign(headers, extra || {});
}
function isFlow(modelId) { return typeof modelId === "string" && modelId.startsWith(FLOW_PREFIX); }
function flowName(modelId) { return modelId.slice(FLOW_PREFIX.length); }
function modeOf(modelId) { return isFlow(modelId) ? `flow:${modelId}` : "plain"; }
function hasFlows() { return [...modelSelect.options].some((option) => isFlow(option.value)); }

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = !message;
}

async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body.error) return `${body.error.message} (${body.error.code}, HTTP ${response.status})`;
  } catch (_) { /* not JSON */ }
  return `The server answered HTTP ${response.status}.`;
}

async function loadModels() {
  modelSelect.replaceChildren();
  if (!hasCredentials()) { updateSidebar(); return; }
  const response = await fetch("/v1/models", { headers: authHeaders() });
  if (!response.ok) { showError(await errorMessage(response)); updateSidebar(); return; }
  showError("");
  const body = await response.json();
  // Models that only embed cannot answer a chat message.
  for (const model of body.data.filter((model) => !model.capabilities || model.capabilities.includes("chat"))) {
    const option = document.createElement("option");
    option.value = option.textContent = model.id;
    modelSelect.append(option);
  }
  // The picker starts again at the first id: a different kind of chat than the one on screen starts afresh.
  if (lastMode !== null && modeOf(modelSelect.value) !== lastMode && (messagesList.children.length || conversationId)) clearChat();
  lastMode = modeOf(modelSelect.value);
  updateSidebar();
  if (hasFlows()) await loadConversations();
  await offerSamples();
}

// ---- Sample documents: a grounded answer one click away -------------------------------------------------------

/// When the tenant has no documents and the server has samples, offers to load them. Only admins may (the
/// document routes answer others 403, and then nothing is offered).
async function offerSamples() {
  samplesBox.hidden = true;
  delete samplesBox.dataset.checked;
  try {
    if (!hasCredentials() || !hasFlows()) return;
    const documents = await fetch("/v1/documents?limit=1", { headers: authHeaders() });
    if (!documents.ok || (await documents.json()).data.length > 0) return;
    const samples = await fetch("/v1/documents/samples", { headers: authHeaders() });
    if (!samples.ok || !(await samples.json()).available) return;
    samplesBox.hidden = false;
  } catch (_) {
    /* the offer is a convenience: without it the page works as before */
  } finally {
    samplesBox.dataset.checked = "true"; // the check is done, whatever it found
  }
}

loadSamplesButton.addEventListener("click", async () => {
  loadSamplesButton.disabled = true;
  samplesText.textContent = "Loading and indexing the documents; with the embedded embedding model this takes a minute or two…";
  try {
    const response = await fetch("/v1/documents/samples", { method: "POST", headers: authHeaders() });
    if (!response.ok) throw new Error(await errorMessage(response));
    const loaded = await response.json();
    const grounded = [...modelSelect.options].find((option) => isFlow(option.value));
    if (grounded && !isFlow(modelSelect.value)) {
      modelSelect.value = grounded.value;
      modelSelect.dispatchEvent(new Event("change"));
    }
    samplesText.textContent = `Loaded ${loaded.documents} documents about Pillar. Ask, for example: ` +
      "“How does Pillar keep budgets exact?”";
    loadSamplesButton.hidden = true;
    promptInput.focus();
  } catch (error) {
    samplesText.textContent = `The samples could not be loaded: ${error.message}`;
    loadSamplesButton.disabled = false;
  }
});

// ---- Reading a server-sent event stream -------------------------------------------------------------------

/// Calls `onEvent(name, data)` for each event of the stream (name "message" when the event has none). Returns
/// when the stream ends or `onEvent` returns true (the answer is complete).
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return false;
    buffer = (buffer + decoder.decode(value, { stream: true })).replace(/\r\n/g, "\n");
    let boundary;
    while ((boundary = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      if (!data.length) continue;
      if (onEvent(name, data.join("\n"))) {
        reader.cancel().catch(() => {});
        return true;
      }
    }
  }
}

// ---- Messages -----------------------------------------------------------------------------------------------

function addMessage(role, text) {
  const item = document.createElement("li");
  item.className = role;
  item.textContent = text;
  messagesList.append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

/// An assistant message of a flow: the answer's text, then (once complete) the sources it cites.
function addFlowReply() {
  const item = document.createElement("li");
  item.className = "assistant flow";
  const answer = document.createElement("div");
  answer.className = "answer";
  item.append(answer);
  messagesList.append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

/// Renders `text` into `item`: each `[n]` whose n is one of `citations` becomes a button that opens the passage,
/// other brackets stay as written. Then lists the cited sources below; when the answer cites none, the passages
/// retrieval `found` instead, marked as not cited (a small model often writes no markers).
function renderAnswer(item, text, citations, found = []) {
  const byMarker = new Map();
  for (const citation of citations || []) {
    if (citation && Number.isInteger(citation.marker) && !byMarker.has(citation.marker)) byMarker.set(citation.marker, citation);
  }
  const answer = item.querySelector(".answer");
  answer.replaceChildren();
  const pattern = /\[(\d+(?:\s*,\s*\d+)*)\]/g;
  let position = 0;
  let match;
  while ((match = pattern.exec(text)) !== null) {
    const markers = match[1].split(",").map((part) => Number(part.trim()));
    if (!markers.every((marker) => byMarker.has(marker))) continue; // not a citation: stays plain text
    if (match.index > position) answer.append(text.slice(position, match.index));
    for (const marker of markers) answer.append(citationButton(byMarker.get(marker)));
    position = match.index + match[0].length;
  }
  if (position < text.length) answer.append(text.slice(position));

  item.querySelector(".sources")?.remove();
  item.querySelector(".sources-note")?.remove();
  const uncited = new Map();
  if (!byMarker.size) {
    for (const source of found || []) {
      if (source && Number.isInteger(source.marker) && !uncited.has(source.marker)) uncited.set(source.marker, source);
    }
  }
  const listed = byMarker.size ? byMarker : uncited;
  if (listed.size) {
    const sources = document.createElement("ol");
    sources.className = byMarker.size ? "sources" : "sources uncited";
    sources.setAttribute("aria-label", byMarker.size ? "Sources" : "Passages found, not cited by the answer");
    if (!byMarker.size) {
      const note = document.createElement("p");
      note.className = "sources-note";
      note.textContent = "The answer cites no passage. These are the passages it was given:";
      item.append(note);
    }
    for (const marker of [...listed.keys()].sort((a, b) => a - b)) {
      const citation = listed.get(marker);
      const entry = document.createElement("li");
      entry.value = marker;
      const link = document.createElement("button");
      link.type = "button";
      link.className = "source";
      link.textContent = citation.title || citation.source_uri || "Untitled source";
      link.addEventListener("click", () => openCitation(citation, link));
      entry.append(link);
      sources.append(entry);
    }
    item.append(sources);
  }
}

function citationButton(citation) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "citation";
  button.dataset.marker = String(citation.marker);
  button.textContent = `[${citation.marker}]`;
  button.setAttribute("aria-label", `Source ${citation.marker}: ${citation.title || citation.source_uri || "untitled"}`);
  button.addEventListener("click", () => openCitation(citation, button));
  return button;
}

function openCitation(citation, opener) {
  citationTitle.textContent = citation.title || citation.source_uri || "Untitled source";
  const where = [citation.source_uri, ...(Array.isArray(citation.heading_path) ? citation.heading_path : [])]
    .filter((part) => part);
  citationSource.textContent = where.join(" › ");
  citationSource.hidden = !where.length;
  citationText.textContent = citation.text || "";
  citationPanel.hidden = false;
  document.body.classList.add("panel-open");
  citationOpener = opener || null;
  closeCitationButton.focus();
}

function closeCitation() {
  if (citationPanel.hidden) return;
  citationPanel.hidden = true;
  document.body.classList.remove("panel-open");
  if (citationOpener && citationOpener.isConnected) citationOpener.focus();
  citationOpener = null;
}

function clearChat() {
  chatEpoch += 1;
  if (streaming) { streaming.abort(); streaming = null; }
  turns.length = 0;
  conversationId = null;
  messagesList.replaceChildren();
  closeCitation();
  showError("");
  sendButton.disabled = false;
  markCurrentConversation();
}

// ---- Plain models: /v1/chat/completions ---------------------------------------------------------------------

async function sendToModel(text) {
  turns.push({ role: "user", content: text });
  addMessage("user", text);
  const reply = addMessage("assistant", "");
  const epoch = chatEpoch;
  streaming = new AbortController();
  sendButton.disabled = true;
  try {
    const response = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: authHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify({ model: modelSelect.value, messages: turns, stream: true }),
      signal: streaming.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const finished = await readEvents(response, (_name, data) => {
      if (data === "[DONE]") return true;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(`The answer stopped: ${chunk.error.message} (${chunk.error.code})`);
      for (const choice of chunk.choices || []) reply.textContent += (choice.delta && choice.delta.content) || "";
      return false;
    });
    if (!finished) throw new Error("The connection closed before the answer was complete.");
    turns.push({ role: "assistant", content: reply.textContent });
  } catch (error) {
    if (epoch !== chatEpoch) return; // this chat was replaced
    reply.classList.add("failed");
    turns.pop();
    showError(error.message);
  } finally {
    if (epoch === chatEpoch) { streaming = null; sendButton.disabled = false; }
  }
}

// ---- Flows: /v1/chat with server-side conversations ----------------------------------------------------------

async function sendToFlow(text) {
  addMessage("user", text);
  const reply = addFlowReply();
  const answer = reply.querySelector(".answer");
  const epoch = chatEpoch;
  const startedIn = conversationId;
  let found = [];
  streaming = new AbortController();
  sendButton.disabled = true;
  const body = { message: text, flow: flowName(modelSelect.value), stream: true };
  if (conversationId) body.conversation_id = conversationId;
  try {
    const response = await fetch("/v1/chat", {
      method: "POST",
      headers: authHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify(body),
      signal: streaming.signal,
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const finished = await readEvents(response, (name, data) => {
      if (epoch !== chatEpoch) return true;
      const event = JSON.parse(data);
      switch (name) {
      case "context":
        if (event.conversation_id) conversationId = event.conversation_id;
        if (event.trace_id) reply.dataset.traceId = event.trace_id;
        found = Array.isArray(event.sources) ? event.sources : [];
        return false;
      case "delta":
        answer.append(event.content || "");
        return false;
      case "done":
        if (event.conversation_id) conversationId = event.conversation_id;
        if (event.trace_id) reply.dataset.traceId = event.trace_id;
        renderAnswer(reply, typeof event.answer === "string" ? event.answer : answer.textContent, event.citations, found);
        if (event.grounded === false) reply.classList.add("ungrounded");
        reply.scrollIntoView({ block: "end" });
        return true;
      case "error": {
        const problem = event.error || {};
        throw new Error(`The answer stopped: ${problem.message || "unknown error"} (${problem.code || "error"})`);
      }
      default:
        return false; // events this page does not know are ignored
      }
    });
    if (!finished) throw new Error("The connection closed before the answer was complete.");
  } catch (error) {
    if (epoch !== chatEpoch) return; // this chat was replaced
    reply.classList.add("failed");
    showError(error.message);
  } finally {
    if (epoch === chatEpoch) {
      streaming = null;
      sendButton.disabled = false;
      // A new conversation now has a title and a place in the list; an old one moves to the top.
      if (conversationId || startedIn) loadConversations();
    }
  }
}

// ---- The conversation sidebar --------------------------------------------------------------------------------

function updateSidebar() {
  sidebar.hidden = !(hasCredentials() && hasFlows());
  document.body.classList.toggle("has-sidebar", !sidebar.hidden);
}

async function loadConversations() {
  if (!hasCredentials() || !hasFlows()) return;
  let body;
  try {
    const response = await fetch("/v1/conversations", { headers: authHeaders() });
    if (!response.ok) { showError(await errorMessage(response)); return; }
    body = await response.json();
  } catch (error) {
    showError(`The conversations could not be loaded: ${error.message}`);
    return;
  }
  const conversations = Array.isArray(body.data) ? body.data : [];
  conversationList.replaceChildren(...conversations.map(conversationEntry));
  noConversations.hidden = conversations.length > 0;
  markCurrentConversation();
}

function conversationEntry(conversation) {
  const title = conversation.title || "Untitled conversation";
  const item = document.createElement("li");
  item.dataset.id = conversation.id;

  const open = document.createElement("button");
  open.type = "button";
  open.className = "conversation";
  open.textContent = title;
  open.title = title;
  open.addEventListener("click", () => openConversation(conversation.id, conversation.flow));

  const rename = document.createElement("button");
  rename.type = "button";
  rename.className = "rename";
  rename.textContent = "✎";
  rename.title = "Rename";
  rename.setAttribute("aria-label", `Rename “${title}”`);
  rename.addEventListener("click", () => renameConversation(conversation.id, title));

  const remove = document.createElement("button");
  remove.type = "button";
  remove.className = "delete";
  remove.textContent = "×";
  remove.title = "Delete";
  remove.setAttribute("aria-label", `Delete “${title}”`);
  remove.addEventListener("click", () => deleteConversation(conversation.id, title));

  item.append(open, rename, remove);
  return item;
}

function markCurrentConversation() {
  for (const item of conversationList.children) {
    const current = item.dataset.id === conversationId;
    item.classList.toggle("current", current);
    const button = item.querySelector(".conversation");
    if (current) button.setAttribute("aria-current", "true"); else button.removeAttribute("aria-current");
  }
}

/// Shows a stored conversation. The picker moves to its flow (or, when the conversation does not say, to the
/// flow already chosen or the first one) so that the next message continues it.
async function openConversation(id, flow) {
  const wanted = flow ? FLOW_PREFIX + flow : (isFlow(modelSelect.value) ? modelSelect.value : null);
  const option = [...modelSelect.options].find((candidate) => wanted ? candidate.value === wanted : isFlow(candidate.value));
  if (option) { modelSelect.value = option.value; lastMode = modeOf(option.value); }
  clearChat();
  const epoch = chatEpoch;
  conversationId = id;
  markCurrentConversation();
  let conversation;
  try {
    const response = await fetch(`/v1/conversations/${encodeURIComponent(id)}`, { headers: authHeaders() });
    if (!response.ok) throw new Error(await errorMessage(response));
    conversation = await response.json();
  } catch (error) {
    if (epoch === chatEpoch) showError(error.message);
    return;
  }
  if (epoch !== chatEpoch) return;
  for (const message of conversation.messages || []) {
    if (message.role === "assistant") {
      const reply = addFlowReply();
      if (message.trace_id) reply.dataset.traceId = message.trace_id;
      renderAnswer(reply, message.content || "", message.citations);
    } else {
      addMessage("user", message.content || "");
    }
  }
  promptInput.focus();
}

async function renameConversation(id, oldTitle) {
  const entered = prompt("New title for this conversation:", oldTitle);
  if (entered === null) return;
  const title = entered.trim();
  if (!title || title === oldTitle) return;
  try {
    const response = await fetch(`/v1/conversations/${encodeURIComponent(id)}`, {
      method: "PATCH",
      headers: authHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify({ title }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    showError("");
  } catch (error) {
    showError(`The conversation could not be renamed: ${error.message}`);
  }
  await loadConversations();
}

async function deleteConversation(id, title) {
  if (!confirm(`Delete the conversation “${title}”? This cannot be undone.`)) return;
  try {
    const response = await fetch(`/v1/conversations/${encodeURIComponent(id)}`, { method: "DELETE", headers: authHeaders() });
    if (!response.ok && response.status !== 404) throw new Error(await errorMessage(response));
    showError("");
    if (id === conversationId) clearChat();
  } catch (error) {
    showError(`The conversation could not be deleted: ${error.message}`);
  }
  await loadConversations();
}

// ---- Signing in ----------------------------------------------------------------------------------------------

/// Asks the server who is signed in and shows it: a sign-in link when sign-in is configured and nobody is, the
/// person and a sign-out button when someone is.
async function loadSession() {
  try {
    const response = await fetch("/auth/session", { headers: { Accept: "application/json" } });
    session = response.ok ? await response.json() : { signed_in: false, sign_in_url: null };
  } catch (_) {
    session = { signed_in: false, sign_in_url: null };
  }
  const signedIn = Boolean(session.signed_in);
  signInLink.hidden = signedIn || !session.sign_in_url;
  if (session.sign_in_url) signInLink.href = `${session.sign_in_url}?return_to=${encodeURIComponent(location.pathname)}`;
  signedInAs.hidden = signOutButton.hidden = !signedIn;
  signedInAs.textContent = signedIn ? `Signed in as ${session.principal.subject.split(":").pop()} (${session.principal.tenant})` : "";
}

signOutButton.addEventListener("click", async () => {
  signOutButton.disabled = true;
  try {
    const response = await fetch("/auth/sign-out", { method: "POST", headers: { "X-CSRF-Token": session.csrf_token || "" } });
    if (!response.ok) throw new Error(await errorMessage(response));
    const body = await response.json();
    if (body.end_session_url) { location.assign(body.end_session_url); return; }
    await loadSession();
    clearChat();
    await loadModels();
  } catch (error) {
    showError(`Signing out failed: ${error.message}`);
  } finally {
    signOutButton.disabled = false;
  }
});

// ---- Wiring ----------------------------------------------------------------------------------------------------

document.getElementById("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("pillar.apiKey", keyInput.value.trim());
  keyInput.value = "";
  // Another key may be another tenant: its conversations are not this one's.
  if (conversationId || isFlow(modelSelect.value)) clearChat();
  conversationList.replaceChildren();
  loadModels();
});

// Switching between plain models keeps the page's history, as before; switching between a model and a flow (or
// between flows) starts a new chat, since the two keep their conversations in different places.
modelSelect.addEventListener("change", () => {
  const mode = modeOf(modelSelect.value);
  if (lastMode !== null && mode !== lastMode && (messagesList.children.length || conversationId)) clearChat();
  lastMode = mode;
});

newChatButton.addEventListener("click", () => {
  clearChat();
  promptInput.focus();
});

document.getElementById("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = promptInput.value.trim();
  if (!text) return;
  if (!hasCredentials()) { showError(session.sign_in_url ? "Sign in or paste an API key first." : "Paste an API key first."); return; }
  if (sendButton.disabled) return; // an answer is still coming
  promptInput.value = "";
  showError("");
  if (isFlow(modelSelect.value)) sendToFlow(text); else sendToModel(text);
});

promptInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    document.getElementById("chat-form").requestSubmit();
  }
});

closeCitationButton.addEventListener("click", closeCitation);
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape" && !citationPanel.hidden) closeCitation();
});

loadSession().then(loadModels);
