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
    // The applied controls say what is checked; N02's own severity says how much it matters. Baseline keeps
    // weak keys in the store a warning (C09 advisory), but a client at OpenSSL security level 2 refuses
    // the 1024-bit key it is handed, so the client's view fails.
    { name: "RSA 1024 on the wire under baseline: C09 warns in the store, N02 fails (clients refuse it)", facts: { network: { ldaps: { certificate: { publicKey: { algorithm: "RSA", bits: 1024, curve: null } } } } }, profile: "baseline", message: /LDAPS-C09 .*RSA 1024 bits/ },
    { name: "Ed25519 key: C09 says Schannel cannot serve it, and so does N02", facts: { network: { ldaps: { certificate: { publicKey: { algorithm: "Ed25519", bits: 256, curve: null } } } } }, profile: "baseline", message: /LDAPS-C09/ },
  ],
});
