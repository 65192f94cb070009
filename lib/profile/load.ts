// Loading a compliance profile: a JSON Schema 2020-12 document that selects controls. Each control is one
// file, schemas/controls/<id>.json (metadata in `ldapsControl`, parameters as `$defs`, `if`/`then`/
// `ldapsWarning`); a profile reaches controls through `allOf` (directly, or by $ref into another profile).
// A later subschema with the same control id overrides an earlier one: metadata fields and parts it
// restates, and parameters it restates as `$defs` entries of the same name. So raising C09 to 3072 bits is
//   { "ldapsControl": { "id": "LDAPS-C09" }, "$defs": { "rsaMinBits": { "minimum": 3072 } } }
//
// Why `$defs` and not $dynamicRef/$dynamicAnchor: ajv 8 implements $dynamicAnchor only at a schema
// resource root (for recursive meta-schemas); a $dynamicRef to an anchor inside `$defs` falls back to the
// resource root, so a profile's anchor never wins. Plain `$ref: "#/$defs/<parameter>"` works everywhere;
// the loader gives every control of a profile an effective copy whose `$defs` hold the profile's values
// (lib/profile/effective.ts), and references between controls (N02 -> C01..C10) resolve to those copies.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidateFunction } from "ajv";
import { InputError } from "../errors";
import { parseJsonText, readInputFile } from "../input";
import { packageRoot } from "../paths";
import { precompiledProfile } from "../precompiled";
import { describeErrors, getAjv, PROFILE_META_ID, SCHEMA_BASE } from "../schemas";
import type { MergedControl } from "./effective";
import { escapePointerPart, pointerGet, resolveRef } from "./pointer";
import type { ControlMetadata, LoadedProfile } from "./types";

export type { Control, ControlMetadata, ControlPart, ControlUse, LoadedProfile, Severity } from "./types";

export const SHIPPED_PROFILES = ["baseline", "hardened"];
/** Where the shipped control files live (one per control id). */
export const CONTROLS_BASE = `${SCHEMA_BASE}controls/`;

function shippedId(name: string): string {
  return `${SCHEMA_BASE}profiles/${name}.profile.json`;
}

type Json = Record<string, unknown>;

interface RawControl {
  meta: Partial<ControlMetadata> & { id: string };
  location: string;
  parts: MergedControl["parts"];
  params: MergedControl["params"];
  /** Locations of every subschema merged into it. */
  nodes?: string[];
}

/** A schema document as added to ajv, without compiling it (compiling happens per control part). */
function rawDocument(docId: string): Json | undefined {
  return getAjv().schemas[docId]?.schema as Json | undefined;
}

function collect(docId: string, pointer: string, out: RawControl[], seen: Set<string>): void {
  const key = `${docId}#${pointer}`;
  if (seen.has(key)) return; // $ref cycles
  seen.add(key);
  const node = pointerGet(rawDocument(docId), pointer) as Json | undefined;
  if (!node || typeof node !== "object") throw new InputError(`profile reference ${key} does not resolve to a schema`);
  if (typeof node.$ref === "string") {
    let refDoc: string;
    let refPtr: string;
    try {
      [refDoc, refPtr] = resolveRef(docId, node.$ref);
    } catch (e) {
      throw new InputError(`${key}/$ref: ${(e as Error).message}`);
    }
    if (!rawDocument(refDoc)) throw new InputError(`profile ${docId} refers to ${node.$ref}, which is not a known profile or control`);
    collect(refDoc, refPtr, out, seen);
  }
  if (Array.isArray(node.allOf)) node.allOf.forEach((_, i) => collect(docId, `${pointer}/allOf/${i}`, out, seen));
  if (node.ldapsControl && typeof node.ldapsControl === "object") {
    const parts: RawControl["parts"] = {};
    for (const k of ["if", "then", "ldapsWarning"] as const) if (k in node) parts[k] = `${docId}#${pointer}/${escapePointerPart(k)}`;
    const params: RawControl["params"] = {};
    for (const [name, schema] of Object.entries((node.$defs ?? {}) as Json)) params[name] = { schema, location: `${docId}#${pointer}/$defs/${escapePointerPart(name)}` };
    out.push({ meta: node.ldapsControl as RawControl["meta"], location: key, parts, params });
  }
}

let metaValidator: ValidateFunction | undefined;
function checkControlMetadata(raw: RawControl): void {
  metaValidator ??= getAjv().getSchema(`${PROFILE_META_ID}#/$defs/ControlMetadata`);
  if (metaValidator && !metaValidator(raw.meta)) {
    throw new InputError(`control at ${raw.location}: invalid ldapsControl: ${describeErrors(metaValidator.errors)}`);
  }
}

const ANNOTATIONS = new Set(["description", "$comment", "title", "examples"]);

/** A restated parameter keeps the shape of the one it replaces: same keywords, same JSON types. */
function checkParameter(id: string, name: string, previous: { schema: unknown; location: string } | undefined, next: { schema: unknown; location: string }, known: string[]): void {
  if (!previous) {
    const near = known.length ? `; its parameters: ${known.join(", ")}` : "; it has no parameters";
    throw new InputError(`${next.location}: control ${id} has no parameter "${name}"${near}`);
  }
  const keywords = (s: unknown) => (s && typeof s === "object" ? Object.keys(s).filter((k) => !ANNOTATIONS.has(k)).sort() : []);
  const was = keywords(previous.schema);
  const now = keywords(next.schema);
  const typeOf = (v: unknown) => (Array.isArray(v) ? "array" : v === null ? "null" : typeof v);
  const same = was.length === now.length && was.every((k, i) => k === now[i] && typeOf((previous.schema as Json)[k]) === typeOf((next.schema as Json)[k]));
  if (!same) {
    throw new InputError(`${next.location}: parameter ${id} ${name} must restate ${JSON.stringify(Object.fromEntries(was.map((k) => [k, (previous.schema as Json)[k]])))} with new values, not ${JSON.stringify(next.schema)}`);
  }
}

const isFileDefinition = (raw: RawControl) => raw.location === `${CONTROLS_BASE}${raw.meta.id}.json#` || (raw.location.startsWith(CONTROLS_BASE) && raw.location.endsWith("#"));

/** What a raw control states: its metadata fields (but id), parts and parameters. */
function stated(raw: RawControl): string[] {
  return [...Object.keys(raw.meta).filter((k) => k !== "id").map((k) => `ldapsControl.${k}`), ...Object.keys(raw.parts), ...Object.keys(raw.params).map((k) => `$defs.${k}`)];
}

/**
 * Order inside allOf means nothing in JSON Schema, so a restatement placed before the $ref that selects
 * its control file applies all the same: it moves to just after the file. When something selected with
 * the file restates the same field again, which one should win is ambiguous, and the profile is refused.
 */
function placeRestatements(raws: RawControl[]): RawControl[] {
  const files = new Set(raws.filter(isFileDefinition).map((r) => r.meta.id));
  const pending = new Map<string, RawControl[]>();
  const moved = new Map<string, RawControl[]>();
  const out: RawControl[] = [];
  for (const raw of raws) {
    const id = raw.meta.id;
    if (isFileDefinition(raw)) {
      const early = pending.get(id) ?? [];
      out.push(raw, ...early);
      if (early.length) moved.set(id, early);
      pending.delete(id);
      continue;
    }
    if (files.has(id) && !out.some((r) => r.meta.id === id && isFileDefinition(r))) {
      pending.set(id, [...(pending.get(id) ?? []), raw]);
      continue;
    }
    for (const early of moved.get(id) ?? []) {
      const both = stated(early).filter((k) => stated(raw).includes(k));
      if (both.length) {
        throw new InputError(`${early.location}: restates ${id} before any control file selects it, and ${raw.location} restates ${both.join(", ")} again after the $ref; move it after the $ref`);
      }
    }
    out.push(raw);
  }
  return out;
}

/** Merge controls by id, later ones overriding metadata fields, schema parts and parameters they restate. */
function mergeControls(input: RawControl[]): MergedControl[] {
  for (const raw of input) checkControlMetadata(raw);
  const raws = placeRestatements(input);
  const byId = new Map<string, RawControl>();
  const count = new Map<string, number>();
  for (const raw of raws) count.set(raw.meta.id, (count.get(raw.meta.id) ?? 0) + 1);
  for (const raw of raws) {
    const prev = byId.get(raw.meta.id);
    if (!prev) {
      const m = raw.meta;
      if (!(m.title && m.severity && m.scope) && !isFileDefinition(raw) && (count.get(m.id) ?? 0) > 1) {
        throw new InputError(`${raw.location}: restates ${m.id} before any control defines it; move it after the definition`);
      }
      byId.set(raw.meta.id, { ...raw, nodes: [raw.location] });
      continue;
    }
    for (const [name, p] of Object.entries(raw.params)) checkParameter(raw.meta.id, name, prev.params[name], p, Object.keys(prev.params));
    const params: RawControl["params"] = { ...prev.params };
    for (const [name, p] of Object.entries(raw.params)) params[name] = { ...p, stated: [...(prev.params[name]?.stated ?? [prev.params[name]?.location]), p.location].filter((x): x is string => !!x) };
    const meta = { ...prev.meta, ...raw.meta };
    // A restated part reads what it reads: the inherited `reads` described the parts it replaces.
    if (Object.keys(raw.parts).length && !raw.meta.reads) delete meta.reads;
    byId.set(raw.meta.id, { meta, location: raw.location, parts: { ...prev.parts, ...raw.parts }, params, nodes: [...(prev.nodes ?? []), raw.location] });
  }
  return [...byId.values()].map((raw) => {
    const m = raw.meta;
    for (const field of ["title", "severity", "scope"] as const) {
      if (!m[field]) throw new InputError(`control ${m.id} (${raw.location}) has no ${field}`);
    }
    if (!raw.parts.then) throw new InputError(`control ${m.id} (${raw.location}) has no requirement ("then" schema)`);
    return { meta: m as ControlMetadata, location: raw.location, parts: raw.parts, params: raw.params, nodes: raw.nodes ?? [raw.location] };
  });
}

/** Every shipped control file, as its defaults: what a profile's references between controls fall back on. */
function shippedControls(): MergedControl[] {
  const raws: RawControl[] = [];
  for (const id of Object.keys(getAjv().schemas).filter((k) => k.startsWith(CONTROLS_BASE) && k.endsWith(".json")).sort()) {
    collect(id, "", raws, new Set());
  }
  return mergeControls(raws);
}

const cache = new Map<string, LoadedProfile>();

/** Read a user profile file, check it against profile.meta.json and register it with ajv. */
function registerUserProfile(path: string): { schemaId: string; text: string } {
  if (!existsSync(path)) {
    throw new InputError(`--profile ${path}: no such file, and not a shipped profile (${SHIPPED_PROFILES.join(", ")})`);
  }
  const ajv = getAjv();
  const text = readInputFile(path).toString("utf8");
  const doc = parseJsonText(text, path);
  const meta = ajv.getSchema(PROFILE_META_ID)!;
  if (!meta(doc)) throw new InputError(`${path}: not a valid profile: ${describeErrors(meta.errors)}`);
  if (!ajv.validateSchema(doc as object)) throw new InputError(`${path}: not a valid JSON Schema: ${describeErrors(ajv.errors)}`);
  const declared = (doc as Json).$id;
  const schemaId = typeof declared === "string" ? declared : pathToFileURL(resolve(path)).href;
  const existing = rawDocument(schemaId);
  if (existing && JSON.stringify(existing) !== JSON.stringify(doc)) {
    // Evaluating the registered document instead would silently ignore this file.
    throw new InputError(`${path}: its $id ${schemaId} is already used by another profile (a shipped one?); give your profile its own $id`);
  }
  if (!existing) {
    try {
      ajv.addSchema(doc as object, typeof declared === "string" ? undefined : schemaId);
    } catch (e) {
      throw new InputError(`${path}: ${(e as Error).message}`);
    }
  }
  return { schemaId, text };
}

/** `baseline`, `hardened`, or a path to a profile file. */
export function loadProfile(nameOrPath: string): LoadedProfile {
  const hit = cache.get(nameOrPath);
  if (hit) return hit;
  const shipped = SHIPPED_PROFILES.includes(nameOrPath);
  const source = shipped ? join(packageRoot(), "schemas", "profiles", `${nameOrPath}.profile.json`) : nameOrPath;
  // A shipped profile compiled at build time (lib/precompiled.ts): no ajv, no compiling.
  const pre = shipped ? precompiledProfile(nameOrPath, source) : undefined;
  if (pre) {
    cache.set(nameOrPath, pre);
    return pre;
  }
  const { schemaId, text } = shipped ? { schemaId: shippedId(nameOrPath), text: readFileSync(source, "utf8") } : registerUserProfile(nameOrPath);
  const doc = rawDocument(schemaId) as Json;
  const raws: RawControl[] = [];
  try {
    collect(schemaId, "", raws, new Set());
  } catch (e) {
    if (e instanceof InputError && !shipped) throw new InputError(`${source}: ${e.message}`);
    throw e;
  }
  if (raws.length === 0) throw new InputError(`${source}: the profile defines no controls (no ldapsControl subschemas reachable through allOf)`);
  // Loaded here only: a shipped profile served precompiled (lib/precompiled.ts) never needs the compiler's side.
  const { buildEffectiveControls } = require("./effective") as typeof import("./effective");
  let effective: ReturnType<typeof buildEffectiveControls>;
  try {
    effective = buildEffectiveControls(schemaId, mergeControls(raws), shippedControls());
  } catch (e) {
    if (e instanceof InputError) throw new InputError(`${source}: ${e.message}`);
    throw e;
  }
  const info = (doc.ldapsProfile ?? {}) as { id?: string; title?: string };
  const profile: LoadedProfile = {
    id: info.id ?? nameOrPath,
    title: info.title ?? (doc.title as string) ?? nameOrPath,
    schemaId,
    source,
    // The profile's own bytes and every control as this profile applies it, so a changed control shows.
    sha256: createHash("sha256").update(text).update(effective.digestMaterial).digest("hex"),
    controls: effective.selected,
  };
  cache.set(nameOrPath, profile);
  return profile;
}
