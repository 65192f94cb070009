// Runs the real CLI (bin/ldaps-audit.js over the built dist/, which `npm test` builds first).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { closeSync, constants, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const BIN = join(__dirname, "..", "..", "bin", "ldaps-audit.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}, input?: string): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, input, encoding: "utf8", timeout: 600000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI without blocking this process (for tests that serve a peer in-process). */
export function runCliAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: "1", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A failure must be one line on stderr naming the problem, never a stack trace. */
export function expectCleanError(r: CliResult, code: number, pattern: RegExp): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: expect.stringMatching(pattern) });
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr.trim().split("\n")).toHaveLength(1);
}

/**
 * Run the CLI with a real pipe as stdout whose reader is gone before the CLI writes anything: a FIFO
 * whose only reader was closed, so every write fails with EPIPE (deterministic, unlike `| head -c 1`,
 * where the pipe buffer may take the whole output first). Resolves with the exit code, stderr and the
 * signal (none expected: Node ignores SIGPIPE, so EPIPE is the CLI's to handle).
 */
export async function runCliIntoClosedPipe(args: string[], options: { input?: string; env?: Record<string, string> } = {}): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  const env = { ...process.env, NO_COLOR: "1", ...options.env };
  const fifoDir = mkdtempSync(join(tmpdir(), "ldaps-audit-pipe-"));
  const fifo = join(fifoDir, "stdout");
  execFileSync("mkfifo", [fifo]);
  const readEnd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeEnd = openSync(fifo, constants.O_WRONLY); // does not wait: the FIFO has a reader
  closeSync(readEnd); // from now on every write to writeEnd fails with EPIPE
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ["pipe", writeEnd, "pipe"] });
  closeSync(writeEnd);
  child.stdin!.on("error", () => undefined);
  child.stdin!.end(options.input ?? "");
  let stderr = "";
  child.stderr!.setEncoding("utf8").on("data", (s: string) => (stderr += s));
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once("close", (c, s) => resolve([c, s])));
  rmSync(fifoDir, { recursive: true, force: true });
  return { code, signal, stdout: "", stderr };
}
