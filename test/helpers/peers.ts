// Tests that need a real peer (openssl, slapd, samba, pwsh) skip with a printed reason outside CI
// and fail inside CI (CI=true), where .ci/run is responsible for installing the peer.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export const inCI = process.env.CI === "true";

/** Absolute path of an executable on PATH (or in the repo's .tools/), or null. */
export function findExecutable(name: string, extraDirs: string[] = []): string | null {
  const dirs = [...extraDirs, join(__dirname, "..", "..", ".tools", name), ...(process.env.PATH ?? "").split(":")];
  for (const d of dirs) {
    const p = join(d, name);
    if (d && existsSync(p)) return p;
  }
  return null;
}

/**
 * Returns true when the peer is there. Otherwise: under CI throws (the suite fails),
 * elsewhere prints why and returns false so the caller can `describe.skip`.
 */
export function requirePeer(name: string, available: boolean, hint: string): boolean {
  if (available) return true;
  const msg = `peer "${name}" is not available: ${hint}`;
  if (inCI) throw new Error(`${msg} (CI=true: .ci/run must install it)`);
  // eslint-disable-next-line no-console
  console.warn(`SKIPPING tests that need ${name}: ${msg}`);
  return false;
}

export function hasCommand(cmd: string, args: string[] = ["--version"]): boolean {
  try {
    execFileSync(cmd, args, { stdio: "ignore", timeout: 20000 });
    return true;
  } catch {
    return false;
  }
}

/**
 * The deadline given to a probe or client that is expected to succeed (or to fail fast with a refusal, reset or
 * alert) against a peer on loopback. Generous on purpose: a loaded machine must never turn an answer into a
 * timeout. Tests of the timeout itself use short deadlines against peers that never answer.
 */
export const PEER_DEADLINE_MS = 20000;
