// evaluate on worker threads (lib/report/parallel.ts): the same report bytes as one thread, in every
// output style; a file that cannot be read, or a thread that dies, is that file's error (nothing lost,
// nothing hangs, nothing half-written); SIGINT leaves no report behind. Nothing here is timed: the run
// that is interrupted waits on a FIFO nobody writes to, so it cannot finish before the signal.
import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../lib/errors";
import { PARALLEL_MIN_SNAPSHOTS, workerCount } from "../../lib/report/parallel";
import { BIN, runCli } from "../helpers/cli";
import { example, NOW_ARGS } from "./fleet";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-parallel-"));
const KINDS = ["healthy-dc", "expired", "wrong-name", "two-qualifying", "key-not-readable", "no-server-auth-eku", "adlds-instance", "event-1220-no-certificate", "clients-1220"];

/** `n` snapshot files cycling through the examples, each under its own host name. */
function fleet(n: number, dir = join(tmp, `fleet-${n}`)): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: n }, (_, i) => {
    const s = JSON.parse(readFileSync(example(KINDS[i % KINDS.length]), "utf8"));
    s.host.fqdn = `dc${String(i).padStart(3, "0")}.corp.example.test`;
    const p = join(dir, `host-${String(i).padStart(3, "0")}.json`);
    writeFileSync(p, JSON.stringify(s));
    return p;
  });
}

/** The clock is the one thing two runs may differ in. */
const withoutClock = (s: string) => s.replace(/"generatedAt": ?"[^"]*"/g, '"generatedAt":"-"');

test("the number of threads: auto from the threshold on and with more than one core; off; forced; refused", () => {
  expect(workerCount(PARALLEL_MIN_SNAPSHOTS - 1, "auto", 2)).toBe(0);
  expect(workerCount(PARALLEL_MIN_SNAPSHOTS, undefined, 2)).toBe(2);
  expect(workerCount(5000, "auto", 1)).toBe(0);
  expect(workerCount(5000, "off", 8)).toBe(0);
  expect(workerCount(5000, "0", 8)).toBe(0);
  expect(workerCount(3, "4", 1)).toBe(3);
  expect(workerCount(30, "2", 1)).toBe(2);
  for (const bad of ["two", "-1", "65", "1.5"]) expect(() => workerCount(30, bad, 2)).toThrow(InputError);
});

test("workers forced on and off give the same report bytes: JSON indented and compact, and text", () => {
  const files = fleet(40);
  for (const style of [["--format", "json"], ["--format", "json", "--compact"], ["--format", "text", "--verbose"]]) {
    const off = runCli(["evaluate", ...files, ...NOW_ARGS, ...style, "--workers", "off"]);
    expect(off.stderr).toBe("");
    expect(off.code).toBe(1);
    for (const workers of ["2", "3"]) {
      const on = runCli(["evaluate", ...files, ...NOW_ARGS, ...style, "--workers", workers]);
      expect({ code: on.code, stderr: on.stderr }).toEqual({ code: off.code, stderr: "" });
      expect(withoutClock(on.stdout)).toBe(withoutClock(off.stdout));
    }
  }
  // The environment forces them too (the option wins over it); and to a file, the same bytes.
  const a = join(tmp, "env-on.json");
  const b = join(tmp, "env-off.json");
  expect(runCli(["evaluate", ...files, ...NOW_ARGS, "-o", a], { LDAPS_AUDIT_WORKERS: "2" }).code).toBe(1);
  expect(runCli(["evaluate", ...files, ...NOW_ARGS, "-o", b, "--workers", "off"], { LDAPS_AUDIT_WORKERS: "2" }).code).toBe(1);
  expect(withoutClock(readFileSync(a, "utf8"))).toBe(withoutClock(readFileSync(b, "utf8")));
  expect(JSON.parse(readFileSync(a, "utf8")).summary.targets).toBe(40);
});

test("a file that cannot be read is that file's error on workers as on one thread; no report is written", () => {
  const files = fleet(30, join(tmp, "with-bad"));
  const bad = join(tmp, "with-bad", "host-bad.json");
  writeFileSync(bad, '{"schemaVersion": 1, ');
  const list = [...files.slice(0, 20), bad, ...files.slice(20)];
  const out = join(tmp, "with-bad", "report.json");
  const off = runCli(["evaluate", ...list, ...NOW_ARGS, "-o", out, "--workers", "off"]);
  const on = runCli(["evaluate", ...list, ...NOW_ARGS, "-o", out, "--workers", "2"]);
  expect(off.code).toBe(2);
  expect(off.stderr).toMatch(/host-bad\.json: not valid JSON/);
  expect({ code: on.code, stderr: on.stderr }).toEqual({ code: off.code, stderr: off.stderr });
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(join(tmp, "with-bad")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
});

test("a worker thread that dies is the error of the file it was judging: exit 3, nothing written, no hang", () => {
  const files = fleet(30, join(tmp, "crash"));
  const out = join(tmp, "crash", "report.json");
  for (const workers of ["1", "2"]) {
    const r = runCli(["evaluate", ...files, ...NOW_ARGS, "-o", out, "--workers", workers], { LDAPS_AUDIT_TEST_WORKER_EXIT_ON: "host-017.json" });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/host-017\.json: not evaluated: the worker thread judging it stopped \(exit code 70\)/);
    expect(existsSync(out)).toBe(false);
  }
  // The seam is the worker's: one thread never consults it.
  expect(runCli(["evaluate", ...files, ...NOW_ARGS, "-o", out, "--workers", "off"], { LDAPS_AUDIT_TEST_WORKER_EXIT_ON: "host-017.json" }).code).toBe(1);
  expect(existsSync(out)).toBe(true);
});

test("SIGINT during a parallel run: exit 130, no report and no spool file left, even with a thread stuck in a read", async () => {
  const dir = join(tmp, "sigint");
  const files = fleet(12, dir);
  const fifo = join(dir, "never-written.json");
  execFileSync("mkfifo", [fifo]);
  const out = join(dir, "report.json");
  const child = spawn(process.execPath, [BIN, "evaluate", ...files, fifo, ...NOW_ARGS, "-o", out, "--workers", "2"], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // The spool file holds the header once the run handles signals; the run cannot finish (the FIFO has no writer).
  const spoolHasHeader = () => readdirSync(dir).some((f) => f.startsWith(".report.json.") && f.endsWith(".tmp") && statSync(join(dir, f)).size > 0);
  while (!spoolHasHeader()) await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGINT");
  expect(await exited).toBe(130);
  expect(stderr).toBe("");
  expect(existsSync(out)).toBe(false);
  expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
});
