// report --verify: recompute input digests (relative paths from the current directory); the report
// command's bad-input handling and multi-output delivery through evaluate/preflight's shared helpers.
import { reportJson } from "../../lib/report/document";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { verifyReport } from "../../lib/report/verify";
import { BIN, expectCleanError, runCli } from "../helpers/cli";
import { EXAMPLES, example, NOW, NOW_ARGS } from "./fleet";
import { evaluateFiles } from "../../lib/audit";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-verify-"));

function runIn(cwd: string, args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: "1" }, encoding: "utf8", timeout: 60000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("match, changed and missing inputs, with relative paths resolved from the current directory", () => {
  const work = join(tmp, "work");
  mkdirSync(work);
  copyFileSync(example("healthy-dc"), join(work, "dc1.json"));
  copyFileSync(example("adlds-instance"), join(work, "lds1.json"));
  copyFileSync(join(EXAMPLES, "waivers.yaml"), join(work, "waivers.yaml"));
  const made = runIn(work, ["evaluate", "dc1.json", "lds1.json", "--waivers", "waivers.yaml", ...NOW_ARGS, "-o", "report.json"]);
  expect(made.code).toBe(0);

  const ok = runIn(work, ["report", "--verify", "report.json", "--format", "text"]);
  expect(ok.stdout).toMatch(/report\.json: all inputs match \(4 match, 0 changed, 0 missing, 0 unreadable\)/);
  expect(ok.stdout).toMatch(/MATCH\s+snapshot\s+dc1\.json/);
  expect(ok.stdout).toMatch(/MATCH\s+profile\s+\S*baseline\.profile\.json/);
  expect(ok.code).toBe(0);

  writeFileSync(join(work, "lds1.json"), readFileSync(join(work, "lds1.json"), "utf8") + "\n");
  rmSync(join(work, "waivers.yaml"));
  const bad = runIn(work, ["report", "--verify", "report.json", "--format", "json"]);
  expect(bad.code).toBe(1);
  const result = JSON.parse(bad.stdout);
  expect(result).toMatchObject({ ok: false, counts: { match: 2, changed: 1, missing: 1, unreadable: 0 } });
  expect(result.inputs.find((i: { path: string }) => i.path === "lds1.json")).toMatchObject({ result: "changed" });
  expect(result.inputs.find((i: { path: string }) => i.path === "waivers.yaml")).toMatchObject({ result: "missing", actual: null });

  // From another directory the relative paths do not resolve.
  const elsewhere = runIn(tmp, ["report", "--verify", join(work, "report.json"), "--format", "text"]);
  expect(elsewhere.code).toBe(1);
  expect(elsewhere.stdout).toMatch(/MISSING\s+snapshot\s+dc1\.json/);
});

test("a shipped profile recorded under another installation's path is checked against this one", () => {
  const report = evaluateFiles([example("healthy-dc")], { now: NOW });
  report.inputs = report.inputs.map((i) => (i.kind === "profile" ? { ...i, path: "/elsewhere/node_modules/ldaps-audit/schemas/profiles/baseline.profile.json" } : i));
  const r = verifyReport(report, "r.json", { base: join(__dirname, "..", "..") });
  expect(r.inputs.find((i) => i.kind === "profile")).toMatchObject({ result: "match", note: expect.stringMatching(/this installation's shipped "baseline" profile/) });
  report.inputs = report.inputs.map((i) => (i.kind === "profile" ? { ...i, sha256: "0".repeat(64) } : i));
  expect(verifyReport(report, "r.json").inputs.find((i) => i.kind === "profile")).toMatchObject({ result: "changed" });
});

test("report: bad files are one clear line and exit 2", () => {
  const notJson = join(tmp, "not.json");
  writeFileSync(notJson, "{ nope");
  expectCleanError(runCli(["report", notJson]), 2, /not\.json: not valid JSON at line 1/);
  const wrongShape = join(tmp, "wrong.json");
  writeFileSync(wrongShape, JSON.stringify({ $schema: "https://ldaps-audit.dev/schemas/report.schema.json", reportVersion: 1 }));
  expectCleanError(runCli(["report", wrongShape, "--format", "html"]), 2, /wrong\.json: not a valid ldaps-audit report: at \/: must have required property/);
  expectCleanError(runCli(["report", example("healthy-dc")]), 2, /is a snapshot, not a report; run "ldaps-audit evaluate/);
  expectCleanError(runCli(["report", join(tmp, "none.json"), "--verify"]), 2, /none\.json: no such file/);
  expectCleanError(runCli(["report", notJson, "--verify", "--rollup"]), 2, /--rollup and --verify: choose one/);
  // (pdf was the unknown format here until --format pdf existed; the check is for any unknown value.)
  expectCleanError(runCli(["report", notJson, "--format", "docx"]), 2, /Invalid values/);
});

test("several outputs in one run, each written atomically; exit codes unchanged", () => {
  const dir = join(tmp, "multi");
  mkdirSync(dir);
  const files = { json: join(dir, "r.json"), html: join(dir, "r.html"), junit: join(dir, "r.xml") };
  const r = runCli([
    "preflight", join(EXAMPLES, "certs", "web.pem"), "--fqdn", "dc1.corp.example.test", ...NOW_ARGS,
    "--format", "text", "--output-json", files.json, "--output-html", files.html, "--output-junit", files.junit,
  ]);
  expect(r.code).toBe(1); // wrong name: non-compliant
  expect(r.stdout).toMatch(/NON-COMPLIANT/);
  expect(r.stderr).toMatch(/wrote .*r\.json, .*r\.html, .*r\.xml: 0 of 1 target\(s\) compliant/);
  expect(JSON.parse(readFileSync(files.json, "utf8")).targets[0].status).toBe("noncompliant");
  expect(readFileSync(files.html, "utf8")).toMatch(/^<!DOCTYPE html>/);
  expect(readFileSync(files.junit, "utf8")).toMatch(/<testsuites /);
  expect(readdirSync(dir).sort()).toEqual(["r.html", "r.json", "r.xml"]); // no temp files left

  // report re-renders the JSON in every format; html from the saved JSON equals html written directly.
  const again = join(dir, "again.html");
  expect(runCli(["report", files.json, "--format", "html", "-o", again]).code).toBe(1);
  expect(readFileSync(again, "utf8")).toBe(readFileSync(files.html, "utf8"));

  // A failed write leaves nothing behind and says which file.
  const nodir = join(dir, "no", "such", "x.html");
  expectCleanError(runCli(["report", files.json, "--output-html", nodir, "-o", join(dir, "y.json")]), 2, /cannot write .*x\.html/);
  expect(existsSync(join(dir, "y.json"))).toBe(false);
  expectCleanError(runCli(["report", files.json, "--output-html", files.html, "-o", files.html]), 2, /named by more than one output option/);
  expectCleanError(runCli(["report", files.json, files.json, "--format", "html"]), 2, /2 reports: --format html renders one report; add --rollup/);
});

test("report --rollup writes text, JSON and HTML; exit 1 when any target is non-compliant", () => {
  const dir = join(tmp, "rollup");
  mkdirSync(dir);
  const a = join(dir, "a.json");
  const b = join(dir, "b.json");
  expect(runCli(["evaluate", example("healthy-dc"), ...NOW_ARGS, "-o", a]).code).toBe(0);
  expect(runCli(["evaluate", example("adlds-instance"), ...NOW_ARGS, "-o", b]).code).toBe(0);
  const r = runCli(["report", a, b, "--rollup", "--format", "text", "--output-json", join(dir, "fleet.json"), "--output-html", join(dir, "fleet.html")]);
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/Targets: 2 \(2 compliant, 0 non-compliant\)/);
  expect(JSON.parse(readFileSync(join(dir, "fleet.json"), "utf8"))).toMatchObject({ rollupVersion: 1, summary: { targets: 2 } });
  expect(readFileSync(join(dir, "fleet.html"), "utf8")).toMatch(/<h1>LDAPS fleet roll-up<\/h1>/);
  const c = join(dir, "c.json");
  expect(runCli(["evaluate", example("expired"), ...NOW_ARGS, "-o", c]).code).toBe(1);
  expect(runCli(["report", b, c, "--rollup", "--format", "json"]).code).toBe(1);
  expectCleanError(runCli(["report", join(dir, "fleet.json")]), 2, /is a fleet roll-up, not a report/);
});

// A verification that cannot fail is no verification: without inputs, or without any evidence among
// them, --verify fails (exit 1) and says why.
test.each([
  ["no inputs at all", () => [], /CANNOT BE VERIFIED: the report lists no inputs/],
  ["only the profile", (inputs: Array<{ kind: string }>) => inputs.filter((i) => i.kind === "profile"), /CANNOT BE VERIFIED: the report lists no evidence it was judged on \(no snapshot or certificate file; only profile\)/],
])("report --verify of a report with %s fails", (_what, keep, pattern) => {
  const report = evaluateFiles([example("healthy-dc")], { now: new Date(NOW) });
  report.inputs = keep(report.inputs) as typeof report.inputs;
  const p = join(tmp, `empty-inputs-${report.inputs.length}.json`);
  writeFileSync(p, reportJson(report));
  const r = runCli(["report", "--verify", p, "--format", "text"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(pattern);
  const json = runCli(["report", "--verify", p, "--format", "json"]);
  expect(json.code).toBe(1);
  expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, problem: expect.stringMatching(/the report lists no/) });
});
