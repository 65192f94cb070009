// Test table for LDAPS-N10: schemas/controls/LDAPS-N10.json. Run by the shared tester (test/controls/tester.ts).
// Facts come from lib/facts/tlsSurface.ts over small snapshots (./surface-evidence.ts).
import { testControl } from "./tester";
import { userProfile } from "./profiles";
import { ldapsEndpoint, MODERN, surface, version } from "./surface-evidence";

const GCM = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256";
const TLS13 = "TLS_AES_256_GCM_SHA384";
const RSA_CBC = "TLS_RSA_WITH_AES_128_CBC_SHA";
const wire = (tls12: string[], more: Parameters<typeof version>[1] = {}) =>
  surface({ endpoints: [ldapsEndpoint(MODERN, { "TLSv1.2": version(tls12, more), "TLSv1.3": version([TLS13]) })] });
// The default parameters (RC4, 3DES, DES, NULL) as a user profile that selects N10 without restating it.
const defaults = () => userProfile("n10-default", [{ $ref: "https://ldaps-audit.dev/schemas/controls/LDAPS-N10.json" }]);

testControl("LDAPS-N10", {
  valid: [
    { name: "ECDHE + AEAD only, RC4 and 3DES offered and refused: pass", facts: wire([GCM], { refused: ["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"] }), message: /no forbidden suite accepted/ },
    { name: "hardened's kinds untestable do not warn the default profile (it does not forbid them)", facts: wire([GCM], { untestable: ["TLS_RSA_WITH_AES_128_CBC_SHA"] }), profile: defaults() },
    { name: "RSA key transport next to ECDHE passes the default (forward secrecy is hardened's)", facts: wire([GCM, RSA_CBC]), profile: defaults(), message: /allowed by the profile: no-forward-secrecy/ },
    { name: "not enumerated (no --ciphers): skip", facts: surface({ endpoints: [ldapsEndpoint(MODERN)] }), status: "skip", message: /probe --ciphers/ },
    { name: "no TLS evidence at all: skip", facts: { tlsSurface: null }, status: "skip" },
  ],
  invalid: [
    { name: "3DES accepted (a prober that can offer it saw it) fails the default", facts: wire([GCM, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"]), profile: defaults(), message: /TLS_RSA_WITH_3DES_EDE_CBC_SHA: 3DES/ },
    { name: "RC4 accepted fails", facts: wire([GCM, "TLS_RSA_WITH_RC4_128_SHA"]), message: /RC4/ },
    { name: "NULL cipher accepted fails the default", facts: wire([GCM, "TLS_RSA_WITH_NULL_SHA256"]), profile: defaults(), message: /no encryption/ },
    { name: "hardened: RSA key transport (no forward secrecy) fails", facts: wire([GCM, RSA_CBC]), message: /TLS_RSA_WITH_AES_128_CBC_SHA: no forward secrecy/ },
    { name: "hardened: TLS 1.2 with CBC suites only fails", facts: wire(["TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"]), message: /without any AEAD suite/ },
    // Never put to the server is not refused: this Node's OpenSSL cannot offer RC4/DES/3DES, so a DC that accepts
    // 3DES would otherwise pass a control that forbids it.
    { name: "RC4/3DES untestable by the prober: warn, naming what was not ruled out", facts: wire([GCM], { untestable: ["TLS_RSA_WITH_RC4_128_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"] }), profile: defaults(), status: "warn", message: /not every forbidden kind was put to the server: .*rc4 at TLSv1\.2 .*cannot offer/ },
    { name: "enumeration stopped by the cap: warn, naming what was not asked", facts: wire([GCM], { notTested: ["TLS_RSA_WITH_AES_128_CBC_SHA"], stopped: "the cap of 1 handshakes for this endpoint was reached" }), status: "warn", message: /not every forbidden kind was put to the server: no-forward-secrecy at TLSv1\.2 .*not asked/ },
  ],
});
