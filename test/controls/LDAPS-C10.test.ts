// Test table for LDAPS-C10: schemas/controls/LDAPS-C10.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C10", {
  valid: [
    { name: "SHA-256", facts: {} },
    { name: "RSASSA-PSS (hash in parameters)", facts: { signature: { algorithm: "RSASSA-PSS", hash: null } } },
  ],
  invalid: [
    { name: "SHA-1", facts: { signature: { algorithm: "sha1WithRSAEncryption", hash: "SHA-1" } }, message: /weak hash SHA-1/ },
    { name: "MD5", facts: { signature: { algorithm: "md5WithRSAEncryption", hash: "MD5" } } },
  ],
});
