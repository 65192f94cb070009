// `ldaps-audit dsc set [--what-if]`: the DSC v3 set of LdapsAudit/Compliance. The desired state is "this host
// complies with the profile (and, with certificateThumbprint, presents that certificate)"; set reaches it with
// the same plan `ldaps-audit fix` prints, carried out by the same apply. The manifest declares
// implementsPretest: set judges the host itself and changes nothing when the plan is empty.
//
// What dsc does with this (dsc_lib command_resource.rs invoke_set): get for the state before, then set (or the
// whatIf method), whose stdout must be one JSON object valid against the instance schema: the state after.
// dsc's changedProperties is the diff of the two. What-if returns the state as it is, with the steps set would
// take in _metadata.whatIf, and changes nothing.
import { InputError, RuntimeFailure } from "../errors";
import type { ApplyOptions } from "../fix/apply";
import type { CertificateSource } from "../fix/plan";
import type { Plan } from "../fix/types";
import type { Snapshot } from "../snapshot";
import { isAbsolute, resolve } from "node:path";
import { DscDesiredState, DscOptions, DscOutcome, runDscOperation } from "./index";

export interface ApplyRequest {
  plan: Plan;
  /** The PFX password (pfxPassword): only apply's import step uses it; never in a plan, a state or a trace. */
  pfxPassword?: string;
  /** The profile the plan was made with, as a path when it is a file. */
  profile: string;
}

export interface ApplyResult {
  status: string;
  exitCode: number;
  steps: Array<{ id: string; action: string; outcome: string; detail: string }>;
  /** One line: why it was refused or failed, or what was done. */
  reason: string;
}

export interface DscSetOptions extends DscOptions {
  whatIf: boolean;
  /** May this process change the machine: an elevated administrator on Windows, root elsewhere. */
  isElevated?: () => boolean;
  /** Carries out a plan on this host (the CLI passes lib/fix/apply's applyFix). */
  apply?: (request: ApplyRequest) => Promise<ApplyResult>;
}

/** The certificate source the desired state names (at most one; the instance schema enforces that too). */
export function certificateSource(desired: DscDesiredState, cwd: string): CertificateSource | undefined {
  const given = (["certificateThumbprint", "pfxPath", "enrollTemplate"] as const).filter((k) => desired[k] !== undefined);
  if (given.length > 1) throw new InputError(`${given.join(" and ")}: give one certificate source, not ${given.length}`);
  if (desired.pfxPassword !== undefined && desired.pfxPath === undefined) throw new InputError("pfxPassword is the password of pfxPath: give pfxPath too");
  if (desired.extraNames?.length && desired.enrollTemplate === undefined) throw new InputError("extraNames adds SAN names to enrollTemplate: give enrollTemplate too");
  if (desired.certificateThumbprint !== undefined) {
    const thumbprint = desired.certificateThumbprint.replace(/\s+/g, "").toUpperCase();
    if (!/^[0-9A-F]{40}$/.test(thumbprint)) throw new InputError("certificateThumbprint: expected a SHA-1 thumbprint (40 hexadecimal digits)");
    return { kind: "thumbprint", thumbprint };
  }
  if (desired.pfxPath !== undefined) {
    const file = isAbsolute(desired.pfxPath) ? desired.pfxPath : resolve(cwd, desired.pfxPath);
    return { kind: "pfx", file, password: desired.pfxPassword };
  }
  if (desired.enrollTemplate !== undefined) return { kind: "enroll", template: desired.enrollTemplate, extraNames: desired.extraNames };
  return undefined;
}

/** Elevated: root on POSIX; on Windows, a member of Administrators with the token elevated (`net session` answers only then). */
export function processIsElevated(): boolean {
  // Only ever makes the answer "no" (a test seam that can refuse more, never allow more).
  if (process.env.LDAPS_AUDIT_ASSUME_NOT_ELEVATED === "1") return false;
  if (process.platform !== "win32") return typeof process.getuid === "function" && process.getuid() === 0;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require("node:child_process") as typeof import("node:child_process");
  const r = spawnSync("net", ["session"], { stdio: "ignore", windowsHide: true, timeout: 30000 });
  return r.status === 0;
}

/** Where set's PFX password waits for apply's PowerShell session (read there; never on a command line). */
const PFX_PASSWORD_ENV = "LDAPS_AUDIT_DSC_PFX_PASSWORD";

/**
 * set's apply: the same applyFix as `ldaps-audit fix --apply`, its progress as trace lines. The password is
 * handed to the PowerShell session's environment only. `seams` are for tests (shims, lock file, verify target).
 */
export function applyWithFix(trace: (level: "info", message: string) => void, seams: Partial<ApplyOptions> = {}) {
  return async (request: ApplyRequest): Promise<ApplyResult> => {
    const { applyFix } = await import("../fix/apply");
    const password = request.pfxPassword;
    const powershell = password === undefined ? seams.powershell : { ...seams.powershell, env: { ...seams.powershell?.env, [PFX_PASSWORD_ENV]: password } };
    const o = await applyFix({
      ...seams,
      plan: request.plan,
      whatIf: false,
      profile: request.profile,
      powershell,
      pfxPasswordEnv: password === undefined ? undefined : PFX_PASSWORD_ENV,
      log: (line) => trace("info", line),
    });
    return { status: o.status, exitCode: o.exitCode, steps: o.steps, reason: o.reason };
  };
}

/** One line per step, as dsc shows what-if messages: what it is for and exactly what it changes. */
export function whatIfLines(plan: Plan): string[] {
  const lines = plan.steps.map((s) => `${s.id}${s.optional ? " (optional)" : ""}: ${s.changes.map((c) => c.description).join("; ") || s.reason}`);
  if (plan.stopped) lines.push(`stops after ${plan.stopped.after}: ${plan.stopped.next}`);
  return lines;
}

export async function runDscSet(desired: DscDesiredState, options: DscSetOptions): Promise<DscOutcome> {
  const trace = options.trace ?? (() => undefined);
  const cwd = options.cwd ?? process.cwd();
  const source = certificateSource(desired, cwd);
  if (!options.whatIf) {
    if (desired.snapshotPath !== undefined) {
      throw new InputError("snapshotPath: set changes this host, so it judges the host as it is now, not a snapshot (snapshotPath serves get, test and set --what-if)");
    }
    if (!(options.isElevated ?? processIsElevated)()) {
      throw new InputError("set changes this host's certificate stores and key permissions: run dsc elevated (as an Administrator; root elsewhere), or use --what-if to see the steps");
    }
  }
  const { readSnapshot, sha256 } = await import("../audit");
  let loaded: { snapshot: Snapshot; source: string; sha256: string };
  if (desired.snapshotPath !== undefined) {
    const path = isAbsolute(desired.snapshotPath) ? desired.snapshotPath : resolve(cwd, desired.snapshotPath);
    loaded = { ...readSnapshot(path), source: path };
  } else {
    if (!options.collect) throw new RuntimeFailure("set: no collector for this host");
    trace("info", `collecting LDAPS evidence on this host (lookback ${desired.lookbackDays ?? 7} days) to plan the changes`);
    const snapshot = await options.collect({ lookbackDays: desired.lookbackDays ?? 7 });
    loaded = { snapshot, source: `collected:${snapshot.host.fqdn}`, sha256: sha256(JSON.stringify(snapshot)) };
  }
  const { planFix } = await import("../fix/plan");
  const { instantOption } = await import("../dates");
  const named = desired.profile ?? "baseline";
  const profile = named === "baseline" || named === "hardened" || isAbsolute(named) ? named : resolve(cwd, named);
  const { plan } = planFix({
    snapshot: loaded,
    profile,
    now: instantOption(desired.now, "now"),
    source,
    restartService: desired.restartService,
    backupDir: desired.backupDir,
    verifyDeadlineSeconds: desired.verifyDeadlineSeconds,
  });
  const before = await runDscOperation("get", desired, { ...options, loaded });
  if (plan.steps.length === 0) {
    trace("info", `${plan.host}: nothing to change (the plan is empty)`);
    const remaining = plan.targets.flatMap((t) => t.unaddressed.filter((u) => u.status === "fail" || u.status === "error").map((u) => `${t.service} ${u.control}`));
    if (remaining.length) trace("warn", `failing controls no step of set can fix: ${remaining.join(", ")}; see their remediation in get`);
    return before;
  }
  const lines = whatIfLines(plan);
  if (options.whatIf) {
    for (const l of lines) trace("info", `what-if: ${l}`);
    return { state: { ...before.state, _metadata: { ...before.state._metadata, whatIf: lines } as typeof before.state._metadata } };
  }
  if (plan.stopped) {
    throw new InputError(`set cannot make LDAPS compliant on ${plan.host} without a certificate source: give certificateThumbprint, pfxPath with pfxPassword, or enrollTemplate (${plan.stopped.next})`);
  }
  trace("info", `applying ${plan.steps.length} step(s) on ${plan.host}: ${plan.steps.map((s) => s.id).join(", ")}`);
  if (!options.apply) throw new RuntimeFailure("set: no way to apply a plan in this build");
  const result = await options.apply({ plan, pfxPassword: desired.pfxPassword, profile });
  for (const s of result.steps) trace(s.outcome === "failed" ? "error" : "info", `${s.id}: ${s.outcome}${s.detail ? `: ${s.detail}` : ""}`);
  if (result.exitCode !== 0) {
    // Refused before anything changed (another run holds the lock, the host changed since it was judged).
    if (result.status === "refused") throw new InputError(`set changed nothing on ${plan.host}: ${result.reason}`);
    throw new RuntimeFailure(`set did not reach the desired state on ${plan.host} (${result.status}): ${result.reason}`);
  }
  // The state after: the host judged again, as it is now.
  return runDscOperation("get", desired, options);
}
