import fc from "fast-check";
import { parseCertificate, CertificateParseError } from "../lib/x509/certificate";
import { identifierMatches, matchFqdn } from "../lib/x509/names";
import { Pki, Issued } from "./helpers/openssl";

describe("parseCertificate on openssl-made certificates", () => {
  let pki: Pki;
  let root: Issued;
  let intermediate: Issued;
  beforeAll(() => {
    pki = new Pki();
    ({ root, intermediate } = pki.hierarchy());
  });
  afterAll(() => pki.cleanup());

  // RSASSA-PSS names its hash in its parameters; absent parameters mean SHA-1 (RFC 4055 3.1).
  test.each([
    ["sha256", ["-sigopt", "rsa_pss_saltlen:32"], "RSASSA-PSS with SHA-256", "SHA-256", false],
    ["sha384", ["-sigopt", "rsa_pss_saltlen:48"], "RSASSA-PSS with SHA-384", "SHA-384", false],
    ["sha1", ["-sigopt", "rsa_pss_saltlen:20"], "RSASSA-PSS with SHA-1", "SHA-1", true],
  ])("an openssl-made RSASSA-PSS certificate signed with %s: the hash is read from the parameters", (digest, opts, algorithm, hash, weak) => {
    const dir = pki.write(`pss-${digest}.cnf`, "");
    const key = dir.replace(/\.cnf$/, ".key");
    const crt = dir.replace(/\.cnf$/, ".der");
    pki.openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-subj", `/CN=pss-${digest}`, `-${digest}`, "-sigopt", "rsa_padding_mode:pss", ...opts, "-days", "30", "-outform", "DER", "-out", crt]);
    const info = parseCertificate(require("node:fs").readFileSync(crt));
    expect(info.signature).toMatchObject({ algorithm, hash, weak });
  });

  test("thumbprint equals openssl's SHA-1 fingerprint; names, EKU, KU and key read right", () => {
    const leaf = pki.issue("leaf", { cn: "dc1.example.test", san: "DNS:dc1.example.test,DNS:example.test,IP:127.0.0.1,email:a@example.test", eku: "serverAuth,clientAuth", keyUsage: "critical,digitalSignature,keyEncipherment" }, intermediate);
    const info = parseCertificate(leaf.der);
    expect(info.thumbprint).toBe(pki.fingerprint(leaf));
    expect(info.subjectCommonNames).toEqual(["dc1.example.test"]);
    expect(info.san).toEqual({ dns: ["dc1.example.test", "example.test"], ip: ["127.0.0.1"], other: ["email:a@example.test"] });
    expect(info.eku).toMatchObject({ present: true, serverAuth: true, oids: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"], names: ["Server Authentication", "Client Authentication"] });
    expect(info.keyUsage.usages).toEqual(["digitalSignature", "keyEncipherment"]);
    expect(info.publicKey).toMatchObject({ algorithm: "RSA", bits: 2048, rsaExponent: 65537 });
    expect(info.signature).toMatchObject({ algorithm: "sha256WithRSAEncryption", hash: "SHA-256", weak: false });
    expect(info.issuer).toContain("CN=Test Issuing CA");
    expect(info.basicConstraints.isCA).toBe(false);
    expect(parseCertificate(intermediate.der).basicConstraints).toEqual({ present: true, isCA: true, pathLength: 0 });
    expect(parseCertificate(root.der).selfIssued).toBe(true);
  });

  test("EC keys, SHA-1 signatures and odd dates", () => {
    const ec = parseCertificate(pki.issue("ec", { cn: "ec.example.test", key: "ec:P-384", md: "sha384" }, intermediate).der);
    expect(ec.publicKey).toMatchObject({ algorithm: "EC", curve: "P-384", bits: 384 });
    const sha1 = parseCertificate(pki.issue("sha1", { cn: "old.example.test", md: "sha1" }, intermediate).der);
    expect(sha1.signature).toMatchObject({ hash: "SHA-1", weak: true });
    const dated = parseCertificate(pki.issue("dated", { cn: "d", start: "20300101000000Z", end: "20510101000000Z" }, intermediate).der);
    expect(dated.notBefore.toISOString()).toBe("2030-01-01T00:00:00.000Z");
    expect(dated.notAfter.toISOString()).toBe("2051-01-01T00:00:00.000Z"); // GeneralizedTime after 2049
  });

  test("truncated DER, trailing bytes and garbage are errors, not crashes", () => {
    const der = parseCertificate; // eslint quiet
    const leaf = pki.issue("t", { cn: "t" }, intermediate).der;
    expect(() => der(leaf.subarray(0, leaf.length - 10))).toThrow(CertificateParseError);
    expect(() => der(Buffer.concat([leaf, Buffer.from([0, 0])]))).toThrow(/unexpected bytes/);
    expect(() => der(Buffer.from("hello world"))).toThrow(CertificateParseError);
    expect(() => der(Buffer.alloc(0))).toThrow(CertificateParseError);
  });

  test("random bytes never crash the parser with anything but CertificateParseError", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        try {
          parseCertificate(Buffer.from(bytes));
        } catch (e) {
          expect(e).toBeInstanceOf(CertificateParseError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("FQDN matching (RFC 6125 as LDAPS-C02 describes)", () => {
  test.each([
    ["dc1.example.test", ["dc1.example.test"], [], true, "san-dns"],
    ["DC1.Example.TEST", ["dc1.example.test."], [], true, "san-dns"],
    ["dc1.example.test", ["*.example.test"], [], true, "san-dns"],
    ["a.b.example.test", ["*.example.test"], [], false, null],
    ["example.test", ["*.example.test"], [], false, null],
    ["dc1.example.test", ["*.test"], [], false, null],
    ["dc1.example.test", ["d*.example.test"], [], false, null],
    ["dc1.example.test", ["dc1.*.test"], [], false, null],
    ["dc1.example.test", ["other.example.test"], ["dc1.example.test"], false, null],
    ["dc1.example.test", [], ["dc1.example.test"], true, "subject-cn"],
    ["dc1.example.test", [], ["*.example.test"], true, "subject-cn"],
    ["dc1.example.test", [], [], false, null],
    ["dc1.example.test", ["dc1.example.test\u0000.evil.test"], [], false, null],
  ])("%s vs SAN %j CN %j", (fqdn, san, cn, matches, by) => {
    const m = matchFqdn(fqdn, san, cn);
    expect(m.matches).toBe(matches);
    expect(m.matchedBy).toBe(by);
    expect(m.reason.length).toBeGreaterThan(10);
  });

  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const host = fc.array(label, { minLength: 2, maxLength: 5 }).map((l) => l.join("."));

  test("property: a name always matches itself, in any case, and with a trailing dot", () => {
    fc.assert(fc.property(host, (h) => identifierMatches(h.toUpperCase() + ".", h) && identifierMatches(h, h.toUpperCase())));
  });
  test("property: a wildcard matches exactly the hosts one label below its suffix", () => {
    fc.assert(
      fc.property(label, host, host, (first, suffix, other) => {
        expect(identifierMatches(`*.${suffix}`, `${first}.${suffix}`)).toBe(suffix.split(".").length >= 2);
        expect(identifierMatches(`*.${suffix}`, suffix)).toBe(false);
        expect(identifierMatches(`*.${suffix}`, `${first}.${first}.${suffix}`)).toBe(false);
        if (other !== suffix) expect(identifierMatches(`*.${suffix}`, `${first}.${other}`)).toBe(false);
      }),
    );
  });
  test("property: SAN DNS entries, when any, decide alone", () => {
    fc.assert(
      fc.property(host, fc.array(host, { minLength: 1, maxLength: 4 }), (fqdn, san) => {
        const m = matchFqdn(fqdn, san, [fqdn]);
        expect(m.matches).toBe(san.some((s) => s === fqdn));
      }),
    );
  });
  test("property: never throws on arbitrary strings", () => {
    fc.assert(fc.property(fc.string(), fc.array(fc.string()), fc.array(fc.string()), (f, s, c) => typeof matchFqdn(f, s, c).matches === "boolean"));
  });
});
