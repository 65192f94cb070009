// Test table for LDAPS-S03: schemas/controls/LDAPS-S03.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-S03", {
  valid: [
    { name: "nothing stale in NTDS\\My", facts: {} },
    { name: "no store evidence: skip", facts: { selection: { storesRead: [] } }, status: "skip" },
  ],
  invalid: [{ name: "an expired certificate left in NTDS\\My (advisory: warn)", facts: { selection: { staleInServiceStore: ["C".repeat(40)] } }, status: "warn", message: /stale certificates in NTDS\\My/ }],
});
