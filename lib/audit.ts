// The one audit entry: snapshots (files or objects) + profile + waivers + probe evidence -> report.
// `evaluate` (streaming or whole), `check`, `dsc`, `preflight` and library callers all come through
// `audit()`, so profile loading, waivers (read once; the digest is of the bytes applied), probe merging
// (one host-matching rule, lib/hosts.ts) and the list of input digests are assembled in one place.
import { createHash } from "node:crypto";
import { deriveFacts } from "./facts";
import type { TargetFacts } from "./facts/types";
import { InputError } from "./errors";
import { sameHost } from "./hosts";
import { readInputFile, parseJsonText } from "./input";
import { evaluateTarget } from "./profile/evaluate";
import { loadProfile } from "./profile/load";
import type { LoadedProfile } from "./profile/types";
import { loadWaivers, waiveEvaluation, Waiver } from "./profile/waivers";
import { EvaluatedTarget, reportHeader, ReportHeader, reportTarget, SummaryCounter } from "./report/build";
import type { Report, ReportTarget } from "./report/types";
import { assertValid, SNAPSHOT_SCHEMA_ID } from "./schemas";
import type { Snapshot } from "./snapshot";

export interface AuditOptions {
  /** baseline, hardened, or a profile file (default baseline). */
  profile?: string;
  /** Path of a waivers file (JSON or YAML). */
  waivers?: string;
  /** The instant to judge validity and expiry against (default: the current time). */
  now?: Date;
  /** Probe snapshots (ldaps-audit probe) merged into the snapshot of the same host, for the store-vs-wire check. */
  probes?: string[];
}

export function sha256(data: Buffer | string): string {
  return createHash("sha256").update(data).digest("hex");
}

/** Read and validate one snapshot file; errors name the file and JSON pointer. */
export function readSnapshot(path: string): { snapshot: Snapshot; sha256: string } {
  const bytes = readInputFile(path);
  const snapshot = assertValid<Snapshot>(SNAPSHOT_SCHEMA_ID, parseJsonText(bytes.toString("utf8"), path), path, "snapshot");
  return { snapshot, sha256: sha256(bytes) };
}

/** Facts and verdicts for each directory service a snapshot speaks for (no waivers, no report). */
export function evaluateSnapshot(snapshot: Snapshot, profile: LoadedProfile, now: Date, source: string | null): EvaluatedTarget[] {
  return deriveFacts(snapshot, { now, source: source ?? "snapshot" }).map((facts) => ({
    facts,
    evaluation: evaluateTarget(facts, profile.controls),
    snapshot: source,
  }));
}

/** An in-memory snapshot to audit (from the collector, preflight, or a program). */
export interface SnapshotInput {
  snapshot: Snapshot;
  source: string | null;
  sha256?: string;
  kind?: Report["inputs"][number]["kind"];
}

export interface AuditRequest extends AuditOptions {
  /** Snapshot files (read one at a time, so a fleet never sits in memory whole) or snapshots. */
  snapshots: Array<string | SnapshotInput>;
  /** Inputs the caller read to build its snapshots (preflight's certificate and key files). */
  extraInputs?: Report["inputs"];
}

export interface AuditSink {
  /** Each target as soon as it is judged, waivers applied. */
  onTarget: (target: ReportTarget) => void;
  /** Before the first target: the report header without its inputs (known only at the end). */
  onBegin?: (header: Omit<ReportHeader, "inputs">) => void;
  /** Each target with the facts it was judged on (for callers that act on facts, e.g. the fix planner). */
  onFacts?: (target: ReportTarget, facts: TargetFacts) => void;
}

/** Probe snapshots (small, read up front), each merged into the collector snapshot of the same host (lib/hosts.ts). */
interface Probe {
  path: string;
  snapshot: Snapshot;
  /** The normalised FQDN of the snapshot it was merged into. */
  usedBy: string | null;
}

class ProbeEvidence {
  private readonly probes: Probe[] = [];

  constructor(paths: string[], inputs: Report["inputs"]) {
    for (const path of paths) {
      const { snapshot, sha256: hash } = readSnapshot(path);
      if (!snapshot.network) throw new InputError(`${path}: --probe expects a snapshot from ldaps-audit probe (it has no network evidence)`);
      this.probes.push({ path, snapshot, usedBy: null });
      inputs.push({ kind: "snapshot", path, sha256: hash });
    }
  }

  /**
   * The snapshot with its probe's evidence merged. Two probes for one host, or one probe that would judge
   * two different hosts, are input errors: either way evidence would go unused or some server's wire would
   * be judged against another server's store.
   */
  merge(s: Snapshot): Snapshot {
    const matches = this.probes.filter((p) => sameHost(s, p.snapshot));
    if (matches.length === 0) return s;
    if (matches.length > 1) {
      throw new InputError(`${matches[1].path}: --probe for ${matches[1].snapshot.host.fqdn} and ${matches[0].path} both match ${s.host.fqdn}; give one probe per host`);
    }
    const probe = matches[0];
    const host = s.host.fqdn.trim().toLowerCase().replace(/\.$/, "");
    if (probe.usedBy !== null && probe.usedBy !== host) {
      throw new InputError(`${probe.path}: --probe for ${probe.snapshot.host.fqdn} matches both ${probe.usedBy} and ${host}; probe each host by its FQDN`);
    }
    probe.usedBy = host;
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { mergeNetworkEvidence } = require("./probe") as typeof import("./probe");
    return mergeNetworkEvidence(s, probe.snapshot);
  }

  /** A probe that matched no snapshot is an input error: its evidence would silently go unused. */
  assertAllUsed(): void {
    const unused = this.probes.find((p) => p.usedBy === null);
    if (unused) throw new InputError(`${unused.path}: --probe for ${unused.snapshot.host.fqdn} matches no snapshot's host.fqdn, short name or address`);
  }
}

/**
 * Audit snapshots, handing each target to `sink.onTarget` as soon as it is judged. A bad input throws
 * (InputError) before audit() returns: a probe that fits two hosts, or none, is found only once the
 * snapshots are read, so a sink may have seen targets by then. A caller that delivers a report must buffer
 * until audit() returns (the CLI's report writer does, and writes nothing on a throw).
 */
export function audit(request: AuditRequest, sink: AuditSink): { header: ReportHeader; summary: Report["summary"] } {
  const now = request.now ?? new Date();
  const profile = loadProfile(request.profile ?? "baseline");
  const waivers = request.waivers ? loadWaivers(request.waivers) : null;
  const applied: Waiver[] = waivers?.waivers ?? [];
  const generatedAt = new Date();
  if (sink.onBegin) {
    const { inputs: _none, ...head } = reportHeader({ profile, waivers: applied, now, inputs: [], generatedAt });
    sink.onBegin(head);
  }
  const counter = new SummaryCounter();
  const inputs: Report["inputs"] = [];
  const probes = new ProbeEvidence(request.probes ?? [], inputs);
  for (const item of request.snapshots) {
    const input: SnapshotInput = typeof item === "string" ? { ...readSnapshotInput(item) } : item;
    if (input.source && input.sha256) inputs.push({ kind: input.kind ?? "snapshot", path: input.source, sha256: input.sha256 });
    for (const evaluated of evaluateSnapshot(probes.merge(input.snapshot), profile, now, input.source)) {
      // Waivers turn fail/warn into waived before anything is reported.
      const target = reportTarget({ ...evaluated, evaluation: waiveEvaluation(evaluated.evaluation, applied, evaluated.facts.target.host, now) });
      counter.add(target);
      sink.onTarget(target);
      sink.onFacts?.(target, evaluated.facts);
    }
  }
  probes.assertAllUsed();
  inputs.push(...(request.extraInputs ?? []));
  inputs.push({ kind: "profile", path: profile.source, sha256: profile.sha256 });
  if (request.waivers && waivers) inputs.push({ kind: "waivers", path: request.waivers, sha256: waivers.sha256 });
  return { header: reportHeader({ profile, waivers: applied, now, inputs, generatedAt }), summary: counter.summary() };
}

function readSnapshotInput(path: string): SnapshotInput {
  const { snapshot, sha256: hash } = readSnapshot(path);
  return { snapshot, source: path, sha256: hash, kind: "snapshot" };
}

/** The whole report in memory (for HTML, JUnit, several outputs; for a fleet prefer `audit` with a sink). */
export function auditReport(request: AuditRequest): Report {
  const targets: ReportTarget[] = [];
  const { header, summary } = audit(request, { onTarget: (t) => targets.push(t) });
  return { ...header, targets, summary };
}

/** Library form kept for programs written against it: snapshot files -> report. */
export function evaluateFiles(paths: string[], options: AuditOptions = {}): Report {
  return auditReport({ ...options, snapshots: paths });
}

/** Library form kept for programs written against it: in-memory snapshots -> report (probes merged too). */
export function evaluateSnapshots(inputs: SnapshotInput[], options: AuditOptions = {}, extraInputs: Report["inputs"] = []): Report {
  return auditReport({ ...options, snapshots: inputs, extraInputs });
}

/** Library form kept for programs written against it: snapshot files, streamed target by target. */
export function streamEvaluateFiles(
  paths: string[],
  options: AuditOptions,
  onTarget: (target: ReportTarget) => void,
  onBegin?: (header: Omit<ReportHeader, "inputs">) => void,
): { header: ReportHeader; summary: Report["summary"] } {
  return audit({ ...options, snapshots: paths }, { onTarget, onBegin });
}
