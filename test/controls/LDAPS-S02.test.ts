// Test table for LDAPS-S02: schemas/controls/LDAPS-S02.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-S02", {
  valid: [
    { name: "one usable certificate in the effective store", facts: {} },
    { name: "nothing usable: skip", facts: { selection: { qualifying: [] } }, status: "skip" },
  ],
  invalid: [{ name: "two usable certificates: the choice is not guaranteed", facts: { selection: { ambiguous: true, effectiveQualifying: ["A".repeat(40), "B".repeat(40)] } }, status: "warn", message: /2 qualifying certificates/ }],
});
