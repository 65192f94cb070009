// A malformed certificate extension is evidence, not an error: it is recorded (facts extensionErrors),
// the controls that need the extension error with its message, and everything else is still evaluated.
// Certificates are made by the openssl CLI with the extension's DER given directly.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateSnapshots } from "../lib/audit";
import { deriveFacts } from "../lib/facts";
import { parseCertificate } from "../lib/x509/certificate";
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { Certificate, Extension, GeneralName, SubjectAlternativeName } from "@peculiar/asn1-x509";
import { Issued, Pki } from "./helpers/openssl";
import { hasCommand, requirePeer } from "./helpers/peers";
import { dcSnapshot, FQDN, storeCert } from "./helpers/snapshot";
import { expectCleanError, runCli } from "./helpers/cli";

const NOW = new Date("2030-06-01T00:00:00Z");
const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
const d = haveOpenssl ? describe : describe.skip;

const SAN = "2.5.29.17";
const EKU = "2.5.29.37";
const KU = "2.5.29.15";
const BC = "2.5.29.19";
const CDP = "2.5.29.31";
const AIA = "1.3.6.1.5.5.7.1.1";

// [what, raw extension lines, OID recorded, name, message, control that errors (profile), facts it must not pass on]
const cases: Array<[string, string[], string, string, RegExp, { control: string; profile: string } | null]> = [
  ["SAN that is DER NULL", ["subjectAltName = DER:05:00"], SAN, "Subject Alternative Name", /^is malformed: /, { control: "LDAPS-C02", profile: "baseline" }],
  ["SAN with bytes after the value", ["subjectAltName = DER:30:12:82:10:64:63:31:2e:65:78:61:6d:70:6c:65:2e:74:65:73:74:05:00"], SAN, "Subject Alternative Name", /^is malformed: 2 unexpected bytes after the value$/, { control: "LDAPS-C02", profile: "baseline" }],
  ["EKU that is DER NULL", ["extendedKeyUsage = DER:05:00"], EKU, "Enhanced Key Usage", /^is malformed: /, { control: "LDAPS-C01", profile: "baseline" }],
  ["EKU that is a truncated SEQUENCE", ["extendedKeyUsage = DER:30:0a:06:08:2b:06:01"], EKU, "Enhanced Key Usage", /^is malformed: /, { control: "LDAPS-C01", profile: "baseline" }],
  ["Key Usage that is an INTEGER", ["keyUsage = DER:02:01:05"], KU, "Key Usage", /^is malformed: /, { control: "LDAPS-C11", profile: "hardened" }],
  ["Basic Constraints that is DER NULL", ["basicConstraints = DER:05:00"], BC, "Basic Constraints", /^is malformed: /, null],
  // openssl will not write a given Authority Key Identifier (it computes its own), so the CRL and AIA
  // extensions stand in for the ones the audit only checks for well-formedness.
  ["CRL Distribution Points that is DER NULL", ["crlDistributionPoints = DER:05:00"], CDP, "CRL Distribution Points", /^is malformed: /, null],
  ["Authority Information Access that is an empty OCTET STRING", ["authorityInfoAccess = DER:04:00"], AIA, "Authority Information Access", /^is malformed: /, null],
];

d("malformed certificate extensions", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  const leaves = new Map<string, Issued>();

  beforeAll(() => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
    cases.forEach(([what, extensions], i) => {
      leaves.set(what, pki.issue(`bad${i}`, { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment", extra: extensions }, intermediate));
    });
  });
  afterAll(() => pki?.cleanup());

  test.each(cases)("%s: recorded as a fact, the controls that need it error, the rest is evaluated", (what, _ext, oid, name, message, erroring) => {
    const leaf = leaves.get(what)!;
    const info = parseCertificate(leaf.der);
    expect(info.extensionErrors).toEqual([{ oid, name, message: expect.stringMatching(message) }]);

    const snapshot = dcSnapshot({ machine: [storeCert(leaf)], roots: [root], intermediates: [intermediate] });
    const facts = deriveFacts(snapshot, { now: NOW })[0];
    const cert = facts.certificates[0];
    expect(cert.extensionErrors).toEqual([expect.objectContaining({ oid, name, message: expect.stringMatching(message) })]);
    // Nothing derived from a broken extension may make the certificate qualify: the chain fails on it too.
    expect(cert.schannel.usable).toBe(false);
    expect(cert.chain).toMatchObject({ trusted: false, status: expect.arrayContaining(["InvalidExtension"]) });

    const report = evaluateSnapshots([{ snapshot, source: "x.json" }], { now: NOW, profile: erroring?.profile ?? "hardened" });
    const t = report.targets[0];
    expect(t.status).toBe("noncompliant");
    const byId = Object.fromEntries(t.certificates[0].controls.map((c) => [c.id, c]));
    if (erroring) {
      expect(byId[erroring.control]).toMatchObject({ status: "error", message: expect.stringContaining(`the ${name} extension (${oid}) ${info.extensionErrors[0].message}`) });
    }
    // Everything that does not depend on the extension is still judged on its own evidence.
    expect(byId["LDAPS-C06"].status).toBe("pass");
    expect(byId["LDAPS-C10"].status).toBe("pass");
    expect(t.certificates[0].extensionErrors).toEqual([{ oid, name, message: info.extensionErrors[0].message }]);
  });

  test("a malformed SAN does not let the subject CN stand in for it", () => {
    const facts = deriveFacts(dcSnapshot({ machine: [storeCert(leaves.get("SAN that is DER NULL")!)] }), { now: NOW })[0];
    expect(facts.certificates[0].name).toMatchObject({ matches: false, matchedBy: null, reason: expect.stringMatching(/Subject Alternative Name extension \(2\.5\.29\.17\) is malformed.*cannot be checked/) });
    expect(facts.selection.rootCause).toMatch(/1 has a malformed Subject Alternative Name extension/);
  });

  test("the same extension twice (RFC 5280 4.2 forbids it; which copy would a reader take?) is an extension error", () => {
    // openssl will not write a duplicate: add a second SAN to an openssl-made certificate with the ASN.1
    // library (the signature no longer verifies, which the chain check reports on its own).
    const good = leaves.get("Basic Constraints that is DER NULL")!;
    const cert = AsnConvert.parse(good.der, Certificate);
    const second = new SubjectAlternativeName([new GeneralName({ dNSName: "evil.example" })]);
    cert.tbsCertificate.extensions!.push(new Extension({ extnID: SAN, critical: false, extnValue: new OctetString(AsnConvert.serialize(second)) }));
    const info = parseCertificate(Buffer.from(AsnConvert.serialize(cert)));
    expect(info.extensionErrors).toEqual(expect.arrayContaining([{ oid: SAN, name: "Subject Alternative Name", message: "appears more than once" }]));
    expect(info.san.dns).toEqual([]); // neither copy is believed
    const facts = deriveFacts(dcSnapshot({ machine: [{ der: Buffer.from(AsnConvert.serialize(cert)).toString("base64") }] }), { now: NOW })[0];
    expect(facts.certificates[0].name.matches).toBe(false);
  });

  test("a malformed extension on the issuing CA fails the chain of a good leaf, and nothing else", () => {
    const badCa = pki.issue("bad-ca", { cn: "Bad Issuing CA", ca: true, extra: ["nameConstraints = DER:05:00"] }, root);
    const leaf = pki.issue("under-bad-ca", { cn: FQDN, san: `DNS:${FQDN}`, eku: "serverAuth" }, badCa);
    const facts = deriveFacts(dcSnapshot({ machine: [storeCert(leaf)], roots: [root], intermediates: [badCa] }), { now: NOW })[0];
    expect(facts.certificates[0].extensionErrors).toEqual([]);
    expect(facts.certificates[0].name.matches).toBe(true);
    expect(facts.certificates[0].chain).toMatchObject({ trusted: false, status: expect.arrayContaining(["InvalidExtension"]) });
  });

  test("preflight and evaluate of such a certificate: exit 1 with the reason, never exit 3", () => {
    const leaf = leaves.get("SAN that is DER NULL")!;
    const pre = runCli(["preflight", leaf.certPath, "--fqdn", FQDN, "--now", NOW.toISOString(), "--format", "json"]);
    expect(pre.stderr).toBe("");
    expect(pre.code).toBe(1);
    const c02 = JSON.parse(pre.stdout).targets[0].controls.find((c: { id: string }) => c.id === "LDAPS-C02");
    expect(c02).toMatchObject({ status: "error", message: expect.stringMatching(/Subject Alternative Name extension \(2\.5\.29\.17\) is malformed/) });

    const snap = pki.write("bad-san.snapshot.json", JSON.stringify(dcSnapshot({ machine: [storeCert(leaf)], roots: [root], intermediates: [intermediate] })));
    const ev = runCli(["evaluate", snap, "--now", NOW.toISOString(), "--format", "text"]);
    expect(ev.stderr).toBe("");
    expect(ev.code).toBe(1);
    expect(ev.stdout).toMatch(/ERROR\s+LDAPS-C02/);
  });

  test("10,000 SAN entries: evaluated, the FQDN found among them", () => {
    const names = Array.from({ length: 10_000 }, (_, i) => `DNS.${i + 1} = host${i}.example.test`);
    names[9_999] = `DNS.10000 = ${FQDN}`;
    const leaf = pki.issue("many-sans", { cn: FQDN, eku: "serverAuth", extra: ["subjectAltName = @alt"], sections: ["[ alt ]", ...names] }, intermediate);
    const info = parseCertificate(leaf.der);
    expect(info.extensionErrors).toEqual([]);
    expect(info.san.dns).toHaveLength(10_000);
    const report = evaluateSnapshots([{ snapshot: dcSnapshot({ machine: [storeCert(leaf)], roots: [root], intermediates: [intermediate] }), source: null }], { now: NOW });
    const c02 = report.targets[0].certificates[0].controls.find((c) => c.id === "LDAPS-C02");
    expect(c02?.status).toBe("warn"); // matched, but not as the first SAN entry
    expect(report.targets[0].controls.find((c) => c.id === "LDAPS-S01")?.status).toBe("pass");
  });

  test("a certificate above the size limit is an input error naming the limit", () => {
    const p = pki.write("huge.snapshot.json", JSON.stringify(dcSnapshot({ machine: [{ der: Buffer.concat([Buffer.from([0x30, 0x83, 0x20, 0x00, 0x00]), Buffer.alloc(0x200000)]).toString("base64") }] })));
    expectCleanError(runCli(["evaluate", p]), 2, /huge\.snapshot\.json: at \/stores\/1\/certificates\/0: 2097157 bytes is larger than the 1048576-byte limit for one certificate/);
  });
});

test("the examples' certificates carry no extension errors (no false alarms)", () => {
  for (const f of ["dc1.pem", "root.pem", "issuing.pem", "lds1.pem", "web.pem"]) {
    const pem = readFileSync(join(__dirname, "..", "examples", "certs", f), "latin1");
    const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    expect(parseCertificate(der).extensionErrors).toEqual([]);
  }
});
