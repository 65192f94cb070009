// Fleet roll-up: many host reports -> one summary (schemas/rollup.schema.json): per-control counts across
// targets and the targets failing each control, and an expiry timeline of the predicted LDAPS
// certificates (expired, within 30/60/90 days of each report's own "now").
// A target (host + service) found in several reports counts once, from the report with the latest "now".
import { SCHEMA_BASE } from "../schemas";
import { toolVersion } from "../version";
import type { Status } from "../profile/types";
import { badness, daysUntil, predictedCertificate, SEVERITIES, STATUSES, targetKey, targetLabel } from "./common";
import { esc, htmlPage, statusBadge, statusBadgeText } from "./html";
import type { Report, ReportTarget, StatusCounts } from "./types";
import { instantMs } from "../dates";
import { terminalText } from "../terminal";
import { compareText } from "../text-order";

export const ROLLUP_SCHEMA_ID = `${SCHEMA_BASE}rollup.schema.json`;
export const EXPIRY_WINDOWS = [30, 60, 90] as const;

export interface RollupTargetRef {
  host: string;
  service: string | null;
}

export interface RollupExpiry extends RollupTargetRef {
  thumbprint: string;
  subject: string;
  notAfter: string;
  daysToExpiry: number;
  /** "expired", or the smallest window (30, 60, 90) the expiry falls in. */
  band: "expired" | "30" | "60" | "90";
}

export interface RollupControl {
  id: string;
  title: string;
  severity: string;
  counts: StatusCounts;
  failing: Array<RollupTargetRef & { status: Status; message: string }>;
  warning: Array<RollupTargetRef & { message: string }>;
}

export interface RollupTarget extends RollupTargetRef {
  status: ReportTarget["status"];
  report: number;
  rootCause: string | null;
  failing: string[];
  warning: string[];
  predicted: { thumbprint: string; subject: string; notAfter: string; daysToExpiry: number } | null;
}

export interface Rollup {
  $schema: string;
  rollupVersion: 1;
  tool: { name: "ldaps-audit"; version: string };
  generatedAt: string;
  reports: Array<{ path: string; profile: { id: string; sha256: string }; now: string; generatedAt: string; toolVersion: string; targets: number }>;
  summary: {
    reports: number;
    targets: number;
    compliant: number;
    noncompliant: number;
    /** Target results dropped because a newer report covered the same host and service. */
    superseded: number;
    profiles: string[];
    controls: StatusCounts;
  };
  controls: RollupControl[];
  expiry: {
    windows: number[];
    counts: { expired: number; within30: number; within60: number; within90: number; noPredicted: number };
    /** Predicted certificates that expired or expire within 90 days, soonest first. */
    timeline: RollupExpiry[];
    /** Targets with no predicted certificate (nothing qualifies: LDAPS is already down there). */
    noPredicted: RollupTargetRef[];
  };
  targets: RollupTarget[];
}

function emptyCounts(): StatusCounts {
  return { pass: 0, fail: 0, warn: 0, skip: 0, error: 0, waived: 0 };
}

function band(days: number): RollupExpiry["band"] | null {
  if (days < 0) return "expired";
  for (const w of EXPIRY_WINDOWS) if (days <= w) return String(w) as RollupExpiry["band"];
  return null;
}

type Chosen = { target: ReportTarget; report: number; now: number; gen: number };

/** Newest evidence per target wins: the report with the latest "now" (then the latest generatedAt). */
function newestPerTarget(inputs: Array<{ report: Report }>): { entries: Chosen[]; seen: number } {
  const chosen = new Map<string, Chosen>();
  let seen = 0;
  inputs.forEach(({ report }, ri) => {
    const now = instantMs(report.now);
    const gen = instantMs(report.generatedAt);
    for (const target of report.targets) {
      seen++;
      const key = targetKey(target);
      const prev = chosen.get(key);
      if (!prev || now > prev.now || (now === prev.now && gen >= prev.gen)) chosen.set(key, { target, report: ri, now, gen });
    }
  });
  return { entries: [...chosen.values()], seen };
}

const byHost = (a: RollupTargetRef, b: RollupTargetRef) => compareText(a.host, b.host) || compareText(a.service ?? "", b.service ?? "");

/** Per control: counts across targets and which targets fail or warn; the worst controls first. */
function tallyControls(entries: Chosen[]): { controls: RollupControl[]; total: StatusCounts } {
  const controls = new Map<string, RollupControl>();
  const total = emptyCounts();
  for (const { target: t } of entries) {
    const ref = { host: t.host, service: t.service };
    for (const c of t.controls) {
      let rc = controls.get(c.id);
      if (!rc) controls.set(c.id, (rc = { id: c.id, title: c.title, severity: c.severity, counts: emptyCounts(), failing: [], warning: [] }));
      rc.counts[c.status]++;
      total[c.status]++;
      if (badness(c.status) === 2) rc.failing.push({ ...ref, status: c.status, message: c.message });
      else if (c.status === "warn") rc.warning.push({ ...ref, message: c.message });
    }
  }
  const list = [...controls.values()].sort(
    (a, b) =>
      b.counts.fail + b.counts.error - (a.counts.fail + a.counts.error) ||
      b.counts.warn - a.counts.warn ||
      SEVERITIES.indexOf(a.severity as (typeof SEVERITIES)[number]) - SEVERITIES.indexOf(b.severity as (typeof SEVERITIES)[number]) ||
      compareText(a.id, b.id),
  );
  for (const c of list) {
    c.failing.sort(byHost);
    c.warning.sort(byHost);
  }
  return { controls: list, total };
}

/** One row per target, and the expiry timeline of the predicted certificates (days against each report's own "now"). */
function targetRows(entries: Chosen[], inputs: Array<{ report: Report }>): { targets: RollupTarget[]; timeline: RollupExpiry[]; noPredicted: RollupTargetRef[] } {
  const targets: RollupTarget[] = [];
  const timeline: RollupExpiry[] = [];
  const noPredicted: RollupTargetRef[] = [];
  for (const { target: t, report: ri } of entries) {
    const ref = { host: t.host, service: t.service };
    const p = predictedCertificate(t);
    const days = p ? daysUntil(p.notAfter, inputs[ri].report.now) : null;
    if (p && days !== null) {
      const b = band(days);
      if (b) timeline.push({ ...ref, thumbprint: p.thumbprint, subject: p.subject, notAfter: p.notAfter, daysToExpiry: days, band: b });
    } else noPredicted.push(ref);
    targets.push({
      ...ref,
      status: t.status,
      report: ri,
      rootCause: t.rootCause,
      failing: t.controls.filter((c) => badness(c.status) === 2).map((c) => c.id),
      warning: t.controls.filter((c) => c.status === "warn").map((c) => c.id),
      predicted: p && days !== null ? { thumbprint: p.thumbprint, subject: p.subject, notAfter: p.notAfter, daysToExpiry: days } : null,
    });
  }
  timeline.sort((a, b) => instantMs(a.notAfter) - instantMs(b.notAfter) || compareText(a.host, b.host));
  targets.sort((a, b) => (a.status === b.status ? 0 : a.status === "noncompliant" ? -1 : 1) || byHost(a, b));
  noPredicted.sort(byHost);
  return { targets, timeline, noPredicted };
}

function expirySummary(timeline: RollupExpiry[], noPredicted: RollupTargetRef[]): Rollup["expiry"] {
  const days = timeline.filter((e) => e.daysToExpiry >= 0);
  return {
    windows: [...EXPIRY_WINDOWS],
    counts: {
      expired: timeline.length - days.length,
      within30: days.filter((e) => e.daysToExpiry <= 30).length,
      within60: days.filter((e) => e.daysToExpiry <= 60).length,
      within90: days.length,
      noPredicted: noPredicted.length,
    },
    timeline,
    noPredicted,
  };
}

export function buildRollup(inputs: Array<{ report: Report; path: string }>, generatedAt: Date = new Date()): Rollup {
  const { entries, seen } = newestPerTarget(inputs);
  const { controls, total } = tallyControls(entries);
  const { targets, timeline, noPredicted } = targetRows(entries, inputs);
  return {
    $schema: ROLLUP_SCHEMA_ID,
    rollupVersion: 1,
    tool: { name: "ldaps-audit", version: toolVersion() },
    generatedAt: generatedAt.toISOString(),
    reports: inputs.map(({ report, path }) => ({
      path,
      profile: { id: report.profile.id, sha256: report.profile.sha256 },
      now: report.now,
      generatedAt: report.generatedAt,
      toolVersion: report.tool.version,
      targets: report.targets.length,
    })),
    summary: {
      reports: inputs.length,
      targets: targets.length,
      compliant: targets.filter((t) => t.status === "compliant").length,
      noncompliant: targets.filter((t) => t.status === "noncompliant").length,
      superseded: seen - entries.length,
      profiles: [...new Set(inputs.map(({ report }) => report.profile.id))].sort(),
      controls: total,
    },
    controls,
    expiry: expirySummary(timeline, noPredicted),
    targets,
  };
}

// ---- text

const LIST_LIMIT = 10;

function names(list: RollupTargetRef[], limit = LIST_LIMIT): string {
  const shown = list.slice(0, limit).map(targetLabel).join(", ");
  return list.length > limit ? `${shown}, and ${list.length - limit} more` : shown;
}

export function renderRollupText(r: Rollup): string {
  const s = r.summary;
  const c = s.controls;
  const lines: string[] = [
    `ldaps-audit ${r.tool.version} | fleet roll-up of ${s.reports} report(s) | profile(s) ${s.profiles.join(", ")}`,
    "",
    `Targets: ${s.targets} (${s.compliant} compliant, ${s.noncompliant} non-compliant)${s.superseded ? `; ${s.superseded} older result(s) superseded by newer reports` : ""}`,
    `Controls: ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skip} skip, ${c.error} error, ${c.waived} waived`,
    "",
    "Per control (targets):",
  ];
  const idw = Math.max(...r.controls.map((x) => x.id.length), 2);
  for (const x of r.controls) {
    const k = x.counts;
    lines.push(`  ${x.id.padEnd(idw)}  ${String(k.fail + k.error).padStart(5)} fail/error ${String(k.warn).padStart(5)} warn ${String(k.pass).padStart(5)} pass ${String(k.skip).padStart(5)} skip ${String(k.waived).padStart(4)} waived  ${x.title}`);
    if (x.failing.length) lines.push(`  ${" ".repeat(idw)}  failing: ${names(x.failing)}`);
    if (x.warning.length) lines.push(`  ${" ".repeat(idw)}  warning: ${names(x.warning)}`);
  }
  const e = r.expiry;
  lines.push(
    "",
    `Expiry of predicted LDAPS certificates: ${e.counts.expired} expired, ${e.counts.within30} within 30 days, ${e.counts.within60} within 60, ${e.counts.within90} within 90; ${e.counts.noPredicted} target(s) without a qualifying certificate`,
  );
  for (const x of e.timeline) {
    const when = x.daysToExpiry < 0 ? `expired ${-x.daysToExpiry} day(s) ago` : `in ${x.daysToExpiry} day(s)`;
    lines.push(`  ${x.notAfter.slice(0, 10)}  ${when.padEnd(22)} ${targetLabel(x)}  ${x.thumbprint}`);
  }
  if (e.noPredicted.length) lines.push(`  no qualifying certificate: ${names(e.noPredicted, 20)}`);
  return terminalText(lines);
}

// ---- HTML

export function renderRollupHtml(r: Rollup): string {
  const s = r.summary;
  const parts: string[] = [
    `<header><h1>LDAPS fleet roll-up</h1>`,
    `<p class="meta">${s.reports} report(s), profile(s) ${esc(s.profiles.join(", "))}; generated ${esc(r.generatedAt)} by ldaps-audit ${esc(r.tool.version)}.</p></header>`,
    `<main>`,
    `<section aria-labelledby="summary"><h2 id="summary">Summary</h2>`,
    `<p class="verdict">${s.compliant} of ${s.targets} target(s) compliant, ${s.noncompliant} non-compliant.${s.superseded ? ` ${s.superseded} older result(s) superseded by newer reports.` : ""}</p>`,
    `<table><caption>Control results across all targets</caption><thead><tr>${STATUSES.map((st) => `<th scope="col">${statusBadge(st)}</th>`).join("")}</tr></thead><tbody><tr>${STATUSES.map((st) => `<td>${s.controls[st]}</td>`).join("")}</tr></tbody></table>`,
    `</section>`,
    `<section aria-labelledby="controls"><h2 id="controls">Controls across the fleet</h2>`,
    `<table><caption>Per-control target counts and the targets failing each control</caption><thead><tr><th scope="col">Control</th><th scope="col">Severity</th>${STATUSES.map((st) => `<th scope="col">${statusBadge(st)}</th>`).join("")}<th scope="col">Failing targets</th></tr></thead><tbody>`,
    ...r.controls.map(
      (x) =>
        `<tr><th scope="row"><span class="mono">${esc(x.id)}</span><br>${esc(x.title)}</th><td>${esc(x.severity)}</td>${STATUSES.map((st) => `<td>${x.counts[st]}</td>`).join("")}` +
        `<td>${x.failing.length ? x.failing.map((f) => `${statusBadge(f.status)} ${esc(targetLabel(f))}`).join("<br>") : "none"}${x.warning.length ? `<br>${x.warning.map((w) => `${statusBadge("warn")} ${esc(targetLabel(w))}`).join("<br>")}` : ""}</td></tr>`,
    ),
    `</tbody></table></section>`,
    `<section aria-labelledby="expiry"><h2 id="expiry">Expiry timeline</h2>`,
    `<p>Predicted LDAPS certificates: ${r.expiry.counts.expired} expired, ${r.expiry.counts.within30} within 30 days, ${r.expiry.counts.within60} within 60 days, ${r.expiry.counts.within90} within 90 days. ${r.expiry.counts.noPredicted} target(s) have no qualifying certificate.</p>`,
  ];
  if (r.expiry.timeline.length) {
    parts.push(
      `<table><caption>Certificates expiring within 90 days, soonest first</caption><thead><tr><th scope="col">Expires</th><th scope="col">Window</th><th scope="col">Target</th><th scope="col">Certificate</th></tr></thead><tbody>` +
        r.expiry.timeline
          .map(
            (x) =>
              `<tr><td>${esc(x.notAfter.slice(0, 10))} (${x.daysToExpiry < 0 ? `expired ${-x.daysToExpiry} day(s) ago` : `${x.daysToExpiry} day(s)`})</td><td>${x.band === "expired" ? statusBadgeText("fail", "EXPIRED") : `within ${esc(x.band)} days`}</td>` +
              `<th scope="row">${esc(targetLabel(x))}</th><td>${esc(x.subject)}<br><span class="mono">${esc(x.thumbprint)}</span></td></tr>`,
          )
          .join("\n") +
        `</tbody></table>`,
    );
  }
  if (r.expiry.noPredicted.length) {
    parts.push(`<table><caption>Targets without a qualifying certificate</caption><thead><tr><th scope="col">Target</th></tr></thead><tbody>${r.expiry.noPredicted.map((x) => `<tr><th scope="row">${esc(targetLabel(x))}</th></tr>`).join("")}</tbody></table>`);
  }
  parts.push(
    `</section>`,
    `<section aria-labelledby="targets"><h2 id="targets">Targets</h2>`,
    `<table><caption>Every target, non-compliant first</caption><thead><tr><th scope="col">Target</th><th scope="col">Verdict</th><th scope="col">Failing</th><th scope="col">Warning</th><th scope="col">Root cause</th><th scope="col">Report</th></tr></thead><tbody>`,
    ...r.targets.map(
      (t) =>
        `<tr><th scope="row">${esc(targetLabel(t))}</th><td>${t.status === "compliant" ? statusBadgeText("pass", "COMPLIANT") : statusBadgeText("fail", "NON-COMPLIANT")}</td>` +
        `<td class="mono">${esc(t.failing.join(", ") || "\u2014")}</td><td class="mono">${esc(t.warning.join(", ") || "\u2014")}</td><td>${esc(t.rootCause ?? "\u2014")}</td><td class="mono">${esc(r.reports[t.report]?.path ?? "")}</td></tr>`,
    ),
    `</tbody></table></section>`,
    `<section aria-labelledby="reports"><h2 id="reports">Reports</h2>`,
    `<table><caption>Input reports</caption><thead><tr><th scope="col">Path</th><th scope="col">Profile</th><th scope="col">As of</th><th scope="col">Targets</th><th scope="col">Tool</th></tr></thead><tbody>`,
    ...r.reports.map((x) => `<tr><th scope="row" class="mono">${esc(x.path)}</th><td>${esc(x.profile.id)}</td><td>${esc(x.now)}</td><td>${x.targets}</td><td>${esc(x.toolVersion)}</td></tr>`),
    `</tbody></table></section>`,
    `</main>`,
  );
  return htmlPage(`LDAPS fleet roll-up: ${s.compliant} of ${s.targets} target(s) compliant`, parts.join("\n"));
}
