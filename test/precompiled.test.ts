// The validators compiled at build time (scripts/build-validators.js -> dist/generated, read by
// lib/precompiled.ts) equal the ones ajv compiles at run time: for every shipped schema and every control
// of every shipped profile, the same verdict and the same errors (instancePath, schemaPath, keyword,
// params, message) over the examples, the bad-input shapes of test/bad-input.test.ts, and systematic
// mutations of both (each value replaced by one of another type, each key deleted, an unknown key added).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { evaluateFiles } from "../lib/audit";
import { deriveFacts } from "../lib/facts";
import { disablePrecompiled } from "../lib/precompiled";
import { applyFix } from "../lib/fix/apply";
import { planFix } from "../lib/fix/plan";
import { evaluateTarget } from "../lib/profile/evaluate";
import { loadProfile, SHIPPED_PROFILES } from "../lib/profile/load";
import type { LoadedProfile } from "../lib/profile/types";
import { reportDocument } from "../lib/report/document";
import { buildRollup } from "../lib/report/rollup";
import type { Report } from "../lib/report/types";
import { validatorFor } from "../lib/schemas";
import type { Snapshot } from "../lib/snapshot";

// This side compiles at run time, whatever dist/ holds; the other side is the built package's code.
disablePrecompiled();
const ROOT = join(__dirname, "..");
const EXAMPLES = join(ROOT, "examples");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const built = require(join(ROOT, "dist", "lib", "precompiled.js")) as typeof import("../lib/precompiled");
const manifest = JSON.parse(readFileSync(join(built.GENERATED_DIR, "manifest.json"), "utf8")) as import("../lib/precompiled").Manifest;

type Json = unknown;
const plain = (x: unknown) => JSON.parse(JSON.stringify(x ?? null));

/** Mutations of a document: each value swapped for another type, each key deleted, an unknown key added (at most `max`, spread over the document). */
function mutations(doc: Json, max: number): Json[] {
  const paths: Array<Array<string | number>> = [];
  const walk = (v: Json, path: Array<string | number>) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  const step = Math.max(1, Math.ceil(paths.length / max));
  const out: Json[] = [];
  const set = (root: Json, path: Array<string | number>, fn: (parent: Record<string | number, Json>, key: string | number) => void) => {
    const copy = structuredClone(root);
    if (!path.length) return copy;
    let parent = copy as Record<string | number, Json>;
    for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
    fn(parent, path[path.length - 1]);
    return copy;
  };
  const other = (v: Json): Json => (typeof v === "string" ? 42 : typeof v === "number" ? "x" : typeof v === "boolean" ? "yes" : v === null ? false : Array.isArray(v) ? {} : []);
  for (let i = 0; i < paths.length; i += step) {
    const p = paths[i];
    if (!p.length) continue;
    out.push(set(doc, p, (parent, k) => (parent[k] = other(parent[k]))));
    out.push(set(doc, p, (parent, k) => (Array.isArray(parent) ? parent.splice(k as number, 1) : delete parent[k])));
    out.push(set(doc, p, (parent, k) => {
      const v = parent[k];
      if (v && typeof v === "object" && !Array.isArray(v)) (v as Record<string, Json>).unexpectedProperty = 1;
      else if (typeof v === "string") parent[k] = "";
      else if (typeof v === "number") parent[k] = -1;
    }));
  }
  return out;
}

const snapshotFiles = readdirSync(EXAMPLES).filter((f) => f.endsWith(".snapshot.json")).sort();
const snapshots = snapshotFiles.map((f) => JSON.parse(readFileSync(join(EXAMPLES, f), "utf8")) as Snapshot);
const healthy = snapshots[snapshotFiles.indexOf("healthy-dc.snapshot.json")] as unknown as Record<string, Json>;
// test/bad-input.test.ts' shapes.
const badShapes: Json[] = [[], {}, { schemaVersion: 1, host: { fqdn: "" } }, { ...healthy, extra: 1 }, { ...healthy, schemaVersion: 2 }, null, "text", 1];
const NOWS = [new Date("2026-11-24T00:00:00Z"), new Date("2040-01-01T00:00:00Z")];
const facts = snapshots.flatMap((s, i) => NOWS.flatMap((now) => deriveFacts(s, { now, source: snapshotFiles[i] })));
const evaluated = evaluateFiles(snapshotFiles.map((f) => join(EXAMPLES, f)), { now: NOWS[0] });
// The report as a file holds it (v2: each control's constants once, results by id), which is what report.schema.json describes.
const report = plain(reportDocument(evaluated));
const rollup = plain(buildRollup([{ report: evaluated, path: "report.json" }], NOWS[0]));
const plan = plain(planFix({ snapshot: join(EXAMPLES, "two-qualifying.snapshot.json"), now: NOWS[0] }).plan);
const waivers = parseYaml(readFileSync(join(EXAMPLES, "waivers.yaml"), "utf8")) as Json;
const profiles = [join(EXAMPLES, "profiles", "contoso.profile.json"), ...SHIPPED_PROFILES.map((p) => join(ROOT, "schemas", "profiles", `${p}.profile.json`))].map((f) => JSON.parse(readFileSync(f, "utf8")) as Json);

const documents: Json[] = [
  ...snapshots, ...badShapes, ...facts.slice(0, 4), report, rollup, plan, waivers, ...profiles,
  // facts/readiness.schema.json is an object only (never null): its documents are the readiness parts of the facts.
  ...facts.flatMap((f) => (f.clients?.readiness ? [f.clients.readiness as unknown as Json] : [])).slice(0, 4),
  ...snapshots.flatMap((s) => mutations(s, 30)),
  ...mutations(facts[0], 80),
  ...mutations(report, 80),
  ...mutations(rollup, 30),
  ...mutations(plan, 30),
  ...mutations(waivers, 20),
  ...mutations(profiles[0], 30),
];

// An apply record, as fix --apply writes it: a plan that stops (no certificate source) is refused before any
// PowerShell runs, so this one needs no Windows seams.
beforeAll(async () => {
  const stopped = planFix({ snapshot: join(EXAMPLES, "event-1220-no-certificate.snapshot.json"), now: NOWS[0] }).plan;
  const record = plain((await applyFix({ plan: stopped, whatIf: true })).record);
  documents.push(record, ...mutations(record, 30));
});

test("dist/generated exists and is current (npm run build; pretest runs it)", () => {
  expect(built.precompiledValidator(Object.keys(manifest.schemas)[0])).toBeDefined();
  expect(manifest.digest).toBe(built.sourcesDigest());
  // Untouched since the build, so a run trusts the manifest after a stat of each source (sourcesStamp),
  // without reading and hashing them (a tsc run after the build, without the generator, changes this).
  expect(manifest.stamp).toBe(built.sourcesStamp());
});

test.each(Object.keys(manifest.schemas))("schema %s: same verdicts and errors, precompiled and compiled at run time", (id) => {
  const pre = built.precompiledValidator(id)!;
  const runtime = validatorFor(id);
  expect(pre).not.toBe(runtime);
  let failures = 0;
  for (const doc of documents) {
    const a = runtime(doc);
    const b = pre(doc);
    expect({ valid: b, errors: plain(pre.errors) }).toEqual({ valid: a, errors: plain(runtime.errors) });
    if (!a) failures++;
  }
  // The comparison covered both outcomes, for every schema.
  expect(failures).toBeGreaterThan(0);
  expect(failures).toBeLessThan(documents.length);
});

describe.each(SHIPPED_PROFILES)("shipped profile %s", (name) => {
  let runtime: LoadedProfile;
  let pre: LoadedProfile;
  beforeAll(() => {
    runtime = loadProfile(name);
    pre = built.precompiledProfile(name, runtime.source)!;
  });

  test("same controls, metadata, parameters, sources and digest", () => {
    expect(pre).toBeDefined();
    const shape = (p: LoadedProfile) => plain({ ...p, controls: p.controls.map((c) => ({ ...c, uses: c.uses.map((u) => ({ path: u.path, id: u.control.meta.id })) })) });
    expect(shape(pre)).toEqual(shape(runtime));
    expect(pre.controls.every((c, i) => c.requirement.validate !== runtime.controls[i].requirement.validate)).toBe(true);
  });

  test("same verdicts and evidence (error paths) on every example's facts and their mutations", () => {
    const inputs = [...facts, ...facts.slice(0, 4).flatMap((f) => mutations(f, 100))] as typeof facts;
    let compared = 0;
    const statuses = new Set<string>();
    for (const f of inputs) {
      let a: unknown;
      let b: unknown;
      try {
        a = plain(evaluateTarget(f, runtime.controls));
      } catch (e) {
        a = { threw: (e as Error).message };
      }
      try {
        b = plain(evaluateTarget(f, pre.controls));
      } catch (e) {
        b = { threw: (e as Error).message };
      }
      expect(b).toEqual(a);
      for (const c of (a as { controls?: Array<{ status: string }> }).controls ?? []) statuses.add(c.status);
      compared++;
    }
    expect(compared).toBeGreaterThan(100);
    expect([...statuses].sort()).toEqual(expect.arrayContaining(["fail", "pass", "skip", "warn"]));
  });
});
