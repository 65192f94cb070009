// Human-readable report for terminals and logs. Colour only when asked (a TTY). The renderers build lines;
// lib/terminal.ts turns them into text, so no string from evidence reaches a terminal unescaped.
import type { ControlResult, Status } from "../profile/types";
import type { ClientFacts, ReadinessVerdict } from "../facts/types";
import { styled, terminalText, TermLine } from "../terminal";
import type { Report, ReportTarget } from "./types";
import { surfaceOf, tlsSurfaceText } from "./tls-surface";

export interface TextOptions {
  colour?: boolean;
  verbose?: boolean;
}

export function textHeader(report: Pick<Report, "tool" | "profile" | "now">): string {
  return terminalText([`ldaps-audit ${report.tool.version} | profile ${report.profile.id} | now ${report.now}`]);
}

export function textTarget(t: ReportTarget, options: TextOptions = {}): string {
  return terminalText(["", ...targetLines(t, options.verbose ?? false)], options);
}

export function textSummary(summary: Report["summary"], options: TextOptions = {}): string {
  const c = summary.controls;
  return terminalText(
    ["", [styled("bold", `Summary: ${summary.compliant} of ${summary.targets} target(s) compliant`), ` | controls: ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skip} skip, ${c.error} error, ${c.waived} waived`]],
    options,
  );
}

export function renderText(report: Report, options: TextOptions = {}): string {
  return textHeader(report) + report.targets.map((t) => textTarget(t, options)).join("") + textSummary(report.summary, options);
}

const statusWord = (s: Status, text = s.toUpperCase()) => styled(s, text.padEnd(6));

/**
 * Why a control was skipped, for grouping: the facts its `if` found missing (the first evidence
 * pointer, e.g. /network), else its message. Certificate indexes are dropped so that the same gap in
 * every certificate is one reason.
 */
function skipReason(c: ControlResult): string {
  const at = c.evidence[0]?.instancePath;
  return at ? at.replace(/^\/certificates\/\d+/, "/certificates/*") : `message:${c.message}`;
}

/** Reasons worth a sentence of advice of their own; other groups are named by their controls' message. */
const SKIP_ADVICE: Record<string, string> = {
  "/network": "need network evidence (run ldaps-audit probe, then evaluate --probe)",
  "/events": "need event-log evidence (run ldaps-audit collect or check on the DC)",
};

/** Skipped controls, one line per reason: "4 skipped: need network evidence (...)"; a reason of one control names it. */
function skipGroupLines(skipped: ControlResult[], idWidth: number): TermLine[] {
  const groups = new Map<string, ControlResult[]>();
  for (const c of skipped) groups.set(skipReason(c), [...(groups.get(skipReason(c)) ?? []), c]);
  return [...groups].map(([reason, list]): TermLine => {
    if (list.length === 1 && !SKIP_ADVICE[reason]) return ["  ", statusWord("skip"), ` ${list[0].id.padEnd(idWidth)}  ${list[0].message}`];
    const sameMessage = list.every((c) => c.message === list[0].message);
    const why = SKIP_ADVICE[reason] ?? (sameMessage ? list[0].message : `${list[0].message} (and ${list.length - 1} more)`);
    return ["  ", statusWord("skip"), ` ${list.length} skipped: ${why}`];
  });
}

function targetLines(t: ReportTarget, verbose: boolean): TermLine[] {
  const lines: TermLine[] = [];
  const verdict = t.status === "compliant" ? styled("pass", "COMPLIANT") : styled("fail", "NON-COMPLIANT");
  lines.push([styled("bold", `${t.host}${t.service ? ` (${t.service})` : ""}: `), verdict]);
  if (t.rootCause) lines.push(`  Root cause: ${t.rootCause}`);
  for (const e of t.collectionErrors) lines.push(`  Collection error in ${e.part}: ${e.message}`);
  const idWidth = Math.max(...t.controls.map((c) => c.id.length), 2);
  // Without --verbose, passes and skips collapse into counts: what the eye meets are the failures.
  const collapsed = (c: ControlResult) => !verbose && (c.status === "pass" || c.status === "skip");
  for (const c of t.controls) {
    if (collapsed(c)) continue;
    lines.push(["  ", statusWord(c.status), ` ${c.id.padEnd(idWidth)}  ${c.title}`]);
    lines.push(`         ${c.message}`);
    if (c.remediation && (c.status === "fail" || c.status === "warn")) lines.push(`         Fix: ${c.remediation}`);
  }
  if (!verbose) {
    const skipped = t.controls.filter((c) => c.status === "skip");
    const passed = t.controls.filter((c) => c.status === "pass").length;
    lines.push(...skipGroupLines(skipped, idWidth));
    if (passed) lines.push(["  ", statusWord("pass", "PASS"), ` ${passed} more control(s) passed (--verbose lists them)`]);
    else if (skipped.length) lines.push("         (--verbose lists the skipped controls)");
  }
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
  const surface = surfaceOf(t.facts);
  if (surface) lines.push(...tlsSurfaceText(surface));
  return lines;
}

const MAX_CLIENT_ROWS = 20;

const when = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)}` : "-");

/** The client table (who tries LDAPS, and LDAP without TLS) and the settings that would show more. */
function renderClients(c: ClientFacts, verbose: boolean): TermLine[] {
  const lines: TermLine[] = [];
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
  if (c.readiness) lines.push(...renderReadiness([c.readiness.signing, c.readiness.channelBinding], verbose));
  return lines;
}

const VERDICT_TEXT: Record<ReadinessVerdict["verdict"], string> = { yes: "yes", no: "NO", unknown: "unknown", "not-applicable": "already enforced" };

/** "Which clients break if I enforce?": one block per setting; every client and identity comes from events (escaped by lib/terminal). */
function renderReadiness(verdicts: ReadinessVerdict[], verbose: boolean): TermLine[] {
  const lines: TermLine[] = ["  Before you enforce:"];
  for (const v of verdicts) {
    lines.push(`    ${v.setting}: safe to enforce? ${VERDICT_TEXT[v.verdict]}${v.enforcedBy ? ` (${v.enforcedBy})` : ""}`);
    if (v.verdict === "not-applicable") continue;
    const shown = verbose ? v.breakingClients : v.breakingClients.slice(0, MAX_CLIENT_ROWS);
    for (const b of shown) {
      lines.push(`      - ${b.ip} ${b.identity || "(anonymous)"}: ${b.reason}; ${b.count} bind(s), last ${when(b.last)} [${b.events.join(", ")}]`);
    }
    if (shown.length < v.breakingClients.length) lines.push(`      ... and ${v.breakingClients.length - shown.length} more (--verbose lists them)`);
    if (v.clientsNotListed) lines.push(`      ${v.clientsNotListed} more event(s) of clients beyond the collector's per-event cap`);
    if (v.unnamedBreakingBinds) lines.push(`      ${v.unnamedBreakingBinds} bind(s) counted by a daily summary (2887/3040)${v.breakingClients.length ? "" : ", clients not named"}`);
    if (v.verdict === "yes") lines.push(`      no client would break: ${v.summary.replace(/^[^—]*— /, "")}`);
    for (const m of v.missingEvidence) {
      lines.push(`      missing: ${m.what}: ${m.setting}`);
      lines.push(`        ${m.how}`);
    }
  }
  return lines;
}
