// DOM helpers shared by the screens. Text from the server (names, sources, comments, diffs) is untrusted: it
// reaches the page only as text nodes and attribute values set through the DOM, never as HTML.

import { ApiError } from "./api.js";

/// `el("button", {type: "button", class: "x", dataset: {id}, on: {click}}, "text", child…)`.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name === "on") for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
    else if (name === "text") node.textContent = value;
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let idCounter = 0;
export function uniqueId(prefix) { idCounter += 1; return `${prefix}-${idCounter}`; }

/// A labelled field: `field("Name", el("input", {...}))` answers `{wrapper, input}` with `for`/`id` tied.
export function field(labelText, input, hint) {
  if (!input.id) input.id = uniqueId("field");
  const children = [el("label", { for: input.id }, labelText), input];
  if (hint) {
    const hintNode = el("span", { class: "hint", id: `${input.id}-hint` }, hint);
    input.setAttribute("aria-describedby", hintNode.id);
    children.push(hintNode);
  }
  return el("div", { class: "field" }, children);
}

/// The screen's heading: focus moves to it when the screen opens (tabindex -1 makes it focusable by script only).
export function heading(text) { return el("h1", { tabindex: "-1", id: "screen-heading" }, text); }

/// A live region pair for a section: `status` (polite) for results, `alert` (assertive) for errors.
export function messages() {
  const status = el("p", { role: "status", class: "status" });
  const alert = el("p", { role: "alert", class: "error", hidden: true });
  return {
    nodes: [status, alert],
    status,
    alert,
    say(text) { status.textContent = text; },
    fail(error) {
      alert.textContent = describeError(error);
      alert.hidden = false;
    },
    clear() { status.textContent = ""; alert.textContent = ""; alert.hidden = true; },
  };
}

export function describeError(error) {
  if (error instanceof ApiError) return error.describe();
  return `Something went wrong in the console: ${error && error.message ? error.message : error}`;
}

/// A table of `rows`: `columns` are `{label, value(row) -> string|Node, numeric?}`. `caption` names it.
export function table(caption, columns, rows, { empty = "Nothing to show.", className = "" } = {}) {
  const head = el("tr", {}, columns.map((column) => el("th", { scope: "col", class: column.numeric ? "num" : null }, column.label)));
  const body = el("tbody");
  for (const row of rows) {
    body.append(el("tr", {}, columns.map((column, index) => {
      const value = column.value(row);
      const cell = index === 0 && column.rowHeader ? el("th", { scope: "row" }) : el("td");
      if (column.numeric) cell.className = "num";
      append(cell, [value === undefined || value === null ? "" : value]);
      return cell;
    })));
  }
  const wrapper = el("div", { class: `table-wrap ${className}`.trim() },
    el("table", {}, el("caption", {}, caption), el("thead", {}, head), body));
  if (!rows.length) wrapper.append(el("p", { class: "empty" }, empty));
  return wrapper;
}

const numberFormat = new Intl.NumberFormat("en");
const dollarFormat = new Intl.NumberFormat("en", { style: "currency", currency: "USD", minimumFractionDigits: 2, maximumFractionDigits: 6 });

export function formatNumber(value) { return value === undefined || value === null ? "—" : numberFormat.format(value); }
export function formatDollars(value) { return value === undefined || value === null ? "—" : dollarFormat.format(value); }

/// Seconds since 1970 as a local date and time (the API's timestamps).
export function formatTime(seconds) {
  if (seconds === undefined || seconds === null) return "—";
  const date = new Date(seconds * 1000);
  return el("time", { datetime: date.toISOString() }, date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" }));
}

export function formatBytes(bytes) {
  if (bytes === undefined || bytes === null) return "—";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/// Asks a yes/no question in a modal dialog; answers true when confirmed. `typed`: text the person must type
/// exactly before the confirm button works.
export function confirmAction({ title, message, confirmLabel = "Confirm", danger = true, typed = null }) {
  return new Promise((resolve) => {
    const titleId = uniqueId("dialog-title");
    const confirmButton = el("button", { type: "submit", class: danger ? "danger" : "primary", value: "confirm" }, confirmLabel);
    const cancelButton = el("button", { type: "button", value: "cancel" }, "Cancel");
    const form = el("form", { method: "dialog" }, el("h2", { id: titleId }, title), el("p", {}, message));
    let typedInput = null;
    if (typed !== null) {
      typedInput = el("input", { type: "text", autocomplete: "off", spellcheck: "false", class: "confirm-typed" });
      form.append(field(`Type “${typed}” to confirm`, typedInput));
      confirmButton.disabled = true;
      typedInput.addEventListener("input", () => { confirmButton.disabled = typedInput.value !== typed; });
    }
    form.append(el("div", { class: "actions" }, cancelButton, confirmButton));
    const dialog = el("dialog", { "aria-labelledby": titleId, class: "confirm" }, form);
    const opener = document.activeElement;
    let confirmed = false;
    form.addEventListener("submit", (event) => {
      if (typedInput && typedInput.value !== typed) { event.preventDefault(); return; }
      confirmed = true;
    });
    cancelButton.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      if (opener && opener.isConnected) opener.focus();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    (typedInput || cancelButton).focus();
  });
}

/// Copies `text` to the clipboard: the Clipboard API where the page may use it, else a selected textarea.
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(text); return true; } catch (_) { /* fall back */ }
  }
  const area = el("textarea", { class: "offscreen", readonly: true });
  area.value = text;
  document.body.append(area);
  area.select();
  let copied = false;
  try { copied = document.execCommand("copy"); } catch (_) { copied = false; }
  area.remove();
  return copied;
}

/// A `<section>` with an `<h2>`: the screens' building block.
export function section(title, ...children) {
  const id = uniqueId("section");
  return el("section", { "aria-labelledby": id, class: "card" }, el("h2", { id }, title), children);
}

/// Runs `render` (which replaces what `container` holds) and gives focus back to the same control when it had it:
/// a screen that refreshes itself must not take the focus from someone using the keyboard. The control is found
/// again by its id, else by its tag, classes, data attributes and link target.
export function keepingFocus(container, render) {
  const active = document.activeElement;
  let selector = null;
  if (active && active !== container && container.contains(active)) {
    if (active.id) {
      selector = `#${CSS.escape(active.id)}`;
    } else {
      const classes = [...active.classList].map((name) => `.${CSS.escape(name)}`).join("");
      const data = [...active.attributes].filter((attribute) => attribute.name.startsWith("data-"))
        .map((attribute) => `[${attribute.name}="${CSS.escape(attribute.value)}"]`).join("");
      const href = active.getAttribute("href");
      selector = `${active.tagName.toLowerCase()}${classes}${data}${href ? `[href="${CSS.escape(href)}"]` : ""}`;
    }
  }
  const result = render();
  if (selector) {
    const again = container.querySelector(selector);
    if (again && again !== document.activeElement) again.focus();
  }
  return result;
}
