// Test table for LDAPS-C10: schemas/controls/LDAPS-C10.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C10", {
  valid: [
    { name: "SHA-256", facts: {} },
    { name: "RSASSA-PSS with SHA-256 in its parameters", facts: { signature: { algorithm: "RSASSA-PSS with SHA-256", hash: "SHA-256" } } },
    { name: "EdDSA (no separate hash)", facts: { signature: { algorithm: "Ed25519", hash: null } } },
  ],
  invalid: [
    { name: "SHA-1", facts: { signature: { algorithm: "sha1WithRSAEncryption", hash: "SHA-1" } }, message: /weak hash SHA-1/ },
    { name: "MD5", facts: { signature: { algorithm: "md5WithRSAEncryption", hash: "MD5" } } },
    { name: "MD4", facts: { signature: { algorithm: "md4WithRSAEncryption", hash: "MD4" } } },
    { name: "RSASSA-PSS without parameters (RFC 4055: SHA-1)", facts: { signature: { algorithm: "RSASSA-PSS with SHA-1", hash: "SHA-1" } }, message: /weak hash SHA-1/ },
    { name: "the OIW sha1WithRSASignature OID", facts: { signature: { algorithm: "sha1WithRSASignature", hash: "SHA-1" } } },
  ],
});
