// The tenant's audit log, newest first, paged by sequence number: the server walks the whole chain, and each record
// on the page has its hash recomputed in the browser as well.
// GET /v1/admin/audit?limit&after=SEQ · GET /v1/admin/audit/verification

import { api } from "../api.js";
import { el, formatTime, heading, messages, section, table } from "../ui.js";

const PAGE = 50;
const GENESIS = "0".repeat(64);

/// The JSON Swift's encoder writes with sorted keys and unescaped slashes, for string values.
function canonicalDetails(details) {
  const sorted = {};
  for (const key of Object.keys(details || {}).sort()) sorted[key] = details[key];
  return JSON.stringify(sorted);
}

/// `SQLiteAuditLog.hash(of:)`: SHA-256 over each field as "<utf-8 length>:<text>", the hash itself left out.
async function recomputeHash(event) {
  const encoder = new TextEncoder();
  const fields = [String(event.seq), event.at.toFixed(6), event.tenant, event.actor, event.action, event.target,
    canonicalDetails(event.details), event.previous_hash];
  const joined = fields.map((text) => `${encoder.encode(text).length}:${text}`).join("");
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(joined));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/// What this page can check: each record's own hash, and the links between records of this tenant that are
/// next to each other in the (all-tenant) chain. The whole chain is the server's to verify.
async function check(events) {
  if (!(window.crypto && crypto.subtle)) return { available: false };
  let hashes = 0;
  const broken = [];
  const bySeq = new Map(events.map((event) => [event.seq, event]));
  let links = 0;
  for (const event of events) {
    if ((await recomputeHash(event)) === event.hash) hashes += 1;
    else broken.push(`record ${event.seq} does not match its hash`);
    const before = bySeq.get(event.seq - 1);
    if (before) {
      links += 1;
      if (event.previous_hash !== before.hash) broken.push(`record ${event.seq} does not link to record ${before.seq}`);
    } else if (event.seq === 1 && event.previous_hash !== GENESIS) {
      broken.push("record 1 does not start the chain");
    }
  }
  return { available: true, hashes, links, broken };
}

export default {
  id: "audit",
  title: "Audit log",
  access: "admin",
  async render(root) {
    const notes = messages();
    const chain = el("p", { id: "audit-chain", class: "notice", role: "status" }, "Verifying the chain…");
    const verifyAgain = el("button", { type: "button", id: "audit-verify" }, "Verify again");
    const verification = el("p", { id: "audit-verification", class: "notice", role: "status" }, "Checking…");
    const slot = el("div", { id: "audit-list" });
    const newest = el("button", { type: "button", id: "audit-newest" }, "Newest");
    const older = el("button", { type: "button", id: "audit-older", hidden: true }, "Older");
    const pageLabel = el("span", { class: "hint", id: "audit-page" });
    root.append(heading("Audit log"), ...notes.nodes,
      el("p", { class: "lede" }, "Every administrative action and erasure, chained by hash so that no record can change unseen."),
      section("Chain", chain, el("div", { class: "toolbar" }, verifyAgain), verification),
      section("Events", el("div", { class: "toolbar" }, newest, older, pageLabel), slot));

    async function verifyChain() {
      chain.textContent = "Verifying the chain…";
      chain.className = "notice";
      try {
        const answer = await api("/v1/admin/audit/verification");
        const when = formatTime(answer.verified_at);
        if (answer.intact) {
          const records = answer.events === 1 ? "the chain's one record matches its hash" :
            `all ${answer.events} records of the chain (every tenant's, each linked to the one before it) match their hashes and links`;
          chain.replaceChildren("Verified by the server at ", when, `: ${records}.`);
          chain.className = "notice good";
        } else {
          const where = answer.first_broken_seq === null ? "" : ` First broken record: ${answer.first_broken_seq}.`;
          chain.replaceChildren("The chain does not hold (checked at ", when, `): ${answer.problem}${where}`);
          chain.className = "notice bad";
        }
        chain.dataset.intact = String(answer.intact);
      } catch (error) {
        chain.textContent = "The server could not verify the chain.";
        chain.className = "notice bad";
        notes.fail(error);
      }
    }

    let cursor = null;
    async function load() {
      notes.clear();
      try {
        const page = await api("/v1/admin/audit", { query: { limit: PAGE, after: cursor } });
        slot.replaceChildren(table("Audit events, newest first", [
          { label: "Seq", value: (event) => event.seq, numeric: true, rowHeader: true },
          { label: "When", value: (event) => formatTime(event.at) },
          { label: "Actor", value: (event) => el("code", {}, event.actor) },
          { label: "Action", value: (event) => event.action },
          { label: "Target", value: (event) => el("code", {}, event.target) },
          { label: "Details", value: (event) => {
            const entries = Object.entries(event.details || {});
            return entries.length ? el("dl", { class: "details" }, entries.flatMap(([key, value]) => [el("dt", {}, key), el("dd", {}, value)])) : "";
          } },
          { label: "Hash", value: (event) => el("code", { title: event.hash }, event.hash.slice(0, 12) + "…") },
        ], page.data, { empty: "No events." }));
        older.hidden = !page.has_more;
        older.dataset.after = page.data.length ? String(page.data[page.data.length - 1].seq) : "";
        pageLabel.textContent = page.data.length ? `Events ${page.data[0].seq} to ${page.data[page.data.length - 1].seq}` : "";
        const result = await check(page.data);
        if (!result.available) {
          verification.textContent = "This browser cannot compute hashes here (the page is not a secure context); the server's verification above still holds.";
          verification.dataset.verified = "unknown";
        } else if (result.broken.length) {
          verification.textContent = `The chain does not hold on this page: ${result.broken.join("; ")}.`;
          verification.className = "notice bad";
          verification.dataset.verified = "false";
        } else {
          const links = result.links === 0 ? "" : result.links === 1 ? ", and the link between its two neighbouring records holds" :
            `, and the ${result.links} links between neighbouring records hold`;
          verification.textContent = `Checked again in this browser: ${result.hashes === 1 ? "the record" : `all ${result.hashes} records`} ` +
            `on this page ${result.hashes === 1 ? "matches its hash" : "match their hashes"}${links}.`;
          verification.className = "notice good";
          verification.dataset.verified = "true";
        }
      } catch (error) { notes.fail(error); }
    }
    newest.addEventListener("click", () => { cursor = null; load(); });
    older.addEventListener("click", () => { cursor = older.dataset.after; load(); });
    verifyAgain.addEventListener("click", verifyChain);
    await Promise.all([verifyChain(), load()]);
  },
};
