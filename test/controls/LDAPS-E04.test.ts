// Test table for LDAPS-E04: schemas/controls/LDAPS-E04.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-E04", {
  valid: [
    { name: "no insecure binds", facts: {} },
    { name: "log not read: skip", facts: { events: { logAvailable: false } }, status: "skip" },
  ],
  invalid: [
    { name: "clear-text simple binds counted by 2887", facts: { events: { insecureBinds: { simple: 5, total: 5 } } }, message: /5 clear-text simple/ },
    { name: "a client named by 2889", facts: { events: { insecureBinds: { clientCount: 1, clientList: ["10.0.0.7 CORP\\svc simple"] } } } },
  ],
});
