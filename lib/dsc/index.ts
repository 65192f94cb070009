// DSC v3 resource operations (LdapsAudit/Compliance, dsc/ldaps-audit.dsc.resource.json): dsc sends the
// desired-state properties as JSON on stdin; we answer with the actual state (the desired properties
// echoed back, plus read-only results) as one JSON line, and for `test` a second line naming the
// properties that are not in the desired state. `set` (lib/dsc/set.ts) applies the fix plan.
//
// Contract with dsc (../shared/DESIGN.md §5): exit 0 whether the host is compliant or not (that is
// `_inDesiredState`); non-zero only when the operation itself failed, with an {"error": "..."} line on stderr.
import { readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import Ajv2020, { ValidateFunction } from "ajv/dist/2020";
import { InputError, RuntimeFailure } from "../errors";
import { instantOption } from "../dates";
import { parseJsonText } from "../input";
import { packageRoot } from "../paths";
import type { Report } from "../report/types";
import { describeErrors } from "../schemas";
import type { Snapshot } from "../snapshot";
import { termSafe } from "../terminal";

export const DSC_RESOURCE_TYPE = "LdapsAudit/Compliance";
export const MANIFEST_FILE = "ldaps-audit.dsc.resource.json";
/** Prefix of Machine Configuration reason codes: <resource>:<resource>:<control id>. */
export const REASON_PREFIX = "ldapsaudit:ldapsaudit:";
/** The read-only properties that depart from the desired state when the host is not compliant. */
export const NONCOMPLIANT_PROPERTIES = ["controls", "reasons"] as const;

export type DscOperation = "get" | "test" | "set";
export type TraceLevel = "error" | "warn" | "info" | "debug" | "trace";
export type Tracer = (level: TraceLevel, message: string) => void;

/** The settable properties: how to audit, and (for set) where the LDAPS certificate comes from. */
export interface DscDesiredState {
  profile?: string;
  waivers?: string;
  lookbackDays?: number;
  snapshotPath?: string;
  now?: string;
  /** set: a certificate already on the host that must be the LDAPS certificate (test: Windows must pick it). */
  certificateThumbprint?: string;
  /** set: a PFX to import (with pfxPassword); preflight must pass for the host. */
  pfxPath?: string;
  /** Write-only: never echoed in any state dsc prints. */
  pfxPassword?: string;
  /** set: enrol as the machine from this ADCS template. */
  enrollTemplate?: string;
  extraNames?: string[];
  restartService?: boolean;
  backupDir?: string;
  verifyDeadlineSeconds?: number;
}

/** Properties that are inputs only: a secret is never part of the state dsc prints or compares. */
export const WRITE_ONLY = ["pfxPassword"] as const;

export interface DscControl {
  id: string;
  status: string;
  message: string;
  target: string;
}

export interface DscReason {
  code: string;
  phrase: string;
}

export interface DscActualState extends DscDesiredState {
  _inDesiredState?: boolean;
  controls: DscControl[];
  reasons: DscReason[];
  _metadata: {
    tool: Report["tool"];
    profile: Report["profile"];
    now: string;
    generatedAt: string;
    source: string;
    summary: Report["summary"];
    targets: Array<{ host: string; service: string | null; status: string; rootCause: string | null }>;
  };
}

export interface DscOutcome {
  state: DscActualState;
  /** test only: the names of the properties not in the desired state (the stateAndDiff second line). */
  diff?: string[];
}

export interface DscOptions {
  /** Collects a snapshot on this host when no snapshotPath is given (default: lib/collect's collectLocal). */
  collect?: (options: { lookbackDays: number }) => Promise<Snapshot>;
  /** Receives trace messages (the CLI writes them to stderr as JSON lines). */
  trace?: Tracer;
  /** Folder relative paths are resolved against (default: the process's working directory, which dsc sets to the manifest's folder). */
  cwd?: string;
  /** A snapshot already collected on this host (set evaluates the host it changed without collecting twice). */
  loaded?: { snapshot: Snapshot; source: string; sha256: string };
}

/** The manifest dsc reads (shipped in the package's dsc/ folder). */
export function manifestPath(): string {
  return join(packageRoot(), "dsc", MANIFEST_FILE);
}

let validator: ValidateFunction | undefined;

/** The instance schema embedded in the manifest: one source for dsc and for this code. */
export function instanceSchema(): Record<string, unknown> {
  let manifest: { schema?: { embedded?: Record<string, unknown> } };
  try {
    manifest = JSON.parse(readFileSync(manifestPath(), "utf8"));
  } catch (e) {
    throw new RuntimeFailure(`cannot read the DSC resource manifest ${manifestPath()}: ${(e as Error).message}`);
  }
  const embedded = manifest.schema?.embedded;
  if (!embedded) throw new RuntimeFailure(`${manifestPath()}: no embedded instance schema`);
  return embedded;
}

function validateInstance(value: unknown): void {
  if (!validator) {
    // A separate ajv: the shared one is strict about profile keywords; this schema is dsc's, not ours.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    validator = ajv.compile(instanceSchema());
  }
  if (!validator(value)) throw new InputError(`desired state: ${describeErrors(validator.errors)}`);
}

const SETTABLE = ["profile", "waivers", "lookbackDays", "snapshotPath", "now", "certificateThumbprint", "pfxPath", "pfxPassword", "enrollTemplate", "extraNames", "restartService", "backupDir", "verifyDeadlineSeconds"] as const;
const READ_ONLY = ["controls", "reasons"] as const;

/** Parse and check the JSON dsc sent; empty input (dsc get without properties) means all defaults. */
export function parseDesiredState(text: string, trace: Tracer = () => undefined): DscDesiredState {
  if (text.trim() === "") return {};
  const value = parseJsonText(text, "desired state on stdin");
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new InputError(`desired state on stdin must be a JSON object of properties, got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}`);
  }
  validateInstance(value);
  const obj = value as Record<string, unknown>;
  for (const k of READ_ONLY) if (k in obj) trace("warn", `"${k}" is a read-only result; the value given is ignored`);
  const desired: DscDesiredState = {};
  for (const k of SETTABLE) if (obj[k] !== undefined) (desired as Record<string, unknown>)[k] = obj[k];
  return desired;
}


function targetName(t: { host: string; service: string | null }): string {
  return t.service ? `${t.host} (${t.service})` : t.host;
}

/** Machine Configuration reasons: one per failing (or unevaluable) control per target. */
export function reasonsOf(report: Report): DscReason[] {
  const reasons: DscReason[] = [];
  for (const t of report.targets) {
    for (const c of t.controls) {
      if (c.status !== "fail" && c.status !== "error") continue;
      const what = c.status === "error" ? `could not be evaluated: ${c.message}` : c.message;
      reasons.push({ code: `${REASON_PREFIX}${c.id}`, phrase: `${targetName(t)}: ${c.id} ${c.title}: ${what}` });
    }
  }
  return reasons;
}

/** The actual state for a report; the desired properties are echoed so dsc's own diff finds nothing to change. */
export function actualStateOf(report: Report, desired: DscDesiredState, source: string): DscActualState {
  const echoed: DscDesiredState = { ...desired };
  for (const k of WRITE_ONLY) delete echoed[k];
  desired = echoed;
  const controls: DscControl[] = report.targets.flatMap((t) => t.controls.map((c) => ({ id: c.id, status: c.status, message: c.message, target: targetName(t) })));
  return {
    ...desired,
    profile: desired.profile ?? "baseline",
    ...(desired.snapshotPath === undefined ? { lookbackDays: desired.lookbackDays ?? 7 } : {}),
    controls,
    reasons: reasonsOf(report),
    _metadata: {
      tool: report.tool,
      profile: report.profile,
      now: report.now,
      generatedAt: report.generatedAt,
      source,
      summary: report.summary,
      targets: report.targets.map((t) => ({ host: t.host, service: t.service, status: t.status, rootCause: t.rootCause })),
    },
  };
}

function resolveFrom(cwd: string, p: string): string {
  return isAbsolute(p) ? p : resolve(cwd, p);
}

function isShippedProfile(p: string): boolean {
  return p === "baseline" || p === "hardened";
}

/** Run one operation on the desired state dsc sent (already parsed) and return what to print. */
export async function runDscOperation(operation: "get" | "test", desired: DscDesiredState, options: DscOptions = {}): Promise<DscOutcome> {
  const trace = options.trace ?? (() => undefined);
  const cwd = options.cwd ?? process.cwd();
  const now = instantOption(desired.now, "now");
  const profile = desired.profile ?? "baseline";
  const auditOptions = {
    profile: isShippedProfile(profile) ? profile : resolveFrom(cwd, profile),
    waivers: desired.waivers === undefined ? undefined : resolveFrom(cwd, desired.waivers),
    now,
  };
  const { auditReport, sha256 } = await import("../audit");
  let report: Report;
  let source: string;
  if (options.loaded) {
    source = options.loaded.source;
    report = auditReport({ ...auditOptions, snapshots: [{ ...options.loaded, kind: "snapshot" }] });
  } else if (desired.snapshotPath !== undefined) {
    const path = resolveFrom(cwd, desired.snapshotPath);
    if (desired.lookbackDays !== undefined) trace("info", "lookbackDays applies to collection only; it is ignored when snapshotPath is given");
    trace("info", `evaluating snapshot ${path} with profile ${profile}`);
    source = path;
    report = auditReport({ ...auditOptions, snapshots: [path] });
  } else {
    const lookbackDays = desired.lookbackDays ?? 7;
    trace("info", `collecting LDAPS evidence on this host (lookback ${lookbackDays} days), then evaluating with profile ${profile}`);
    const collect = options.collect ?? (await defaultCollector());
    const snapshot = await collect({ lookbackDays });
    const text = JSON.stringify(snapshot);
    source = `collected:${snapshot.host.fqdn}`;
    report = auditReport({ ...auditOptions, snapshots: [{ snapshot, source, sha256: sha256(text), kind: "snapshot" }] });
  }
  const state = actualStateOf(report, desired, source);
  for (const t of report.targets) {
    if (t.status === "compliant") trace("info", `${targetName(t)}: compliant with profile ${report.profile.id}`);
    else trace("warn", `${targetName(t)}: NOT compliant with profile ${report.profile.id}${t.rootCause ? `: ${t.rootCause}` : ""}`);
  }
  // A named certificate is part of the desired state: every target must present it (Windows picks it).
  const picked = report.targets.map((t) => t.selection?.predicted ?? null);
  const want = desired.certificateThumbprint?.replace(/\s+/g, "").toUpperCase();
  const namedPicked = want === undefined || picked.every((p) => p === want);
  if (want !== undefined && !namedPicked) {
    const others = [...new Set(picked.map((p) => p ?? "none"))].join(", ");
    state.certificateThumbprint = others;
    trace("warn", `certificate ${want} is not the one Windows picks (${others})`);
  }
  if (operation === "get") return { state };
  const compliant = report.summary.noncompliant === 0;
  const inDesiredState = compliant && namedPicked;
  const diff = [...(compliant ? [] : NONCOMPLIANT_PROPERTIES), ...(namedPicked ? [] : ["certificateThumbprint"])];
  return { state: { ...state, _inDesiredState: inDesiredState }, diff };
}

export async function defaultCollector(): Promise<(options: { lookbackDays: number }) => Promise<Snapshot>> {
  let mod: { collectLocal?: (o: { lookbackDays?: number }) => Promise<Snapshot> };
  try {
    mod = await import("../collect");
  } catch (e) {
    throw new RuntimeFailure(`collecting on this host is not available (${(e as Error).message}); give snapshotPath to evaluate a snapshot instead`);
  }
  const collectLocal = mod.collectLocal;
  if (typeof collectLocal !== "function") {
    throw new RuntimeFailure("collecting on this host is not available in this build (lib/collect has no collectLocal); give snapshotPath to evaluate a snapshot instead");
  }
  return (o) => collectLocal({ lookbackDays: o.lookbackDays });
}

/** The stdout lines for an outcome: the actual state, and for test the diff. One JSON value per line. */
export function outputLines(outcome: DscOutcome): string[] {
  const lines = [JSON.stringify(outcome.state)];
  if (outcome.diff) lines.push(JSON.stringify(outcome.diff));
  return lines;
}

/**
 * A trace line as dsc reads it from stderr: {"info": "..."} and so on; always one line. dsc prints the
 * message to its console, so the message is terminal text: made safe before JSON encodes it.
 */
export function traceLine(level: TraceLevel, message: string): string {
  return JSON.stringify({ [level]: termSafe(message) });
}
