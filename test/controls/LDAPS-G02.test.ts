// Test table for LDAPS-G02: schemas/controls/LDAPS-G02.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";
import { userProfile } from "./profiles";

// The default (1, when supported) as a user profile that selects G02 without restating it.
const defaults = userProfile("g02-default", [{ $ref: "https://ldaps-audit.dev/schemas/controls/LDAPS-G02.json" }]);

testControl("LDAPS-G02", {
  valid: [
    { name: "1 (when supported) in baseline terms: a user profile at the default", facts: {}, profile: defaults },
    { name: "2 (always) in hardened", facts: { config: { channelBinding: 2, LdapEnforceChannelBinding: 2, channelBindingText: "always" } } },
    { name: "registry not read: skip", facts: { config: { policyCollected: false } }, status: "skip" },
  ],
  invalid: [
    { name: "1 fails hardened (2)", facts: {}, message: /LdapEnforceChannelBinding = 1/ },
    { name: "0 (never) fails the default", facts: { config: { channelBinding: 0, LdapEnforceChannelBinding: 0, channelBindingText: "never" } }, profile: defaults },
  ],
});
