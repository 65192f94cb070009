// `ldaps-audit collect`: run the ps/ collector on this host (or fleet-wide through PowerShell remoting)
// and write the snapshot(s). Windows only in practice; needs PowerShell (Windows PowerShell 5.1 or pwsh 7).
import type { Argv, CommandModule } from "yargs";
import { EXIT, InputError } from "../../errors";
import type { CollectOptions, FleetResult, RevocationMode } from "../../collect";
import { stderrLine } from "../../terminal";

export interface CollectArgs {
  "lookback-days": number;
  "max-events": number;
  revocation: RevocationMode;
  powershell?: string;
  "ps-shim"?: string[];
  exitCode?: number;
}

/** Options every command that runs the collector shares (collect, check). */
export function withCollectOptions<T>(y: Argv<T>) {
  return y
    .option("lookback-days", { type: "number", default: 7, describe: "Days of event log to read (Directory Service / ADAM, Schannel)" })
    .option("max-events", { type: "number", default: 5000, describe: "Most events read per log; more marks the event counts as lower bounds (truncated)" })
    .option("revocation", {
      choices: ["NoCheck", "Online", "Offline"] as const,
      default: "NoCheck" as const,
      describe: "Revocation checking for the host's own chain build (Online may wait on CRL/OCSP downloads)",
    })
    .option("powershell", { type: "string", describe: "PowerShell to use (default: powershell.exe on Windows, pwsh elsewhere; or LDAPS_AUDIT_POWERSHELL)" })
    .option("ps-shim", { type: "string", array: true, hidden: true, describe: "Testing only: scripts dot-sourced after the collector's functions" });
}

export function collectOptionsFrom(args: CollectArgs): CollectOptions {
  const lookbackDays = args["lookback-days"];
  const maxEvents = args["max-events"];
  if (!Number.isInteger(lookbackDays) || lookbackDays < 1 || lookbackDays > 3650) throw new InputError(`--lookback-days ${lookbackDays}: expected a whole number from 1 to 3650`);
  if (!Number.isInteger(maxEvents) || maxEvents < 1 || maxEvents > 10_000_000) throw new InputError(`--max-events ${maxEvents}: expected a whole number from 1 to 10000000`);
  return {
    lookbackDays,
    maxEvents,
    revocationMode: args.revocation,
    ...(args.powershell ? { executable: args.powershell } : {}),
    ...(args["ps-shim"]?.length ? { shimScripts: args["ps-shim"] } : {}),
  };
}

interface CollectCommandArgs extends CollectArgs {
  output?: string;
  "computer-name"?: string[];
  "all-domain-controllers": boolean;
  throttle: number;
  "credential-env"?: string;
  "output-dir"?: string;
}

function describeSnapshot(s: NonNullable<FleetResult["snapshot"]>): string {
  const certs = (s.stores ?? []).reduce((n, st) => n + st.certificates.length, 0);
  const errs = (s.errors ?? []).length + (s.stores ?? []).filter((st) => st.error).length;
  return `${certs} certificate(s) in ${(s.stores ?? []).length} store(s), ${errs} collection error(s)`;
}

export const collectCommand: CommandModule<object, CollectCommandArgs> = {
  command: "collect",
  describe: "Gather LDAPS evidence on this DC / AD LDS server (or on many DCs through PowerShell remoting) as snapshot JSON",
  builder: (y) =>
    withCollectOptions(y)
      .option("output", { alias: "o", type: "string", describe: "Write the snapshot to this file (atomically) instead of stdout" })
      .option("computer-name", { type: "string", array: true, describe: "Fleet: collect from these hosts (comma-separated or repeated) with Invoke-Command" })
      .option("all-domain-controllers", { type: "boolean", default: false, describe: "Fleet: collect from every DC of the current domain" })
      .option("throttle", { type: "number", default: 16, describe: "Fleet: Invoke-Command -ThrottleLimit" })
      .option("credential-env", { type: "string", describe: "Fleet: USERVAR:PASSVAR, names of environment variables holding the remoting user and password" })
      .option("output-dir", { type: "string", describe: "Fleet: write <host>.snapshot.json (or <host>.error.json) per host into this folder" })
      .example("$0 collect -o dc1.snapshot.json", "Collect on this domain controller (run elevated)")
      .example("$0 collect --computer-name dc1,dc2 --output-dir snapshots", "Collect from two DCs through WinRM")
      .example("$0 collect --all-domain-controllers --throttle 8 --output-dir snapshots", "Collect from every DC of the domain") as never,
  handler: async (args) => {
    const { collectLocal, collectFleet, parseCredentialEnv } = await import("../../collect");
    const { emit } = await import("../output");
    const { writeOutput } = await import("../../output/write");
    const { refuseConflictingOutputs, namedPaths } = await import("../../output/conflicts");
    const shims = namedPaths("--ps-shim", args["ps-shim"]);
    refuseConflictingOutputs(shims, namedPaths("--output", args.output));
    const base = collectOptionsFrom(args);
    const names = (args["computer-name"] ?? []).flatMap((n) => n.split(",")).map((n) => n.trim()).filter(Boolean);
    const fleet = names.length > 0 || args["all-domain-controllers"];
    if (!fleet) {
      if (args["output-dir"]) throw new InputError("--output-dir is for fleet collection (--computer-name or --all-domain-controllers); use --output for this host");
      const snapshot = await collectLocal(base);
      emit(JSON.stringify(snapshot, null, 2), args.output);
      stderrLine(`collected ${snapshot.host.fqdn}: ${describeSnapshot(snapshot)}${args.output ? `; wrote ${args.output}` : ""}`);
      args.exitCode = EXIT.compliant;
      return;
    }
    if (args.output) throw new InputError("fleet collection writes one file per host: use --output-dir instead of --output");
    if (!Number.isInteger(args.throttle) || args.throttle < 1 || args.throttle > 1000) throw new InputError(`--throttle ${args.throttle}: expected a whole number from 1 to 1000`);
    const credentialEnv = args["credential-env"] ? parseCredentialEnv(args["credential-env"]) : undefined;
    stderrLine(
      `collecting from ${args["all-domain-controllers"] ? "all domain controllers" : ""}${args["all-domain-controllers"] && names.length ? " and " : ""}${names.length ? `${names.length} host(s)` : ""} (throttle ${args.throttle})`,
    );
    const results = await collectFleet({ ...base, computerNames: names, allDomainControllers: args["all-domain-controllers"], throttle: args.throttle, credentialEnv });
    const { mkdirSync } = await import("node:fs");
    const { join } = await import("node:path");
    if (args["output-dir"]) mkdirSync(args["output-dir"], { recursive: true });
    let failed = 0;
    for (const r of results) {
      if (r.snapshot) stderrLine(`${r.host}: ok, ${describeSnapshot(r.snapshot)}`);
      else {
        failed++;
        stderrLine(`${r.host}: FAILED (${r.error?.code ?? "Error"}): ${r.error?.message ?? "unknown error"}`);
      }
    }
    if (args["output-dir"]) {
      const { hostFileStems } = await import("../../output/host-file-names");
      const outDir = args["output-dir"];
      // One rule names every per-host file: a snapshot and an error file of one host, or two hosts
      // differing only in case, never share a name.
      const names = hostFileStems(results.map((r) => r.host)).map((stem, i) => `${stem}.${results[i].snapshot ? "snapshot" : "error"}.json`);
      const files = names.map((n) => join(outDir, n));
      refuseConflictingOutputs(shims, namedPaths("--output-dir file", files));
      results.forEach((r, i) => writeOutput(files[i], JSON.stringify(r.snapshot ?? r, null, 2) + "\n", "--output-dir"));
    }
    if (!args["output-dir"]) emit(JSON.stringify(results, null, 2));
    stderrLine(`${results.length - failed} of ${results.length} host(s) collected${args["output-dir"] ? ` into ${args["output-dir"]}` : ""}`);
    args.exitCode = failed ? EXIT.runtime : EXIT.compliant;
  },
};
