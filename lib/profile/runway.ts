// The expiry-runway thresholds a profile sets in LDAPS-C07 (fail below N days, warn below M days), for
// monitoring outputs that must alert at the same points as the audit (Nagios perfdata thresholds).
// Read from the compiled control, not from the schema text: a profile may restate C07 with `minimum`,
// `exclusiveMinimum`, an `allOf`, ... and the validator is the one truth about where the line is.
import { statSync } from "node:fs";
import type { Control, LoadedProfile } from "./load";

export const RUNWAY_CONTROL = "LDAPS-C07";

export interface ExpiryRunway {
  /** C07 fails when daysToExpiry is below this (null: the profile sets no such line). */
  failBelowDays: number | null;
  /** C07 warns when daysToExpiry is below this (null: no warning line). */
  warnBelowDays: number | null;
}

// Far beyond any certificate lifetime; the search stays within it.
const RANGE = 100_000;

/** A still-valid certificate's facts with only its runway set: what C07 judges. */
function probe(days: number): unknown {
  return { validity: { validNow: true, daysToExpiry: days } };
}

/**
 * The smallest whole number of days the validator accepts, when it accepts every larger number and
 * refuses every smaller one (a threshold); null when it accepts all, refuses all, or is not monotonic.
 */
function lowestAccepted(accepts: (days: number) => boolean): number | null {
  if (!accepts(RANGE) || accepts(-RANGE)) return null;
  let lo = -RANGE; // refused
  let hi = RANGE; // accepted
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (accepts(mid)) hi = mid;
    else lo = mid;
  }
  // A threshold, not a window: spot-check both sides.
  for (const d of [hi, hi + 1, hi + 30, hi + 365, RANGE - 1]) if (!accepts(d)) return null;
  for (const d of [lo, lo - 1, lo - 30, -RANGE + 1]) if (accepts(d)) return null;
  return hi;
}

export function expiryRunway(profile: Pick<LoadedProfile, "controls">): ExpiryRunway {
  const control: Control | undefined = profile.controls.find((c) => c.meta.id === RUNWAY_CONTROL);
  if (!control) return { failBelowDays: null, warnBelowDays: null };
  const passes = (v: Control["requirement"] | null) => (v ? (days: number) => v(probe(days)) as boolean : null);
  const requirement = passes(control.requirement)!;
  const warning = passes(control.warning);
  const fail = lowestAccepted(requirement);
  const warn = warning ? lowestAccepted(warning) : null;
  // An advisory C07 only ever warns: below either line it warns.
  if (control.meta.advisory) {
    const lines = [fail, warn].filter((d): d is number => d !== null);
    return { failBelowDays: null, warnBelowDays: lines.length ? Math.max(...lines) : null };
  }
  return { failBelowDays: fail, warnBelowDays: warn };
}

/**
 * The runway of the profile a report was judged with, when this installation has that exact profile
 * (same digest): the shipped profile of that id, or the profile file the report names when it is a
 * regular file here. Null otherwise (a report from another machine, an older profile): callers then
 * show no thresholds rather than guess them.
 */
export function reportRunway(report: { profile: { id: string; source: string; sha256: string } }): ExpiryRunway | null {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { loadProfile, SHIPPED_PROFILES } = require("./load") as typeof import("./load");
  const candidates = [
    ...(SHIPPED_PROFILES.includes(report.profile.id) ? [report.profile.id] : []),
    // Only a regular file: a report is input, and its source path could name a FIFO or a device.
    ...(isRegularFile(report.profile.source) ? [report.profile.source] : []),
  ];
  for (const name of candidates) {
    try {
      const profile = loadProfile(name);
      if (profile.sha256 === report.profile.sha256) return expiryRunway(profile);
    } catch {
      /* not loadable here (invalid, or its $id is taken): no thresholds from it */
    }
  }
  return null;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
