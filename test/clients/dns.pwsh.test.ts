// Reverse DNS in the collector is bounded: a per-lookup timeout, a lookup cap and a total time budget
// (ps/functions/Clients.ps1 Resolve-LdapsAuditClientName); the real lookup seam answers for 127.0.0.1.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { requirePeer } from "../helpers/peers";
import { findPwsh, repoRoot } from "../ps/helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)");

const SCRIPT = [
  "Set-StrictMode -Version Latest",
  "$ErrorActionPreference = 'Stop'",
  `. '${join(repoRoot, "ps", "functions", "Common.ps1")}'`,
  `. '${join(repoRoot, "ps", "functions", "Clients.ps1")}'`,
  "$real = Get-LdapsAuditHostEntryName -Address '127.0.0.1' -TimeoutMs 5000",
  "$m1 = Get-LdapsAuditMonotonicMs; $m2 = Get-LdapsAuditMonotonicMs",
  "$realClock = [ordered]@{ isLong = ($m1 -is [long]); monotonic = ($m2 -ge $m1) }",
  // The collector's clock is a seam (Get-LdapsAuditMonotonicMs): the test drives it, so nothing here depends on
  // how fast the machine is. A slow resolver: every lookup advances the clock by 300 ms and reports its timeout.
  "$script:clockMs = 1000000",
  "function Get-LdapsAuditMonotonicMs { return [long]$script:clockMs }",
  "function Get-LdapsAuditHostEntryName { [CmdletBinding()] param([string]$Address, [int]$TimeoutMs) $script:clockMs += 300; return ('h-' + $Address + '-' + $TimeoutMs) }",
  "$ips = @('10.0.0.1', '10.0.0.2', '10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6')",
  "$t0 = $script:clockMs",
  "$budget = Resolve-LdapsAuditClientName -Addresses $ips -TimeoutMs 1000 -MaxLookups 50 -TotalMs 700",
  "$budgetMs = $script:clockMs - $t0",
  "$capped = Resolve-LdapsAuditClientName -Addresses $ips -TimeoutMs 1000 -MaxLookups 2 -TotalMs 60000",
  "[ordered]@{ real = $real; realClock = $realClock; budget = $budget; budgetMs = $budgetMs; capped = $capped } | ConvertTo-Json -Depth 5 -Compress",
].join("\n");

(ready ? describe : describe.skip)("bounded reverse DNS under pwsh", () => {
  test("per-lookup timeout, lookup cap and total budget; duplicates looked up once", () => {
    const out = execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-Command", SCRIPT], { encoding: "utf8", timeout: 60000 });
    const r = JSON.parse(out.trim().split("\n").pop()!);
    expect(typeof r.real === "string" || r.real === null).toBe(true); // localhost, or no name: never an exception
    expect(r.realClock).toEqual({ isLong: true, monotonic: true });
    // 300 ms each, 700 ms in total: three lookups start (at 0, 300 and 600 ms), the rest are skipped.
    expect(r.budget.names.map((n: { ip: string }) => n.ip)).toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    expect(r.budget.skipped).toBe(3);
    expect(r.budgetMs).toBe(900);
    // Each lookup gets min(per-lookup timeout, what is left of the total): 700, 400, then 100 ms.
    expect(r.budget.names.map((n: { name: string }) => Number(n.name.split("-").pop()))).toEqual([700, 400, 100]);
    expect(r.capped.names.map((n: { ip: string }) => n.ip)).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(r.capped.skipped).toBe(4);
  });
});
