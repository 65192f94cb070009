import type { CommandModule } from "yargs";
import { deliver, parseNow, ReportArgs, withReportOptions } from "../common";

interface EvaluateArgs extends ReportArgs {
  snapshots: string[];
}

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: "evaluate <snapshots...>",
  describe: "Evaluate snapshot files (from the collector, the probe, or hand-made) against a compliance profile",
  builder: (y) =>
    withReportOptions(y)
      .positional("snapshots", { type: "string", array: true, demandOption: true, describe: "Snapshot JSON files (schemas/snapshot.schema.json)" })
      .example("$0 evaluate examples/healthy-dc.snapshot.json", "Audit one DC's evidence with the baseline profile")
      .example("$0 evaluate dc*.json --profile hardened --format json -o report.json", "Hardened audit of several DCs into a JSON report")
      .example("$0 evaluate dc1.json --waivers waivers.yaml --now 2026-12-01", "Apply accepted exceptions; judge expiry as of a date") as never,
  handler: async (args) => {
    const { evaluateFiles } = await import("../../audit");
    const report = evaluateFiles(args.snapshots, { profile: args.profile, waivers: args.waivers, now: parseNow(args.now) });
    args.exitCode = deliver(report, args);
  },
};
