import type { CommandModule } from "yargs";
import { InputError } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { stderrLine, terminalText } from "../../terminal";
import { parseNow, refuseUnsafeOutputs, profileInputs } from "../common";
import { emit } from "../output";

interface FixArgs {
  snapshot?: string;
  /** Bare --plan (""): plan mode; with --apply, --plan FILE names the plan to carry out. */
  plan?: string | boolean;
  apply?: boolean;
  profile: string;
  now?: string;
  format?: "text" | "json";
  output?: string;
  pfx?: string;
  "password-env"?: string;
  roots?: string[];
  enroll?: string;
  request?: string;
  thumbprint?: string;
  "extra-name"?: string[];
  "restart-service": boolean;
  "backup-dir"?: string;
  "verify-deadline"?: number;
  "what-if"?: boolean;
  "lock-file"?: string;
  "ldap-server"?: string;
  "ldap-port"?: number;
  "ldap-auth"?: "Negotiate" | "Kerberos" | "Anonymous" | "Basic";
  "ldap-user"?: string;
  "ldap-password-env"?: string;
  "verify-host"?: string;
  "verify-port"?: number[];
  "ps-shim"?: string[];
  exitCode?: number;
}

export const fixCommand: CommandModule<object, FixArgs> = {
  command: "fix [snapshot]",
  describe: "Plan the steps that make LDAPS work on the host a snapshot describes (--plan, the default: nothing is changed), or carry a plan out on the DC (--apply)",
  builder: (y) =>
    y
      .positional("snapshot", { type: "string", describe: "The collector's snapshot of the host (ldaps-audit collect), read offline; without it (and without --plan FILE for --apply) fix collects on this host first" })
      .option("plan", { type: "string", describe: "Print the plan (the default mode). With --apply: --plan FILE is the plan (JSON from fix --format json -o FILE) to carry out" })
      .option("apply", { type: "boolean", describe: "Carry the plan out on this host (elevated, on the DC): lock, state-digest check, each step with ShouldProcess, verify, rollback on failure" })
      .option("what-if", { type: "boolean", default: false, describe: "With --apply: run every step with -WhatIf; nothing is changed" })
      .option("lock-file", { type: "string", describe: "With --apply: the lock against a second run (default %ProgramData%\\ldaps-audit\\fix-apply.lock)" })
      .option("ldap-server", { type: "string", describe: "With --apply: where reload-certificate sends the rootDSE modify (default localhost)" })
      .option("ldap-port", { type: "number", describe: "With --apply: its LDAP port (default 389, or the AD LDS instance's)" })
      .option("ldap-auth", { choices: ["Negotiate", "Kerberos", "Anonymous", "Basic"] as const, describe: "With --apply: how the modify binds (default Negotiate, as the elevated user running apply); Basic only to this host (its password would cross the network in clear)" })
      .option("ldap-user", { type: "string", describe: "With --apply and --ldap-auth Basic: the bind DN" })
      .option("ldap-password-env", { type: "string", describe: "With --ldap-user: the environment variable holding its password" })
      .option("verify-host", { type: "string", describe: "With --apply: the name or address verify probes (default the plan's host)" })
      .option("verify-port", { type: "number", array: true, describe: "With --apply: the ports verify probes (default the plan's: 636, and 3269 on a GC)" })
      .option("ps-shim", { type: "string", array: true, hidden: true, describe: "Testing only: scripts dot-sourced after the step and collector functions" })
      .option("profile", { type: "string", default: "baseline", describe: "Compliance profile whose failing and warning controls the plan answers: baseline, hardened, or a profile file" })
      .option("now", { type: "string", describe: "Judge validity and expiry at this instant (ISO 8601), as evaluate does" })
      .option("format", { choices: ["text", "json"] as const, describe: "Output format: text, or json (schemas/plan.schema.json). Default: text on a terminal, json otherwise" })
      .option("output", { alias: "o", type: "string", describe: "Write the plan to this file (atomically) instead of stdout" })
      .option("pfx", { type: "string", describe: "Certificate source: a PFX to import; preflight must pass for the host's FQDN and service, else exit 2" })
      .option("password-env", { type: "string", describe: "Name of the environment variable holding the PFX password (never the password itself)" })
      .option("roots", { type: "string", array: true, describe: "Trusted root file(s) for the PFX's preflight chain check (without them the chain control is skipped)" })
      .option("enroll", { type: "string", describe: "Certificate source: enrol as the machine from this ADCS template (SAN = the host's FQDN plus --extra-name)" })
      .option("request", { type: "string", describe: "Certificate source: write a certreq .inf into this folder for an external CA; the plan stops at the CSR" })
      .option("thumbprint", { type: "string", describe: "Certificate source: a certificate already on the host (by SHA-1 thumbprint) that must become the LDAPS certificate; refused unless it can qualify" })
      .option("extra-name", { type: "string", array: true, describe: "More SAN DNS names for --enroll or --request (e.g. the domain name, if clients use it)" })
      .option("restart-service", { type: "boolean", default: false, describe: "Also restart the directory service when reloading (the rootDSE renewServerCertificate modify needs no restart)" })
      .option("backup-dir", { type: "string", describe: "Where apply will export removed certificates first (default C:\\ProgramData\\ldaps-audit\\backup)" })
      .option("verify-deadline", { type: "number", describe: "Seconds verify waits for the intended certificate on the wire (default 300)" })
      .conflicts("pfx", ["enroll", "request", "thumbprint"])
      .conflicts("enroll", ["request", "thumbprint"])
      .conflicts("request", "thumbprint")
      .epilogue(
        "The plan's steps, in the order an administrator would take them: obtain-certificate (only when no certificate can " +
          "qualify, or the profile faults the one Windows picks), place-certificate (NTDS\\My or ADAM_<instance>\\My, which Windows " +
          "searches first, or LocalMachine\\My when the service store is empty), grant-key-read (the service account cannot read " +
          "the key), remove-competing-certificate (from the service store only, never LocalMachine\\My; exported first), " +
          "reload-certificate (rootDSE renewServerCertificate, no reboot) and verify (probe 636, and 3269 on a global catalog). " +
          "Each step names the controls it answers, the fact that makes it needed, what it changes and how to undo it. " +
          "Exit codes: 0 nothing to do, 1 the plan has steps (or failing controls remain that no step answers), 2 bad input. " +
          "--apply (on the DC, elevated) carries a plan out through PowerShell: it takes a lock, collects the host and refuses (exit 2) " +
          "when its state digest is not the plan's, re-checks each step's precondition right before it (skipping what is already done), " +
          "runs each step with ShouldProcess (--what-if changes nothing), verifies on the wire, undoes the done steps in reverse when a " +
          "step or verify fails, writes an apply record (-o, JSON: each step, the rollback, the before/after report diff) and an " +
          "Application-log event (source ldaps-audit, 1010 applied ... 1014 rolled back; none for --what-if). Exit codes of --apply: 0 applied, nothing to do or " +
          "what-if; 2 refused (nothing changed, also when a what-if finds a step would fail); 4 failed and rolled back; 5 failed and the rollback is incomplete.",
      )
      .example("$0 fix", "On the DC, elevated: collect first, then plan for this host as it is now")
      .example("$0 fix dc1.snapshot.json", "What would make LDAPS work on dc1 (says which certificate source is needed, if any)")
      .example("PFX_PASS=... $0 fix dc1.snapshot.json --pfx dc1.pfx --password-env PFX_PASS --roots root.pem", "Plan with a PFX you have (refused unless it passes preflight for dc1)")
      .example("$0 fix dc1.snapshot.json --enroll LDAPS --extra-name corp.example.test", "Plan an enrolment from the enterprise CA's LDAPS template")
      .example("$0 fix dc1.snapshot.json --thumbprint 6AB384440534A15782E9C1B2E288323D50DD3DD1", "Make a certificate already on dc1 the LDAPS certificate (placed in NTDS\\My when Windows would pick another)")
      .example("$0 fix dc1.snapshot.json --request C:\\csr", "Write a certreq .inf for an external CA; the plan stops at the CSR")
      .example("$0 fix dc1.snapshot.json --format json -o dc1.plan.json", "The plan as JSON (schemas/plan.schema.json)")
      .example("$0 fix --apply --enroll LDAPS --what-if", "On the DC: collect, plan and show what each step would do, changing nothing")
      .example("$0 fix --apply --plan dc1.plan.json --what-if", "On dc1: check the plan still fits the host and show what each step would do, changing nothing")
      .example("PFX_PASS=... $0 fix --apply --plan dc1.plan.json --password-env PFX_PASS -o dc1.apply.json", "On dc1, elevated: carry the plan out; the apply record goes to dc1.apply.json") as never,
  handler: async (args) => {
    if (args.plan === false) throw new InputError("fix: --no-plan leaves nothing to do (the modes are --plan, the default, and --apply)");
    const planFile = typeof args.plan === "string" && args.plan !== "" ? args.plan : undefined;
    const applyOnly = ["what-if", "lock-file", "ldap-server", "ldap-port", "ldap-auth", "ldap-user", "ldap-password-env", "verify-host", "verify-port"] as const;
    if (!args.apply) {
      const given = applyOnly.find((k) => args[k] !== undefined && args[k] !== false);
      if (given) throw new InputError(`--${given} is an option of fix --apply`);
    }
    if (args.apply) return applyHandler(args, planFile);
    // `fix --plan snapshot.json`: the string option took the snapshot's name.
    if (planFile && !args.snapshot) args.snapshot = planFile;
    else if (planFile) throw new InputError("--plan FILE names a plan for --apply; to make a plan, give the snapshot: ldaps-audit fix dc1.snapshot.json --plan");
    if (args["password-env"] && !args.pfx) throw new InputError("--password-env names the password of --pfx: give --pfx FILE too");
    checkPlanArgs(args);
    refuseUnsafeOutputs(args, [...namedPaths("snapshot", args.snapshot), ...namedPaths("--pfx", args.pfx), ...namedPaths("--roots", args.roots), ...profileInputs(args)]);
    const { planFix, planExitCode } = await import("../../fix/plan");
    // Without a snapshot, plan for this host as it is now (the DC, elevated): collect first.
    const { plan, written } = planFix(planOptions(args, args.snapshot ?? (await collectHere(args))));
    const toTerminal = !args.output && process.stdout.isTTY;
    const format = args.format ?? (toTerminal ? "text" : "json");
    let out: string;
    if (format === "json") out = JSON.stringify(plan, null, 2);
    else out = (await import("../../fix/text")).renderPlanText(plan, { colour: toTerminal && !process.env.NO_COLOR });
    emit(out, args.output);
    for (const f of written) stderrLine(`wrote ${f}`);
    if (args.output && args.output !== "-") stderrLine(`wrote ${args.output}: ${plan.steps.length} step(s)`);
    args.exitCode = planExitCode(plan);
  },
};

function checkPlanArgs(args: FixArgs): void {
  if (args["extra-name"]?.length && !args.enroll && !args.request) throw new InputError("--extra-name adds SAN names to --enroll or --request: give one of them");
  if (args.roots?.length && !args.pfx) throw new InputError("--roots is for the --pfx preflight: give --pfx FILE too");
  if (args["verify-deadline"] !== undefined && !(Number.isInteger(args["verify-deadline"]) && args["verify-deadline"] > 0)) throw new InputError("--verify-deadline: expected a whole number of seconds above 0");
}

/** No snapshot and no plan given: collect on this host first, as `ldaps-audit collect` does (needs the DC, elevated). */
async function collectHere(args: FixArgs): Promise<{ snapshot: import("../../snapshot").Snapshot; source: string; sha256: string }> {
  const { collectLocal } = await import("../../collect");
  const { sha256 } = await import("../../audit");
  stderrLine("no snapshot given: collecting LDAPS evidence on this host first (run elevated on the DC; give a snapshot file to plan offline)");
  const snapshot = await collectLocal(args["ps-shim"]?.length ? { shimScripts: args["ps-shim"] } : {});
  return { snapshot, source: `collected:${snapshot.host.fqdn}`, sha256: sha256(JSON.stringify(snapshot)) };
}

function planOptions(args: FixArgs, snapshot: import("../../fix/plan").PlanOptions["snapshot"]): import("../../fix/plan").PlanOptions {
  let source: import("../../fix/plan").CertificateSource | undefined;
  if (args.pfx) {
    let password: string | undefined;
    if (args["password-env"]) {
      password = process.env[args["password-env"]];
      if (password === undefined) throw new InputError(`--password-env ${args["password-env"]}: that environment variable is not set`);
    }
    source = { kind: "pfx", file: args.pfx, passwordEnv: args["password-env"], password, roots: args.roots };
  } else if (args.enroll !== undefined) {
    source = { kind: "enroll", template: args.enroll, extraNames: args["extra-name"] };
  } else if (args.thumbprint !== undefined) {
    const thumbprint = args.thumbprint.replace(/\s+/g, "").toUpperCase();
    if (!/^[0-9A-F]{40}$/.test(thumbprint)) throw new InputError("--thumbprint: expected a SHA-1 thumbprint (40 hexadecimal digits), as certutil or Get-ChildItem Cert: show it");
    source = { kind: "thumbprint", thumbprint };
  } else if (args.request !== undefined) {
    if (!args.request) throw new InputError("--request: name the folder for the certreq .inf file");
    source = { kind: "request", dir: args.request, extraNames: args["extra-name"] };
  }
  return {
    snapshot,
    profile: args.profile,
    now: parseNow(args.now),
    source,
    restartService: args["restart-service"],
    backupDir: args["backup-dir"],
    verifyDeadlineSeconds: args["verify-deadline"],
    output: args.apply ? undefined : args.output,
  };
}

/** fix --apply: read (--plan FILE) or make (snapshot) the plan, carry it out, print and write the apply record. */
async function applyHandler(args: FixArgs, planFile: string | undefined): Promise<void> {
  if (planFile && args.snapshot) throw new InputError("fix --apply: give either --plan FILE or a snapshot to plan from, not both");
  if (args["ldap-user"] && !args["ldap-password-env"]) throw new InputError("--ldap-user needs --ldap-password-env (the variable holding the password)");
  if (args["ldap-port"] !== undefined && !(Number.isInteger(args["ldap-port"]) && args["ldap-port"] >= 1 && args["ldap-port"] <= 65535)) throw new InputError("--ldap-port: expected 1-65535");
  // yargs gives [] for a bare --verify-port: that would verify nothing, so it is refused.
  if (args["verify-port"] !== undefined && args["verify-port"].length === 0) throw new InputError("--verify-port: give at least one port (1-65535)");
  for (const p of args["verify-port"] ?? []) if (!(Number.isInteger(p) && p >= 1 && p <= 65535)) throw new InputError("--verify-port: expected 1-65535");
  if (args["password-env"] && process.env[args["password-env"]] === undefined) throw new InputError(`--password-env ${args["password-env"]}: that environment variable is not set`);
  checkPlanArgs(args);
  refuseUnsafeOutputs(args, [...namedPaths("--plan", planFile), ...namedPaths("snapshot", args.snapshot), ...namedPaths("--pfx", args.pfx), ...profileInputs(args)]);
  let plan: import("../../fix/types").Plan;
  if (planFile) {
    const { readInputFile, parseJsonText } = await import("../../input");
    const { assertValid } = await import("../../schemas");
    const { PLAN_SCHEMA_ID } = await import("../../fix/plan");
    plan = assertValid(PLAN_SCHEMA_ID, parseJsonText(readInputFile(planFile).toString("utf8"), planFile), planFile, "plan");
  } else {
    const { planFix } = await import("../../fix/plan");
    plan = planFix(planOptions(args, args.snapshot ?? (await collectHere(args)))).plan;
  }
  const { applyFix } = await import("../../fix/apply");
  const outcome = await applyFix({
    plan,
    whatIf: args["what-if"] === true,
    lockFile: args["lock-file"],
    shimScripts: args["ps-shim"],
    profile: args.profile === "baseline" && plan.profile.id !== "baseline" ? undefined : args.profile,
    pfxPasswordEnv: args["password-env"],
    backupDir: args["backup-dir"],
    reload: {
      server: args["ldap-server"],
      port: args["ldap-port"],
      authType: args["ldap-auth"],
      credential: args["ldap-user"] ? { user: args["ldap-user"], passwordEnv: args["ldap-password-env"]! } : undefined,
    },
    verify: {
      host: args["verify-host"],
      ports: args["verify-port"],
      deadlineMs: args["verify-deadline"] !== undefined ? args["verify-deadline"] * 1000 : undefined,
    },
    log: (line) => stderrLine(line),
  });
  // A refusal changed nothing: one line and exit 2, no record (the event, when a session ran, says it was refused).
  if (outcome.status === "refused") throw new InputError(`fix --apply refused: ${outcome.reason}`);
  const format = args.format ?? (!args.output && process.stdout.isTTY ? "text" : "json");
  if (args.output) emit(JSON.stringify(outcome.record, null, 2), args.output);
  if (format === "json" && !args.output) emit(JSON.stringify(outcome.record, null, 2));
  else if (format === "text") emit(terminalText([`ldaps-audit fix --apply: ${outcome.status} on ${plan.host}`, ...outcome.steps.map((s) => `  ${s.id}: ${s.outcome}: ${s.detail}`), ...outcome.record.rollback.map((s) => `  rollback ${s.id}: ${s.outcome}: ${s.detail}`)]));
  if (args.output && args.output !== "-") stderrLine(`wrote ${args.output}: ${outcome.status}`);
  if (outcome.record.event) stderrLine(outcome.record.event.written ? "wrote the apply event to the Application log, source ldaps-audit" : `no event written to the Application log: ${outcome.record.event.reason ?? outcome.record.event.code ?? "unknown reason"}`);
  if (outcome.exitCode !== 0 || outcome.interrupted) stderrLine(`fix --apply ${outcome.status}: ${outcome.reason}`);
  // Interrupted by a signal (and rolled back, recorded): the signal's usual exit code, as a shell expects.
  args.exitCode = outcome.interrupted ? (outcome.interrupted === "SIGINT" ? 130 : 143) : outcome.exitCode;
}
