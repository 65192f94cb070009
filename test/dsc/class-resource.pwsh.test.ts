// The classic class-based DSC resource (dsc/LdapsAuditDsc): it parses, uses no syntax Windows
// PowerShell 5.1 lacks, and, imported under pwsh, Test()/Get() audit a snapshot through the real CLI
// and return Machine Configuration Reasons. Needs pwsh (skips with a reason outside CI, fails under CI=true).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { findExecutable, requirePeer } from "../helpers/peers";
import { REPO } from "./harness";

const pwsh = findExecutable("pwsh", [join(REPO, ".tools", "pwsh")]);
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)");
const MODULE_DIR = join(REPO, "dsc", "LdapsAuditDsc");
const PSM1 = join(MODULE_DIR, "LdapsAuditDsc.psm1");
const PSD1 = join(MODULE_DIR, "LdapsAuditDsc.psd1");
const CLI = join(REPO, "bin", "ldaps-audit.js");
const NOW = "2026-11-24T00:00:00Z";

function runPwsh(script: string, args: string[]): unknown {
  const r = spawnSync(pwsh!, ["-NoLogo", "-NoProfile", "-NonInteractive", "-File", join(__dirname, script), ...args], {
    encoding: "utf8",
    timeout: 120000,
    env: { ...process.env, NO_COLOR: "1", POWERSHELL_TELEMETRY_OPTOUT: "1", DOTNET_CLI_TELEMETRY_OPTOUT: "1" },
  });
  if (r.status !== 0) throw new Error(`pwsh ${script} exited ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

interface SyntaxResult {
  name: string;
  errors: string[];
  incompatible: string[];
  classes: Array<{ name: string; attributes: string[] }>;
}

(ready ? describe : describe.skip)("LdapsAuditDsc class resource", () => {
  test("parses without errors and uses no syntax Windows PowerShell 5.1 lacks", () => {
    const results = runPwsh("Test-Ps51Syntax.ps1", ["-Paths", `${PSM1}|${PSD1}`]) as SyntaxResult[];
    expect(results.map((r) => ({ name: r.name, errors: r.errors, incompatible: r.incompatible }))).toEqual([
      { name: PSM1, errors: [], incompatible: [] },
      { name: PSD1, errors: [], incompatible: [] },
    ]);
    const classes = results[0].classes;
    expect(classes).toContainEqual({ name: "LdapsAuditCompliance", attributes: ["DscResource"] });
    expect(classes.map((c) => c.name)).toContain("LdapsAuditReason");
  });

  test("the 5.1 syntax check is not vacuous", () => {
    const snippet = ["$a = $b ?? 1", "$c = ${d}?.e", "$f = $g ? 1 : 2", "git pull && git push", "1..3 | ForEach-Object -Parallel { $_ }"].join("\n");
    const [r] = runPwsh("Test-Ps51Syntax.ps1", ["-Snippet", snippet]) as SyntaxResult[];
    expect(r.errors).toEqual([]);
    const found = r.incompatible.join("\n");
    for (const what of ["QuestionQuestion", "QuestionDot", "TernaryExpressionAst", "AndAnd", "-Parallel"]) expect(found).toContain(what);
  });

  test("the module manifest exports the resource at the package version", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    const r = runPwsh("Invoke-ClassResource.ps1", ["-ModulePath", PSD1, "-CliPath", CLI, "-SnapshotPath", join(REPO, "examples", "healthy-dc.snapshot.json"), "-Now", NOW]) as Record<string, unknown>;
    expect(r.moduleVersion).toBe(pkg.version);
    expect(r.dscResources).toEqual(["LdapsAuditCompliance"]);
  });

  test("Test()/Get() on a compliant snapshot: true, and a Compliant reason", () => {
    const r = runPwsh("Invoke-ClassResource.ps1", ["-ModulePath", PSD1, "-CliPath", CLI, "-SnapshotPath", join(REPO, "examples", "healthy-dc.snapshot.json"), "-Now", NOW]) as Record<string, unknown>;
    expect(r).toMatchObject({ ok: true, test: true, inDesiredState: true, getType: "LdapsAuditCompliance", profile: "baseline", reasonType: "LdapsAuditReason" });
    expect(r.reasons).toEqual([{ code: "ldapsaudit:ldapsaudit:Compliant", phrase: expect.stringMatching(/compliant with profile baseline: dc1\.corp\.example\.test \(NTDS\)/) }]);
  });

  test("Test()/Get() on a non-compliant snapshot: false, and Reasons per failing control", () => {
    const r = runPwsh("Invoke-ClassResource.ps1", ["-ModulePath", PSD1, "-CliPath", CLI, "-SnapshotPath", join(REPO, "examples", "wrong-name.snapshot.json"), "-Now", NOW]) as {
      ok: boolean;
      test: boolean;
      reasons: Array<{ code: string; phrase: string }>;
    };
    expect(r).toMatchObject({ ok: true, test: false, inDesiredState: false });
    const codes = r.reasons.map((x) => x.code);
    expect(codes).toEqual(expect.arrayContaining(["ldapsaudit:ldapsaudit:LDAPS-S01", "ldapsaudit:ldapsaudit:LDAPS-C02"]));
    for (const c of codes) expect(c).toMatch(/^ldapsaudit:ldapsaudit:LDAPS-[A-Z]\d{2}$/);
    expect(r.reasons.find((x) => x.code.endsWith("C02"))!.phrase).toMatch(/web\.corp\.example\.test/);
  });

  test("Set() runs `ldaps-audit dsc set` and throws its refusal (a snapshot is not this host; nothing changed)", () => {
    const r = runPwsh("Invoke-ClassResource.ps1", ["-ModulePath", PSD1, "-CliPath", CLI, "-SnapshotPath", join(REPO, "examples", "wrong-name.snapshot.json"), "-Now", NOW]) as Record<string, unknown>;
    expect(r).toMatchObject({ ok: true, setError: expect.stringMatching(/^ldaps-audit dsc set failed \(exit 2\): snapshotPath: set changes this host/) });
  });

  test("a failed audit throws (an operation error, not non-compliance) with the tool's message", () => {
    const r = runPwsh("Invoke-ClassResource.ps1", ["-ModulePath", PSD1, "-CliPath", CLI, "-SnapshotPath", join(REPO, "examples", "no-such.snapshot.json"), "-Now", NOW]) as Record<string, unknown>;
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/ldaps-audit dsc test failed \(exit 2\): .*no-such\.snapshot\.json: no such file/) });
  });
});
