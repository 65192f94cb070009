// One self-contained HTML page for auditors: inline CSS, no remote resources, readable on screen and
// on paper. A Content-Security-Policy meta allows exactly the page's own stylesheet and (on the audit
// report) its own small script, each by SHA-256 hash: nothing injected can run or fetch. Filtering by
// status works without the script (CSS :has() over radio buttons); only the host search needs it.
// Every string that came from evidence (subjects, SANs, event identities, messages) goes through
// esc(): certificates and event logs are attacker-influenced input.
import type { ClientFacts, ReadinessVerdict } from "../facts/types";
import { createHash } from "node:crypto";
import type { ControlResult, Status } from "../profile/types";
import { reportRunway } from "../profile/runway";
import { badness, findingOrder, predictedCertificate, STATUSES, targetLabel } from "./common";
import { expiryTimeline, TimelineRow } from "./html-timeline";
import type { Report, ReportCertificate, ReportTarget } from "./types";
import { surfaceOf, tlsSurfaceHtml } from "./tls-surface";
import { compareText } from "../text-order";

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escape text for HTML element content and quoted attribute values; drops C0 controls HTML forbids. */
export function esc(value: unknown): string {
  const s = value === null || value === undefined ? "" : typeof value === "string" ? value : String(value);
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F]/g, "\uFFFD").replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const STATUS_TEXT: Record<Status, { icon: string; label: string }> = {
  pass: { icon: "\u2713", label: "PASS" },
  fail: { icon: "\u2717", label: "FAIL" },
  warn: { icon: "!", label: "WARN" },
  skip: { icon: "\u2013", label: "SKIP" },
  error: { icon: "\u2297", label: "ERROR" },
  waived: { icon: "\u2691", label: "WAIVED" },
};

/** Status as a symbol and a word (never colour alone). */
export function statusBadge(status: Status): string {
  const s = STATUS_TEXT[status];
  return `<span class="badge s-${status}"><span aria-hidden="true">${s.icon}</span> ${s.label}</span>`;
}

/** A control id that never wraps mid-id (LDAPS-C07 stays on one line). */
export function controlId(id: string): string {
  return `<span class="cid">${esc(id)}</span>`;
}

function verdictBadge(status: ReportTarget["status"]): string {
  return status === "compliant"
    ? `<span class="badge s-pass"><span aria-hidden="true">\u2713</span> COMPLIANT</span>`
    : `<span class="badge s-fail"><span aria-hidden="true">\u2717</span> NON-COMPLIANT</span>`;
}

// Colours chosen for >= 4.5:1 contrast of the badge text against its background (WCAG AA).
const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: #1a1a1a; background: #fff; margin: 0; padding: 1.5rem 2rem; max-width: 78rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 .5rem; border-bottom: 2px solid #333; padding-bottom: .2rem; }
h3 { font-size: 1.1rem; margin: 1.4rem 0 .4rem; }
h4 { font-size: 1rem; margin: 0 0 .4rem; overflow-wrap: anywhere; }
p.meta { color: #444; margin: 0; }
code, .mono { font-family: ui-monospace, "Cascadia Mono", Consolas, "Liberation Mono", monospace; font-size: .88em; overflow-wrap: anywhere; }
.nowrap { white-space: nowrap; overflow-wrap: normal; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: .2rem 0; }
th, td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
thead th { background: #e8e8e8; }
tbody th { font-weight: 600; background: #f6f6f6; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; font-weight: 700; font-size: .82rem; white-space: nowrap; border: 1px solid #333; }
.s-pass { background: #1b5e20; color: #fff; }
.s-fail { background: #b00020; color: #fff; }
.s-error { background: #5e1a8a; color: #fff; }
.s-warn { background: #ffd54f; color: #1a1a1a; }
.s-skip { background: #e0e0e0; color: #1a1a1a; }
.s-waived { background: #b3e5fc; color: #1a1a1a; }
.s-info { background: #fff; color: #1a1a1a; }
.verdict { font-size: 1.15rem; font-weight: 600; margin: .5rem 0; }
.target { border-top: 1px solid #bbb; }
.rootcause { background: #fff4f4; border-left: 4px solid #b00020; padding: .4rem .7rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(26rem, 1fr)); gap: .8rem; }
.card { min-width: 0; }
.card { border: 1px solid #888; border-radius: .3rem; padding: .6rem .8rem; break-inside: avoid; page-break-inside: avoid; }
.card.predicted { border: 3px solid #0d47a1; }
dl { display: grid; grid-template-columns: minmax(6rem, max-content) minmax(0, 1fr); gap: .15rem .7rem; margin: .3rem 0; }
dt { font-weight: 600; }
dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
meter { width: 100%; max-width: 10rem; height: 1rem; vertical-align: middle; }
ul.evidence { margin: .3rem 0 0 1rem; padding: 0; font-size: .88rem; color: #333; }
.fix { margin: .3rem 0 0; }
.muted { color: #555; }
footer { margin-top: 2rem; color: #444; font-size: .85rem; }
.cid { font-family: ui-monospace, "Cascadia Mono", Consolas, "Liberation Mono", monospace; font-size: .88em; white-space: nowrap; }
.tiles { display: flex; flex-wrap: wrap; gap: .6rem; list-style: none; padding: 0; margin: .6rem 0 1rem; }
.tiles li { border: 1px solid #888; border-left: .45rem solid #888; border-radius: .25rem; padding: .35rem .8rem; min-width: 11rem; }
.tiles li.t-fail { border-left-color: #b00020; }
.tiles li.t-warn { border-left-color: #c79100; }
.tiles li.t-pass { border-left-color: #1b5e20; }
.tiles strong { display: block; font-size: 1.5rem; line-height: 1.2; }
.filters { display: flex; flex-wrap: wrap; gap: .4rem 1.5rem; align-items: center; border: 1px solid #999; border-radius: .3rem; padding: .4rem .8rem; margin: .8rem 0; background: #f6f6f6; }
.filters fieldset { border: 0; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .2rem .8rem; align-items: center; }
.filters legend { float: left; font-weight: 600; margin-right: .6rem; padding: 0; }
.filters input[type=search] { font: inherit; padding: .15rem .4rem; min-width: 14rem; }
details.target > summary { cursor: pointer; list-style-position: outside; margin-left: 1.2rem; }
details.target > summary h2 { display: inline; border: 0; font-size: 1.3rem; }
details.target > summary .ids { display: block; font-size: .9rem; color: #333; margin: .2rem 0 .4rem; }
details.target { border-top: 2px solid #333; margin-top: 1.4rem; padding-top: .6rem; }
svg.timeline { max-width: 60rem; display: block; margin: .4rem 0 1rem; font-family: system-ui, "Segoe UI", Arial, sans-serif; }
svg.timeline .band-fail { fill: #fde0e0; }
svg.timeline .band-warn { fill: #fff3c4; }
svg.timeline .grid { stroke: #aaa; stroke-width: 1; }
svg.timeline .grid.now { stroke: #1a1a1a; stroke-width: 2; }
svg.timeline text { font-size: 12px; fill: #1a1a1a; }
svg.timeline .row-label { font-size: 12.5px; }
svg.timeline .bar.b-pass { fill: #1b5e20; }
svg.timeline .bar.b-warn { fill: #c79100; }
svg.timeline .bar.b-fail { fill: #b00020; }
svg.timeline .t-fail { fill: #b00020; font-weight: 600; }
.finding { white-space: nowrap; }
table.matrix td { text-align: center; }
table.matrix tbody th { min-width: 12rem; }
table.matrix td.zero { color: #555; }
table.matrix td.hosts { text-align: left; }
table.matrix th.host-col { font-size: .85rem; }
@media screen {
  body:has(#show-noncompliant:checked) [data-verdict]:not([data-verdict="noncompliant"]),
  body:has(#show-warnings:checked) [data-verdict]:not([data-verdict="warnings"]),
  body:has(#show-compliant:checked) [data-verdict]:not([data-verdict="compliant"]),
  body:has(#hide-passing:checked) tr.r-pass,
  body:has(#hide-passing:checked) tr.r-skip,
  .no-match { display: none; }
}
@media print {
  .filters { display: none; }
  details.target > summary { list-style: none; margin-left: 0; }
  details::details-content { content-visibility: visible; display: contents; }
  svg.timeline { max-width: 100%; }
  table { font-size: 9pt; }
  th, td { padding: .2rem .35rem; }
  /* The free-text column gives way first (long key paths, messages), not host names or severities. */
  td:last-child { overflow-wrap: anywhere; }
  .badge { font-size: 7.5pt; padding: 0 .3rem; }
  .finding { white-space: normal; }
  table.matrix { font-size: 8.5pt; }
  table.matrix .badge { font-size: 7.5pt; padding: 0 .25rem; }
  table.matrix tbody th { min-width: 0; }
  table.matrix th, table.matrix td { padding: .15rem .3rem; }
  svg.timeline rect, .tiles li { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  body { padding: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  tr, .card { break-inside: avoid; page-break-inside: avoid; }
  .target { break-before: page; page-break-before: always; }
  .target > summary { break-after: avoid; page-break-after: avoid; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
`;

/** "'sha256-...'" of a script or stylesheet's exact text, as CSP source expressions name it. */
export function cspHash(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * The CSP: no remote anything; only the one inline stylesheet and, when the page has one, its one
 * inline script, each by hash (no 'unsafe-inline': injected markup, handlers and scripts never run).
 */
export function contentSecurityPolicy(css: string = CSS, script?: string): string {
  return `default-src 'none'; script-src ${script ? cspHash(script) : "'none'"}; style-src ${cspHash(css)}; img-src 'none'; font-src 'none'; connect-src 'none'; object-src 'none'; media-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'`;
}

/**
 * The audit report's script: only the host search (filtering by status is CSS). It reads the query
 * and toggles a class; it never writes markup (textContent only). Hosts also open for printing.
 */
export const REPORT_SCRIPT = `(function () {
  var box = document.getElementById("search-box"), q = document.getElementById("host-search"), out = document.getElementById("search-count");
  if (!box || !q || !out) return;
  box.hidden = false;
  var items = Array.prototype.slice.call(document.querySelectorAll("[data-host]"));
  var hosts = document.querySelectorAll("details[data-host]").length;
  q.addEventListener("input", function () {
    var v = q.value.trim().toLowerCase(), shown = 0;
    items.forEach(function (el) {
      var hit = !v || el.getAttribute("data-host").indexOf(v) >= 0;
      el.classList.toggle("no-match", !hit);
      if (hit && el.tagName === "DETAILS") shown++;
    });
    out.textContent = v ? shown + " of " + hosts + " host(s) match" : "";
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();`;

/** Page shell shared by the report and the roll-up. `body` must already be escaped HTML; `script` is the page's own code. */
export function htmlPage(title: string, body: string, script?: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(CSS, script))}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="ldaps-audit">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    body,
    ...(script ? [`<script>${script}</script>`] : []),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function anchor(prefix: string, index: number): string {
  return `${prefix}-${index}`;
}

function evidenceList(c: ControlResult): string {
  if (!c.evidence.length) return "";
  const items = c.evidence.map((e) => {
    const value = e.value === undefined ? "" : ` (value: <code>${esc(JSON.stringify(e.value))}</code>)`;
    return `<li><code>${esc(e.instancePath || "/")}</code>: ${esc(e.message)}${value}</li>`;
  });
  return `<ul class="evidence" aria-label="Evidence">${items.join("")}</ul>`;
}

function remediation(c: ControlResult): string {
  if (!c.remediation || badness(c.waiver?.originalStatus ?? c.status) === 0) return "";
  return `<p class="fix"><strong>Fix:</strong> ${esc(c.remediation)}</p>`;
}

function waiverNote(c: ControlResult): string {
  if (!c.waiver) return "";
  const w = c.waiver;
  return `<p class="fix"><strong>${w.expired ? "Waiver lapsed" : "Waived"}</strong> (was ${esc(w.originalStatus)}) until ${esc(w.expires)} by ${esc(w.approver)}: ${esc(w.justification)}</p>`;
}

function controlsTable(controls: ControlResult[], caption: string): string {
  if (!controls.length) return `<p class="muted">No control results.</p>`;
  const rows = controls.map(
    (c) =>
      `<tr class="r-${c.status}"><td>${statusBadge(c.status)}</td><th scope="row">${controlId(c.id)}<br>${esc(c.title)}</th><td>${esc(c.severity)}</td>` +
      `<td>${esc(c.message)}${evidenceList(c)}${remediation(c)}${waiverNote(c)}</td></tr>`,
  );
  return (
    `<table><caption>${esc(caption)}</caption><thead><tr><th scope="col">Status</th><th scope="col">Control</th><th scope="col">Severity</th><th scope="col">Finding, evidence and remediation</th></tr></thead>` +
    `<tbody>${rows.join("\n")}</tbody></table>`
  );
}

function runway(cert: ReportCertificate): string {
  const d = cert.daysToExpiry;
  const text = d < 0 ? `expired ${-d} day(s) ago` : `${d} day(s) left`;
  const value = Math.max(0, Math.min(365, d));
  return `<meter min="0" max="365" low="30" high="90" optimum="365" value="${value}" aria-label="Expiry runway: ${esc(text)}">${esc(text)}</meter> <span>${esc(text)}</span>`;
}

function certificateCard(cert: ReportCertificate, headingLevel: number): string {
  const h = `h${headingLevel}`;
  const flags: string[] = [];
  if (cert.predicted) flags.push(`<span class="badge s-info"><span aria-hidden="true">\u2605</span> Predicted LDAPS certificate</span>`);
  if (cert.source !== "network") flags.push(cert.qualifies ? statusBadgeText("pass", "QUALIFIES") : statusBadgeText("fail", "DOES NOT QUALIFY"));
  if (cert.presentedOn.length) flags.push(`<span class="badge s-info">Presented on port ${cert.presentedOn.map(esc).join(", ")}</span>`);
  const where = cert.source === "network" ? "network (presented by the server)" : cert.source === "file" ? `file${cert.store ? ` (as if in ${cert.store})` : ""}` : cert.store ?? "store";
  const problems = cert.controls.filter((c) => badness(c.status) > 0 || c.status === "waived");
  const dq = cert.disqualifiedBy.length
    ? `<p><strong>Disqualified by:</strong></p><ul>${cert.disqualifiedBy.map((d) => `<li>${controlId(d.control)}: ${esc(d.reason)}</li>`).join("")}</ul>`
    : "";
  const probs = problems.length
    ? `<ul class="evidence" aria-label="Certificate findings">${problems.map((c) => `<li>${statusBadge(c.status)} ${controlId(c.id)} ${esc(c.message)}</li>`).join("")}</ul>`
    : "";
  return (
    `<article class="card${cert.predicted ? " predicted" : ""}">` +
    `<${h}>${esc(cert.subject || "(empty subject)")}</${h}>` +
    `<p>${flags.join(" ")}</p>` +
    `<dl>` +
    `<dt>Thumbprint</dt><dd class="mono">${esc(cert.thumbprint)}</dd>` +
    `<dt>Store</dt><dd>${esc(where)}</dd>` +
    `<dt>Subject alternative names</dt><dd>${cert.san.length ? cert.san.map(esc).join(", ") : "none"}</dd>` +
    `<dt>Extended key usage</dt><dd>${cert.eku.length ? cert.eku.map(esc).join(", ") : "none (no EKU extension)"}</dd>` +
    `<dt>Issuer</dt><dd>${esc(cert.issuer)}</dd>` +
    `<dt>Key</dt><dd>${esc(cert.keyAlgorithm)}</dd>` +
    `<dt>Valid</dt><dd>${esc(cert.notBefore.slice(0, 10))} to ${esc(cert.notAfter.slice(0, 10))}</dd>` +
    `<dt>Runway</dt><dd>${runway(cert)}</dd>` +
    `</dl>${dq}${probs}</article>`
  );
}

/** A badge with the status's symbol and colour but its own word, e.g. EXPIRED. */
export function statusBadgeText(status: Status, label: string): string {
  return `<span class="badge s-${status}"><span aria-hidden="true">${STATUS_TEXT[status].icon}</span> ${esc(label)}</span>`;
}

// ---- event evidence: rendered generically from targets[].facts.events (shape owned by lib/facts/events.ts)

const MAX_ROWS = 200;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function scalarText(v: unknown): string {
  if (v === null || v === undefined) return "\u2014";
  if (Array.isArray(v)) return v.length ? v.map((x) => (isPlainObject(x) || Array.isArray(x) ? JSON.stringify(x) : String(x))).join(", ") : "none";
  if (isPlainObject(v)) {
    const entries = Object.entries(v);
    return entries.length ? entries.map(([k, x]) => `${k}: ${isPlainObject(x) || Array.isArray(x) ? JSON.stringify(x) : String(x)}`).join(", ") : "none";
  }
  return String(v);
}

/** "directoryService1220" -> "directory Service 1220" -> readable label. */
export function humanKey(key: string): string {
  const known: Record<string, string> = {
    directoryService1220: "Directory Service 1220 (no LDAPS certificate)",
    schannel36870: "Schannel 36870 (private key access failure)",
    schannel36874: "Schannel 36874 (no common protocol/cipher)",
    schannel36886: "Schannel 36886 (no suitable default server credential)",
    schannel36888: "Schannel 36888 (fatal alert)",
    insecureBinds: "Insecure binds (2887/2889)",
  };
  if (known[key]) return known[key];
  const spaced = key.replace(/([a-z])([A-Z0-9])/g, "$1 $2").replace(/_/g, " ");
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

function objectTable(rows: Array<Record<string, unknown>>, caption: string): string {
  const columns: string[] = [];
  for (const r of rows.slice(0, MAX_ROWS)) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const body = rows
    .slice(0, MAX_ROWS)
    .map((r) => `<tr>${columns.map((c, i) => (i === 0 ? `<th scope="row">${esc(scalarText(r[c]))}</th>` : `<td>${esc(scalarText(r[c]))}</td>`)).join("")}</tr>`)
    .join("\n");
  const more = rows.length > MAX_ROWS ? `<p class="muted">${rows.length - MAX_ROWS} more row(s) not shown; see the JSON report.</p>` : "";
  return `<table><caption>${esc(caption)}</caption><thead><tr>${columns.map((c) => `<th scope="col">${esc(humanKey(c))}</th>`).join("")}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

/** A facts object (events, clients, ...) as tables, generically: its shape belongs to lib/facts. */
function factsSection(events: Record<string, unknown>, headingLevel: number, label: string, heading: string): string {
  const h = `h${headingLevel}`;
  const scalars: Array<[string, unknown]> = [];
  const counters: Array<[string, Record<string, unknown>]> = [];
  const nested: Array<[string, Record<string, unknown>]> = [];
  const lists: Array<[string, unknown[]]> = [];
  for (const [k, v] of Object.entries(events)) {
    if (isPlainObject(v) && typeof v.count === "number" && !Object.values(v).some((x) => Array.isArray(x) && x.some(isPlainObject))) counters.push([k, v]);
    else if (isPlainObject(v)) nested.push([k, v]);
    else if (Array.isArray(v) && v.some(isPlainObject)) lists.push([k, v]);
    else scalars.push([k, v]);
  }
  const parts: string[] = [`<${h}>${esc(heading)}</${h}>`];
  if (scalars.length) {
    parts.push(
      `<table><caption>${esc(heading)} for ${esc(label)}</caption><thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead><tbody>` +
        scalars.map(([k, v]) => `<tr><th scope="row">${esc(humanKey(k))}</th><td>${esc(scalarText(v))}</td></tr>`).join("") +
        `</tbody></table>`,
    );
  }
  if (counters.length) {
    const extra: string[] = [];
    for (const [, v] of counters) for (const k of Object.keys(v)) if (!["count", "first", "last"].includes(k) && !extra.includes(k)) extra.push(k);
    parts.push(
      `<table><caption>${esc(heading)}: counts in the window</caption><thead><tr><th scope="col">Event</th><th scope="col">Count</th><th scope="col">First</th><th scope="col">Last</th>${extra.map((k) => `<th scope="col">${esc(humanKey(k))}</th>`).join("")}</tr></thead><tbody>` +
        counters
          .map(([k, v]) => `<tr><th scope="row">${esc(humanKey(k))}</th><td>${esc(scalarText(v.count))}</td><td>${esc(scalarText(v.first))}</td><td>${esc(scalarText(v.last))}</td>${extra.map((x) => `<td>${esc(scalarText(v[x]))}</td>`).join("")}</tr>`)
          .join("") +
        `</tbody></table>`,
    );
  }
  for (const [k, v] of nested) {
    const sub = Object.entries(v);
    const simple = sub.filter(([, x]) => !(Array.isArray(x) && x.some(isPlainObject)));
    const tables = sub.filter(([, x]) => Array.isArray(x) && x.some(isPlainObject)) as Array<[string, unknown[]]>;
    if (simple.length) {
      parts.push(
        `<table><caption>${esc(humanKey(k))}</caption><thead><tr><th scope="col">Field</th><th scope="col">Value</th></tr></thead><tbody>` +
          simple.map(([sk, sv]) => `<tr><th scope="row">${esc(humanKey(sk))}</th><td>${esc(scalarText(sv))}</td></tr>`).join("") +
          `</tbody></table>`,
      );
    }
    for (const [sk, sv] of tables) parts.push(objectTable(sv.filter(isPlainObject), `${humanKey(k)}: ${humanKey(sk)}`));
  }
  for (const [k, v] of lists) parts.push(objectTable(v.filter(isPlainObject), humanKey(k)));
  return parts.join("\n");
}

/** "2026-11-20 07:59" from an ISO time; a dash when unknown. */
function shortTime(iso: string | null): string {
  return iso ? iso.slice(0, 16).replace("T", " ") : "—";
}

/** The client table (issue: the seed's other way out of event 1220 is to find who tries LDAPS). */
const READINESS_BADGE: Record<ReadinessVerdict["verdict"], [Status, string]> = {
  yes: ["pass", "safe: yes"],
  "not-applicable": ["pass", "already enforced"],
  no: ["warn", "safe: no"],
  unknown: ["skip", "unknown"],
};

/** "Which clients break if I enforce?": per setting, its verdict, the clients (from events: untrusted, escaped) and what to turn on. */
function readinessSection(verdicts: ReadinessVerdict[], label: string): string {
  const parts = [`<h3>Before you enforce</h3>`];
  for (const v of verdicts) {
    const [status, text] = READINESS_BADGE[v.verdict];
    parts.push(`<p>${statusBadgeText(status, text)} <strong>${esc(v.setting)}</strong>: ${esc(v.summary)}</p>`);
    if (v.breakingClients.length) {
      parts.push(
        `<table><caption>Clients of ${esc(label)} that would break under ${esc(v.setting)}</caption>` +
          `<thead><tr><th scope="col">Client</th><th scope="col">Identity</th><th scope="col">Why</th><th scope="col">Events</th><th scope="col">Count</th><th scope="col">First seen (UTC)</th><th scope="col">Last seen (UTC)</th></tr></thead><tbody>` +
          v.breakingClients
            .slice(0, MAX_ROWS)
            .map(
              (b) =>
                `<tr><th scope="row" class="mono nowrap">${esc(b.ip)}</th><td>${esc(b.identity || "(anonymous)")}</td><td>${esc(b.reason)}</td><td>${esc(b.events.join(", "))}</td>` +
                `<td>${esc(String(b.count))}</td><td>${esc(shortTime(b.first))}</td><td>${esc(shortTime(b.last))}</td></tr>`,
            )
            .join("\n") +
          `</tbody></table>`,
      );
      if (v.breakingClients.length > MAX_ROWS || v.clientsNotListed) parts.push(`<p class="muted">The list is capped; see the JSON report for the rest.</p>`);
    }
    if (v.missingEvidence.length && v.verdict !== "not-applicable") {
      parts.push(
        `<table><caption>Evidence for ${esc(v.setting)} not collected: turn on</caption><thead><tr><th scope="col">What is missing</th><th scope="col">Setting</th><th scope="col">How</th></tr></thead><tbody>` +
          v.missingEvidence.map((m) => `<tr><th scope="row">${esc(m.what)}</th><td class="mono">${esc(m.setting)}</td><td>${esc(m.how)}</td></tr>`).join("") +
          `</tbody></table>`,
      );
    }
  }
  return parts.join("\n");
}

function clientsSection(c: ClientFacts, label: string): string {
  const parts = [`<h3>Clients trying LDAPS</h3>`, `<p>${esc(c.summary)}</p>`];
  if (!c.ldapsEvidence) parts.push(`<p><strong>Unknown, not zero:</strong> neither the connection table nor the firewall log was read, so attempts on the LDAPS ports cannot be counted.</p>`);
  if (c.clients.length) {
    const rows = [...c.clients].sort((a, b) => Number(b.ldaps) - Number(a.ldaps) || b.count - a.count);
    const detail = (r: ClientFacts["clients"][number]) =>
      [
        r.firewall ? `firewall: ${r.firewall.allow} allowed, ${r.firewall.drop} dropped` : "",
        r.connections ? `connections: ${r.connections.count} (${r.connections.states.join(", ")})` : "",
        r.insecureBinds ? `2889: ${r.insecureBinds.count} clear-text/unsigned bind(s) as ${r.insecureBinds.identities.join(", ")} (${r.insecureBinds.bindTypes.join(", ")})` : "",
      ]
        .filter(Boolean)
        .join("; ");
    const kind = (r: ClientFacts["clients"][number]) =>
      r.ldaps
        ? c.certificateQualifies
          ? statusBadgeText("pass", "LDAPS")
          : statusBadgeText("warn", "LDAPS, no certificate")
        : statusBadgeText("fail", "LDAP, insecure bind");
    parts.push(
      `<table><caption>Clients of ${esc(label)} (${c.windowStart ? `${esc(c.windowStart.slice(0, 10))} to ${esc((c.windowEnd ?? "").slice(0, 10))}` : "collection time"})</caption>` +
        `<thead><tr><th scope="col">Client</th><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Ports</th><th scope="col">Count</th><th scope="col">First seen (UTC)</th><th scope="col">Last seen (UTC)</th><th scope="col">Evidence</th><th scope="col">Detail</th></tr></thead><tbody>` +
        rows
          .slice(0, MAX_ROWS)
          .map(
            (r) =>
              `<tr><th scope="row" class="mono nowrap">${esc(r.ip)}</th><td>${esc(r.name ?? "—")}</td><td>${kind(r)}</td><td>${esc(r.ports.length ? r.ports.join(", ") : "LDAP (no TLS)")}</td>` +
              `<td>${esc(String(r.count))}</td><td>${esc(shortTime(r.first))}</td><td>${esc(shortTime(r.last))}</td><td>${esc(r.evidence.join(", "))}</td><td>${esc(detail(r))}</td></tr>`,
          )
          .join("\n") +
        `</tbody></table>`,
    );
    if (rows.length > MAX_ROWS || c.truncated) parts.push(`<p class="muted">The list is capped; the busiest clients are shown. See the JSON report for the rest.</p>`);
  }
  if (c.handshakeFailures.count > 0) {
    const details = Object.entries(c.handshakeFailures.details).map(([k, n]) => `${k}: ${n}`).join(", ");
    parts.push(`<p>Schannel handshake failures on this host (no client address in these events): ${esc(String(c.handshakeFailures.count))}${details ? ` (${esc(details)})` : ""}.</p>`);
  }
  if (c.missingEvidence.length) {
    parts.push(
      `<table><caption>Evidence not collected: turn on</caption><thead><tr><th scope="col">What is missing</th><th scope="col">Setting</th><th scope="col">How</th></tr></thead><tbody>` +
        c.missingEvidence.map((m) => `<tr><th scope="row">${esc(m.what)}</th><td class="mono">${esc(m.setting)}</td><td>${esc(m.how)}</td></tr>`).join("") +
        `</tbody></table>`,
    );
  }
  if (c.readiness) parts.push(readinessSection([c.readiness.signing, c.readiness.channelBinding], label));
  return parts.join("\n");
}

// ---- the report page

function worstFindings(report: Report, limit = 10): Array<{ target: ReportTarget; index: number; control: ControlResult }> {
  const all = report.targets.flatMap((target, index) => target.controls.filter((c) => badness(c.status) > 0).map((control) => ({ target, index, control })));
  all.sort((a, b) => findingOrder(a.control, b.control) || a.index - b.index);
  return all.slice(0, limit);
}

/** How a target stands, for ordering, filtering and colour: non-compliant, compliant with warnings, or clean. */
type Verdict = "noncompliant" | "warnings" | "compliant";

function verdictOf(t: ReportTarget): Verdict {
  if (t.status === "noncompliant") return "noncompliant";
  return t.controls.some((c) => c.status === "warn") ? "warnings" : "compliant";
}

const VERDICT_RANK: Record<Verdict, number> = { noncompliant: 0, warnings: 1, compliant: 2 };

/** Hosts at risk first: verdict, then how many fail/error, the worst severity, the soonest expiry, then the name. */
function riskOrder(report: Report): number[] {
  const key = report.targets.map((t) => {
    const bad = t.controls.filter((c) => badness(c.status) > 0).sort(findingOrder);
    const cert = predictedCertificate(t);
    return { t, bad, worst: bad[0], days: cert ? cert.daysToExpiry : -Infinity };
  });
  return report.targets
    .map((_, i) => i)
    .sort((a, b) => {
      const x = key[a];
      const y = key[b];
      return (
        VERDICT_RANK[verdictOf(x.t)] - VERDICT_RANK[verdictOf(y.t)] ||
        y.bad.filter((c) => badness(c.status) === 2).length - x.bad.filter((c) => badness(c.status) === 2).length ||
        (x.worst && y.worst ? findingOrder(x.worst, y.worst) : 0) ||
        x.days - y.days ||
        compareText(targetLabel(x.t), targetLabel(y.t)) ||
        a - b
      );
    });
}

function verdictWords(v: Verdict): string {
  return v === "noncompliant" ? "non-compliant" : v === "warnings" ? "compliant with warnings" : "compliant";
}

function verdictTone(v: Verdict): "fail" | "warn" | "pass" {
  return v === "noncompliant" ? "fail" : v === "warnings" ? "warn" : "pass";
}

/** Host name as the search compares it (the script lower-cases the query too). */
function hostKey(t: ReportTarget): string {
  return targetLabel(t).toLowerCase();
}

function expiryText(t: ReportTarget): string {
  const cert = predictedCertificate(t);
  if (!cert) return "no predicted certificate";
  return cert.daysToExpiry < 0 ? `expired ${-cert.daysToExpiry} day(s) ago` : `${cert.daysToExpiry} day(s)`;
}

function tiles(report: Report): string {
  const verdicts = report.targets.map(verdictOf);
  const n = (v: Verdict) => verdicts.filter((x) => x === v).length;
  const certs = report.targets.map((t) => ({ t, c: predictedCertificate(t) })).filter((x) => x.c !== null);
  const soonest = certs.sort((a, b) => a.c!.daysToExpiry - b.c!.daysToExpiry)[0];
  const missing = report.targets.length - certs.length;
  const items = [
    `<li class="t-fail"><strong>${n("noncompliant")}</strong> non-compliant</li>`,
    `<li class="t-warn"><strong>${n("warnings")}</strong> compliant with warnings</li>`,
    `<li class="t-pass"><strong>${n("compliant")}</strong> compliant</li>`,
  ];
  if (soonest) {
    const tone = badness(soonest.t.controls.find((c) => c.id === "LDAPS-C07")?.status) === 2 ? "t-fail" : badness(soonest.t.controls.find((c) => c.id === "LDAPS-C07")?.status) === 1 ? "t-warn" : "t-pass";
    items.push(`<li class="${tone}"><strong>${esc(expiryText(soonest.t))}</strong> soonest expiry: ${esc(targetLabel(soonest.t))}</li>`);
  }
  if (missing) items.push(`<li class="t-fail"><strong>${missing}</strong> without a predicted LDAPS certificate</li>`);
  return `<ul class="tiles" aria-label="At a glance">${items.join("")}</ul>`;
}

function filters(report: Report): string {
  const verdicts = report.targets.map(verdictOf);
  const n = (v: Verdict) => verdicts.filter((x) => x === v).length;
  const radio = (id: string, label: string, checked = false) =>
    `<span><input type="radio" name="show" id="${id}"${checked ? " checked" : ""}> <label for="${id}">${esc(label)}</label></span>`;
  return (
    `<div class="filters" role="group" aria-label="Filter the report">` +
    `<fieldset><legend>Show hosts</legend>${radio("show-all", `All (${report.targets.length})`, true)}${radio("show-noncompliant", `Non-compliant (${n("noncompliant")})`)}${radio("show-warnings", `With warnings (${n("warnings")})`)}${radio("show-compliant", `Compliant (${n("compliant")})`)}</fieldset>` +
    `<span><input type="checkbox" id="hide-passing"> <label for="hide-passing">Hide passing and skipped controls</label></span>` +
    // Shown by the page's script; without scripts there is nothing to search with, so it stays hidden.
    `<div id="search-box" role="search" hidden><label for="host-search">Search hosts</label> <input type="search" id="host-search" autocomplete="off" spellcheck="false"> <span id="search-count" role="status" aria-live="polite"></span></div>` +
    `</div>`
  );
}

/** Status per control across hosts: a host-by-control matrix for a few hosts, counts per status for a fleet. */
const MATRIX_MAX_HOSTS = 6;

function controlMatrix(report: Report, order: number[]): string {
  const ids: string[] = [];
  const meta = new Map<string, ControlResult>();
  for (const t of report.targets) for (const c of t.controls) if (!meta.has(c.id)) (ids.push(c.id), meta.set(c.id, c));
  if (!ids.length) return "";
  const cell = (t: ReportTarget, id: string) => t.controls.find((c) => c.id === id);
  const worst = (id: string) => report.targets.map((t) => cell(t, id)).filter((c): c is ControlResult => !!c).sort(findingOrder)[0];
  ids.sort((a, b) => findingOrder(worst(a), worst(b)));
  const head = `<h3 id="matrix">Status per control across hosts</h3>`;
  if (report.targets.length <= MATRIX_MAX_HOSTS) {
    const cols = order.map((i) => report.targets[i]);
    return (
      head +
      `<table class="matrix"><caption>Each control's status on each host (hosts at risk first)</caption><thead><tr><th scope="col">Control</th>${cols
        // Break opportunities after the dots: a column is then as narrow as the longest label of the name.
        .map((t) => `<th scope="col" class="host-col"><a href="#${anchor("target", report.targets.indexOf(t))}">${esc(targetLabel(t)).replace(/\./g, ".<wbr>")}</a></th>`)
        .join("")}</tr></thead><tbody>` +
      ids
        .map((id) => `<tr><th scope="row">${controlId(id)} ${esc(meta.get(id)!.title)}</th>${cols.map((t) => { const c = cell(t, id); return `<td>${c ? statusBadge(c.status) : "\u2014"}</td>`; }).join("")}</tr>`)
        .join("\n") +
      `</tbody></table>`
    );
  }
  return (
    head +
    `<table class="matrix"><caption>How many hosts have each control in each status (worst controls first)</caption><thead><tr><th scope="col">Control</th>${STATUSES.map((st) => `<th scope="col">${statusBadge(st)}</th>`).join("")}<th scope="col">Hosts failing or warning</th></tr></thead><tbody>` +
    ids
      .map((id) => {
        const counts = STATUSES.map((st) => report.targets.filter((t) => cell(t, id)?.status === st).length);
        const badHosts = order.filter((i) => badness(cell(report.targets[i], id)?.status) > 0);
        const links = badHosts.slice(0, 5).map((i) => `<a href="#${anchor("target", i)}">${esc(targetLabel(report.targets[i]))}</a>`);
        if (badHosts.length > 5) links.push(`${badHosts.length - 5} more`);
        return `<tr><th scope="row">${controlId(id)} ${esc(meta.get(id)!.title)}</th>${counts.map((n) => `<td${n ? "" : ' class="zero"'}>${n}</td>`).join("")}<td class="hosts">${links.join(", ") || "none"}</td></tr>`;
      })
      .join("\n") +
    `</tbody></table>`
  );
}

function timeline(report: Report, order: number[]): string {
  const rows: TimelineRow[] = order.map((i) => {
    const t = report.targets[i];
    const cert = predictedCertificate(t);
    const c07 = t.controls.find((c) => c.id === "LDAPS-C07");
    const tone = !cert || badness(c07?.status) === 2 || cert.daysToExpiry < 0 ? "fail" : badness(c07?.status) === 1 ? "warn" : "pass";
    return { label: targetLabel(t), days: cert ? cert.daysToExpiry : null, tone };
  });
  // Soonest first: the chart reads as a countdown.
  rows.sort((a, b) => (a.days ?? -Infinity) - (b.days ?? -Infinity));
  return `<h3 id="expiry">Certificate expiry timeline</h3>${expiryTimeline(rows, reportRunway(report))}`;
}

function summarySection(report: Report, order: number[]): string {
  const s = report.summary;
  const parts: string[] = [`<section aria-labelledby="summary"><h2 id="summary">Summary</h2>`];
  parts.push(
    `<p class="verdict">${s.noncompliant === 0 ? verdictBadge("compliant") : verdictBadge("noncompliant")} ${s.compliant} of ${s.targets} target(s) compliant, ${s.noncompliant} non-compliant.</p>`,
  );
  parts.push(tiles(report));
  parts.push(timeline(report, order));
  parts.push(controlMatrix(report, order));
  parts.push(
    `<h3 id="hosts">Hosts, at risk first</h3>` +
      `<table><caption>Targets, at risk first</caption><thead><tr><th scope="col">Target</th><th scope="col">Verdict</th><th scope="col">Failing or warning controls</th><th scope="col">LDAPS certificate expires in</th><th scope="col">Root cause</th></tr></thead><tbody>` +
      order
        .map((i) => {
          const t = report.targets[i];
          const bad = t.controls.filter((c) => badness(c.status) > 0).sort(findingOrder);
          return `<tr data-verdict="${verdictOf(t)}" data-host="${esc(hostKey(t))}"><th scope="row"><a href="#${anchor("target", i)}">${esc(targetLabel(t))}</a></th><td>${verdictBadge(t.status)}</td><td>${bad.length ? bad.map((c) => `<span class="finding">${statusBadge(c.status)} ${controlId(c.id)}</span>`).join(" ") : "none"}</td><td>${esc(expiryText(t))}</td><td>${esc(t.rootCause ?? "\u2014")}</td></tr>`;
        })
        .join("\n") +
      `</tbody></table>`,
  );
  const worst = worstFindings(report);
  if (worst.length) {
    parts.push(
      `<table><caption>Worst findings</caption><thead><tr><th scope="col">Status</th><th scope="col">Severity</th><th scope="col">Target</th><th scope="col">Control</th><th scope="col">Message</th></tr></thead><tbody>` +
        worst
          .map(
            ({ target, control }) =>
              `<tr><td>${statusBadge(control.status)}</td><td>${esc(control.severity)}</td><td>${esc(targetLabel(target))}</td><th scope="row">${controlId(control.id)} ${esc(control.title)}</th><td>${esc(control.message)}</td></tr>`,
          )
          .join("\n") +
        `</tbody></table>`,
    );
  } else parts.push(`<p>No failing or warning controls.</p>`);
  parts.push(
    `<table><caption>Control results across all targets</caption><thead><tr>${STATUSES.map((st) => `<th scope="col">${statusBadge(st)}</th>`).join("")}</tr></thead><tbody><tr>${STATUSES.map((st) => `<td>${s.controls[st]}</td>`).join("")}</tr></tbody></table>`,
  );
  parts.push(`</section>`);
  return parts.join("\n");
}

function targetSection(t: ReportTarget, i: number, open: boolean): string {
  const id = anchor("target", i);
  const v = verdictOf(t);
  const bad = t.controls.filter((c) => badness(c.status) > 0).sort(findingOrder);
  const ids = bad.length ? `${bad.length} failing or warning: ${bad.map((c) => controlId(c.id)).join(", ")}` : "no failing or warning controls";
  const parts: string[] = [
    `<details class="target" id="${id}" data-verdict="${v}" data-host="${esc(hostKey(t))}"${open ? " open" : ""}>`,
    `<summary><h2 id="${id}-h">${esc(targetLabel(t))}: ${verdictBadge(t.status)}</h2><span class="ids">${esc(verdictWords(v))}; ${ids}; certificate: ${esc(expiryText(t))}</span></summary>`,
    `<section aria-labelledby="${id}-h">`,
  ];
  parts.push(
    `<p class="meta">Kind: ${esc(t.kind === "adds" ? "AD DS" : t.kind === "adlds" ? "AD LDS" : "unknown")}; effective store: ${esc(t.selection.effectiveStore ?? "none")}; predicted certificate: <span class="mono">${esc(t.selection.predicted ?? "none")}</span>${t.selection.ambiguous ? " (ambiguous choice)" : ""}; evidence from ${esc(t.snapshot ?? "memory")}.</p>`,
  );
  if (t.rootCause) parts.push(`<p class="rootcause"><strong>Root cause:</strong> ${esc(t.rootCause)}</p>`);
  if (t.collectionErrors.length) {
    parts.push(
      `<table><caption>Collection errors (evidence that could not be gathered)</caption><thead><tr><th scope="col">Part</th><th scope="col">Message</th><th scope="col">Code</th></tr></thead><tbody>` +
        t.collectionErrors.map((e) => `<tr><th scope="row">${esc(e.part)}</th><td>${esc(e.message)}</td><td>${esc(e.code ?? "")}</td></tr>`).join("") +
        `</tbody></table>`,
    );
  }
  parts.push(`<h3>Controls</h3>`, controlsTable([...t.controls].sort(findingOrder), `Control results for ${targetLabel(t)}`));
  parts.push(`<h3>Certificates</h3>`);
  if (t.certificates.length) parts.push(`<div class="cards">${t.certificates.map((c) => certificateCard(c, 4)).join("\n")}</div>`);
  else parts.push(`<p>No certificates were found in the searched stores.</p>`);
  const events = t.facts?.events;
  if (isPlainObject(events) && Object.keys(events).length) parts.push(factsSection(events, 3, targetLabel(t), "Event evidence"));
  const clients = (t.facts as { clients?: ClientFacts | null } | undefined)?.clients;
  if (clients) parts.push(clientsSection(clients, targetLabel(t)));
  const surface = surfaceOf(t.facts);
  if (surface) parts.push(tlsSurfaceHtml(surface, targetLabel(t)));
  parts.push(`</section></details>`);
  return parts.join("\n");
}

function waiversSection(report: Report): string {
  if (!report.waivers.length) return "";
  return (
    `<section aria-labelledby="waivers"><h2 id="waivers">Waivers</h2>` +
    `<table><caption>Accepted exceptions</caption><thead><tr><th scope="col">Control</th><th scope="col">Scope</th><th scope="col">Justification</th><th scope="col">Approver</th><th scope="col">Expires</th></tr></thead><tbody>` +
    report.waivers
      .map(
        (w) =>
          `<tr><th scope="row">${controlId(w.control)}</th><td>${esc([w.host ? `host ${w.host}` : "all hosts", w.thumbprint ? `certificate ${w.thumbprint}` : ""].filter(Boolean).join(", "))}</td>` +
          `<td>${esc(w.justification)}</td><td>${esc(w.approver)}</td><td>${esc(w.expires)} ${w.expired ? statusBadgeText("fail", "EXPIRED") : statusBadgeText("pass", "ACTIVE")}</td></tr>`,
      )
      .join("") +
    `</tbody></table></section>`
  );
}

function inputsSection(report: Report): string {
  return (
    `<section aria-labelledby="inputs"><h2 id="inputs">Inputs and integrity</h2>` +
    `<p>Re-check with <code>ldaps-audit report --verify &lt;this report's JSON&gt;</code>.</p>` +
    `<table><caption>Input files with their SHA-256 digests</caption><thead><tr><th scope="col">Path</th><th scope="col">Kind</th><th scope="col">SHA-256</th></tr></thead><tbody>` +
    report.inputs.map((i) => `<tr><th scope="row" class="mono">${esc(i.path)}</th><td>${esc(i.kind)}</td><td class="mono">${esc(i.sha256)}</td></tr>`).join("") +
    `</tbody></table></section>`
  );
}

/** The whole report as one self-contained HTML document. */
export interface HtmlOptions {
  /** Open every host (for printing to PDF); by default hosts at risk are open and compliant ones collapsed. */
  expandAll?: boolean;
}

export function renderHtml(report: Report, options: HtmlOptions = {}): string {
  const order = riskOrder(report);
  // One host: always open. A fleet: the ones needing attention open, the rest collapsed.
  const open = (t: ReportTarget) => options.expandAll || report.targets.length === 1 || verdictOf(t) !== "compliant";
  const s = report.summary;
  const title = `LDAPS audit: ${s.compliant} of ${s.targets} target(s) compliant`;
  const body = [
    `<header><h1>LDAPS audit report</h1>`,
    `<p class="meta">Profile <strong>${esc(report.profile.title)}</strong> (<span class="mono">${esc(report.profile.id)}</span>, sha256 <span class="mono">${esc(report.profile.sha256.slice(0, 16))}\u2026</span>); evaluated as of ${esc(report.now)}; generated ${esc(report.generatedAt)} by ${esc(report.tool.name)} ${esc(report.tool.version)}.</p></header>`,
    `<main>`,
    filters(report),
    summarySection(report, order),
    ...order.map((i) => targetSection(report.targets[i], i, open(report.targets[i]))),
    waiversSection(report),
    inputsSection(report),
    `</main>`,
    `<footer><p>Status is shown as a symbol and a word: \u2713 PASS, \u2717 FAIL, ! WARN, \u2013 SKIP (evidence absent), \u2297 ERROR (could not evaluate), \u2691 WAIVED (accepted exception). \u2605 marks the certificate the directory service is predicted to use.</p></footer>`,
  ];
  return htmlPage(title, body.join("\n"), REPORT_SCRIPT);
}
