// Data protection: erase one user's data in the tenant, after typing the user's id again.
// POST /v1/admin/subjects/{subject}/erasure → RemovalCounts

import { api } from "../api.js";
import { confirmAction, el, field, heading, messages, section, table } from "../ui.js";

const COUNTS = [
  ["conversations", "Conversations removed"], ["messages", "Messages removed"], ["traces", "Answer traces removed"],
  ["feedback", "Ratings removed"], ["evaluation_items", "Evaluation items removed"], ["turns_anonymised", "Usage records anonymised"],
];

export default {
  id: "privacy",
  title: "Data protection",
  access: "admin",
  async render(root) {
    const notes = messages();
    const subjectInput = el("input", { type: "text", name: "subject", required: true, maxlength: "512", autocomplete: "off", spellcheck: "false" });
    const eraseButton = el("button", { type: "submit", class: "danger" }, "Erase this user's data");
    const form = el("form", { id: "erase-form", class: "stacked-form" },
      field("User (subject)", subjectInput, "As Pillar names them: an API key's id (key_…) or oidc:<issuer>:<sub>."),
      eraseButton);
    const result = el("div", { id: "erasure-result" });
    root.append(heading("Data protection"), ...notes.nodes,
      section("Erase a user's data",
        el("p", {}, "Removes the user's conversations, answer traces, ratings and evaluation items in this tenant, and anonymises their usage records. " +
          "The audit log keeps the erasure under a fingerprint of the user, not their id. This cannot be undone."),
        form, result));

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      notes.clear();
      const subject = subjectInput.value.trim();
      if (!subject) return;
      const sure = await confirmAction({
        title: "Erase this user's data?",
        message: `Everything Pillar keeps about ${subject} in this tenant will be removed. This cannot be undone.`,
        confirmLabel: "Erase", typed: subject,
      });
      if (!sure) return;
      eraseButton.disabled = true;
      try {
        const counts = await api(`/v1/admin/subjects/${encodeURIComponent(subject)}/erasure`, { method: "POST" });
        result.replaceChildren(table(`What the erasure of ${subject} removed`, [
          { label: "What", value: ([, label]) => label, rowHeader: true },
          { label: "Count", value: ([key]) => counts[key] ?? 0, numeric: true },
        ], COUNTS));
        const total = COUNTS.reduce((sum, [key]) => sum + (counts[key] || 0), 0);
        notes.say(total ? `Erased the data of ${subject}.` : `Done: Pillar kept nothing about ${subject} in this tenant.`);
        form.reset();
      } catch (error) { notes.fail(error); } finally { eraseButton.disabled = false; }
    });
  },
};
