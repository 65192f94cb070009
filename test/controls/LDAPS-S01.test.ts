// Test table for LDAPS-S01: schemas/controls/LDAPS-S01.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-S01", {
  valid: [
    { name: "one usable certificate", facts: {}, message: /1 qualifying certificate\(s\); the service will use 6AB3/ },
    { name: "no store evidence: skip", facts: { selection: { storesRead: [] } }, status: "skip" },
  ],
  invalid: [{ name: "nothing Schannel can use", facts: { selection: { qualifying: [], effectiveQualifying: [], predicted: null, effectiveStore: null, rootCause: "1 certificate in LocalMachine\\My, none is valid now." } }, message: /none is valid now/ }],
});
