// One self-contained HTML page for auditors: inline CSS only, no scripts, no remote resources (a
// Content-Security-Policy meta forbids both), readable on screen and on paper. Every string that came
// from evidence (subjects, SANs, event identities, messages) goes through esc(): certificates and event
// logs are attacker-influenced input.
import type { ClientFacts } from "../facts/clients";
import { createHash } from "node:crypto";
import type { ControlResult, Status } from "../profile/evaluate";
import { badness, findingOrder, STATUSES, targetLabel } from "./common";
import type { Report, ReportCertificate, ReportTarget } from "./types";

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
@media print {
  body { padding: 0; max-width: none; font-size: 10.5pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  h3, h4, caption { break-after: avoid; page-break-after: avoid; }
  tr, .card { break-inside: avoid; page-break-inside: avoid; }
  .target { break-before: page; page-break-before: always; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  a { color: inherit; text-decoration: none; }
}
`;

/** The CSP: no scripts, no remote anything; only the one inline stylesheet, by hash. */
export function contentSecurityPolicy(css: string = CSS): string {
  const hash = createHash("sha256").update(css, "utf8").digest("base64");
  return `default-src 'none'; script-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; font-src 'none'; connect-src 'none'; object-src 'none'; media-src 'none'; frame-src 'none'; base-uri 'none'; form-action 'none'`;
}

/** Page shell shared by the report and the roll-up. `body` must already be escaped HTML. */
export function htmlPage(title: string, body: string): string {
  return [
    "<!DOCTYPE html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy())}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="ldaps-audit">',
    `<title>${esc(title)}</title>`,
    `<style>${CSS}</style>`,
    "</head>",
    "<body>",
    body,
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
      `<tr><td>${statusBadge(c.status)}</td><th scope="row"><span class="mono">${esc(c.id)}</span><br>${esc(c.title)}</th><td>${esc(c.severity)}</td>` +
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
    ? `<p><strong>Disqualified by:</strong></p><ul>${cert.disqualifiedBy.map((d) => `<li><span class="mono">${esc(d.control)}</span>: ${esc(d.reason)}</li>`).join("")}</ul>`
    : "";
  const probs = problems.length
    ? `<ul class="evidence" aria-label="Certificate findings">${problems.map((c) => `<li>${statusBadge(c.status)} <span class="mono">${esc(c.id)}</span> ${esc(c.message)}</li>`).join("")}</ul>`
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
  return parts.join("\n");
}

// ---- the report page

function worstFindings(report: Report, limit = 10): Array<{ target: ReportTarget; index: number; control: ControlResult }> {
  const all = report.targets.flatMap((target, index) => target.controls.filter((c) => badness(c.status) > 0).map((control) => ({ target, index, control })));
  all.sort((a, b) => findingOrder(a.control, b.control) || a.index - b.index);
  return all.slice(0, limit);
}

function summarySection(report: Report): string {
  const s = report.summary;
  const parts: string[] = [`<section aria-labelledby="summary"><h2 id="summary">Summary</h2>`];
  parts.push(
    `<p class="verdict">${s.noncompliant === 0 ? verdictBadge("compliant") : verdictBadge("noncompliant")} ${s.compliant} of ${s.targets} target(s) compliant, ${s.noncompliant} non-compliant.</p>`,
  );
  parts.push(
    `<table><caption>Targets</caption><thead><tr><th scope="col">Target</th><th scope="col">Verdict</th><th scope="col">Failing or warning controls</th><th scope="col">Root cause</th></tr></thead><tbody>` +
      report.targets
        .map((t, i) => {
          const bad = t.controls.filter((c) => badness(c.status) > 0).sort(findingOrder);
          return `<tr><th scope="row"><a href="#${anchor("target", i)}">${esc(targetLabel(t))}</a></th><td>${verdictBadge(t.status)}</td><td>${bad.length ? bad.map((c) => `${statusBadge(c.status)} <span class="mono">${esc(c.id)}</span>`).join("<br>") : "none"}</td><td>${esc(t.rootCause ?? "\u2014")}</td></tr>`;
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
              `<tr><td>${statusBadge(control.status)}</td><td>${esc(control.severity)}</td><td>${esc(targetLabel(target))}</td><th scope="row"><span class="mono">${esc(control.id)}</span> ${esc(control.title)}</th><td>${esc(control.message)}</td></tr>`,
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

function targetSection(t: ReportTarget, i: number): string {
  const id = anchor("target", i);
  const parts: string[] = [`<section class="target" aria-labelledby="${id}"><h2 id="${id}">${esc(targetLabel(t))}: ${verdictBadge(t.status)}</h2>`];
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
  parts.push(`</section>`);
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
          `<tr><th scope="row" class="mono">${esc(w.control)}</th><td>${esc([w.host ? `host ${w.host}` : "all hosts", w.thumbprint ? `certificate ${w.thumbprint}` : ""].filter(Boolean).join(", "))}</td>` +
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
export function renderHtml(report: Report): string {
  const s = report.summary;
  const title = `LDAPS audit: ${s.compliant} of ${s.targets} target(s) compliant`;
  const body = [
    `<header><h1>LDAPS audit report</h1>`,
    `<p class="meta">Profile <strong>${esc(report.profile.title)}</strong> (<span class="mono">${esc(report.profile.id)}</span>, sha256 <span class="mono">${esc(report.profile.sha256.slice(0, 16))}\u2026</span>); evaluated as of ${esc(report.now)}; generated ${esc(report.generatedAt)} by ${esc(report.tool.name)} ${esc(report.tool.version)}.</p></header>`,
    `<main>`,
    summarySection(report),
    ...report.targets.map((t, i) => targetSection(t, i)),
    waiversSection(report),
    inputsSection(report),
    `</main>`,
    `<footer><p>Status is shown as a symbol and a word: \u2713 PASS, \u2717 FAIL, ! WARN, \u2013 SKIP (evidence absent), \u2297 ERROR (could not evaluate), \u2691 WAIVED (accepted exception). \u2605 marks the certificate the directory service is predicted to use.</p></footer>`,
  ];
  return htmlPage(title, body.join("\n"));
}
