// Test table for LDAPS-N05: schemas/controls/LDAPS-N05.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-N05", {
  valid: [
    { name: "rootDSE read and bind succeeded", facts: {} },
    { name: "no handshake: skip", facts: { network: { ldaps: { handshake: false } } }, status: "skip" },
  ],
  invalid: [
    { name: "bind failed", facts: { network: { ldaps: { ldapOk: false, ldap: { bindOk: false, bindError: "49: invalid credentials" } } } } },
    { name: "bind skipped: warn", facts: { network: { ldaps: { ldap: { bindAttempted: false, bindOk: null, bindSkippedReason: "not sending credentials to an unverified server" } } } }, status: "warn" },
  ],
});
