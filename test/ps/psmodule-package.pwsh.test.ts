// `npm run package:psmodule` lays out LdapsAudit as a folder ready for Publish-Module: the laid-out copy (far from the
// source tree, so it cannot reach back into ps/functions) passes Test-ModuleManifest, imports, collects with its own
// copy of the collector functions, and packs into a .nupkg with PSResourceGet's Compress-PSResource (the packing
// step of Publish-PSResource, offline).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import { requirePeer } from "../helpers/peers";
import { dcFixture } from "./fixture";
import { findPwsh, hasOpenssl, makePki, repoRoot, shimPath, writeFixture } from "./helpers";
import { runScenarios, ScenarioResult } from "./module-harness";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");

const scenarios: Record<string, string> = {
  manifest: `param($T)
    $m = Test-ModuleManifest -Path $T.manifest
    $module = Get-Module LdapsAudit
    @{ version = [string]$m.Version; exported = @($m.ExportedFunctions.Keys | Sort-Object); base = $module.ModuleBase
       functionsDirectory = (& $module { $script:LdapsAuditFunctionsDirectory }) }`,
  snapshot: `param($T)
    (Get-LdapsAuditSnapshot -Path $T.snapshot).FullName`,
  pack: `param($T)
    Compress-PSResource -Path $T.moduleDir -DestinationPath $T.nupkgDir
    @(Get-ChildItem -LiteralPath $T.nupkgDir | ForEach-Object Name)`,
};

(ready ? describe : describe.skip)("npm run package:psmodule", () => {
  let out: string;
  let moduleDir: string;
  let results: Record<string, ScenarioResult>;
  const one = (name: string) => {
    const r = results[name];
    if (!r.ok) throw new Error(`scenario ${name} failed: ${r.error}`);
    return (r.value as unknown[])[0];
  };

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), "ldaps-audit-psmodule-pkg-"));
    const printed = execFileSync("npm", ["run", "--silent", "package:psmodule", "--", "--out", out], { cwd: repoRoot, encoding: "utf8", timeout: 120000 });
    moduleDir = join(out, "LdapsAudit");
    expect(printed.trim()).toBe(moduleDir);
    const pki = makePki();
    const env = { LDAPS_AUDIT_TEST_FIXTURE: writeFixture(pki.dir, dcFixture(pki, new Date())), ProgramData: "C:\\ProgramData" };
    const data = { manifest: join(moduleDir, "LdapsAudit.psd1"), moduleDir, snapshot: join(out, "dc1.snapshot.json"), nupkgDir: mkdtempSync(join(tmpdir(), "ldaps-audit-nupkg-")) };
    results = await runScenarios(pwsh!, { manifest: data.manifest, shims: [shimPath], scenarios, data, env });
  }, 600000);

  test("the folder holds the manifest, Public/, Private/, Scripts/ and the collector functions copied from ps/functions", () => {
    expect(readdirSync(moduleDir).sort()).toEqual(["LdapsAudit.psd1", "LdapsAudit.psm1", "Private", "Public", "Scripts", "functions"]);
    const functions = readdirSync(join(repoRoot, "ps", "functions")).filter((n) => n.endsWith(".ps1")).sort();
    expect(readdirSync(join(moduleDir, "functions")).sort()).toEqual(functions);
    for (const f of functions) expect(readFileSync(join(moduleDir, "functions", f), "utf8")).toBe(readFileSync(join(repoRoot, "ps", "functions", f), "utf8"));
  });

  test("the laid-out module passes Test-ModuleManifest and loads the collector from its own functions/ folder", () => {
    const m = one("manifest") as Record<string, unknown>;
    expect(m.version).toBe(JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version);
    expect(m.exported).toEqual(readdirSync(join(moduleDir, "Public")).map((n) => n.replace(/\.ps1$/, "")).sort());
    expect(m.base).toBe(moduleDir);
    expect(m.functionsDirectory).toBe(join(moduleDir, "functions"));
  });

  test("it collects a valid snapshot", () => {
    const file = one("snapshot") as string;
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(JSON.parse(readFileSync(file, "utf8")))).toBe(true);
  });

  test("it packs into LdapsAudit.<version>.nupkg (what Publish-PSResource / Publish-Module upload)", () => {
    const r = results.pack;
    expect({ ok: r.ok, error: r.error }).toEqual({ ok: true });
    const version = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")).version;
    expect(r.value).toEqual([`LdapsAudit.${version}.nupkg`]);
  });
});
