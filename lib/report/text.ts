// Human-readable report for terminals and logs. Colour only when asked (a TTY).
import type { Status } from "../profile/evaluate";
import type { ClientFacts } from "../facts/clients";
import type { Report, ReportTarget } from "./types";

const COLOURS: Record<Status, string> = { pass: "32", fail: "31;1", warn: "33", skip: "2", error: "35;1", waived: "36" };

export interface TextOptions {
  colour?: boolean;
  verbose?: boolean;
}

const painter = (options: TextOptions) => (s: Status, text: string) => (options.colour ? `\x1b[${COLOURS[s]}m${text}\x1b[0m` : text);
const bolder = (options: TextOptions) => (text: string) => (options.colour ? `\x1b[1m${text}\x1b[0m` : text);

export function textHeader(report: Pick<Report, "tool" | "profile" | "now">): string {
  return `ldaps-audit ${report.tool.version} | profile ${report.profile.id} | now ${report.now}\n`;
}

/**
 * Strings from evidence (certificate subjects, SANs, event identities, server names) can carry control
 * characters; in a terminal they would clear the screen or retitle the window. Show them as \xNN instead.
 */
export function termSafe(text: string): string {
  // C0 controls but tab, DEL, C1 controls, and bidi overrides/isolates.
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** A copy of the value with every string made terminal-safe. */
function safeDeep<T>(value: T): T {
  if (typeof value === "string") return termSafe(value) as T;
  if (Array.isArray(value)) return value.map(safeDeep) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, safeDeep(v)])) as T;
  return value;
}

export function textTarget(t: ReportTarget, options: TextOptions = {}): string {
  return "\n" + renderTarget(safeDeep(t), painter(options), bolder(options), options.verbose ?? false).join("\n") + "\n";
}

export function textSummary(summary: Report["summary"], options: TextOptions = {}): string {
  const c = summary.controls;
  return (
    "\n" +
    bolder(options)(`Summary: ${summary.compliant} of ${summary.targets} target(s) compliant`) +
    ` | controls: ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skip} skip, ${c.error} error, ${c.waived} waived\n`
  );
}

export function renderText(report: Report, options: TextOptions = {}): string {
  return textHeader(report) + report.targets.map((t) => textTarget(t, options)).join("") + textSummary(report.summary, options);
}

function renderTarget(t: ReportTarget, paint: (s: Status, x: string) => string, bold: (x: string) => string, verbose: boolean): string[] {
  const lines: string[] = [];
  const verdict = t.status === "compliant" ? paint("pass", "COMPLIANT") : paint("fail", "NON-COMPLIANT");
  lines.push(bold(`${t.host}${t.service ? ` (${t.service})` : ""}: `) + verdict);
  if (t.rootCause) lines.push(`  Root cause: ${t.rootCause}`);
  for (const e of t.collectionErrors) lines.push(`  Collection error in ${e.part}: ${e.message}`);
  const idWidth = Math.max(...t.controls.map((c) => c.id.length), 2);
  for (const c of t.controls) {
    if (!verbose && c.status === "pass") continue;
    lines.push(`  ${paint(c.status, c.status.toUpperCase().padEnd(6))} ${c.id.padEnd(idWidth)}  ${c.title}`);
    lines.push(`         ${c.message}`);
    if (c.remediation && (c.status === "fail" || c.status === "warn")) lines.push(`         Fix: ${c.remediation}`);
  }
  const passed = t.controls.filter((c) => c.status === "pass").length;
  if (!verbose && passed) lines.push(`  ${paint("pass", "PASS".padEnd(6))} ${passed} more control(s) passed (--verbose lists them)`);
  if (t.certificates.length) lines.push("  Certificates:");
  for (const cert of t.certificates) {
    const mark = cert.predicted ? "*" : " ";
    const where = cert.source === "network" ? `presented on ${cert.presentedOn.join(", ")}` : (cert.store ?? cert.source);
    lines.push(`   ${mark} ${cert.thumbprint}  ${cert.subject || "(empty subject)"}`);
    lines.push(`      ${where}; expires ${cert.notAfter.slice(0, 10)} (${cert.daysToExpiry} days); SAN ${cert.san.join(", ") || "none"}; EKU ${cert.eku.join(", ") || "none"}`);
    if (cert.source !== "network") {
      lines.push(cert.qualifies ? `      qualifies${cert.predicted ? "; the service is predicted to use it" : ""}` : `      does not qualify: ${cert.disqualifiedBy.map((d) => `${d.control} ${d.reason}`).join("; ")}`);
    }
  }
  if (t.facts.clients) lines.push(...renderClients(t.facts.clients, verbose));
  return lines;
}

const MAX_CLIENT_ROWS = 20;

const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : "-");

/** The client table (who tries LDAPS, and LDAP without TLS) and the settings that would show more. */
function renderClients(c: ClientFacts, verbose: boolean): string[] {
  const lines: string[] = [];
  const ports = c.ports.length ? c.ports.join(", ") : "no LDAPS port";
  lines.push(`  Clients trying LDAPS (${ports}${c.windowDays !== null ? `; last ${c.windowDays} days` : ""}):`);
  if (c.clients.length) {
    const shown = verbose ? c.clients : c.clients.slice(0, MAX_CLIENT_ROWS);
    const table = [
      ["IP", "Name", "Port", "Count", "First (UTC)", "Last (UTC)", "Evidence"],
      ...shown.map((r) => [
        r.ip,
        r.name ?? "-",
        r.ports.length ? r.ports.join(",") : "LDAP (no TLS)",
        String(r.count),
        when(r.first),
        when(r.last),
        r.evidence.join(", ") + (r.insecureBinds ? ` (${r.insecureBinds.bindTypes.join("/")} bind as ${r.insecureBinds.identities.join(", ") || "anonymous"})` : ""),
      ]),
    ];
    const widths = table[0].map((_, i) => Math.max(...table.map((row) => row[i].length)));
    for (const row of table) lines.push(`    ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")}`);
    if (shown.length < c.clients.length) lines.push(`    ... and ${c.clients.length - shown.length} more (--verbose lists them)`);
    if (c.truncated) lines.push("    (the collector capped the list: these are the busiest clients)");
  } else if (c.ldapsEvidence) {
    lines.push(`    none seen (${[c.sources.connectionTable === "read" ? "connection table" : "", c.sources.firewallLog === "read" ? "firewall log" : ""].filter(Boolean).join(", ")} read)`);
  } else {
    lines.push("    unknown: no connection table or firewall log was read");
  }
  if (c.handshakeFailures.count) {
    const details = Object.entries(c.handshakeFailures.details).map(([k, n]) => `${k} x${n}`).join(", ");
    lines.push(`    Schannel handshake failures on the host (any TLS service, no client address): ${c.handshakeFailures.count}${details ? ` (${details})` : ""}`);
  }
  if (c.missingEvidence.length) {
    lines.push("    Missing evidence, turn on:");
    for (const m of c.missingEvidence) {
      lines.push(`    - ${m.what}: ${m.setting}`);
      lines.push(`        ${m.how}`);
    }
  }
  return lines;
}
