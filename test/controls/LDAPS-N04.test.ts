// Test table for LDAPS-N04: schemas/controls/LDAPS-N04.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-N04", {
  valid: [
    { name: "TLS 1.3, legacy refused", facts: {} },
    { name: "no handshake: skip", facts: { network: { ldaps: { handshake: false } } }, status: "skip" },
  ],
  invalid: [
    { name: "TLS 1.0 accepted", facts: { network: { ldaps: { legacyAccepted: ["TLSv1"], legacyRefused: false } } } },
    { name: "TLS 1.1 negotiated", facts: { network: { ldaps: { protocol: "TLSv1.1", modernProtocol: false } } } },
    { name: "versions not tested: warn", facts: { network: { ldaps: { versionsTested: false, versions: null, legacyRefused: null } } }, status: "warn" },
  ],
});
