// Test table for LDAPS-N03: schemas/controls/LDAPS-N03.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-N03", {
  valid: [
    { name: "636 presents the predicted certificate", facts: {} },
    { name: "no store evidence: skip", facts: { network: { store: { evidence: false, matches: null } } }, status: "skip" },
  ],
  invalid: [{ name: "a renewed certificate not picked up", facts: { network: { store: { presented: "D".repeat(40), matches: false, reason: "port 636 presents DDDD, but the store evidence predicts 6AB3" } } }, message: /but the store evidence predicts/ }],
});
