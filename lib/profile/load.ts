// Loading a compliance profile: a JSON Schema 2020-12 document whose controls are subschemas annotated
// with `ldapsControl`. Controls are found by walking `allOf` (following `$ref` into other profiles and
// control families); a later control with the same id overrides an earlier one, so a user profile can
// `allOf` a shipped profile and restate one control with a stricter threshold.
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidateFunction } from "ajv";
import { InputError } from "../errors";
import { parseJsonText, readInputFile } from "../input";
import { packageRoot } from "../paths";
import { describeErrors, getAjv, PROFILE_META_ID, SCHEMA_BASE } from "../schemas";

export type Severity = "critical" | "high" | "medium" | "low" | "info";

export interface ControlMetadata {
  id: string;
  title: string;
  severity: Severity;
  scope: "host" | "certificate";
  advisory?: boolean;
  rationale?: string;
  remediation?: string;
  references?: Array<{ id: string; url?: string }>;
  messages?: { pass?: string; fail?: string; warn?: string; skip?: string };
}

export interface Control {
  meta: ControlMetadata;
  /** Where each part lives, as "<schema id>#<JSON pointer>" (kept in evidence as schemaPath roots). */
  location: string;
  applies: ValidateFunction | null;
  requirement: ValidateFunction;
  warning: ValidateFunction | null;
}

export interface LoadedProfile {
  id: string;
  title: string;
  schemaId: string;
  source: string;
  sha256: string;
  controls: Control[];
}

export const SHIPPED_PROFILES = ["baseline", "hardened"];

function shippedId(name: string): string {
  return `${SCHEMA_BASE}profiles/${name}.profile.json`;
}

interface RawControl {
  meta: Partial<ControlMetadata> & { id: string };
  location: string;
  parts: { if?: string; then?: string; ldapsWarning?: string };
}

type Json = Record<string, unknown>;

function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Resolve "<base>" + "$ref" into [schema id, pointer]. */
function splitRef(base: string, ref: string): [string, string] {
  const abs = new URL(ref, base).href;
  const hash = abs.indexOf("#");
  return hash < 0 ? [abs, ""] : [abs.slice(0, hash), decodeURIComponent(abs.slice(hash + 1))];
}

/** A schema document as added to ajv, without compiling it (compiling happens per control part). */
function rawDocument(docId: string): Json | undefined {
  return getAjv().schemas[docId]?.schema as Json | undefined;
}

function schemaAt(docId: string, pointer: string): Json | undefined {
  const entry = rawDocument(docId);
  if (!entry) return undefined;
  let node: unknown = entry;
  for (const part of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Json)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node as Json | undefined;
}

function collect(docId: string, pointer: string, out: RawControl[], seen: Set<string>): void {
  const key = `${docId}#${pointer}`;
  if (seen.has(key)) return; // $ref cycles
  seen.add(key);
  const node = schemaAt(docId, pointer);
  if (!node || typeof node !== "object") throw new InputError(`profile reference ${key} does not resolve to a schema`);
  if (typeof node.$ref === "string") {
    const [refDoc, refPtr] = splitRef(docId, node.$ref);
    if (!rawDocument(refDoc)) throw new InputError(`profile ${docId} refers to ${node.$ref}, which is not a known profile or control family`);
    collect(refDoc, refPtr, out, seen);
  }
  if (Array.isArray(node.allOf)) node.allOf.forEach((_, i) => collect(docId, `${pointer}/allOf/${i}`, out, seen));
  if (node.ldapsControl && typeof node.ldapsControl === "object") {
    const parts: RawControl["parts"] = {};
    for (const k of ["if", "then", "ldapsWarning"] as const) if (k in node) parts[k] = `${docId}#${pointer}/${escapePointer(k)}`;
    out.push({ meta: node.ldapsControl as RawControl["meta"], location: key, parts });
  }
}

let metaValidator: ValidateFunction | undefined;
function checkControlMetadata(raw: RawControl): void {
  metaValidator ??= getAjv().getSchema(`${PROFILE_META_ID}#/$defs/ControlMetadata`);
  if (metaValidator && !metaValidator(raw.meta)) {
    throw new InputError(`control at ${raw.location}: invalid ldapsControl: ${describeErrors(metaValidator.errors)}`);
  }
}

function compileRef(ref: string): ValidateFunction {
  const v = getAjv().getSchema(ref);
  if (!v) throw new InputError(`cannot compile ${ref}`);
  return v;
}

/** Merge controls by id, later ones overriding metadata fields and schema parts they restate. */
function mergeControls(raws: RawControl[]): Control[] {
  const byId = new Map<string, RawControl>();
  for (const raw of raws) {
    checkControlMetadata(raw);
    const prev = byId.get(raw.meta.id);
    byId.set(raw.meta.id, prev ? { meta: { ...prev.meta, ...raw.meta }, location: raw.location, parts: { ...prev.parts, ...raw.parts } } : raw);
  }
  return [...byId.values()].map((raw) => {
    const m = raw.meta;
    for (const field of ["title", "severity", "scope"] as const) {
      if (!m[field]) throw new InputError(`control ${m.id} (${raw.location}) has no ${field}`);
    }
    if (!raw.parts.then) throw new InputError(`control ${m.id} (${raw.location}) has no requirement ("then" schema)`);
    try {
      return {
        meta: m as ControlMetadata,
        location: raw.location,
        applies: raw.parts.if ? compileRef(raw.parts.if) : null,
        requirement: compileRef(raw.parts.then),
        warning: raw.parts.ldapsWarning ? compileRef(raw.parts.ldapsWarning) : null,
      };
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`control ${m.id} (${raw.location}): its schema does not compile: ${(e as Error).message}`);
    }
  });
}

/** Digest of the profile file and of every profile or control family it reaches, so a changed control shows. */
function profileDigest(text: string, schemaId: string, seen: Set<string>): string {
  const hash = createHash("sha256").update(text);
  const docs = [...new Set([...seen].map((k) => k.slice(0, k.indexOf("#"))))].filter((d) => d !== schemaId).sort();
  for (const d of docs) hash.update(`\n${d}\n`).update(JSON.stringify(rawDocument(d)));
  return hash.digest("hex");
}

const cache = new Map<string, LoadedProfile>();

/** `baseline`, `hardened`, or a path to a profile file. */
export function loadProfile(nameOrPath: string): LoadedProfile {
  const hit = cache.get(nameOrPath);
  if (hit) return hit;
  const ajv = getAjv();
  let schemaId: string;
  let text: string;
  let source: string;
  if (SHIPPED_PROFILES.includes(nameOrPath)) {
    schemaId = shippedId(nameOrPath);
    source = join(packageRoot(), "schemas", "profiles", `${nameOrPath}.profile.json`);
    text = readFileSync(source, "utf8");
  } else {
    if (!existsSync(nameOrPath)) {
      throw new InputError(`--profile ${nameOrPath}: no such file, and not a shipped profile (${SHIPPED_PROFILES.join(", ")})`);
    }
    source = nameOrPath;
    text = readInputFile(nameOrPath).toString("utf8");
    const doc = parseJsonText(text, nameOrPath);
    const meta = ajv.getSchema(PROFILE_META_ID)!;
    if (!meta(doc)) throw new InputError(`${nameOrPath}: not a valid profile: ${describeErrors(meta.errors)}`);
    if (!ajv.validateSchema(doc as object)) throw new InputError(`${nameOrPath}: not a valid JSON Schema: ${describeErrors(ajv.errors)}`);
    const declared = (doc as Json).$id;
    schemaId = typeof declared === "string" ? declared : pathToFileURL(resolve(nameOrPath)).href;
    const existing = rawDocument(schemaId);
    if (existing && JSON.stringify(existing) !== JSON.stringify(doc)) {
      // Evaluating the registered document instead would silently ignore this file.
      throw new InputError(`${nameOrPath}: its $id ${schemaId} is already used by another profile (a shipped one?); give your profile its own $id`);
    }
    if (!existing) {
      try {
        ajv.addSchema(doc as object, typeof declared === "string" ? undefined : schemaId);
      } catch (e) {
        throw new InputError(`${nameOrPath}: ${(e as Error).message}`);
      }
    }
  }
  const doc = schemaAt(schemaId, "") as Json;
  const raws: RawControl[] = [];
  const seen = new Set<string>();
  collect(schemaId, "", raws, seen);
  if (raws.length === 0) throw new InputError(`${source}: the profile defines no controls (no ldapsControl subschemas reachable through allOf)`);
  let controls: Control[];
  try {
    controls = mergeControls(raws);
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
    sha256: profileDigest(text, schemaId, seen),
    controls,
  };
  cache.set(nameOrPath, profile);
  return profile;
}
