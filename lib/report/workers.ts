// How many worker threads `evaluate` uses (--workers, LDAPS_AUDIT_WORKERS). Apart from lib/report/parallel.ts,
// which runs them, so that a run of a few snapshot files decides "one thread" without loading worker_threads.
import { availableParallelism } from "node:os";
import { InputError } from "../errors";

/** From this many snapshot files on, `evaluate` uses worker threads (when there is more than one core). */
export const PARALLEL_MIN_SNAPSHOTS = 200;

/**
 * How many worker threads to use for `snapshots` files: `setting` is --workers (or LDAPS_AUDIT_WORKERS):
 * "auto" (default: every core, from PARALLEL_MIN_SNAPSHOTS files on, on a machine with more than one),
 * "off" or 0 (one thread), or a number of threads (forced, whatever the fleet's size). 0 means one thread.
 */
export function workerCount(snapshots: number, setting: string | undefined, cores = availableParallelism()): number {
  const s = (setting ?? "auto").trim().toLowerCase();
  if (s === "auto" || s === "") return snapshots >= PARALLEL_MIN_SNAPSHOTS && cores > 1 ? Math.min(cores, snapshots) : 0;
  if (s === "off") return 0;
  if (!/^\d{1,3}$/.test(s) || Number(s) > 64) throw new InputError(`--workers ${JSON.stringify(setting)}: expected auto, off, or a number of threads from 0 to 64`);
  return Number(s) === 1 ? 1 : Math.min(Number(s), Math.max(snapshots, 1));
}
