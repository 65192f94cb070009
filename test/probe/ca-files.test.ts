// probe --ca reads plain certificate files with node:crypto (no @peculiar/x509 at start-up, issue 17) and
// everything else through the preflight reader. Proved: on the shipped certificates, bundles of them and DER,
// the result equals the preflight reader's (what readCaFiles returned before); any other content, mutated or
// random, is a list of certificates or one InputError, never a crash.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { InputError } from "../../lib/errors";
import { readMaterial } from "../../lib/import/files";
import { readCaFiles } from "../../lib/probe/files";

const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-ca-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const write = (content: string | Buffer) => {
  const p = join(dir, `f${n++}.pem`);
  writeFileSync(p, content);
  return p;
};
const CERTS = join(__dirname, "..", "..", "examples", "certs");
const pems = readdirSync(CERTS).filter((f) => f.endsWith(".pem")).map((f) => readFileSync(join(CERTS, f), "utf8"));
const viaPreflightReader = (p: string) => readMaterial(p, undefined).certificates.map((der) => new X509Certificate(der).toString());

test("plain certificate files: the same PEM list as the preflight reader gives", () => {
  expect(pems.length).toBeGreaterThan(3);
  for (const pem of pems) {
    const p = write(pem);
    expect(readCaFiles([p])).toEqual(viaPreflightReader(p));
  }
  const bundle = write(pems.join("\n"));
  expect(readCaFiles([bundle])).toEqual(viaPreflightReader(bundle));
  expect(readCaFiles([bundle]).length).toBeGreaterThan(3);
  const der = write(new X509Certificate(pems[0]).raw);
  expect(readCaFiles([der])).toEqual(viaPreflightReader(der));
});

test("other content: the preflight reader's input error, prefixed with --ca", () => {
  expect(() => readCaFiles([write("")])).toThrow(/^--ca .*: file is empty/);
  expect(() => readCaFiles([write("-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n")])).toThrow(/^--ca .*: the certificate: not a DER X\.509 certificate/);
  expect(() => readCaFiles([write(readFileSync(join(CERTS, "dc1.key")))])).toThrow(/^--ca .*: holds no certificate/);
  expect(() => readCaFiles([join(dir, "missing.pem")])).toThrow(/^--ca .*: no such file/);
});

test("any bytes or mutated certificate: certificates or one InputError", () => {
  const der = new X509Certificate(pems[0]).raw;
  const mutated = fc.tuple(fc.nat(der.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, b]) => {
    const d = Buffer.from(der);
    d[i] = b;
    return d;
  });
  const asPem = (d: Buffer) => `-----BEGIN CERTIFICATE-----\n${d.toString("base64")}\n-----END CERTIFICATE-----\n`;
  const content = fc.oneof(mutated, mutated.map(asPem), fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)), fc.string().map((s) => `-----BEGIN CERTIFICATE-----\n${s}`));
  fc.assert(
    fc.property(content, (c) => {
      const p = write(c);
      try {
        const out = readCaFiles([p]);
        expect(out.length).toBeGreaterThan(0);
        for (const pem of out) expect(pem).toMatch(/^-----BEGIN CERTIFICATE-----/);
      } catch (e) {
        expect(e).toBeInstanceOf(InputError);
      }
    }),
    { numRuns: 300 },
  );
});
