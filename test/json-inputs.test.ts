// Every JSON/YAML input (snapshot, profile, waivers, report, probe snapshot) is read by one reader:
// duplicate keys are refused in JSON as in YAML, nesting is bounded, and errors name file and pointer.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonStructureProblem } from "../lib/json-structure";
import { MAX_JSON_DEPTH } from "../lib/limits";
import { expectCleanError, runCli } from "./helpers/cli";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-json-"));
const write = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};
const snapshotPath = join(__dirname, "..", "examples", "healthy-dc.snapshot.json");
const snapshotText = readFileSync(snapshotPath, "utf8");
const waiver = `{"control":"LDAPS-C01","justification":"j","approver":"a","expires":"2030-01-01"}`;
const profileHead = `"$schema":"https://json-schema.org/draft/2020-12/schema","allOf":[{"$ref":"https://ldaps-audit.dev/schemas/profiles/baseline.profile.json"}]`;
const nestThen = (n: number) => `{"if":true,"then":`.repeat(n) + "true" + "}".repeat(n);
const deepProfile = (n: number, id: string) =>
  `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"https://example.test/${id}.json","allOf":[{"ldapsControl":{"id":"X-01","title":"deep","severity":"low","scope":"host"},"if":true,"then":${nestThen(n)}}]}`;

// [input kind, file name, text, CLI args given the path, expected message]
const duplicates: Array<[string, string, string, (p: string) => string[], RegExp]> = [
  ["snapshot", "dup.snapshot.json", snapshotText.replace(`"schemaVersion": 1,`, `"schemaVersion": 1, "schemaVersion": 1,`), (p) => ["evaluate", p], /dup\.snapshot\.json: duplicate key "schemaVersion" at \/schemaVersion \(line 3/],
  ["profile", "dup.profile.json", `{${profileHead},"title":"a","title":"b"}`, (p) => ["evaluate", snapshotPath, "--profile", p], /dup\.profile\.json: duplicate key "title" at \/title/],
  ["waivers (JSON)", "dup.waivers.json", `{"waivers":[${waiver},{"control":"LDAPS-C01","control":"LDAPS-C02","justification":"j","approver":"a","expires":"2030-01-01"}]}`, (p) => ["evaluate", snapshotPath, "--waivers", p], /dup\.waivers\.json: duplicate key "control" at \/waivers\/1\/control/],
  ["waivers (JSON, escaped key)", "dup-escaped.waivers.json", `{"waivers":[{"control":"LDAPS-C01","\\u0063ontrol":"LDAPS-C02","justification":"j","approver":"a","expires":"2030-01-01"}]}`, (p) => ["evaluate", snapshotPath, "--waivers", p], /duplicate key "control" at \/waivers\/0\/control/],
  ["waivers (YAML)", "dup.waivers.yaml", "waivers:\n  - control: LDAPS-C01\n    control: LDAPS-C02\n    justification: j\n    approver: a\n    expires: 2030-01-01\n", (p) => ["evaluate", snapshotPath, "--waivers", p], /dup\.waivers\.yaml: not valid YAML: Map keys must be unique/],
  ["report", "dup.report.json", `{"reportVersion":1,"reportVersion":1}`, (p) => ["report", p], /dup\.report\.json: duplicate key "reportVersion" at \/reportVersion/],
];

test.each(duplicates)("a duplicate key in a %s is refused, naming file and pointer", (_kind, name, text, args, pattern) => {
  expectCleanError(runCli(args(write(name, text))), 2, pattern);
});

const deep = MAX_JSON_DEPTH + 1;
const tooDeep: Array<[string, string, string, (p: string) => string[]]> = [
  ["profile (a `then` 1,000 levels deep)", "deep.profile.json", deepProfile(1000, "deep"), (p) => ["evaluate", snapshotPath, "--profile", p]],
  ["profile (just past the limit)", "deep2.profile.json", deepProfile(deep, "deep2"), (p) => ["evaluate", snapshotPath, "--profile", p]],
  ["snapshot", "deep.snapshot.json", snapshotText.replace(`"schemaVersion": 1,`, `"schemaVersion": 1, "x": ${"[".repeat(5000)}${"]".repeat(5000)},`), (p) => ["evaluate", p]],
  ["waivers (JSON)", "deep.waivers.json", `{"waivers":${"[".repeat(deep)}${"]".repeat(deep)}}`, (p) => ["evaluate", snapshotPath, "--waivers", p]],
  ["waivers (YAML, flow)", "deep.waivers.yaml", `waivers: ${"[".repeat(deep)}${"]".repeat(deep)}\n`, (p) => ["evaluate", snapshotPath, "--waivers", p]],
  ["waivers (YAML, 20,000 deep)", "deeper.waivers.yaml", `waivers: ${"[".repeat(20000)}${"]".repeat(20000)}\n`, (p) => ["evaluate", snapshotPath, "--waivers", p]],
  ["report", "deep.report.json", `{"reportVersion":1,"x":${"{\"a\":".repeat(3000)}1${"}".repeat(3000)}}`, (p) => ["report", p]],
];

test.each(tooDeep)("a too deeply nested %s: exit 2 with one line naming the limit", (_kind, name, text, args) => {
  const file = name.replace(/\./g, "\\.");
  expectCleanError(runCli(args(write(name, text))), 2, new RegExp(`${file}: nested deeper than ${MAX_JSON_DEPTH} levels`));
});

test("a profile nested just inside the limit is evaluated", () => {
  // The control adds 3 levels (root, allOf, its entry) plus the `then` chain and its innermost value.
  const r = runCli(["evaluate", snapshotPath, "--profile", write("inside.profile.json", deepProfile(MAX_JSON_DEPTH - 4, "inside")), "--format", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  expect(JSON.parse(r.stdout).targets[0].controls).toEqual([expect.objectContaining({ id: "X-01", status: "pass" })]);
});

test("the structure check visits each character once (linear, no clock)", () => {
  const doc = (n: number) => `{"a":[${Array.from({ length: n }, (_, i) => `{"k${i}":"${"x".repeat(50)}\\"","n":[1,2,{"q":null}]}`).join(",")}]}`;
  for (const n of [1000, 4000]) {
    const text = doc(n);
    const work = { visited: 0 };
    expect(jsonStructureProblem(text, MAX_JSON_DEPTH, work)).toBeNull();
    expect(work.visited).toBe(text.length);
  }
});
