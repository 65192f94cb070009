// Test table for LDAPS-N07: schemas/controls/LDAPS-N07.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-N07", {
  valid: [
    { name: "StartTLS works with the same certificate", facts: {} },
    { name: "389 not probed: skip", facts: { network: { starttls: null } }, status: "skip" },
  ],
  invalid: [
    { name: "StartTLS refused", facts: { network: { starttls: { handshake: false, failure: { kind: "starttls-refused", stage: "starttls", message: "the server refused StartTLS", code: "ldap-2" } } } } },
    { name: "another certificate on 389", facts: { network: { starttls: { sameCertificateAsLdaps: false } } }, message: /same certificate as LDAPS: false/ },
  ],
});
