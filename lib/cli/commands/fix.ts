import type { CommandModule } from "yargs";
import { InputError } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { stderrLine } from "../../terminal";
import { parseNow, refuseUnsafeOutputs, profileInputs } from "../common";
import { emit } from "../output";

interface FixArgs {
  snapshot: string;
  plan: boolean;
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
  exitCode?: number;
}

export const fixCommand: CommandModule<object, FixArgs> = {
  command: "fix [snapshot]",
  describe: "Plan the steps that make LDAPS work on the host a snapshot describes (plan only: nothing is changed)",
  builder: (y) =>
    y
      .positional("snapshot", { type: "string", describe: "The collector's snapshot of the host (ldaps-audit collect), read offline" })
      .option("plan", { type: "boolean", default: true, describe: "Print the plan (the default and, for now, the only mode)" })
      .option("apply", { type: "boolean", describe: "Carry the plan out on the host: not available yet (refused, exit 2)" })
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
          "Exit codes: 0 nothing to do, 1 the plan has steps (or failing controls remain that no step answers), 2 bad input.",
      )
      .example("$0 fix dc1.snapshot.json", "What would make LDAPS work on dc1 (says which certificate source is needed, if any)")
      .example("PFX_PASS=... $0 fix dc1.snapshot.json --pfx dc1.pfx --password-env PFX_PASS --roots root.pem", "Plan with a PFX you have (refused unless it passes preflight for dc1)")
      .example("$0 fix dc1.snapshot.json --enroll LDAPS --extra-name corp.example.test", "Plan an enrolment from the enterprise CA's LDAPS template")
      .example("$0 fix dc1.snapshot.json --thumbprint 6AB384440534A15782E9C1B2E288323D50DD3DD1", "Make a certificate already on dc1 the LDAPS certificate (placed in NTDS\\My when Windows would pick another)")
      .example("$0 fix dc1.snapshot.json --request C:\\csr", "Write a certreq .inf for an external CA; the plan stops at the CSR")
      .example("$0 fix dc1.snapshot.json --format json -o dc1.plan.json", "The plan as JSON (schemas/plan.schema.json)") as never,
  handler: async (args) => {
    if (args.apply) throw new InputError("fix --apply is not available yet: this release only plans (fix --plan); carry out the steps by hand, using each step's commands");
    // The positional is optional in the syntax because a later release plans from a live collection on the host.
    if (!args.snapshot) throw new InputError("fix needs a snapshot file (ldaps-audit collect -o host.snapshot.json), e.g. ldaps-audit fix dc1.snapshot.json");
    if (args.plan === false) throw new InputError("fix: --plan is the only mode available (--no-plan leaves nothing to do)");
    if (args["password-env"] && !args.pfx) throw new InputError("--password-env names the password of --pfx: give --pfx FILE too");
    if (args["extra-name"]?.length && !args.enroll && !args.request) throw new InputError("--extra-name adds SAN names to --enroll or --request: give one of them");
    if (args.roots?.length && !args.pfx) throw new InputError("--roots is for the --pfx preflight: give --pfx FILE too");
    if (args["verify-deadline"] !== undefined && !(Number.isInteger(args["verify-deadline"]) && args["verify-deadline"] > 0)) throw new InputError("--verify-deadline: expected a whole number of seconds above 0");
    refuseUnsafeOutputs(args, [...namedPaths("snapshot", args.snapshot), ...namedPaths("--pfx", args.pfx), ...namedPaths("--roots", args.roots), ...profileInputs(args)]);
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
    const { planFix, planExitCode } = await import("../../fix/plan");
    const { plan, written } = planFix({
      snapshot: args.snapshot,
      profile: args.profile,
      now: parseNow(args.now),
      source,
      restartService: args["restart-service"],
      backupDir: args["backup-dir"],
      verifyDeadlineSeconds: args["verify-deadline"],
      output: args.output,
    });
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
