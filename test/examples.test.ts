// Every shipped example gives the verdict its name promises, and every document in the pipeline
// validates against its schema (snapshot, facts, report).
import { reportDocument } from "../lib/report/document";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { evaluateFiles, readSnapshot } from "../lib/audit";
import { deriveFacts } from "../lib/facts";
import { FACTS_SCHEMA_ID, REPORT_SCHEMA_ID, validatorFor, describeErrors } from "../lib/schemas";

const dir = join(__dirname, "..", "examples");
const NOW = new Date("2026-11-24T00:00:00Z");

const expected: Record<string, { status: "compliant" | "noncompliant"; failing: string[]; warning?: string[]; rootCause?: RegExp }> = {
  "healthy-dc": { status: "compliant", failing: [] },
  "event-1220-no-certificate": { status: "noncompliant", failing: ["LDAPS-S01", "LDAPS-E01", "LDAPS-E02"], rootCause: /No certificate in NTDS\\My or LocalMachine\\My/ },
  "wrong-name": { status: "noncompliant", failing: ["LDAPS-S01", "LDAPS-C02", "LDAPS-E01", "LDAPS-E02"], rootCause: /none has the DC's FQDN \(dc1\.corp\.example\.test\); they name web\.corp\.example\.test/ },
  "no-server-auth-eku": { status: "noncompliant", failing: ["LDAPS-S01", "LDAPS-C01", "LDAPS-E01", "LDAPS-E02"], rootCause: /none has the Server Authentication EKU/ },
  "key-not-readable": { status: "noncompliant", failing: ["LDAPS-S01", "LDAPS-C04", "LDAPS-E01", "LDAPS-E02", "LDAPS-E03"], rootCause: /none has a private key that NT AUTHORITY\\SYSTEM can read/ },
  expired: { status: "noncompliant", failing: ["LDAPS-S01", "LDAPS-C06", "LDAPS-C08", "LDAPS-E01", "LDAPS-E02"], rootCause: /none is valid now/ },
  "two-qualifying": { status: "compliant", failing: [], warning: ["LDAPS-S02"] },
  "clients-1220": { status: "noncompliant", failing: ["LDAPS-S01", "LDAPS-E01", "LDAPS-E02"], warning: ["LDAPS-E06"], rootCause: /No certificate in NTDS\\My or LocalMachine\\My/ },
  "adlds-instance": { status: "compliant", failing: [] },
  // Baseline judges the certificate (healthy); the readiness verdicts are facts here and advisory controls in hardened.
  "enforcement-readiness": { status: "compliant", failing: [] },
};

const files = readdirSync(dir).filter((f) => f.endsWith(".snapshot.json"));

test("every example has an expectation", () => {
  expect(files.map((f) => f.replace(".snapshot.json", "")).sort()).toEqual(Object.keys(expected).sort());
});

describe.each(files)("%s", (file) => {
  const name = file.replace(".snapshot.json", "");
  const path = join(dir, file);

  test("facts validate against facts.schema.json", () => {
    const validate = validatorFor(FACTS_SCHEMA_ID);
    for (const facts of deriveFacts(readSnapshot(path).snapshot, { now: NOW })) {
      expect(validate(facts) ? "valid" : describeErrors(validate.errors)).toBe("valid");
    }
  });

  test("report validates and gives the expected verdict", () => {
    const report = evaluateFiles([path], { now: NOW });
    const validate = validatorFor(REPORT_SCHEMA_ID);
    // The file form (reportVersion 2) is what the schema describes.
    expect(validate(reportDocument(report)) ? "valid" : describeErrors(validate.errors)).toBe("valid");
    const want = expected[name];
    const t = report.targets[0];
    expect(t.status).toBe(want.status);
    expect(t.controls.filter((c) => c.status === "fail").map((c) => c.id).sort()).toEqual([...want.failing].sort());
    expect(t.controls.filter((c) => c.status === "warn").map((c) => c.id).sort()).toEqual([...(want.warning ?? [])].sort());
    if (want.rootCause) expect(t.rootCause).toMatch(want.rootCause);
    else expect(t.rootCause).toBeNull();
    expect(report.inputs.find((i) => i.kind === "snapshot")?.path).toBe(path);
    expect(report.summary.controls.fail).toBe(want.failing.length);
  });
});

test("the AD LDS example is judged with its own store and service account", () => {
  const report = evaluateFiles([join(dir, "adlds-instance.snapshot.json")], { now: NOW });
  const t = report.targets[0];
  expect(t.service).toBe("ADAM_AppDir");
  expect(t.selection.effectiveStore).toBe("ADAM_AppDir\\My");
  expect(t.controls.find((c) => c.id === "LDAPS-C04")?.message).toContain("NT AUTHORITY\\NetworkService can read the key file");
});

test("two qualifying certificates: the later notAfter is predicted, both are named", () => {
  const report = evaluateFiles([join(dir, "two-qualifying.snapshot.json")], { now: NOW });
  const t = report.targets[0];
  const predicted = t.certificates.find((c) => c.predicted)!;
  expect(predicted.notAfter).toBe("2036-06-01T00:00:00.000Z");
  const s02 = t.controls.find((c) => c.id === "LDAPS-S02")!;
  for (const c of t.certificates) expect(s02.message).toContain(c.thumbprint);
});

test("the readiness example answers which clients break if signing or channel binding is enforced", () => {
  const path = join(dir, "enforcement-readiness.snapshot.json");
  const [facts] = deriveFacts(readSnapshot(path).snapshot, { now: NOW });
  const r = facts.clients!.readiness!;
  expect(r.signing.verdict).toBe("no");
  expect(r.signing.breakingClients.map((c) => [c.ip, c.identity, c.reason])).toEqual([
    ["10.0.4.21", "CORP\\svc-hr-sync", "simple bind without TLS"],
    ["10.0.7.40", "CORP\\PRN-FLOOR2$", "SASL bind without signing"],
  ]);
  expect(r.channelBinding.verdict).toBe("no");
  expect(r.channelBinding.breakingClients.map((c) => [c.ip, c.events])).toEqual([["10.0.9.77", [3075]], ["10.0.5.12", [3074]], ["10.0.5.13", [3039]]]);
  const report = evaluateFiles([path], { now: NOW, profile: "hardened" });
  const byId = (id: string) => report.targets[0].controls.find((c) => c.id === id)!;
  expect(byId("LDAPS-G04")).toMatchObject({ status: "warn", message: expect.stringMatching(/safe to require LDAP signing: no — 2 client\(s\) would break: 10\.0\.4\.21 \(CORP\\svc-hr-sync, simple bind without TLS\)/) });
  expect(byId("LDAPS-G05")).toMatchObject({ status: "warn", message: expect.stringMatching(/no — 3 client\(s\) would break: 10\.0\.9\.77 \(CORP\\svc-wiki, sent no channel-binding token \(3075\)\)/) });
});
