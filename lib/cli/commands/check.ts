// `ldaps-audit check`: collect on this host, evaluate against a profile, report — the one command to run on a DC.
// With --report-dir it writes a timestamped report and keeps the newest --keep (what the scheduled task runs).
import type { CommandModule } from "yargs";
import { EXIT, InputError } from "../../errors";
import { deliver, parseNow, ReportArgs, withReportOptions } from "../common";
import { CollectArgs, collectOptionsFrom, safeFileName, withCollectOptions } from "./collect";
import { stderrLine } from "../../terminal";

interface CheckArgs extends ReportArgs, CollectArgs {
  "report-dir"?: string;
  keep: number;
  "save-snapshot"?: string;
}

export const REPORT_FILE = /^ldaps-audit-.+-\d{8}T\d{9}Z\.(json|txt|html|xml)$/;

/** File extension for each report format. */
const EXTENSION: Record<string, string> = { json: "json", text: "txt", html: "html", junit: "xml" };

/** Keep the newest `keep` reports in `dir` (names sort by their UTC timestamp); returns the removed names. */
export function pruneReports(dir: string, keep: number): string[] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { readdirSync, unlinkSync } = require("node:fs") as typeof import("node:fs");
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { join } = require("node:path") as typeof import("node:path");
  const stamp = (n: string) => /(\d{8}T\d{9}Z)\.(json|txt|html|xml)$/.exec(n)![1];
  const reports = readdirSync(dir).filter((n) => REPORT_FILE.test(n)).sort((a, b) => stamp(b).localeCompare(stamp(a)) || b.localeCompare(a));
  const removed = reports.slice(keep);
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
      .example("$0 check", "Audit this DC with the baseline profile")
      .example("$0 check --profile hardened --format json -o report.json", "Hardened audit as a JSON report")
      .example("$0 check --report-dir C:\\LdapsAudit --keep 30", "What the scheduled task runs") as never,
  handler: async (args) => {
    if (args["report-dir"] && args.output) throw new InputError("use --report-dir or --output, not both");
    if (!Number.isInteger(args.keep) || args.keep < 1 || args.keep > 100000) throw new InputError(`--keep ${args.keep}: expected a whole number from 1 to 100000`);
    const now = parseNow(args.now);
    const options = collectOptionsFrom(args);
    const { collectLocal } = await import("../../collect");
    const { evaluateSnapshots, sha256 } = await import("../../audit");
    const snapshot = await collectLocal(options);
    const text = JSON.stringify(snapshot, null, 2) + "\n";
    if (args["save-snapshot"]) {
      const { writeFileAtomic } = await import("../output");
      writeFileAtomic(args["save-snapshot"], text);
    }
    const source = args["save-snapshot"] ?? `collected:${snapshot.host.fqdn}`;
    const report = evaluateSnapshots([{ snapshot, source, sha256: sha256(text), kind: "snapshot" }], { profile: args.profile, waivers: args.waivers, now });
    if (!args["report-dir"]) {
      args.exitCode = deliver(report, args);
      return;
    }
    const { mkdirSync } = await import("node:fs");
    const { join } = await import("node:path");
    mkdirSync(args["report-dir"], { recursive: true });
    const format = args.format ?? "json";
    // Millisecond stamps: two runs in the same second must not overwrite each other.
    const stamp = new Date().toISOString().replace(/[-:.]/g, "");
    const file = join(args["report-dir"], `ldaps-audit-${safeFileName(snapshot.host.fqdn)}-${stamp}.${EXTENSION[format]}`);
    args.exitCode = deliver(report, { ...args, format, output: file });
    const removed = pruneReports(args["report-dir"], args.keep);
    if (removed.length) stderrLine(`removed ${removed.length} old report(s), keeping ${args.keep}`);
    if (args.exitCode !== EXIT.compliant && args.exitCode !== EXIT.nonCompliant) args.exitCode = EXIT.runtime;
  },
};
