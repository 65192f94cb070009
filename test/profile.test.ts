// Profiles are JSON Schema: user profiles extend shipped ones with allOf/$ref, override a control by
// restating its id, add their own controls; strict mode catches typos; waivers apply and expire.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateFiles } from "../lib/audit";
import { loadProfile } from "../lib/profile/load";
import { expectCleanError, runCli } from "./helpers/cli";

const ex = (name: string) => join(__dirname, "..", "examples", `${name}.snapshot.json`);
const contoso = join(__dirname, "..", "examples", "profiles", "contoso.profile.json");
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-profile-"));
const write = (name: string, doc: unknown) => {
  const p = join(tmp, name);
  writeFileSync(p, typeof doc === "string" ? doc : JSON.stringify(doc));
  return p;
};

test("shipped profiles: baseline has the catalogue's baseline controls, hardened adds the rest", () => {
  const baseline = loadProfile("baseline").controls.map((c) => c.meta.id);
  expect(baseline).toEqual(expect.arrayContaining(["LDAPS-S01", "LDAPS-S02", "LDAPS-C01", "LDAPS-C02", "LDAPS-C03", "LDAPS-C04", "LDAPS-C05", "LDAPS-C06", "LDAPS-C07", "LDAPS-C08", "LDAPS-C10"]));
  // C09 in the baseline warns (OpenSSL clients at security level 2 refuse RSA < 2048); hardened fails under 3072.
  expect(loadProfile("baseline").controls.find((c) => c.meta.id === "LDAPS-C09")).toMatchObject({ meta: { advisory: true }, parameters: { rsaMinBits: { minimum: 2048 } } });
  const hardened = loadProfile("hardened");
  expect(hardened.controls.map((c) => c.meta.id)).toEqual(expect.arrayContaining([...baseline, "LDAPS-C09", "LDAPS-C11", "LDAPS-C12", "LDAPS-S03", "LDAPS-S04"]));
  // The override keeps the inherited metadata and replaces the thresholds.
  const c07 = hardened.controls.find((c) => c.meta.id === "LDAPS-C07")!;
  expect(c07.meta.title).toBe("Expiry runway");
  expect(c07.location).toContain("hardened.profile.json");
  expect(c07.parameters).toMatchObject({ failDays: { minimum: 14 }, warnDays: { minimum: 60 } });
  expect(hardened.controls.find((c) => c.meta.id === "LDAPS-C09")).toMatchObject({ meta: { advisory: false }, parameters: { rsaMinBits: { minimum: 3072 } } });
});

test("a user profile extends baseline, overrides a threshold and adds a control", () => {
  const p = loadProfile(contoso);
  expect(p.id).toBe("contoso");
  const c07 = p.controls.find((c) => c.meta.id === "LDAPS-C07")!;
  expect(c07.meta.severity).toBe("high"); // inherited
  expect(c07.meta.remediation).toMatch(/Contoso PKI portal/); // overridden
  const report = evaluateFiles([ex("healthy-dc")], { profile: contoso, now: new Date("2035-11-30T00:00:00Z") });
  const t = report.targets[0];
  expect(t.controls.find((c) => c.id === "LDAPS-C07")).toMatchObject({ status: "warn", message: expect.stringContaining("expires in 32 days") });
  expect(t.controls.find((c) => c.id === "CONTOSO-W01")?.status).toBe("pass");
  expect(report.profile.id).toBe("contoso");
  expect(report.inputs.find((i) => i.kind === "profile")?.path).toBe(contoso);
});

test("evidence carries the instance path into the facts and the schema path into the profile", () => {
  const report = evaluateFiles([ex("wrong-name")], { now: new Date("2026-11-24T00:00:00Z") });
  const c02 = report.targets[0].certificates[0].controls.find((c) => c.id === "LDAPS-C02")!;
  expect(c02.evidence[0]).toMatchObject({ instancePath: "/certificates/0/name/matches", keyword: "const", value: false });
  expect(c02.evidence[0].schemaPath).toMatch(/controls\/LDAPS-C02\.json#\/then\/properties\/name/);
});

test("profile errors are one clear line", () => {
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write("notjson.json", "{")]), 2, /notjson\.json: not valid JSON/);
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write("noallof.json", { $schema: "https://json-schema.org/draft/2020-12/schema" })]), 2, /not a valid profile: at \/: must have required property 'allOf'/);
  // Strict mode: a misspelt keyword is an error, not a silently ignored requirement.
  const typo = { $schema: "https://json-schema.org/draft/2020-12/schema", allOf: [{ ldapsControl: { id: "X-1", title: "t", severity: "low", scope: "host" }, if: true, then: { propertees: {} } }] };
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write("typo.json", typo)]), 2, /typo\.json: .*unknown keyword: "propertees"/);
  const badMeta = { $schema: "https://json-schema.org/draft/2020-12/schema", allOf: [{ ldapsControl: { id: "X-1", title: "t", severity: "urgent", scope: "host" }, if: true, then: true }] };
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write("meta.json", badMeta)]), 2, /at \/allOf\/0\/ldapsControl\/severity: must be equal to one of the allowed values/);
  const badRef = { $schema: "https://json-schema.org/draft/2020-12/schema", allOf: [{ $ref: "https://ldaps-audit.dev/schemas/profiles/nope.profile.json" }] };
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write("ref.json", badRef)]), 2, /refers to .*nope\.profile\.json, which is not a known profile/);
  const noThen = { $schema: "https://json-schema.org/draft/2020-12/schema", allOf: [{ ldapsControl: { id: "X-2", title: "t", severity: "low", scope: "host" } }] };
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write("nothen.json", noThen)]), 2, /control X-2 .* has no requirement/);
});

describe("waivers", () => {
  const NOW = new Date("2026-11-24T00:00:00Z");
  const waivers = (list: unknown[], ext = "json") => write(`w${Math.random().toString(36).slice(2)}.${ext}`, ext === "json" ? { waivers: list } : list);

  test("a valid waiver turns warn into waived, keeps the original status, and stays compliant", () => {
    const report = evaluateFiles([ex("two-qualifying")], { now: NOW, waivers: join(__dirname, "..", "examples", "waivers.yaml") });
    const s02 = report.targets[0].controls.find((c) => c.id === "LDAPS-S02")!;
    expect(s02).toMatchObject({ status: "waived", waiver: { originalStatus: "warn", expired: false, approver: "pki-team@corp.example.test" } });
    expect(report.summary.controls.waived).toBe(1);
    expect(report.waivers[0]).toMatchObject({ control: "LDAPS-S02", expired: false });
  });

  test("an expired waiver waives nothing and says so", () => {
    const w = waivers([{ control: "LDAPS-C02", justification: "migration", approver: "ciso", expires: "2026-11-23" }]);
    const t = evaluateFiles([ex("wrong-name")], { now: NOW, waivers: w }).targets[0];
    const c02 = t.controls.find((c) => c.id === "LDAPS-C02")!;
    expect(c02.status).toBe("fail");
    expect(c02.message).toMatch(/waiver expired on 2026-11-23 \(approved by ciso\); it no longer applies/);
    expect(t.status).toBe("noncompliant");
  });

  test("the expiry day itself is still covered; host and thumbprint scopes must match", () => {
    const thumb = evaluateFiles([ex("wrong-name")], { now: NOW }).targets[0].certificates[0].thumbprint;
    const run = (w: object) => evaluateFiles([ex("wrong-name")], { now: NOW, waivers: waivers([{ justification: "j", approver: "a", expires: "2026-11-24", ...w }]) }).targets[0];
    expect(run({ control: "LDAPS-C02" }).controls.find((c) => c.id === "LDAPS-C02")!.status).toBe("waived");
    expect(run({ control: "LDAPS-C02", host: "DC1.corp.example.test" }).controls.find((c) => c.id === "LDAPS-C02")!.status).toBe("waived");
    expect(run({ control: "LDAPS-C02", host: "dc2.corp.example.test" }).controls.find((c) => c.id === "LDAPS-C02")!.status).toBe("fail");
    expect(run({ control: "LDAPS-C02", thumbprint: thumb.toLowerCase() }).controls.find((c) => c.id === "LDAPS-C02")!.status).toBe("waived");
    expect(run({ control: "LDAPS-C02", thumbprint: "A".repeat(40) }).controls.find((c) => c.id === "LDAPS-C02")!.status).toBe("fail");
    // Waiving every failure makes the target compliant.
    const all = evaluateFiles([ex("wrong-name")], { now: NOW, waivers: waivers(["LDAPS-C02", "LDAPS-S01", "LDAPS-E01", "LDAPS-E02"].map((control) => ({ control, justification: "j", approver: "a", expires: "2027-01-01" }))) });
    expect(all.targets[0].status).toBe("compliant");
  });

  test("bad waiver files are one clear line", () => {
    expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--waivers", write("w1.yaml", "waivers:\n  - control: LDAPS-C01\n")]), 2, /w1\.yaml: not a valid waivers file: at \/waivers\/0: must have required property 'justification'/);
    expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--waivers", write("w2.yaml", "waivers: [\n")]), 2, /w2\.yaml: not valid YAML/);
    expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--waivers", write("w3.json", { waivers: [{ control: "LDAPS-C01", justification: "j", approver: "a", expires: "soon" }] })]), 2, /at \/waivers\/0\/expires: must match format "date"/);
  });
});

test("a user profile that reuses a shipped $id is refused instead of silently replaced", () => {
  const doc = JSON.parse(require("node:fs").readFileSync(contoso, "utf8"));
  doc.$id = "https://ldaps-audit.dev/schemas/profiles/hardened.profile.json";
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write("dup-id.json", doc)]), 2, /its \$id .*hardened\.profile\.json is already used by another profile/);
});

describe("control lint: a control that reads a fact the facts do not have is refused, never evaluated", () => {
  const profile = (name: string, ...allOf: unknown[]) => write(name, { $schema: "https://json-schema.org/draft/2020-12/schema", $id: `https://example.test/${name}`, allOf: [{ $ref: "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json" }, ...allOf] });
  const control = (extra: object) => ({ ldapsControl: { id: "X-KEY", title: "big keys", severity: "high", scope: "certificate" }, if: true, ...extra });

  test.each([
    ["a typo at the top", control({ then: { properties: { publicKye: { properties: { bits: { minimum: 8192 } } } } } }), /control X-KEY .*reads publicKye\.bits, which the facts do not have: no "publicKye" at the top level \(nearest known name: publicKey\)/],
    ["a typo below a known name", control({ then: { properties: { validity: { properties: { daysToExpiri: { minimum: 30 } } } } } }), /reads validity\.daysToExpiri, .*nearest known name: validity\.daysToExpiry/],
    ["a required name that does not exist", control({ then: { properties: { eku: { required: ["serverAuthentication"] } } } }), /reads eku\.serverAuthentication, .*nearest known name: eku\.serverAuth/],
    ["a host control reading a certificate fact at the top", { ...control({ then: { properties: { thumbprint: { type: "string" } } } }), ldapsControl: { id: "X-KEY", title: "t", severity: "low", scope: "host" } }, /reads thumbprint, .*no "thumbprint" at the top level/],
    ["a message template", control({ then: true, ldapsControl: { id: "X-KEY", title: "t", severity: "low", scope: "certificate", messages: { fail: "key {{publicKey.bitz}}" } } }), /message template \{\{publicKey\.bitz\}\} reads publicKey\.bitz/],
    ["an override of a shipped control", { ldapsControl: { id: "LDAPS-C07" }, if: true, then: { properties: { validty: { properties: { daysToExpiry: { minimum: 45 } } } } } }, /control LDAPS-C07 .*reads validty\.daysToExpiry, .*nearest known name: validity/],
  ])("%s: exit 2 naming the control, the path and the nearest name", (_name, item, message) => {
    expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", profile(`lint-${_name.replace(/\W+/g, "-")}.json`, item)]), 2, message);
  });

  test("the library refuses it too (InputError), and a correct spelling loads", () => {
    expect(() => loadProfile(profile("lint-lib.json", control({ then: { properties: { publicKye: { properties: { bits: { minimum: 8192 } } } } } })))).toThrow(/publicKye\.bits/);
    expect(loadProfile(profile("lint-ok.json", control({ then: { properties: { publicKey: { properties: { bits: { minimum: 8192 } } } } } }))).controls.map((c) => c.meta.id)).toContain("X-KEY");
  });
});

describe("parameters: one line in a user profile changes a control, and every control that applies it", () => {
  const NOW = new Date("2026-11-24T00:00:00Z");
  const userProfile = (name: string, ...allOf: unknown[]) => write(name, { $schema: "https://json-schema.org/draft/2020-12/schema", $id: `https://example.test/${name}`, ldapsProfile: { id: name.replace(".json", "").toLowerCase().replace(/[^a-z0-9._-]/g, "-"), title: name }, allOf: [{ $ref: "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json" }, ...allOf] });
  const der = (name: string) => require("node:fs").readFileSync(join(__dirname, "..", "examples", "certs", `${name}.pem`), "utf8").replace(/-----[^-]+-----|\s/g, "");
  const probe = write("dc1.probe.json", {
    schemaVersion: 1,
    collector: { name: "ldaps-audit-probe" },
    host: { fqdn: "dc1.corp.example.test" },
    network: { endpoints: [{ host: "dc1.corp.example.test", port: 636, mode: "ldaps", purpose: "ldap", servername: "dc1.corp.example.test", failure: null, tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: [der("dc1"), der("issuing")], authorized: true, authorizationError: null, hostnameMatches: true }, ldap: { rootDse: { dnsHostName: "dc1.corp.example.test" } } }] },
  });

  test("C09 raised to 3072: C09 fails on the store certificate and on the presented one, N02 fails, the report agrees", () => {
    const raised = userProfile("rsa3072.json", { ldapsControl: { id: "LDAPS-C09", advisory: false }, $defs: { rsaMinBits: { minimum: 3072 } } });
    const verdicts = (profile: string) => {
      const t = evaluateFiles([ex("healthy-dc")], { now: NOW, profile, probes: [probe] }).targets[0];
      const card = (source: string) => t.certificates.find((c) => c.source === source)!.controls.find((c) => c.id === "LDAPS-C09")!.status;
      return { C09: t.controls.find((c) => c.id === "LDAPS-C09")!.status, N02: t.controls.find((c) => c.id === "LDAPS-N02")!.status, storeCard: card("store"), wireCard: card("network"), status: t.status };
    };
    expect(verdicts("baseline")).toEqual({ C09: "pass", N02: "pass", storeCard: "pass", wireCard: "pass", status: "compliant" });
    expect(verdicts(raised)).toEqual({ C09: "fail", N02: "fail", storeCard: "fail", wireCard: "fail", status: "noncompliant" });
    const n02 = evaluateFiles([ex("healthy-dc")], { now: NOW, profile: raised, probes: [probe] }).targets[0].controls.find((c) => c.id === "LDAPS-N02")!;
    expect(n02.message).toMatch(/^port 636 presents 6AB38444\w+: LDAPS-C09 weak or unsupported key: RSA 2048 bits$/);
  });

  test("the C07 runway raised to 45 days is one line", () => {
    const p = userProfile("runway45.json", { ldapsControl: { id: "LDAPS-C07" }, $defs: { warnDays: { minimum: 45 } } });
    const at = (date: string, profile: string) => evaluateFiles([ex("healthy-dc")], { now: new Date(date), profile }).targets[0].controls.find((c) => c.id === "LDAPS-C07")!.status;
    // healthy-dc expires 2036-01-01: 40 days left on 2035-11-22.
    expect([at("2035-11-22T00:00:00Z", "baseline"), at("2035-11-22T00:00:00Z", p)]).toEqual(["pass", "warn"]);
    expect(loadProfile(p).controls.find((c) => c.meta.id === "LDAPS-C07")!.parameters).toMatchObject({ failDays: { minimum: 7 }, warnDays: { minimum: 45 } });
  });

  test.each([
    ["an unknown parameter", { ldapsControl: { id: "LDAPS-C09" }, $defs: { rsaMinBit: { minimum: 3072 } } }, /control LDAPS-C09 has no parameter "rsaMinBit"; its parameters: rsaMinBits, ecCurves/],
    ["a parameter emptied (the control could no longer fail)", { ldapsControl: { id: "LDAPS-C09" }, $defs: { rsaMinBits: {} } }, /parameter LDAPS-C09 rsaMinBits must restate \{"minimum":2048\} with new values/],
    ["a parameter restated with another keyword", { ldapsControl: { id: "LDAPS-C07" }, $defs: { warnDays: { maximum: 45 } } }, /parameter LDAPS-C07 warnDays must restate \{"minimum":30\} with new values, not \{"maximum":45\}/],
    ["a parameter of the wrong type (the profile is no valid JSON Schema)", { ldapsControl: { id: "LDAPS-C07" }, $defs: { warnDays: { minimum: "45" } } }, /not a valid JSON Schema: at \/allOf\/1\/\$defs\/warnDays\/minimum: must be number/],
  ])("%s is exit 2", (name, item, message) => {
    expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", userProfile(`param-${name.replace(/\W+/g, "-")}.json`, item)]), 2, message);
  });
});

test.each([
  ["an unknown top-level keyword", { properties: { selection: {} } }, /not a valid profile: at \/: unexpected property "properties"/],
  ["a keyword beside a control the loader would ignore", { allOf: [{ ldapsControl: { id: "X-1", title: "t", severity: "low", scope: "host" }, if: true, then: true, else: false }] }, /at \/allOf\/0: unexpected property "else"/],
  ["$defs without a control to give them to", { allOf: [{ $ref: "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json", $defs: { rsaMinBits: { minimum: 3072 } } }] }, /at \/allOf\/0: must have property ldapsControl when property \$defs is present/],
])("profile documents are strict: %s is exit 2", (name, extra, message) => {
  const doc = { $schema: "https://json-schema.org/draft/2020-12/schema", allOf: [{ $ref: "https://ldaps-audit.dev/schemas/profiles/baseline.profile.json" }], ...extra };
  expectCleanError(runCli(["evaluate", ex("healthy-dc"), "--profile", write(`strict-${name.replace(/\W+/g, "-")}.json`, doc)]), 2, message);
});
