// lib/x509 path validation: name constraints of every form, RFC 5280 extension checks, and bounded
// path building. Certificates come from the openssl CLI (test/helpers/openssl.ts); the hostile chains
// are x509-limbo's own (../shared/reference, used as data).
import { CertificateInfo, parseCertificate } from "../lib/x509/certificate";
import { buildChain, CHAIN_BUDGET, verifySignature } from "../lib/x509/chain";
import { parsePem } from "../lib/x509/encoding";
import { OID_SERVER_AUTH } from "../lib/x509/oids";
import { loadLimboFull } from "./conformance/limbo";
import { Issued, LeafSpec, Pki } from "./helpers/openssl";

const NOW = new Date("2030-06-01T00:00:00Z");
const EC = "ec:prime256v1";
const LEAF: LeafSpec = { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth", key: EC };

let pki: Pki;
let root: Issued;
let seq = 0;
beforeAll(() => {
  pki = new Pki();
  root = pki.issue("root", { cn: "Constraint Test Root", ca: true, key: EC, start: "20200101000000Z", end: "20500101000000Z" });
});
afterAll(() => pki.cleanup());

/** root -> CA (with `caSpec` extras) -> leaf, validated offline for Server Authentication. */
function validate(caSpec: Partial<LeafSpec>, leafSpec: Partial<LeafSpec>) {
  const n = seq++;
  const ca = pki.issue(`ca${n}`, { cn: `Constraint Test CA ${n}`, ca: true, key: EC, start: "20200101000000Z", end: "20490101000000Z", ...caSpec }, root);
  const leaf = pki.issue(`leaf${n}`, { ...LEAF, ...leafSpec }, ca);
  return buildChain(parseCertificate(leaf.der), [parseCertificate(ca.der)], [parseCertificate(root.der)], NOW, { purpose: OID_SERVER_AUTH });
}

const nc = (...subtrees: string[]) => ({ extra: [`nameConstraints = critical,${subtrees.join(",")}`] });

describe("name constraints, every form (RFC 5280 4.2.1.10)", () => {
  const UPN = "1.3.6.1.4.1.311.20.2.3";
  const DS_GUID = "1.3.6.1.4.1.311.25.1";
  test.each<[string, Partial<LeafSpec>, Partial<LeafSpec>, RegExp | "trusted"]>([
    ["IPv4 inside a permitted subnet", nc("permitted;IP:192.168.0.0/255.255.0.0"), { san: "IP:192.168.1.5" }, "trusted"],
    ["IPv4 outside the permitted subnet", nc("permitted;IP:192.168.0.0/255.255.0.0"), { san: "IP:10.0.0.1" }, /IP 10\.0\.0\.1 .* outside the permitted subtrees/],
    ["IPv4 in an excluded subnet", nc("excluded;IP:10.0.0.0/255.0.0.0"), { san: "IP:10.1.2.3" }, /IP 10\.1\.2\.3 .* excluded subtree/],
    ["IPv6 inside a permitted prefix", nc("permitted;IP:fd00::/ff00::"), { san: "IP:fd00::1" }, "trusted"],
    ["IPv6 in an excluded prefix", nc("excluded;IP:::1/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), { san: "IP:::1" }, /excluded subtree/],
    ["an IPv4 subtree does not permit an IPv6 address", nc("permitted;IP:192.168.0.0/255.255.0.0"), { san: "IP:fd00::1" }, /outside the permitted subtrees/],
    ["an IP constraint leaves DNS names alone", nc("permitted;IP:192.168.0.0/255.255.0.0"), {}, "trusted"],
    ["an IP constraint whose mask is not a prefix", nc("permitted;IP:192.168.0.0/255.0.255.0"), { san: "IP:192.168.1.5" }, /mask is not a CIDR prefix/],
    ["a dNSName constraint with a leading period", nc("permitted;DNS:.example.test"), {}, /"\.example\.test" is not a host name/],
    ["dNSName inside the permitted domain", nc("permitted;DNS:example.test"), {}, "trusted"],
    ["dNSName in an excluded domain", nc("excluded;DNS:example.test"), {}, /dns "dc1\.example\.test" .* excluded subtree/],
    ["no SAN: the CN is held to dNSName constraints (KB321051 CN use)", nc("permitted;DNS:example.test"), { cn: "dc1.other.test", san: undefined }, /dns "dc1\.other\.test" .* outside the permitted/],
    ["otherName of the constrained type cannot be processed", nc(`permitted;otherName:${UPN};UTF8:corp.example.test`), { san: `otherName:${UPN};UTF8:dc1@corp.example.test,DNS:dc1.example.test` }, /otherName \(1\.3\.6\.1\.4\.1\.311\.20\.2\.3\) cannot be checked/],
    ["otherName of another type (a DC's object GUID) is not constrained", nc(`permitted;otherName:${UPN};UTF8:corp.example.test`), { san: `otherName:${DS_GUID};OCTETSTRING:0123456789abcdef,DNS:dc1.example.test` }, "trusted"],
    ["mailbox on the permitted host", nc("permitted;email:example.test"), { san: "email:admin@example.test,DNS:dc1.example.test" }, "trusted"],
    ["mailbox on another host", nc("permitted;email:example.test"), { san: "email:admin@other.test,DNS:dc1.example.test" }, /email "admin@other\.test" .* outside the permitted/],
    ["subject inside an excluded directoryName", { extra: ["nameConstraints = critical,excluded;dirName:dir_sect"], sections: ["[ dir_sect ]", "CN = dc1.example.test"] }, {}, /directoryName .* excluded subtree/],
    ["subject outside a permitted directoryName", { extra: ["nameConstraints = critical,permitted;dirName:dir_sect"], sections: ["[ dir_sect ]", "O = Elsewhere"] }, {}, /directoryName .* outside the permitted/],
  ])("%s", (_label, caSpec, leafSpec, expected) => {
    const out = validate(caSpec, leafSpec);
    if (expected === "trusted") expect({ trusted: out.trusted, reason: out.reason }).toEqual({ trusted: true, reason: expect.stringContaining("trusted root") });
    else {
      expect(out.trusted).toBe(false);
      expect(out.status).toContain("CannotBeValidatedForNameConstraints");
      expect(out.reason).toMatch(expected);
    }
  });
});

describe("extensions a validator must refuse (RFC 5280 4.2)", () => {
  const UNKNOWN = "1.3.6.1.4.1.55738.666.1";
  test.each<[string, Partial<LeafSpec>, Partial<LeafSpec>, RegExp | "trusted"]>([
    ["unknown critical extension in the leaf", {}, { extra: [`${UNKNOWN} = critical,DER:0500`] }, /unrecognized critical extension 1\.3\.6\.1\.4\.1\.55738\.666\.1/],
    ["unknown critical extension in the intermediate", { extra: [`${UNKNOWN} = critical,DER:0500`] }, {}, /Constraint Test CA .*unrecognized critical extension/],
    ["unknown non-critical extension", {}, { extra: [`${UNKNOWN} = DER:0500`] }, "trusted"],
    ["critical AuthorityInfoAccess", {}, { extra: ["authorityInfoAccess = critical,caIssuers;URI:http://pki.example.test/ca.crt"] }, /AuthorityInfoAccess is marked critical/],
    ["empty AuthorityInfoAccess", {}, { extra: ["1.3.6.1.5.5.7.1.1 = DER:3000"] }, /AuthorityInfoAccess is empty/],
    ["critical AuthorityKeyIdentifier", {}, { extra: ["authorityKeyIdentifier = critical,keyid"] }, /AuthorityKeyIdentifier is marked critical/],
    ["empty NameConstraints on the intermediate", { extra: ["2.5.29.30 = critical,DER:3000"] }, {}, /NameConstraints has neither permitted nor excluded subtrees/],
    ["NameConstraints on the leaf", {}, { extra: ["nameConstraints = critical,permitted;DNS:example.test"] }, /NameConstraints on a certificate that is not a CA/],
  ])("%s", (_label, caSpec, leafSpec, expected) => {
    const out = validate(caSpec, leafSpec);
    if (expected === "trusted") expect(out.reason).toMatch(/trusted root/);
    else {
      expect(out.trusted).toBe(false);
      expect(out.status).toContain("InvalidExtension");
      expect(out.reason).toMatch(expected);
    }
  });

  test("a SHA-1-signed intermediate is a fact on the path, not a chain failure (LDAPS-C13 judges it)", () => {
    const out = validate({ md: "sha1" }, {});
    expect(out.trusted).toBe(true);
    expect(out.path.map((c) => c.signature.hash)).toEqual(["SHA-256", "SHA-1", "SHA-256"]);
    expect(out.path[1].signature.weak).toBe(true);
  });
});

describe("path building is bounded whatever the input (limbo's own certificates)", () => {
  const limbo = new Map(loadLimboFull().map((t) => [t.id, t]));
  const material = (id: string) => {
    const tc = limbo.get(id);
    if (!tc) throw new Error(`${id} is not in the suite`);
    const certs = (pems: string[]): CertificateInfo[] => pems.flatMap((p) => parsePem(p, id).map((b) => parseCertificate(b.der)));
    return { leaf: certs([tc.peer_certificate])[0], intermediates: certs(tc.untrusted_intermediates), anchors: certs(tc.trusted_certs), now: new Date(tc.validation_time ?? NOW) };
  };
  /** Counts every signature verification the builder asks for. */
  const counting = () => {
    const counter = { checks: 0 };
    return { counter, verify: (c: CertificateInfo, i: CertificateInfo) => (counter.checks++, verifySignature(c, i)) };
  };

  test.each([
    "pathological::pathological-chain-same-subject-same-key",
    "pathological::pathological-chain-same-subject-distinct-key",
    "pathological::pathological-chain-distinct-subject-same-key",
    "pathological::pathological-chain-distinct-subject-distinct-key",
  ])("%s: untrusted after at most the budgeted signature checks", (id) => {
    const m = material(id);
    const { counter, verify } = counting();
    const out = buildChain(m.leaf, m.intermediates, m.anchors, m.now, { purpose: OID_SERVER_AUTH, verifySignature: verify });
    expect(out.trusted).toBe(false);
    expect(counter.checks).toBe(out.signatureChecks);
    expect(counter.checks).toBeLessThanOrEqual(CHAIN_BUDGET.maxSignatureChecks);
    expect(out.attempts).toBeLessThanOrEqual(CHAIN_BUDGET.maxAttempts);
    if (out.gaveUp) expect(out.reason).toMatch(/^path building gave up after \d+ attempts/);
  });

  test("duplicate extensions (openssl cannot make them; limbo's rfc5280::duplicate-extensions can)", () => {
    const m = material("rfc5280::duplicate-extensions");
    const out = buildChain(m.leaf, m.intermediates, m.anchors, m.now, { purpose: OID_SERVER_AUTH });
    expect(out.status).toContain("InvalidExtension");
    expect(out.reason).toMatch(/extension [\d.]+ appears more than once/);
  });

  test("when the budget runs out the result says so", () => {
    const m = material("pathological::pathological-chain-same-subject-distinct-key");
    const { counter, verify } = counting();
    const out = buildChain(m.leaf, m.intermediates, m.anchors, m.now, { verifySignature: verify, budget: { maxSignatureChecks: 5 } });
    expect({ trusted: out.trusted, gaveUp: out.gaveUp, checks: counter.checks }).toEqual({ trusted: false, gaveUp: true, checks: 5 });
    expect(out.status).toContain("PathBuildingGaveUp");
    expect(out.reason).toMatch(/^path building gave up after \d+ attempts \(5 signature checks/);
  });

  test.each(["pathological::nc-dos-2", "pathological::nc-dos-3"])("%s: name constraints needing millions of comparisons are refused before any is made", (id) => {
    const m = material(id);
    const out = buildChain(m.leaf, m.intermediates, m.anchors, m.now, { purpose: OID_SERVER_AUTH });
    expect(out.trusted).toBe(false);
    expect(out.reason).toMatch(/name constraints would need \d+ comparisons \(limit \d+\)/);
  });
});
