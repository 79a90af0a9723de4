// API keys of the caller's tenant: list, create (the secret shown once), revoke.
// GET /v1/admin/keys · POST /v1/admin/keys {name, role} → 201 {key, secret} · DELETE /v1/admin/keys/{id} → 204

import { api, listAll } from "../api.js";
import { confirmAction, copyText, el, field, formatTime, heading, messages, section, table } from "../ui.js";

export default {
  id: "keys",
  title: "API keys",
  access: "admin",
  async render(root, { caller }) {
    const notes = messages();
    const nameInput = el("input", { type: "text", name: "name", required: true, maxlength: "100", autocomplete: "off" });
    const roleSelect = el("select", { name: "role" }, el("option", { value: "user" }, "user"), el("option", { value: "admin" }, "admin"));
    const createButton = el("button", { type: "submit", class: "primary" }, "Create key");
    const form = el("form", { class: "inline-form", id: "create-key-form" },
      field("Name", nameInput), field("Role", roleSelect), createButton);
    const secretSlot = el("div", { id: "secret-slot" });
    const listSlot = el("div", { id: "key-list" });
    root.append(heading("API keys"), ...notes.nodes,
      el("p", { class: "lede" }, `Keys of tenant ${caller.tenant || "(yours)"}. A key's secret is shown once, when it is created.`),
      section("Create a key", form, secretSlot),
      section("Keys", listSlot));

    async function load() {
      try {
        const { data } = await listAll("/v1/admin/keys");
        listSlot.replaceChildren(table("The tenant's API keys", [
          { label: "Name", value: (key) => key.name, rowHeader: true },
          { label: "Id", value: (key) => el("code", {}, key.id) },
          { label: "Role", value: (key) => key.role },
          { label: "Starts with", value: (key) => el("code", {}, key.prefix) },
          { label: "Created", value: (key) => formatTime(key.created_at) },
          { label: "Last used", value: (key) => key.last_used_at ? formatTime(key.last_used_at) : "never" },
          { label: "State", value: (key) => key.revoked_at ? el("span", { class: "badge bad" }, "revoked ", formatTime(key.revoked_at)) : el("span", { class: "badge good" }, "active") },
          { label: "Actions", value: (key) => actions(key) },
        ], data, { empty: "No keys." }));
      } catch (error) { notes.fail(error); }
    }

    function actions(key) {
      if (key.revoked_at) return "";
      if (caller.subject && caller.subject === key.id) return el("span", { class: "hint" }, "this key (revoke it with another)");
      return el("button", { type: "button", class: "danger revoke", dataset: { id: key.id }, "aria-label": `Revoke ${key.name} (${key.id})`,
        on: { click: () => revoke(key) } }, "Revoke");
    }

    async function revoke(key) {
      const sure = await confirmAction({
        title: `Revoke “${key.name}”?`,
        message: `Every request with key ${key.id} will be refused from now on. This cannot be undone.`,
        confirmLabel: "Revoke key",
      });
      if (!sure) return;
      notes.clear();
      try {
        await api(`/v1/admin/keys/${encodeURIComponent(key.id)}`, { method: "DELETE" });
        notes.say(`Revoked ${key.name} (${key.id}).`);
        await load();
      } catch (error) { notes.fail(error); }
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      notes.clear();
      createButton.disabled = true;
      try {
        const created = await api("/v1/admin/keys", { method: "POST", body: { name: nameInput.value.trim(), role: roleSelect.value } });
        showSecret(created);
        form.reset();
        notes.say(`Created ${created.key.name} (${created.key.id}, role ${created.key.role}).`);
        await load();
      } catch (error) { notes.fail(error); } finally { createButton.disabled = false; }
    });

    function showSecret(created) {
      const secret = el("code", { id: "new-secret", class: "secret" }, created.secret);
      const copyStatus = el("span", { role: "status", class: "status" });
      const copyButton = el("button", { type: "button", id: "copy-secret", on: { click: async () => {
        copyStatus.textContent = (await copyText(created.secret)) ? "Copied." : "Copying failed: select the key and copy it yourself.";
      } } }, "Copy");
      const dismiss = el("button", { type: "button", id: "dismiss-secret", on: { click: () => { box.remove(); nameInput.focus(); } } }, "I have stored it");
      const box = el("div", { class: "secret-box", role: "region", "aria-label": "The new key's secret", tabindex: "-1" },
        el("p", { class: "warning" }, el("strong", {}, "Store this key now: it will not be shown again. "),
          `Key ${created.key.name} (${created.key.id}):`),
        el("p", {}, secret),
        el("div", { class: "actions" }, copyButton, dismiss, copyStatus));
      secretSlot.replaceChildren(box);
      box.focus();
    }

    await load();
  },
};
