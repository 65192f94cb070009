// Review findings on profile loading (lint, parameters of user controls, references to shipped controls,
// order of restatements, inherited `reads`, hostile input). Every row is a profile a user could write;
// each was accepted (and could never fail) or crashed before the fix.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateFiles } from "../lib/audit";
import { InputError } from "../lib/errors";
import { loadProfile } from "../lib/profile/load";
import { expectCleanError, runCli } from "./helpers/cli";

const NOW = new Date("2026-11-24T00:00:00Z");
const healthy = join(__dirname, "..", "examples", "healthy-dc.snapshot.json");
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-profile-lint-"));
let n = 0;
const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
const BASELINE = "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json";
const HARDENED = "https://ldaps-audit.dev/schemas/profiles/hardened.profile.json";
const C09 = "https://ldaps-audit.dev/schemas/controls/LDAPS-C09.json";

/** A user profile file: allOf as given (text replacements let a row use keys like __proto__). */
function profile(allOf: unknown[], replace: Array<[string, string]> = []): string {
  const name = `p${++n}.profile.json`;
  let text = JSON.stringify({ $schema: SCHEMA, $id: `https://example.test/lint/${name}`, allOf });
  for (const [a, b] of replace) text = text.split(a).join(b);
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}
const control = (then: unknown, scope: "certificate" | "host" = "certificate", id = "U-1") => ({ ldapsControl: { id, title: "t", severity: "low", scope }, if: true, then });
const status = (path: string, id: string, snapshot = healthy) => evaluateFiles([snapshot], { now: NOW, profile: path }).targets[0].controls.find((c) => c.id === id)!;

describe("finding 1: the lint follows every keyword that reads facts, or refuses the control", () => {
  test.each<[string, unknown, RegExp, "certificate" | "host"]>(([
    ["dependentSchemas value", { properties: { publicKey: { dependentSchemas: { algorithm: { properties: { bitz: { minimum: 3072 } } } } } } }, /control U-1 .*reads publicKey\.bitz, .*nearest known name: publicKey\.bits/],
    ["dependentSchemas key", { dependentSchemas: { publicKye: { required: ["publicKey"] } } }, /reads publicKye, .*nearest known name: publicKey/],
    ["dependentRequired key", { dependentRequired: { publicKye: ["publicKey"] } }, /reads publicKye, .*nearest known name: publicKey/],
    ["dependentRequired value", { dependentRequired: { publicKey: ["publicKye"] } }, /reads publicKye, .*nearest known name: publicKey/],
    ["patternProperties matching no name", { properties: { publicKey: { patternProperties: { "^bitz$": { minimum: 3072 } } } } }, /patternProperties "\^bitz\$" at publicKey, which matches no name the facts have there \(known: algorithm, bits, curve\)/],
    ["patternProperties with a typo below a match", { patternProperties: { "^publicK": { properties: { bitz: { minimum: 3072 } } } } }, /reads publicKey\.bitz, /],
    ["additionalProperties", { properties: { publicKey: { properties: { algorithm: true, curve: true }, additionalProperties: { properties: { x: { const: 1 } } } } } }, /reads publicKey\.bits\.x, /],
    ["unevaluatedProperties", { properties: { publicKey: { properties: { algorithm: true, curve: true }, unevaluatedProperties: { properties: { x: { const: 1 } } } } } }, /reads publicKey\.bits\.x, /],
    ["propertyNames", { properties: { publicKey: { propertyNames: { not: { const: "bitz" } } } } }, /uses propertyNames at .*#\/allOf\/1\/then\/properties\/publicKey\/propertyNames: /],
    ["$dynamicRef", { $dynamicRef: "#/allOf/1/then" }, /uses \$dynamicRef at .*#\/allOf\/1\/then\/\$dynamicRef: /],
    ["items on an object", { properties: { publicKey: { items: { properties: { bitz: { minimum: 3072 } } } } } }, /applies items to publicKey, which is not an array in the facts/],
    ["contains on a string", { properties: { subject: { contains: { const: "x" } } } }, /applies contains to subject, which is not an array/],
    ["a name below an enum leaf", { properties: { storeRole: { properties: { foo: { const: 1 } } } } }, /reads storeRole\.foo, .*no "foo" at storeRole/],
    ["a name below a const leaf (host)", { properties: { schemaVersion: { properties: { foo: { const: 1 } } } } }, /reads schemaVersion\.foo, /, "host"],
    ["constructor", { properties: { publicKey: { properties: { constructor: { minimum: 8192 } } } } }, /reads publicKey\.constructor, /],
    ["toString", { properties: { publicKey: { properties: { toString: { minimum: 8192 } } } } }, /reads publicKey\.toString, /],
    ["__proto__", { properties: { publicKey: { properties: { PROTO_KEY: { minimum: 8192 } } } } }, /reads publicKey\.__proto__, /],
  ] as Array<[string, unknown, RegExp, ("certificate" | "host")?]>).map(([a, b, c, d]) => [a, b, c, d ?? "certificate"]))("%s: refused with exit 2, naming the control and the path", (_name, then, message, scope) => {
    const path = profile([{ $ref: BASELINE }, control(then, scope)], [["PROTO_KEY", "__proto__"]]);
    expect(() => loadProfile(path)).toThrow(InputError);
    expect(() => loadProfile(path)).toThrow(message);
    expectCleanError(runCli(["evaluate", healthy, "--profile", path]), 2, message);
  });

  // The same keywords, spelt right, load and judge (healthy-dc's key is RSA 2048).
  test.each<[string, unknown, string]>([
    ["patternProperties", { properties: { publicKey: { patternProperties: { "^bits$": { minimum: 3072 } } } } }, "fail"],
    ["dependentSchemas", { properties: { publicKey: { dependentSchemas: { algorithm: { properties: { bits: { minimum: 3072 } } } } } } }, "fail"],
    ["dependentRequired", { properties: { publicKey: { dependentRequired: { algorithm: ["bits"] } } } }, "pass"],
    ["additionalProperties", { properties: { publicKey: { properties: { algorithm: true, curve: true }, additionalProperties: { minimum: 3072 } } } }, "fail"],
    ["items on an array", { properties: { san: { properties: { dns: { items: { not: { pattern: "^\\*\\." } } } } } } }, "pass"],
  ])("%s spelt right loads and judges", (_name, then, expected) => {
    expect(status(profile([{ $ref: BASELINE }, control(then)]), "U-1").status).toBe(expected);
  });
});

describe("finding 2: a parameter of a user-defined control can be overridden", () => {
  const k1 = (minimum: number) => ({
    ldapsControl: { id: "CONTOSO-K1", title: "RSA min", severity: "low", scope: "certificate" },
    $defs: { minBits: { minimum } },
    if: true,
    then: { properties: { publicKey: { properties: { bits: { $ref: "#/allOf/1/$defs/minBits" } } } } },
  });
  test.each<[string, unknown[], number, string]>([
    ["defined at 2048", [{ $ref: BASELINE }, k1(2048)], 2048, "pass"],
    ["defined at 2048, restated at 4096", [{ $ref: BASELINE }, k1(2048), { ldapsControl: { id: "CONTOSO-K1" }, $defs: { minBits: { minimum: 4096 } } }], 4096, "fail"],
    ["defined at 4096, restated at 2048", [{ $ref: BASELINE }, k1(4096), { ldapsControl: { id: "CONTOSO-K1" }, $defs: { minBits: { minimum: 2048 } } }], 2048, "pass"],
  ])("%s: the verdict follows the effective parameter", (_name, allOf, minimum, expected) => {
    const path = profile(allOf);
    expect(loadProfile(path).controls.find((c) => c.meta.id === "CONTOSO-K1")!.parameters).toEqual({ minBits: { minimum } });
    expect(status(path, "CONTOSO-K1").status).toBe(expected);
  });

  test("finding 7: evidence names where the effective parameter was stated", () => {
    const path = profile([{ $ref: BASELINE }, k1(2048), { ldapsControl: { id: "CONTOSO-K1" }, $defs: { minBits: { minimum: 4096 } } }]);
    expect(status(path, "CONTOSO-K1").evidence[0]).toMatchObject({ schemaPath: expect.stringMatching(/#\/allOf\/2\/\$defs\/minBits\/minimum$/), message: "must be >= 4096" });
  });
});

test("finding 7: N02's evidence for C09's parameter names the profile's override, not a $defs N02 does not have", () => {
  const der = (name: string) => readFileSync(join(__dirname, "..", "examples", "certs", `${name}.pem`), "utf8").replace(/-----[^-]+-----|\s/g, "");
  const probe = join(tmp, "dc1.probe.json");
  writeFileSync(
    probe,
    JSON.stringify({
      schemaVersion: 1,
      collector: { name: "ldaps-audit-probe" },
      host: { fqdn: "dc1.corp.example.test" },
      network: { endpoints: [{ host: "dc1.corp.example.test", port: 636, mode: "ldaps", purpose: "ldap", servername: "dc1.corp.example.test", failure: null, tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: [der("dc1"), der("issuing")], authorized: true, authorizationError: null, hostnameMatches: true }, ldap: { rootDse: { dnsHostName: "dc1.corp.example.test" } } }] },
    }),
  );
  const path = profile([{ $ref: BASELINE }, { ldapsControl: { id: "LDAPS-C09", advisory: false }, $defs: { rsaMinBits: { minimum: 3072 } } }]);
  const controls = evaluateFiles([healthy], { now: NOW, profile: path, probes: [probe] }).targets[0].controls;
  for (const id of ["LDAPS-C09", "LDAPS-N02"]) {
    const bits = controls.find((c) => c.id === id)!.evidence.find((e) => e.instancePath.endsWith("/publicKey/bits"))!;
    expect({ id, schemaPath: bits.schemaPath }).toEqual({ id, schemaPath: `https://example.test/lint/${path.split("/").pop()}#/allOf/1/$defs/rsaMinBits/minimum` });
  }
});

describe("finding 3: a reference to a shipped control reaches the profile's parameters", () => {
  const raised = { ldapsControl: { id: "LDAPS-C09" }, $defs: { rsaMinBits: { minimum: 4096 } } };
  test.each<[string, unknown]>([
    ["the control document", { $ref: C09 }],
    ["its then", { $ref: `${C09}#/then` }],
    ["its parameter", { properties: { publicKey: { properties: { bits: { $ref: `${C09}#/$defs/rsaMinBits` } } } } }],
    ["a profile entry that refers on to it", { $ref: `${BASELINE}#/allOf/10` }],
  ])("%s: a 2048-bit key fails once C09 asks for 4096", (_name, then) => {
    expect(status(profile([{ $ref: BASELINE }, control(then)]), "U-1").status).toBe("pass");
    expect(status(profile([{ $ref: BASELINE }, raised, control(then)]), "U-1").status).toBe("fail");
  });

  test("a reference to a part the profile replaces is refused", () => {
    const path = profile([{ $ref: BASELINE }, { ldapsControl: { id: "LDAPS-C09" }, then: { properties: { publicKey: { properties: { bits: { minimum: 1024 } } } } } }, control({ $ref: `${C09}#/then` })]);
    expectCleanError(runCli(["evaluate", healthy, "--profile", path]), 2, /control U-1: .*\$ref ".*LDAPS-C09\.json#\/then" reaches the "then" of control LDAPS-C09 .*which this profile replaces/);
  });
});

describe("finding 4: a restatement before the $ref that selects its control", () => {
  test("applies when nothing selected later restates the same thing", () => {
    const path = profile([{ ldapsControl: { id: "LDAPS-C07" }, $defs: { warnDays: { minimum: 45 } } }, { $ref: BASELINE }]);
    const p = loadProfile(path);
    expect(p.controls.find((c) => c.meta.id === "LDAPS-C07")!.parameters).toMatchObject({ failDays: { minimum: 7 }, warnDays: { minimum: 45 } });
    // Its place in the report is the control file's, as if written after the $ref.
    expect(p.controls.map((c) => c.meta.id)).toEqual(loadProfile("baseline").controls.map((c) => c.meta.id));
  });

  test.each<[string, unknown[], RegExp]>([
    ["a shipped profile restates it again (ambiguous)", [{ ldapsControl: { id: "LDAPS-G02" }, $defs: { minimumLevel: { minimum: 1 } } }, { $ref: HARDENED }], /#\/allOf\/0: restates LDAPS-G02 before any control file selects it, and .*hardened\.profile\.json#\/allOf\/14 restates \$defs\.minimumLevel again after the \$ref; move it after the \$ref/],
    ["a user control restated before its definition", [{ $ref: BASELINE }, { ldapsControl: { id: "U-1" }, $defs: { p: { minimum: 1 } } }, { ...control({ properties: { publicKey: { properties: { bits: { $ref: "#/allOf/2/$defs/p" } } } } }), $defs: { p: { minimum: 2 } } }], /#\/allOf\/1: restates U-1 before any control defines it; move it after the definition/],
  ])("is refused when %s", (_name, allOf, message) => {
    expectCleanError(runCli(["evaluate", healthy, "--profile", profile(allOf)]), 2, message);
  });
});

describe("finding 5: restating a part drops the inherited `reads`", () => {
  test.each<[string, unknown, string]>([
    ["C01: serverAuth or anyPurpose", { ldapsControl: { id: "LDAPS-C01" }, then: { properties: { eku: { anyOf: [{ properties: { serverAuth: { const: true } } }, { properties: { anyPurpose: { const: true } } }] } } } }, "pass"],
    ["C09: its then restated to 4096", { ldapsControl: { id: "LDAPS-C09" }, then: { properties: { publicKey: { properties: { bits: { minimum: 4096 } } } } } }, "warn"],
  ])("%s loads and judges", (_name, item, expected) => {
    const path = profile([{ $ref: BASELINE }, item]);
    const id = (item as { ldapsControl: { id: string } }).ldapsControl.id;
    expect(status(path, id).status).toBe(expected);
  });

  test("a restatement that states `reads` is still checked", () => {
    const path = profile([{ $ref: BASELINE }, { ldapsControl: { id: "LDAPS-C01", reads: ["eku.serverAuth"] }, then: { properties: { eku: { properties: { anyPurpose: { const: true } } } } } }]);
    expectCleanError(runCli(["evaluate", healthy, "--profile", path]), 2, /control LDAPS-C01 .*declares it reads eku\.serverAuth, but its schemas read eku\.anyPurpose/);
  });
});

describe("finding 6: hostile profiles are one line and exit 2, within the lint's step budget", () => {
  // Bounded work is proven by the lint's step counter (the "more than 100,000 steps" case), never by a clock:
  // a wall-clock limit fails on a loaded machine (22 s seen at load 13) and proves nothing on a fast one.
  // A doubling chain of references: 2^24 paths through one control.
  const doubling = Object.fromEntries(Array.from({ length: 24 }, (_, i) => [`d${i}`, i === 23 ? { properties: { publicKey: { properties: { bits: { minimum: 1 } } } } } : { anyOf: [{ $ref: `#/allOf/1/$defs/d${i + 1}` }, { $ref: `#/allOf/1/$defs/d${i + 1}` }] }]));
  test.each<[string, () => string, RegExp]>([
    ["a recursive schema", () => profile([control({ properties: { storeRole: { anyOf: [{ type: ["string", "null"] }, { $ref: "#/allOf/0/then" }] } } })]), /control U-1 .*reads storeRole\.storeRole, /],
    ["a combinatorially large schema", () => profile([{ $ref: BASELINE }, { ...control({ $ref: "#/allOf/1/$defs/d0" }), $defs: doubling }]), /control U-1 .*more than 100,000 steps to check/],
    ["a 200 KB property name", () => profile([control({ properties: { ["x".repeat(200_000)]: { const: 1 } } })]), /reads x{80}\.\.\. \(200000 characters\), which the facts do not have/],
    ["a 200 KB pattern", () => profile([control({ patternProperties: { ["x".repeat(200_000)]: { const: 1 } } })]), /has patternProperties "x{80}\.\.\. \(200000 characters\)", which is not a usable regular expression/],
    ["a 200 KB $ref to nothing", () => profile([{ $ref: BASELINE }, control({ $ref: `#/${"x".repeat(200_000)}` })]), /control U-1 .*its schema does not compile: .*\.\.\. \(\d+ characters\)/],
    ["a malformed percent-escape in a $ref", () => profile([{ $ref: "#/%E0%A4%A" }]), /p\d+\.profile\.json#\/allOf\/0\/\$ref: \$ref "#\/%E0%A4%A" is not a valid URI reference/],
    ["a malformed percent-escape in a control's $ref", () => profile([{ $ref: BASELINE }, control({ $ref: "#/allOf/1/%E0%A4%A" })]), /p\d+\.profile\.json: control U-1: .*#\/allOf\/1\/then\/\$ref: \$ref "#\/allOf\/1\/%E0%A4%A" is not a valid URI reference/],
    ["a $ref that is no URL", () => profile([{ $ref: "http://[::1" }]), /p\d+\.profile\.json#\/allOf\/0\/\$ref: \$ref "http:\/\/\[::1" is not a valid URI reference/],
  ])("%s", (_name, make, message) => {
    const path = make();
    const r = runCli(["evaluate", healthy, "--profile", path]);
    expectCleanError(r, 2, message);
    expect(r.stderr.length).toBeLessThan(2000);
  });
});
