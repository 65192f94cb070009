// collect / check / schedule through the real CLI entry (main), the real collector under pwsh, and the shims.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { main } from "../../lib/cli/main";
import { taskArguments } from "../../lib/collect/schedule";
import { REPORT_SCHEMA_ID, SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import { requirePeer } from "../helpers/peers";
import { expectTerminalSafe, MARK } from "../helpers/terminal";
import { dcFixture } from "../ps/fixture";
import { findPwsh, hasOpenssl, makePki, parseWindowsCommandLine, repoRoot, shimPath, TestPki, writeFixture } from "../ps/helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");
const scheduleShim = join(repoRoot, "test", "fixtures", "ps", "schedule-shim.ps1");

(ready ? describe : describe.skip)("CLI: collect, check, schedule", () => {
  let pki: TestPki;
  let dir: string;
  const ps = () => ["--powershell", pwsh!, "--ps-shim", shimPath];
  const saved = { ...process.env };

  beforeAll(() => {
    pki = makePki();
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-cli-"));
    process.env.LDAPS_AUDIT_TEST_FIXTURE = writeFixture(pki.dir, dcFixture(pki, new Date()));
    process.env.ProgramData = "C:\\ProgramData";
  });
  afterAll(() => {
    process.env = saved;
  });

  test("collect -o writes a valid snapshot; exit 0", async () => {
    const out = join(dir, "dc1.snapshot.json");
    expect(await main(["collect", ...ps(), "--lookback-days", "7", "-o", out])).toBe(0);
    const snap = JSON.parse(readFileSync(out, "utf8"));
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(snap)).toBe(true);
    expect(snap.host.fqdn).toBe("dc1.example.test");
  });

  test("the collected snapshot evaluates with `evaluate` too", async () => {
    const report = join(dir, "from-file.report.json");
    const code = await main(["evaluate", join(dir, "dc1.snapshot.json"), "--profile", "hardened", "--format", "json", "-o", report]);
    expect(code).toBe(1);
    expect(validatorFor(REPORT_SCHEMA_ID)(JSON.parse(readFileSync(report, "utf8")))).toBe(true);
  });

  test("check: collect + evaluate + report; events and registry reach the report", async () => {
    const out = join(dir, "check.report.json");
    const code = await main(["check", ...ps(), "--profile", "hardened", "--format", "json", "-o", out]);
    expect(code).toBe(1); // the fixture DC logged 1220 and insecure binds
    const report = JSON.parse(readFileSync(out, "utf8"));
    expect(validatorFor(REPORT_SCHEMA_ID)(report)).toBe(true);
    const ntds = report.targets.find((t: { kind: string }) => t.kind === "adds");
    const byId = (id: string) => ntds.controls.find((c: { id: string }) => c.id === id);
    expect(byId("LDAPS-E01").status).toBe("fail");
    expect(byId("LDAPS-E03").status).toBe("fail");
    expect(byId("LDAPS-E04")).toMatchObject({ status: "fail" });
    expect(byId("LDAPS-E04").message).toContain("10.0.0.5 EXAMPLE\\svc-app simple x2");
    expect(byId("LDAPS-E05").status).toBe("pass");
    expect(byId("LDAPS-G01").status).toBe("fail");
    expect(byId("LDAPS-G02").status).toBe("fail");
    expect(byId("LDAPS-G03").status).toBe("pass");
    const adlds = report.targets.find((t: { kind: string }) => t.kind === "adlds");
    expect(adlds.controls.find((c: { id: string }) => c.id === "LDAPS-E01").status).toBe("skip"); // its log is missing
  });

  test("check --report-dir keeps the newest --keep reports", async () => {
    const reports = join(dir, "reports");
    for (let i = 0; i < 3; i++) {
      expect(await main(["check", ...ps(), "--report-dir", reports, "--keep", "2"])).toBe(1);
      await new Promise((r) => setTimeout(r, 1100)); // one report per second: names carry a UTC timestamp
    }
    const files = readdirSync(reports);
    expect(files).toHaveLength(2);
    for (const f of files) expect(f).toMatch(/^ldaps-audit-dc1\.example\.test-\d{8}T\d{9}Z\.json$/);
  });

  test("fleet collect: per-host files, a failed host is an error file, exit 3", async () => {
    const outDir = join(dir, "fleet");
    const code = await main(["collect", ...ps(), "--computer-name", "dc1.example.test,dc9.example.test", "--throttle", "2", "--output-dir", outDir]);
    expect(code).toBe(3);
    expect(readdirSync(outDir).sort()).toEqual(["dc1.example.test.snapshot.json", "dc9.example.test.error.json"]);
    expect(JSON.parse(readFileSync(join(outDir, "dc9.example.test.error.json"), "utf8")).error.code).toBe("Unreachable");
  });

  test("fleet collect: hosts whose names differ only in case and a long shared prefix never share a file", async () => {
    const outDir = join(dir, "fleet-names");
    const long = (tail: string) => `dc-${"x".repeat(117)}${tail}.example.test`;
    const hosts = ["dc1.example.test", "DC1.EXAMPLE.TEST", long("a"), long("b")];
    let stderr = "";
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((t: string | Uint8Array) => ((stderr += String(t)), true));
    let code: number;
    try {
      code = await main(["collect", ...ps(), "--computer-name", hosts.join(","), "--throttle", "2", "--output-dir", outDir]);
    } finally {
      spy.mockRestore();
    }
    expect(code).toBe(0);
    // The collector returns one result per host, however its name is cased: one file per result.
    const collected = Number(/(\d+) of \1 host\(s\) collected/.exec(stderr)![1]);
    const files = readdirSync(outDir);
    expect(files).toHaveLength(collected);
    expect(new Set(files.map((f) => f.toLowerCase())).size).toBe(collected);
    expect(files.filter((f) => f.startsWith("dc-xxx"))).toHaveLength(2);
    expect(files).toContain("dc1.example.test.snapshot.json");
  });

  test("forged output: a hostile host name from the collector or the fleet list reaches stdout/stderr escaped", async () => {
    const bad = `\x1b[2J\x1b]0;pwned\x07\u202e\n${MARK}\r${MARK}\u2028${MARK}`;
    const fqdn = `dc1.example.test${bad}`;
    const capture = async (args: string[]) => {
      let stdout = "";
      let stderr = "";
      const o = jest.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => ((stdout += String(c)), true));
      const e = jest.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => ((stderr += String(c)), true));
      try {
        return { code: await main(args), stdout, stderr };
      } finally {
        o.mockRestore();
        e.mockRestore();
      }
    };
    const fixture = process.env.LDAPS_AUDIT_TEST_FIXTURE;
    process.env.LDAPS_AUDIT_TEST_FIXTURE = writeFixture(pki.dir, dcFixture(pki, new Date(), { host: { fqdn, domain: "example.test", domainRole: 5 }, unreachableHosts: [fqdn] }));
    try {
      const collected = await capture(["collect", ...ps(), "-o", join(dir, "hostile.snapshot.json")]);
      expect(collected.code).toBe(0);
      expectTerminalSafe(collected.stderr); // "collected <fqdn>: ..."
      const checked = await capture(["check", ...ps(), "--format", "text"]);
      expect(checked.code).toBe(1);
      expectTerminalSafe(checked.stdout);
      const fleet = await capture(["collect", ...ps(), "--computer-name", fqdn, "--output-dir", join(dir, "hostile-fleet")]);
      expect(fleet.code).toBe(3);
      expect(fleet.stderr).toMatch(/FAILED \(Unreachable\)/);
      expectTerminalSafe(fleet.stderr); // "<host>: FAILED (...): <message naming the host>"
    } finally {
      process.env.LDAPS_AUDIT_TEST_FIXTURE = fixture;
    }
  });

  test("usage errors exit 2", async () => {
    expect(await main(["collect", "--lookback-days", "0"])).toBe(2);
    expect(await main(["collect", "--computer-name", "dc1", "-o", "x.json"])).toBe(2);
    expect(await main(["collect", "--computer-name", "dc1", "--credential-env", "not a pair"])).toBe(2);
    expect(await main(["schedule", "install", "--at", "25:00", "--report-dir", dir])).toBe(2);
    expect(await main(["schedule", "install"])).toBe(2);
  });

  test("no PowerShell: exit 3 with a clear message", async () => {
    expect(await main(["collect", "--powershell", join(dir, "no-pwsh")])).toBe(3);
  });

  test("schedule install registers a SYSTEM task whose argument line reads back exactly; remove deletes it", async () => {
    const log = join(dir, "task.json");
    process.env.LDAPS_AUDIT_TEST_SCHEDULE_LOG = log;
    const reportDir = join(dir, "it's a \"report\" dir $(New-Item PWNED) `x`");
    const code = await main(["schedule", "install", "--powershell", pwsh!, "--ps-shim", scheduleShim, "--report-dir", reportDir, "--keep", "14", "--at", "04:30", "--profile", "hardened"]);
    expect(code).toBe(0);
    const task = JSON.parse(readFileSync(log, "utf8"));
    expect(task).toMatchObject({ TaskName: "ldaps-audit daily check", TaskPath: "\\ldaps-audit\\", Trigger: { Daily: true, At: "04:30" }, Principal: { UserId: "S-1-5-18", LogonType: "ServiceAccount", RunLevel: "Highest" }, Force: true });
    expect(task.Action.Execute).toBe(process.execPath);
    expect(parseWindowsCommandLine(task.Action.Arguments)).toEqual(taskArguments({ cli: process.argv[1], reportDir, keep: 14, profile: "hardened" }));
    expect(existsSync(join(dir, "PWNED"))).toBe(false);
    expect(await main(["schedule", "remove", "--powershell", pwsh!, "--ps-shim", scheduleShim])).toBe(0);
    expect(existsSync(log)).toBe(false);
  });

  test("schedule install --profile ./relative.json: the task gets the absolute path", async () => {
    const log = join(dir, "task-rel.json");
    process.env.LDAPS_AUDIT_TEST_SCHEDULE_LOG = log;
    const profile = join(dir, "rel.profile.json");
    writeFileSync(profile, "{}");
    const code = await main(["schedule", "install", "--powershell", pwsh!, "--ps-shim", scheduleShim, "--report-dir", dir, "--profile", `./${relative(process.cwd(), profile)}`]);
    expect(code).toBe(0);
    const args = parseWindowsCommandLine(JSON.parse(readFileSync(log, "utf8")).Action.Arguments);
    expect(args[args.indexOf("--profile") + 1]).toBe(profile);
  });

  test("schedule without the ScheduledTasks cmdlets (not Windows) is a runtime failure", async () => {
    expect(await main(["schedule", "install", "--powershell", pwsh!, "--report-dir", dir])).toBe(3);
  });
});
