// Test table for LDAPS-C11: schemas/controls/LDAPS-C11.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C11", {
  valid: [
    { name: "digitalSignature and keyEncipherment", facts: {} },
    { name: "no Key Usage extension: skip", facts: { keyUsage: { present: false, usages: [], missing: [] } }, status: "skip" },
  ],
  invalid: [{ name: "RSA without keyEncipherment", facts: { keyUsage: { usages: ["digitalSignature"], missing: ["keyEncipherment"] } }, message: /lacks keyEncipherment/ }],
});
