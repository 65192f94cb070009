// Test table for LDAPS-N02: schemas/controls/LDAPS-N02.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-N02", {
  valid: [
    { name: "the presented certificate meets C01, C02, C06, C08, C09, C10 (baseline)", facts: {}, profile: "baseline", message: /^port 636 presents .*hold for it/ },
    { name: "no handshake: skip", facts: { network: { ldaps: { handshake: false, certificate: null } } }, profile: "baseline", status: "skip" },
  ],
  invalid: [
    { name: "RSA 2048 on the wire fails hardened's C09, so N02", facts: {}, message: /: LDAPS-C09 weak or unsupported key: RSA 2048 bits$/ },
    { name: "client rejected the chain (C08)", facts: { network: { ldaps: { certificate: { chain: { source: "client", trusted: false, reason: "the probing client rejected the chain: UNABLE_TO_VERIFY_LEAF_SIGNATURE" } } } } }, profile: "baseline", message: /LDAPS-C08 the probing client rejected the chain/ },
    { name: "SHA-1 signature (C10)", facts: { network: { ldaps: { certificate: { signature: { algorithm: "sha1WithRSAEncryption", hash: "SHA-1" } } } } }, profile: "baseline", message: /LDAPS-C10 signed with sha1WithRSAEncryption/ },
    { name: "Ed25519 key: hardened's C09 says Schannel cannot serve it, and so does N02", facts: { network: { ldaps: { certificate: { publicKey: { algorithm: "Ed25519", bits: 256, curve: null } } } } }, message: /LDAPS-C09/ },
    // C09 is advisory in baseline (a warning in the store), so on the wire it is a warning too: one meaning.
    { name: "Ed25519 key under baseline: C09 warns there, so N02 warns", facts: { network: { ldaps: { certificate: { publicKey: { algorithm: "Ed25519", bits: 256, curve: null } } } } }, profile: "baseline", status: "warn", message: /LDAPS-C09/ },
    { name: "RSA 1024 on the wire under baseline: a warning, as C09 gives it in the store", facts: { network: { ldaps: { certificate: { publicKey: { algorithm: "RSA", bits: 1024, curve: null } } } } }, profile: "baseline", status: "warn", message: /LDAPS-C09 .*RSA 1024 bits/ },
    { name: "RSA 1024 and SHA-1 under baseline: C10 is not advisory, so N02 fails", facts: { network: { ldaps: { certificate: { publicKey: { algorithm: "RSA", bits: 1024, curve: null }, signature: { algorithm: "sha1WithRSAEncryption", hash: "SHA-1" } } } } }, profile: "baseline", message: /LDAPS-C09.*LDAPS-C10|LDAPS-C10.*LDAPS-C09/ },
  ],
});
