// The tenant's grounding documents: upload (multipart, with upload progress), list with their ACL groups, delete.
// POST /v1/documents (multipart: file, source, title, format, acl) → 201|200 {document, change}
// GET /v1/documents?limit&after&source_prefix · DELETE /v1/documents/{id} → 204

import { api, upload } from "../api.js";
import { confirmAction, el, field, formatBytes, formatTime, heading, messages, section, table } from "../ui.js";

const FORMATS = ["text", "markdown", "html", "json", "jsonl", "csv", "pdf"];
const PAGE = 50;
const GROUP_PATTERN = /^[\p{L}\p{N}._:@/-]{1,256}$/u;

export default {
  id: "documents",
  title: "Documents",
  access: "admin",
  async render(root) {
    const notes = messages();

    const fileInput = el("input", { type: "file", name: "file", required: true });
    const sourceInput = el("input", { type: "text", name: "source", maxlength: "2048", autocomplete: "off" });
    const titleInput = el("input", { type: "text", name: "title", maxlength: "1000", autocomplete: "off" });
    const formatSelect = el("select", { name: "format" }, el("option", { value: "" }, "from the file's name"),
      FORMATS.map((format) => el("option", { value: format }, format)));
    const aclInput = el("input", { type: "text", name: "acl", autocomplete: "off" });
    const uploadButton = el("button", { type: "submit", class: "primary" }, "Upload");
    const cancelButton = el("button", { type: "button", hidden: true }, "Cancel upload");
    const progress = el("progress", { id: "upload-progress", max: "100", value: "0" });
    const progressText = el("span", { id: "upload-progress-text" }, "");
    const progressBox = el("div", { class: "progress", hidden: true }, el("label", { for: progress.id }, "Upload progress"), progress, progressText);
    const form = el("form", { id: "upload-form", class: "stacked-form" },
      field("File", fileInput, "Text, Markdown, HTML, JSON, JSON Lines, CSV or PDF; at most the server's body limit (4 MiB by default)."),
      field("Source", sourceInput, "Where it comes from, unique in the tenant; the file's name when empty. The same source again updates it."),
      field("Title", titleInput),
      field("Format", formatSelect),
      field("Groups that may read it", aclInput, "Comma-separated; empty lets every member of the tenant read it."),
      el("div", { class: "actions" }, uploadButton, cancelButton),
      progressBox);

    const prefixInput = el("input", { type: "search", name: "source_prefix" });
    const filterForm = el("form", { class: "inline-form", role: "search" }, field("Source starts with", prefixInput),
      el("button", { type: "submit" }, "Filter"));
    const listSlot = el("div", { id: "document-list" });
    const moreButton = el("button", { type: "button", hidden: true }, "Show more");

    root.append(heading("Documents"), ...notes.nodes,
      el("p", { class: "lede" }, "The tenant's grounding data. Answers cite these documents; a document with groups is read only by members of those groups. " +
        "To change a document's groups, upload it again with the same source and the new groups."),
      section("Upload a document", form),
      section("Documents", filterForm, listSlot, moreButton));

    let documents = [];
    let after = null;

    function render() {
      listSlot.replaceChildren(table("The tenant's documents", [
        { label: "Title", value: (d) => d.title || "(untitled)", rowHeader: true },
        { label: "Source", value: (d) => el("code", {}, d.source) },
        { label: "Format", value: (d) => d.format },
        { label: "Version", value: (d) => d.version, numeric: true },
        { label: "Chunks", value: (d) => d.chunks, numeric: true },
        { label: "Size", value: (d) => formatBytes(d.bytes), numeric: true },
        { label: "Groups (ACL)", value: (d) => d.acl && d.acl.length
          ? el("ul", { class: "tags" }, d.acl.map((group) => el("li", {}, group))) : "everyone in the tenant" },
        { label: "Updated", value: (d) => formatTime(d.updated_at) },
        { label: "Actions", value: (d) => el("button", { type: "button", class: "danger delete", "aria-label": `Delete ${d.title || d.source}`,
          dataset: { id: d.id }, on: { click: () => remove(d) } }, "Delete") },
      ], documents, { empty: "No documents yet." }));
    }

    async function load(reset) {
      try {
        if (reset) { documents = []; after = null; }
        const page = await api("/v1/documents", { query: { limit: PAGE, after, source_prefix: prefixInput.value.trim() } });
        documents.push(...page.data);
        after = page.data.length ? page.data[page.data.length - 1].id : after;
        moreButton.hidden = !page.has_more;
        render();
      } catch (error) { notes.fail(error); }
    }

    async function remove(document) {
      const sure = await confirmAction({
        title: `Delete “${document.title || document.source}”?`,
        message: `The document ${document.source} and its ${document.chunks} passages leave the index; answers stop citing it.`,
        confirmLabel: "Delete document",
      });
      if (!sure) return;
      notes.clear();
      try {
        await api(`/v1/documents/${encodeURIComponent(document.id)}`, { method: "DELETE" });
        notes.say(`Deleted ${document.source}.`);
        await load(true);
      } catch (error) { notes.fail(error); }
    }

    let uploading = null;
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      notes.clear();
      const file = fileInput.files[0];
      if (!file) { fileInput.focus(); return; }
      const groups = aclInput.value.split(",").map((group) => group.trim()).filter(Boolean);
      const bad = groups.find((group) => !GROUP_PATTERN.test(group));
      if (bad) { notes.fail(new Error(`“${bad}” is not a group name (letters, digits and - _ . : @ / only).`)); aclInput.focus(); return; }
      const body = new FormData();
      body.append("file", file, file.name);
      if (sourceInput.value.trim()) body.append("source", sourceInput.value.trim());
      if (titleInput.value.trim()) body.append("title", titleInput.value.trim());
      if (formatSelect.value) body.append("format", formatSelect.value);
      if (groups.length) body.append("acl", groups.join(","));
      progress.value = 0;
      delete progress.dataset.events;
      progressText.textContent = "0%";
      progressBox.hidden = false;
      uploadButton.disabled = true;
      cancelButton.hidden = false;
      uploading = new AbortController();
      try {
        const result = await upload("/v1/documents", body, {
          signal: uploading.signal,
          onProgress(loaded, total) {
            const percent = total ? Math.round((loaded / total) * 100) : 0;
            progress.dataset.events = String(Number(progress.dataset.events || 0) + 1);
            progress.value = percent;
            progressText.textContent = total ? `${percent}% (${formatBytes(loaded)} of ${formatBytes(total)})` : formatBytes(loaded);
            if (total && loaded >= total) progressText.textContent += "; indexing…";
          },
        });
        progress.value = 100;
        progressText.textContent = "100%; done.";
        const words = { created: "Added", updated: "Updated", unchanged: "Unchanged:", metadata_updated: "Updated the title or groups of" };
        notes.say(`${words[result.change] || result.change} ${result.document.source} (version ${result.document.version}, ${result.document.chunks} passages).`);
        form.reset();
        await load(true);
      } catch (error) {
        notes.fail(error);
      } finally {
        uploading = null;
        uploadButton.disabled = false;
        cancelButton.hidden = true;
      }
    });
    cancelButton.addEventListener("click", () => { if (uploading) uploading.abort(); });
    filterForm.addEventListener("submit", (event) => { event.preventDefault(); notes.clear(); load(true); });
    moreButton.addEventListener("click", () => load(false));

    await load(true);
  },
};
