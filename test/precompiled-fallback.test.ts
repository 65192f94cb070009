// When the build-time validators (dist/generated, lib/precompiled.ts) cannot be trusted or loaded, a run
// compiles at run time and gives the same verdicts, silently (one debug line under LDAPS_AUDIT_DEBUG=1):
// ajv or ajv-formats upgraded without a rebuild (the digest names their versions), a manifest that does not
// parse, a generated file that is missing. Each case runs the built package from a temporary copy of dist/
// (inside the project, so the copy resolves node_modules like dist/ does), in a node process of its own,
// never touching the real dist/ other suites use.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(__dirname, "..");
const EXAMPLES = join(ROOT, "examples");
const SNAPSHOTS = readdirSync(EXAMPLES).filter((f) => f.endsWith(".snapshot.json")).sort().map((f) => join(EXAMPLES, f));
const NOW = "2026-11-24T00:00:00Z";
const temps: string[] = [];

afterAll(() => temps.forEach((t) => rmSync(t, { recursive: true, force: true })));

/** A copy of dist/ (and a link to schemas/) under test-output/; `change` alters the copy. */
function distCopy(change: (root: string) => void = () => undefined): string {
  mkdirSync(join(ROOT, "test-output"), { recursive: true });
  const root = mkdtempSync(join(ROOT, "test-output", "precompiled-"));
  temps.push(root);
  cpSync(join(ROOT, "dist"), join(root, "dist"), { recursive: true });
  symlinkSync(join(ROOT, "schemas"), join(root, "schemas"));
  change(root);
  return root;
}

/** A copy of an installed package next to the dist copy, with another version: an upgrade without a rebuild. */
const upgraded = (name: string) => (root: string) => {
  const dir = join(root, "node_modules", name);
  cpSync(join(ROOT, "node_modules", name), dir, { recursive: true, dereference: true });
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { version: string };
  writeFileSync(join(dir, "package.json"), JSON.stringify({ ...pkg, version: `${pkg.version}-upgraded` }));
};

interface Run {
  status: number | null;
  stderr: string;
  /** Whether the snapshot schema's validator came from dist/generated. */
  precompiled?: boolean;
  report?: unknown;
}

/** evaluate over every example (baseline and hardened) with the package in `root`, in a node process of its own. */
function run(root: string, env: Record<string, string> = {}): Run {
  const lib = join(root, "dist", "lib");
  const script = `
    const pre = require(${JSON.stringify(join(lib, "precompiled.js"))});
    const { evaluateFiles } = require(${JSON.stringify(join(lib, "audit.js"))});
    const { SCHEMA_BASE } = require(${JSON.stringify(join(lib, "schemas.js"))});
    const precompiled = pre.precompiledValidator(SCHEMA_BASE + "snapshot.schema.json") !== undefined;
    const paths = ${JSON.stringify(SNAPSHOTS)};
    const now = new Date(${JSON.stringify(NOW)});
    const report = ["baseline", "hardened"].map((profile) => evaluateFiles(paths, { now, profile }));
    process.stdout.write(JSON.stringify({ precompiled, report }));`;
  const { LDAPS_AUDIT_DEBUG: _, ...parentEnv } = process.env;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: root, encoding: "utf8", env: { ...parentEnv, ...env } });
  // The copy's own path (the profile's source) and the clock differ between runs; the verdicts may not.
  const out = r.status === 0 ? (JSON.parse(r.stdout.split(root).join("<package>"), (k, v: unknown) => (k === "generatedAt" ? undefined : v)) as { precompiled: boolean; report: unknown }) : {};
  return { status: r.status, stderr: r.stderr, ...out };
}

let reference: Run;
beforeAll(() => {
  reference = run(distCopy());
});

test("the unchanged copy uses the precompiled validators (the reference verdicts)", () => {
  expect(reference).toMatchObject({ status: 0, stderr: "", precompiled: true });
  const statuses = JSON.stringify(reference.report);
  expect(statuses).toContain('"fail"');
  expect(statuses).toContain('"pass"');
});

test.each([
  ["ajv upgraded without a rebuild", upgraded("ajv")],
  ["ajv-formats upgraded without a rebuild", upgraded("ajv-formats")],
  ["a manifest that does not parse", (root: string) => writeFileSync(join(root, "dist", "generated", "manifest.json"), '{"digest": "trunc')],
  ["a manifest of another shape", (root: string) => writeFileSync(join(root, "dist", "generated", "manifest.json"), "[]")],
  ["the snapshot schema's generated file missing", (root: string) => rmSync(join(root, "dist", "generated", "schema-snapshot.schema.js"))],
  ["a profile's generated file missing", (root: string) => {
    rmSync(join(root, "dist", "generated", "profile-baseline.js"));
    rmSync(join(root, "dist", "generated", "profile-hardened.js"));
  }],
  ["a generated file that does not load", (root: string) => writeFileSync(join(root, "dist", "generated", "profile-hardened.js"), "this is not javascript(")],
])("%s: compiled at run time, same verdicts, nothing on stderr", (_name, change) => {
  const root = distCopy(change);
  const r = run(root);
  expect(r).toMatchObject({ status: 0, stderr: "" });
  expect(r.report).toEqual(reference.report);
  const debug = run(root, { LDAPS_AUDIT_DEBUG: "1" });
  expect(debug.report).toEqual(reference.report);
  expect(debug.stderr).toMatch(/^ldaps-audit: debug: precompiled validators not used \(.*\); compiling at run time\n/);
});

test("a schema edited after the build, its size and mtime kept, is noticed (the stamp changes with ctime; the digest decides)", () => {
  const root = distCopy((r) => {
    // A real copy of schemas/ (not the link): this case edits it.
    rmSync(join(r, "schemas"));
    cpSync(join(ROOT, "schemas"), join(r, "schemas"), { recursive: true });
  });
  expect(run(root).precompiled).toBe(true);
  const file = join(root, "schemas", "snapshot.schema.json");
  const before = statSync(file, { bigint: true });
  const text = readFileSync(file, "utf8");
  // Same length, other content: one character of a description, and the old mtime put back to the
  // nanosecond (touch -d, as someone hiding an edit would).
  const i = text.indexOf('"description": "') + '"description": "'.length;
  writeFileSync(file, text.slice(0, i) + (text[i] === "X" ? "Y" : "X") + text.slice(i + 1));
  const ns = before.mtimeNs;
  expect(spawnSync("touch", ["-m", "-d", `@${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, "0")}`, file]).status).toBe(0);
  const after = statSync(file, { bigint: true });
  expect([after.size, after.mtimeNs]).toEqual([before.size, before.mtimeNs]);
  const r = run(root, { LDAPS_AUDIT_DEBUG: "1" });
  expect(r.precompiled).toBe(false);
  expect(r.stderr).toMatch(/precompiled validators not used \(.*is stale; run npm run build\)/);
});

test("a stale copy does not use its precompiled snapshot validator", () => {
  expect(run(distCopy(upgraded("ajv"))).precompiled).toBe(false);
  expect(run(distCopy(upgraded("ajv-formats"))).precompiled).toBe(false);
});
