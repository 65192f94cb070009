// Channel-binding evidence (Directory Service 3039/3040/3041/3074/3075, and the same for AD LDS logs) aggregated
// by the REAL collector under pwsh, with Get-WinEvent from the Windows shim (test/fixtures/ps/shim.ps1) handing out
// event objects shaped like Get-WinEvent's (Id, TimeCreated, ProviderName, Properties[].Value).
// The EventData positions of these events are not documented by a primary source: ps/functions/Events.ps1 reads
// them as 2889's ([0] "IP:port", [1] identity; 3040 [0] a count) and says so.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { collectLocal } from "../../lib/collect";
import { SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import type { Snapshot } from "../../lib/snapshot";
import { requirePeer } from "../helpers/peers";
import { dcFixture } from "./fixture";
import { findPwsh, hasOpenssl, makePki, shimPath, TestPki, writeFixture } from "./helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");

(ready ? describe : describe.skip)("channel-binding readiness events under pwsh", () => {
  let pki: TestPki;
  let snapshot: Snapshot;
  const now = new Date();
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * 86400000 - hours * 3600000).toISOString();
  const ds = "Directory Service";
  const p = "Microsoft-Windows-ActiveDirectory_DomainService";

  beforeAll(async () => {
    pki = makePki();
    const base = dcFixture(pki, now);
    const events = [
      ...(base.events as unknown[]),
      { log: ds, id: 3039, provider: p, time: ago(2), properties: ["10.0.0.7:49700", "EXAMPLE\\svc-java"] },
      { log: ds, id: 3039, provider: p, time: ago(1), properties: ["10.0.0.7:49800", "example\\SVC-JAVA"] },
      { log: ds, id: 3074, provider: p, time: ago(1, 3), properties: ["10.0.0.8:50001", "EXAMPLE\\printer"] },
      { log: ds, id: 3075, provider: p, time: ago(1, 2), properties: ["[fe80::9]:50002", "EXAMPLE\\nas"] },
      { log: ds, id: 3040, provider: p, time: ago(1), properties: ["12"] },
      { log: ds, id: 3040, provider: p, time: ago(2), properties: ["not a number"] },
      { log: ds, id: 3041, provider: p, time: ago(1), properties: [] },
      // The AD LDS instance's log carries its own clients, kept apart by service.
      { log: "ADAM (Inst1)", id: 3074, provider: "ADAM [Inst1]", time: ago(1), properties: ["10.0.0.9:50003", "CN=app,O=lds"] },
    ];
    const fixture = writeFixture(pki.dir, { ...base, events, missingLogs: [] });
    snapshot = await collectLocal({
      executable: pwsh!, shimScripts: [shimPath], lookbackDays: 7,
      env: { LDAPS_AUDIT_TEST_FIXTURE: fixture, ProgramData: "C:\\ProgramData" }, timeoutMs: 120000,
    });
  });

  test("the snapshot validates against the snapshot schema", () => {
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(snapshot)).toBe(true);
  });

  test("3039/3074/3075 are aggregated per service, event, client and identity (identity case-insensitive)", () => {
    const cb = snapshot.events!.channelBindingClients!;
    expect(cb).toEqual(expect.arrayContaining([
      expect.objectContaining({ service: "NTDS", eventId: 3039, ip: "10.0.0.7", port: 49800, identity: "example\\SVC-JAVA", count: 2 }),
      expect.objectContaining({ service: "NTDS", eventId: 3074, ip: "10.0.0.8", port: 50001, identity: "EXAMPLE\\printer", count: 1 }),
      expect.objectContaining({ service: "NTDS", eventId: 3075, ip: "fe80::9", port: 50002, identity: "EXAMPLE\\nas", count: 1 }),
      expect.objectContaining({ service: "ADAM_Inst1", eventId: 3074, ip: "10.0.0.9", port: 50003, identity: "CN=app,O=lds", count: 1 }),
    ]));
    expect(cb).toHaveLength(4);
    expect(Date.parse(cb.find((c) => c.eventId === 3039)!.first!)).toBeLessThan(Date.parse(cb.find((c) => c.eventId === 3039)!.last!));
    expect(snapshot.events!.clientsDropped).toEqual([]);
    expect(snapshot.events!.clientCap).toBe(1000);
  });

  test("3040 sums the numeric count and still counts the event whose field is not a number; 3041 is counted", () => {
    const s3040 = snapshot.events!.summary!.find((s) => s.id === 3040)!;
    expect(s3040).toMatchObject({ service: "NTDS", count: 2, unprotectedBinds: 12 });
    expect(snapshot.events!.summary!.find((s) => s.id === 3041)).toMatchObject({ count: 1 });
  });
});

(ready ? describe : describe.skip)("client tables are capped under pwsh", () => {
  test("a client beyond the cap is counted in clientsDropped, per service and event id, never lost silently", () => {
    const fns = join(__dirname, "..", "..", "ps", "functions");
    // 5 distinct 3074 clients and 3 distinct 2889 clients through the real aggregation, cap 2.
    const mk = (id: number, i: number, extra: string) =>
      `[pscustomobject]@{ Id = ${id}; TimeCreated = (Get-Date).AddHours(-${i + 1}); ProviderName = 'Microsoft-Windows-ActiveDirectory_DomainService'; Properties = @([pscustomobject]@{ Value = '10.1.0.${i}:5000${i}' }, [pscustomobject]@{ Value = 'EX\\u${i}' }${extra}) }`;
    const events = [...[0, 1, 2, 3, 4].map((i) => mk(3074, i, "")), ...[0, 1, 2].map((i) => mk(2889, i, ", [pscustomobject]@{ Value = '1' }"))];
    const script = `
      . '${join(fns, "Common.ps1")}'; . '${join(fns, "Events.ps1")}'
      function Get-WinEvent { param([string]$ListLog, [hashtable]$FilterHashtable, [int]$MaxEvents)
        if ($ListLog) { return [pscustomobject]@{ LogName = $ListLog } }
        if ($FilterHashtable.LogName -ne 'Directory Service') { return @() }
        @(${events.join(", ")}) }
      $errors = New-Object System.Collections.Generic.List[object]
      $r = Get-LdapsAuditEventEvidence -LookbackDays 7 -MaxEvents 100 -DirectoryLogs @(@{ log = 'Directory Service'; service = 'NTDS' }) -Now (Get-Date) -Errors $errors -ClientCap 2
      [pscustomobject]@{ cb = @($r.channelBindingClients).Count; insecure = @($r.insecureBindClients).Count; dropped = $r.clientsDropped; errors = $errors.Count } | ConvertTo-Json -Depth 5 -Compress`;
    const out = JSON.parse(execFileSync(pwsh!, ["-NoProfile", "-NonInteractive", "-Command", script], { encoding: "utf8", timeout: 60000 }).trim());
    expect(out.errors).toBe(0);
    expect(out.cb).toBe(2);
    expect(out.insecure).toBe(2);
    const dropped = Array.isArray(out.dropped) ? out.dropped : [out.dropped];
    expect(dropped).toEqual(expect.arrayContaining([{ service: "NTDS", eventId: 3074, events: 3 }, { service: "NTDS", eventId: 2889, events: 1 }]));
  });
});
