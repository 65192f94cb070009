// `ldaps-audit dsc get|test|set`: the DSC v3 resource LdapsAudit/Compliance (dsc/ldaps-audit.dsc.resource.json).
// dsc runs it with the desired-state JSON on stdin; stdout gets exactly the JSON lines dsc parses,
// stderr only JSON trace lines. Every failure is caught here (not by main's one-line error text) so
// that dsc sees an {"error": "..."} trace line and a non-zero exit code.
import type { CommandModule } from "yargs";
import { EXIT, InputError, RuntimeFailure } from "../../errors";

interface DscArgs {
  operation: "get" | "test" | "set";
  "what-if"?: boolean;
  exitCode?: number;
}

type Trace = (level: "error" | "warn" | "info" | "debug" | "trace", message: string) => void;

async function readStdin(): Promise<string> {
  // Without input (e.g. `dsc resource get` with no properties) dsc does not pipe stdin: never wait on a terminal.
  if (process.stdin.isTTY) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks).toString("utf8").replace(/^\uFEFF/, "");
}

export const dscCommand: CommandModule<object, DscArgs> = {
  command: "dsc <operation>",
  describe: "DSC v3 resource operations (LdapsAudit/Compliance): desired-state JSON on stdin, actual state as a JSON line on stdout",
  builder: (y) =>
    y
      .positional("operation", { choices: ["get", "test", "set"] as const, demandOption: true, describe: "get: the actual state; test: the actual state with _inDesiredState, then the differing property names; set: make the host compliant (the plan of `fix`, applied), then the state after" })
      .option("what-if", { type: "boolean", describe: "set only: change nothing; the state as it is, with the steps set would take in _metadata.whatIf" })
      .example(`echo '{"snapshotPath":"examples/healthy-dc.snapshot.json"}' | $0 dsc test`, "What dsc runs for `dsc resource test -r LdapsAudit/Compliance`")
      .example(`echo '{"snapshotPath":"examples/two-qualifying.snapshot.json"}' | $0 dsc set --what-if`, "What `dsc resource set --what-if` shows: the steps, nothing changed")
      .epilogue(
        "Exit 0 when the audit ran, compliant or not (see _inDesiredState and reasons), or set reached the desired state;\n" +
          "2 for bad input, changing nothing (JSON, properties, missing files, profile errors, set not elevated or without a\n" +
          "certificate source it needs); 3 when collection, the tool, or set's apply failed (the apply's steps were rolled back).\n" +
          "Trace lines on stderr: {\"info\"|\"warn\"|\"error\": \"...\"}.",
      ) as never,
  handler: async (args) => {
    const { outputLines, parseDesiredState, runDscOperation, traceLine, defaultCollector } = await import("../../dsc");
    const trace: Trace = (level, message) => process.stderr.write(traceLine(level, message) + "\n");
    try {
      if (args["what-if"] && args.operation !== "set") throw new InputError(`--what-if belongs to set, not ${args.operation}`);
      const desired = parseDesiredState(await readStdin(), trace);
      let outcome;
      if (args.operation === "set") {
        const { runDscSet, applyWithFix } = await import("../../dsc/set");
        const collect = desired.snapshotPath === undefined ? await defaultCollector() : undefined;
        outcome = await runDscSet(desired, { trace, whatIf: args["what-if"] === true, collect, apply: applyWithFix(trace) });
      } else {
        outcome = await runDscOperation(args.operation, desired, { trace });
      }
      process.stdout.write(outputLines(outcome).join("\n") + "\n");
      args.exitCode = EXIT.compliant;
    } catch (e) {
      // Library messages name CLI options ("--profile x: ..."); here they are resource properties.
      const message = (e instanceof Error ? e.message : String(e)).replace(/^--(profile|waivers|now) /, "$1 ");
      const known = e instanceof InputError || e instanceof RuntimeFailure;
      trace("error", known ? message : `internal error: ${message}`);
      if (process.env.LDAPS_AUDIT_DEBUG === "1" && e instanceof Error && e.stack) trace("debug", e.stack);
      args.exitCode = e instanceof InputError ? EXIT.usage : EXIT.runtime;
    }
  },
};
