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
  expect(baseline).not.toContain("LDAPS-C09");
  const hardened = loadProfile("hardened");
  expect(hardened.controls.map((c) => c.meta.id)).toEqual(expect.arrayContaining([...baseline, "LDAPS-C09", "LDAPS-C11", "LDAPS-C12", "LDAPS-S03", "LDAPS-S04"]));
  // The override keeps the inherited metadata and replaces the thresholds.
  const c07 = hardened.controls.find((c) => c.meta.id === "LDAPS-C07")!;
  expect(c07.meta.title).toBe("Expiry runway");
  expect(c07.location).toContain("hardened.profile.json");
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
  expect(c02.evidence[0].schemaPath).toMatch(/certificate\.controls\.json#\/\$defs\/LDAPS-C02\/then\/properties\/name/);
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
