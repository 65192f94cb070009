// Waivers: accepted, time-limited exceptions. A matching, unexpired waiver turns fail/warn into waived;
// an expired one changes nothing but says so in the message, so an auditor sees it lapsed.
import { parseDate } from "../dates";
import { InputError } from "../errors";
import { readJsonOrYamlFile } from "../input";
import { assertValid, WAIVERS_SCHEMA_ID } from "../schemas";
import type { ControlResult } from "./evaluate";

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

export function loadWaivers(path: string): Waiver[] {
  const doc = assertValid<{ waivers: Waiver[] }>(WAIVERS_SCHEMA_ID, readJsonOrYamlFile(path), path, "waivers file");
  doc.waivers.forEach((w, i) => {
    if (parseDate(w.expires) === null) throw new InputError(`${path}: at /waivers/${i}/expires: ${JSON.stringify(w.expires)} is not a date that exists (YYYY-MM-DD)`);
  });
  return doc.waivers;
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
