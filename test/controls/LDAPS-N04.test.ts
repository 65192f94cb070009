// Test table for LDAPS-N04: schemas/controls/LDAPS-N04.json. Run by the shared tester (test/controls/tester.ts).
import { testControl } from "./tester";
import { userProfile } from "./profiles";

// Which versions are acceptable is the profile's: TLS 1.3 only is one parameter (and one more to require seeing 1.2 refused).
const tls13only = () =>
  userProfile("tls13-only", [
    { $ref: "https://ldaps-audit.dev/schemas/profiles/hardened.profile.json" },
    {
      ldapsControl: { id: "LDAPS-N04" },
      $defs: { allowedProtocols: { enum: ["TLSv1.3"] }, mustBeSeenRefused: { allOf: [{ contains: { const: "TLSv1" } }, { contains: { const: "TLSv1.1" } }, { contains: { const: "TLSv1.2" } }] } },
    },
  ]);

testControl("LDAPS-N04", {
  valid: [
    { name: "TLS 1.3, legacy refused", facts: {} },
    { name: "TLS 1.3 only, 1.0-1.2 refused, under a TLS 1.3-only profile", facts: { network: { ldaps: { versions: { TLSv1: false, "TLSv1.1": false, "TLSv1.2": false, "TLSv1.3": true }, acceptedVersions: ["TLSv1.3"], refusedVersions: ["TLSv1", "TLSv1.1", "TLSv1.2"] } } }, profile: tls13only() },
    { name: "no handshake: skip", facts: { network: { ldaps: { handshake: false } } }, status: "skip" },
  ],
  invalid: [
    { name: "TLS 1.0 accepted", facts: { network: { ldaps: { acceptedVersions: ["TLSv1", "TLSv1.2", "TLSv1.3"], refusedVersions: ["TLSv1.1"] } } }, message: /accepted when offered alone: TLSv1, TLSv1.2, TLSv1.3/ },
    { name: "TLS 1.1 negotiated", facts: { network: { ldaps: { protocol: "TLSv1.1" } } } },
    { name: "versions not tested: warn", facts: { network: { ldaps: { versionsTested: false, versions: null, acceptedVersions: [], refusedVersions: [] } } }, status: "warn" },
    { name: "TLS 1.1 refusal unknown (the client could not offer it): warn", facts: { network: { ldaps: { refusedVersions: ["TLSv1"] } } }, status: "warn", message: /not seen refusing/ },
    { name: "a TLS 1.3-only profile fails a DC that accepts TLS 1.2", facts: {}, profile: tls13only() },
  ],
});
