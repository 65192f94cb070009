// Test table for LDAPS-C06: schemas/controls/LDAPS-C06.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C06", {
  valid: [{ name: "valid now", facts: {} }],
  invalid: [
    { name: "expired", facts: { validity: { notAfter: "2025-01-01T00:00:00.000Z", validNow: false, expired: true, daysToExpiry: -692 } }, message: /not valid now: .* to 2025-01-01/ },
    { name: "not yet valid", facts: { validity: { notBefore: "2027-01-01T00:00:00.000Z", validNow: false, notYetValid: true } } },
  ],
});
