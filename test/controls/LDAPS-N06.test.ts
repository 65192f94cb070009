// Test table for LDAPS-N06: schemas/controls/LDAPS-N06.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";
import { userProfile } from "./profiles";

// Hardened with C09 lowered back to 2048: one line in a user profile.
const rsa2048 = userProfile("hardened-rsa2048", [{ $ref: "https://ldaps-audit.dev/schemas/profiles/hardened.profile.json" }, { ldapsControl: { id: "LDAPS-C09" }, $defs: { rsaMinBits: { minimum: 2048 } } }]);

testControl("LDAPS-N06", {
  valid: [
    { name: "3269 works like 636 (baseline's C09)", facts: {}, profile: rsa2048 },
    { name: "not a Global Catalog: skip", facts: { network: { isGlobalCatalog: false } }, status: "skip" },
  ],
  invalid: [
    { name: "3269 refused", facts: { network: { gc: { handshake: false, certificate: null, protocol: null, modernProtocol: null, failure: { kind: "refused", stage: "tcp", message: "connection refused", code: "ECONNREFUSED" } } } }, message: /refused/ },
    { name: "RSA 2048 on 3269 fails hardened's C09", facts: {}, message: /LDAPS-C09 weak or unsupported key/ },
  ],
});
