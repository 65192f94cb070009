// Test table for LDAPS-G04: schemas/controls/LDAPS-G04.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";
import { verdict } from "../readiness/verdict";

const signing = (v: Parameters<typeof verdict>[1], summary: string, extra = {}) => ({ clients: { readiness: { signing: verdict("LDAP signing required", v, summary, extra) } } });
const client = { ip: "10.0.4.21", port: 50112, identity: "CORP\\svc-hr-sync", reason: "simple bind without TLS", events: [2889], count: 212, first: null, last: null };
const level = { what: "events 2889 naming each client (logged only at diagnostics level 2; it is 0)", setting: "HKLM\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics\\16 LDAP Interface Events = 2", how: "reg add ..." };

testControl("LDAPS-G04", {
  valid: [
    { name: "evidence collected, no client would break: yes", facts: signing("yes", "safe to require LDAP signing: yes — no client bound without signing or TLS over 7 days"), message: /: yes — no client/ },
    { name: "already required in the registry: not applicable, passes", facts: signing("not-applicable", "safe to require LDAP signing: already enforced (registry LDAPServerIntegrity = 2)"), message: /already enforced/ },
    { name: "no event evidence for the service (clients facts null): skip", facts: { clients: null }, status: "skip", message: /no event evidence/ },
  ],
  invalid: [
    {
      name: "2889 names a client that binds without TLS (advisory: warn, with the client)",
      facts: signing("no", "safe to require LDAP signing: no — 1 client(s) would break: 10.0.4.21 (CORP\\svc-hr-sync, simple bind without TLS) x212", { breakingClients: [client], breakingClientCount: 1, evidenceCollected: true }),
      status: "warn",
      message: /no — 1 client\(s\) would break: 10\.0\.4\.21 \(CORP\\svc-hr-sync, simple bind without TLS\)/,
    },
    {
      name: "2887 counts insecure binds but 2889 is off: no, clients not named",
      facts: signing("no", "safe to require LDAP signing: no — 2887 counted 40 bind(s) without signing or TLS, from clients not named", { unnamedBreakingBinds: 40, missingEvidence: [level], missingEvidenceList: [`${level.what}: ${level.setting}`] }),
      status: "warn",
      message: /2887 counted 40/,
    },
    {
      name: "diagnostics level 0 and nothing counted: unknown, never '0 clients' (warn, names the setting)",
      facts: signing("unknown", `safe to require LDAP signing: unknown — the evidence that would name breaking clients is missing: ${level.what}: ${level.setting}`, { missingEvidence: [level], missingEvidenceList: [`${level.what}: ${level.setting}`] }),
      status: "warn",
      message: /unknown — .*16 LDAP Interface Events = 2/,
    },
  ],
});
