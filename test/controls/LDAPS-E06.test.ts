// Test table for LDAPS-E06: schemas/controls/LDAPS-E06.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-E06", {
  valid: [
    { name: "no client evidence collected: skip", facts: {}, status: "skip" },
    { name: "LDAPS clients, and a usable certificate", facts: { clients: { ldapsEvidence: true, ldapsClientCount: 2, missingEvidenceCount: 0 } } },
  ],
  invalid: [
    { name: "clients try LDAPS while nothing is usable (advisory: warn)", facts: { clients: { ldapsEvidence: true, certificateQualifies: false, ldapsClientCount: 3, summary: "3 clients try LDAPS" } }, status: "warn", message: /no certificate qualifies for LDAPS .*3 clients try LDAPS/ },
    { name: "nothing usable and evidence missing: warn", facts: { clients: { ldapsEvidence: true, certificateQualifies: false, ldapsClientCount: 0 } }, status: "warn" },
  ],
});
