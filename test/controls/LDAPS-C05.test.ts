// Test table for LDAPS-C05: schemas/controls/LDAPS-C05.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C05", {
  valid: [
    { name: "no strong protection", facts: {} },
    { name: "flag not collected: skip", facts: { privateKey: { strongProtection: null } }, status: "skip" },
  ],
  invalid: [{ name: "strong private key protection prompts a user", facts: { privateKey: { strongProtection: true } }, message: /LSASS cannot answer its prompt/ }],
});
