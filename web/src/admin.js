// The moderation page (/admin). The token stays in this tab (sessionStorage)
// and goes out only as an Authorization header: no cookie, so no request
// forged by another site carries it. Everything submitted is shown as text.
import { element } from "./dom.js";

const STATUSES = ["pending", "spam", "approved", "rejected"];
const FIELDS = ["name", "family", "sectors", "sdgs", "description", "website", "email", "city", "country", "lat", "lon"];
const EDITABLE = ["name", "description", "website", "city"];

const $ = (id) => document.getElementById(id);
let token = sessionStorage.getItem("impactmap-token");
let status = "pending";

async function api(method, path, body) {
  const response = await fetch(`api/admin/${path}`, {
    method,
    headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const reply = await response.json().catch(() => ({}));
  if (response.status === 401) signOut("That token is not valid (or was revoked).");
  return { ok: response.ok, status: response.status, reply };
}

function signOut(message) {
  sessionStorage.removeItem("impactmap-token");
  token = null;
  $("queue").hidden = true;
  $("login").hidden = false;
  $("login-error").textContent = message ?? "";
}

$("login").addEventListener("submit", async (event) => {
  event.preventDefault();
  token = $("token").value.trim();
  sessionStorage.setItem("impactmap-token", token);
  await start();
});

async function start() {
  const me = await api("GET", "me");
  if (!me.ok) return;
  $("login").hidden = true;
  $("queue").hidden = false;
  $("who").textContent = `Signed in as ${me.reply.name}.`;
  await show(status);
}

async function show(which) {
  status = which;
  const { ok, reply } = await api("GET", `submissions?status=${which}`);
  if (!ok) return;
  $("tabs").replaceChildren(
    ...STATUSES.map((s) => {
      const tab = element("button", { type: "button", textContent: `${s} (${reply.counts[s] ?? 0})` });
      tab.setAttribute("aria-pressed", String(s === which));
      tab.addEventListener("click", () => show(s));
      return tab;
    }),
  );
  $("items").replaceChildren(...reply.submissions.map(item));
  if (!reply.submissions.length) $("items").append(element("p", { textContent: `No ${which} submissions.` }));
  const log = await api("GET", "audit?limit=20");
  if (log.ok) {
    $("audit").replaceChildren(
      ...log.reply.audit.map((a) => element("li", { textContent: `${a.at} — ${a.actor} — ${a.act}${a.submission ? ` ${a.submission}` : ""}${a.organisation ? ` → ${a.organisation}` : ""}` })),
    );
  }
}

const shown = (value) => (Array.isArray(value) ? value.join(", ") : value == null ? "" : String(value));

function item(s) {
  const box = element("article", { className: "item", dataset: { id: s.id } });
  box.append(element("h3", { textContent: s.fields.name }));
  const facts = element("dl");
  for (const name of FIELDS) {
    const value = shown(s.fields[name]);
    if (!value) continue;
    const current = s.current ? shown(s.current[name]) : null;
    const text = current !== null && current !== value ? `${value} (published: ${current})` : value;
    facts.append(element("dt", { textContent: name }), element("dd", { textContent: text, dataset: { field: name } }));
  }
  facts.append(element("dt", { textContent: "received" }), element("dd", { textContent: s.created }));
  box.append(facts);
  if (s.edit_of) box.append(element("p", { className: "hint", textContent: `Proposed change to published organisation ${s.edit_of}.` }));
  const open = s.status === "pending" || s.status === "spam";
  if (s.pending_too_long) box.append(element("p", { className: "hint", textContent: "Pending for more than 15 days." }));
  for (const d of s.hints?.duplicates ?? []) {
    const hint = element("p", { className: "hint", textContent: `Possible duplicate: ${d.kind} ${d.id} “${d.name}”, ${d.distance_m} m away. ` });
    if (open) {
      const different = element("button", { type: "button", textContent: "Not a duplicate" });
      different.addEventListener("click", async () => {
        const { ok, reply } = await api("POST", `submissions/${s.id}/not-duplicate`, { of: d.id });
        if (ok) return show(status);
        hint.append(` Refused: ${reply.error ?? ""}`);
      });
      hint.append(different);
    }
    box.append(hint);
  }
  if (s.hints?.country) {
    box.append(element("p", { className: "hint", textContent: `The point lies in ${s.hints.country.found ?? "no country"}, not ${s.hints.country.claimed}.` }));
  }
  if (s.hints?.spam?.length) box.append(element("p", { className: "hint", textContent: `Spam signals: ${s.hints.spam.join(", ")}.` }));
  if (s.reason) box.append(element("p", { textContent: `Reason: ${s.reason}` }));
  if (s.decided) box.append(element("p", { textContent: `Decided by ${s.decided_by} at ${s.decided}.` }));
  if (open) box.append(actions(s));
  return box;
}

function actions(s) {
  const bar = element("div", { className: "actions" });
  const result = element("p", { role: "status" });
  const act = async (path, body) => {
    const { ok, status: code, reply } = await api("POST", `submissions/${s.id}/${path}`, body);
    if (ok) return show(status);
    result.textContent = code === 409 ? "Another moderator decided it first." : `Refused: ${reply.field ?? ""} ${reply.error ?? code}`;
  };
  const approve = element("button", { type: "button", textContent: "Approve" });
  approve.addEventListener("click", () => act("approve"));
  const edit = element("button", { type: "button", textContent: "Edit, then approve" });
  edit.addEventListener("click", () => {
    const fields = element("form", { className: "edits" });
    for (const name of EDITABLE) {
      const input = element(name === "description" ? "textarea" : "input", { name, value: shown(s.fields[name]) });
      fields.append(element("label", {}, `${name} `, input));
    }
    const save = element("button", { type: "submit", textContent: "Approve with these edits" });
    fields.append(save);
    fields.addEventListener("submit", (event) => {
      event.preventDefault();
      const edits = Object.fromEntries(EDITABLE.map((n) => [n, fields.elements[n].value]).filter(([n, v]) => v !== shown(s.fields[n])));
      act("approve", edits);
    });
    bar.replaceWith(fields);
  });
  const reason = element("input", { type: "text", placeholder: "Reason for rejecting", "aria-label": "Reason for rejecting", maxLength: 500 });
  const reject = element("button", { type: "button", textContent: "Reject" });
  reject.addEventListener("click", () => act("reject", { reason: reason.value }));
  const into = element("input", { type: "text", placeholder: "Organisation id", "aria-label": "Merge into organisation id", value: s.hints?.duplicates?.find((d) => d.kind === "organisation")?.id ?? "" });
  const merge = element("button", { type: "button", textContent: "Merge into" });
  merge.addEventListener("click", () => act("merge", { into: into.value.trim() }));
  bar.append(approve, edit, reason, reject, into, merge, result);
  return bar;
}

if (token) start();
window.__admin = { show };
