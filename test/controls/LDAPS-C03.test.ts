// Test table for LDAPS-C03: schemas/controls/LDAPS-C03.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C03", {
  valid: [
    { name: "key present", facts: {} },
    { name: "key evidence unknown: skip", facts: { privateKey: { known: false, present: null, reason: "no key evidence" } }, status: "skip" },
  ],
  invalid: [
    { name: "no private key", facts: { privateKey: { present: false, readable: null, reason: "no private key is associated with the certificate" } }, message: /no private key/ },
    { name: "key belongs to another certificate", facts: { privateKey: { matchesCertificate: false, reason: "the key does not match the certificate" } } },
  ],
});
