// The REAL collector (ps/Invoke-LdapsAuditCollector.ps1) under pwsh with the Windows shim: the clients part
// (Get-NetTCPConnection, Get-NetFirewallProfile + a real pfirewall.log and its .old sibling, reverse DNS through the
// Get-LdapsAuditHostEntryName seam), Schannel 36874/36888 details, and failing parts as structured errors.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { collectLocal } from "../../lib/collect";
import { deriveFacts } from "../../lib/facts";
import { evaluateControl } from "../../lib/profile/evaluate";
import { loadProfile } from "../../lib/profile/load";
import { FACTS_SCHEMA_ID, SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import type { Snapshot } from "../../lib/snapshot";
import { requirePeer } from "../helpers/peers";
import { dcFixture, FIXTURE_SCHANNEL, uint32 } from "../ps/fixture";
import { findPwsh, hasOpenssl, makePki, shimPath, TestPki, writeFixture } from "../ps/helpers";

const pwsh = findPwsh();
const ready = requirePeer("pwsh", pwsh !== null, "install with: dotnet tool install --tool-path .tools/pwsh PowerShell --version 7.6.9 (or run .ci/run)") &&
  requirePeer("openssl", hasOpenssl(), "apt-get install openssl");

const HEAD = "#Version: 1.5\r\n#Software: Microsoft Windows Firewall\r\n#Time Format: Local\r\n#Fields: date time action protocol src-ip dst-ip src-port dst-port size tcpflags tcpsyn tcpack tcpwin icmptype icmpcode info path\r\n\r\n";

/** "yyyy-MM-dd HH:mm:ss" in UTC (the collector runs with TZ=UTC, so the log's Local time is UTC). */
const stamp = (d: Date) => d.toISOString().slice(0, 19).replace("T", " ");

(ready ? describe : describe.skip)("collector clients part under pwsh with the Windows shim", () => {
  let pki: TestPki;
  let snapshot: Snapshot;
  let failing: Snapshot;
  const now = new Date();
  const ago = (days: number, hours = 0) => new Date(now.getTime() - days * 86400000 - hours * 3600000);

  beforeAll(async () => {
    pki = makePki();
    const row = (d: Date, action: string, src: string, port: number, path = "RECEIVE") => `${stamp(d)} ${action} TCP ${src} 10.0.0.1 50000 ${port} 52 S 1 0 64240 - - - ${path}`;
    writeFileSync(join(pki.dir, "pfirewall.log"), HEAD + [
      row(ago(2), "ALLOW", "10.0.0.7", 636),
      row(ago(1), "DROP", "10.0.0.7", 3269),
      row(ago(1), "ALLOW", "fd00::42", 636),
      row(ago(1), "ALLOW", "10.0.0.8", 445),
      row(ago(1), "ALLOW", "10.0.0.1", 636, "SEND"),
      row(ago(1), "ALLOW", "10.0.0.9", 50636),
    ].join("\r\n") + "\r\n");
    writeFileSync(join(pki.dir, "pfirewall.log.old"), HEAD + [row(ago(6), "ALLOW", "10.0.0.7", 636), row(ago(30), "ALLOW", "10.0.0.66", 636)].join("\r\n") + "\r\n");
    const base = dcFixture(pki, now);
    const fixture = writeFixture(pki.dir, {
      ...base,
      events: [
        ...(base.events as unknown[]),
        { log: "System", id: 36888, provider: "Schannel", time: ago(2).toISOString(), properties: [uint32(40), uint32(1205)] },
        { log: "System", id: 36888, provider: "Schannel", time: ago(1).toISOString(), properties: [uint32(40), uint32(1205)] },
        { log: "System", id: 36888, provider: "Schannel", time: ago(1).toISOString(), properties: [uint32(70), uint32(105)] },
        { log: "System", id: 36874, provider: "Schannel", time: ago(1).toISOString(), properties: ["TLS 1.0"] },
      ],
      tcpConnections: [
        { LocalPort: 636, RemoteAddress: "0.0.0.0", State: "Listen", OwningProcess: 712 },
        { LocalPort: 636, RemoteAddress: "::ffff:10.0.0.7", State: "Established", OwningProcess: 712 },
        { LocalPort: 636, RemoteAddress: "10.0.0.7", State: "Established", OwningProcess: 712 },
        { LocalPort: 3269, RemoteAddress: "10.0.0.12", State: "SynReceived", OwningProcess: 712 },
        { LocalPort: 50636, RemoteAddress: "10.0.0.13", State: "Established", OwningProcess: 2048 },
        { LocalPort: 389, RemoteAddress: "10.0.0.14", State: "Established", OwningProcess: 712 },
      ],
      firewallProfiles: [
        { Name: "Domain", Enabled: "True", LogAllowed: "True", LogBlocked: "True", LogFileName: "%systemroot%/pfirewall.log" },
        { Name: "Private", Enabled: "True", LogAllowed: "False", LogBlocked: "False", LogFileName: "%systemroot%/pfirewall.log" },
        { Name: "Public", Enabled: "False", LogAllowed: "True", LogBlocked: "True", LogFileName: "%systemroot%/other.log" },
      ],
      reverseDns: { "10.0.0.7": "app1.example.test", "10.0.0.12": { error: "reverse lookup of 10.0.0.12 timed out after 1000 ms" }, "10.0.0.5": "legacy1.example.test" },
    });
    const env = { LDAPS_AUDIT_TEST_FIXTURE: fixture, ProgramData: "C:\\ProgramData", SystemRoot: pki.dir, TZ: "UTC" };
    snapshot = await collectLocal({ executable: pwsh!, shimScripts: [shimPath], lookbackDays: 7, env, timeoutMs: 120000 });

    const broken = writeFixture(pki.dir, {
      ...base,
      tcpConnectionsDenied: true,
      firewallProfiles: [{ Name: "Domain", Enabled: "True", LogAllowed: "True", LogBlocked: "False", LogFileName: "%systemroot%/no-such-dir/pfirewall.log" }],
    });
    failing = await collectLocal({ executable: pwsh!, shimScripts: [shimPath], lookbackDays: 7, env: { ...env, LDAPS_AUDIT_TEST_FIXTURE: broken }, timeoutMs: 120000 });
  });

  test("the snapshot validates and carries the clients part", () => {
    const v = validatorFor(SNAPSHOT_SCHEMA_ID);
    if (!v(snapshot)) throw new Error(JSON.stringify(v.errors));
    // The fixture's AD LDS instance listens on 50636 for SSL.
    expect(snapshot.clients!.ports).toEqual([636, 3269, 50636]);
    expect(snapshot.errors!.filter((e) => e.part.startsWith("clients"))).toEqual([]);
  });

  test("connection table: listeners dropped, IPv4-mapped addresses folded, aggregated per address/port/state, 389 left out", () => {
    expect(snapshot.clients!.connections).toEqual({
      available: true, error: null, total: 4, truncated: false,
      entries: [
        { remoteAddress: "10.0.0.7", localPort: 636, state: "Established", count: 2, owningProcesses: [712] },
        { remoteAddress: "10.0.0.12", localPort: 3269, state: "SynReceived", count: 1, owningProcesses: [712] },
        { remoteAddress: "10.0.0.13", localPort: 50636, state: "Established", count: 1, owningProcesses: [2048] },
      ],
    });
  });

  test("firewall log: settings per profile (%systemroot% expanded), the .old file read too, sources per IP in the window", () => {
    const fw = snapshot.clients!.firewallLog!;
    const logPath = join(pki.dir, "pfirewall.log");
    expect(fw).toMatchObject({ enabled: true, logAllowed: true, logBlocked: true, path: logPath, available: true, error: null, truncated: false, sourcesTotal: 3 });
    expect(fw.profiles).toEqual([
      { name: "Domain", enabled: true, logAllowed: true, logBlocked: true, logFileName: logPath },
      { name: "Private", enabled: true, logAllowed: false, logBlocked: false, logFileName: logPath },
      { name: "Public", enabled: false, logAllowed: true, logBlocked: true, logFileName: join(pki.dir, "other.log") },
    ]);
    expect(fw.files!.map((f) => [f.path, f.available, f.matched, f.outsideWindow, f.outbound])).toEqual([
      [`${logPath}.old`, true, 1, 1, 0],
      [logPath, true, 4, 0, 1],
    ]);
    expect(fw.sources).toEqual([
      { ip: "10.0.0.7", count: 3, allow: 2, drop: 1, ports: { "3269": 1, "636": 2 }, first: expect.any(String), last: expect.any(String) },
      { ip: "10.0.0.9", count: 1, allow: 1, drop: 0, ports: { "50636": 1 }, first: expect.any(String), last: expect.any(String) },
      { ip: "fd00::42", count: 1, allow: 1, drop: 0, ports: { "636": 1 }, first: expect.any(String), last: expect.any(String) },
    ]);
    const s = fw.sources![0];
    expect(Math.abs(Date.parse(s.first!) - ago(6).getTime())).toBeLessThan(2000);
    expect(Math.abs(Date.parse(s.last!) - ago(1).getTime())).toBeLessThan(2000);
  });

  test("reverse DNS ran on the host for firewall, connection and 2889 addresses, bounded per lookup", () => {
    const names = Object.fromEntries(snapshot.clients!.names!.map((n) => [n.ip, n]));
    expect(names["10.0.0.7"]).toEqual({ ip: "10.0.0.7", name: "app1.example.test", error: null });
    expect(names["10.0.0.12"]).toEqual({ ip: "10.0.0.12", name: null, error: "reverse lookup of 10.0.0.12 timed out after 1000 ms" });
    expect(names["10.0.0.5"]).toMatchObject({ name: "legacy1.example.test" }); // from 2889
    expect(names["fd00::42"]).toMatchObject({ name: null, error: null });
    expect(snapshot.clients!.names!.map((n) => n.ip).filter((ip) => ip === "10.0.0.7")).toHaveLength(1);
    expect(snapshot.clients!.namesTruncated).toBe(false);
  });

  test("Schannel 36888 is aggregated per alert and error state, 36874 per protocol; EventLogging is collected", () => {
    const byId = (id: number) => snapshot.events!.summary!.find((s) => s.id === id)!;
    expect(byId(36888)).toMatchObject({ count: 3, errorCodes: { "alert 40 state 1205": 2, "alert 70 state 105": 1 } });
    expect(byId(36874)).toMatchObject({ count: 1, errorCodes: { "protocol TLS 1.0": 1 } });
    expect(snapshot.registry!.schannel).toEqual(FIXTURE_SCHANNEL); // the shared fixture also sets the TLS surface values
  });

  test("the facts name the clients per target; E06 warns on the NTDS target (no certificate qualifies: the test CA is untrusted)", () => {
    const facts = deriveFacts(snapshot, { now });
    const v = validatorFor(FACTS_SCHEMA_ID);
    for (const f of facts) if (!v(f)) throw new Error(JSON.stringify(v.errors));
    const ntds = facts.find((f) => f.target.service === "NTDS")!.clients!;
    expect(ntds.clients.map((c) => [c.ip, c.name, c.ports, c.evidence])).toEqual([
      ["10.0.0.7", "app1.example.test", [636, 3269], ["connection-table", "firewall-log"]],
      ["10.0.0.12", null, [3269], ["connection-table"]],
      ["fd00::42", null, [636], ["firewall-log"]],
      ["10.0.0.5", "legacy1.example.test", [], ["event-2889"]],
      ["fe80::1", null, [], ["event-2889"]],
    ]);
    const adam = facts.find((f) => f.target.service === "ADAM_Inst1")!.clients!;
    expect(adam.clients.map((c) => [c.ip, c.ports])).toEqual([["10.0.0.13", [50636]], ["10.0.0.9", [50636]]]);
    const e06 = loadProfile("baseline").controls.find((c) => c.meta.id === "LDAPS-E06")!;
    const ntdsFacts = facts.find((f) => f.target.service === "NTDS")!;
    expect(ntdsFacts.clients!.certificateQualifies).toBe(false);
    expect(evaluateControl(e06, ntdsFacts)).toMatchObject({ status: "warn", message: expect.stringMatching(/3 client\(s\) tried LDAPS \(636\/3269\)/) });
  });

  test("failing parts are structured errors while the rest completes", () => {
    const v = validatorFor(SNAPSHOT_SCHEMA_ID);
    if (!v(failing)) throw new Error(JSON.stringify(v.errors));
    const c = failing.clients!;
    expect(c.connections).toMatchObject({ available: false, error: "Access is denied." });
    expect(failing.errors).toContainEqual(expect.objectContaining({ part: "clients/connections", code: "AccessDenied", exceptionType: "System.UnauthorizedAccessException" }));
    expect(c.firewallLog).toMatchObject({ enabled: true, logAllowed: true, logBlocked: false, available: false, error: expect.stringMatching(/no-such-dir/) });
    expect(failing.errors).toContainEqual(expect.objectContaining({ part: expect.stringMatching(/^clients\/firewallLog\/.*no-such-dir/), code: "NotFound" }));
    // The rest of the snapshot is complete: stores, registry, events, reverse DNS of the 2889 clients.
    expect(failing.stores!.find((s) => s.name === "LocalMachine\\My")!.certificates).toHaveLength(2);
    expect(failing.events!.insecureBindClients).toHaveLength(2);
    expect(c.names!.map((n) => n.ip).sort()).toEqual(["10.0.0.5", "fe80::1"]);
    // The facts say which evidence to turn on instead of reporting no clients.
    const ntds = deriveFacts(failing, { now }).find((f) => f.target.service === "NTDS")!.clients!;
    expect(ntds.ldapsEvidence).toBe(false);
    expect(ntds.missingEvidence.map((m) => m.setting)).toEqual([
      "read access to the firewall log (run the collector elevated, as a local Administrator)",
      "the NetTCPIP module (Windows Server 2012 or later) and a local session",
    ]);
  });
});
