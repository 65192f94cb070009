// Test table for LDAPS-C02: schemas/controls/LDAPS-C02.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C02", {
  valid: [
    { name: "FQDN is the first SAN entry", facts: {} },
    { name: "matched by Subject CN when there is no SAN", facts: { san: { dns: [] }, name: { matchedBy: "subject-cn", fqdnIsFirstSan: null, reason: "CN matches" } } },
  ],
  invalid: [
    { name: "no SAN entry matches", facts: { name: { matches: false, matchedBy: null, matchedEntry: null, fqdnIsFirstSan: null, reason: "no SAN DNS entry matches dc1.corp.example.test" } }, message: /^no SAN DNS entry matches/ },
    { name: "FQDN present but not first: warn", facts: { san: { dns: ["corp.example.test", "dc1.corp.example.test"] }, name: { fqdnIsFirstSan: false } }, status: "warn", message: /not as its first SAN entry/ },
  ],
});
