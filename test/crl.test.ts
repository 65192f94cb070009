// Offline revocation checking (lib/x509/crl.ts through lib/x509/chain.ts and the LDAPS-C08 facts).
// Certificates and CRLs come from the openssl CLI (test/helpers/openssl.ts); the validation time is
// injected and every CRL's thisUpdate/nextUpdate is set explicitly. Only the entries' revocation dates
// are openssl's clock, and no verdict depends on them (a listed certificate is revoked, RFC 5280 6.3.3).
import { join } from "node:path";
import { certificateFacts } from "../lib/facts/certificate";
import { CertificateInfo, parseCertificate } from "../lib/x509/certificate";
import { buildChain, ChainOutcome } from "../lib/x509/chain";
import { MAX_CRL_BYTES, MAX_CRLS } from "../lib/limits";
import { OID_SERVER_AUTH } from "../lib/x509/oids";
import { Issued, Pki } from "./helpers/openssl";

const NOW = new Date("2030-06-01T00:00:00Z");
const LEAF = { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth", key: "ec:prime256v1" };

let pki: Pki;
let root: Issued;
let ca: Issued;
let leaf: Issued;
let other: Issued;
const info: Record<string, CertificateInfo> = {};
/** CRLs by name, made once (openssl key generation is the slow part). */
const crl: Record<string, Buffer> = {};

beforeAll(() => {
  pki = new Pki();
  ({ root, intermediate: ca } = pki.hierarchy());
  leaf = pki.issue("leaf", LEAF, ca);
  other = pki.issue("other", { cn: "Other Root CA", ca: true, key: "ec:prime256v1", start: "20200101000000Z", end: "20500101000000Z" });
  for (const c of [root, ca, leaf, other]) info[c.name] = parseCertificate(c.der);

  crl.caEmpty = pki.crl("ca-empty", ca);
  crl.rootEmpty = pki.crl("root-empty", root);
  crl.caRevokesLeaf = pki.crl("ca-revokes-leaf", ca, { revoke: [leaf], reason: "keyCompromise" });
  crl.caRevokesLeafPss = pki.crl("ca-revokes-leaf-pss", ca, { revoke: [leaf], sigopts: ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"] });
  crl.rootRevokesCa = pki.crl("root-revokes-ca", root, { revoke: [ca] });
  crl.caExpired = pki.crl("ca-expired", ca, { lastUpdate: "20300101000000Z", nextUpdate: "20300301000000Z" });
  crl.caNotYet = pki.crl("ca-not-yet", ca, { lastUpdate: "20300701000000Z", nextUpdate: "20310101000000Z" });
  crl.caNoNumber = pki.crl("ca-no-number", ca, { crlNumber: false });
  // The same bytes with the last octet of the RSA signature changed: well formed, signature wrong.
  const bad = Buffer.from(pki.crl("ca-bad-signature", ca, { revoke: [leaf] }));
  bad[bad.length - 1] ^= 0x01;
  crl.caBadSignature = bad;
  // Scoped to one distribution point: a critical extension the check does not process (RFC 5280 5.2).
  crl.caWithIdp = pki.crl("ca-idp", ca, { extensions: ["issuingDistributionPoint = critical, @idp"], sections: ["[ idp ]", "fullname = URI:http://pki.example.test/issuing.crl"] });
  // Another CA, listing the leaf's serial: it does not speak for the leaf's issuer.
  crl.otherRevokesLeaf = pki.crl("other-revokes-leaf", other, { revoke: [leaf] });
});
afterAll(() => pki.cleanup());

function check(crls: Buffer[] | undefined): ChainOutcome {
  return buildChain(info.leaf, [info.intermediate], [info.root], NOW, { purpose: OID_SERVER_AUTH, crls });
}

describe("revocation against supplied CRLs", () => {
  type Expect = { trusted: boolean; status: string[]; reason: RegExp };
  const trusted: Expect = { trusted: true, status: [], reason: /chain builds to the trusted root "CN=Test Root CA"/ };
  test.each<[string, () => Buffer[] | undefined, Expect]>([
    ["no CRLs: unchanged", () => undefined, trusted],
    ["an empty CRL list: unchanged", () => [], trusted],
    ["current CRLs that list nothing", () => [crl.caEmpty, crl.rootEmpty], trusted],
    ["the issuing CA revokes the leaf", () => [crl.caRevokesLeaf, crl.rootEmpty],
      { trusted: false, status: ["Revoked"], reason: /"CN=dc1\.example\.test" \(serial [0-9A-F]+\) is revoked by CRL #1 from "CN=Test Issuing CA" \(CRL Number 4096\) since .* \(reason: keyCompromise\)/ }],
    ["the issuing CA revokes the leaf, RSASSA-PSS signature", () => [crl.caRevokesLeafPss],
      { trusted: false, status: ["Revoked"], reason: /"CN=dc1\.example\.test" \(serial [0-9A-F]+\) is revoked by CRL #1 from "CN=Test Issuing CA"/ }],
    ["the root revokes the intermediate", () => [crl.caEmpty, crl.rootRevokesCa],
      { trusted: false, status: ["Revoked"], reason: /"CN=Test Issuing CA" \(serial [0-9A-F]+\) is revoked by CRL #2 from "CN=Test Root CA"/ }],
    ["a CRL whose signature does not verify: status unknown, fail closed", () => [crl.caBadSignature],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /revocation status of "CN=dc1\.example\.test" is unknown: .*CRL #1 .*signature does not verify with the key of "CN=Test Issuing CA"/ }],
    ["a bad CRL beside a good one for the same issuer: the good one decides", () => [crl.caBadSignature, crl.caEmpty], trusted],
    ["an expired CRL (nextUpdate before now): status unknown", () => [crl.caExpired],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /it expired \(nextUpdate 2030-03-01T00:00:00\.000Z\)/ }],
    ["a CRL not yet in effect: status unknown", () => [crl.caNotYet],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /not yet in effect \(thisUpdate 2030-07-01/ }],
    ["a CRL without a CRL Number (RFC 5280 5.2.3): status unknown", () => [crl.caNoNumber],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /no CRL Number extension/ }],
    ["a critical Issuing Distribution Point (not processed): the CRL is unusable, status unknown", () => [crl.caWithIdp],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /critical Issuing Distribution Point extension, which this check does not process/ }],
    ["a CRL from another issuer listing the leaf's serial: not for this leaf", () => [crl.otherRevokesLeaf], trusted],
    ["malformed CRL bytes: a reason, not an exception", () => [Buffer.from("not a CRL at all")],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /CRL #1 cannot be read/ }],
    ["a truncated CRL", () => [crl.caEmpty.subarray(0, crl.caEmpty.length - 10)],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /CRL #1 cannot be read/ }],
    ["a certificate instead of a CRL", () => [ca.der],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /CRL #1 cannot be read/ }],
    [`more than MAX_CRLS (${MAX_CRLS}) CRLs`, () => Array.from({ length: MAX_CRLS + 1 }, () => crl.caEmpty),
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /above the limit of \d+ \(MAX_CRLS\)/ }],
    ["a CRL over MAX_CRL_BYTES", () => [Buffer.concat([crl.caEmpty, Buffer.alloc(MAX_CRL_BYTES)])],
      { trusted: false, status: ["RevocationStatusUnknown"], reason: /MAX_CRL_BYTES/ }],
  ])("%s", (_label, crls, expected) => {
    const out = check(crls());
    expect({ trusted: out.trusted, status: out.status }).toEqual({ trusted: expected.trusted, status: expected.status });
    expect(out.reason).toMatch(expected.reason);
  });

  test("the PSS case really is an RSASSA-PSS signature", () => {
    expect(pki.openssl(["crl", "-inform", "DER", "-in", join(pki.dir, "ca-revokes-leaf-pss.crl.der"), "-noout", "-text"])).toMatch(/Signature Algorithm: rsassaPss/);
  });

  test("CRL signature checks are cached and within the chain's signature budget", () => {
    const without = check(undefined);
    const withCrls = check([crl.caEmpty, crl.rootEmpty]);
    // Two chain signatures plus one per CRL.
    expect(withCrls.signatureChecks).toBe(without.signatureChecks + 2);
    const starved = buildChain(info.leaf, [info.intermediate], [info.root], NOW, { crls: [crl.caEmpty, crl.rootEmpty], budget: { maxSignatureChecks: without.signatureChecks } });
    expect({ trusted: starved.trusted, gaveUp: starved.gaveUp }).toEqual({ trusted: false, gaveUp: true });
    expect(starved.status).toContain("RevocationStatusUnknown");
    // Unchecked for want of budget is said as such, never as a signature that does not verify.
    const detail = starved.problems.map((p) => p.detail).join("\n");
    expect(detail).toMatch(/its signature was not checked: the chain's signature budget ran out first/);
    expect(detail).not.toMatch(/does not verify/);
  });

  test("a path through a revoked CA gives way to a path through an unrevoked one", () => {
    // The issuing CA's key certified a second time by the root (same name, another serial): the root's
    // CRL revokes only the first certificate.
    const again = pki.issue("intermediate-again", { cn: "Test Issuing CA", ca: true, pathlen: 0, reuseKey: ca.keyPath, start: "20200101000000Z", end: "20490101000000Z" }, root);
    const second = parseCertificate(again.der);
    const out = buildChain(info.leaf, [info.intermediate, second], [info.root], NOW, { purpose: OID_SERVER_AUTH, crls: [crl.caEmpty, crl.rootRevokesCa] });
    expect({ trusted: out.trusted, via: out.path[1].serialNumber }).toEqual({ trusted: true, via: second.serialNumber });
    expect(second.serialNumber).not.toBe(info.intermediate.serialNumber);
  });
});

describe("LDAPS-C08's facts carry the revocation verdict", () => {
  const facts = (crls?: Buffer[]) =>
    certificateFacts(info.leaf, {
      now: NOW,
      fqdn: "dc1.example.test",
      account: "NT AUTHORITY\\SYSTEM",
      source: "file",
      store: null,
      storeRole: null,
      offline: { anchors: [info.root], intermediates: [info.intermediate], crls },
    }).chain;

  test("revoked leaf: untrusted, status Revoked", () => {
    const chain = facts([crl.caRevokesLeaf]);
    expect({ source: chain.source, trusted: chain.trusted, status: chain.status }).toEqual({ source: "offline", trusted: false, status: ["Revoked"] });
  });

  test("no CRLs: trusted as before", () => {
    expect(facts(undefined).trusted).toBe(true);
  });
});
