// `ldaps-audit check`: collect on this host, evaluate against a profile, report — the one command to run on a DC.
// With --report-dir it writes a timestamped report and keeps the newest --keep (what the scheduled task runs).
// Each run also writes one summary event to the Windows Application log (lib/eventlog).
import type { CommandModule } from "yargs";
import { EXIT, InputError } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { hostFileStem } from "../../output/host-file-names";
import { deliver, parseNow, profileInputs, refuseUnsafeOutputs, ReportArgs, withReportOptions } from "../common";
import { CollectArgs, collectOptionsFrom, withCollectOptions } from "./collect";
import { stderrLine } from "../../terminal";
import { compareText } from "../../text-order";

interface CheckArgs extends ReportArgs, CollectArgs {
  "report-dir"?: string;
  keep: number;
  "save-snapshot"?: string;
  "event-log": boolean;
}

/** ldaps-audit-<host stem>-<UTC stamp to the millisecond>.<extension>: the host part, stamp and extension read back. */
export const REPORT_FILE = /^ldaps-audit-(.+)-(\d{8}T\d{9}Z)\.(json|txt|html|xml|pdf)$/;

/** File extension for each report format that --report-dir keeps a history of. */
const EXTENSION: Record<string, string> = { json: "json", text: "txt", html: "html", junit: "xml", pdf: "pdf" };

/** The --report-dir file name for `host`'s report written at `at` in `format`. */
export function reportFileName(host: string, format: string, at: Date): string {
  // Millisecond stamps: two runs in the same second must not overwrite each other.
  return `ldaps-audit-${hostFileStem(host)}-${at.toISOString().replace(/[-:.]/g, "")}.${EXTENSION[format]}`;
}

/**
 * Keep the newest `keep` of `host`'s reports in `format` in `dir` (names sort by their UTC stamp);
 * returns the removed names. Other hosts' reports (a shared folder) and other formats are never touched.
 * The host part is compared case-insensitively, so reports named by earlier versions (which kept the
 * host's case) are pruned with the new ones.
 */
export function pruneReports(dir: string, keep: number, host: string, format: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { readdirSync, unlinkSync } = require("node:fs") as typeof import("node:fs");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { join } = require("node:path") as typeof import("node:path");
  const stem = hostFileStem(host);
  const mine = readdirSync(dir)
    .map((name) => ({ name, m: REPORT_FILE.exec(name) }))
    .filter((r): r is { name: string; m: RegExpExecArray } => !!r.m && r.m[1].toLowerCase() === stem && r.m[3] === EXTENSION[format])
    .sort((a, b) => compareText(b.m[2], a.m[2]) || compareText(b.name, a.name));
  const removed = mine.slice(keep).map((r) => r.name);
  for (const n of removed) unlinkSync(join(dir, n));
  return removed;
}

export const checkCommand: CommandModule<object, CheckArgs> = {
  command: "check",
  describe: "Collect on this host, evaluate against a profile and report, in one step (run elevated on the DC)",
  builder: (y) =>
    withCollectOptions(withReportOptions(y))
      .option("report-dir", { type: "string", describe: "Write ldaps-audit-<host>-<UTC timestamp>.json (.txt, .html, .xml by --format) into this folder and keep the newest --keep" })
      .option("keep", { type: "number", default: 30, describe: "With --report-dir: how many reports to keep" })
      .option("save-snapshot", { type: "string", describe: "Also write the collected snapshot to this file" })
      .option("event-log", {
        type: "boolean",
        default: true,
        describe: "Write one summary event per run to the Windows Application log, source ldaps-audit (ids: 1000 compliant, 1001 warnings, 1002 non-compliant, 1003 failed); --no-event-log to skip",
      })
      .example("$0 check", "Audit this DC with the baseline profile")
      .example("$0 check --profile hardened --format json -o report.json", "Hardened audit as a JSON report")
      .example("$0 check --report-dir C:\\LdapsAudit --keep 30", "What the scheduled task runs") as never,
  handler: async (args) => {
    if (args["report-dir"] && args.output) throw new InputError("use --report-dir or --output, not both");
    const asked: string | undefined = args.format; // at run time any ReportFormat (see ReportArgs.format)
    if (args["report-dir"] && asked === "prometheus") {
      // The collector reads every *.prom in its folder: a history of them would be scraped as duplicates.
      throw new InputError("--format prometheus with --report-dir: the textfile collector reads one current file; use -o <collector folder>\\ldaps-audit.prom");
    }
    if (args["report-dir"] && asked === "nagios") throw new InputError("--format nagios is a check result on stdout; it has no --report-dir");
    if (!Number.isInteger(args.keep) || args.keep < 1 || args.keep > 100000) throw new InputError(`--keep ${args.keep}: expected a whole number from 1 to 100000`);
    const now = parseNow(args.now);
    const options = collectOptionsFrom(args);
    // Before PowerShell starts: an output that is an input, or two outputs that are one file, is refused.
    refuseUnsafeOutputs(args, profileInputs(args), namedPaths("--save-snapshot", args["save-snapshot"]));
    const { PowerShellSession } = await import("../../collect/powershell");
    const { reportEvent, failureEvent } = await import("../../eventlog/summary");
    const { writeEvent, writeEventWith, describeEventWrite } = await import("../../eventlog/write");
    // One PowerShell session collects and then writes the run's summary event (one per run, also for a failed run).
    let ps: import("../../collect/powershell").PowerShellSession | undefined;
    let reported = false;
    try {
      ps = PowerShellSession.start(options);
      const { report, file } = await checkOnce(ps, args, options, now);
      reported = true;
      if (args["event-log"]) {
        const event = reportEvent(report, { reportFile: file });
        stderrLine(describeEventWrite(event, await writeEventWith(ps, event, options)));
      }
    } catch (e) {
      if (args["event-log"] && !reported) {
        // The failed run's session may be what failed (timed out, died): the event gets a session of its own.
        await ps?.dispose();
        ps = undefined;
        const event = failureEvent(e, { exitCode: e instanceof InputError ? EXIT.usage : EXIT.runtime });
        stderrLine(describeEventWrite(event, await writeEvent(event, options)));
      }
      throw e;
    } finally {
      await ps?.dispose();
    }
  },
};

/** Collect, evaluate and deliver the report (to stdout, --output or --report-dir); sets args.exitCode. */
async function checkOnce(
  ps: import("../../collect/powershell").PowerShellSession,
  args: CheckArgs,
  options: import("../../collect").CollectOptions,
  now: Date | undefined,
): Promise<{ report: import("../../report/types").Report; file?: string }> {
  const { collectLocalWith } = await import("../../collect");
  const { auditReport, sha256 } = await import("../../audit");
  const snapshot = await collectLocalWith(ps, options);
  const text = JSON.stringify(snapshot, null, 2) + "\n";
  if (args["save-snapshot"]) {
    const { writeOutput } = await import("../../output/write");
    writeOutput(args["save-snapshot"], text, "--save-snapshot");
  }
  const source = args["save-snapshot"] ?? `collected:${snapshot.host.fqdn}`;
  const report = auditReport({ snapshots: [{ snapshot, source, sha256: sha256(text), kind: "snapshot" }], profile: args.profile, waivers: args.waivers, now });
  if (!args["report-dir"]) {
    args.exitCode = deliver(report, args);
    return { report, file: args.output && args.output !== "-" ? args.output : undefined };
  }
  const { mkdirSync } = await import("node:fs");
  const { join } = await import("node:path");
  mkdirSync(args["report-dir"], { recursive: true });
  const format = args.format ?? "json";
  const file = join(args["report-dir"], reportFileName(snapshot.host.fqdn, format, new Date()));
  refuseUnsafeOutputs({ ...args, output: file }, profileInputs(args), namedPaths("--save-snapshot", args["save-snapshot"]));
  args.exitCode = deliver(report, { ...args, format, output: file });
  const removed = pruneReports(args["report-dir"], args.keep, snapshot.host.fqdn, format);
  if (removed.length) stderrLine(`removed ${removed.length} old report(s) of this host, keeping ${args.keep}`);
  if (args.exitCode !== EXIT.compliant && args.exitCode !== EXIT.nonCompliant) args.exitCode = EXIT.runtime;
  return { report, file };
}
