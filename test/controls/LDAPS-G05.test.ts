// Test table for LDAPS-G05: schemas/controls/LDAPS-G05.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";
import { verdict } from "../readiness/verdict";

const cb = (v: Parameters<typeof verdict>[1], summary: string, extra = {}) => ({ clients: { readiness: { channelBinding: verdict("LDAP channel binding always", v, summary, extra) } } });
const client = (ip: string, eventId: number, reason: string) => ({ ip, port: 49800, identity: "CORP\\svc-vpn", reason, events: [eventId], count: 20, first: null, last: null });
const policy = { what: "audit events 3074/3075 ...", setting: "HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters\\LdapEnforceChannelBinding = 1", how: "reg add ..." };

testControl("LDAPS-G05", {
  valid: [
    { name: "audit evidence collected, no client would fail: yes", facts: cb("yes", "safe to enforce LDAP channel binding (always): yes — no LDAPS client failed or would fail"), message: /: yes/ },
    { name: "LdapEnforceChannelBinding = 2 already: not applicable, passes", facts: cb("not-applicable", "safe to enforce LDAP channel binding (always): already enforced (registry LdapEnforceChannelBinding = 2)"), message: /already enforced/ },
    { name: "no event evidence for the service: skip", facts: { clients: null }, status: "skip" },
  ],
  invalid: [
    {
      name: "3074 names a client that would fail validation (advisory: warn, with the client)",
      facts: cb("no", "safe to enforce LDAP channel binding (always): no — 1 client(s) would break: 10.0.5.12 (CORP\\svc-vpn, would fail channel-binding validation (3074)) x20", { breakingClients: [client("10.0.5.12", 3074, "would fail channel-binding validation (3074)")], breakingClientCount: 1, evidenceCollected: true }),
      status: "warn",
      message: /10\.0\.5\.12 \(CORP\\svc-vpn, would fail channel-binding validation \(3074\)\)/,
    },
    {
      name: "3039 names a client whose bind failed (warn)",
      facts: cb("no", "safe to enforce LDAP channel binding (always): no — 1 client(s) would break: 10.0.5.13 (CORP\\svc-vpn, failed channel-binding validation (3039)) x20", { breakingClients: [client("10.0.5.13", 3039, "failed channel-binding validation (3039)")], breakingClientCount: 1 }),
      status: "warn",
      message: /3039/,
    },
    {
      name: "policy 'Never': the audit events are not logged, so unknown (warn, names LdapEnforceChannelBinding = 1)",
      facts: cb("unknown", `safe to enforce LDAP channel binding (always): unknown — the evidence that would name breaking clients is missing: ${policy.what}: ${policy.setting}`, { missingEvidence: [policy], missingEvidenceList: [`${policy.what}: ${policy.setting}`] }),
      status: "warn",
      message: /unknown — .*LdapEnforceChannelBinding = 1/,
    },
  ],
});
