// `ldaps-audit dsc get|test`: the DSC v3 resource LdapsAudit/Compliance (dsc/ldaps-audit.dsc.resource.json).
// dsc runs it with the desired-state JSON on stdin; stdout gets exactly the JSON lines dsc parses,
// stderr only JSON trace lines. Every failure is caught here (not by main's one-line error text) so
// that dsc sees an {"error": "..."} trace line and a non-zero exit code.
import type { CommandModule } from "yargs";
import { EXIT, InputError, RuntimeFailure } from "../../errors";

interface DscArgs {
  operation: "get" | "test";
  exitCode?: number;
}

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
      .positional("operation", { choices: ["get", "test"] as const, demandOption: true, describe: "get: the actual state; test: the actual state with _inDesiredState, then the differing property names" })
      .example(`echo '{"snapshotPath":"examples/healthy-dc.snapshot.json"}' | $0 dsc test`, "What dsc runs for `dsc resource test -r LdapsAudit/Compliance`")
      .epilogue(
        "Exit 0 when the audit ran, compliant or not (see _inDesiredState and reasons); 2 for bad input (JSON, properties,\n" +
          "missing files, profile errors); 3 when collection or the tool failed. Trace lines on stderr: {\"info\"|\"warn\"|\"error\": \"...\"}.",
      ) as never,
  handler: async (args) => {
    const { outputLines, parseDesiredState, runDscOperation, traceLine } = await import("../../dsc");
    const trace = (level: Parameters<typeof traceLine>[0], message: string) => process.stderr.write(traceLine(level, message) + "\n");
    try {
      const desired = parseDesiredState(await readStdin(), trace);
      const outcome = await runDscOperation(args.operation, desired, { trace });
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
