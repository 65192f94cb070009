// Test table for LDAPS-E05: schemas/controls/LDAPS-E05.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-E05", {
  valid: [
    { name: "level 2", facts: { config: { ldapInterfaceEventsLevel: 2 } } },
    { name: "registry not read: skip", facts: { config: { policyCollected: false } }, status: "skip" },
  ],
  invalid: [{ name: "level 0 (advisory: warn)", facts: {}, status: "warn", message: /counted \(2887\) but not named/ }],
});
