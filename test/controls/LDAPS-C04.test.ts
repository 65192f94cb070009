// Test table for LDAPS-C04: schemas/controls/LDAPS-C04.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C04", {
  valid: [
    { name: "SYSTEM can read the key", facts: {} },
    { name: "readability unknown: skip", facts: { privateKey: { readable: null, reason: "no ACL collected" } }, status: "skip" },
  ],
  invalid: [{ name: "the service account cannot read the key", facts: { privateKey: { readable: false, readers: ["CORP\\jdoe"], reason: "NT AUTHORITY\\SYSTEM cannot read the key file" } }, message: /cannot read/ }],
});
