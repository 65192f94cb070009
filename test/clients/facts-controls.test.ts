// Client facts and LDAPS-E06, table-driven: snapshot fragment -> expected clients facts and control status;
// the text report's client table. No PowerShell here (test/clients/*.pwsh.test.ts covers the collector side).
import { reportDocument } from "../../lib/report/document";
import { deriveFacts } from "../../lib/facts";
import { evaluateControl } from "../../lib/profile/evaluate";
import { loadProfile } from "../../lib/profile/load";
import { evaluateTarget } from "../../lib/profile/evaluate";
import { buildReport } from "../../lib/report/build";
import { renderText } from "../../lib/report/text";
import { FACTS_SCHEMA_ID, REPORT_SCHEMA_ID, SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import type { ClientsEvidence, Snapshot } from "../../lib/snapshot";
import { readSnapshot } from "../../lib/audit";
import { join } from "node:path";

const NOW = new Date("2026-03-10T12:00:00Z");
const DS = "Directory Service";

const clientsEvidence = (patch: Partial<ClientsEvidence> = {}): ClientsEvidence => ({
  ports: [636, 3269],
  windowStart: "2026-03-03T12:00:00.000Z",
  windowEnd: "2026-03-10T12:00:00.000Z",
  connections: {
    available: true, error: null, total: 3, truncated: false,
    entries: [
      { remoteAddress: "10.0.0.7", localPort: 636, state: "SynReceived", count: 2, owningProcesses: [712] },
      { remoteAddress: "10.0.0.9", localPort: 389, state: "Established", count: 1, owningProcesses: [712] },
    ],
  },
  firewallLog: {
    enabled: true, logAllowed: true, logBlocked: true, path: "C:\\Windows\\system32\\LogFiles\\Firewall\\pfirewall.log", available: true, error: null,
    profiles: [{ name: "Domain", enabled: true, logAllowed: true, logBlocked: true, logFileName: "C:\\Windows\\system32\\LogFiles\\Firewall\\pfirewall.log" }],
    truncated: false, sourcesTotal: 2,
    sources: [
      { ip: "10.0.0.7", count: 12, allow: 10, drop: 2, ports: { "636": 10, "3269": 2 }, first: "2026-03-04T08:00:00.000Z", last: "2026-03-09T17:30:00.000Z" },
      { ip: "fe80::a", count: 1, allow: 1, drop: 0, ports: { "3269": 1 }, first: "2026-03-08T00:00:00.000Z", last: "2026-03-08T00:00:00.000Z" },
    ],
  },
  names: [{ ip: "10.0.0.7", name: "app1.example.test", error: null }, { ip: "fe80::a", name: null, error: "timed out" }],
  namesTruncated: false,
  ...patch,
});

function snap(patch: Partial<Snapshot> = {}): Snapshot {
  return {
    schemaVersion: 1,
    collectedAt: "2026-03-10T12:00:00.000Z",
    host: { fqdn: "dc1.example.test", domainRole: 5, isDomainController: true, certSvcInstalled: false },
    stores: [{ name: "NTDS\\My", certificates: [] }, { name: "LocalMachine\\My", certificates: [] }],
    registry: { ntds: { LDAPServerIntegrity: 2, LdapEnforceChannelBinding: 2, ldapInterfaceEventsLevel: 2 }, schannel: { EventLogging: 1 } },
    events: {
      windowStart: "2026-03-03T12:00:00Z", windowEnd: "2026-03-10T12:00:00Z", maxEvents: 5000, truncated: false,
      logs: [{ log: DS, service: "NTDS", available: true, error: null }, { log: "System", service: null, available: true, error: null }],
      summary: [
        { log: "System", service: null, provider: "Schannel", id: 36888, count: 5, first: "2026-03-05T00:00:00Z", last: "2026-03-09T00:00:00Z", errorCodes: { "alert 40 state 1205": 5 } },
        { log: "System", service: null, provider: "Schannel", id: 36874, count: 1, first: "2026-03-06T00:00:00Z", last: "2026-03-06T00:00:00Z", errorCodes: { "protocol TLS 1.0": 1 } },
      ],
      insecureBindClients: [
        { service: "NTDS", ip: "10.0.0.5", port: 51999, identity: "EXAMPLE\\svc-app", bindType: "simple", bindTypeCode: 1, count: 2, first: "2026-03-08T00:00:00Z", last: "2026-03-09T00:00:00Z" },
        { service: "ADAM_Inst1", ip: "10.9.9.9", identity: "CN=x", bindType: "simple", count: 5 },
      ],
    },
    clients: clientsEvidence(),
    ...patch,
  };
}

const hardened = loadProfile("hardened");
const baseline = loadProfile("baseline");
const e06 = hardened.controls.find((c) => c.meta.id === "LDAPS-E06")!;

function factsOf(s: Snapshot) {
  expect(validatorFor(SNAPSHOT_SCHEMA_ID)(s)).toBe(true);
  const all = deriveFacts(s, { now: NOW });
  const validate = validatorFor(FACTS_SCHEMA_ID);
  for (const f of all) {
    if (!validate(f)) throw new Error(JSON.stringify(validate.errors, null, 1));
  }
  return all[0];
}

describe("client facts", () => {
  test("E06 is in both shipped profiles, advisory, host scope", () => {
    expect(baseline.controls.map((c) => c.meta.id)).toContain("LDAPS-E06");
    expect(e06.meta).toMatchObject({ scope: "host", advisory: true, severity: "medium" });
  });

  test("merges connection table, firewall log, 2889 and reverse DNS per IP; other ports and services stay out", () => {
    const c = factsOf(snap()).clients!;
    expect(c.ports).toEqual([636, 3269]);
    expect(c.sources).toEqual({ connectionTable: "read", firewallLog: "read", events2889: "read", schannel: "read" });
    expect(c.clients).toEqual([
      {
        ip: "10.0.0.7", name: "app1.example.test", ports: [636, 3269], count: 14,
        first: "2026-03-04T08:00:00.000Z", last: "2026-03-10T12:00:00.000Z",
        evidence: ["connection-table", "firewall-log"],
        connections: { count: 2, states: ["SynReceived"] }, firewall: { count: 12, allow: 10, drop: 2 }, insecureBinds: null, ldaps: true,
      },
      {
        ip: "fe80::a", name: null, ports: [3269], count: 1, first: "2026-03-08T00:00:00.000Z", last: "2026-03-08T00:00:00.000Z",
        evidence: ["firewall-log"], connections: null, firewall: { count: 1, allow: 1, drop: 0 }, insecureBinds: null, ldaps: true,
      },
      {
        ip: "10.0.0.5", name: null, ports: [], count: 2, first: "2026-03-08T00:00:00Z", last: "2026-03-09T00:00:00Z",
        evidence: ["event-2889"], connections: null, firewall: null, insecureBinds: { count: 2, identities: ["EXAMPLE\\svc-app"], bindTypes: ["simple"] }, ldaps: false,
      },
    ]);
    expect(c).toMatchObject({ clientCount: 3, ldapsClientCount: 2, insecureClientCount: 1, missingEvidence: [], missingEvidenceCount: 0, certificateQualifies: false, ldapsEvidence: true });
    expect(c.handshakeFailures).toEqual({
      count: 6, first: "2026-03-05T00:00:00Z", last: "2026-03-09T00:00:00Z", eventLogging: 1,
      details: { "36874 protocol tls 1.0": 1, "36888 alert 40 state 1205": 5 },
    });
    expect(c.clientList[0]).toBe("10.0.0.7 (app1.example.test) 636,3269 x14 [connection-table, firewall-log]");
  });

  test("IPv4-mapped IPv6 and the firewall log's plain IPv4 are one client", () => {
    const s = snap({
      clients: clientsEvidence({
        connections: { available: true, entries: [{ remoteAddress: "::ffff:10.0.0.7", localPort: 3269, state: "Established", count: 1 }] },
      }),
    });
    const c = factsOf(s).clients!;
    expect(c.clients.filter((r) => r.ip === "10.0.0.7")).toHaveLength(1);
    expect(c.clients[0].ports).toEqual([636, 3269]);
  });

  test("an AD LDS target sees only its own SSL port and its own 2889 clients", () => {
    const s = snap({
      host: { fqdn: "lds1.example.test", domainRole: 3, isDomainController: false, adldsInstances: [{ name: "Inst1", serviceName: "ADAM_Inst1", sslPort: 50636 }] },
      stores: [{ name: "ADAM_Inst1\\My", certificates: [] }, { name: "LocalMachine\\My", certificates: [] }],
      clients: clientsEvidence({
        ports: [50636],
        connections: { available: true, entries: [{ remoteAddress: "10.1.1.1", localPort: 50636, state: "Established", count: 3 }] },
        firewallLog: { enabled: false, available: false, sources: [] },
      }),
    });
    const c = factsOf(s).clients!;
    expect(c.ports).toEqual([50636]);
    expect(c.clients.map((r) => [r.ip, r.ports])).toEqual([["10.1.1.1", [50636]], ["10.9.9.9", []]]);
  });

  test("no client evidence at all (probe-only or preflight snapshot): clients is null", () => {
    const s = snap({ events: undefined, clients: undefined, registry: undefined });
    expect(factsOf(s).clients).toBeNull();
  });
});

type Row = [string, Partial<Snapshot>, string, RegExp | null, string[]];
// [name, patch, E06 status, message pattern, missing-evidence settings (substrings, in order)]
const FW_OFF = { enabled: false, logAllowed: false, logBlocked: false, available: false, path: null, sources: [] };
const rows: Row[] = [
  ["warn: clients try LDAPS while nothing qualifies", {}, "warn", /^no certificate qualifies for LDAPS .*2 client\(s\) tried LDAPS \(636\/3269\) over 7 days: 10\.0\.0\.7 \(app1\.example\.test\) 636,3269 x14/, []],
  [
    "pass: no client seen and all evidence on",
    { clients: clientsEvidence({ connections: { available: true, entries: [] }, firewallLog: { ...clientsEvidence().firewallLog!, sources: [] } }), events: { ...snap().events!, insecureBindClients: [] } },
    "pass", /^no client was seen trying LDAPS \(636\/3269\) in the connection table or firewall log; 6 Schannel handshake failure/, [],
  ],
  [
    "warn: no client seen, but firewall logging is off: names the setting instead of 'no clients'",
    { clients: clientsEvidence({ connections: { available: true, entries: [] }, firewallLog: FW_OFF }) },
    "warn", /no client was seen .* in the connection table; .*to see more, turn on: Windows Firewall log of allowed connections .*Log successful connections = Yes \(LogAllowed = True\)/,
    ["LogAllowed = True"],
  ],
  [
    "warn: only dropped connections are logged",
    { clients: clientsEvidence({ connections: { available: true, entries: [] }, firewallLog: { ...clientsEvidence().firewallLog!, logAllowed: false, sources: [] } }) },
    "warn", /only dropped connections are logged now/, ["LogAllowed = True"],
  ],
  [
    "skip: no connection table and no firewall log: every setting to turn on is named",
    {
      clients: clientsEvidence({ connections: { available: false, error: "Access is denied.", entries: [] }, firewallLog: FW_OFF }),
      registry: { ntds: { ldapInterfaceEventsLevel: 0 }, schannel: { EventLogging: 0 } },
    },
    "skip", /^no evidence of which clients try LDAPS was collected; turn on: Windows Firewall log .*LogAllowed = True\), TCP connection table .*, event 2889 .*16 LDAP Interface Events = 2, Schannel handshake failures .*EventLogging = 7/,
    ["LogAllowed = True", "NetTCPIP", "Services\\NTDS\\Diagnostics\\16 LDAP Interface Events = 2", "SCHANNEL EventLogging = 7"],
  ],
  [
    "firewall log unreadable: says to run elevated",
    { clients: clientsEvidence({ firewallLog: { enabled: true, logAllowed: true, available: false, error: "Access to the path is denied.", path: "C:\\fw.log", sources: [] } }) },
    "warn", /2 client\(s\)|1 client\(s\)/, ["run the collector elevated"],
  ],
  [
    "Schannel error logging off (bit 0x1 clear) while EventLogging is 4",
    { registry: { ntds: { ldapInterfaceEventsLevel: 2 }, schannel: { EventLogging: 4 } } },
    "warn", /EventLogging = 7 \(at least bit 0x1, errors; now 4\)/, ["SCHANNEL EventLogging = 7"],
  ],
  [
    "old snapshot without a clients part: asks for a collection with this collector",
    { clients: undefined },
    "skip", /turn on: connection table and firewall log for 636\/3269: client evidence gathered on the host/, ["client evidence gathered on the host"],
  ],
];

describe("LDAPS-E06 and missing evidence", () => {
  test.each(rows)("%s", (_name, patch, status, message, settings) => {
    const facts = factsOf(snap(patch));
    const r = evaluateControl(e06, facts);
    expect(r.status).toBe(status);
    if (message) expect(r.message).toMatch(message);
    expect(facts.clients!.missingEvidence.map((m) => m.setting)).toHaveLength(settings.length);
    settings.forEach((s, i) => expect(`${facts.clients!.missingEvidence[i].setting} ${facts.clients!.missingEvidence[i].what}`).toContain(s));
    for (const m of facts.clients!.missingEvidence) expect(m.how.length).toBeGreaterThan(0);
  });

  test("pass: a qualifying certificate exists (healthy example): clients listed, nothing to fix", () => {
    const healthy = readSnapshot(join(__dirname, "..", "..", "examples", "healthy-dc.snapshot.json")).snapshot;
    const facts = deriveFacts({ ...healthy, clients: clientsEvidence() }, { now: new Date("2026-11-24T00:00:00Z") })[0];
    expect(facts.clients!.certificateQualifies).toBe(true);
    const r = evaluateControl(e06, facts);
    expect(r.status).toBe("pass");
    expect(r.message).toMatch(/^2 client\(s\) tried LDAPS \(636\/3269\) over 7 days: 10\.0\.0\.7 \(app1\.example\.test\)/);
  });

  test("the no-evidence skip still yields a non-empty missing list: never 'zero clients'", () => {
    const facts = factsOf(snap({ clients: clientsEvidence({ connections: { available: false, entries: [] }, firewallLog: FW_OFF }) }));
    const r = evaluateControl(e06, facts);
    expect(r.status).toBe("skip");
    expect(r.message).not.toMatch(/no client was seen/);
    expect(facts.clients!.summary).toMatch(/is unknown/);
  });
});

describe("report", () => {
  test("JSON carries the clients facts; the text report shows the client table and the missing-evidence advice", () => {
    const facts = deriveFacts(snap({ registry: { ntds: { ldapInterfaceEventsLevel: 0 }, schannel: { EventLogging: 1 } } }), { now: NOW });
    const report = buildReport({
      targets: facts.map((f) => ({ facts: f, evaluation: evaluateTarget(f, hardened.controls), snapshot: "dc1.snapshot.json" })),
      profile: hardened, waivers: [], now: NOW, inputs: [],
    });
    const validate = validatorFor(REPORT_SCHEMA_ID);
    if (!validate(reportDocument(report))) throw new Error(JSON.stringify(validate.errors, null, 1));
    expect(report.targets[0].facts.clients!.ldapsClientCount).toBe(2);
    const text = renderText(report);
    const lines = text.split("\n");
    const at = lines.findIndex((l) => l.startsWith("  Clients trying LDAPS (636, 3269; last 7 days):"));
    expect(at).toBeGreaterThan(lines.findIndex((l) => l.startsWith("  Certificates:")));
    expect(lines[at + 1]).toMatch(/^ {4}IP +Name +Port +Count +First \(UTC\) +Last \(UTC\) +Evidence$/);
    expect(lines[at + 2]).toMatch(/^ {4}10\.0\.0\.7 +app1\.example\.test +636,3269 +14 +2026-03-04 08:00 +2026-03-10 12:00 +connection-table, firewall-log$/);
    expect(lines[at + 3]).toMatch(/^ {4}fe80::a +- +3269 +1 +2026-03-08 00:00/);
    expect(lines[at + 4]).toMatch(/^ {4}10\.0\.0\.5 +- +LDAP \(no TLS\) +2 .*event-2889 \(simple bind as EXAMPLE\\svc-app\)$/);
    expect(text).toContain("Schannel handshake failures on the host (any TLS service, no client address): 6 (36874 protocol tls 1.0 x1, 36888 alert 40 state 1205 x5)");
    expect(text).toContain("    Missing evidence, turn on:\n    - event 2889 (each client binding without TLS or signing, with IP and account): HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics\\16 LDAP Interface Events = 2\n        reg add ");
    expect(text).toMatch(/WARN {3}LDAPS-E06 +Clients attempt LDAPS while no qualifying certificate exists/);
  });
});
