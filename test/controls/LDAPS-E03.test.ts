// Test table for LDAPS-E03: schemas/controls/LDAPS-E03.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-E03", {
  valid: [
    { name: "no 36870", facts: {} },
    { name: "System log not read: skip", facts: { events: { systemLogAvailable: false } }, status: "skip" },
  ],
  invalid: [{ name: "36870 logged", facts: { events: { schannel36870: { count: 1, errorCodes: { "0x8009030d": 1 } } } }, message: /private key access failure/ }],
});
