// Host names, paths and values with quotes, $(), backticks and newlines reach PowerShell as data.
// Each hostile value would create a marker file if it were ever interpolated into script text.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectFleet, withPowerShell } from "../../lib/collect";
import { RuntimeFailure } from "../../lib/errors";
import { requirePeer } from "../helpers/peers";
import { dcFixture } from "./fixture";
import { findPwsh, hasOpenssl, makePki, repoRoot, shimPath, writeFixture } from "./helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");

function hostile(marker: string): string[] {
  const m = marker.replace(/\\/g, "/");
  return [
    `x'; New-Item -ItemType File -Path '${m}.1'; '`,
    `$(New-Item -ItemType File -Path '${m}.2')`,
    `"; New-Item -ItemType File -Path "${m}.3"; "`,
    "`$(New-Item -ItemType File -Path '" + m + ".4')`",
    `line1\nNew-Item -ItemType File -Path '${m}.5'\n`,
    `@{a=1}; & { New-Item -ItemType File -Path '${m}.6' } #`,
    "ünïcødé ✓ \u0000-free",
  ];
}

(ready ? describe : describe.skip)("inputs reach PowerShell only as data", () => {
  const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-inject-"));
  const marker = join(dir, "PWNED");
  const markersGone = () => [1, 2, 3, 4, 5, 6].every((i) => !existsSync(`${marker}.${i}`));

  test("parameter values and a hostile script path round-trip unchanged and execute nothing", async () => {
    // The script itself lives in a folder whose name is hostile too.
    const evilDir = join(dir, "it's $(New-Item -ItemType File -Path PWNED.7) `x`");
    mkdirSync(evilDir);
    const script = join(evilDir, "Echo-LdapsAuditInput.ps1");
    copyFileSync(join(repoRoot, "test", "fixtures", "ps", "Echo-LdapsAuditInput.ps1"), script);
    const values = hostile(marker);
    const input = JSON.stringify({ host: values[0], path: values[1] });
    const out = (await withPowerShell({ executable: pwsh!, timeoutMs: 60000 }, (ps) =>
      ps.runScript(script, { InputBase64: Buffer.from(input, "utf8").toString("base64"), Values: values }, "echo"),
    )) as { decoded: string; values: string[]; script: string };
    expect(out.values).toEqual(values);
    expect(out.decoded).toBe(input);
    expect(out.script).toBe(script);
    expect(markersGone()).toBe(true);
    expect(existsSync(join(evilDir, "PWNED.7"))).toBe(false);
  });

  test("fleet: hostile computer names are data; unreachable hosts become error results and never stop the rest", async () => {
    const pki = makePki();
    const fixture = writeFixture(pki.dir, dcFixture(pki, new Date()));
    const names = ["dc1.example.test", ...hostile(marker).slice(0, 6), "dc9.example.test"];
    const results = await collectFleet({
      executable: pwsh!, shimScripts: [shimPath], computerNames: names, throttle: 4,
      env: { LDAPS_AUDIT_TEST_FIXTURE: fixture, ProgramData: "C:\\ProgramData" }, timeoutMs: 120000,
    });
    expect(markersGone()).toBe(true);
    expect(results.map((r) => r.host)).toEqual(names.map((n) => n.trim())); // names are trimmed, nothing else
    const ok = results.filter((r) => r.snapshot);
    // The shim runs the carried script block locally for every reachable name (all but dc9).
    expect(ok).toHaveLength(names.length - 1);
    expect(ok[0].snapshot!.host.fqdn).toBe("dc1.example.test");
    expect(ok[0].snapshot!.events!.insecureBindClients!.length).toBe(2);
    const failed = results.find((r) => r.host === "dc9.example.test")!;
    expect(failed.snapshot).toBeUndefined();
    expect(failed.error).toMatchObject({ part: "remoting", code: "Unreachable" });
  });

  test("a missing PowerShell is a RuntimeFailure (exit 3), not a crash", async () => {
    await expect(withPowerShell({ executable: join(dir, "no-such-pwsh") }, async () => 1)).rejects.toBeInstanceOf(RuntimeFailure);
    await expect(withPowerShell({ executable: join(dir, "no-such-pwsh") }, async () => 1)).rejects.toThrow(/PowerShell was not found/);
  });

  test("a script that writes to stderr or throws is reported, and the session is still disposed", async () => {
    await expect(
      withPowerShell({ executable: pwsh!, timeoutMs: 60000 }, (ps) => ps.runScript(join(dir, "does-not-exist.ps1"), {}, "missing script")),
    ).rejects.toThrow(/missing script: PowerShell reported an error/);
  });

  test("the invocation timeout ends a hung script with a RuntimeFailure", async () => {
    const sleeper = join(dir, "Sleep.ps1");
    require("node:fs").writeFileSync(sleeper, "param([switch]$AsBase64)\nStart-Sleep -Seconds 30\n");
    await expect(withPowerShell({ executable: pwsh!, timeoutMs: 1500 }, (ps) => ps.runScript(sleeper, {}, "sleeper"))).rejects.toThrow(/did not answer within/);
  });
});
