// The DSC v3 resource LdapsAudit/Compliance, run the way dsc runs it (see harness.ts), and its
// manifest linted against the published DSC v3 manifest schema.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import type { ErrorObject } from "ajv";
import { dscDiff, dscInDesiredState, invoke, Invocation, MANIFEST, readManifest, referenceAjv, referenceSchema, REPO } from "./harness";

const manifest = readManifest();
const DSC_DIR = join(REPO, "dsc");
const NOW = "2026-11-24T00:00:00Z";
const snapshot = (name: string) => relative(DSC_DIR, join(REPO, "examples", `${name}.snapshot.json`));

const ajv = referenceAjv();
const validateGetStdout = ajv.compile(referenceSchema("resource-stdout-get.v3.bundled.json"));
const validateTestStdout = ajv.compile(referenceSchema("resource-stdout-test.v3.bundled.json"));
const validateInstance = ajv.compile(manifest.schema.embedded);
const schemaProperties = manifest.schema.embedded.properties;

function ok(r: Invocation): void {
  expect({ code: r.code, stray: r.strayStderr, errors: r.traces.filter((t) => t.level === "error") }).toEqual({ code: 0, stray: [], errors: [] });
}

function expectValid(v: typeof validateInstance, value: unknown): void {
  const valid = v(value);
  expect(valid ? [] : v.errors).toEqual([]);
}

describe("operations as dsc runs them", () => {
  const cases = [
    { name: "healthy-dc", compliant: true },
    { name: "wrong-name", compliant: false },
  ];
  for (const { name, compliant } of cases) {
    const desired = { profile: "baseline", snapshotPath: snapshot(name), now: NOW };
    const input = JSON.stringify(desired);

    test(`get ${name}: one JSON object, valid against dsc's get-stdout schema and the instance schema`, () => {
      const r = invoke(manifest, "get", input);
      ok(r);
      expect(r.stdoutLines).toHaveLength(1);
      const actual = r.stdoutLines[0] as Record<string, unknown>;
      expectValid(validateGetStdout, actual);
      expectValid(validateInstance, actual);
      expect(actual._inDesiredState).toBeUndefined();
      // the desired properties come back unchanged: dsc's own diff finds nothing
      expect(dscDiff(desired, actual, schemaProperties)).toEqual([]);
      expect(actual).toMatchObject(desired);
      expect((actual._metadata as { summary: { targets: number } }).summary.targets).toBe(1);
      expect(r.traces.some((t) => t.level === "info")).toBe(true);
    });

    test(`test ${name}: state and diff lines; dsc's verdict is ${compliant ? "in" : "not in"} desired state; exit 0 either way`, () => {
      expect(manifest.test.return).toBe("stateAndDiff");
      const r = invoke(manifest, "test", input);
      ok(r);
      expect(r.stdoutLines).toHaveLength(2);
      const [actual, diff] = r.stdoutLines as [Record<string, unknown>, string[]];
      for (const line of r.stdoutLines) expectValid(validateTestStdout, line);
      expectValid(validateInstance, actual);
      expect(Array.isArray(diff)).toBe(true);
      expect(dscDiff(desired, actual, schemaProperties)).toEqual([]);
      expect(actual._inDesiredState).toBe(compliant);
      // DSC >= 3.1 reads _inDesiredState; DSC 3.0 decided from the diff line alone: both must agree
      expect(dscInDesiredState(actual, diff)).toBe(compliant);
      expect(diff.length === 0).toBe(compliant);
      for (const p of diff) expect(schemaProperties[p]).toBeDefined();
      const reasons = actual.reasons as Array<{ code: string; phrase: string }>;
      const controls = actual.controls as Array<{ id: string; status: string; message: string }>;
      if (compliant) {
        expect(reasons).toEqual([]);
        expect(controls.filter((c) => c.status === "fail" || c.status === "error")).toEqual([]);
      } else {
        expect(reasons.map((x) => x.code)).toEqual(expect.arrayContaining(["ldapsaudit:ldapsaudit:LDAPS-S01", "ldapsaudit:ldapsaudit:LDAPS-C02"]));
        expect(reasons.find((x) => x.code.endsWith("LDAPS-C02"))!.phrase).toMatch(/^dc1\.corp\.example\.test \(NTDS\): LDAPS-C02 .*web\.corp\.example\.test/);
        expect(controls.find((c) => c.id === "LDAPS-C02")!.status).toBe("fail");
        expect(r.traces.some((t) => t.level === "warn" && /NOT compliant/.test(t.message))).toBe(true);
      }
    });
  }

  test("the desired state is echoed verbatim (dsc compares strings, not instants); defaults are reported", () => {
    const desired = { snapshotPath: snapshot("healthy-dc"), now: "2026-11-24" };
    const r = invoke(manifest, "get", JSON.stringify(desired));
    ok(r);
    const actual = r.stdoutLines[0] as Record<string, unknown>;
    expect(actual.now).toBe("2026-11-24");
    expect(actual.profile).toBe("baseline");
    expect(dscDiff(desired, actual, schemaProperties)).toEqual([]);
  });

  test("hardened profile and waivers are applied; a waived finding is not a reason", () => {
    const dir = mkdtempSync(join(tmpdir(), "ldaps-audit-dsc-"));
    const waivers = join(dir, "waivers.yaml");
    writeFileSync(
      waivers,
      ["waivers:", ...["LDAPS-S01", "LDAPS-C02", "LDAPS-E01", "LDAPS-E02"].flatMap((c) => [`  - control: ${c}`, "    justification: replacement certificate is being issued", "    approver: pki@corp.example.test", "    expires: 2026-12-31"])].join("\n") + "\n",
    );
    const desired = { snapshotPath: snapshot("wrong-name"), now: NOW, waivers };
    const r = invoke(manifest, "test", JSON.stringify(desired));
    ok(r);
    const [actual, diff] = r.stdoutLines as [Record<string, unknown>, string[]];
    expect(actual._inDesiredState).toBe(true);
    expect(diff).toEqual([]);
    expect(actual.reasons).toEqual([]);
    expect((actual.controls as Array<{ id: string; status: string }>).find((c) => c.id === "LDAPS-C02")!.status).toBe("waived");

    const hardened = invoke(manifest, "get", JSON.stringify({ profile: "hardened", snapshotPath: snapshot("healthy-dc"), now: NOW }));
    ok(hardened);
    expect((hardened.stdoutLines[0] as { _metadata: { profile: { id: string } } })._metadata.profile.id).toBe("hardened");
  });

  test("read-only properties in the input are ignored with a warning, not an error", () => {
    const r = invoke(manifest, "test", JSON.stringify({ snapshotPath: snapshot("healthy-dc"), now: NOW, reasons: [] }));
    ok(r);
    expect(r.traces).toContainEqual({ level: "warn", message: expect.stringMatching(/"reasons" is a read-only result/) });
  });
});

describe("failed operations: non-zero exit and an error trace line", () => {
  const failures: Array<[string, string, number, RegExp]> = [
    ["bad stdin JSON", "{not json", 2, /desired state on stdin: not valid JSON/],
    ["a JSON array", "[1,2]", 2, /must be a JSON object/],
    ["an unknown property", JSON.stringify({ profle: "baseline" }), 2, /unexpected property "profle"/],
    ["a wrong type", JSON.stringify({ lookbackDays: "seven" }), 2, /lookbackDays: must be integer/],
    ["a missing snapshotPath file", JSON.stringify({ snapshotPath: "no-such.snapshot.json", now: NOW }), 2, /no-such\.snapshot\.json: no such file/],
    ["a missing profile", JSON.stringify({ profile: "nope.profile.json", snapshotPath: snapshot("healthy-dc") }), 2, /^profile .*nope\.profile\.json: no such file/],
    ["a bad now", JSON.stringify({ now: "2026-13-45T99:00:00Z", snapshotPath: snapshot("healthy-dc") }), 2, /now "2026-13-45T99:00:00Z": expected an ISO 8601/],
    ["a now that does not exist", JSON.stringify({ now: "2026-02-30", snapshotPath: snapshot("healthy-dc") }), 2, /now "2026-02-30": expected an ISO 8601/],
  ];
  for (const op of ["get", "test"] as const) {
    for (const [what, input, code, pattern] of failures) {
      test(`${op} with ${what} exits ${code}`, () => {
        const r = invoke(manifest, op, input);
        expect(r.code).toBe(code);
        expect(r.rawStdout).toBe("");
        expect(r.strayStderr).toEqual([]);
        const errors = r.traces.filter((t) => t.level === "error");
        expect(errors).toHaveLength(1);
        expect(errors[0].message).toMatch(pattern);
        expect(manifest.exitCodes?.[String(code)]).toBeDefined();
      });
    }
  }

  test("collecting without PowerShell fails as a runtime failure (exit 3), not as non-compliance", () => {
    const r = invoke(manifest, "test", JSON.stringify({ lookbackDays: 3 }), MANIFEST, { LDAPS_AUDIT_POWERSHELL: join(REPO, "no-such-powershell") });
    expect(r.code).toBe(3);
    expect(r.traces).toContainEqual({ level: "info", message: expect.stringMatching(/collecting LDAPS evidence on this host \(lookback 3 days\)/) });
    expect(r.rawStdout).toBe("");
    expect(r.traces.filter((t) => t.level === "error")).toHaveLength(1);
  });
});

describe("manifest", () => {
  test("version is the package version; type, get/test and embedded schema as dsc needs them", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(manifest.version).toBe(pkg.version);
    expect(manifest.type).toBe("LdapsAudit/Compliance");
    for (const op of ["get", "test"] as const) {
      expect(manifest[op].input).toBe("stdin");
      // the CLI is found relative to the manifest's folder, which dsc makes the working directory
      expect(manifest[op].args).toEqual(["../bin/ldaps-audit.js", "dsc", op]);
    }
    expect(manifest.test.return).toBe("stateAndDiff");
    expect(manifest.schema.embedded.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    // set judges the host itself (its plan is empty when compliant), so dsc need not run test first;
    // whatIf is the same command with --what-if (without it dsc would fake what-if from test).
    expect(manifest.set).toEqual({ executable: "node", args: ["../bin/ldaps-audit.js", "dsc", "set"], input: "stdin", implementsPretest: true, return: "state" });
    expect(manifest.whatIf).toEqual({ executable: "node", args: ["../bin/ldaps-audit.js", "dsc", "set", "--what-if"], input: "stdin", implementsPretest: true, return: "state" });
  });

  test("only fields dsc's ResourceManifest knows (it deserializes with deny_unknown_fields)", () => {
    const top = ["$schema", "type", "kind", "version", "description", "tags", "get", "set", "whatIf", "test", "delete", "export", "validate", "resolve", "adapter", "exitCodes", "schema"];
    expect(Object.keys(manifest).filter((k) => !top.includes(k))).toEqual([]);
    expect(Object.keys(manifest.get).filter((k) => !["executable", "args", "input"].includes(k))).toEqual([]);
    expect(Object.keys(manifest.test).filter((k) => !["executable", "args", "input", "return"].includes(k))).toEqual([]);
    // SetMethod: no requireSecurityContext or the like (dsc would refuse the whole manifest); elevation is the
    // configuration document's metadata (Microsoft.DSC securityContext) and set's own check.
    for (const m of [manifest.set, manifest.whatIf]) expect(Object.keys(m ?? {}).filter((k) => !["executable", "args", "input", "implementsPretest", "handlesExist", "return"].includes(k))).toEqual([]);
    expect(Object.keys(manifest.schema)).toEqual(["embedded"]);
    for (const k of Object.keys(manifest.exitCodes ?? {})) expect(k).toMatch(/^-?\d+$/);
  });

  /**
   * Where the published manifest schema (../shared/reference/dsc/manifest.v3.bundled.json) is known to
   * lag dsc itself. Each entry must still occur (so this list cannot go stale) and nothing else may fail.
   */
  const KNOWN_LAGS: Array<{ instancePath: string; keyword: string; reason: string }> = [
    {
      instancePath: "/schema/embedded/properties/_inDesiredState",
      keyword: "enum",
      reason:
        "The published schema only accepts canonical properties as a literal {\"$ref\": \"https://aka.ms/dsc/schemas/v3/.../inDesiredState.json\"}. " +
        "dsc compiles the embedded schema itself (jsonschema crate) and would have to fetch that remote $ref; an inline " +
        "{type: boolean, readOnly: true} is what dsc's own Microsoft/OSInfo manifest uses (it fails this lint the same way).",
    },
  ];

  test("lints clean against manifest.v3.bundled.json except the known lags", () => {
    const lint = referenceAjv().compile(referenceSchema("manifest.v3.bundled.json"));
    lint(manifest);
    const errors: ErrorObject[] = lint.errors ?? [];
    const unexplained = errors.filter((e) => !KNOWN_LAGS.some((l) => l.instancePath === e.instancePath && l.keyword === e.keyword));
    expect(unexplained.map((e) => `${e.instancePath} ${e.schemaPath}: ${e.message}`)).toEqual([]);
    for (const lag of KNOWN_LAGS) {
      expect(errors.some((e) => e.instancePath === lag.instancePath && e.keyword === lag.keyword)).toBe(true);
    }
    // the same lag in dsc's own resource manifest: evidence that it is the schema, not us
    lint(referenceSchema("osinfo.dsc.resource.json"));
    expect((lint.errors ?? []).some((e) => e.instancePath === KNOWN_LAGS[0].instancePath && e.keyword === "enum")).toBe(true);
  });

  test("the lint is not vacuous: a broken manifest fails it", () => {
    const lint = referenceAjv().compile(referenceSchema("manifest.v3.bundled.json"));
    const broken = JSON.parse(JSON.stringify(manifest));
    broken.type = "no-namespace";
    broken.test.return = "diff";
    broken.exitCodes.x = "nope";
    expect(lint(broken)).toBe(false);
    const paths = (lint.errors ?? []).map((e) => e.instancePath);
    expect(paths).toEqual(expect.arrayContaining(["/type", "/test/return"]));
  });

  test("the instance schema rejects unknown settable properties and accepts canonical _ properties", () => {
    expect(validateInstance({ profile: "baseline", snapshotPath: "x.json" })).toBe(true);
    expect(validateInstance({ profile: "baseline", _name: "dc1 audit" })).toBe(true);
    expect(validateInstance({ profle: "baseline" })).toBe(false);
    expect(validateInstance({ lookbackDays: 0 })).toBe(false);
  });
});
