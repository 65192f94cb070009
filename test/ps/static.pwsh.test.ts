// Every ps/ file (the collector scripts and the LdapsAudit module: .ps1, .psm1, .psd1) parses with the real
// PowerShell parser and uses nothing Windows PowerShell 5.1 lacks (walks the AST: ternary, ??, ??=, ?. / ?[], && / ||, -Parallel).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { requirePeer } from "../helpers/peers";
import { findPwsh, repoRoot } from "./helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)");
const checker = join(repoRoot, "test", "fixtures", "ps", "Test-LdapsAuditCompat.ps1");

interface FileReport {
  file: string;
  parseErrors: string[];
  violations: string[];
  strictMode: boolean;
  functions: Array<{ name: string; cmdletBinding: boolean; hasParamBlock: boolean }>;
}

function psFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? psFiles(p) : /\.ps[dm]?1$/.test(n) ? [p] : [];
  });
}

function check(files: string[]): FileReport[] {
  const out = execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-File", checker, "-Path", files.join(",")], { encoding: "utf8", timeout: 60000 });
  return JSON.parse(out.slice(out.indexOf("["))) as FileReport[];
}

(ready ? describe : describe.skip)("ps/ static checks with the real PowerShell parser", () => {
  const files = psFiles(join(repoRoot, "ps"));
  let reports: FileReport[] = [];

  beforeAll(() => {
    reports = files.map((f) => check([f])[0]);
  });

  test("there are collector scripts to check", () => {
    expect(files.map((f) => f.replace(repoRoot, "")).sort()).toEqual(
      expect.arrayContaining([
        "/ps/Invoke-LdapsAuditCollector.ps1", "/ps/functions/Events.ps1", "/ps/functions/Certificates.ps1",
        "/ps/LdapsAudit/LdapsAudit.psd1", "/ps/LdapsAudit/LdapsAudit.psm1", "/ps/LdapsAudit/Public/Invoke-LdapsAudit.ps1",
        "/ps/LdapsAudit/Private/Cli.ps1", "/ps/LdapsAudit/Scripts/Save-LdapsAuditSnapshot.ps1",
      ]),
    );
  });

  test.each(files.map((f) => [f.replace(repoRoot + "/", "")]))("%s parses, is 5.1-compatible and strict", (rel) => {
    const r = reports.find((x) => x.file.endsWith(rel))!;
    expect(r.parseErrors).toEqual([]);
    expect(r.violations).toEqual([]);
    // A manifest is a data file (no statements); every script and module file runs under strict mode.
    expect(r.strictMode).toBe(!rel.endsWith(".psd1"));
    // Every collector function declares [CmdletBinding()] and a param() block (the Write-LdapsAuditMarker helpers excepted).
    const loose = r.functions.filter((f) => !f.cmdletBinding && f.name !== "Write-LdapsAuditMarker").map((f) => f.name);
    expect(loose).toEqual([]);
  });

  test("the checker itself finds each 5.1-incompatible construct", () => {
    const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-compat-"));
    const bad = join(dir, "bad.ps1");
    writeFileSync(
      bad,
      [
        "Set-StrictMode -Version Latest",
        "$a = $null ?? 1",
        "$b = $a ? 'y' : 'n'",
        "$c = ${a}?.Length",
        "$e ??= 2",
        "Get-Date && Get-Date",
        "1..3 | ForEach-Object -Parallel { $_ }",
        "1..3 | ForEach-Object -Para { $_ }",
      ].join("\n"),
    );
    const [r] = check([bad]);
    expect(r.parseErrors).toEqual([]);
    const kinds = r.violations.map((v) => v.split(" ")[0]).sort();
    expect(kinds).toEqual(
      ["NullCoalescing", "TernaryExpressionAst", "NullConditional", "NullCoalescingAssignment", "PipelineChainAst", "ParallelParameter", "ParallelParameter"].sort(),
    );
  });
});
