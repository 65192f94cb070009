import type { CommandModule } from "yargs";
import { EXIT, InputError } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { deliverWith, jsonText, refuseUnsafeOutputs, ReportFormat, renderReport, reportExitCode, withOutputOptions } from "../common";
import { stderrLine } from "../../terminal";

interface ReportCmdArgs {
  reports: string[];
  format?: ReportFormat;
  output?: string;
  "output-html"?: string;
  "output-junit"?: string;
  "output-json"?: string;
  compact?: boolean;
  rollup: boolean;
  verify: boolean;
  verbose: boolean;
  exitCode?: number;
}

export const reportCommand: CommandModule<object, ReportCmdArgs> = {
  command: "report <reports...>",
  describe: "Render report JSON files as text, HTML or JUnit; roll many host reports up into a fleet summary; verify a report's inputs",
  builder: (y) =>
    withOutputOptions(y)
      .positional("reports", { type: "string", array: true, demandOption: true, describe: "Report JSON files written by evaluate/preflight/check (schemas/report.schema.json)" })
      .option("rollup", { type: "boolean", default: false, describe: "Fleet roll-up (schemas/rollup.schema.json): per-control counts, failing targets, expiry timeline (30/60/90 days)" })
      .option("verify", {
        type: "boolean",
        default: false,
        describe: "Recompute the SHA-256 of every input the report lists (relative paths from the current directory); exit 0 only when all match",
      })
      .option("verbose", { alias: "v", type: "boolean", default: false, describe: "Text output: list passing controls too" })
      .example("$0 report report.json --format html -o report.html", "A self-contained HTML page for auditors (prints well too)")
      .example("$0 report report.json --format junit -o ldaps.junit.xml", "JUnit XML for a CI test report")
      .example("$0 report reports/*.json --rollup --format html -o fleet.html --output-json fleet.json", "Fleet roll-up as HTML and JSON")
      .example("$0 report --verify report.json", "Are the snapshots, profile and waivers the report was made from unchanged?") as never,
  handler: async (args) => {
    if (args.rollup && args.verify) throw new InputError("--rollup and --verify: choose one");
    refuseUnsafeOutputs(args, namedPaths("report", args.reports));
    const { readReportFiles } = await import("../../report/read");
    const loaded = readReportFiles(args.reports);

    if (args.verify) {
      const { verifyReport, renderVerifyText } = await import("../../report/verify");
      if (args.format && args.format !== "text" && args.format !== "json") throw new InputError(`--verify: --format ${args.format} is not available; use text or json`);
      if (args["output-html"] || args["output-junit"]) throw new InputError("--verify: --output-html and --output-junit are not available; use --format text|json");
      const results = loaded.map(({ report, path }) => verifyReport(report, path));
      // The files a report lists are inputs of the verification too: never overwrite what is being verified.
      refuseUnsafeOutputs(args, results.flatMap((r) => r.inputs.map((i) => ({ label: `${i.kind} listed in ${r.source}`, path: i.resolved }))));
      deliverWith((format, options) => (format === "json" ? jsonText(results.length === 1 ? results[0] : results, options.compact) : renderVerifyText(results)), args);
      args.exitCode = results.every((r) => r.ok) ? EXIT.compliant : EXIT.nonCompliant;
      return;
    }

    if (args.rollup) {
      if (args.format && !["text", "json", "html", "junit"].includes(args.format)) throw new InputError(`--rollup: --format ${args.format} is not available; use text, json, html or junit`);
      const { buildRollup, renderRollupHtml, renderRollupText } = await import("../../report/rollup");
      const { renderJunit } = await import("../../report/junit");
      const rollup = buildRollup(loaded);
      const written = deliverWith((format, options) => {
        if (format === "json") return jsonText(rollup, options.compact);
        if (format === "html") return renderRollupHtml(rollup);
        if (format === "junit") return renderJunit(loaded.map((l) => l.report));
        return renderRollupText(rollup);
      }, args);
      if (written.length) stderrLine(`wrote ${written.join(", ")}: ${rollup.summary.compliant} of ${rollup.summary.targets} target(s) compliant`);
      args.exitCode = rollup.summary.noncompliant > 0 ? EXIT.nonCompliant : EXIT.compliant;
      return;
    }

    const reports = loaded.map((l) => l.report);
    const written = deliverWith((format, options) => {
      if (reports.length === 1) return renderReport(reports[0], format, options);
      if (format === "junit") return (require("../../report/junit") as typeof import("../../report/junit")).renderJunit(reports);
      if (format === "text") return reports.map((r) => renderReport(r, "text", options)).join("\n");
      throw new InputError(`${reports.length} reports: --format ${format} renders one report; add --rollup for one fleet summary, or render them one at a time`);
    }, args);
    const targets = reports.reduce((n, r) => n + r.summary.targets, 0);
    const compliant = reports.reduce((n, r) => n + r.summary.compliant, 0);
    if (written.length) stderrLine(`wrote ${written.join(", ")}: ${compliant} of ${targets} target(s) compliant`);
    args.exitCode = reports.length === 1 ? reportExitCode(reports[0], args.format) : reports.some((r) => r.summary.noncompliant > 0) ? EXIT.nonCompliant : EXIT.compliant;
  },
};
