// The one PEM reader (lib/x509/encoding.ts parsePem): linear work whatever the text holds, and a
// truncated or garbled file is an input error in every command that reads certificate files.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { EncodingError, parsePem } from "../lib/x509/encoding";
import { MAX_CERTIFICATE_FILE_BYTES } from "../lib/limits";
import { Pki } from "./helpers/openssl";
import { requirePeer, hasCommand } from "./helpers/peers";
import { expectCleanError, runCli } from "./helpers/cli";

const certs = join(__dirname, "..", "examples", "certs");
const rootPem = readFileSync(join(certs, "root.pem"), "latin1");
const issuingPem = readFileSync(join(certs, "issuing.pem"), "latin1");

test("a bundle with openssl's text between blocks and RFC 1421 headers reads in order, with line numbers", () => {
  const text = `Bag Attributes\n    friendlyName: root\n${rootPem}subject=CN=x\n${issuingPem}`;
  const blocks = parsePem(text, "bundle");
  expect(blocks.map((b) => [b.label, b.line])).toEqual([
    ["CERTIFICATE", 3],
    ["CERTIFICATE", 3 + rootPem.split("\n").length],
  ]);
  expect(blocks[0].text).toBe(rootPem.trim());
  expect(blocks[1].der.equals(Buffer.from(issuingPem.replace(/-----[^-]+-----|\s/g, ""), "base64"))).toBe(true);
  const withHeaders = parsePem("-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END RSA PRIVATE KEY-----\n", "k");
  expect(withHeaders[0].der).toEqual(Buffer.from([0, 0, 0]));
});

test.each([
  ["a block without its END line (truncated)", rootPem + rootPem.slice(0, 200), /x\.pem: no complete PEM block: "CERTIFICATE" at line \d+ has no END line \(truncated\?\)/],
  ["a BEGIN inside an open block", "-----BEGIN CERTIFICATE-----\nAAAA\n" + rootPem, /no complete PEM block: "CERTIFICATE" at line 1 has no END line/],
  ["an END that does not match", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END PRIVATE KEY-----\n", /PEM block "CERTIFICATE" at line 1 ends with "END PRIVATE KEY"/],
  ["an END without a BEGIN", "junk\n-----END CERTIFICATE-----\n", /"END CERTIFICATE" at line 2 without a BEGIN line/],
  ["a body that is not base64", "-----BEGIN CERTIFICATE-----\nnot*base64!\n-----END CERTIFICATE-----\n", /PEM block "CERTIFICATE" is not valid base64 \(the block at line 1\)/],
])("%s is an error", (_name, text, pattern) => {
  expect(() => parsePem(text, "x.pem")).toThrow(EncodingError);
  expect(() => parsePem(text, "x.pem")).toThrow(pattern);
});

// Shapes that made the old regex reader quadratic, and others that keep a scanner busy. Work is
// counted (characters examined), not timed: it must stay within a constant factor of the length.
const hostile: Array<[string, (n: number) => string]> = [
  ["unterminated BEGIN lines after one open block", (n) => "-----BEGIN CERTIFICATE-----\n" + "-----BEGIN CERTIFICATE\n".repeat(n)],
  ["BEGIN lines without their closing dashes", (n) => "-----BEGIN CERTIFICATE\n".repeat(n)],
  ["nothing but dashes", (n) => "-".repeat(23 * n)],
  ["long labels that never close", (n) => `-----BEGIN ${"A".repeat(70)}\n`.repeat(n)],
  ["many small complete blocks", (n) => "-----BEGIN X-----\nAAAA\n-----END X-----\n".repeat(n)],
  ["many blocks on one line", (n) => "-----BEGIN X-----AAAA-----END X-----".repeat(n)],
];

test.each(hostile)("linear work: %s", (_name, make) => {
  const perChar: number[] = [];
  for (const n of [5_000, 20_000]) {
    const text = make(n);
    const work = { scanned: 0 };
    try {
      parsePem(text, "hostile", work);
    } catch (e) {
      expect(e).toBeInstanceOf(EncodingError);
    }
    expect(work.scanned).toBeGreaterThanOrEqual(text.length);
    perChar.push(work.scanned / text.length);
  }
  // Quadrupling the input does not raise the work per character (a quadratic reader would quadruple it).
  expect(perChar[1]).toBeLessThanOrEqual(perChar[0] * 1.01);
  // A small constant: the five-dash search, a keyword compare per candidate, a bounded label look, two reads of each body.
  expect(Math.max(...perChar)).toBeLessThanOrEqual(12);
});

const haveOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl");
(haveOpenssl ? describe : describe.skip)("certificate files on the command line", () => {
  let pki: Pki;
  beforeAll(() => (pki = new Pki()));
  afterAll(() => pki?.cleanup());

  const bad: Array<[string, () => string | Buffer, RegExp]> = [
    ["truncated PEM", () => rootPem + rootPem.slice(0, rootPem.length / 2), /no complete PEM block: "CERTIFICATE" at line 2\d has no END line/],
    ["1 MB of unterminated BEGIN lines", () => "-----BEGIN CERTIFICATE-----\n".repeat(40_000), /no complete PEM block: "CERTIFICATE" at line 1 has no END line/],
    ["garbage", () => "hello world\n".repeat(10), /not a certificate, key or PFX file/],
    ["a file above the certificate-file size limit", () => Buffer.alloc(MAX_CERTIFICATE_FILE_BYTES + 1, "A"), new RegExp(`${MAX_CERTIFICATE_FILE_BYTES + 1} bytes is larger than the ${MAX_CERTIFICATE_FILE_BYTES}-byte limit`)],
    ["a PEM certificate whose DER is not a certificate", () => "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n", /the certificate: not a DER X\.509 certificate/],
  ];

  test.each(bad)("preflight with %s: exit 2 naming the file", (name, content, pattern) => {
    const p = pki.write(`${name.replace(/\W+/g, "-")}.pem`, content());
    expectCleanError(runCli(["preflight", p, "--fqdn", "dc1.example.test"]), 2, new RegExp(`${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${pattern.source}`));
  });

  test.each(bad)("probe --ca with %s: exit 2 before any connection", (name, content, pattern) => {
    const p = pki.write(`ca-${name.replace(/\W+/g, "-")}.pem`, content());
    expectCleanError(runCli(["probe", "127.0.0.1:1", "--ca", p, "--no-versions"]), 2, new RegExp(`--ca ${p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: ${pattern.source}`));
  });

  test("the bad certificate is named by its place in the file, not by a snapshot pointer", () => {
    const p = pki.write("second-bad.pem", rootPem + "-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n");
    const r = runCli(["preflight", p, "--fqdn", "dc1.example.test"]);
    expectCleanError(r, 2, /second-bad\.pem: certificate 2 of 2: not a DER X\.509 certificate/);
    expect(r.stderr).not.toMatch(/snapshot|\/stores\//);
  });
});
