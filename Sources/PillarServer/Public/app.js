// Pillar's chat page: plain JavaScript, no build step. The API key stays in sessionStorage (gone when the
// tab closes) and is sent as a bearer token to the same OpenAI-compatible API that SDKs use.
"use strict";

const keyInput = document.getElementById("api-key");
const modelSelect = document.getElementById("model");
const messagesList = document.getElementById("messages");
const errorBox = document.getElementById("error");
const promptInput = document.getElementById("prompt");
const sendButton = document.getElementById("send");
const history = [];

function apiKey() { return sessionStorage.getItem("pillar.apiKey") || ""; }

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
  if (!apiKey()) return;
  const response = await fetch("/v1/models", { headers: { Authorization: `Bearer ${apiKey()}` } });
  if (!response.ok) { showError(await errorMessage(response)); return; }
  showError("");
  const body = await response.json();
  for (const model of body.data) {
    const option = document.createElement("option");
    option.value = option.textContent = model.id;
    modelSelect.append(option);
  }
}

function addMessage(role, text) {
  const item = document.createElement("li");
  item.className = role;
  item.textContent = text;
  messagesList.append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

async function send(text) {
  showError("");
  history.push({ role: "user", content: text });
  addMessage("user", text);
  const reply = addMessage("assistant", "");
  sendButton.disabled = true;
  try {
    const response = await fetch("/v1/chat/completions", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey()}` },
      body: JSON.stringify({ model: modelSelect.value, messages: history, stream: true }),
    });
    if (!response.ok) throw new Error(await errorMessage(response));
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let finished = false;
    while (!finished) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let boundary;
      while ((boundary = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        const data = event.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
        if (!data) continue;
        if (data === "[DONE]") { finished = true; break; }
        const chunk = JSON.parse(data);
        if (chunk.error) throw new Error(`The answer stopped: ${chunk.error.message} (${chunk.error.code})`);
        for (const choice of chunk.choices || []) reply.textContent += choice.delta.content || "";
      }
    }
    if (!finished) throw new Error("The connection closed before the answer was complete.");
    history.push({ role: "assistant", content: reply.textContent });
  } catch (error) {
    reply.classList.add("failed");
    history.pop();
    showError(error.message);
  } finally {
    sendButton.disabled = false;
  }
}

document.getElementById("key-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem("pillar.apiKey", keyInput.value.trim());
  keyInput.value = "";
  loadModels();
});

document.getElementById("chat-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = promptInput.value.trim();
  if (!text) return;
  if (!apiKey()) { showError("Paste an API key first."); return; }
  promptInput.value = "";
  send(text);
});

promptInput.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    document.getElementById("chat-form").requestSubmit();
  }
});

loadModels();
