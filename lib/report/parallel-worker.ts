// A worker thread of the parallel fleet evaluation (lib/report/parallel.ts): judges one snapshot file
// per job, exactly as audit() does on one thread (read, derive facts, evaluate, waive, report entry),
// and answers with the target text the streaming writer would have written, so the report is the same
// bytes whichever thread judged a host.
import { parentPort, workerData } from "node:worker_threads";
import { evaluateSnapshot, readSnapshot } from "../audit";
import { InputError, RuntimeFailure } from "../errors";
import { loadProfile } from "../profile/load";
import { waiveEvaluation } from "../profile/waivers";
import { reportTarget } from "./build";
import type { JobRequest, JobResult, WorkerSetup } from "./parallel";
import { targetText } from "./stream";

const setup = workerData as WorkerSetup;
const port = parentPort!;
const now = new Date(setup.now);

function errorKind(e: unknown): "input" | "runtime" | "internal" {
  return e instanceof InputError ? "input" : e instanceof RuntimeFailure ? "runtime" : "internal";
}

function judge(job: JobRequest): JobResult {
  const { snapshot, sha256 } = readSnapshot(job.path);
  const targets = evaluateSnapshot(snapshot, profile, now, job.path).map((e) =>
    reportTarget({ ...e, evaluation: waiveEvaluation(e.evaluation, setup.waivers, e.facts.target.host, now) }),
  );
  return {
    index: job.index,
    ok: true,
    sha256,
    targets: targets.map((t) => ({ text: targetText(t, setup.controls, setup.style), status: t.status, statuses: t.controls.map((c) => c.status) })),
  };
}

// The profile is compiled here again (compiled validators cannot cross threads); its digest must be the
// one the main thread judged by, or this thread would judge by another profile (the file changed).
const profile = loadProfile(setup.profile);
if (profile.sha256 !== setup.profileSha256) {
  port.postMessage({ fatal: `${profile.source}: the profile changed while the fleet was being evaluated; run again` });
} else {
  port.on("message", (job: JobRequest) => {
    // Test seam (test/report/parallel.test.ts): this thread dies while judging the named file, as a
    // crash would (an abort in native code, an out-of-memory kill of the thread).
    if (process.env.LDAPS_AUDIT_TEST_WORKER_EXIT_ON && job.path.endsWith(process.env.LDAPS_AUDIT_TEST_WORKER_EXIT_ON)) process.exit(70);
    let result: JobResult;
    try {
      result = judge(job);
    } catch (e) {
      result = { index: job.index, ok: false, kind: errorKind(e), message: e instanceof Error ? e.message : String(e) };
    }
    port.postMessage(result);
  });
  port.postMessage({ ready: true });
}
