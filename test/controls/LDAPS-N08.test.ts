// Test table for LDAPS-N08: schemas/controls/LDAPS-N08.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

const signing = (required: boolean | null, reason: string, resultCode: number | null = required ? 8 : 49) => ({
  network: { enforcement: { signing: { tested: true, port: 389, required, resultCode, reason } } },
});

testControl("LDAPS-N08", {
  valid: [
    { name: "strongerAuthRequired on 389: signing required", facts: signing(true, "a simple bind ... was answered strongerAuthRequired (8)"), message: /strongerAuthRequired/ },
    { name: "not checked (no --enforcement): skip", facts: {}, status: "skip", message: /probe --enforcement/ },
    { name: "no LDAP answer: could not tell, skip", facts: signing(null, "could not tell: connection refused", null), status: "skip", message: /could not tell: connection refused/ },
  ],
  invalid: [
    { name: "invalidCredentials: the DC checked a simple bind's credentials on plain LDAP (advisory: warn)", facts: signing(false, "the DC checked the credentials"), status: "warn", message: /signing is not required: the DC checked the credentials/ },
    { name: "a simple bind accepted outright (advisory: warn)", facts: signing(false, "success (0)", 0), status: "warn" },
  ],
});
