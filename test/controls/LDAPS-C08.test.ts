// Test table for LDAPS-C08: schemas/controls/LDAPS-C08.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C08", {
  valid: [
    { name: "the DC built a trusted chain", facts: {} },
    { name: "no chain evidence: skip", facts: { chain: { source: "none", trusted: null, path: [], reason: "no chain evidence" } }, status: "skip" },
  ],
  invalid: [{ name: "partial chain", facts: { chain: { trusted: false, status: ["PartialChain"], reason: "the DC's chain build failed: PartialChain" } }, message: /PartialChain/ }],
});
