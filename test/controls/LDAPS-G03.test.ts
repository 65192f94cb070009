// Test table for LDAPS-G03: schemas/controls/LDAPS-G03.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-G03", {
  valid: [
    { name: "no CertSvc", facts: {} },
    { name: "unknown: skip", facts: { config: { certSvcInstalled: null } }, status: "skip" },
  ],
  invalid: [{ name: "a CA on the DC", facts: { config: { certSvcInstalled: true } }, message: /CertSvc .* is installed/ }],
});
