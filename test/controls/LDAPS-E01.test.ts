// Test table for LDAPS-E01: schemas/controls/LDAPS-E01.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-E01", {
  valid: [
    { name: "no 1220 in the window", facts: {} },
    { name: "1220s logged before the certificate in use appeared", facts: { events: { directoryService1220: { count: 4, clearedByCertificate: true } } } },
    { name: "log not read: skip", facts: { events: { logAvailable: false, logError: "access denied" } }, status: "skip", message: /access denied/ },
  ],
  invalid: [{ name: "current 1220s", facts: { events: { directoryService1220: { count: 3, first: "2026-11-14T00:00:00Z", last: "2026-11-19T00:00:00Z" } } }, message: /^3 event\(s\) 1220/ }],
});
