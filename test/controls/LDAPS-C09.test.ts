// Test table for LDAPS-C09: schemas/controls/LDAPS-C09.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C09", {
  valid: [
    { name: "RSA 3072 in hardened", facts: { publicKey: { bits: 3072 } } },
    { name: "RSA 2048 in baseline", facts: {}, profile: "baseline" },
    { name: "EC P-256", facts: { publicKey: { algorithm: "EC", bits: 256, curve: "P-256" } } },
  ],
  invalid: [
    { name: "RSA 2048 fails hardened (3072)", facts: {}, message: /weak or unsupported key: RSA 2048 bits/ },
    { name: "RSA 1024 warns in baseline (advisory)", facts: { publicKey: { bits: 1024 } }, profile: "baseline", status: "warn" },
    { name: "EC P-192", facts: { publicKey: { algorithm: "EC", bits: 192, curve: "P-192" } } },
    { name: "Ed25519: Schannel cannot serve it", facts: { publicKey: { algorithm: "Ed25519", bits: 256, curve: null } } },
    { name: "RSA with unknown size (malformed key)", facts: { publicKey: { bits: null } } },
  ],
});
