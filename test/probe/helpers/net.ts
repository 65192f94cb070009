// Loopback helpers for probe tests: free ports, waiting for a listener, killing a process group.
import type { ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function waitForPort(port: number, timeoutMs: number, gaveUp: () => boolean = () => false, host = "127.0.0.1"): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (gaveUp()) throw new Error("the process exited");
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`port ${port} not listening after ${timeoutMs} ms`);
}

const live = new Set<number>();
let hooked = false;
/** Remember a detached peer so it is killed even if the test process exits without afterAll (crash, timeout). */
export function trackPeer(child: ChildProcess): void {
  if (child.pid === undefined) return;
  live.add(child.pid);
  child.once("exit", () => live.delete(child.pid!));
  if (!hooked) {
    hooked = true;
    const killAll = () => {
      for (const pid of live) {
        try {
          process.kill(-pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    };
    process.once("exit", killAll);
    for (const sig of ["SIGINT", "SIGTERM"] as const) process.once(sig, () => (killAll(), process.exit(130)));
  }
}

/** SIGTERM the process group, SIGKILL it if still there after `graceMs`. */
export async function killGroup(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    return;
  }
  let t: NodeJS.Timeout | undefined;
  const timer = new Promise<"timeout">((r) => (t = setTimeout(() => r("timeout"), graceMs)));
  const outcome = await Promise.race([gone, timer]);
  clearTimeout(t);
  if (outcome === "timeout") {
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      /* gone */
    }
    await Promise.race([gone, new Promise((r) => setTimeout(r, 1000).unref())]);
  }
}
