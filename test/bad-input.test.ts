// Bad input of every kind gives one clear line (exit 2) or a correct result, never a crash.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateFiles } from "../lib/audit";
import { InputError } from "../lib/errors";
import { expectCleanError, runCli } from "./helpers/cli";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-bad-"));
const healthy = JSON.parse(readFileSync(join(__dirname, "..", "examples", "healthy-dc.snapshot.json"), "utf8"));
const file = (name: string, content: string | Buffer) => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};

test.each([
  ["empty file", "", /empty\.json: file is empty, expected JSON/],
  ["not JSON", "{ this is not json", /notjson\.json: not valid JSON at line 1, column 3/],
  ["JSON array", "[]", /must be object/],
  ["wrong shape", JSON.stringify({ schemaVersion: 1, host: { fqdn: "" } }), /at \/host\/fqdn: must NOT have fewer than 1 characters/],
  ["unknown property", JSON.stringify({ ...healthy, extra: 1 }), /at \/: unexpected property "extra"/],
  ["wrong schema version", JSON.stringify({ ...healthy, schemaVersion: 2 }), /at \/schemaVersion: must be equal to constant 1/],
])("%s", (name, content, pattern) => {
  const p = file(`${name === "empty file" ? "empty" : name === "not JSON" ? "notjson" : name.replace(/\W/g, "")}.json`, content);
  expectCleanError(runCli(["evaluate", p]), 2, pattern);
});

test("truncated DER inside a snapshot names the certificate's JSON pointer", () => {
  const snap = structuredClone(healthy);
  const der = Buffer.from(snap.stores[1].certificates[0].der, "base64");
  snap.stores[1].certificates[0].der = der.subarray(0, 100).toString("base64");
  delete snap.stores[1].certificates[0].thumbprint;
  expectCleanError(runCli(["evaluate", file("trunc.json", JSON.stringify(snap))]), 2, /trunc\.json: at \/stores\/1\/certificates\/0: truncated or not DER/);
});

test("a thumbprint that does not match the DER is caught", () => {
  const snap = structuredClone(healthy);
  snap.stores[1].certificates[0].thumbprint = "0".repeat(40);
  expectCleanError(runCli(["evaluate", file("thumb.json", JSON.stringify(snap))]), 2, /thumbprint: 0{40} does not match the certificate/);
});

test("50 MB of junk is refused as JSON, quickly and cleanly", () => {
  const p = file("big.json", Buffer.alloc(50 * 1024 * 1024, "x"));
  expectCleanError(runCli(["evaluate", p]), 2, /big\.json: not valid JSON/);
});

test("an input above the size limit is refused before reading", () => {
  expect(() => evaluateFiles([file("limit.json", "{}")], {})).toThrow(InputError);
  const { readInputFile } = jest.requireActual("../lib/input") as typeof import("../lib/input");
  expect(() => readInputFile(file("small.json", "12345"), 4)).toThrow(/5 bytes is larger than the 4-byte limit/);
});

test("a snapshot with 10,000 certificates is evaluated correctly", () => {
  const snap = structuredClone(healthy);
  const good = snap.stores[1].certificates[0];
  const bad = { ...good, privateKey: { present: false } };
  snap.stores[1].certificates = Array.from({ length: 10000 }, (_, i) => (i === 0 ? good : bad));
  const p = file("many.json", JSON.stringify(snap));
  const report = evaluateFiles([p], { now: new Date("2026-11-24T00:00:00Z") });
  const t = report.targets[0];
  expect(t.certificates).toHaveLength(10000);
  expect(t.controls.find((c) => c.id === "LDAPS-S01")?.status).toBe("pass");
  // The same certificate without its key is reported per entry, and does not confuse the selection.
  expect(t.certificates.filter((c) => c.qualifies)).toHaveLength(1);
  expect(t.certificates[1].controls.find((c) => c.id === "LDAPS-C03")?.status).toBe("fail");
});

// Every place a certificate sits in a snapshot: a bad one is named by the file and the pointer of the
// element itself (a presented chain's second certificate is /tls/chain/1, not /0 of a slice).
const goodDer = healthy.stores[1].certificates[0].der as string;
const badDer = Buffer.from(goodDer, "base64").subarray(0, 100).toString("base64");
test.each([
  ["a store certificate", (s: typeof healthy) => ((s.stores[1].certificates[0] = { der: badDer }), s), /at \/stores\/1\/certificates\/0: truncated or not DER/],
  ["a trust anchor", (s: typeof healthy) => ((s.trustAnchors = [goodDer, badDer]), s), /at \/trustAnchors\/1: truncated or not DER/],
  ["an intermediate", (s: typeof healthy) => ((s.intermediates = [badDer]), s), /at \/intermediates\/0: truncated or not DER/],
  ["a presented leaf", (s: typeof healthy) => ((s.network = { endpoints: [{ host: "h", port: 636, mode: "ldaps", tls: { chain: [badDer] } }] }), s), /at \/network\/endpoints\/0\/tls\/chain\/0: truncated or not DER/],
  ["a presented chain's second certificate", (s: typeof healthy) => ((s.network = { endpoints: [{ host: "h", port: 636, mode: "ldaps", tls: { chain: [goodDer, goodDer, badDer] } }] }), s), /at \/network\/endpoints\/0\/tls\/chain\/2: truncated or not DER/],
])("a bad certificate as %s: the error names the file and that element", (_what, mutate, pattern) => {
  const p = file("pointer.json", JSON.stringify(mutate(structuredClone(healthy))));
  const r = runCli(["evaluate", p]);
  expectCleanError(r, 2, new RegExp(`pointer\\.json: ${pattern.source}`));
  expect(r.stderr).not.toMatch(/(not valid base64|: at ).*\1/); // said once, not twice
});
