// The report as a Nagios/Icinga check result (monitoring-plugins guidelines): one status line
// "LDAPS <STATE> - <text> | <perfdata>", long output after it, and the plugin's own exit code
// (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). This is a separate mode: only --format nagios exits
// with these codes; every other format keeps the pipeline codes (0 compliant, 1 non-compliant, 2, 3).
import type { ControlResult } from "../profile/types";
import type { ExpiryRunway } from "../profile/runway";
import { badness, findingOrder, predictedCertificate, targetLabel } from "./common";
import { termSafe } from "../terminal";
import type { Report, ReportTarget } from "./types";

export const NAGIOS = { ok: 0, warning: 1, critical: 2, unknown: 3 } as const;
export type NagiosState = keyof typeof NAGIOS;

const SERVICE = "LDAPS";

/**
 * Evidence strings (host names, messages) made safe for one plugin output line: no terminal controls or
 * line breaks (lib/terminal.ts termSafe), and no "|" (which would start the performance data), each shown as \xNN.
 */
export function nagiosText(text: string): string {
  return termSafe(text).replace(/\|/g, "\\x7c");
}

/** A perfdata label from untrusted text: letters, digits, dot, dash and underscore only (never ' or =). */
export function perfLabel(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * A perfdata threshold for "alert when the value is below N": the range "N:" (a bare "N" would mean
 * "alert outside 0..N", i.e. on every certificate with more than N days left).
 */
function below(days: number | null): string {
  return days === null ? "" : `${days}:`;
}

function targetState(t: ReportTarget): NagiosState {
  if (t.controls.some((c) => c.status === "fail")) return "critical";
  if (t.controls.some((c) => c.status === "error")) return "unknown";
  if (t.controls.some((c) => c.status === "warn")) return "warning";
  return "ok";
}

/** Worst first, as the guidelines order states: CRITICAL, UNKNOWN (could not judge), WARNING, OK. */
const PRECEDENCE: NagiosState[] = ["critical", "unknown", "warning", "ok"];

export interface NagiosResult {
  state: NagiosState;
  exitCode: number;
  /** Status line, long output and perfdata, ending in a newline. */
  output: string;
}

function badIds(t: ReportTarget): string {
  return t.controls
    .filter((c) => badness(c.status) > 0)
    .sort(findingOrder)
    .map((c) => c.id)
    .join(", ");
}

export function renderNagios(report: Report, runway: ExpiryRunway | null): NagiosResult {
  if (report.targets.length === 0) return unknownResult("the report has no targets");
  const states = report.targets.map(targetState);
  const state = PRECEDENCE.find((s) => states.includes(s))!;
  const count = (s: NagiosState) => states.filter((x) => x === s).length;
  const n = report.targets.length;

  const named = (s: NagiosState) =>
    report.targets
      .filter((_, i) => states[i] === s)
      .slice(0, 3)
      .map((t) => `${nagiosText(targetLabel(t))}: ${badIds(t)}`)
      .join("; ") + (count(s) > 3 ? `; ${count(s) - 3} more` : "");
  const parts: string[] = [];
  if (count("critical")) parts.push(`${count("critical")} of ${n} target(s) non-compliant (${named("critical")})`);
  if (count("unknown")) parts.push(`${count("unknown")} of ${n} target(s) could not be judged (${named("unknown")})`);
  if (count("warning")) parts.push(`${count("warning")} of ${n} target(s) with warnings (${named("warning")})`);
  if (state === "ok") parts.push(`${n} of ${n} target(s) compliant`);
  const expiry = report.targets.map(predictedCertificate).filter((c) => c !== null);
  if (expiry.length) {
    const soonest = Math.min(...expiry.map((c) => c.daysToExpiry));
    parts.push(soonest < 0 ? `a predicted certificate expired ${-soonest} day(s) ago` : `soonest certificate expiry in ${soonest} day(s)`);
  }

  const perf = perfdata(report, runway);
  const statusLine = `${SERVICE} ${state.toUpperCase()} - ${parts.join(", ")}${perf ? ` | ${perf}` : ""}`;
  // Long output: every finding that is not a pass, worst first, one line each.
  const details = report.targets.flatMap((t) =>
    t.controls
      .filter((c: ControlResult) => badness(c.status) > 0)
      .sort(findingOrder)
      .map((c) => `${nagiosText(targetLabel(t))}: ${c.status.toUpperCase()} ${c.id} ${nagiosText(c.message)}`),
  );
  return { state, exitCode: NAGIOS[state], output: [statusLine, ...details].join("\n") + "\n" };
}

function perfdata(report: Report, runway: ExpiryRunway | null): string {
  const warn = below(runway?.warnBelowDays ?? null);
  const crit = below(runway?.failBelowDays ?? null);
  const used = new Set<string>();
  const items: string[] = [];
  for (const t of report.targets) {
    const cert = predictedCertificate(t);
    // No predicted certificate: no number at all, never a made-up one.
    if (!cert) continue;
    const base = report.targets.length === 1 ? "days_to_expiry" : `days_to_expiry_${perfLabel(targetLabel(t))}`;
    let label = base;
    for (let i = 2; used.has(label); i++) label = `${base}_${i}`;
    used.add(label);
    items.push(`${label}=${cert.daysToExpiry};${warn};${crit}`);
  }
  items.push(`noncompliant_targets=${report.summary.noncompliant};;;0;${report.summary.targets}`);
  return items.join(" ");
}

/** What a check prints when it cannot judge (bad arguments, unreadable input): UNKNOWN, exit 3. */
export function unknownResult(reason: string): NagiosResult {
  return { state: "unknown", exitCode: NAGIOS.unknown, output: `${SERVICE} UNKNOWN - ${nagiosText(reason)}\n` };
}
