// Facts + evaluation -> the report document. Also decides compliance: any fail or error is non-compliant.
import type { TargetFacts } from "../facts/types";
import type { ControlResult, LoadedProfile, Status, TargetEvaluation } from "../profile/types";
import { waiveEvaluation, waiverExpired, Waiver } from "../profile/waivers";
import { toolVersion } from "../version";
import { REPORT_SCHEMA_ID } from "../schemas";
import { reportControls } from "./document";
import type { Report, ReportTarget, StatusCounts } from "./types";

export interface EvaluatedTarget {
  facts: TargetFacts;
  evaluation: TargetEvaluation;
  snapshot: string | null;
}

const STATUSES: Status[] = ["pass", "fail", "warn", "skip", "error", "waived"];

export function emptyCounts(): StatusCounts {
  return Object.fromEntries(STATUSES.map((s) => [s, 0])) as StatusCounts;
}

export function isCompliant(controls: ControlResult[]): boolean {
  return !controls.some((c) => c.status === "fail" || c.status === "error");
}

/** One target's report entry (the unit the streaming writer emits); waivers are applied before, by the caller. */
export function reportTarget(t: EvaluatedTarget): ReportTarget {
  const f = t.facts;
  const controls = t.evaluation.controls;
  const certificates = f.certificates.map((c, i) => ({
    thumbprint: c.thumbprint,
    subject: c.subject,
    issuer: c.issuer,
    notBefore: c.validity.notBefore,
    notAfter: c.validity.notAfter,
    daysToExpiry: c.validity.daysToExpiry,
    store: c.store,
    source: c.source,
    san: [...c.san.dns, ...c.san.ip.map((ip) => `IP:${ip}`)],
    eku: c.eku.names,
    keyAlgorithm: `${c.publicKey.algorithm}${c.publicKey.curve ? ` ${c.publicKey.curve}` : c.publicKey.bits ? ` ${c.publicKey.bits}` : ""}`,
    qualifies: c.schannel.usable,
    predicted: c.predicted,
    presentedOn: c.presentedOn,
    disqualifiedBy: t.evaluation.disqualifiedBy[i],
    // Only when there are some: reports of well-formed certificates stay as they were.
    ...(c.extensionErrors.length ? { extensionErrors: c.extensionErrors.map(({ oid, name, message }) => ({ oid, name, message })) } : {}),
    controls: t.evaluation.certificateControls[i],
  }));
  return {
    host: f.target.host,
    service: f.target.service,
    kind: f.target.kind,
    snapshot: t.snapshot,
    status: isCompliant(controls) ? "compliant" : "noncompliant",
    rootCause: f.selection.rootCause,
    controls,
    certificates,
    selection: {
      effectiveStore: f.selection.effectiveStore,
      predicted: f.selection.predicted,
      ambiguous: f.selection.ambiguous,
      qualifying: f.selection.qualifying,
    },
    collectionErrors: f.collectionErrors,
    facts: { events: f.events, config: f.config, network: f.network, clients: f.clients, tlsSurface: f.tlsSurface },
  };
}

/** Running totals over targets, so a fleet can be summarised without keeping every target. */
export class SummaryCounter {
  private targets = 0;
  private compliant = 0;
  private readonly counts = emptyCounts();

  /** A target, or what a worker thread tells of one (its status and its host-level results' statuses). */
  add(t: { status: ReportTarget["status"]; controls: ReadonlyArray<{ status: Status }> }): void {
    this.targets++;
    if (t.status === "compliant") this.compliant++;
    for (const c of t.controls) this.counts[c.status]++;
  }

  summary(): Report["summary"] {
    return { targets: this.targets, compliant: this.compliant, noncompliant: this.targets - this.compliant, controls: { ...this.counts } };
  }
}

/** Everything in a report but its targets and summary. */
export type ReportHeader = Omit<Report, "targets" | "summary">;

export function reportHeader(input: { profile: LoadedProfile; waivers: Waiver[]; now: Date; inputs: Report["inputs"]; generatedAt?: Date }): ReportHeader {
  return {
    $schema: REPORT_SCHEMA_ID,
    reportVersion: 2,
    tool: { name: "ldaps-audit", version: toolVersion() },
    profile: { id: input.profile.id, title: input.profile.title, sha256: input.profile.sha256, source: input.profile.source },
    controls: reportControls(input.profile.controls),
    generatedAt: (input.generatedAt ?? new Date()).toISOString(),
    now: input.now.toISOString(),
    inputs: input.inputs,
    waivers: input.waivers.map((w) => ({ ...w, expired: waiverExpired(w, input.now) })),
  };
}

export function buildReport(input: {
  targets: EvaluatedTarget[];
  profile: LoadedProfile;
  waivers: Waiver[];
  now: Date;
  inputs: Report["inputs"];
  generatedAt?: Date;
}): Report {
  const targets = input.targets.map((t) => reportTarget({ ...t, evaluation: waiveEvaluation(t.evaluation, input.waivers, t.facts.target.host, input.now) }));
  const counter = new SummaryCounter();
  targets.forEach((t) => counter.add(t));
  return { ...reportHeader(input), targets, summary: counter.summary() };
}
