// Test table for LDAPS-C01: schemas/controls/LDAPS-C01.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C01", {
  valid: [
    { name: "Server Authentication among other EKUs", facts: {} },
    { name: "Server Authentication only", facts: { eku: { oids: ["1.3.6.1.5.5.7.3.1"], names: ["Server Authentication"] } } },
  ],
  invalid: [
    { name: "Client Authentication only", facts: { eku: { oids: ["1.3.6.1.5.5.7.3.2"], names: ["Client Authentication"], serverAuth: false } }, message: /lacks the Server Authentication EKU.*Client Authentication/ },
    { name: "no EKU extension (KB321051 requires it)", facts: { eku: { present: false, oids: [], names: [], serverAuth: false } }, message: /EKU extension present: false/ },
  ],
});
