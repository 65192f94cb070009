// The library entry for "evaluate": snapshots (files or objects) + profile + waivers -> report.
// The CLI and other programs (`import { evaluateFiles } from "ldaps-audit"`) both call this.
import { createHash } from "node:crypto";
import { deriveFacts } from "./facts";
import { readInputFile, parseJsonText } from "./input";
import { evaluateTarget } from "./profile/evaluate";
import { loadProfile, LoadedProfile } from "./profile/load";
import { loadWaivers, Waiver } from "./profile/waivers";
import { buildReport, EvaluatedTarget, reportHeader, ReportHeader, reportTarget, SummaryCounter } from "./report/build";
import type { Report, ReportTarget } from "./report/types";
import { InputError } from "./errors";
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

export function evaluateSnapshot(snapshot: Snapshot, profile: LoadedProfile, now: Date, source: string | null): EvaluatedTarget[] {
  return deriveFacts(snapshot, { now, source: source ?? "snapshot" }).map((facts) => ({
    facts,
    evaluation: evaluateTarget(facts, profile.controls),
    snapshot: source,
  }));
}

export interface SnapshotInput {
  snapshot: Snapshot;
  source: string | null;
  sha256?: string;
  kind?: Report["inputs"][number]["kind"];
}

export function evaluateSnapshots(inputs: SnapshotInput[], options: AuditOptions = {}, extraInputs: Report["inputs"] = []): Report {
  const now = options.now ?? new Date();
  const profile = loadProfile(options.profile ?? "baseline");
  const waivers: Waiver[] = options.waivers ? loadWaivers(options.waivers) : [];
  // Probe evidence is merged here as in streamEvaluateFiles, so the library and the CLI judge N01-N07 alike.
  const probeInputs: Report["inputs"] = [];
  const probes = new ProbeEvidence(options.probes ?? [], probeInputs);
  const targets = inputs.flatMap((i) => evaluateSnapshot(probes.merge(i.snapshot), profile, now, i.source));
  probes.assertAllUsed();
  const inputHashes: Report["inputs"] = [
    ...inputs.filter((i) => i.source && i.sha256).map((i) => ({ kind: i.kind ?? ("snapshot" as const), path: i.source!, sha256: i.sha256! })),
    ...probeInputs,
    ...extraInputs,
    { kind: "profile", path: profile.source, sha256: profile.sha256 },
    ...(options.waivers ? [{ kind: "waivers" as const, path: options.waivers, sha256: sha256(readInputFile(options.waivers)) }] : []),
  ];
  return buildReport({ targets, profile, waivers, now, inputs: inputHashes });
}

/**
 * Evaluate snapshot files one at a time, handing each target to `onTarget` as soon as it is judged:
 * only one snapshot and its facts are in memory at once, so a fleet of thousands stays small.
 * A bad file throws (InputError) before the caller has finished anything, so no half report is delivered.
 */
export function streamEvaluateFiles(
  paths: string[],
  options: AuditOptions,
  onTarget: (target: ReportTarget) => void,
  onBegin?: (header: Omit<ReportHeader, "inputs">) => void,
): { header: ReportHeader; summary: Report["summary"] } {
  const now = options.now ?? new Date();
  const profile = loadProfile(options.profile ?? "baseline");
  const waivers: Waiver[] = options.waivers ? loadWaivers(options.waivers) : [];
  const generatedAt = new Date();
  if (onBegin) {
    const { inputs: _none, ...head } = reportHeader({ profile, waivers, now, inputs: [], generatedAt });
    onBegin(head);
  }
  const counter = new SummaryCounter();
  const inputs: Report["inputs"] = [];
  const probes = new ProbeEvidence(options.probes ?? [], inputs);
  for (const path of paths) {
    const read = readSnapshot(path);
    inputs.push({ kind: "snapshot", path, sha256: read.sha256 });
    const snapshot = probes.merge(read.snapshot);
    for (const evaluated of evaluateSnapshot(snapshot, profile, now, path)) {
      const target = reportTarget(evaluated, waivers, now);
      counter.add(target);
      onTarget(target);
    }
  }
  probes.assertAllUsed();
  inputs.push({ kind: "profile", path: profile.source, sha256: profile.sha256 });
  if (options.waivers) inputs.push({ kind: "waivers", path: options.waivers, sha256: sha256(readInputFile(options.waivers)) });
  return { header: reportHeader({ profile, waivers, now, inputs, generatedAt }), summary: counter.summary() };
}

const hostKey = (fqdn: string) => fqdn.toLowerCase().replace(/\.$/, "");

/** Probe snapshots (small, read up front) by host, merged into the collector snapshot of the same host. */
class ProbeEvidence {
  private readonly byHost = new Map<string, { path: string; snapshot: Snapshot }>();
  private readonly used = new Set<string>();

  constructor(paths: string[], inputs: Report["inputs"]) {
    for (const path of paths) {
      const { snapshot, sha256: hash } = readSnapshot(path);
      if (!snapshot.network) throw new InputError(`${path}: --probe expects a snapshot from ldaps-audit probe (it has no network evidence)`);
      this.byHost.set(hostKey(snapshot.host.fqdn), { path, snapshot });
      inputs.push({ kind: "snapshot", path, sha256: hash });
    }
  }

  merge(s: Snapshot): Snapshot {
    const probe = this.byHost.get(hostKey(s.host.fqdn));
    if (!probe) return s;
    this.used.add(probe.path);
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { mergeNetworkEvidence } = require("./probe") as typeof import("./probe");
    return mergeNetworkEvidence(s, probe.snapshot);
  }

  /** A probe that matched no snapshot is an input error: its evidence would silently go unused. */
  assertAllUsed(): void {
    const unused = [...this.byHost.values()].filter((p) => !this.used.has(p.path));
    if (unused.length) {
      throw new InputError(`${unused[0].path}: --probe for ${unused[0].snapshot.host.fqdn} matches no snapshot's host.fqdn`);
    }
  }
}

/** Evaluate snapshot files into one in-memory report (for a fleet, prefer streamEvaluateFiles). */
export function evaluateFiles(paths: string[], options: AuditOptions = {}): Report {
  const targets: ReportTarget[] = [];
  const { header, summary } = streamEvaluateFiles(paths, options, (t) => targets.push(t));
  return { ...header, targets, summary };
}
