// The CLI as a pipeline sees it: exit codes, one-line errors, atomic output, help that teaches.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectCleanError, runCli } from "./helpers/cli";

const ex = (name: string) => join(__dirname, "..", "examples", `${name}.snapshot.json`);
const NOW = ["--now", "2026-11-24T00:00:00Z"];
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-cli-"));

test("--version and --help", () => {
  const v = runCli(["--version"]);
  expect(v.code).toBe(0);
  expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")).version);
  const h = runCli(["--help"]);
  expect(h.code).toBe(0);
  expect(h.stdout).toMatch(/evaluate <snapshots\.\.\.>/);
  expect(h.stdout).toMatch(/preflight <certs\.\.\.>/);
  expect(h.stdout).toMatch(/Exit codes: 0 compliant/);
  const he = runCli(["evaluate", "--help"]);
  expect(he.stdout).toMatch(/--profile/);
  expect(he.stdout).toMatch(/Examples:/);
});

test("exit codes: 0 compliant, 1 non-compliant, 2 usage", () => {
  expect(runCli(["evaluate", ex("healthy-dc"), ...NOW]).code).toBe(0);
  expect(runCli(["evaluate", ex("two-qualifying"), ...NOW]).code).toBe(0); // warnings allowed
  expect(runCli(["evaluate", ex("wrong-name"), ...NOW]).code).toBe(1);
  expect(runCli(["evaluate", ex("healthy-dc"), ex("expired"), ...NOW]).code).toBe(1);
  expectCleanError(runCli([]), 2, /Name a command/);
  expectCleanError(runCli(["evalute", ex("healthy-dc")]), 2, /Unknown argument|Did you mean evaluate/);
  expectCleanError(runCli(["evaluate"]), 2, /Not enough non-option arguments/);
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", "nope"]), 2, /--profile nope: no such file, and not a shipped profile \(baseline, hardened\)/);
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--now", "yesterday"]), 2, /--now "yesterday": expected an ISO 8601/);
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--format", "xml"]), 2, /Invalid values/);
});

test("text is the default on a terminal, JSON otherwise; text names the root cause", () => {
  const json = runCli(["evaluate", ex("wrong-name"), ...NOW]);
  expect(JSON.parse(json.stdout).targets[0].status).toBe("noncompliant");
  const text = runCli(["evaluate", ex("wrong-name"), ...NOW, "--format", "text"]);
  expect(text.stdout).toMatch(/dc1\.corp\.example\.test \(NTDS\): NON-COMPLIANT/);
  expect(text.stdout).toMatch(/Root cause: 1 certificate in LocalMachine\\My, none has the DC's FQDN/);
  expect(text.stdout).not.toMatch(/\x1b\[/); // no colours when not a TTY
});

test("--output writes atomically and reports on stderr; a failed write leaves nothing behind", () => {
  const out = join(tmp, "report.json");
  const r = runCli(["evaluate", ex("healthy-dc"), ...NOW, "-o", out]);
  expect(r.code).toBe(0);
  expect(r.stdout).toBe("");
  expect(r.stderr).toMatch(/wrote .*report\.json: 1 of 1 target\(s\) compliant/);
  expect(JSON.parse(readFileSync(out, "utf8")).summary.compliant).toBe(1);
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "-o", join(tmp, "no", "such", "dir", "r.json")]), 2, /cannot write .*r\.json: ENOENT/);
  expect(readdirSync(tmp).filter((f) => f.endsWith(".tmp"))).toEqual([]);
});

test("a bad input stops the run before any report is written", () => {
  const out = join(tmp, "partial.json");
  const bad = join(tmp, "bad.json");
  writeFileSync(bad, "{}");
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), bad, "-o", out]), 2, /bad\.json: not a valid snapshot: at \/: must have required property 'schemaVersion'/);
  expect(existsSync(out)).toBe(false);
});

test("evaluate renders HTML and JUnit from the whole report, several outputs in one run", () => {
  const html = join(tmp, "r.html");
  const junit = join(tmp, "r.xml");
  const json = join(tmp, "r2.json");
  const r = runCli(["evaluate", ex("wrong-name"), ...NOW, "--output-html", html, "--output-junit", junit, "-o", json]);
  expect(r.code).toBe(1);
  expect(readFileSync(html, "utf8")).toMatch(/<html lang="en">[\s\S]*none has the DC(&#39;|')s FQDN/);
  expect(readFileSync(junit, "utf8")).toMatch(/<testsuites[\s\S]*<failure/);
  expect(JSON.parse(readFileSync(json, "utf8")).targets[0].status).toBe("noncompliant");
  const direct = runCli(["evaluate", ex("healthy-dc"), ...NOW, "--format", "junit"]);
  expect(direct.code).toBe(0);
  expect(direct.stdout).toMatch(/^<\?xml/);
});

test("control characters from evidence never reach the terminal", () => {
  const snap = JSON.parse(readFileSync(ex("wrong-name"), "utf8"));
  snap.host.fqdn = "dc1.corp.example.test\u001b[2J\u001b]0;pwned\u0007";
  const p = join(tmp, "esc.json");
  writeFileSync(p, JSON.stringify(snap));
  const r = runCli(["evaluate", p, ...NOW, "--format", "text"]);
  expect(r.stdout).toContain("dc1.corp.example.test\\x1b[2J\\x1b]0;pwned\\x07");
  expect(r.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
});
