// Test table for LDAPS-G01: schemas/controls/LDAPS-G01.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-G01", {
  valid: [
    { name: "signing required", facts: {} },
    { name: "registry not read: skip", facts: { config: { policyCollected: false } }, status: "skip" },
  ],
  invalid: [{ name: "signing not required", facts: { config: { LDAPServerIntegrity: 1, signingRequired: false } }, message: /LDAPServerIntegrity = 1/ }],
});
