// The one summary event `check` writes per run to the Windows Application log (source ldaps-audit): a stable
// event id per outcome, so a SIEM rule can alert on an id, and the failing control ids in the message.
// Pure: a report (or the error of a failed run) in, the event out; lib/eventlog/write.ts hands it to PowerShell.
import type { Report } from "../report/types";
import { termSafe } from "../terminal";

export const EVENT_LOG = "Application";
export const EVENT_SOURCE = "ldaps-audit";

export type Outcome = "compliant" | "warnings" | "noncompliant" | "failed";

/** Stable ids (README: "Event log"). Never renumber: SIEM rules and scheduled-task triggers match on them. */
export const EVENT_IDS: Readonly<Record<Outcome, number>> = { compliant: 1000, warnings: 1001, noncompliant: 1002, failed: 1003 };

const ENTRY_TYPES: Readonly<Record<Outcome, EntryType>> = { compliant: "Information", warnings: "Warning", noncompliant: "Error", failed: "Error" };

const HEADLINES: Readonly<Record<Outcome, string>> = { compliant: "COMPLIANT", warnings: "COMPLIANT WITH WARNINGS", noncompliant: "NON-COMPLIANT", failed: "FAILED" };

export type EntryType = "Information" | "Warning" | "Error";

export interface SummaryEvent {
  log: string;
  source: string;
  eventId: number;
  entryType: EntryType;
  outcome: Outcome;
  message: string;
}

/**
 * Write-EventLog refuses messages over 32766 characters and the Event Viewer truncates long ones; stay well below
 * and say so, the report holds the rest.
 */
export const MAX_MESSAGE = 30000;
const TRUNCATED = "\n... (message truncated; the report has every control)";

/**
 * One field of host-controlled text (host names, control ids from a user profile, error messages) made safe for
 * an event message: termSafe shows every line break (LF, CR, NEL, U+2028/2029), terminal control and bidi mark
 * as \xNN / \uNNNN, so a certificate subject cannot add a forged "Compliant" line; '%' becomes \x25 as well,
 * since the Event Viewer expands "%%n" in insertion strings from parameter message files.
 */
export function eventText(text: string): string {
  return termSafe(text).replace(/%/g, "\\x25");
}

function idList(ids: string[]): string {
  return ids.length ? ids.map(eventText).join(", ") : "none";
}

function unique(ids: string[]): string[] {
  return [...new Set(ids)].sort();
}

function finish(outcome: Outcome, lines: string[]): SummaryEvent {
  let message = lines.join("\n");
  if (message.length > MAX_MESSAGE) message = message.slice(0, MAX_MESSAGE - TRUNCATED.length) + TRUNCATED;
  return { log: EVENT_LOG, source: EVENT_SOURCE, eventId: EVENT_IDS[outcome], entryType: ENTRY_TYPES[outcome], outcome, message };
}

/** The outcome of an evaluated run: any fail or error is non-compliant; a warn alone gives "warnings". */
export function reportOutcome(report: Pick<Report, "summary">): Outcome {
  if (report.summary.noncompliant > 0) return "noncompliant";
  return report.summary.controls.warn > 0 ? "warnings" : "compliant";
}

/** The summary event of a run that produced a report. */
export function reportEvent(report: Report, context: { reportFile?: string } = {}): SummaryEvent {
  const outcome = reportOutcome(report);
  const s = report.summary;
  const failing = unique(report.targets.flatMap((t) => t.controls.filter((c) => c.status === "fail" || c.status === "error").map((c) => c.id)));
  const warning = unique(report.targets.flatMap((t) => t.controls.filter((c) => c.status === "warn").map((c) => c.id)));
  const lines = [
    `ldaps-audit check: ${HEADLINES[outcome]} with profile ${eventText(report.profile.id)} (${s.compliant} of ${s.targets} target(s) compliant)`,
    `Failing controls: ${idList(failing)}`,
    `Warning controls: ${idList(warning)}`,
  ];
  for (const t of report.targets) {
    const fail = t.controls.filter((c) => c.status === "fail" || c.status === "error").map((c) => c.id);
    const warn = t.controls.filter((c) => c.status === "warn").map((c) => c.id);
    let line = `Target ${eventText(t.host)}${t.service ? ` (${eventText(t.service)})` : ""}: ${t.status === "compliant" ? "compliant" : "NON-COMPLIANT"}`;
    if (fail.length) line += `; fail: ${idList(fail)}`;
    if (warn.length) line += `; warn: ${idList(warn)}`;
    if (t.rootCause) line += `; root cause: ${eventText(t.rootCause)}`;
    lines.push(line);
  }
  const c = s.controls;
  lines.push(`Controls: ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skip} skip, ${c.error} error, ${c.waived} waived`);
  if (context.reportFile) lines.push(`Report: ${eventText(context.reportFile)}`);
  lines.push(`ldaps-audit ${eventText(report.tool.version)}, evaluated at ${eventText(report.now)}`);
  return finish(outcome, lines);
}

/** The summary event of a run that ended without a report (collection or evaluation failed). */
export function failureEvent(error: unknown, context: { exitCode: number }): SummaryEvent {
  // The same one line main() prints on stderr.
  const message = (error instanceof Error ? error.message : String(error)).split("\n").map((l) => l.trim()).filter(Boolean).join(" ");
  return finish("failed", [
    `ldaps-audit check: FAILED (exit ${context.exitCode}): no compliance verdict for this run`,
    `Error: ${eventText(message)}`,
  ]);
}
