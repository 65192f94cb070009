// lib/facts/readiness.ts: "which clients break if I enforce?". A table over the readiness example
// (examples/enforcement-readiness.snapshot.json) changed one fact at a time: every row derives the whole facts
// document (validated against facts.schema.json) and checks the verdict, the clients and the missing evidence.
// "yes" only when the evidence that would show breakage was logged and read completely; never "0 clients".
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { deriveFacts } from "../../lib/facts";
import type { ReadinessFacts } from "../../lib/facts/types";
import { describeErrors, FACTS_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import type { Snapshot } from "../../lib/snapshot";

const NOW = new Date("2026-11-24T00:00:00Z");
const base = (): Snapshot => JSON.parse(readFileSync(join(__dirname, "..", "..", "examples", "enforcement-readiness.snapshot.json"), "utf8"));
const quiet = (s: Snapshot): Snapshot => {
  s.events!.summary = [];
  s.events!.insecureBindClients = [];
  s.events!.channelBindingClients = [];
  return s;
};

function readiness(s: Snapshot): ReadinessFacts {
  const facts = deriveFacts(s, { now: NOW });
  const v = validatorFor(FACTS_SCHEMA_ID);
  for (const f of facts) expect(v(f) ? "valid" : describeErrors(v.errors)).toBe("valid");
  return facts[0].clients!.readiness!;
}

type Row = [string, (s: Snapshot) => Snapshot, "signing" | "channelBinding", string, RegExp];
const rows: Row[] = [
  ["signing: 2889 clients -> no, with the clients", (s) => s, "signing", "no", /no — 2 client\(s\) would break: 10\.0\.4\.21 \(CORP\\svc-hr-sync, simple bind without TLS\) x212; 10\.0\.7\.40/],
  ["signing: quiet log at level 2, read completely -> yes", quiet, "signing", "yes", /: yes — no client bound without signing or TLS .* over 7 days/],
  ["signing: quiet log at level 0 -> unknown, names the diagnostics value", (s) => { quiet(s).registry!.ntds!.ldapInterfaceEventsLevel = 0; return s; }, "signing", "unknown", /unknown — .*it is 0\).*16 LDAP Interface Events = 2/],
  ["signing: level 0 but 2887 counted binds -> no, clients not named", (s) => { s.events!.insecureBindClients = []; s.registry!.ntds!.ldapInterfaceEventsLevel = 0; return s; }, "signing", "no", /2887 counted 247 bind\(s\) without signing or TLS, from clients not named; to see every client, turn on: .*16 LDAP Interface Events = 2/],
  ["signing: quiet but truncated -> unknown (older events not read)", (s) => { quiet(s).events!.truncated = true; return s; }, "signing", "unknown", /--max-events 5000/],
  ["signing: quiet but the directory log could not be read -> unknown", (s) => { quiet(s).events!.logs![0] = { log: "Directory Service", service: "NTDS", available: false, error: "Access is denied" }; return s; }, "signing", "unknown", /the Directory Service event log: read access to the log/],
  ["signing: LDAPServerIntegrity = 2 -> not applicable", (s) => { s.registry!.ntds!.LDAPServerIntegrity = 2; return s; }, "signing", "not-applicable", /already enforced \(registry LDAPServerIntegrity = 2\)/],
  ["signing: Server 2025 LDAPServerEnforceIntegrity = 1 -> not applicable", (s) => { s.registry!.ntds!.LDAPServerEnforceIntegrity = 1; return s; }, "signing", "not-applicable", /LDAPServerEnforceIntegrity = 1/],
  ["signing: the wire says strongerAuthRequired -> not applicable", (s) => { s.network = { endpoints: [], enforcement: { signing: { port: 389, answer: { resultCode: 8, diagnosticMessage: null, error: null } } } } as unknown as Snapshot["network"]; return s; }, "signing", "not-applicable", /on the wire/],
  ["signing: a client beyond the cap keeps the verdict no", (s) => { quiet(s).events!.clientsDropped = [{ service: "NTDS", eventId: 2889, events: 3 }]; return s; }, "signing", "no", /3 more event\(s\) of clients beyond the collector's per-event cap/],
  ["channel binding: 3039/3074/3075 clients -> no, with the clients", (s) => s, "channelBinding", "no", /no — 3 client\(s\) would break: 10\.0\.9\.77 \(CORP\\svc-wiki, sent no channel-binding token \(3075\)\) x96/],
  ["channel binding: quiet, When supported, level 2, Server 2022 -> yes", quiet, "channelBinding", "yes", /: yes — no LDAPS client failed or would fail/],
  ["channel binding: policy Never -> unknown, names LdapEnforceChannelBinding = 1", (s) => { quiet(s).registry!.ntds!.LdapEnforceChannelBinding = 0; return s; }, "channelBinding", "unknown", /it is never\).*LdapEnforceChannelBinding = 1/],
  ["channel binding: Windows Server 2019 has no 3074/3075 -> unknown", (s) => { quiet(s).host.osVersion = "10.0.17763"; return s; }, "channelBinding", "unknown", /build 17763 does not log/],
  ["channel binding: OS version not collected -> unknown", (s) => { delete quiet(s).host.osVersion; return s; }, "channelBinding", "unknown", /the Windows build/],
  ["channel binding: level 0 (3039 not logged) -> unknown", (s) => { quiet(s).registry!.ntds!.ldapInterfaceEventsLevel = 0; return s; }, "channelBinding", "unknown", /events 3039 naming each client/],
  ["channel binding: 3040 counted unprotected binds, nobody named -> no", (s) => { quiet(s).events!.summary = [{ log: "Directory Service", service: "NTDS", id: 3040, count: 2, unprotectedBinds: 17 }]; return s; }, "channelBinding", "no", /3040 reported 17 LDAPS bind\(s\) without channel-binding validation, from clients not named/],
  ["channel binding: 3040 whose count field is not a number still says no (its events count)", (s) => { quiet(s).events!.summary = [{ log: "Directory Service", service: "NTDS", id: 3040, count: 2, unprotectedBinds: 0 }]; return s; }, "channelBinding", "no", /3040 reported 2 /],
  ["channel binding: LdapEnforceChannelBinding = 2 -> not applicable", (s) => { s.registry!.ntds!.LdapEnforceChannelBinding = 2; return s; }, "channelBinding", "not-applicable", /already enforced \(registry LdapEnforceChannelBinding = 2\)/],
  ["channel binding: registry not read -> unknown, says so", (s) => { delete quiet(s).registry; return s; }, "channelBinding", "unknown", /LdapEnforceChannelBinding\), which decides/],
];

test.each(rows)("%s", (_name, change, which, want, summary) => {
  const v = readiness(change(base()))[which];
  expect(v.verdict).toBe(want);
  expect(v.summary).toMatch(summary);
  if (want === "yes") expect(v.missingEvidence).toEqual([]);
  if (want === "unknown") {
    expect(v.missingEvidence.length).toBeGreaterThan(0);
    expect(v.summary).not.toMatch(/\b0 client/);
  }
});

test("clients of another service (an AD LDS instance) do not count against NTDS", () => {
  const s = quiet(base());
  s.events!.channelBindingClients = [{ service: "ADAM_AppDir", eventId: 3074, ip: "10.0.0.9", identity: "CN=app", count: 1 }];
  s.events!.insecureBindClients = [{ service: "ADAM_AppDir", ip: "10.0.0.9", identity: "CN=app", bindType: "simple", count: 1 }];
  const r = readiness(s);
  expect([r.signing.verdict, r.channelBinding.verdict]).toEqual(["yes", "yes"]);
});

test("one client seen by 3039 and 3075 is one row with both reasons and events", () => {
  const s = quiet(base());
  s.events!.channelBindingClients = [
    { service: "NTDS", eventId: 3039, ip: "10.0.5.13", port: 1, identity: "CORP\\svc", count: 2, last: "2026-11-19T00:00:00Z" },
    { service: "NTDS", eventId: 3075, ip: "10.0.5.13", port: 2, identity: "corp\\SVC", count: 3, last: "2026-11-20T00:00:00Z" },
  ];
  const v = readiness(s).channelBinding;
  expect(v.breakingClients).toEqual([
    { ip: "10.0.5.13", port: 2, identity: "CORP\\svc", reason: "failed channel-binding validation (3039); sent no channel-binding token (3075)", events: [3039, 3075], count: 5, first: null, last: "2026-11-20T00:00:00Z" },
  ]);
});

test("an unreadable log says why in the missing evidence (the collector's error)", () => {
  const s = quiet(base());
  s.events!.logs![0] = { log: "Directory Service", service: "NTDS", available: false, error: "Access is denied" };
  expect(readiness(s).signing.missingEvidence[0]).toMatchObject({ what: "the Directory Service event log", how: "Access is denied" });
});
