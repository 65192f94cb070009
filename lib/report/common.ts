// Small helpers shared by the report renderers (html, junit, rollup, diff): ordering of statuses and
// severities, target labels and keys, and the expiry arithmetic against a report's own "now".
import type { ControlResult, Status } from "../profile/types";
import type { ReportCertificate, ReportTarget } from "./types";
import { instantMs } from "../dates";
import { compareText } from "../text-order";

export const STATUSES: Status[] = ["fail", "error", "warn", "waived", "skip", "pass"];
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;

/** How bad a status is for a pipeline: fail/error 2, warn 1, everything else (pass, skip, waived) 0. */
export function badness(status: Status | undefined): number {
  if (status === "fail" || status === "error") return 2;
  if (status === "warn") return 1;
  return 0;
}

/** Sort key: worse statuses and higher severities first. */
export function findingOrder(a: ControlResult, b: ControlResult): number {
  return (
    badness(b.status) - badness(a.status) ||
    (a.status === "error" ? 0 : 1) - (b.status === "error" ? 0 : 1) ||
    SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) ||
    compareText(a.id, b.id)
  );
}

/** "dc1.example.test (NTDS)" */
export function targetLabel(t: Pick<ReportTarget, "host" | "service">): string {
  return t.service ? `${t.host} (${t.service})` : t.host;
}

/** "dc1.example.test/NTDS": stable identity of a target across reports (host names compare case-insensitively). */
export function targetKey(t: Pick<ReportTarget, "host" | "service">): string {
  return `${t.host.toLowerCase()}/${t.service ?? "-"}`;
}

/** The certificate the service is predicted to use, if any. */
export function predictedCertificate(t: ReportTarget): ReportCertificate | null {
  return t.certificates.find((c) => c.predicted && c.source !== "network") ?? (t.selection.predicted ? t.certificates.find((c) => c.thumbprint === t.selection.predicted) ?? null : null);
}

const DAY_MS = 86_400_000;

/** Whole days from `now` until `notAfter` (negative once expired), the same rounding as the facts (floor). */
export function daysUntil(notAfter: string, now: string): number {
  return Math.floor((instantMs(notAfter) - instantMs(now)) / DAY_MS);
}
