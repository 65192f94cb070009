// The LdapsAudit PowerShell module (ps/LdapsAudit) under the real pwsh: manifest, exports, Get-Help examples,
// Get-LdapsAuditSnapshot / Invoke-LdapsAudit / Test-LdapsAudit against the Windows shim (test/fixtures/ps/shim.ps1,
// real X509Certificate2 objects from openssl-made PFX files), evaluation through the real CLI with and without
// Node.js, and the daily snapshot task (ScheduledTasks shim) whose recorded command line is then run for real.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { REPORT_SCHEMA_ID, SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import { requirePeer } from "../helpers/peers";
import { dcFixture } from "./fixture";
import { findPwsh, hasOpenssl, makePki, parseWindowsCommandLine, repoRoot, shimPath, writeFixture } from "./helpers";
import { runPwshFile, runScenarios, ScenarioResult, sourceManifest } from "./module-harness";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");
const scheduleShim = join(repoRoot, "test", "fixtures", "ps", "schedule-shim.ps1");
const CLI = join(repoRoot, "bin", "ldaps-audit.js");
const PUBLIC = readdirSync(join(repoRoot, "ps", "LdapsAudit", "Public")).map((n) => n.replace(/\.ps1$/, "")).sort();
const NOW = "2026-11-24T00:00:00Z";

// Each scenario is a script block run with the data object $T (see module-harness.ts).
const scenarios: Record<string, string> = {
  manifest: `param($T)
    $m = Test-ModuleManifest -Path $T.manifest
    @{ version = [string]$m.Version; exported = @($m.ExportedFunctions.Keys | Sort-Object); commands = @(Get-Command -Module LdapsAudit | ForEach-Object Name | Sort-Object)
       editions = @($m.CompatiblePSEditions); psVersion = [string]$m.PowerShellVersion }`,
  help: `param($T)
    foreach ($name in @(Get-Command -Module LdapsAudit | ForEach-Object Name)) {
      $h = Get-Help -Name $name -Full
      $params = @($h.parameters.parameter | Where-Object { $_ -and @('WhatIf', 'Confirm') -notcontains $_.name })
      @{ name = $name; synopsis = [string]$h.Synopsis; description = (@($h.description | ForEach-Object Text) -join ' ')
         examples = @($h.examples.example | ForEach-Object { [string]$_.code })
         undocumented = @($params | Where-Object { -not $_.PSObject.Properties['description'] -or -not (@($_.description | ForEach-Object Text) -join '') } | ForEach-Object { [string]$_.name })
         cmdletBinding = [bool](Get-Command $name).CmdletBinding
         shouldProcess = [bool]((Get-Command $name).Parameters.ContainsKey('WhatIf')) }
    }`,
  snapshotObject: `param($T)
    $s = Get-LdapsAuditSnapshot -LookbackDays 7
    @{ type = $s.PSObject.TypeNames[0]; fqdn = [string]$s.host.fqdn; stores = @($s.stores | ForEach-Object { [string]$_.name }); json = (ConvertTo-Json -InputObject $s -Depth 20 -Compress) }`,
  snapshotPath: `param($T)
    $f = Get-LdapsAuditSnapshot -Path $T.snapshotPath
    @{ type = $f.GetType().FullName; path = $f.FullName }`,
  snapshotWhatIf: `param($T)
    Get-LdapsAuditSnapshot -Path $T.whatIfPath -WhatIf
    @{ exists = (Test-Path -LiteralPath $T.whatIfPath) }`,
  snapshotDirectoryTwice: `param($T)
    $first = Get-LdapsAuditSnapshot -OutputDirectory $T.shareDir
    $second = Get-LdapsAuditSnapshot -OutputDirectory $T.shareDir
    @{ first = $first.FullName; second = $second.FullName; files = @(Get-ChildItem -LiteralPath $T.shareDir -Force | ForEach-Object Name) }`,
  fleetDirectory: `param($T)
    Get-LdapsAuditSnapshot -ComputerName 'dc1.example.test', 'dc9.example.test' -ThrottleLimit 2 -OutputDirectory $T.fleetDir -ErrorAction Continue | ForEach-Object Name`,
  fleetObjects: `param($T)
    Get-LdapsAuditSnapshot -ComputerName 'dc1.example.test' | ForEach-Object { @{ type = $_.PSObject.TypeNames[0]; fqdn = [string]$_.host.fqdn } }`,
  invokeWithNode: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    $env:TMPDIR = $T.privateTemp
    $r = Invoke-LdapsAudit -CliPath $T.cli -Profile hardened -HtmlReportPath $T.html -SnapshotPath $T.kept
    @{ type = $r.PSObject.TypeNames[0]; evaluated = $r.Evaluated; compliant = $r.Compliant; profile = $r.Profile; computer = $r.ComputerName
       failed = @($r.FailedControls); warnings = @($r.WarningControls); snapshotPath = $r.SnapshotPath; html = $r.HtmlReportPath
       targets = @($r.Targets | ForEach-Object { @{ host = $_.ComputerName; service = $_.Service; compliant = $_.Compliant; failed = @($_.FailedControls) } })
       reportJson = (ConvertTo-Json -InputObject $r.Report -Depth 30 -Compress)
       display = @($r.PSStandardMembers.DefaultDisplayPropertySet.ReferencedPropertyNames) }`,
  invokeTemporary: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    $env:TMPDIR = $T.privateTemp
    $r = Invoke-LdapsAudit -CliPath $T.cli
    @{ evaluated = $r.Evaluated; snapshotPath = $r.SnapshotPath; tempLeft = @(Get-ChildItem -LiteralPath $T.privateTemp | ForEach-Object Name) }`,
  invokeInputPath: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    $r = Invoke-LdapsAudit -InputPath $T.healthyGlob -Now $T.now -CliPath $T.cli
    @{ evaluated = $r.Evaluated; compliant = $r.Compliant; computer = $r.ComputerName; failed = @($r.FailedControls) }`,
  testTrue: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    $b = Test-LdapsAudit -InputPath $T.healthy -Now $T.now -CliPath $T.cli
    @{ value = $b; type = $b.GetType().FullName }`,
  testFalse: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    $b = Test-LdapsAudit -CliPath $T.cli
    @{ value = $b; type = $b.GetType().FullName }`,
  evaluateFails: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    Invoke-LdapsAudit -InputPath $T.broken -CliPath $T.cli`,
  npmCmdShim: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    $resolved = & (Get-Module LdapsAudit) { param($c) Resolve-LdapsAuditCli -CliPath $c } $T.npmCmd
    $r = Invoke-LdapsAudit -InputPath $T.oddName -Now $T.now -CliPath $T.npmCmd
    @{ command = @($resolved.Command); compliant = $r.Compliant; inputs = @($r.Report.inputs | Where-Object kind -eq 'snapshot' | ForEach-Object path) }`,
  lonelyCmdShim: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    Invoke-LdapsAudit -InputPath $T.healthy -CliPath $T.lonelyCmd`,
  commandLineTooLong: `param($T)
    $env:LDAPS_AUDIT_NODE = $T.node
    Invoke-LdapsAudit -InputPath (@($T.healthy) * 800) -CliPath $T.cli`,
  noNode: `param($T)
    $saved = $env:PATH
    Remove-Item -Path env:LDAPS_AUDIT_NODE -ErrorAction SilentlyContinue
    $env:PATH = ''
    Push-Location -LiteralPath $T.noNodeDir
    try {
      $r = Invoke-LdapsAudit -Profile hardened
      @{ evaluated = $r.Evaluated; compliant = $r.Compliant; snapshotPath = $r.SnapshotPath; command = $r.EvaluateCommand; computer = $r.ComputerName }
    } finally { Pop-Location; $env:PATH = $saved }`,
  testNoNode: `param($T)
    $saved = $env:PATH
    Remove-Item -Path env:LDAPS_AUDIT_NODE -ErrorAction SilentlyContinue
    $env:PATH = ''
    Push-Location -LiteralPath $T.testNoNodeDir
    try { Test-LdapsAudit } finally { Pop-Location; $env:PATH = $saved }`,
  registerWhatIf: `param($T)
    $env:LDAPS_AUDIT_TEST_SCHEDULE_LOG = $T.whatIfTaskLog
    Register-LdapsAuditSnapshotTask -OutputDirectory $T.taskDir -WhatIf
    @{ exists = (Test-Path -LiteralPath $T.whatIfTaskLog) }`,
  register: `param($T)
    $env:LDAPS_AUDIT_TEST_SCHEDULE_LOG = $T.taskLog
    $r = Register-LdapsAuditSnapshotTask -OutputDirectory $T.taskDir -At '02:30' -LookbackDays 1
    @{ type = $r.PSObject.TypeNames[0]; runAs = $r.runAs; at = $r.at; recorded = [System.IO.File]::ReadAllText($T.taskLog); pshome = $PSHOME }`,
  unregister: `param($T)
    $env:LDAPS_AUDIT_TEST_SCHEDULE_LOG = $T.taskLog
    $r = Unregister-LdapsAuditSnapshotTask -Confirm:$false
    @{ removed = $r.removed; exists = (Test-Path -LiteralPath $T.taskLog) }`,
};

(ready ? describe : describe.skip)("LdapsAudit module under pwsh with the Windows shims", () => {
  let dir: string;
  let data: Record<string, string>;
  let results: Record<string, ScenarioResult>;
  let env: NodeJS.ProcessEnv;
  const value = (name: string) => {
    const r = results[name];
    if (!r.ok) throw new Error(`scenario ${name} failed: ${r.error}`);
    return r.value as Array<Record<string, unknown>>;
  };
  const one = (name: string) => value(name)[0];

  beforeAll(async () => {
    const pki = makePki();
    dir = mkdtempSync(join(tmpdir(), "ldaps-audit-psmodule-"));
    const sub = (n: string) => {
      const p = join(dir, n);
      mkdirSync(p, { recursive: true });
      return p;
    };
    // An npm global install on Windows: ldaps-audit.cmd with the package in node_modules beside it, and one without.
    const npm = sub("npm");
    writeFileSync(join(npm, "ldaps-audit.cmd"), "@ECHO off\r\nnode \"%~dp0\\node_modules\\ldaps-audit\\bin\\ldaps-audit.js\" %*\r\n");
    mkdirSync(join(npm, "node_modules"));
    symlinkSync(repoRoot, join(npm, "node_modules", "ldaps-audit"), "dir");
    writeFileSync(join(sub("lonely"), "ldaps-audit.cmd"), "@ECHO off\r\n");
    // A file name cmd.exe would read as commands (& % ^): it must reach the CLI as one argument.
    const oddName = join(dir, "dc1 & calc %PATH% ^x.snapshot.json");
    copyFileSync(join(repoRoot, "examples", "healthy-dc.snapshot.json"), oddName);
    const broken = join(dir, "broken.snapshot.json");
    writeFileSync(broken, "{ not json");
    // A path with quotes, spaces and PowerShell syntax: it must reach the task as data.
    const taskDir = join(dir, "it's a \"share\" $(New-Item PWNED) `x`");
    data = {
      manifest: sourceManifest, node: process.execPath, cli: CLI, now: NOW,
      snapshotPath: join(dir, "dc1.snapshot.json"), whatIfPath: join(dir, "whatif.snapshot.json"),
      shareDir: sub("share"), fleetDir: sub("fleet"), privateTemp: sub("temp"), html: join(dir, "dc1.html"), kept: join(dir, "kept.snapshot.json"),
      healthy: join(repoRoot, "examples", "healthy-dc.snapshot.json"), healthyGlob: join(repoRoot, "examples", "healthy-*.snapshot.json"), broken,
      npmCmd: join(npm, "ldaps-audit.cmd"), lonelyCmd: join(dir, "lonely", "ldaps-audit.cmd"), oddName,
      noNodeDir: sub("no-node"), testNoNodeDir: sub("test-no-node"),
      taskDir, taskLog: join(dir, "task.json"), whatIfTaskLog: join(dir, "whatif-task.json"),
    };
    env = { LDAPS_AUDIT_TEST_FIXTURE: writeFixture(pki.dir, dcFixture(pki, new Date())), ProgramData: "C:\\ProgramData", LDAPS_AUDIT_CLI: "" };
    results = await runScenarios(pwsh!, { manifest: sourceManifest, shims: [shimPath, scheduleShim], scenarios, data, env });
  }, 600000);

  test("Test-ModuleManifest passes; FunctionsToExport = the Public/ files = what Import-Module exports (no private helper leaks)", () => {
    const m = one("manifest");
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8"));
    expect(m.version).toBe(pkg.version);
    expect(m.exported).toEqual(PUBLIC);
    expect(m.commands).toEqual(PUBLIC);
    expect(PUBLIC).toEqual(expect.arrayContaining(["Get-LdapsAuditSnapshot", "Invoke-LdapsAudit", "Test-LdapsAudit"]));
    expect(m).toMatchObject({ editions: ["Desktop", "Core"], psVersion: "5.1" });
  });

  test("Get-Help shows a synopsis, a description, examples and every parameter's description for each public function", () => {
    const help = value("help");
    expect(help.map((h) => h.name).sort()).toEqual(PUBLIC);
    for (const h of help) {
      expect({ name: h.name, synopsis: (h.synopsis as string).length > 20, description: (h.description as string).length > 40 }).toEqual({ name: h.name, synopsis: true, description: true });
      expect({ name: h.name, examples: (h.examples as string[]).length >= 2 }).toEqual({ name: h.name, examples: true });
      for (const code of h.examples as string[]) expect(code).toMatch(new RegExp(h.name as string));
      expect({ name: h.name, undocumented: h.undocumented }).toEqual({ name: h.name, undocumented: [] });
      expect(h.cmdletBinding).toBe(true);
    }
    // SupportsShouldProcess where the machine changes (the task) and where a file is written.
    const whatIf = Object.fromEntries(help.map((h) => [h.name, h.shouldProcess]));
    expect(whatIf).toMatchObject({ "Register-LdapsAuditSnapshotTask": true, "Unregister-LdapsAuditSnapshotTask": true, "Get-LdapsAuditSnapshot": true });
  });

  test("Get-LdapsAuditSnapshot returns an LdapsAudit.Snapshot object that serializes to a valid snapshot", () => {
    const s = one("snapshotObject");
    expect(s).toMatchObject({ type: "LdapsAudit.Snapshot", fqdn: "dc1.example.test" });
    expect(s.stores).toEqual(expect.arrayContaining(["NTDS\\My", "LocalMachine\\My"]));
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(JSON.parse(s.json as string))).toBe(true);
  });

  test("-Path writes a valid snapshot file and returns it; -WhatIf writes nothing", () => {
    expect(one("snapshotPath")).toEqual({ type: "System.IO.FileInfo", path: data.snapshotPath });
    const snap = JSON.parse(readFileSync(data.snapshotPath, "utf8"));
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(snap)).toBe(true);
    expect(snap.host.fqdn).toBe("dc1.example.test");
    expect(one("snapshotWhatIf")).toEqual({ exists: false });
    expect(existsSync(data.whatIfPath)).toBe(false);
  });

  test("-OutputDirectory keeps one <host>.snapshot.json, replaced atomically (no temporary file left)", () => {
    const r = one("snapshotDirectoryTwice");
    expect(r.first).toBe(join(data.shareDir, "dc1.example.test.snapshot.json"));
    expect(r.files).toEqual(["dc1.example.test.snapshot.json"]);
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(JSON.parse(readFileSync(r.second as string, "utf8")))).toBe(true);
  });

  test("-ComputerName: a snapshot file per reachable host, an error file and a non-terminating error for the other", () => {
    const r = results.fleetDirectory;
    expect({ ok: r.ok, error: r.error }).toEqual({ ok: true });
    expect(r.value).toEqual(["dc1.example.test.snapshot.json"]);
    expect(r.errors).toEqual([expect.stringMatching(/^dc9\.example\.test: .*WinRM.* \(Unreachable\)$/)]);
    expect(readdirSync(data.fleetDir).sort()).toEqual(["dc1.example.test.snapshot.json", "dc9.example.test.error.json"]);
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(JSON.parse(readFileSync(join(data.fleetDir, "dc1.example.test.snapshot.json"), "utf8")))).toBe(true);
    expect(value("fleetObjects")).toEqual([{ type: "LdapsAudit.Snapshot", fqdn: "dc1.example.test" }]);
  });

  test("Invoke-LdapsAudit with Node.js: evaluated by the real CLI; failing controls per target; report, HTML and kept snapshot", () => {
    const r = one("invokeWithNode");
    expect(r).toMatchObject({ type: "LdapsAudit.Result", evaluated: true, compliant: false, profile: "hardened", computer: "dc1.example.test", snapshotPath: data.kept, html: data.html });
    expect(r.failed).toEqual(expect.arrayContaining(["LDAPS-E01", "LDAPS-E03", "LDAPS-E04", "LDAPS-G01", "LDAPS-G02"]));
    const report = JSON.parse(r.reportJson as string);
    expect(validatorFor(REPORT_SCHEMA_ID)(report)).toBe(true);
    // The object's per-target lists agree with the report they came from.
    const targets = r.targets as Array<{ host: string; service: string; compliant: boolean; failed: string[] }>;
    expect(targets.map((t) => t.service).sort()).toEqual(report.targets.map((t: { service: string }) => t.service).sort());
    for (const t of report.targets as Array<{ service: string; status: string; controls: Array<{ id: string; status: string }> }>) {
      const mine = targets.find((x) => x.service === t.service)!;
      expect(mine.compliant).toBe(t.status === "compliant");
      expect(mine.failed.sort()).toEqual(t.controls.filter((c) => c.status === "fail" || c.status === "error").map((c) => c.id).sort());
    }
    expect(readFileSync(data.html, "utf8")).toMatch(/^<!DOCTYPE html>/i);
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(JSON.parse(readFileSync(data.kept, "utf8")))).toBe(true);
    expect(r.display).toEqual(["ComputerName", "Evaluated", "Compliant", "Profile", "FailedControls", "WarningControls", "SnapshotPath"]);
  });

  test("Invoke-LdapsAudit without -SnapshotPath leaves no temporary snapshot behind", () => {
    expect(one("invokeTemporary")).toEqual({ evaluated: true, snapshotPath: null, tempLeft: [] });
  });

  test("-InputPath evaluates snapshot files collected elsewhere (wildcards resolved)", () => {
    expect(one("invokeInputPath")).toMatchObject({ evaluated: true, compliant: true, computer: "dc1.corp.example.test", failed: [] });
  });

  test("Test-LdapsAudit returns a bool: true for a compliant snapshot, false for the shimmed DC", () => {
    expect(one("testTrue")).toEqual({ value: true, type: "System.Boolean" });
    expect(one("testFalse")).toEqual({ value: false, type: "System.Boolean" });
  });

  test("a CLI that fails (exit 2, bad input) is an error, never a verdict", () => {
    const r = results.evaluateFails;
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^ldaps-audit evaluate failed \(exit 2\): .*broken\.snapshot\.json/);
  });

  test("npm's ldaps-audit.cmd is never run (cmd.exe would read & % ^ in file names): the package's script runs with node", () => {
    const r = one("npmCmdShim");
    expect(r.command).toEqual([process.execPath, join(data.npmCmd, "..", "node_modules", "ldaps-audit", "bin", "ldaps-audit.js")]);
    expect(r.compliant).toBe(true);
    expect(r.inputs).toEqual([data.oddName]);
    expect(results.lonelyCmdShim).toMatchObject({ ok: false, error: expect.stringMatching(/^cannot evaluate here: the ldaps-audit CLI .*ldaps-audit\.cmd is a cmd\.exe script and .* is not beside it/) });
  });

  test("a command line Windows could not start is refused with a clear error", () => {
    expect(results.commandLineTooLong).toMatchObject({ ok: false, error: expect.stringMatching(/^the ldaps-audit command line would be \d+ characters \(Windows allows 32767\): evaluate fewer snapshot files at once$/) });
  });

  test("without Node.js: the snapshot is written, a warning says how to evaluate it elsewhere, and that command works", () => {
    const r = one("noNode");
    const file = join(data.noNodeDir, "dc1.example.test.snapshot.json");
    expect(r).toMatchObject({ evaluated: false, compliant: null, snapshotPath: file, computer: "dc1.example.test" });
    expect(results.noNode.warnings).toEqual([expect.stringMatching(/Not evaluated on this host: Node\.js was not found.*ldaps-audit evaluate .*dc1\.example\.test\.snapshot\.json --profile hardened/)]);
    // "Evaluate it where ldaps-audit is installed": run the printed command's arguments through the real CLI.
    const argv = parseWindowsCommandLine(r.command as string);
    expect(argv.slice(0, 2)).toEqual(["ldaps-audit", "evaluate"]);
    const run = spawnSync(process.execPath, [CLI, ...argv.slice(1), "--format", "json"], { encoding: "utf8", timeout: 120000 });
    expect(run.status).toBe(1);
    expect(validatorFor(REPORT_SCHEMA_ID)(JSON.parse(run.stdout))).toBe(true);
  });

  test("Test-LdapsAudit without Node.js throws a clear error before collecting (no verdict, no file left)", () => {
    const r = results.testNoNode;
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^Test-LdapsAudit cannot evaluate here: Node\.js was not found/);
    expect(readdirSync(data.testNoNodeDir)).toEqual([]);
  });

  test("the daily snapshot task: -WhatIf registers nothing; the real task runs the module as SYSTEM with its arguments as data", async () => {
    expect(one("registerWhatIf")).toEqual({ exists: false });
    const r = one("register");
    expect(r).toMatchObject({ type: "LdapsAudit.ScheduledTask", runAs: "NT AUTHORITY\\SYSTEM", at: "02:30" });
    const task = JSON.parse(r.recorded as string);
    expect(task).toMatchObject({ TaskName: "ldaps-audit daily snapshot", TaskPath: "\\ldaps-audit\\", Trigger: { Daily: true, At: "02:30" }, Principal: { UserId: "S-1-5-18", LogonType: "ServiceAccount", RunLevel: "Highest" } });
    expect(task.Action.Execute).toBe(join(r.pshome as string, "pwsh"));
    const script = join(repoRoot, "ps", "LdapsAudit", "Scripts", "Save-LdapsAuditSnapshot.ps1");
    const argv = parseWindowsCommandLine(task.Action.Arguments);
    expect(argv).toEqual(["-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass", "-File", script, "-OutputDirectory", data.taskDir, "-LookbackDays", "1"]);
    expect(one("unregister")).toEqual({ removed: true, exists: false });
    // Run what the task would run (plus the shim a real DC does not need): no Node.js involved.
    const run = await runPwshFile(task.Action.Execute, [...argv.slice(2), "-ShimScript", shimPath], { ...env, PATH: "" });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: "" });
    expect(readdirSync(data.taskDir)).toEqual(["dc1.example.test.snapshot.json"]);
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(JSON.parse(readFileSync(join(data.taskDir, "dc1.example.test.snapshot.json"), "utf8")))).toBe(true);
    expect(existsSync(join(dir, "PWNED"))).toBe(false);
  });
});
