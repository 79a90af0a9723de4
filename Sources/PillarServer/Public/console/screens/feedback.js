// Ratings of answers, newest first, with the conversation where its user agreed to share it.
// GET /v1/admin/feedback?limit&after

import { api } from "../api.js";
import { el, field, formatTime, heading, messages, section, table } from "../ui.js";

const PAGE = 50;

function conversationView(record) {
  if (!record.conversation || !record.conversation.length) return "not shared";
  const list = el("ol", { class: "conversation" }, record.conversation.map((message) =>
    el("li", { class: `message ${message.role === "user" ? "user" : "assistant"}` },
      el("span", { class: "role" }, message.role === "user" ? "User: " : "Assistant: "),
      el("span", { class: "content" }, message.content))));
  return el("details", { class: "shared-conversation" },
    el("summary", {}, `${record.conversation.length} messages shared`), list);
}

export default {
  id: "feedback",
  title: "Feedback",
  access: "admin",
  async render(root) {
    const notes = messages();
    const onlyShared = el("input", { type: "checkbox", name: "only_shared" });
    const filter = el("div", { class: "field checkbox" }, onlyShared, el("label", { for: (onlyShared.id = "only-shared") }, "Only feedback with a shared conversation"));
    const slot = el("div", { id: "feedback-list" });
    const more = el("button", { type: "button", hidden: true }, "Show older feedback");
    root.append(heading("Feedback"), ...notes.nodes,
      el("p", { class: "lede" }, "Ratings people gave answers. A conversation appears only when its user agreed to share conversations (PUT /v1/me/consent)."),
      section("Feedback", filter, slot, more));

    let records = [];
    let after = null;
    function render() {
      const rows = onlyShared.checked ? records.filter((record) => record.conversation && record.conversation.length) : records;
      slot.replaceChildren(table("Feedback, newest first", [
        { label: "When", value: (record) => formatTime(record.created_at) },
        { label: "Rating", value: (record) => el("span", { class: record.rating <= 2 ? "badge bad" : record.rating >= 4 ? "badge good" : "badge" }, `${record.rating} of 5`) },
        { label: "User", value: (record) => el("code", {}, record.subject) },
        { label: "Comment", value: (record) => record.comment || "" },
        { label: "Answer (trace)", value: (record) => el("code", {}, record.trace_id) },
        { label: "Conversation", value: conversationView },
      ], rows, { empty: onlyShared.checked ? "No feedback with a shared conversation." : "No feedback yet." }));
    }
    async function load() {
      try {
        const page = await api("/v1/admin/feedback", { query: { limit: PAGE, after } });
        records.push(...page.data);
        if (page.data.length) after = page.data[page.data.length - 1].id;
        more.hidden = !page.has_more;
        render();
        notes.say(`${records.length} ratings shown.`);
      } catch (error) { notes.fail(error); }
    }
    onlyShared.addEventListener("change", render);
    more.addEventListener("click", load);
    records = [];
    await load();
  },
};
