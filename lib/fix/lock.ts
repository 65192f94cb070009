// The lock against a second `fix --apply` on the same host: a file created exclusively (O_EXCL, so two runs
// cannot both win) holding who holds it. A live holder means refusal; a holder on this host whose process is
// gone (killed, crashed, power loss) left a stale lock, which is taken over, and the caller says so.
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, mkdirSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { dirname, join } from "node:path";
import { InputError } from "../errors";

export interface LockHolder {
  pid: number;
  host: string;
  started: string;
}

export interface HeldLock {
  path: string;
  /** The stale holder this run took the lock over from, if any. */
  tookOverFrom: LockHolder | null;
  release(): void;
}

/** Default lock file: %ProgramData%\ldaps-audit on Windows, the temp folder elsewhere (where apply only runs under test). */
export function defaultLockFile(env: NodeJS.ProcessEnv = process.env): string {
  if (process.platform === "win32") return join(env.ProgramData ?? "C:\\ProgramData", "ldaps-audit", "fix-apply.lock");
  return join(env.TMPDIR ?? "/tmp", "ldaps-audit-fix-apply.lock");
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readHolder(path: string): LockHolder | null {
  try {
    const h = JSON.parse(readFileSync(path, "utf8")) as LockHolder;
    return typeof h.pid === "number" && typeof h.host === "string" ? h : null;
  } catch {
    return null;
  }
}

function createExclusive(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new InputError(`cannot create the apply lock ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    writeSync(fd, JSON.stringify(holder));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Take the lock or refuse (InputError, one line naming the holder). Release it with `release()` in a finally block;
 * the caller also releases on SIGINT/SIGTERM (see withLock).
 */
export function acquireLock(path: string, now: () => Date = () => new Date(), hooks: { afterStaleRead?: () => void } = {}): HeldLock {
  const me: LockHolder = { pid: process.pid, host: hostname(), started: now().toISOString() };
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch {
    /* createExclusive says why */
  }
  let tookOverFrom: LockHolder | null = null;
  if (!createExclusive(path, me)) {
    const holder = readHolder(path);
    if (holder && (holder.host !== me.host || alive(holder.pid))) {
      throw new InputError(`another fix --apply holds the lock ${path} (pid ${holder.pid} on ${holder.host}, since ${holder.started}); wait for it, or remove the file if that run is gone`);
    }
    if (!holder) throw new InputError(`the apply lock ${path} exists but does not say who holds it; remove it if no fix --apply is running`);
    hooks.afterStaleRead?.();
    // A dead process on this host: its lock is stale. Taken over atomically: rename it aside (only one run's rename can
    // move a given file), then check that what was moved is the stale holder seen. If another run took over in between,
    // what was moved is that run's live lock: link it back (never overwriting) and refuse.
    const aside = `${path}.stale-${process.pid}-${randomBytes(6).toString("hex")}`;
    try {
      renameSync(path, aside);
    } catch {
      throw new InputError(`another fix --apply took the stale lock ${path} first`);
    }
    const moved = readHolder(aside);
    if (!moved || moved.pid !== holder.pid || moved.host !== holder.host || moved.started !== holder.started) {
      try {
        linkSync(aside, path);
      } catch {
        /* a third run holds the path now; the moved lock's holder will find its lock gone when it releases */
      }
      try {
        unlinkSync(aside);
      } catch {
        /* already gone */
      }
      throw new InputError(`another fix --apply took the stale lock ${path} first`);
    }
    try {
      unlinkSync(aside);
    } catch {
      /* already gone */
    }
    if (!createExclusive(path, me)) throw new InputError(`another fix --apply took the stale lock ${path} first`);
    tookOverFrom = holder;
  }
  let released = false;
  return {
    path,
    tookOverFrom,
    release() {
      if (released) return;
      released = true;
      // Only our own lock: a file another run created after a takeover is not ours to remove.
      const h = readHolder(path);
      if (h && h.pid === me.pid && h.host === me.host && h.started === me.started) {
        try {
          unlinkSync(path);
        } catch {
          /* already gone */
        }
      }
    },
  };
}

/** A signal asked the run to stop: set by the first SIGINT/SIGTERM when the caller handles it (withLock's `abortable`). */
export interface AbortFlag {
  signal: NodeJS.Signals | null;
}

/**
 * Hold the lock while `fn` runs; released in finally and on SIGINT/SIGTERM. Without `abortable` a signal releases the
 * lock and exits with the signal's usual code at once. With it, the first signal only sets `abort.signal`: the caller
 * (fix --apply) stops at its next step, rolls back, records and returns; a second signal still exits at once.
 */
export async function withLock<T>(
  path: string,
  now: (() => Date) | undefined,
  onTakeOver: (from: LockHolder) => void,
  fn: (lock: HeldLock, abort: AbortFlag) => Promise<T>,
  options: { abortable?: boolean; onAbort?: (signal: NodeJS.Signals) => void } = {},
): Promise<T> {
  const lock = acquireLock(path, now);
  if (lock.tookOverFrom) onTakeOver(lock.tookOverFrom);
  const abort: AbortFlag = { signal: null };
  const onSignal = (signal: NodeJS.Signals) => {
    if (options.abortable && abort.signal === null) {
      abort.signal = signal;
      options.onAbort?.(signal);
      return;
    }
    lock.release();
    process.exit(signal === "SIGINT" ? 130 : 143);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await fn(lock, abort);
  } finally {
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
    lock.release();
  }
}
