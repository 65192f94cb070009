// Test table for LDAPS-E02: schemas/controls/LDAPS-E02.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-E02", {
  valid: [
    { name: "no 36886", facts: {} },
    { name: "System log not read: skip", facts: { events: { systemLogAvailable: false } }, status: "skip" },
  ],
  invalid: [{ name: "36886 logged", facts: { events: { schannel36886: { count: 2, last: "2026-11-19T00:00:00Z" } } }, message: /^2 Schannel 36886/ }],
});
