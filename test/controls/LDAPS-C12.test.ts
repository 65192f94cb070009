// Test table for LDAPS-C12: schemas/controls/LDAPS-C12.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C12", {
  valid: [
    { name: "CNG key storage provider", facts: {} },
    { name: "provider not collected: skip", facts: { privateKey: { schannelCompatible: null } }, status: "skip" },
  ],
  invalid: [{ name: "DSS CSP (advisory: warn)", facts: { privateKey: { providerName: "Microsoft Enhanced DSS and Diffie-Hellman Cryptographic Provider", providerKind: "csp", schannelCompatible: false } }, status: "warn", message: /which Schannel may not use/ }],
});
