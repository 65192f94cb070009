// What changed between two reports (or two sets of reports), per target and control: newly failing,
// fixed, other status changes, the predicted certificate replaced, runway shrinking, a new issuer. A regression is a
// control that got worse (pass/skip/waived -> warn/fail/error, warn -> fail/error), a target that went
// compliant -> non-compliant, or a target that appeared non-compliant.
import type { Status } from "../profile/types";
import { badness, predictedCertificate, targetKey, targetLabel } from "./common";
import type { Report, ReportCertificate, ReportTarget } from "./types";
import { terminalText } from "../terminal";
import { compareText } from "../text-order";

export type ChangeKind =
  | "newly-failing"
  | "fixed"
  | "worse"
  | "better"
  | "status-changed"
  | "control-added"
  | "control-removed"
  | "certificate-replaced"
  | "certificate-gained"
  | "certificate-lost"
  | "runway-shrinking"
  | "issuer-changed";

export interface DiffChange {
  kind: ChangeKind;
  control?: string;
  title?: string;
  from: string | null;
  to: string | null;
  regression: boolean;
  message: string;
}

export interface TargetDiff {
  host: string;
  service: string | null;
  change: "added" | "removed" | "changed" | "unchanged";
  from: ReportTarget["status"] | null;
  to: ReportTarget["status"] | null;
  regression: boolean;
  changes: DiffChange[];
}

export interface ReportDiff {
  old: { sources: string[]; now: string[]; profiles: string[] };
  new: { sources: string[]; now: string[]; profiles: string[] };
  profileChanged: boolean;
  regressed: boolean;
  summary: { regressions: number; improvements: number; changes: number; added: number; removed: number; changed: number; unchanged: number };
  targets: TargetDiff[];
}

/** Runway thresholds (days) whose crossing is worth a line even when the certificate did not change. */
const RUNWAY_MARKS = [90, 60, 30, 14, 7, 0];

function controlChange(id: string, title: string, from: Status | null, to: Status | null, message: string): DiffChange | null {
  if (from === to) return null;
  if (from === null) {
    const bad = badness(to!) > 0;
    return { kind: bad && badness(to!) === 2 ? "newly-failing" : "control-added", control: id, title, from, to, regression: bad, message: `new control, ${to}: ${message}` };
  }
  if (to === null) return { kind: "control-removed", control: id, title, from, to, regression: false, message: `no longer evaluated (was ${from})` };
  const b0 = badness(from);
  const b1 = badness(to);
  let kind: ChangeKind = "status-changed";
  if (b1 > b0) kind = b1 === 2 ? "newly-failing" : "worse";
  else if (b1 < b0) kind = b0 === 2 && b1 === 0 ? "fixed" : "better";
  return { kind, control: id, title, from, to, regression: b1 > b0, message: `${from} -> ${to}: ${message}` };
}

/** The lowest runway mark crossed between the two runs (the most urgent one), if any. */
function crossedMark(oldDays: number, newDays: number): number | null {
  let crossed: number | null = null;
  for (const m of RUNWAY_MARKS) if (oldDays > m && newDays <= m) crossed = m;
  return crossed;
}

function diffTarget(a: ReportTarget, b: ReportTarget): TargetDiff {
  const changes: DiffChange[] = [];
  const oldControls = new Map(a.controls.map((c) => [c.id, c]));
  const newControls = new Map(b.controls.map((c) => [c.id, c]));
  for (const c of b.controls) {
    const o = oldControls.get(c.id);
    const ch = controlChange(c.id, c.title, o?.status ?? null, c.status, c.message);
    if (ch) changes.push(ch);
  }
  for (const o of a.controls) if (!newControls.has(o.id)) changes.push(controlChange(o.id, o.title, o.status, null, o.message)!);

  const pa = predictedCertificate(a);
  const pb = predictedCertificate(b);
  const ta = a.selection.predicted;
  const tb = b.selection.predicted;
  if (ta && tb && ta !== tb) {
    changes.push({ kind: "certificate-replaced", from: ta, to: tb, regression: false, message: `predicted certificate replaced: ${ta} -> ${tb}${pb ? ` (${pb.subject}, expires ${pb.notAfter.slice(0, 10)})` : ""}` });
  } else if (!ta && tb) {
    changes.push({ kind: "certificate-gained", from: null, to: tb, regression: false, message: `a qualifying certificate is now predicted: ${tb}` });
  } else if (ta && !tb) {
    changes.push({ kind: "certificate-lost", from: ta, to: null, regression: false, message: `no certificate qualifies any more (was ${ta})` });
  }
  if (pa && pb && pb.daysToExpiry < pa.daysToExpiry) {
    const mark = crossedMark(pa.daysToExpiry, pb.daysToExpiry);
    if (ta !== tb || mark !== null) {
      const why = ta !== tb ? "the replacement expires sooner" : mark === 0 ? "the certificate has expired" : `now within ${mark} days`;
      changes.push({
        kind: "runway-shrinking",
        from: String(pa.daysToExpiry),
        to: String(pb.daysToExpiry),
        regression: false,
        message: `runway ${pa.daysToExpiry} -> ${pb.daysToExpiry} days (${why})`,
      });
    }
  }
  const issuer = issuerChange(a, b);
  if (issuer) changes.push(issuer);
  const statusRegressed = a.status === "compliant" && b.status === "noncompliant";
  return {
    host: b.host,
    service: b.service,
    change: changes.length || a.status !== b.status ? "changed" : "unchanged",
    from: a.status,
    to: b.status,
    regression: statusRegressed || changes.some((c) => c.regression),
    changes,
  };
}

/**
 * The certificate clients verify: the one presented on the wire (LDAPS port first), else the store's prediction.
 * `where` says which, for the message.
 */
function servedCertificate(t: ReportTarget): { cert: ReportCertificate; where: string } | null {
  const wire = t.certificates.filter((c) => c.source === "network" && c.presentedOn.length > 0);
  const onWire = wire.find((c) => c.presentedOn.includes(636)) ?? wire[0];
  if (onWire) return { cert: onWire, where: `presented on port ${onWire.presentedOn.join(", ")}` };
  const p = predictedCertificate(t);
  return p ? { cert: p, where: "predicted from the stores" } : null;
}

/**
 * A new issuer is what breaks clients given a trust kit (probe --export-trust) or a pinned CA: the certificate
 * may be perfectly valid and every control pass, yet a client that trusts only the old issuing CA refuses it.
 * Not a regression of the host; a warning to re-export the trust and hand it to the clients.
 */
function issuerChange(a: ReportTarget, b: ReportTarget): DiffChange | null {
  const x = servedCertificate(a);
  const y = servedCertificate(b);
  if (!x || !y || x.cert.issuer === y.cert.issuer) return null;
  return {
    kind: "issuer-changed",
    from: x.cert.issuer,
    to: y.cert.issuer,
    regression: false,
    message:
      `the certificate ${y.where} is now issued by ${y.cert.issuer} (was ${x.cert.issuer}): clients that trust only the old issuer ` +
      `(a bundle from probe --export-trust, a pinned CA, a Java truststore) will refuse it; export the trust again and give it to them`,
  };
}

function describe(reports: Array<{ report: Report; path: string }>) {
  return {
    sources: reports.map((r) => r.path),
    now: [...new Set(reports.map((r) => r.report.now))],
    profiles: [...new Set(reports.map((r) => `${r.report.profile.id}@${r.report.profile.sha256.slice(0, 12)}`))],
  };
}

/** Compare old and new reports; targets are matched by host (case-insensitive) and service. */
export function diffReports(oldReports: Array<{ report: Report; path: string }>, newReports: Array<{ report: Report; path: string }>): ReportDiff {
  const index = (list: Array<{ report: Report }>) => {
    const m = new Map<string, ReportTarget>();
    for (const { report } of list) for (const t of report.targets) m.set(targetKey(t), t); // later reports win
    return m;
  };
  const before = index(oldReports);
  const after = index(newReports);
  const targets: TargetDiff[] = [];
  for (const [key, b] of after) {
    const a = before.get(key);
    if (a) targets.push(diffTarget(a, b));
    else {
      const failing = b.controls.filter((c) => badness(c.status) === 2);
      targets.push({
        host: b.host,
        service: b.service,
        change: "added",
        from: null,
        to: b.status,
        regression: b.status === "noncompliant",
        changes: failing.map((c) => ({ kind: "newly-failing" as const, control: c.id, title: c.title, from: null, to: c.status, regression: true, message: `${c.status}: ${c.message}` })),
      });
    }
  }
  for (const [key, a] of before) {
    if (!after.has(key)) targets.push({ host: a.host, service: a.service, change: "removed", from: a.status, to: null, regression: false, changes: [] });
  }
  const order = { changed: 0, added: 1, removed: 2, unchanged: 3 };
  targets.sort((x, y) => Number(y.regression) - Number(x.regression) || order[x.change] - order[y.change] || compareText(x.host, y.host) || compareText(x.service ?? "", y.service ?? ""));
  const all = targets.flatMap((t) => t.changes);
  const regressions = all.filter((c) => c.regression).length + targets.filter((t) => t.regression && !t.changes.some((c) => c.regression)).length;
  const improvements = all.filter((c) => ["fixed", "better", "certificate-gained"].includes(c.kind)).length;
  const o = describe(oldReports);
  const n = describe(newReports);
  return {
    old: o,
    new: n,
    profileChanged: o.profiles.join() !== n.profiles.join(),
    regressed: targets.some((t) => t.regression),
    summary: {
      regressions,
      improvements,
      changes: all.length,
      added: targets.filter((t) => t.change === "added").length,
      removed: targets.filter((t) => t.change === "removed").length,
      changed: targets.filter((t) => t.change === "changed").length,
      unchanged: targets.filter((t) => t.change === "unchanged").length,
    },
    targets,
  };
}

const LABELS: Record<ChangeKind, string> = {
  "newly-failing": "NEWLY FAILING",
  fixed: "FIXED",
  worse: "WORSE",
  better: "BETTER",
  "status-changed": "CHANGED",
  "control-added": "NEW CONTROL",
  "control-removed": "DROPPED",
  "certificate-replaced": "CERT REPLACED",
  "certificate-gained": "CERT GAINED",
  "certificate-lost": "CERT LOST",
  "runway-shrinking": "RUNWAY",
  "issuer-changed": "NEW ISSUER",
};

const verdict = (s: ReportTarget["status"] | null) => (s === null ? "absent" : s === "compliant" ? "compliant" : "NON-COMPLIANT");

export function renderDiffText(d: ReportDiff, options: { verbose?: boolean } = {}): string {
  const lines: string[] = [`ldaps-audit diff: ${d.old.sources.join(", ")} (as of ${d.old.now.join(", ")}) -> ${d.new.sources.join(", ")} (as of ${d.new.now.join(", ")})`];
  if (d.profileChanged) lines.push(`Profile changed: ${d.old.profiles.join(", ")} -> ${d.new.profiles.join(", ")} (some changes may come from the profile, not the hosts)`);
  for (const t of d.targets) {
    if (t.change === "unchanged" && !options.verbose) continue;
    const mark = t.regression ? "  [REGRESSED]" : "";
    const head =
      t.change === "added" ? `added, ${verdict(t.to)}` : t.change === "removed" ? `removed (was ${verdict(t.from)})` : t.from === t.to ? `${verdict(t.to)} (unchanged verdict)` : `${verdict(t.from)} -> ${verdict(t.to)}`;
    lines.push("", `${targetLabel(t)}: ${head}${mark}`);
    const w = Math.max(...t.changes.map((c) => LABELS[c.kind].length), 0);
    for (const c of t.changes) lines.push(`  ${LABELS[c.kind].padEnd(w)}  ${c.control ? `${c.control} ${c.title}: ` : ""}${c.message}`);
  }
  const s = d.summary;
  lines.push(
    "",
    `Summary: ${s.regressions} regression(s), ${s.improvements} improvement(s), ${s.changes} change(s); targets: ${s.changed} changed, ${s.added} added, ${s.removed} removed, ${s.unchanged} unchanged` +
      (d.regressed ? " | REGRESSED" : ""),
  );
  return terminalText(lines);
}
