// Test table for LDAPS-C13: schemas/controls/LDAPS-C13.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C13", {
  valid: [
    {
      name: "every element described and SHA-256",
      facts: { chain: { path: [0, 1, 2].map((i) => ({ thumbprint: String(i).repeat(40), subject: `CN=${i}`, notAfter: null, signature: { algorithm: "sha256WithRSAEncryption", hash: "SHA-256" } })) } },
      message: /each of the 3 certificates/,
    },
    { name: "the healthy example: Windows' chain with each element's DER, all SHA-256", facts: {}, message: /each of the 3 certificates of its chain/ },
    { name: "no chain built: skip", facts: { chain: { source: "none", trusted: null, path: [] } }, status: "skip" },
  ],
  invalid: [
    {
      name: "SHA-1 intermediate under a SHA-256 leaf",
      facts: { chain: { path: [{ thumbprint: "A".repeat(40), subject: "CN=leaf", notAfter: null, signature: { algorithm: "sha256WithRSAEncryption", hash: "SHA-256" } }, { thumbprint: "B".repeat(40), subject: "CN=issuing", notAfter: null, signature: { algorithm: "sha1WithRSAEncryption", hash: "SHA-1" } }] } },
      message: /\/chain\/path\/1\/signature\/hash/,
    },
    {
      name: "MD5 root",
      facts: { chain: { path: [{ thumbprint: "A".repeat(40), subject: "CN=leaf", notAfter: null, signature: { algorithm: "sha256WithRSAEncryption", hash: "SHA-256" } }, { thumbprint: "C".repeat(40), subject: "CN=root", notAfter: null, signature: { algorithm: "md5WithRSAEncryption", hash: "MD5" } }] } },
    },
    {
      name: "issuers named by thumbprint only (no DER in the evidence): warn, not pass",
      facts: { chain: { path: [{ thumbprint: "A".repeat(40), subject: "CN=leaf", notAfter: null, signature: { algorithm: "sha256WithRSAEncryption", hash: "SHA-256" } }, { thumbprint: "B".repeat(40), subject: "CN=issuing", notAfter: null, signature: null }] } },
      status: "warn",
      message: /not included in the evidence/,
    },
  ],
});
