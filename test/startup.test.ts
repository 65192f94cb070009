// Start-up (issue 17): --version and --help answer before anything heavy loads, and each heavy module
// loads only on the paths that need it. Asserted as the modules a real CLI process loaded (recorded by
// test/helpers/loaded-modules.js), never as elapsed time.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN } from "./helpers/cli";

const ROOT = join(__dirname, "..");
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-startup-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
function loaded(args: string[]): { code: number | null; files: string[]; builtins: string[]; icu: string[]; helpRendered: boolean; stderr: string } {
  const out = join(tmp, `modules-${n++}.json`);
  const r = spawnSync(process.execPath, ["-r", join(__dirname, "helpers", "loaded-modules.js"), BIN, ...args], {
    env: { ...process.env, LDAPS_AUDIT_TEST_MODULES: out, NO_COLOR: "1" },
    encoding: "utf8",
    cwd: ROOT,
  });
  const { files, builtins, icu, helpRendered } = JSON.parse(readFileSync(out, "utf8")) as { files: string[]; builtins: string[]; icu: string[]; helpRendered: boolean };
  const recorder = join(__dirname, "helpers", "loaded-modules.js");
  return { code: r.status, files: files.filter((f) => f !== recorder).map((f) => f.replace(`${ROOT}/`, "")), builtins, icu, helpRendered, stderr: r.stderr };
}

// What each heavy module looks like in the CommonJS cache.
const HEAVY: Record<string, RegExp> = {
  yargs: /node_modules\/yargs\//,
  yaml: /node_modules\/yaml\//,
  "@peculiar/x509": /node_modules\/@peculiar\//,
  "reflect-metadata": /node_modules\/reflect-metadata\//,
  // The compiler; precompiled validators need only its small runtime helpers (ajv/dist/runtime/*).
  "ajv compiler": /node_modules\/ajv\/dist\/(2020|core|ajv|compile\/index)\.js$/,
  "probe modules": /dist\/lib\/probe\//,
};
const heavyIn = (files: string[]) => Object.entries(HEAVY).filter(([, re]) => files.some((f) => re.test(f))).map(([name]) => name);

test("--version loads nothing but the launcher and package.json", () => {
  const r = loaded(["--version"]);
  expect(r.code).toBe(0);
  expect(r.files.sort()).toEqual(["bin/ldaps-audit.js", "package.json"]);
});

test("--help loads yargs and the command list, nothing heavy", () => {
  const r = loaded(["--help"]);
  expect(r.code).toBe(0);
  expect(heavyIn(r.files)).toEqual(["yargs"]);
  expect(r.builtins).not.toContain("tls");
});

test("evaluate of a JSON snapshot with a shipped profile: no yargs (fast path), precompiled validators, no ajv compiler, no yaml, no probe/tls", () => {
  const r = loaded(["evaluate", "examples/healthy-dc.snapshot.json", "--now", "2026-11-24T00:00:00Z", "--format", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  // Certificates are read by lib/x509/certificate.ts (DER, issue 17 item 2): no @peculiar, asn1js,
  // reflect-metadata or tsyringe; CRL parsing (lib/x509/crl.ts) loads them only when CRLs are supplied.
  // A plain command line is parsed by lib/cli/fast-path.ts: yargs and the other commands stay unloaded.
  expect(heavyIn(r.files)).toEqual([]);
  expect(r.files.filter((f) => f.startsWith("dist/lib/cli/commands/"))).toEqual(["dist/lib/cli/commands/evaluate.js"]);
  // A JSON report needs neither the text and HTML renderers nor, with a precompiled profile, the control compiler.
  expect(r.files.filter((f) => /^dist\/lib\/(report\/(text|html|tls-surface)|profile\/(effective|lint))\.js$/.test(f))).toEqual([]);
  expect(r.files.filter((f) => /node_modules\/(@peculiar|asn1js|reflect-metadata|tsyringe)\//.test(f))).toEqual([]);
  expect(r.files).not.toContain("dist/lib/x509/certificate-reference.js");
  expect(r.files).not.toContain("dist/lib/x509/crl.js");
  // Only the generated code of what the run uses: the snapshot schema and the baseline profile.
  expect(r.files.filter((f) => f.startsWith("dist/generated/")).sort()).toEqual(["dist/generated/profile-baseline.js", "dist/generated/schema-snapshot.schema.js"]);
  expect(r.builtins).not.toContain("tls");
  // One snapshot runs on one thread: decided without loading worker_threads (lib/report/workers.ts).
  expect(r.builtins).not.toContain("worker_threads");
  expect(r.files).not.toContain("dist/lib/report/parallel.js");
  // No locale-dependent call (lib/text-order.ts orders and formats): the report's order does not follow
  // LANG, and ICU's collator/number formatter (~15-30 ms on first use) never starts.
  expect(r.icu).toEqual([]);
  // yargs no longer lays out the command's help text after calling the handler (lib/cli/main.ts).
  expect(r.helpRendered).toBe(false);
});

test("a line the fast path leaves to yargs is parsed by yargs, with its message", () => {
  const r = loaded(["evaluate", "examples/healthy-dc.snapshot.json", "--bogus"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toBe("ldaps-audit: Unknown argument: bogus\n");
  expect(heavyIn(r.files)).toEqual(["yargs"]);
});

test("help is still rendered when it is asked for", () => {
  for (const args of [["--help"], ["evaluate", "--help"], ["fix", "plan", "--help"]]) {
    const r = loaded(args);
    expect([args, r.code, r.helpRendered]).toEqual([args, 0, true]);
  }
});

test("the paths that need them still load them: YAML waivers load yaml, a user profile compiles with ajv", () => {
  const yaml = loaded(["evaluate", "examples/healthy-dc.snapshot.json", "--now", "2026-11-24T00:00:00Z", "--format", "json", "--waivers", "examples/waivers.yaml"]);
  expect(yaml.stderr).toBe("");
  expect(heavyIn(yaml.files)).toContain("yaml");
  expect(heavyIn(yaml.files)).not.toContain("ajv compiler");
  const user = loaded(["evaluate", "examples/healthy-dc.snapshot.json", "--now", "2026-11-24T00:00:00Z", "--format", "json", "--profile", "examples/profiles/contoso.profile.json"]);
  expect(user.stderr).toBe("");
  expect(heavyIn(user.files)).toContain("ajv compiler");
});

test("probe with a PEM --ca: no @peculiar/x509 (node:crypto reads plain certificate files), no node-forge (PFX only), no ajv compiler, no yaml", () => {
  // A refused loopback port: the run reads --ca, connects, records the failure and writes the snapshot.
  const r = loaded(["probe", "127.0.0.1:1", "--ca", "examples/certs/root.pem", "--no-versions", "--timeout", "5000", "--format", "json"]);
  expect(r.stderr).toBe("");
  expect(r.code).toBe(1); // the endpoint is not healthy
  expect(heavyIn(r.files)).toEqual(["probe modules"]);
  expect(r.files.some((f) => f.includes("node_modules/node-forge/"))).toBe(false);
});
