// Runs named scenarios against the LdapsAudit module in ONE pwsh process (test/fixtures/ps/Invoke-ModuleScenario.ps1):
// the module is imported, the Windows shims are dot-sourced into its scope, each scenario is a script block given
// the data object `$T` (paths travel as data, never spliced into script text).
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./helpers";

export const harnessPath = join(repoRoot, "test", "fixtures", "ps", "Invoke-ModuleScenario.ps1");
export const sourceManifest = join(repoRoot, "ps", "LdapsAudit", "LdapsAudit.psd1");

export interface ScenarioResult {
  ok: boolean;
  value?: unknown[];
  warnings: string[];
  errors: string[];
  error?: string;
  errorId?: string;
}

export function runPwshFile(pwsh: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 300000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(pwsh, ["-NoLogo", "-NoProfile", "-NonInteractive", ...args], { env: { ...process.env, NO_COLOR: "1", POWERSHELL_TELEMETRY_OPTOUT: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function runScenarios(
  pwsh: string,
  options: { manifest: string; shims: string[]; scenarios: Record<string, string>; data: Record<string, unknown>; env?: NodeJS.ProcessEnv },
): Promise<Record<string, ScenarioResult>> {
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-module-"));
  const scenarioFile = join(dir, "scenarios.json");
  const dataFile = join(dir, "data.json");
  writeFileSync(scenarioFile, JSON.stringify(options.scenarios));
  writeFileSync(dataFile, JSON.stringify({ ...options.data, shims: options.shims }));
  const args = ["-File", harnessPath, "-ModulePath", options.manifest, "-ScenarioFile", scenarioFile, "-DataFile", dataFile];
  const r = await runPwshFile(pwsh, args, options.env ?? {});
  const line = r.stdout.split(/\r?\n/).find((l) => l.startsWith("{"));
  if (r.code !== 0 || !line) throw new Error(`module harness exited ${r.code}: ${r.stderr || r.stdout}`);
  return JSON.parse(line) as Record<string, ScenarioResult>;
}
