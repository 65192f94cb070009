// Event and registry facts and their controls, table-driven: snapshot fragment -> expected control status.
import { deriveFacts } from "../../lib/facts";
import { eventFacts } from "../../lib/facts/events";
import { configFacts } from "../../lib/facts/config";
import type { CertificateFacts } from "../../lib/facts/types";
import { evaluateControl } from "../../lib/profile/evaluate";
import { loadProfile } from "../../lib/profile/load";
import { FACTS_SCHEMA_ID, SNAPSHOT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import type { Snapshot } from "../../lib/snapshot";

const NOW = new Date("2026-03-10T12:00:00Z");
const DS = "Directory Service";

function snap(patch: Partial<Snapshot> = {}): Snapshot {
  return {
    schemaVersion: 1,
    host: { fqdn: "dc1.example.test", domainRole: 5, isDomainController: true, certSvcInstalled: false },
    registry: { ntds: { LDAPServerIntegrity: 2, LdapEnforceChannelBinding: 2, ldapInterfaceEventsLevel: 2 }, schannel: { EventLogging: 1 } },
    events: {
      windowStart: "2026-03-03T12:00:00Z", windowEnd: "2026-03-10T12:00:00Z", maxEvents: 5000, truncated: false,
      logs: [{ log: DS, service: "NTDS", available: true, error: null }, { log: "System", service: null, available: true, error: null }],
      summary: [], insecureBindClients: [],
    },
    ...patch,
  };
}

const events = (summary: NonNullable<Snapshot["events"]>["summary"], clients: NonNullable<Snapshot["events"]>["insecureBindClients"] = []) =>
  ({ ...snap().events!, summary, insecureBindClients: clients });

const e1220 = { log: DS, service: "NTDS", id: 1220, count: 3, first: "2026-03-04T00:00:00Z", last: "2026-03-09T00:00:00Z", errorCodes: { "0x8009030e": 3 } };

const hardened = loadProfile("hardened");
const control = (id: string) => {
  const c = hardened.controls.find((x) => x.meta.id === id);
  if (!c) throw new Error(`${id} is not in the hardened profile`);
  return c;
};

type Row = [string, string, Partial<Snapshot>, string, RegExp | null];
const rows: Row[] = [
  ["E01 pass: no 1220", "LDAPS-E01", {}, "pass", null],
  ["E01 fail: 1220 in the window", "LDAPS-E01", { events: events([e1220]) }, "fail", /3 event\(s\) 1220 in Directory Service .*0x8009030e/],
  ["E01 skip: Directory Service log missing", "LDAPS-E01", { events: { ...events([]), logs: [{ log: DS, service: "NTDS", available: false, error: "no such log" }] } }, "skip", /no such log/],
  ["E01 skip: no event evidence", "LDAPS-E01", { events: undefined }, "skip", null],
  ["E01 pass: 1220 only in an AD LDS log", "LDAPS-E01", { events: events([{ ...e1220, log: "ADAM (Inst1)", service: "ADAM_Inst1" }]) }, "pass", null],
  ["E02 fail: 36886", "LDAPS-E02", { events: events([{ log: "System", service: null, id: 36886, count: 4, last: "2026-03-09T00:00:00Z" }]) }, "fail", /4 Schannel 36886/],
  ["E02 pass", "LDAPS-E02", {}, "pass", null],
  ["E03 fail: 36870 with its code", "LDAPS-E03", { events: events([{ log: "System", service: null, id: 36870, count: 1, errorCodes: { "0x8009030D": 1 } }]) }, "fail", /0x8009030d/],
  ["E03 skip: System log unread", "LDAPS-E03", { events: { ...events([]), logs: [{ log: DS, service: "NTDS", available: true }, { log: "System", available: false, error: "denied" }] } }, "skip", null],
  ["E04 pass: no 2887/2889", "LDAPS-E04", {}, "pass", null],
  [
    "E04 fail: lists 2889 clients", "LDAPS-E04",
    {
      events: events(
        [{ log: DS, service: "NTDS", id: 2887, count: 2, insecureSimpleBinds: 7, unsignedSaslBinds: 3 }],
        [
          { service: "NTDS", ip: "10.0.0.5", port: 51999, identity: "EXAMPLE\\svc-app", bindType: "simple", bindTypeCode: 1, count: 2 },
          { service: "NTDS", ip: "fe80::1", identity: "EXAMPLE\\legacy", bindType: "unsigned-sasl", bindTypeCode: 0, count: 1 },
          { service: "ADAM_Inst1", ip: "10.9.9.9", identity: "CN=x", bindType: "simple", count: 5 },
        ],
      ),
    },
    "fail", /7 clear-text simple and 3 unsigned SASL .*2 client\(s\) named by 2889: 10\.0\.0\.5 EXAMPLE\\svc-app simple x2, fe80::1 EXAMPLE\\legacy unsigned-sasl x1$/,
  ],
  ["E05 pass: level 2", "LDAPS-E05", {}, "pass", null],
  ["E05 warn (advisory): level unset", "LDAPS-E05", { registry: { ntds: { LDAPServerIntegrity: 2 } } }, "warn", /is 0/],
  ["E05 skip: registry not read", "LDAPS-E05", { registry: undefined }, "skip", null],
  ["G01 pass: LDAPServerIntegrity 2", "LDAPS-G01", {}, "pass", null],
  ["G01 fail: LDAPServerIntegrity 1", "LDAPS-G01", { registry: { ntds: { LDAPServerIntegrity: 1 } } }, "fail", /LDAPServerIntegrity = 1/],
  ["G01 fail: not configured (default 1)", "LDAPS-G01", { registry: { ntds: {} } }, "fail", /default/],
  ["G01 pass: Server 2025 enforcement wins over LDAPServerIntegrity 1", "LDAPS-G01", { registry: { ntds: { LDAPServerIntegrity: 1, LDAPServerEnforceIntegrity: 1 } } }, "pass", null],
  ["G01 fail: Server 2025 enforcement 0 wins over LDAPServerIntegrity 2", "LDAPS-G01", { registry: { ntds: { LDAPServerIntegrity: 2, LDAPServerEnforceIntegrity: 0 } } }, "fail", null],
  ["G02 pass (hardened needs 2)", "LDAPS-G02", {}, "pass", null],
  ["G02 fail in hardened: when supported (1)", "LDAPS-G02", { registry: { ntds: { LdapEnforceChannelBinding: 1 } } }, "fail", /1 \(when supported\)/],
  ["G02 fail: absent = never", "LDAPS-G02", { registry: { ntds: {} } }, "fail", /0 \(never\)/],
  ["G03 pass: no CertSvc", "LDAPS-G03", {}, "pass", null],
  ["G03 fail: CertSvc installed", "LDAPS-G03", { host: { fqdn: "dc1.example.test", domainRole: 5, certSvcInstalled: true } }, "fail", null],
  ["G03 skip: unknown", "LDAPS-G03", { host: { fqdn: "dc1.example.test", domainRole: 5 } }, "skip", null],
];

describe("event and config controls", () => {
  test.each(rows)("%s", (_name, id, patch, status, message) => {
    const s = snap(patch);
    expect(validatorFor(SNAPSHOT_SCHEMA_ID)(s)).toBe(true);
    const [facts] = deriveFacts(s, { now: NOW });
    const v = validatorFor(FACTS_SCHEMA_ID);
    expect(v(facts) ? [] : v.errors).toEqual([]);
    const r = evaluateControl(control(id), facts);
    expect({ id: r.id, status: r.status }).toEqual({ id, status });
    if (message) expect(r.message).toMatch(message);
  });

  test("baseline carries E01-E03, E06 and hardened E01-E06 and G01-G05; baseline's G02 threshold is 1", () => {
    const ids = (p: string) => loadProfile(p).controls.map((c) => c.meta.id).filter((i) => /^LDAPS-[EG]/.test(i)).sort();
    expect(ids("baseline")).toEqual(["LDAPS-E01", "LDAPS-E02", "LDAPS-E03", "LDAPS-E06"]);
    expect(ids("hardened")).toEqual(["LDAPS-E01", "LDAPS-E02", "LDAPS-E03", "LDAPS-E04", "LDAPS-E05", "LDAPS-E06", "LDAPS-G01", "LDAPS-G02", "LDAPS-G03", "LDAPS-G04", "LDAPS-G05"]);
  });
});

describe("eventFacts", () => {
  const target = { host: "dc1", fqdn: "dc1", service: "NTDS", kind: "adds" as const, instance: null, serviceAccount: "NT AUTHORITY\\SYSTEM", serviceStore: "NTDS\\My", isGlobalCatalog: null, certSvcInstalled: null, eventLog: DS };
  const cert = (notBefore: string) => ({ predicted: true, source: "store", validity: { notBefore } }) as unknown as CertificateFacts;

  test("E01 clears when every 1220 predates the predicted certificate", () => {
    const s = snap({ events: events([e1220]) });
    const cleared = eventFacts(s, target, NOW, [cert("2026-03-09T06:00:00Z")])!;
    expect(cleared.directoryService1220).toMatchObject({ count: 3, certificateNotBefore: "2026-03-09T06:00:00Z", clearedByCertificate: true });
    const [facts] = deriveFacts(s, { now: NOW });
    const r = evaluateControl(control("LDAPS-E01"), { ...facts, events: cleared });
    expect(r.status).toBe("pass");
    const stillFailing = eventFacts(s, target, NOW, [cert("2026-03-05T00:00:00Z")])!;
    expect(stillFailing.directoryService1220.clearedByCertificate).toBe(false);
  });

  test("facts are null without event evidence, and AD LDS targets read their own log and registry", () => {
    expect(eventFacts(snap({ events: undefined }), target, NOW)).toBeNull();
    const adlds = { ...target, service: "ADAM_Inst1", kind: "adlds" as const, instance: "Inst1", eventLog: "ADAM (Inst1)" };
    const s = snap({
      registry: { ntds: { LDAPServerIntegrity: 2 }, adlds: { Inst1: { LDAPServerIntegrity: 1 } } },
      events: { ...events([{ ...e1220, log: "ADAM (Inst1)", service: "ADAM_Inst1" }]), logs: [{ log: "ADAM (Inst1)", service: "ADAM_Inst1", available: true }] },
    });
    expect(eventFacts(s, adlds, NOW)!.directoryService1220.count).toBe(3);
    expect(eventFacts(s, target, NOW)!.logAvailable).toBe(false);
    expect(configFacts(s, adlds)).toMatchObject({ service: "ADAM_Inst1", LDAPServerIntegrity: 1, signingRequired: false });
    expect(configFacts(s, target)).toMatchObject({ service: "NTDS", signingRequired: true });
  });
});
