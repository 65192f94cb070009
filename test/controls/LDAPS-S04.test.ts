// Test table for LDAPS-S04: schemas/controls/LDAPS-S04.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-S04", {
  valid: [
    { name: "issuing CA outlives the leaf by years", facts: {} },
    { name: "no chain path: skip", facts: { selection: { predictedIssuersDaysToExpiry: null } }, status: "skip" },
  ],
  invalid: [
    { name: "issuing CA expires in 3 days", facts: { selection: { predictedIssuersDaysToExpiry: 3, predictedIssuerExpiresBeforeLeaf: true } }, message: /expires in 3 days/ },
    { name: "issuing CA expires before the leaf", facts: { selection: { predictedIssuerExpiresBeforeLeaf: true } }, status: "warn" },
  ],
});
