// Reverse DNS in the collector is bounded: a per-lookup timeout, a lookup cap and a total time budget
// (ps/functions/Clients.ps1 Resolve-LdapsAuditClientName); the real lookup seam answers for 127.0.0.1.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { requirePeer } from "../helpers/peers";
import { findPwsh, repoRoot } from "../ps/helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell");

const SCRIPT = [
  "Set-StrictMode -Version Latest",
  "$ErrorActionPreference = 'Stop'",
  `. '${join(repoRoot, "ps", "functions", "Common.ps1")}'`,
  `. '${join(repoRoot, "ps", "functions", "Clients.ps1")}'`,
  "$real = Get-LdapsAuditHostEntryName -Address '127.0.0.1' -TimeoutMs 5000",
  // A slow resolver: every lookup takes 300 ms and reports the timeout it was given.
  "function Get-LdapsAuditHostEntryName { [CmdletBinding()] param([string]$Address, [int]$TimeoutMs) Start-Sleep -Milliseconds 300; return ('h-' + $Address + '-' + $TimeoutMs) }",
  "$ips = @('10.0.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6')",
  "$sw = [Diagnostics.Stopwatch]::StartNew()",
  "$budget = Resolve-LdapsAuditClientName -Addresses $ips -TimeoutMs 1000 -MaxLookups 50 -TotalMs 700",
  "$budgetMs = $sw.ElapsedMilliseconds",
  "$capped = Resolve-LdapsAuditClientName -Addresses $ips -TimeoutMs 1000 -MaxLookups 2 -TotalMs 60000",
  "[ordered]@{ real = $real; budget = $budget; budgetMs = $budgetMs; capped = $capped } | ConvertTo-Json -Depth 5 -Compress",
].join("\n");

(ready ? describe : describe.skip)("bounded reverse DNS under pwsh", () => {
  test("per-lookup timeout, lookup cap and total budget; duplicates looked up once", () => {
    const out = execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-Command", SCRIPT], { encoding: "utf8", timeout: 60000 });
    const r = JSON.parse(out.trim().split("\n").pop()!);
    expect(typeof r.real === "string" || r.real === null).toBe(true); // localhost, or no name: never an exception
    // 300 ms each, 700 ms in total: three lookups start (0, 300, 600 ms), the rest are skipped.
    expect(r.budget.names.map((n: { ip: string }) => n.ip)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    expect(r.budget.skipped).toBe(3);
    expect(r.budgetMs).toBeLessThan(1500);
    // The last lookup only gets what is left of the budget (under 700 - 600 = 100 ms + scheduling slack).
    const lastTimeout = Number(r.budget.names[2].name.split("-").pop());
    expect(lastTimeout).toBeLessThanOrEqual(150);
    const firstTimeout = Number(r.budget.names[0].name.split("-").pop());
    expect(firstTimeout).toBeGreaterThan(500); // min(per-lookup 1000, what is left of 700)
    expect(firstTimeout).toBeLessThanOrEqual(700);
    expect(r.capped.names.map((n: { ip: string }) => n.ip)).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(r.capped.skipped).toBe(4);
  }, 60000);
});
