// Test table for LDAPS-C07: schemas/controls/LDAPS-C07.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";

testControl("LDAPS-C07", {
  valid: [
    { name: "years of runway", facts: {} },
    { name: "30 days left: baseline passes (warns under 30)", facts: { validity: { daysToExpiry: 30 } }, profile: "baseline" },
    { name: "45 days left: hardened warns under 60, so check baseline", facts: { validity: { daysToExpiry: 45 } }, profile: "baseline" },
    { name: "already expired: C06's business, skip", facts: { validity: { validNow: false, expired: true, daysToExpiry: -3 } }, status: "skip" },
  ],
  invalid: [
    { name: "20 days: baseline warns (30)", facts: { validity: { daysToExpiry: 20 } }, profile: "baseline", status: "warn", message: /expires in 20 days.*renew soon/ },
    { name: "6 days: baseline fails (7)", facts: { validity: { daysToExpiry: 6 } }, profile: "baseline", message: /expires in 6 days/ },
    { name: "45 days: hardened warns (60)", facts: { validity: { daysToExpiry: 45 } }, status: "warn" },
    { name: "10 days: hardened fails (14)", facts: { validity: { daysToExpiry: 10 } } },
  ],
});
