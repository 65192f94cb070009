// Test table for LDAPS-N01: schemas/controls/LDAPS-N01.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-N01", {
  valid: [
    { name: "handshake on 636", facts: {} },
    { name: "not probed: skip", facts: { network: null }, status: "skip" },
  ],
  invalid: [{ name: "reset during the handshake", facts: { network: { ldaps: { handshake: false, failure: { kind: "reset", stage: "tls", message: "the server reset the connection", code: "ECONNRESET" } } } }, message: /reset/ }],
});
