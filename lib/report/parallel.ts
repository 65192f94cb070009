// Evaluating a large fleet on every core: snapshot files are judged by a bounded pool of worker threads
// (lib/report/parallel-worker.ts) and written in the order given, so the report is byte for byte the one
// a single thread writes (the same functions turn each target into text; only `generatedAt`, the
// clock, differs between any two runs).
//
// Nothing lost, nothing hangs: every file is judged exactly once; a file that cannot be read or judged
// stops the run with that file's error, as it does on one thread (the first such file in order wins);
// a worker thread that dies takes only the files it was judging with it, each as its own error; and a
// result is waited for only from a thread that is alive. At most MAX_AHEAD results wait for an earlier
// file, so memory stays bounded whatever the fleet's size.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { InputError, RuntimeFailure } from "../errors";
import { loadProfile } from "../profile/load";
import type { Status } from "../profile/types";
import { loadWaivers, Waiver } from "../profile/waivers";
import { reportHeader, ReportHeader, SummaryCounter } from "./build";
import type { StreamStyle } from "./stream";
import type { Report, ReportControl } from "./types";

// How many threads a run uses is decided in ./workers (a run of a few files never loads this module).
export { PARALLEL_MIN_SNAPSHOTS, workerCount } from "./workers";
/** Jobs sent to one thread before it answers (keeps it busy while the main thread writes). */
const IN_FLIGHT_PER_WORKER = 4;
/** How far beyond the next file to write the pool may run: bounds the results held for ordering. */
const MAX_AHEAD = 64;

export interface WorkerSetup {
  profile: string;
  profileSha256: string;
  waivers: Waiver[];
  now: string;
  controls: Record<string, ReportControl>;
  style: StreamStyle;
}

export interface JobRequest {
  index: number;
  path: string;
}

export type JobResult =
  | { index: number; ok: true; sha256: string; targets: Array<{ text: string; status: "compliant" | "noncompliant"; statuses: Status[] }> }
  | { index: number; ok: false; kind: "input" | "runtime" | "internal"; message: string };

function workerScript(): string {
  const script = join(__dirname, "parallel-worker.js");
  // Only the built package has it (tests of lib/ run from TypeScript sources use the CLI for this).
  if (!existsSync(script)) throw new RuntimeFailure(`worker threads need the built ${script}; run npm run build, or use --workers off`);
  return script;
}

function errorOf(r: Extract<JobResult, { ok: false }>): Error {
  return r.kind === "input" ? new InputError(r.message) : r.kind === "runtime" ? new RuntimeFailure(r.message) : new Error(r.message);
}

export interface ParallelSink {
  onBegin: (header: Omit<ReportHeader, "inputs">) => void;
  /** Each target's text (lib/report/stream.ts targetText), in the order of the files. */
  onTargetText: (text: string) => void;
}

export interface ParallelRun {
  done: Promise<{ header: ReportHeader; summary: Report["summary"] }>;
  /** Stop every thread now (a signal); `done` rejects. */
  stop: (reason: Error) => void;
}

/** audit() for snapshot files (no --probe), judged by `workers` threads; resolves like audit() returns. */
export function auditInParallel(
  request: { profile?: string; waivers?: string; now?: Date; snapshots: string[] },
  style: StreamStyle,
  workers: number,
  sink: ParallelSink,
): ParallelRun {
  const now = request.now ?? new Date();
  const profileName = request.profile ?? "baseline";
  const profile = loadProfile(profileName);
  const waivers = request.waivers ? loadWaivers(request.waivers) : null;
  const applied: Waiver[] = waivers?.waivers ?? [];
  const generatedAt = new Date();
  const { inputs: _none, ...head } = reportHeader({ profile, waivers: applied, now, inputs: [], generatedAt });
  const setup: WorkerSetup = { profile: profileName, profileSha256: profile.sha256, waivers: applied, now: now.toISOString(), controls: head.controls, style };
  const script = workerScript();
  sink.onBegin(head);

  const files = request.snapshots;
  const counter = new SummaryCounter();
  const inputs: Report["inputs"] = [];
  const results = new Map<number, JobResult>();
  let next = 0; // the next file to write
  let dispatched = 0; // files handed to a thread so far
  let finished = false;
  let lastDeath = "";
  const pool: Array<{ worker: Worker; ready: boolean; alive: boolean; inFlight: Set<number> }> = [];

  let settle!: { resolve: (v: { header: ReportHeader; summary: Report["summary"] }) => void; reject: (e: Error) => void };
  const done = new Promise<{ header: ReportHeader; summary: Report["summary"] }>((resolve, reject) => (settle = { resolve, reject }));

  const end = (error: Error | null) => {
    if (finished) return;
    finished = true;
    for (const p of pool) {
      // A thread stuck in a read (a FIFO with no writer) cannot be stopped at once: unref'd, it no
      // longer keeps the process alive, so the run ends anyway and the process exits.
      p.worker.unref();
      void p.worker.terminate();
    }
    if (error) return settle.reject(error);
    inputs.push({ kind: "profile", path: profile.source, sha256: profile.sha256 });
    if (request.waivers && waivers) inputs.push({ kind: "waivers", path: request.waivers, sha256: waivers.sha256 });
    settle.resolve({ header: reportHeader({ profile, waivers: applied, now, inputs, generatedAt }), summary: counter.summary() });
  };

  /** Write every result that is next in order; the first error in order ends the run. */
  const drain = () => {
    try {
      for (let r = results.get(next); r && !finished; r = results.get(next)) {
        results.delete(next);
        if (!r.ok) return end(errorOf(r));
        inputs.push({ kind: "snapshot", path: files[next], sha256: r.sha256 });
        for (const t of r.targets) {
          counter.add({ status: t.status, controls: t.statuses.map((status) => ({ status })) });
          sink.onTargetText(t.text);
        }
        next++;
      }
    } catch (e) {
      return end(e as Error);
    }
    if (next === files.length) return end(null);
    dispatch();
  };

  const dispatch = () => {
    const live = pool.filter((p) => p.alive);
    if (live.length === 0 && !finished) {
      // Every thread died: the files not yet judged cannot be; the first of them is the error.
      if (!results.has(next)) results.set(next, { index: next, ok: false, kind: "runtime", message: `${files[next]}: not evaluated: every worker thread stopped (${lastDeath})` });
      return drain();
    }
    for (const p of live) {
      while (p.ready && p.inFlight.size < IN_FLIGHT_PER_WORKER && dispatched < files.length && dispatched < next + MAX_AHEAD) {
        const index = dispatched++;
        const job: JobRequest = { index, path: files[index] };
        p.inFlight.add(index);
        p.worker.postMessage(job);
      }
    }
  };

  for (let i = 0; i < Math.max(1, workers); i++) {
    const worker = new Worker(script, { workerData: setup, stdout: false, stderr: false });
    const entry = { worker, ready: false, alive: true, inFlight: new Set<number>() };
    pool.push(entry);
    worker.on("message", (m: JobResult | { ready: true } | { fatal: string }) => {
      if (finished) return;
      if ("fatal" in m) return end(new InputError(m.fatal));
      if ("ready" in m) {
        entry.ready = true;
        return dispatch();
      }
      entry.inFlight.delete(m.index);
      results.set(m.index, m);
      drain();
    });
    const died = (why: string) => {
      if (!entry.alive) return;
      entry.alive = false;
      lastDeath = why;
      if (finished) return;
      // The files this thread was judging are lost with it: each is its own error, never silently missing.
      for (const index of entry.inFlight) results.set(index, { index, ok: false, kind: "runtime", message: `${files[index]}: not evaluated: the worker thread judging it stopped (${why})` });
      entry.inFlight.clear();
      drain();
    };
    worker.on("error", (e) => died(e.message));
    worker.on("exit", (code) => died(`exit code ${code}`));
  }

  if (files.length === 0) end(null);
  return { done, stop: (reason) => end(reason) };
}
