// `ldaps-audit fix --apply`: carry a plan out on the host, through the PowerShell collector session.
// Order of business: take the lock; collect the host and refuse when its state digest is not the plan's; run
// each step (ps/Invoke-LdapsAuditFixStep.ps1) after re-checking its precondition on facts collected right
// before it (a step whose precondition no longer holds is skipped); verify on the wire; on a failed step or
// verify, undo the done steps in reverse; collect again for the before/after report diff; write one event.
// What the steps do on Windows lives in ps/functions/Fix.ps1; this module only decides what runs, and when.
import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import { join } from "node:path";
import { audit } from "../audit";
import { collectLocalWith, scriptsDirectory } from "../collect";
import type { PowerShellOptions, PowerShellSession } from "../collect/powershell";
import { withPowerShell } from "../collect/powershell";
import { writeEventWith, EventWriteResult } from "../eventlog/write";
import type { TargetFacts } from "../facts/types";
import { loadProfile } from "../profile/load";
import { diffReports, ReportDiff } from "../report/diff";
import type { Report, ReportTarget } from "../report/types";
import { SCHEMA_BASE } from "../schemas";
import type { Snapshot } from "../snapshot";
import type { ProbeOptions } from "../probe/types";
import { digestDifference, STATE_DIGEST_FORM, stateDigest } from "./digest";
import { defaultLockFile, withLock, AbortFlag, LockHolder } from "./lock";
import { valueAt } from "./plan";
import { applyEvent } from "./record";
import type { Plan, PlanStep } from "./types";

export type ApplyStatus = "nothing-to-do" | "applied" | "what-if" | "rolled-back" | "refused" | "failed";

/**
 * Exit codes of fix --apply (README "fix"): 0 applied and verified, nothing to do, or what-if; 2 refused
 * before anything changed (lock held, host changed since the plan, plan that stops early, bad input, a what-if that finds a step would fail);
 * 4 a step or verify failed and every done step was undone; 5 a step or verify failed and some undo failed too
 * (the host is between the two states: the record says which steps are left).
 */
export const APPLY_EXIT: Readonly<Record<ApplyStatus, number>> = { "nothing-to-do": 0, applied: 0, "what-if": 0, refused: 2, "rolled-back": 4, failed: 5 };

export type AuthType = "Negotiate" | "Kerberos" | "Anonymous" | "Basic";

export interface ApplyOptions {
  plan: Plan;
  /** Run every step function with -WhatIf: nothing changes (the digest and preconditions are still checked). */
  whatIf: boolean;
  /** Lock file (default %ProgramData%\ldaps-audit\fix-apply.lock on Windows). */
  lockFile?: string;
  /** Scripts dot-sourced after the step and collector functions: the test seam for Windows-only commands. */
  shimScripts?: string[];
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** The profile the plan was made with, when it was a file (default: the plan's profile id). */
  profile?: string;
  powershell?: PowerShellOptions;
  scriptsDir?: string;
  /** Environment variable holding the PFX password (read inside PowerShell, never passed as text). */
  pfxPasswordEnv?: string;
  /** Folder for exported certificates (default: the folder the plan names). */
  backupDir?: string;
  /** How reload-certificate reaches the directory service (default localhost, the service's port, Negotiate). */
  reload?: { server?: string; port?: number; authType?: AuthType; credential?: { user: string; passwordEnv: string } };
  /** How verify probes (default: the plan's host and ports, 300 s, every 5 s). */
  verify?: { host?: string; ports?: number[]; deadlineMs?: number; intervalMs?: number; probe?: ProbeOptions };
  /** Progress lines (the CLI prints them escaped on stderr). */
  log?: (line: string) => void;
}

export interface ApplyStepOutcome {
  id: string;
  action: string;
  /** done, skipped, what-if, failed, not-run, checked (verify passed), undone, undo-failed, nothing-to-undo */
  outcome: string;
  detail: string;
}

export const APPLY_SCHEMA_ID = `${SCHEMA_BASE}apply.schema.json`;

/** The apply record (schemas/apply.schema.json), written with -o. */
export interface ApplyRecord {
  $schema: string;
  tool: { name: "ldaps-audit"; version: string };
  mode: "apply";
  host: string;
  plan: { sha256: string; snapshot: Plan["snapshot"]; stateDigest: string };
  whatIf: boolean;
  startedAt: string;
  finishedAt: string;
  status: ApplyStatus;
  exitCode: number;
  reason: string | null;
  lock: { path: string; tookOverFrom: LockHolder | null } | null;
  steps: Array<ApplyStepOutcome & { result?: unknown }>;
  rollback: ApplyStepOutcome[];
  diff: ReportDiff | null;
  event: EventWriteResult | null;
}

export interface ApplyOutcome {
  status: ApplyStatus;
  steps: ApplyStepOutcome[];
  exitCode: number;
  /** One line: why it was refused or failed, or what was done. */
  reason: string;
  record: ApplyRecord;
  /** The signal (SIGINT/SIGTERM) that stopped the run early, after which it rolled back: the CLI exits 130/143. */
  interrupted: NodeJS.Signals | null;
}

interface StepAnswer {
  ok: boolean;
  error?: string;
  result?: { changed: boolean; whatIf: boolean; message: string; undo: { function: string; parameters: Record<string, unknown> } | null; thumbprint?: string; [k: string]: unknown };
}

interface Collected {
  snapshot: Snapshot;
  report: Report;
  facts: Map<string, TargetFacts>;
}

class Refused extends Error {}

const sha1 = (b: Buffer) => createHash("sha1").update(b).digest("hex").toUpperCase();

export function planSha256(plan: Plan): string {
  return createHash("sha256").update(JSON.stringify(plan), "utf8").digest("hex");
}

/** Carry out a plan; never throws for a refusal or a failed step (the outcome says so), only for internal errors. */
/** A name that can only mean this host: the reload's Basic bind may go there and nowhere else. */
export function isLoopbackName(server: string): boolean {
  const s = server.trim().toLowerCase().replace(/^\[|\]$/g, "");
  return s === "localhost" || s === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(s);
}

export async function applyFix(o: ApplyOptions): Promise<ApplyOutcome> {
  const now = o.now ?? (() => new Date());
  const started = now().toISOString();
  const log = o.log ?? (() => undefined);
  const record: ApplyRecord = {
    $schema: APPLY_SCHEMA_ID,
    tool: { name: "ldaps-audit", version: o.plan.tool.version },
    mode: "apply",
    host: o.plan.host,
    plan: { sha256: planSha256(o.plan), snapshot: o.plan.snapshot, stateDigest: o.plan.stateDigest.sha256 },
    whatIf: o.whatIf,
    startedAt: started,
    finishedAt: started,
    status: "refused",
    exitCode: APPLY_EXIT.refused,
    reason: null,
    lock: null,
    steps: [],
    rollback: [],
    diff: null,
    event: null,
  };
  let interrupted: NodeJS.Signals | null = null;
  const finish = (status: ApplyStatus, reason: string): ApplyOutcome => {
    record.status = status;
    record.exitCode = APPLY_EXIT[status];
    record.reason = reason;
    record.finishedAt = now().toISOString();
    return { status, steps: record.steps.map(({ id, action, outcome, detail }) => ({ id, action, outcome, detail })), exitCode: record.exitCode, reason, record, interrupted };
  };

  if (o.plan.stopped) return finish("refused", `the plan stops after ${o.plan.stopped.after}: ${o.plan.stopped.next}`);
  // A digest of another form cannot be compared with the host's (lib/fix/digest.ts): refused before anything runs.
  const form = o.plan.stateDigest.form ?? 1;
  if (form !== STATE_DIGEST_FORM) {
    return finish("refused", `the plan's state digest is in form ${form} and this ldaps-audit takes form ${STATE_DIGEST_FORM} (the plan was made by another version); plan again with this version`);
  }
  // The reload's connection is plain LDAP: a Basic bind would carry the password in clear, so only over loopback.
  const reloadServer = o.reload?.server ?? "localhost";
  if (o.reload?.authType === "Basic" && !isLoopbackName(reloadServer)) {
    return finish("refused", `--ldap-auth Basic sends the password in clear over plain LDAP: allowed only to this host (localhost, 127.0.0.1, ::1), not ${reloadServer}; use Negotiate or Kerberos`);
  }
  const profileName = o.profile ?? o.plan.profile.id;
  const profile = loadProfile(profileName);
  if (profile.sha256 !== o.plan.profile.sha256) {
    return finish("refused", `the profile ${profileName} is not the one the plan was made with (sha256 ${o.plan.profile.sha256.slice(0, 12)}...); give it with --profile`);
  }
  if (o.plan.steps.length === 0) return finish("nothing-to-do", "the plan has no steps");
  const missing = missingInput(o);
  if (missing) return finish("refused", missing);

  const lockFile = o.lockFile ?? defaultLockFile();
  try {
    return await withLock(lockFile, now, (from) => log(`took over a stale lock ${lockFile} from pid ${from.pid} (no longer running on ${from.host}, since ${from.started})`), async (lock, abort) => {
      record.lock = { path: lock.path, tookOverFrom: lock.tookOverFrom };
      return await withPowerShell(o.powershell ?? {}, async (ps) => {
        const runner = new Runner(o, ps, profileName, now, log, record, abort);
        const outcome = await runner.run().catch((e) => {
          if (e instanceof Refused) return { status: "refused" as const, reason: e.message };
          throw e;
        });
        interrupted = abort.signal;
        const result = finish(outcome.status, outcome.reason);
        // -WhatIf changes nothing, and registering the event source on first use would be a change: no event then.
        if (!o.whatIf) record.event = await writeEventWith(ps, applyEvent(record), { scriptsDir: o.scriptsDir, shimScripts: o.shimScripts });
        return result;
      });
    }, {
      // A signal mid-run stops before the next step (or verify round), rolls back and records; a second one exits at once.
      abortable: true,
      onAbort: (signal) => log(`${signal}: stopping before the next step, then rolling back and recording (send it again to exit at once)`),
    });
  } catch (e) {
    // The lock refusal is an InputError with its one line. Refused only when nothing ran: after a step it is a failure.
    if ((e as Error).name === "InputError" && !record.steps.some((s) => s.outcome === "done")) return finish("refused", (e as Error).message);
    if (record.steps.some((s) => s.outcome === "done")) return finish("failed", `unexpected error after steps ran, not rolled back: ${(e as Error).message}`);
    throw e;
  }
}

/** What a step will need that only the caller can give: checked before anything runs, so no half-run ends in a refusal. */
function missingInput(o: ApplyOptions): string | null {
  for (const step of o.plan.steps) {
    const change = step.changes[0];
    if (step.action === "obtain-certificate" && !["enrol", "import"].includes(change?.operation ?? "")) {
      return `${step.id}: the plan has no certificate source for this step; plan again with --pfx, --enroll or --request`;
    }
    if (step.action === "place-certificate" && change?.operation === "import" && !o.pfxPasswordEnv) {
      return `${step.id} imports ${change.path}: give the PFX password's environment variable with --password-env`;
    }
  }
  return null;
}

class Runner {
  private intended = new Map<string, string | null>();
  private done: Array<{ step: PlanStep; undo: NonNullable<NonNullable<StepAnswer["result"]>["undo"]> | null; index: number }> = [];
  private reloaded: Array<{ step: PlanStep; call: { fn: string; params: Record<string, unknown>; extra?: Record<string, unknown> } }> = [];

  constructor(
    private readonly o: ApplyOptions,
    private readonly ps: PowerShellSession,
    private readonly profileName: string,
    private readonly now: () => Date,
    private readonly log: (line: string) => void,
    private readonly record: ApplyRecord,
    private readonly abort: AbortFlag = { signal: null },
  ) {
    for (const t of o.plan.targets) this.intended.set(t.service, t.intendedCertificate?.thumbprint ?? null);
  }

  private async collect(): Promise<Collected> {
    const snapshot = await collectLocalWith(this.ps, { scriptsDir: this.o.scriptsDir, shimScripts: this.o.shimScripts });
    const targets: ReportTarget[] = [];
    const facts = new Map<string, TargetFacts>();
    const { header, summary } = audit(
      { profile: this.profileName, now: this.now(), snapshots: [{ snapshot, source: "collected", kind: "snapshot" }] },
      { onTarget: (t) => targets.push(t), onFacts: (_t, f) => f.target.service && facts.set(f.target.service, f) },
    );
    return { snapshot, report: { ...header, targets, summary }, facts };
  }

  async run(): Promise<{ status: ApplyStatus; reason: string }> {
    const plan = this.o.plan;
    const before = await this.collect();
    const difference = digestDifference(plan.stateDigest, stateDigest(before.snapshot));
    if (difference) throw new Refused(`the host changed since the plan was made (${difference} differ from the plan's state digest); plan again from a fresh snapshot`);
    let current = before;
    let failure: string | null = null;
    let ranAny = false;
    for (let i = 0; i < plan.steps.length; i++) {
      const step = plan.steps[i];
      if (!failure && this.abort.signal) failure = `interrupted by ${this.abort.signal}`;
      if (failure) {
        this.push(step, "not-run", `not run: ${failure}`);
        continue;
      }
      try {
        // Anything unexpected inside a step or verify (a throw, not a failed answer) is that step's failure: rolled back like one.
        try {
          // Facts collected right before the step (reload and verify read the wire, not the stores).
          if (i > 0 && step.action !== "verify" && step.action !== "reload-certificate" && !this.o.whatIf) current = await this.collect();
        } catch (e) {
          this.push(step, "failed", `collecting the host before this step failed: ${(e as Error).message}`);
          failure = `${step.id}: collecting the host before it failed`;
          continue;
        }
        const needed = this.needed(step, current);
        if (!needed.needed) {
          this.push(step, "skipped", `precondition no longer holds: ${needed.why}`);
          continue;
        }
        if (step.action === "verify") {
          if (this.o.whatIf) {
            this.push(step, "what-if", "would probe until the intended certificate is presented");
            continue;
          }
          const v = await this.verify(step);
          this.push(step, v.ok ? "checked" : "failed", v.detail);
          if (!v.ok) failure = `verify failed: ${v.detail}`;
          continue;
        }
        let call: ReturnType<Runner["callFor"]>;
        try {
          call = this.callFor(step, current);
        } catch (e) {
          // After the preflight this is a fact that went missing mid-run (no certificate to grant on): a failure, rolled back.
          this.push(step, "failed", (e as Error).message);
          failure = (e as Error).message;
          continue;
        }
        if (typeof call === "string") {
          this.push(step, "done", call);
          continue;
        }
        if (this.o.whatIf && call.params.Thumbprint == null && (call.fn === "Copy-LdapsAuditCertificate" || call.fn === "Grant-LdapsAuditKeyRead")) {
          // Known only once the enrolment ran, which -WhatIf did not do.
          this.push(step, "what-if", `would ${step.action === "place-certificate" ? `copy the enrolled certificate into ${call.params.Store}` : `allow ${call.params.Account} Read on the new certificate's key`} (its thumbprint is known once enrolment ran)`);
          continue;
        }
        this.log(`${this.o.whatIf ? "what if: " : ""}${step.id}`);
        // Recorded before the call: a reload that fails half-way (modify accepted, then the restart threw or the answer
        // timed out) may have reached the service, so the rollback reloads again whatever this call answers.
        if (step.action === "reload-certificate" && !this.o.whatIf) this.reloaded.push({ step, call });
        const answer = await this.callStep(call.fn, call.params, call.extra);
        if (!answer.ok || !answer.result) {
          // A modify the server refused changed nothing: no reload again on rollback (it would be refused the same way).
          if (step.action === "reload-certificate" && / refused the renewServerCertificate modify: /.test(answer.error ?? "")) this.reloaded.pop();
          this.push(step, "failed", answer.error ?? "the step returned nothing");
          failure = `${step.id} failed: ${answer.error ?? "the step returned nothing"}`;
          continue;
        }
        const r = answer.result;
        ranAny = true;
        if (r.thumbprint && (step.action === "obtain-certificate" || step.action === "place-certificate") && !this.intended.get(step.service)) this.intended.set(step.service, String(r.thumbprint));
        if (r.whatIf) this.push(step, "what-if", r.message, r);
        else {
          this.push(step, r.changed ? "done" : "skipped", r.changed ? r.message : `nothing to change: ${r.message}`, r);
          this.done.push({ step, undo: r.undo, index: this.record.steps.length - 1 });
        }
      } catch (e) {
        this.push(step, "failed", `unexpected error: ${(e as Error).message}`);
        failure = `${step.id} failed: ${(e as Error).message}`;
      }
    }
    // A what-if that finds a step would fail changed nothing either: refused, with the step that would fail.
    if (this.o.whatIf) return failure ? { status: "refused", reason: `what-if: ${failure}; nothing was changed` } : { status: "what-if", reason: `what-if: ${plan.steps.length} step(s) checked, nothing changed` };
    if (failure) {
      const complete = await this.rollback();
      this.record.diff = await this.diff(before);
      return complete
        ? { status: "rolled-back", reason: `${failure}; rolled back: ${this.undoneList() || "nothing had changed"}` }
        : { status: "failed", reason: `${failure}; the rollback is incomplete: ${this.record.rollback.filter((r) => r.outcome === "undo-failed").map((r) => `${r.id} (${r.detail})`).join("; ")}` };
    }
    this.record.diff = await this.diff(before);
    const changed = this.record.steps.some((s) => s.outcome === "done" || s.outcome === "checked");
    if (!ranAny && !changed) return { status: "nothing-to-do", reason: "every step's precondition no longer holds: nothing to do" };
    return { status: "applied", reason: `applied ${this.record.steps.filter((s) => s.outcome === "done").length} step(s)${this.record.steps.some((s) => s.outcome === "checked") ? ", verified on the wire" : ""}` };
  }

  private undoneList(): string {
    return this.record.rollback.filter((r) => r.outcome === "undone").map((r) => r.id).join(", ");
  }

  private push(step: PlanStep, outcome: string, detail: string, result?: unknown): void {
    this.record.steps.push({ id: step.id, action: step.action, outcome, detail, ...(result !== undefined ? { result } : {}) });
    this.log(`${step.id}: ${outcome}: ${detail}`);
  }

  /** Is the step still needed, judged on the facts collected right before it (doneWhen, else "changed from observed")? */
  private needed(step: PlanStep, c: Collected): { needed: boolean; why: string } {
    const pre = step.precondition;
    // Reload and verify judge the wire, which a collection does not see: always run (a reload that changes
    // nothing is harmless; verify is the proof).
    if (step.action === "reload-certificate" || step.action === "verify") return { needed: true, why: "" };
    const facts = c.facts.get(step.service);
    if (!facts) return { needed: true, why: "" };
    const value = valueAt(facts, pre.pointer);
    const d = pre.doneWhen;
    const show = JSON.stringify(value);
    if (d && "equals" in d) return isDeepStrictEqual(value, d.equals) ? { needed: false, why: `${pre.pointer} is ${show}` } : { needed: true, why: "" };
    if (d && "excludes" in d) return Array.isArray(value) && !value.some((v) => isDeepStrictEqual(v, d.excludes)) ? { needed: false, why: `${pre.pointer} no longer lists ${JSON.stringify(d.excludes)}` } : { needed: true, why: "" };
    if (d && "equalsIntended" in d) {
      const want = this.intended.get(step.service);
      return want && value === want ? { needed: false, why: `${pre.pointer} is the intended ${want}` } : { needed: true, why: "" };
    }
    return isDeepStrictEqual(value, pre.observed) ? { needed: true, why: "" } : { needed: false, why: `${pre.pointer} is ${show} now, not ${JSON.stringify(pre.observed)}` };
  }

  private backupDir(change: { path?: string }): string {
    if (this.o.backupDir) return this.o.backupDir;
    const p = change.path ?? "";
    const cut = Math.max(p.lastIndexOf("\\"), p.lastIndexOf("/"));
    return cut > 0 ? p.slice(0, cut) : p;
  }

  /** The step function and its parameters, or a sentence when the step needs no PowerShell call. */
  private callFor(step: PlanStep, c: Collected): { fn: string; params: Record<string, unknown>; extra?: Record<string, unknown> } | string {
    const target = this.o.plan.targets.find((t) => t.service === step.service);
    const change = step.changes[0];
    switch (step.action) {
      case "obtain-certificate":
        if (change?.operation === "enrol") return { fn: "Request-LdapsAuditCertificate", params: { Template: change.template, DnsName: change.names ?? [] } };
        if (change?.operation === "import") return `the PFX ${change.path} passed preflight when planned; place-certificate imports it`;
        throw new Refused(`${step.id}: the plan has no certificate source for this step; plan again with --pfx, --enroll or --request`);
      case "place-certificate":
        if (change?.operation === "import") {
          const env = this.o.pfxPasswordEnv;
          if (!env) throw new Refused(`${step.id} imports ${change.path}: give the PFX password's environment variable with --password-env`);
          return { fn: "Import-LdapsAuditPfx", params: { Path: change.path, Store: change.store }, extra: { pfxPasswordEnv: env } };
        }
        return { fn: "Copy-LdapsAuditCertificate", params: { Thumbprint: change?.thumbprint ?? this.intended.get(step.service), Store: change?.store ?? target?.serviceStore } };
      case "grant-key-read": {
        const tp = change?.thumbprint ?? this.intended.get(step.service);
        if (!tp && !this.o.whatIf) throw new Refused(`${step.id}: no certificate is known to grant on`);
        return { fn: "Grant-LdapsAuditKeyRead", params: { Store: tp ? this.storeHolding(c.snapshot, tp, target?.serviceStore) : target?.intendedCertificate?.store, Thumbprint: tp ?? null, Account: change?.account ?? target?.serviceAccount } };
      }
      case "remove-competing-certificate": {
        const exp = step.changes.find((x) => x.operation === "export") ?? change;
        return { fn: "Remove-LdapsAuditCompetingCertificate", params: { Store: exp.store, Thumbprint: exp.thumbprint, BackupDirectory: this.backupDir(exp) } };
      }
      case "reload-certificate": {
        const r = this.o.reload ?? {};
        const instance = c.snapshot.host.adldsInstances?.find((i) => i.serviceName === step.service || `ADAM_${i.name}` === step.service);
        const params: Record<string, unknown> = {
          Server: r.server ?? "localhost",
          Port: r.port ?? (instance?.ldapPort ?? 389),
          AuthType: r.authType ?? "Negotiate",
          ServiceName: step.service,
        };
        if (step.changes.some((x) => x.operation === "restart-service")) params.RestartService = true;
        return { fn: "Invoke-LdapsAuditCertificateReload", params, extra: r.credential ? { credential: r.credential } : undefined };
      }
      default:
        throw new Refused(`${step.id}: unknown action ${step.action}`);
    }
  }

  private storeHolding(s: Snapshot, thumbprint: string, serviceStore: string | undefined): string {
    const holding = (s.stores ?? []).filter((st) => st.certificates.some((c) => (c.thumbprint ?? "").toUpperCase() === thumbprint.toUpperCase())).map((st) => st.name);
    return holding.find((n) => n.toLowerCase() === (serviceStore ?? "").toLowerCase()) ?? holding[0] ?? serviceStore ?? "LocalMachine\\My";
  }

  private async callStep(fn: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}, whatIf = this.o.whatIf): Promise<StepAnswer> {
    const input = { function: fn, parameters: params, whatIf, ...extra };
    const p: Record<string, unknown> = { InputBase64: Buffer.from(JSON.stringify(input), "utf8").toString("base64") };
    if (this.o.shimScripts?.length) p.ShimScript = this.o.shimScripts;
    try {
      return (await this.ps.runScript(join(scriptsDirectory(this.o), "Invoke-LdapsAuditFixStep.ps1"), p, `fix step ${fn}`)) as StepAnswer;
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  }

  /** Probe until every port presents the intended certificate, or the deadline passes (clock and sleep injected). */
  private async verify(step: PlanStep): Promise<{ ok: boolean; detail: string }> {
    const want = this.intended.get(step.service);
    if (!want) return { ok: false, detail: "the intended certificate's thumbprint is not known, so nothing can be verified" };
    const v = this.o.verify ?? {};
    const ports = v.ports ?? step.changes.filter((c) => c.operation === "probe" && c.port).map((c) => c.port!);
    // No port means no probe: [].every() would pass, so an empty list is a failure, never a silent pass.
    if (ports.length === 0) return { ok: false, detail: "no port to verify (give --verify-port or plan again)" };
    const host = v.host ?? this.o.plan.host;
    const deadline = this.now().getTime() + (v.deadlineMs ?? 300_000);
    const sleep = this.o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const { probeEndpoint, endpointFor } = await import("../probe");
    for (;;) {
      if (this.abort.signal) return { ok: false, detail: `interrupted by ${this.abort.signal} while verifying` };
      const seen: string[] = [];
      for (const port of ports) {
        const { evidence } = await probeEndpoint(endpointFor(host, port), { versions: false, servername: this.o.plan.host, ...(v.probe ?? {}) });
        const leaf = evidence.tls?.chain?.[0];
        seen.push(`${port}: ${leaf ? sha1(Buffer.from(leaf, "base64")) : `no certificate (${evidence.failure?.kind ?? "no handshake"})`}`);
      }
      if (seen.every((s) => s.endsWith(`: ${want}`))) return { ok: true, detail: `${host} presents ${want} on ${ports.join(", ")}` };
      if (this.now().getTime() >= deadline) return { ok: false, detail: `${host} still presents ${seen.join(", ")} instead of ${want} at the deadline` };
      await sleep(v.intervalMs ?? 5000);
      if (this.abort.signal) return { ok: false, detail: `interrupted by ${this.abort.signal} while verifying` };
    }
  }

  /** Undo the done steps in reverse; reload again when a reload had run, so the service picks the old certificate. */
  private async rollback(): Promise<boolean> {
    let complete = true;
    for (const d of [...this.done].reverse()) {
      if (!d.undo) {
        this.record.rollback.push({ id: d.step.id, action: d.step.action, outcome: "nothing-to-undo", detail: d.step.action === "reload-certificate" ? "a reload changes nothing to undo (it runs again below)" : "nothing changed" });
        continue;
      }
      const a = await this.callStep(d.undo.function, d.undo.parameters, {}, false);
      const ok = a.ok && a.result;
      if (!ok) complete = false;
      this.record.rollback.push({ id: d.step.id, action: d.step.action, outcome: ok ? "undone" : "undo-failed", detail: ok ? a.result!.message : a.error ?? "no answer" });
      this.log(`undo ${d.step.id}: ${ok ? "undone" : `FAILED: ${a.error}`}`);
    }
    for (const { step, call } of this.reloaded) {
      const a = await this.callStep(call.fn, call.params, call.extra, false);
      this.record.rollback.push({ id: step.id, action: step.action, outcome: a.ok ? "undone" : "undo-failed", detail: a.ok ? `reloaded again: ${a.result?.message}` : `reload after the rollback failed: ${a.error}` });
      if (!a.ok) complete = false;
    }
    return complete;
  }

  private async diff(before: Collected): Promise<ReportDiff | null> {
    try {
      const after = await this.collect();
      return diffReports([{ report: before.report, path: "before apply" }], [{ report: after.report, path: "after apply" }]);
    } catch (e) {
      this.log(`no before/after diff: ${(e as Error).message}`);
      return null;
    }
  }
}
