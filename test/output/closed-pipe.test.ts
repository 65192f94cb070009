// Every writer, when the reader of stdout goes away (`... | head -c 1`, `... | true`): no stack trace,
// nothing on stderr about the pipe, and the exit code the verdict earned (not 0, not a crash's 1).
// The pipe is real: a FIFO whose reader is closed before the CLI starts, so the first write fails with
// EPIPE every time. (A reader that takes one byte and leaves, like `| head -c 1`, only sometimes makes the
// writer see EPIPE: the pipe buffer usually takes the whole report first. It was tried and dropped, as it
// passed before the fix too.)
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli, runCliIntoClosedPipe } from "../helpers/cli";
import { PEER_DEADLINE_MS } from "../helpers/peers";
import { freePort } from "../probe/helpers/net";

const root = join(__dirname, "..", "..");
const ex = (name: string) => join(root, "examples", `${name}.snapshot.json`);
const cert = (name: string) => join(root, "examples", "certs", `${name}.pem`);
const NOW = ["--now", "2026-11-24T00:00:00Z"];
let dir: string;
let closedPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "ldaps-audit-pipe-cases-"));
  closedPort = await freePort();
  // Reports for the report and diff writers, made by the CLI itself.
  for (const [name, snap] of [["bad", "wrong-name"], ["good", "healthy-dc"]]) {
    const r = runCli(["evaluate", ex(snap), ...NOW, "-o", join(dir, `${name}.report.json`)]);
    if (r.code !== 0 && r.code !== 1) throw new Error(r.stderr);
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const report = (name: string) => join(dir, `${name}.report.json`);
const fleet = ["healthy-dc", "wrong-name", "expired", "two-qualifying", "clients-1220", "adlds-instance", "key-not-readable", "no-server-auth-eku"].map(ex);

// [writer, arguments, stdin]. The expected exit code is that of the same run with a reader that reads everything.
const WRITERS: Array<[string, () => string[], string?]> = [
  ["evaluate json (streamed)", () => ["evaluate", ex("wrong-name"), ...NOW, "--format", "json"]],
  ["evaluate text (streamed)", () => ["evaluate", ex("wrong-name"), ...NOW, "--format", "text"]],
  ["evaluate html", () => ["evaluate", ...fleet, ...NOW, "--format", "html"]],
  ["evaluate html, compliant", () => ["evaluate", ex("healthy-dc"), ...NOW, "--format", "html"]],
  ["evaluate junit", () => ["evaluate", ex("wrong-name"), ...NOW, "--format", "junit"]],
  ["evaluate json, whole report (with --output-json)", () => ["evaluate", ex("wrong-name"), ...NOW, "--format", "json", "--output-json", join(dir, "extra.json")]],
  ["evaluate -o /dev/stdout", () => ["evaluate", ...fleet, ...NOW, "-o", "/dev/stdout"]],
  ["evaluate -o - --format html", () => ["evaluate", ex("wrong-name"), ...NOW, "-o", "-", "--format", "html"]],
  ["preflight text", () => ["preflight", cert("dc1"), "--fqdn", "dc1.corp.example.test", "--roots", cert("root"), cert("issuing"), ...NOW, "--format", "text"]],
  ["preflight json", () => ["preflight", cert("dc1"), "--fqdn", "nope.example.test", "--roots", cert("root"), cert("issuing"), ...NOW, "--format", "json"]],
  ["preflight html", () => ["preflight", cert("expired"), "--fqdn", "dc1.corp.example.test", ...NOW, "--format", "html"]],
  ["report text", () => ["report", report("bad"), "--format", "text"]],
  ["report html", () => ["report", report("bad"), "--format", "html"]],
  ["report junit", () => ["report", report("bad"), report("good"), "--format", "junit"]],
  ["report --rollup html", () => ["report", report("bad"), report("good"), "--rollup", "--format", "html"]],
  ["report --rollup text", () => ["report", report("good"), "--rollup", "--format", "text"]],
  ["report --verify", () => ["report", "--verify", report("good"), "--format", "text"]],
  ["diff text", () => ["diff", report("good"), report("bad"), "--format", "text"]],
  ["diff json", () => ["diff", report("bad"), report("good"), "--format", "json"]],
  ["probe json", () => ["probe", `127.0.0.1:${closedPort}`, "--no-versions", "--timeout", String(PEER_DEADLINE_MS), "--format", "json"]],
  ["probe text", () => ["probe", `127.0.0.1:${closedPort}`, "--no-versions", "--timeout", String(PEER_DEADLINE_MS), "--format", "text"]],
  ["dsc test", () => ["dsc", "test"], JSON.stringify({ snapshotPath: ex("wrong-name"), now: "2026-11-24T00:00:00Z" })],
  ["--help", () => ["--help"]],
  ["evaluate --help", () => ["evaluate", "--help"]],
  ["--version", () => ["--version"]],
];

// One run per writer with a reader that reads everything gives the exit code and stderr to expect.
// Every row has all three cells: a test function with more parameters than its row gets jest's done callback.
const ROWS = WRITERS.map(([name, args, input]) => [name, args, input ?? ""] as const);

test.each(ROWS)("%s into a closed pipe: quiet end, the verdict's exit code", async (_name, args, input) => {
  const full = runCli(args(), {}, input);
  expect([0, 1]).toContain(full.code);
  const r = await runCliIntoClosedPipe(args(), { input });
  expect(r.signal).toBeNull();
  expect(r.stderr).not.toMatch(/EPIPE|Unhandled|internal error|\n\s+at .+:\d+:\d+/);
  expect(r.stderr).toBe(full.stderr); // what the run says on stderr does not change
  expect(r.code).toBe(full.code);
});
