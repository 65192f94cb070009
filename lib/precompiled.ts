// The shipped schemas' validators and the shipped profiles' controls, compiled at build time
// (scripts/build-validators.js, run by `npm run build` and pretest) into dist/generated/: ajv standalone
// code plus a manifest. Starting a run from them skips what dominated a cold `evaluate` (issue 17):
// loading ajv, meta-validating every shipped schema and compiling the snapshot schema and each control.
// User profiles are still compiled at run time (lib/profile/load.ts).
//
// The manifest records a digest of everything the generated code was made from: the shipped schema files,
// the compiled loader modules and the installed ajv and ajv-formats versions (the standalone code is ajv's
// output and requires their runtime modules). When they differ at run time (a schema edited, tsc run without
// the generator, or ajv upgraded without a rebuild), the precompiled code is ignored and everything is
// compiled as before; never stale verdicts. A manifest that does not parse, or a generated file that is
// missing or does not load, is treated the same way: the run compiles at run time (one debug line under
// LDAPS_AUDIT_DEBUG=1), it never fails for an optimisation. The manifest also keeps a stamp of the same
// files by identity and change time (sourcesStamp), so a run whose sources are untouched since the build
// is trusted after a stat of each file instead of reading and hashing them all.
// Run from lib/ (ts-jest) there is no dist/generated next to it, so in-process tests compile at run time;
// test/precompiled.test.ts proves both give the same verdicts and the same errors.
import { createHash, type Hash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { ValidateFunction } from "ajv";
import { packageRoot } from "./paths";
import { stderrLine } from "./terminal";
import type { Control, ControlPart, LoadedProfile } from "./profile/types";

/** dist/generated when this module runs from dist/lib. */
export const GENERATED_DIR = join(__dirname, "..", "generated");
const MANIFEST = "manifest.json";

/** Compiled modules whose logic shapes the generated code (the loader and the effective controls). */
const LOADER_MODULES = ["schemas", "precompiled", "profile/load", "profile/effective", "profile/lint", "profile/pointer"];

interface SerializedPart {
  /** The validator: "<file in dist/generated>#<export name>". */
  v: string;
  location: string;
  defs?: Record<string, string>;
}

interface SerializedControl {
  meta: Control["meta"];
  location: string;
  applies: SerializedPart | null;
  requirement: SerializedPart;
  warning: SerializedPart | null;
  parameters: Record<string, unknown>;
  uses: Array<{ path: string[]; id: string }>;
  judges: string[];
  warns: string[];
}

interface SerializedProfile {
  id: string;
  title: string;
  schemaId: string;
  sha256: string;
  selected: string[];
  controls: Record<string, SerializedControl>;
}

export interface Manifest {
  digest: string;
  /** sourcesStamp() when the digest was taken: while it still matches, the sources are unchanged. */
  stamp?: string;
  /** Schema $id -> "<file>#<export name>", for validatorFor(). */
  schemas: Record<string, string>;
  profiles: Record<string, SerializedProfile>;
}

/** Packages whose code generates (and is required by) the standalone validators. */
const GENERATOR_PACKAGES = ["ajv", "ajv-formats"];

/** The version of an installed package, as resolved from here ("" when it cannot be read). */
function packageVersion(name: string): string {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return String((require(`${name}/package.json`) as { version?: unknown }).version ?? "");
  } catch {
    return "";
  }
}

/** The files the generated code was made from: every shipped schema file and the compiled loader modules. */
function sourceFiles(): Array<{ name: string; path: string }> {
  const root = join(packageRoot(), "schemas");
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith(".json") ? [join(dir, e.name)] : []))
      .sort();
  const schemaFiles = walk(root).map((path) => ({ name: relative(root, path), path }));
  const loaderFiles = LOADER_MODULES.map((m) => ({ name: m, path: join(__dirname, `${m}${__filename.endsWith(".ts") ? ".ts" : ".js"}`) }));
  return [...schemaFiles, ...loaderFiles];
}

function hashGeneratorPackages(h: Hash): void {
  for (const p of GENERATOR_PACKAGES) h.update(`package:${p}`).update("\0").update(packageVersion(p)).update("\0");
}

/** What the generated code was made from: every shipped schema file and the loader modules, by content, and the ajv versions. */
export function sourcesDigest(files = sourceFiles()): string {
  const h = createHash("sha256");
  hashGeneratorPackages(h);
  for (const f of files) h.update(f.name).update("\0").update(existsSync(f.path) ? readFileSync(f.path) : "").update("\0");
  return h.digest("hex");
}

/**
 * The same sources by file identity and change time instead of content: what the build saw when it took
 * the digest. Reading and hashing every source (~10-25 ms) was a large part of a cold `evaluate` (issue
 * 17); a stat of each is ~1 ms. The kernel sets ctime on every write and `touch` cannot set it back, so
 * an edit (even one that keeps size and mtime) changes the stamp; then the content digest decides, as
 * before. A copied or reinstalled package has new ctimes: its stamp never matches and every run pays
 * for the digest (correct, only slower).
 */
export function sourcesStamp(files = sourceFiles()): string {
  const h = createHash("sha256");
  hashGeneratorPackages(h);
  for (const f of files) {
    const st = statSync(f.path, { bigint: true, throwIfNoEntry: false });
    h.update(f.name).update("\0").update(st ? `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}` : "-").update("\0");
  }
  return h.digest("hex");
}

let disabled = false;
let manifest: Manifest | null | undefined;
const modules = new Map<string, Record<string, ValidateFunction>>();

/** Compile everything at run time from here on (the generator itself, and tests comparing the two). */
export function disablePrecompiled(): void {
  disabled = true;
}

/** Precompiled code is unusable: say why under LDAPS_AUDIT_DEBUG=1 only, and compile at run time from here on. */
function fallBack(why: string): void {
  manifest = null;
  if (process.env.LDAPS_AUDIT_DEBUG === "1") stderrLine(`debug: precompiled validators not used (${why}); compiling at run time`);
}

function current(): Manifest | null {
  if (disabled) return null;
  if (manifest !== undefined) return manifest;
  manifest = null;
  const path = join(GENERATED_DIR, MANIFEST);
  if (!existsSync(path)) return manifest;
  let m: Manifest;
  try {
    m = JSON.parse(readFileSync(path, "utf8")) as Manifest;
    if (!m || typeof m !== "object" || typeof m.schemas !== "object" || !m.schemas || typeof m.profiles !== "object" || !m.profiles) throw new Error("not a manifest");
  } catch (e) {
    fallBack(`${path}: ${(e as Error).message}`);
    return manifest;
  }
  // The sources are listed once (a walk of schemas/) for the stamp and, when it differs, the digest.
  const files = sourceFiles();
  if ((m.stamp !== undefined && m.stamp === sourcesStamp(files)) || m.digest === sourcesDigest(files)) manifest = m;
  else fallBack(`${path} is stale; run npm run build`);
  return manifest;
}

/**
 * One validator by its manifest name, "<file>#<export>". Each schema and each profile has a file of its
 * own, so a run loads the code of what it uses (evaluate: the snapshot schema and one profile).
 */
function validator(ref: string): ValidateFunction {
  const [file, name] = ref.split("#");
  let mod = modules.get(file);
  if (!mod) {
    mod = require(join(GENERATED_DIR, file)) as Record<string, ValidateFunction>;
    modules.set(file, mod);
  }
  const v = mod[name];
  if (!v) throw new Error(`${GENERATED_DIR}: validator ${ref} is missing; run npm run build`);
  return v;
}

/** The build-time validator of a shipped schema, or undefined (then ajv compiles it). */
export function precompiledValidator(schemaId: string): ValidateFunction | undefined {
  const ref = current()?.schemas[schemaId];
  if (!ref) return undefined;
  try {
    return validator(ref);
  } catch (e) {
    fallBack((e as Error).message);
    return undefined;
  }
}

/** A shipped profile as loadProfile() would build it, from the generated code; undefined when there is none. */
export function precompiledProfile(name: string, source: string): LoadedProfile | undefined {
  const p = current()?.profiles[name];
  if (!p) return undefined;
  try {
    return reviveProfile(p, source);
  } catch (e) {
    fallBack((e as Error).message);
    return undefined;
  }
}

function reviveProfile(p: SerializedProfile, source: string): LoadedProfile {
  const part = (s: SerializedPart | null): ControlPart | null => (s ? { validate: validator(s.v), location: s.location, ...(s.defs ? { defs: s.defs } : {}) } : null);
  const built = new Map<string, Control>();
  const revive = (id: string): Control => {
    const hit = built.get(id);
    if (hit) return hit;
    const c = p.controls[id];
    const control: Control = {
      meta: c.meta,
      location: c.location,
      applies: part(c.applies),
      requirement: part(c.requirement)!,
      warning: part(c.warning),
      parameters: c.parameters,
      uses: c.uses.map((u) => ({ path: u.path, control: revive(u.id) })),
      judges: c.judges,
      warns: c.warns,
    };
    built.set(id, control);
    return control;
  };
  return { id: p.id, title: p.title, schemaId: p.schemaId, source, sha256: p.sha256, controls: p.selected.map(revive) };
}

/**
 * For the generator: a loaded (runtime-compiled) profile as manifest data. `exportOf` names the standalone
 * export for a control part, given the control id and the part.
 */
export function serializeProfile(profile: LoadedProfile, exportOf: (controlId: string, part: "if" | "then" | "ldapsWarning") => string): SerializedProfile {
  const controls: Record<string, SerializedControl> = {};
  const part = (id: string, name: "if" | "then" | "ldapsWarning", p: ControlPart | null): SerializedPart | null =>
    p ? { v: exportOf(id, name), location: p.location, ...(p.defs ? { defs: p.defs } : {}) } : null;
  const add = (c: Control): void => {
    const id = c.meta.id;
    if (controls[id]) {
      if (controls[id].location !== c.location) throw new Error(`profile ${profile.id}: two different controls ${id}`);
      return;
    }
    controls[id] = {
      meta: c.meta,
      location: c.location,
      applies: part(id, "if", c.applies),
      requirement: part(id, "then", c.requirement)!,
      warning: part(id, "ldapsWarning", c.warning),
      parameters: c.parameters,
      uses: c.uses.map((u) => ({ path: u.path, id: u.control.meta.id })),
      judges: c.judges,
      warns: c.warns,
    };
    c.uses.forEach((u) => add(u.control));
  };
  profile.controls.forEach(add);
  return { id: profile.id, title: profile.title, schemaId: profile.schemaId, sha256: profile.sha256, selected: profile.controls.map((c) => c.meta.id), controls };
}

export const MANIFEST_FILE = MANIFEST;
