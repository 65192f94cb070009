// `check` writes one summary event per run to the Application log: through the real CLI entry (main), the real
// collector and ps/Write-LdapsAuditEvent.ps1 under pwsh. New-EventLog / Write-EventLog exist only in Windows
// PowerShell, so test/fixtures/ps/eventlog-shim.ps1 defines functions with their names and parameters that record
// what would be registered and written; without that shim (Linux as it is) the run says no event was written.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../lib/cli/main";
import { reportEvent } from "../../lib/eventlog/summary";
import type { Report } from "../../lib/report/types";
import { requirePeer } from "../helpers/peers";
import { dcFixture } from "../ps/fixture";
import { findPwsh, hasOpenssl, makePki, repoRoot, shimPath, TestPki, writeFixture } from "../ps/helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");
const eventShim = join(repoRoot, "test", "fixtures", "ps", "eventlog-shim.ps1");

interface Recorded {
  sources: Array<{ LogName: string; Source: string }>;
  entries: Array<{ LogName: string; Source: string; EventId: number; EntryType: string; Category: number; Message: string }>;
}

(ready ? describe : describe.skip)("check: the summary event in the Application log", () => {
  let pki: TestPki;
  let dir: string;
  let fixture: string;
  const saved = { ...process.env };
  let stderr: string[] = [];

  const run = async (args: string[], shims: string[] = [shimPath, eventShim]) => {
    stderr = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((chunk: string | Uint8Array) => {
      stderr.push(String(chunk));
      return true;
    });
    try {
      return await main(["check", "--powershell", pwsh!, ...shims.flatMap((s) => ["--ps-shim", s]), ...args]);
    } finally {
      spy.mockRestore();
    }
  };
  const eventLog = (name: string) => {
    const file = join(dir, `${name}.eventlog.json`);
    process.env.LDAPS_AUDIT_TEST_EVENTLOG = file;
    return { file, read: () => JSON.parse(readFileSync(file, "utf8")) as Recorded };
  };
  const eventLines = () => stderr.filter((l) => /^ldaps-audit: (wrote event |no event written)/.test(l));

  beforeAll(() => {
    pki = makePki();
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-eventlog-"));
    fixture = writeFixture(pki.dir, dcFixture(pki, new Date()));
    process.env.ProgramData = "C:\\ProgramData";
  });
  beforeEach(() => {
    process.env.LDAPS_AUDIT_TEST_FIXTURE = fixture;
    delete process.env.LDAPS_AUDIT_TEST_EVENTLOG_NOT_ELEVATED;
  });
  afterAll(() => {
    process.env = saved;
  });

  test("first run registers the source and writes event 1002 whose message is the report's summary; the next run only writes", async () => {
    const log = eventLog("fresh");
    const out = join(dir, "check.report.json");
    expect(await run(["--profile", "hardened", "--format", "json", "-o", out])).toBe(1);
    const report = JSON.parse(readFileSync(out, "utf8")) as Report;
    let state = log.read();
    expect(state.sources).toEqual([{ LogName: "Application", Source: "ldaps-audit" }]);
    expect(state.entries).toEqual([{ LogName: "Application", Source: "ldaps-audit", EventId: 1002, EntryType: "Error", Category: 0, Message: reportEvent(report, { reportFile: out }).message }]);
    expect(state.entries[0].Message).toMatch(/^Failing controls: .*LDAPS-E01.*LDAPS-G01/m);
    expect(eventLines()).toEqual(["ldaps-audit: wrote event 1002 (noncompliant) to the Application log, source ldaps-audit (source registered now)\n"]);

    // What the scheduled task runs: --report-dir; the event names the report file.
    const reports = join(dir, "reports");
    expect(await run(["--report-dir", reports])).toBe(1);
    state = log.read();
    expect(state.sources).toHaveLength(1);
    expect(state.entries).toHaveLength(2);
    expect(state.entries[1].Message.split("\n")).toContain(`Report: ${join(reports, readdirSync(reports)[0])}`);
    expect(eventLines()).toEqual(["ldaps-audit: wrote event 1002 (noncompliant) to the Application log, source ldaps-audit\n"]);

    expect(await run(["--format", "json", "-o", join(dir, "quiet.json"), "--no-event-log"])).toBe(1);
    expect(log.read().entries).toHaveLength(2);
    expect(eventLines()).toEqual([]);
  });

  test("a failed run writes event 1003 with the error (in a session of its own); the exit code stays 3", async () => {
    const log = eventLog("failed");
    const crash = join(dir, "crash-shim.ps1");
    writeFileSync(crash, "Set-StrictMode -Version Latest\nfunction Invoke-LdapsAuditCollection { [CmdletBinding()] param([int]$LookbackDays, [int]$MaxEvents, [string]$RevocationMode) throw 'collector exploded' }\n");
    expect(await run(["--format", "json", "-o", join(dir, "never.json")], [shimPath, eventShim, crash])).toBe(3);
    const [entry] = log.read().entries;
    expect(entry).toMatchObject({ EventId: 1003, EntryType: "Error", Source: "ldaps-audit" });
    expect(entry.Message).toBe("ldaps-audit check: FAILED (exit 3): no compliance verdict for this run\nError: collect failed in PowerShell: collector exploded (System.Management.Automation.RuntimeException)");
    expect(eventLines()).toEqual(["ldaps-audit: wrote event 1003 (failed) to the Application log, source ldaps-audit (source registered now)\n"]);
  });

  test("not elevated and the source not registered: no event, a reason that names the remedy, the verdict unchanged", async () => {
    const log = eventLog("not-elevated");
    process.env.LDAPS_AUDIT_TEST_EVENTLOG_NOT_ELEVATED = "1";
    expect(await run(["--format", "json", "-o", join(dir, "ne.json")])).toBe(1);
    expect(() => log.read()).toThrow(/ENOENT/);
    expect(eventLines()).toEqual([
      expect.stringMatching(/^ldaps-audit: no event written to the Application log: writing to the Application log failed: The source name "ldaps-audit" does not exist .*an elevated administrator must run once, or: New-EventLog -LogName Application -Source ldaps-audit\)\n$/),
    ]);
  });

  test("no Windows event log (pwsh on Linux, no shim): says clearly that no event was written; exit code unchanged", async () => {
    expect(await run(["--format", "json", "-o", join(dir, "linux.json")], [shimPath])).toBe(1);
    expect(eventLines()).toEqual([expect.stringMatching(/^ldaps-audit: no event written to the Application log: there is no Windows event log on this system \(.+\); the report is the record of this run\n$/)]);
  });

  test("a host name with line breaks cannot add lines to the event (no forged verdict)", async () => {
    const log = eventLog("forged");
    const forged = "FORGED ldaps-audit check: COMPLIANT";
    process.env.LDAPS_AUDIT_TEST_FIXTURE = writeFixture(pki.dir, dcFixture(pki, new Date(), { host: { fqdn: `dc1.example.test\r\n${forged}\u2028${forged}`, domain: "example.test", domainRole: 5 } }));
    const out = join(dir, "forged.json");
    expect(await run(["--format", "json", "-o", out])).toBe(1);
    const report = JSON.parse(readFileSync(out, "utf8")) as Report;
    expect(report.targets[0].host).toContain("\r\n"); // the evidence is kept as it is; only the event escapes it
    const message = log.read().entries[0].Message;
    expect(message.split(/\r\n|\r|\n|\u2028|\u2029|\u0085/).filter((l) => l.startsWith("FORGED"))).toEqual([]);
    expect(message).toContain(`Target dc1.example.test\\x0d\\x0a${forged}\\u2028${forged} (NTDS): NON-COMPLIANT`);
    expect(message.split("\n")).toHaveLength(reportEvent(report, { reportFile: out }).message.split("\n").length);
  });
});
