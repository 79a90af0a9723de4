// The caller's own things: who the console thinks they are, and whether their conversations may go with their
// ratings. GET /v1/me (when the server has it) · GET|PUT /v1/me/consent {share_conversations}

import { api } from "../api.js";
import { el, heading, messages, section } from "../ui.js";

export default {
  id: "account",
  title: "My account",
  access: "everyone",
  async render(root, { caller }) {
    const notes = messages();
    const role = caller.isPlatformAdmin ? "platform admin (admin of tenant default)" : caller.isAdmin ? "admin" : "user";
    const facts = el("dl", { class: "facts", id: "whoami-facts" },
      el("dt", {}, "Tenant"), el("dd", {}, caller.tenant || "not reported"),
      el("dt", {}, "Subject"), el("dd", {}, caller.subject || "not reported"),
      el("dt", {}, "Role"), el("dd", {}, role),
      el("dt", {}, "Groups"), el("dd", {}, caller.groups.length ? caller.groups.join(", ") : "none"),
      el("dt", {}, "Signed in with"), el("dd", {}, caller.method === "api_key" ? "an API key" : caller.method === "oidc" ? "an OpenID Connect token" : caller.method === "session" ? "a browser session" : "—"));
    const share = el("input", { type: "checkbox", id: "share-conversations", name: "share_conversations" });
    const save = el("button", { type: "submit" }, "Save");
    const form = el("form", { id: "consent-form" },
      el("div", { class: "field checkbox" }, share, el("label", { for: share.id }, "Share my conversation when I rate an answer")),
      el("p", { class: "hint" }, "With this on, a rating you give with “include the conversation” keeps the conversation for the tenant's admins to read."),
      save);
    root.append(heading("My account"), ...notes.nodes,
      section("Who you are", facts,
        caller.source === "probe" ? el("p", { class: "hint" }, "Found by asking what you may read: this server does not answer GET /v1/me yet.") : null),
      section("Sharing", form));
    if (!caller.isAdmin) {
      root.append(el("p", { class: "notice" }, "The other screens of the console (usage, keys, documents, the audit log…) need the admin role."));
    }
    try {
      const consent = await api("/v1/me/consent");
      share.checked = Boolean(consent.share_conversations);
    } catch (error) { notes.fail(error); }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      notes.clear();
      try {
        const saved = await api("/v1/me/consent", { method: "PUT", body: { share_conversations: share.checked } });
        share.checked = Boolean(saved.share_conversations);
        notes.say(saved.share_conversations ? "Your conversations go with your ratings." : "Your ratings go without your conversations.");
      } catch (error) { notes.fail(error); }
    });
  },
};
