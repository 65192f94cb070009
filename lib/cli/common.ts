// Options and output handling shared by the commands that produce a report.
import type { Argv, Options } from "yargs";
import { instantOption } from "../dates";
import { EXIT, InputError } from "../errors";
import type { Report } from "../report/types";
import { NamedPath, namedPaths, refuseConflictingOutputs } from "../output/conflicts";
import { writeOutput } from "../output/write";
import { emit, ensureNewline } from "./output";
import { stderrLine } from "../terminal";

export interface ReportArgs {
  profile: string;
  waivers?: string;
  now?: string;
  /**
   * Typed "text" | "json" so streaming writers (lib/report/stream.ts) keep compiling; at run time a
   * command built with withReportOptions may also receive "html" or "junit" (see ReportFormat), which
   * deliver() handles.
   */
  format?: "text" | "json";
  output?: string;
  /** Extra outputs written in the same run, each atomically (in addition to --format/--output). */
  "output-html"?: string;
  "output-junit"?: string;
  "output-json"?: string;
  compact?: boolean;
  verbose: boolean;
  exitCode?: number;
}

export const REPORT_FORMATS = ["text", "json", "html", "junit", "pdf", "prometheus", "nagios"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** True when the run asks for something only a whole in-memory report can give (every format but the streamed json/text, or several outputs). */
export function wantsWholeReport(args: { format?: string; "output-html"?: string; "output-junit"?: string; "output-json"?: string }): boolean {
  return (args.format !== undefined && args.format !== "json" && args.format !== "text") || !!(args["output-html"] || args["output-junit"] || args["output-json"]);
}

/** --format, --output and the extra --output-<format> files: shared by every command that writes a report. */
export const OUTPUT_OPTIONS = {
  format: {
    choices: REPORT_FORMATS,
    describe:
      "Output format: text, json (schemas/report.schema.json), html (self-contained page for auditors), pdf (that page printed by headless Chromium/Edge), " +
      "junit (JUnit XML for CI), prometheus (textfile-collector metrics: -o <collector folder>/ldaps-audit.prom), " +
      "nagios (a Nagios/Icinga check: status line and perfdata; exits 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN). Default: text on a terminal, json otherwise",
  },
  output: { alias: "o", type: "string", describe: "Write the report to this file (atomically) instead of stdout" },
  "output-html": { type: "string", describe: "Also write the HTML report to this file (atomically)" },
  "output-junit": { type: "string", describe: "Also write JUnit XML to this file (atomically)" },
  "output-json": { type: "string", describe: "Also write the JSON report to this file (atomically)" },
  compact: {
    type: "boolean",
    describe: "JSON on one line, without indentation (smaller and faster to write for fleets). Default: compact on a stdout that is not a terminal (a pipe), indented on a terminal and in files (-o); --no-compact always indents",
  },
} satisfies Record<string, Options>;

/** The output options, and the profile, waivers and clock a judged report depends on. */
export const REPORT_OPTIONS = {
  ...OUTPUT_OPTIONS,
  profile: {
    type: "string",
    default: "baseline",
    describe: "Compliance profile: baseline, hardened, or a profile file (JSON Schema; see schemas/profile.meta.json)",
  },
  waivers: { type: "string", describe: "Waivers file (JSON or YAML): control, optional host/thumbprint, justification, approver, expires" },
  now: { type: "string", describe: "Judge validity and expiry at this instant (ISO 8601), e.g. for reproducible audits" },
  verbose: { alias: "v", type: "boolean", default: false, describe: "Text output: list passing controls too" },
} satisfies Record<string, Options>;

export function withOutputOptions<T>(y: Argv<T>) {
  return y.options(OUTPUT_OPTIONS);
}

export function withReportOptions<T>(y: Argv<T>) {
  return y.options(REPORT_OPTIONS);
}

export function parseNow(value: string | undefined): Date | undefined {
  return instantOption(value, "--now");
}

export interface RenderOptions {
  colour?: boolean;
  verbose?: boolean;
  /** JSON: one line, no indentation (--compact). */
  compact?: boolean;
}

/** The report in one format (PDF as bytes). Renderers load lazily so `--help` stays fast. */
export function renderReport(report: Report, format: "pdf", options?: RenderOptions): Buffer;
export function renderReport(report: Report, format: Exclude<ReportFormat, "pdf">, options?: RenderOptions): string;
export function renderReport(report: Report, format: ReportFormat, options?: RenderOptions): string | Buffer;
export function renderReport(report: Report, format: ReportFormat, options: RenderOptions = {}): string | Buffer {
  switch (format) {
    case "json":
      return (require("../report/document") as typeof import("../report/document")).reportJson(report, options.compact ? "compact" : "pretty");
    case "html":
      return (require("../report/html") as typeof import("../report/html")).renderHtml(report);
    case "pdf":
      // Printed with every host open: a closed <details> would print as its summary line only.
      return (require("../report/pdf") as typeof import("../report/pdf")).htmlToPdf((require("../report/html") as typeof import("../report/html")).renderHtml(report, { expandAll: true }));
    case "prometheus":
      return (require("../report/prometheus") as typeof import("../report/prometheus")).renderPrometheus(report);
    case "nagios":
      return nagiosCheck(report).output;
    case "junit":
      return (require("../report/junit") as typeof import("../report/junit")).renderJunit(report);
    default:
      return (require("../report/text") as typeof import("../report/text")).renderText(report, options);
  }
}

/**
 * Whether JSON is written compact: as --compact / --no-compact say; when neither is given, compact on a
 * stdout that is not a terminal (a pipe or a redirect: a program reads it; on the 1,000-host bench fleet
 * 39% fewer bytes and ~10% less CPU, bench/README.md) and indented everywhere else: a terminal, and files
 * named by -o/--output-json, which are written the same way whoever runs the command.
 */
export function jsonCompact(args: { compact?: boolean; output?: string }, destination: "main" | "extra" = "main"): boolean {
  if (args.compact !== undefined) return args.compact;
  const toStdout = destination === "main" && (!args.output || args.output === "-");
  return toStdout && !process.stdout.isTTY;
}

/** A JSON document other than a report (roll-up, diff, verification) as --compact asks. */
export function jsonText(value: unknown, compact: boolean | undefined): string {
  return compact ? JSON.stringify(value) : JSON.stringify(value, null, 2);
}

/** The extra --output-<format> files asked for, in a fixed order. */
export function extraOutputs(args: { "output-html"?: string; "output-junit"?: string; "output-json"?: string }): Array<{ format: ReportFormat; path: string }> {
  const out: Array<{ format: ReportFormat; path: string }> = [];
  if (args["output-json"]) out.push({ format: "json", path: args["output-json"] });
  if (args["output-html"]) out.push({ format: "html", path: args["output-html"] });
  if (args["output-junit"]) out.push({ format: "junit", path: args["output-junit"] });
  return out;
}

type OutputArgs = { output?: string; "output-html"?: string; "output-junit"?: string; "output-json"?: string; compact?: boolean };

/** Every output a report-writing command was given, named by its option. */
export function reportOutputs(args: OutputArgs): NamedPath[] {
  return [...namedPaths("--output", args.output), ...extraOutputs(args).map((e) => ({ label: `--output-${e.format}`, path: e.path }))];
}

/**
 * Refuse (exit 2) before any work a run whose output is one of its inputs, whose outputs are one
 * file, or whose output cannot be a file at all (a directory). Every report-writing command calls it first.
 */
export function refuseUnsafeOutputs(args: OutputArgs, inputs: NamedPath[], moreOutputs: NamedPath[] = []): void {
  refuseConflictingOutputs(inputs, [...reportOutputs(args), ...moreOutputs]);
}

/** The files --profile and --waivers stand for (a shipped profile name matches no file and is ignored). */
export function profileInputs(args: { profile?: string; waivers?: string }): NamedPath[] {
  return [...namedPaths("--profile", args.profile), ...namedPaths("--waivers", args.waivers)];
}

/**
 * Print or write a document in the asked format, plus any --output-<format> files; `render` gives
 * the document in a format. Returns the files written. Callers have run refuseUnsafeOutputs.
 */
export function deliverWith(
  render: (format: ReportFormat, options: RenderOptions) => string | Buffer,
  args: { format?: string; verbose?: boolean } & OutputArgs,
): string[] {
  const extras = extraOutputs(args);
  const toStdout = !args.output || args.output === "-";
  const format: ReportFormat = (args.format as ReportFormat | undefined) ?? (args.output || !process.stdout.isTTY ? "json" : "text");
  if (format === "pdf" && (!args.output || args.output === "-") && process.stdout.isTTY) throw new InputError("--format pdf writes binary: give -o report.pdf (or redirect stdout)");
  // Render everything first: a renderer that throws leaves no file behind.
  const docs = extras.map((e) => ({ ...e, text: ensureNewline(render(e.format, { verbose: args.verbose, compact: jsonCompact(args, "extra") })) }));
  const main = render(format, { colour: !args.output && process.stdout.isTTY && !process.env.NO_COLOR, verbose: args.verbose, compact: jsonCompact(args) });
  for (const d of docs) writeOutput(d.path, d.text, `--output-${d.format}`);
  emit(main, args.output);
  return [...docs.map((d) => d.path), ...(toStdout ? [] : [args.output!])];
}

/**
 * Print or write the report (and any --output-html/--output-junit/--output-json files, each written
 * atomically) and return the exit code a pipeline can trust.
 */
export function deliver(report: Report, args: ReportArgs): number {
  const written = deliverWith((format, options) => renderReport(report, format, options), args);
  if (written.length) stderrLine(`wrote ${written.join(", ")}: ${report.summary.compliant} of ${report.summary.targets} target(s) compliant`);
  return reportExitCode(report, args.format);
}

/**
 * The exit code for a report: the pipeline's (0 compliant, 1 non-compliant) for every format but
 * nagios, which is a check plugin and exits with the plugin's state (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
 */
export function reportExitCode(report: Report, format: string | undefined): number {
  if (format === "nagios") return nagiosCheck(report).exitCode;
  return report.summary.noncompliant > 0 ? EXIT.nonCompliant : EXIT.compliant;
}

/** The check result, with the C07 thresholds of the profile the report was judged with. */
function nagiosCheck(report: Report) {
  const { renderNagios } = require("../report/nagios") as typeof import("../report/nagios");
  const { reportRunway } = require("../profile/runway") as typeof import("../profile/runway");
  return renderNagios(report, reportRunway(report));
}
