// Control tester in the style of ESLint's RuleTester: a table of (certificate defect -> expected status)
// per control, each certificate made by the openssl CLI, each run through the whole pipeline
// (snapshot -> facts -> profile -> report).
import { evaluateSnapshots } from "../lib/audit";
import type { Status } from "../lib/profile/evaluate";
import type { StoreCertificate } from "../lib/snapshot";
import { Issued, LeafSpec, Pki } from "./helpers/openssl";
import { dcSnapshot, FQDN, READABLE_KEY, storeCert } from "./helpers/snapshot";

const NOW = new Date("2026-11-24T12:00:00Z");
const GOOD: LeafSpec = { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" };

interface Case {
  name: string;
  spec?: Partial<LeafSpec>;
  /** Override the store entry (key facts, chain result). */
  entry?: Partial<StoreCertificate>;
  /** Build the chain offline without the intermediate. */
  dropIntermediate?: boolean;
  profile?: string;
  expect: Partial<Record<string, Status>>;
  /** Substring expected in the S01 message (root cause). */
  rootCause?: string;
}

const cases: Case[] = [
  { name: "good certificate", expect: { "LDAPS-S01": "pass", "LDAPS-C01": "pass", "LDAPS-C02": "pass", "LDAPS-C03": "pass", "LDAPS-C04": "pass", "LDAPS-C06": "pass", "LDAPS-C07": "pass", "LDAPS-C08": "pass", "LDAPS-C10": "pass" } },
  { name: "no EKU extension", spec: { eku: undefined }, expect: { "LDAPS-C01": "fail", "LDAPS-S01": "fail" }, rootCause: "none has the Server Authentication EKU" },
  { name: "clientAuth only", spec: { eku: "clientAuth" }, expect: { "LDAPS-C01": "fail", "LDAPS-S01": "fail" } },
  { name: "serverAuth among others", spec: { eku: "clientAuth,serverAuth" }, expect: { "LDAPS-C01": "pass" } },
  { name: "CN only, no SAN", spec: { san: undefined }, expect: { "LDAPS-C02": "pass", "LDAPS-S01": "pass" } },
  { name: "SAN mismatch although CN matches", spec: { san: "DNS:other.example.test" }, expect: { "LDAPS-C02": "fail", "LDAPS-S01": "fail" }, rootCause: "none has the DC's FQDN (dc1.example.test); they name other.example.test" },
  { name: "wildcard SAN", spec: { cn: "wild", san: "DNS:*.example.test" }, expect: { "LDAPS-C02": "pass" } },
  { name: "wildcard two levels up does not match", spec: { cn: "wild", san: "DNS:*.test" }, expect: { "LDAPS-C02": "fail" } },
  { name: "FQDN not first SAN entry", spec: { san: `DNS:example.test,DNS:${FQDN}` }, expect: { "LDAPS-C02": "warn", "LDAPS-S01": "pass" } },
  { name: "expired", spec: { start: "20240101000000Z", end: "20250101000000Z" }, expect: { "LDAPS-C06": "fail", "LDAPS-C07": "skip", "LDAPS-S01": "fail" }, rootCause: "none is valid now" },
  { name: "not yet valid", spec: { start: "20270101000000Z", end: "20300101000000Z" }, expect: { "LDAPS-C06": "fail" } },
  { name: "expires in 20 days: warn", spec: { end: "20261214120000Z" }, expect: { "LDAPS-C07": "warn", "LDAPS-S01": "pass" } },
  { name: "expires in 3 days: fail", spec: { end: "20261127120000Z" }, expect: { "LDAPS-C07": "fail" } },
  { name: "expires in 40 days: hardened warns (60)", spec: { end: "20270103120000Z" }, profile: "hardened", expect: { "LDAPS-C07": "warn" } },
  { name: "expires in 10 days: hardened fails (14)", spec: { end: "20261204120000Z" }, profile: "hardened", expect: { "LDAPS-C07": "fail" } },
  { name: "RSA 1024", spec: { key: "rsa:1024" }, profile: "hardened", expect: { "LDAPS-C09": "fail" } },
  { name: "RSA 2048 fails hardened (3072)", profile: "hardened", expect: { "LDAPS-C09": "fail" } },
  { name: "EC P-256", spec: { key: "ec:P-256", keyUsage: "critical,digitalSignature" }, profile: "hardened", expect: { "LDAPS-C09": "pass", "LDAPS-C11": "pass" } },
  { name: "SHA-1 signature", spec: { md: "sha1" }, expect: { "LDAPS-C10": "fail" } },
  { name: "RSA without keyEncipherment", spec: { keyUsage: "critical,digitalSignature" }, profile: "hardened", expect: { "LDAPS-C11": "fail" } },
  { name: "no Key Usage extension", spec: { keyUsage: undefined }, profile: "hardened", expect: { "LDAPS-C11": "skip" } },
  { name: "missing intermediate (offline chain)", dropIntermediate: true, entry: { chain: undefined }, expect: { "LDAPS-C08": "fail", "LDAPS-S01": "fail" }, rootCause: "none chains to a trusted root" },
  { name: "chain via supplied roots (offline)", entry: { chain: undefined }, expect: { "LDAPS-C08": "pass" } },
  { name: "no private key", entry: { privateKey: { present: false } }, expect: { "LDAPS-C03": "fail", "LDAPS-C04": "skip", "LDAPS-S01": "fail" }, rootCause: "none has a private key" },
  {
    name: "key readable only by a user",
    entry: { privateKey: { ...READABLE_KEY, acl: [{ identity: "CORP\\jdoe", rights: "FullControl", type: "Allow" }] } },
    expect: { "LDAPS-C04": "fail", "LDAPS-S01": "fail" },
    rootCause: "none has a private key that NT AUTHORITY\\SYSTEM can read",
  },
  {
    name: "SYSTEM denied despite Administrators allowed",
    entry: { privateKey: { ...READABLE_KEY, acl: [{ identity: "BUILTIN\\Administrators", rights: "FullControl", type: "Allow" }, { identity: "NT AUTHORITY\\SYSTEM", rights: "Read", type: "Deny" }] } },
    expect: { "LDAPS-C04": "fail" },
  },
  { name: "readable through BUILTIN\\Administrators", entry: { privateKey: { ...READABLE_KEY, acl: [{ identity: "BUILTIN\\Administrators", rights: 2032127, type: "Allow" }] } }, expect: { "LDAPS-C04": "pass" } },
  { name: "strong key protection", entry: { privateKey: { ...READABLE_KEY, strongProtection: true } }, expect: { "LDAPS-C05": "fail", "LDAPS-S01": "pass" } },
  { name: "DSS CSP key (advisory)", entry: { privateKey: { ...READABLE_KEY, providerKind: "csp", providerType: 13, providerName: "Microsoft Enhanced DSS and Diffie-Hellman Cryptographic Provider" } }, profile: "hardened", expect: { "LDAPS-C12": "warn" } },
  { name: "DC's own chain build failed", entry: { chain: { built: false, status: [{ status: "PartialChain", information: "A certificate chain could not be built to a trusted root authority." }] } }, expect: { "LDAPS-C08": "fail" } },
  { name: "revocation unknown is tolerated", entry: { chain: { built: false, status: [{ status: "RevocationStatusUnknown" }, { status: "OfflineRevocation" }] } }, expect: { "LDAPS-C08": "pass" } },
];

describe("controls against openssl-made certificates", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;

  beforeAll(() => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
  });
  afterAll(() => pki.cleanup());

  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const leaf = pki.issue(c.name.replace(/\W+/g, "-"), { ...GOOD, ...c.spec }, intermediate);
    const entry = storeCert(leaf, { chain: { built: true, status: [] }, ...c.entry });
    const snapshot = dcSnapshot({ machine: [entry], roots: [root], intermediates: c.dropIntermediate ? [] : [intermediate] });
    const report = evaluateSnapshots([{ snapshot, source: "test" }], { now: NOW, profile: c.profile ?? "baseline" });
    const target = report.targets[0];
    const got = Object.fromEntries(target.controls.map((r) => [r.id, r.status]));
    for (const [id, status] of Object.entries(c.expect)) {
      expect({ id, status: got[id], message: target.controls.find((r) => r.id === id)?.message }).toEqual({ id, status, message: expect.any(String) });
    }
    if (c.rootCause) expect(target.rootCause).toContain(c.rootCause);
    // The per-certificate card carries the same verdicts.
    const card = target.certificates[0].controls;
    for (const [id, status] of Object.entries(c.expect)) if (id.startsWith("LDAPS-C")) expect(card.find((r) => r.id === id)?.status).toBe(status);
  });

  test("LDAPS-C13: a SHA-256 leaf under a SHA-1 issuing CA (openssl-made) fails C13 while C10 passes", () => {
    const sha1Ca = pki.issue("sha1-issuing", { cn: "SHA-1 Issuing CA", ca: true, pathlen: 0, md: "sha1", start: "20200101000000Z", end: "20490101000000Z" }, root);
    const leaf = pki.issue("under-sha1-ca", GOOD, sha1Ca);
    const judge = (intermediates: Issued[]) => {
      const snapshot = dcSnapshot({ machine: [storeCert(leaf, { chain: undefined })], roots: [root], intermediates });
      const t = evaluateSnapshots([{ snapshot, source: "test" }], { now: NOW, profile: "hardened" }).targets[0];
      return Object.fromEntries(["LDAPS-C10", "LDAPS-C13", "LDAPS-C08"].map((id) => [id, t.controls.find((r) => r.id === id)?.status]));
    };
    expect(judge([sha1Ca])).toEqual({ "LDAPS-C10": "pass", "LDAPS-C13": "fail", "LDAPS-C08": "pass" });
    // The same leaf shape under the SHA-256 intermediate passes.
    const good = pki.issue("under-sha256-ca", GOOD, intermediate);
    const snapshot = dcSnapshot({ machine: [storeCert(good, { chain: undefined })], roots: [root], intermediates: [intermediate] });
    expect(evaluateSnapshots([{ snapshot, source: "test" }], { now: NOW, profile: "hardened" }).targets[0].controls.find((r) => r.id === "LDAPS-C13")?.status).toBe("pass");
  });
});
