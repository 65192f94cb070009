// The report file (reportVersion 2) and the report in memory, converted in one place.
//
// In the file, a control's constants (title, severity, remediation, references) are stated once, in the
// top-level `controls` map, and each result names its control by `id`: a 1,000-host report no longer
// repeats the same references on every certificate (issue 17). In memory (`Report`), each result carries
// them again, as shared objects, so every renderer reads a result on its own as it always did.
//
// Version 1 files (constants on every result) are still read: upgradeV1 moves the constants into the
// map, and the result is validated as version 2. Constants that disagree between two results of one
// control cannot be stated once, so such a file is refused rather than silently picking one.
import type { Control, ControlResult, Status } from "../profile/types";
import type { Report, ReportControl, ReportControlResult, ReportDocument, ReportDocumentTarget, ReportTarget } from "./types";

export type JsonStyle = "pretty" | "compact";

/** The `controls` map of a report judged with these controls (the profile's), in profile order. */
export function reportControls(controls: Control[]): Record<string, ReportControl> {
  const out: Record<string, ReportControl> = {};
  for (const { meta: m } of controls) {
    out[m.id] = {
      title: m.title,
      severity: m.severity,
      ...(m.remediation ? { remediation: m.remediation } : {}),
      ...(m.references ? { references: m.references } : {}),
    };
  }
  return out;
}

/** A result's own part: what is left when its control's constants are taken out (key order kept). */
export function documentResult(c: ControlResult): ReportControlResult {
  // A loop rather than a rest destructuring: this runs for every result of a fleet (400,000 for 1,000 hosts
  // of 20 certificates), and the loop keeps the key order just the same.
  const own: Record<string, unknown> = {};
  for (const k in c) {
    if (k !== "title" && k !== "severity" && k !== "remediation" && k !== "references") own[k] = (c as unknown as Record<string, unknown>)[k];
  }
  return own as unknown as ReportControlResult;
}

/** Remediation is shown with results that fail or warn, or did before a waiver (as the evaluator gives it). */
function showsRemediation(status: Status, originalStatus: Status | undefined): boolean {
  const s = originalStatus ?? status;
  return s === "fail" || s === "warn";
}

/** A file result with its control's constants again, in the key order lib/profile/evaluate.ts gives. */
export function resolveResult(c: ReportControlResult, control: ReportControl): ControlResult {
  const { id, status, message, evidence, ...rest } = c;
  return {
    id,
    status,
    title: control.title,
    severity: control.severity,
    message,
    evidence,
    ...(control.remediation && showsRemediation(status, c.waiver?.originalStatus) ? { remediation: control.remediation } : {}),
    ...(control.references ? { references: control.references } : {}),
    ...rest,
  };
}

function requireControl(controls: Record<string, ReportControl>, id: string, where: string): ReportControl {
  const c = Object.prototype.hasOwnProperty.call(controls, id) ? controls[id] : undefined;
  if (!c) throw new UnknownControlError(`at ${where}: control ${JSON.stringify(id)} is not described in /controls`);
  return c;
}

/** A result names a control the report's `controls` does not describe. */
export class UnknownControlError extends Error {}

/** One target as the file states it. Throws UnknownControlError if a result's control is not in `controls`. */
export function documentTarget(t: ReportTarget, controls: Record<string, ReportControl>): ReportDocumentTarget {
  const own = (list: ControlResult[], where: string) =>
    list.map((c, i) => {
      requireControl(controls, c.id, `${where}/${i}`);
      return documentResult(c);
    });
  return {
    ...t,
    controls: own(t.controls, "/controls"),
    certificates: t.certificates.map((c, i) => ({ ...c, controls: own(c.controls, `/certificates/${i}/controls`) })),
  };
}

export function resolveTarget(t: ReportDocumentTarget, controls: Record<string, ReportControl>, at = ""): ReportTarget {
  const full = (list: ReportControlResult[], where: string) => list.map((c, i) => resolveResult(c, requireControl(controls, c.id, `${where}/${i}/id`)));
  return {
    ...t,
    controls: full(t.controls, `${at}/controls`),
    certificates: t.certificates.map((c, i) => ({ ...c, controls: full(c.controls, `${at}/certificates/${i}/controls`) })),
  };
}

/** The report as its file states it. */
export function reportDocument(report: Report): ReportDocument {
  return { ...report, targets: report.targets.map((t) => documentTarget(t, report.controls)) };
}

/** A (validated) file back into memory. Throws UnknownControlError naming the result whose control is missing. */
export function resolveDocument(doc: ReportDocument): Report {
  return { ...doc, targets: doc.targets.map((t, i) => resolveTarget(t, doc.controls, `/targets/${i}`)) };
}

function stringify(value: unknown, style: JsonStyle): string {
  return style === "compact" ? JSON.stringify(value) : JSON.stringify(value, null, 2);
}

/** The report file's text (no trailing newline; the writers add it). */
export function reportJson(report: Report, style: JsonStyle = "pretty"): string {
  return stringify(reportDocument(report), style);
}

/** One target's text as it stands inside the file's `targets` array (before indentation by the streaming writer). */
export function targetJson(t: ReportTarget, controls: Record<string, ReportControl>, style: JsonStyle = "pretty"): string {
  return stringify(documentTarget(t, controls), style);
}

const CONSTANTS = ["title", "severity", "remediation", "references"] as const;

/** Two version 1 results of one control state different constants: they cannot be stated once. */
export class UpgradeConflictError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * A version 1 report (parsed JSON, not yet validated) in version 2's shape: each result's constants moved
 * into `controls`. Anything not shaped like a report is left as it is, for validation to name. Throws
 * UpgradeConflictError when one control's results disagree on a constant.
 */
export function upgradeV1(data: Record<string, unknown>): Record<string, unknown> {
  const controls: Record<string, Record<string, unknown>> = {};
  const lift = (list: unknown, where: string): unknown => {
    if (!Array.isArray(list)) return list;
    return list.map((r: unknown, i) => {
      if (!isObject(r) || typeof r.id !== "string") return r;
      const known = Object.prototype.hasOwnProperty.call(controls, r.id) ? controls[r.id] : (controls[r.id] = {});
      const own: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r)) {
        if (!(CONSTANTS as readonly string[]).includes(k)) {
          own[k] = v;
          continue;
        }
        if (k in known && JSON.stringify(known[k]) !== JSON.stringify(v)) {
          throw new UpgradeConflictError(`at ${where}/${i}/${k}: control ${r.id} states a different ${k} than an earlier result of it; a version 1 report is read only when each control's ${k} is the same throughout`);
        }
        known[k] = v;
      }
      return own;
    });
  };
  const targets = Array.isArray(data.targets)
    ? data.targets.map((t: unknown, ti) => {
        if (!isObject(t)) return t;
        const out: Record<string, unknown> = { ...t, controls: lift(t.controls, `/targets/${ti}/controls`) };
        if (Array.isArray(t.certificates)) {
          out.certificates = t.certificates.map((c: unknown, ci) => (isObject(c) ? { ...c, controls: lift(c.controls, `/targets/${ti}/certificates/${ci}/controls`) } : c));
        }
        return out;
      })
    : data.targets;
  // Each control's keys in the order version 2 writes them (title, severity, remediation, references).
  for (const [id, c] of Object.entries(controls)) {
    controls[id] = Object.fromEntries(CONSTANTS.filter((k) => k in c).map((k) => [k, c[k]]));
  }
  // Key order as version 2 writes it: `controls` after `profile`.
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    if (k === "controls") continue;
    out[k] = k === "reportVersion" ? 2 : k === "targets" ? targets : v;
    if (k === "profile") out.controls = controls;
  }
  if (!("controls" in out)) out.controls = controls;
  return out;
}
