// Options and output handling shared by the commands that produce a report.
import type { Argv } from "yargs";
import { EXIT, InputError } from "../errors";
import type { Report } from "../report/types";
import { emit } from "./output";

export interface ReportArgs {
  profile: string;
  waivers?: string;
  now?: string;
  format?: "text" | "json";
  output?: string;
  verbose: boolean;
  exitCode?: number;
}

export function withReportOptions<T>(y: Argv<T>) {
  return y
    .option("profile", {
      type: "string",
      default: "baseline",
      describe: "Compliance profile: baseline, hardened, or a profile file (JSON Schema; see schemas/profile.meta.json)",
    })
    .option("waivers", { type: "string", describe: "Waivers file (JSON or YAML): control, optional host/thumbprint, justification, approver, expires" })
    .option("now", { type: "string", describe: "Judge validity and expiry at this instant (ISO 8601), e.g. for reproducible audits" })
    .option("format", { choices: ["text", "json"] as const, describe: "Output format (default: text on a terminal, json otherwise)" })
    .option("output", { alias: "o", type: "string", describe: "Write the report to this file (atomically) instead of stdout" })
    .option("verbose", { alias: "v", type: "boolean", default: false, describe: "Text output: list passing controls too" });
}

export function parseNow(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(ms)) throw new InputError(`--now ${JSON.stringify(value)}: expected an ISO 8601 date or date-time, e.g. 2026-11-24T12:00:00Z`);
  return new Date(ms);
}

/** Print or write the report and return the exit code a pipeline can trust. */
export function deliver(report: Report, args: ReportArgs): number {
  const format = args.format ?? (args.output || !process.stdout.isTTY ? "json" : "text");
  let content: string;
  if (format === "json") content = JSON.stringify(report, null, 2);
  else {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { renderText } = require("../report/text") as typeof import("../report/text");
    content = renderText(report, { colour: !args.output && process.stdout.isTTY && !process.env.NO_COLOR, verbose: args.verbose });
  }
  emit(content, args.output);
  if (args.output) process.stderr.write(`ldaps-audit: wrote ${args.output}: ${report.summary.compliant} of ${report.summary.targets} target(s) compliant\n`);
  return report.summary.noncompliant > 0 ? EXIT.nonCompliant : EXIT.compliant;
}
