// Test table for LDAPS-N09: schemas/controls/LDAPS-N09.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";
import { userProfile } from "./profiles";

const cb = (setting: "always" | "when-supported" | "never" | null, reason = `reason for ${setting}`) => ({
  network: { enforcement: { channelBinding: { tested: true, port: 636, setting, reason } } },
});
// The default (when supported or always) as a user profile that selects N09 without restating it.
const defaults = userProfile("n09-default", [{ $ref: "https://ldaps-audit.dev/schemas/controls/LDAPS-N09.json" }]);

testControl("LDAPS-N09", {
  valid: [
    { name: "always (80090346 without a token) passes hardened", facts: cb("always"), message: /channel binding always/ },
    { name: "when supported passes the default", facts: cb("when-supported"), profile: defaults },
    { name: "not checked: skip", facts: {}, status: "skip", message: /probe --enforcement/ },
    { name: "a server that does not answer like AD (Samba): could not tell, skip", facts: cb(null, "could not tell: the server did not answer the NTLM bind the way an Active Directory DC does"), status: "skip", message: /could not tell/ },
  ],
  invalid: [
    { name: "never: warn (advisory) in the default", facts: cb("never"), profile: defaults, status: "warn", message: /channel binding never/ },
    { name: "when supported: warn in hardened (always required)", facts: cb("when-supported"), status: "warn", message: /channel binding when-supported/ },
  ],
});
