import type { CommandModule } from "yargs";
import { EXIT } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { deliverWith, jsonText, refuseUnsafeOutputs } from "../common";
import { stderrLine } from "../../terminal";

interface DiffArgs {
  old: string;
  new: string;
  format?: "text" | "json";
  output?: string;
  verbose: boolean;
  exitCode?: number;
}

export const diffCommand: CommandModule<object, DiffArgs> = {
  command: "diff <old> <new>",
  describe: "What changed between two reports, per target and control; exit 1 when something regressed",
  builder: (y) =>
    y
      .positional("old", { type: "string", demandOption: true, describe: "The earlier report JSON" })
      .positional("new", { type: "string", demandOption: true, describe: "The later report JSON" })
      .option("format", { choices: ["text", "json"] as const, describe: "Output format (default: text on a terminal, json otherwise)" })
      .option("output", { alias: "o", type: "string", describe: "Write to this file (atomically) instead of stdout" })
      .option("verbose", { alias: "v", type: "boolean", default: false, describe: "Text output: list unchanged targets too" })
      .epilogue(
        "A regression is a control that got worse (pass/skip/waived -> warn/fail/error, warn -> fail/error), a target that went " +
          "compliant -> non-compliant, or a new target that is non-compliant. Exit codes: 0 no regression, 1 regression, 2 bad input.",
      )
      .example("$0 diff last-week.json today.json", "What got worse or better since last week")
      .example("$0 diff before.json after.json --format json -o change.json", "Machine-readable change record") as never,
  handler: async (args) => {
    refuseUnsafeOutputs(args, [...namedPaths("old report", args.old), ...namedPaths("new report", args.new)]);
    const { readReportFile } = await import("../../report/read");
    const { diffReports, renderDiffText } = await import("../../report/diff");
    const before = readReportFile(args.old);
    const after = readReportFile(args.new);
    const d = diffReports([before], [after]);
    const written = deliverWith((format, options) => (format === "json" ? jsonText(d, options.compact) : renderDiffText(d, { verbose: args.verbose })), args);
    if (written.length) stderrLine(`wrote ${written.join(", ")}: ${d.summary.regressions} regression(s)`);
    args.exitCode = d.regressed ? EXIT.nonCompliant : EXIT.compliant;
  },
};
