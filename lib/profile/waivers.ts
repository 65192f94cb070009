// Waivers: accepted, time-limited exceptions. A matching, unexpired waiver turns fail/warn into waived;
// an expired one changes nothing but says so in the message, so an auditor sees it lapsed.
import { createHash } from "node:crypto";
import { parseDate } from "../dates";
import { InputError } from "../errors";
import { parseJsonOrYaml, readInputFile } from "../input";
import { assertValid, WAIVERS_SCHEMA_ID } from "../schemas";
import type { ControlResult, TargetEvaluation } from "./types";

export interface Waiver {
  control: string;
  host?: string;
  thumbprint?: string;
  justification: string;
  approver: string;
  expires: string;
  ticket?: string;
}

const DAY_MS = 86_400_000;

/** Read a waivers file once: the waivers applied and the digest of exactly those bytes. */
export function loadWaivers(path: string): { waivers: Waiver[]; sha256: string } {
  const bytes = readInputFile(path);
  const doc = assertValid<{ waivers: Waiver[] }>(WAIVERS_SCHEMA_ID, parseJsonOrYaml(bytes.toString("utf8"), path), path, "waivers file");
  doc.waivers.forEach((w, i) => {
    if (parseDate(w.expires) === null) throw new InputError(`${path}: at /waivers/${i}/expires: ${JSON.stringify(w.expires)} is not a date that exists (YYYY-MM-DD)`);
  });
  return { waivers: doc.waivers, sha256: createHash("sha256").update(bytes).digest("hex") };
}

function matches(w: Waiver, r: ControlResult, host: string): boolean {
  if (w.control !== r.id) return false;
  if (w.host && w.host.toLowerCase() !== host.toLowerCase()) return false;
  if (w.thumbprint && (!r.thumbprint || w.thumbprint.toUpperCase() !== r.thumbprint.toUpperCase())) return false;
  return true;
}

/** The waiver is good through the end of its `expires` day (UTC). */
export function waiverExpired(w: Waiver, now: Date): boolean {
  return now.getTime() > parseDate(w.expires)! + DAY_MS - 1;
}

export function applyWaivers(results: ControlResult[], waivers: Waiver[], host: string, now: Date): ControlResult[] {
  return results.map((r) => {
    if (r.status !== "fail" && r.status !== "warn") return r;
    const candidates = waivers.filter((w) => matches(w, r, host));
    if (candidates.length === 0) return r;
    const valid = candidates.find((w) => !waiverExpired(w, now));
    const w = valid ?? candidates[0];
    const waiver = { justification: w.justification, approver: w.approver, expires: w.expires, expired: !valid, originalStatus: r.status };
    if (valid) return { ...r, status: "waived" as const, message: `${r.message} [waived until ${w.expires} by ${w.approver}: ${w.justification}]`, waiver };
    return { ...r, message: `${r.message} [waiver expired on ${w.expires} (approved by ${w.approver}); it no longer applies]`, waiver };
  });
}

/** A target's verdicts (host level and per certificate) with waivers applied, before anything is reported. */
export function waiveEvaluation(evaluation: TargetEvaluation, waivers: Waiver[], host: string, now: Date): TargetEvaluation {
  if (waivers.length === 0) return evaluation;
  return {
    ...evaluation,
    controls: applyWaivers(evaluation.controls, waivers, host, now),
    certificateControls: evaluation.certificateControls.map((list) => applyWaivers(list, waivers, host, now)),
  };
}
