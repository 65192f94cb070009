// Test table for LDAPS-N06: schemas/controls/LDAPS-N06.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";
import { userProfile } from "./profiles";

// Hardened with C09 lowered back to 2048: one line in a user profile.
const rsa2048 = userProfile("hardened-rsa2048", [{ $ref: "https://ldaps-audit.dev/schemas/profiles/hardened.profile.json" }, { ldapsControl: { id: "LDAPS-C09" }, $defs: { rsaMinBits: { minimum: 2048 } } }]);

function tls13only(): string {
  return userProfile("tls13-only-gc", [
    { $ref: "https://ldaps-audit.dev/schemas/profiles/hardened.profile.json" },
    { ldapsControl: { id: "LDAPS-C09" }, $defs: { rsaMinBits: { minimum: 2048 } } },
    { ldapsControl: { id: "LDAPS-N04" }, $defs: { allowedProtocols: { enum: ["TLSv1.3"] } } },
  ]);
}

testControl("LDAPS-N06", {
  valid: [
    { name: "3269 works like 636 (baseline's C09)", facts: {}, profile: rsa2048 },
    { name: "not a Global Catalog: skip", facts: { network: { isGlobalCatalog: false } }, status: "skip" },
  ],
  invalid: [
    { name: "3269 refused", facts: { network: { gc: { handshake: false, certificate: null, protocol: null, failure: { kind: "refused", stage: "tcp", message: "connection refused", code: "ECONNREFUSED" } } } }, message: /refused/ },
    { name: "RSA 2048 on 3269 fails hardened's C09", facts: {}, message: /LDAPS-C09 weak or unsupported key/ },
    { name: "3269 negotiated TLS 1.1", facts: { network: { gc: { protocol: "TLSv1.1" } } }, profile: rsa2048 },
    { name: "3269 accepts TLS 1.0 offered alone", facts: { network: { gc: { acceptedVersions: ["TLSv1", "TLSv1.2", "TLSv1.3"] } } }, profile: rsa2048 },
    // One parameter, N04's, says which versions are acceptable on every LDAPS port.
    { name: "a TLS 1.3-only profile (N04's allowedProtocols) fails 3269 serving TLS 1.2", facts: { network: { gc: { protocol: "TLSv1.2" } } }, profile: tls13only() },
  ],
});
