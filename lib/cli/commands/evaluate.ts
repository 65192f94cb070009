import type { CommandModule } from "yargs";
import { EXIT } from "../../errors";
import { namedPaths } from "../../output/conflicts";
import { deliver, jsonCompact, parseNow, profileInputs, refuseUnsafeOutputs, REPORT_OPTIONS, ReportArgs, wantsWholeReport } from "../common";
import type { CommandSpec } from "../fast-path";
import { stderrLine, stderrProgress, stderrProgressClear } from "../../terminal";

interface EvaluateArgs extends ReportArgs {
  snapshots: string[];
  probe?: string[];
  workers?: string;
}

/** evaluate's arguments as data: its yargs builder declares them, and lib/cli/fast-path.ts reads them. */
export const evaluateSpec = {
  name: "evaluate",
  positional: { name: "snapshots", spec: { type: "string", array: true, demandOption: true, describe: "Snapshot JSON files (schemas/snapshot.schema.json)" } },
  options: {
    ...REPORT_OPTIONS,
    probe: {
      type: "string",
      array: true,
      describe: "Probe results (ldaps-audit probe -o FILE) to merge into the snapshot of the same host: compares the certificate on the wire with the one the store predicts (LDAPS-N03)",
    },
    workers: {
      type: "string",
      describe:
        "Worker threads for a fleet: auto (every core, from 200 snapshot files on), off, or a number (forced). The report is the same bytes either way. Default: $LDAPS_AUDIT_WORKERS, else auto. Not used with --probe",
    },
  },
} satisfies CommandSpec;

export const evaluateCommand: CommandModule<object, EvaluateArgs> = {
  command: "evaluate <snapshots...>",
  describe: "Evaluate snapshot files (from the collector, the probe, or hand-made) against a compliance profile",
  builder: (y) =>
    y
      .positional(evaluateSpec.positional.name, evaluateSpec.positional.spec)
      .options(evaluateSpec.options)
      .example("$0 evaluate examples/healthy-dc.snapshot.json", "Audit one DC's evidence with the baseline profile")
      .example("$0 evaluate dc*.json --profile hardened --format json -o report.json", "Hardened audit of several DCs into a JSON report")
      .example("$0 evaluate dc1.json --waivers waivers.yaml --now 2026-12-01", "Apply accepted exceptions; judge expiry as of a date")
      .example("$0 evaluate dc1.json --probe dc1.probe.json", "Also check that dc1 serves the certificate its stores predict") as never,
  handler: async (args) => {
    refuseUnsafeOutputs(args, [...namedPaths("snapshot", args.snapshots), ...namedPaths("--probe", args.probe), ...profileInputs(args)]);
    const options = { profile: args.profile, waivers: args.waivers, now: parseNow(args.now), probes: args.probe };
    if (wantsWholeReport(args)) {
      // HTML, JUnit and several outputs at once are rendered from the whole report.
      const { auditReport } = await import("../../audit");
      args.exitCode = deliver(auditReport({ ...options, snapshots: args.snapshots }), args);
      return;
    }
    // Decided before the report's spool file exists (a bad --workers leaves nothing behind).
    // Probe merging matches probes across all snapshots (lib/audit.ts), so runs with --probe stay on one thread.
    const { workerCount } = await import("../../report/workers");
    const workers = args.probe?.length ? 0 : workerCount(args.snapshots.length, args.workers ?? process.env.LDAPS_AUDIT_WORKERS);
    const { audit } = await import("../../audit");
    const { ReportStreamWriter } = await import("../../report/stream");
    const format = args.format === "text" || (!args.format && !args.output && process.stdout.isTTY) ? "text" : "json";
    // Targets are written as they are judged (a fleet never sits in memory whole); the file only
    // appears, or reaches stdout, once every snapshot has been evaluated.
    const colour = !args.output && process.stdout.isTTY && !process.env.NO_COLOR;
    const writer = new ReportStreamWriter(args.output && args.output !== "-" ? args.output : undefined, format, { colour, verbose: args.verbose }, jsonCompact(args) ? "compact" : "pretty");
    const progress = args.snapshots.length > 20 && process.stderr.isTTY;
    let done = 0;
    const counted = () => {
      if (progress && ++done % 50 === 0) stderrProgress(`ldaps-audit: ${done} targets evaluated`);
    };
    try {
      const { header, summary } = workers
        ? await inParallel(args, options, workers, writer, counted)
        : audit(
            { ...options, snapshots: args.snapshots },
            {
              onTarget: (t) => {
                writer.target(t);
                counted();
              },
              onBegin: (head) => writer.begin(head),
            },
          );
      if (progress) stderrProgressClear();
      await writer.finish({ inputs: header.inputs, summary });
      if (args.output) stderrLine(`wrote ${args.output}: ${summary.compliant} of ${summary.targets} target(s) compliant`);
      args.exitCode = summary.noncompliant > 0 ? EXIT.nonCompliant : EXIT.compliant;
    } catch (e) {
      writer.abort();
      if (e instanceof Interrupted) {
        args.exitCode = e.signal === "SIGINT" ? 130 : 143;
        return;
      }
      throw e;
    }
  },
};

/** A signal stopped a parallel run: nothing was written, the exit code says which signal. */
class Interrupted extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
  }
}

/**
 * The fleet judged by worker threads. The main thread stays free while they work, so SIGINT/SIGTERM are
 * handled here: the threads are stopped and the spool file removed (by the caller's abort), and no report
 * appears, as when the single-thread run is killed.
 */
async function inParallel(
  args: EvaluateArgs,
  options: { profile: string; waivers?: string; now?: Date },
  workers: number,
  writer: import("../../report/stream").ReportStreamWriter,
  counted: () => void,
) {
  const { auditInParallel } = await import("../../report/parallel");
  // Handlers first: a signal from the moment the report's spool file has its header is this run's to handle.
  let stop: ((reason: Error) => void) | null = null;
  let stopped: Interrupted | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    stopped = new Interrupted(signal);
    stop?.(stopped);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const run = (() => {
    try {
      return auditInParallel({ ...options, snapshots: args.snapshots }, writer.targetStyle, workers, {
        onBegin: (head) => writer.begin(head),
        onTargetText: (text) => {
          writer.targetTextWritten(text);
          counted();
        },
      });
    } catch (e) {
      process.removeListener("SIGINT", onSignal);
      process.removeListener("SIGTERM", onSignal);
      throw e;
    }
  })();
  stop = run.stop;
  if (stopped) run.stop(stopped);
  try {
    return await run.done;
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
}
