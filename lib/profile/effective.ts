// The controls of one profile as that profile applies them. Every control gets an effective copy,
// <profile key>/controls/<id>.json: the control file's parts with the profile's parameter values in its
// `$defs`, or, for a part the profile restates, a $ref to the restating subschema. Relative references
// between controls (N02's `$ref: "LDAPS-C09.json"`) therefore reach the profile's C09, not the default,
// so overriding C09 changes N02 too. Each copy is linted against the facts schema before it is compiled.
import { createHash } from "node:crypto";
import { InputError } from "../errors";
import { getAjv, SCHEMA_BASE } from "../schemas";
import { shortText } from "../terminal";
import { walkControl } from "./lint";
import { escapePointerPart, pointerFragment, pointerGet, resolveRef, unescapePointerPart } from "./pointer";
import type { Control, ControlMetadata, ControlPart } from "./types";
import { compareText } from "../text-order";

type Json = Record<string, unknown>;
type PartName = "if" | "then" | "ldapsWarning";

export interface MergedControl {
  meta: ControlMetadata;
  location: string;
  /** Each part as "<schema id>#<pointer>" of the subschema that last stated it. */
  parts: Partial<Record<PartName, string>>;
  /** Each parameter's effective schema, where it was last stated, and every place it was stated (its $refs' targets). */
  params: Record<string, { schema: unknown; location: string; stated?: string[] }>;
  /** Every subschema merged into this control, as "<schema id>#<pointer>" (for references into them). */
  nodes?: string[];
}

const CONTROLS = `${SCHEMA_BASE}controls/`;

function source(location: string): { doc: string; pointer: string; schema: unknown } {
  const hash = location.indexOf("#");
  const doc = location.slice(0, hash);
  const pointer = location.slice(hash + 1);
  return { doc, pointer, schema: pointerGet(getAjv().schemas[doc]?.schema, pointer) };
}

const isShipped = (location: string) => location.startsWith(CONTROLS);

/** Keywords whose values are data (never schemas): copied as they are. */
const DATA = new Set(["const", "enum", "examples", "default", "required", "dependentRequired", "type", "pattern", "format", "title", "description", "$comment", "$schema", "ldapsControl"]);
/** Keywords whose values map names to schemas. */
const MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
/** Keywords that would change how references inside a copied part resolve. */
const REFUSED = ["$id", "$anchor", "$dynamicAnchor"];

interface Rewrite {
  /** The control being built (its own parameters' $refs become `#/$defs/<name>`). */
  control: MergedControl;
  all: Map<string, MergedControl>;
  /** Base of the effective documents. */
  base: string;
}

function within(target: string, location: string): string | null {
  return target === location ? "" : target.startsWith(`${location}/`) ? target.slice(location.length) : null;
}

/**
 * Where a $ref of a user-written schema must point in the effective documents: its control's own
 * parameters to `#/$defs/<name>`; a control document, part or parameter of any control (a shipped control
 * file or a control subschema of a profile) to that control's effective copy, so it sees this profile's
 * parameters; anything else to the same place, absolute.
 */
function effectiveRef(ref: string, sourceDoc: string, at: string, r: Rewrite, depth = 0): string {
  const where = shortText(at, 300);
  let d: string;
  let ptr: string;
  try {
    [d, ptr] = resolveRef(sourceDoc, ref);
  } catch (e) {
    throw new InputError(`control ${r.control.meta.id}: ${where}: ${(e as Error).message}`);
  }
  if (ptr !== "" && !ptr.startsWith("/")) throw new InputError(`control ${r.control.meta.id}: ${where}: $ref ${JSON.stringify(shortText(ref))} names an anchor; refer by JSON pointer (#/...)`);
  const target = `${d}#${ptr}`;
  for (const [name, p] of Object.entries(r.control.params)) {
    for (const loc of p.stated ?? [p.location]) {
      const rest = within(target, loc);
      if (rest !== null) return pointerFragment(`/$defs/${escapePointerPart(name)}${rest}`);
    }
  }
  // The control subschema the target lies in (the longest location that contains it).
  let hit: { id: string; node: string; rest: string } | null = null;
  for (const [id, c] of r.all) {
    for (const node of [...(c.nodes ?? [c.location]), `${CONTROLS}${id}.json#`]) {
      const rest = within(target, node);
      if (rest !== null && (!hit || node.length > hit.node.length)) hit = { id, node, rest };
    }
  }
  if (hit) {
    const c = r.all.get(hit.id)!;
    const eff = `${r.base}${hit.id}.json`;
    const [, first, name] = hit.rest.split("/").map(unescapePointerPart);
    if (hit.rest === "") return eff;
    if (first === "$defs" && name !== undefined && Object.hasOwn(c.params, name)) return `${eff}${pointerFragment(hit.rest)}`;
    if (first === "if" || first === "then" || first === "ldapsWarning") {
      if (c.parts[first] === `${hit.node}/${first}`) return `${eff}${pointerFragment(hit.rest)}`;
      throw new InputError(
        `control ${r.control.meta.id}: ${where}: $ref ${JSON.stringify(shortText(ref))} reaches the "${first}" of control ${hit.id} at ${hit.node}, which this profile replaces or does not apply; refer to the control itself (its document) or to its $defs`,
      );
    }
  }
  // A subschema that only refers on (a profile's `{ "$ref": "../controls/LDAPS-C09.json" }`): follow it.
  const node = pointerGet(getAjv().schemas[d]?.schema, ptr);
  if (depth < 16 && node && typeof node === "object" && typeof (node as Json).$ref === "string" && Object.keys(node).every((k) => k === "$ref" || k === "$comment" || k === "description")) {
    return effectiveRef((node as Json).$ref as string, d, `${target}/$ref`, r, depth + 1);
  }
  return ptr === "" ? d : `${d}${pointerFragment(ptr)}`;
}

/** A deep copy of a user-written schema with every $ref rewritten by effectiveRef. */
function rewriteSchema(schema: unknown, sourceDoc: string, where: string, r: Rewrite): unknown {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) return structuredClone(schema);
  const out: Json = {};
  for (const [k, v] of Object.entries(schema as Json)) {
    const here = `${where}/${escapePointerPart(k)}`;
    if (REFUSED.includes(k)) throw new InputError(`control ${r.control.meta.id}: ${shortText(here, 300)}: ${k} inside a control is not supported (it changes how the control's references resolve); use $ref with a JSON pointer`);
    if (k === "$ref" && typeof v === "string") out[k] = effectiveRef(v, sourceDoc, here, r);
    else if (DATA.has(k)) out[k] = structuredClone(v);
    else if (MAPS.has(k) && v && typeof v === "object" && !Array.isArray(v)) out[k] = Object.fromEntries(Object.entries(v as Json).map(([n, s]) => [n, rewriteSchema(s, sourceDoc, `${here}/${escapePointerPart(n)}`, r)]));
    else if (Array.isArray(v)) out[k] = v.map((s, i) => rewriteSchema(s, sourceDoc, `${here}/${i}`, r));
    else out[k] = rewriteSchema(v, sourceDoc, here, r);
  }
  return out;
}

/**
 * A part written in a shipped control file is copied as it is (its `#/$defs/...` and its relative
 * references to other control files resolve in the effective document); a part written in a profile is
 * copied with its references rewritten (effectiveRef), so it sees this profile's parameters too.
 */
function effectivePart(location: string, r: Rewrite): unknown {
  const { doc, schema } = source(location);
  return isShipped(location) ? structuredClone(schema) : rewriteSchema(schema, doc, location, r);
}

function effectiveDocument(id: string, c: MergedControl, r: Rewrite): Json {
  const doc: Json = { $schema: "https://json-schema.org/draft/2020-12/schema", $id: id, $comment: `effective ${c.meta.id}, from ${c.location}`, ldapsControl: { id: c.meta.id } };
  const params = Object.entries(c.params);
  if (params.length) {
    doc.$defs = Object.fromEntries(
      params.map(([name, p]) => {
        if (isShipped(p.location)) return [name, structuredClone(p.schema)];
        const { doc: from } = source(p.location);
        return [name, rewriteSchema(p.schema, from, p.location, r)];
      }),
    );
  }
  // A control document is also a plain schema ("where it applies, the requirement holds"), which is how
  // another control applies it by $ref; `then` without `if` is refused by strict mode.
  doc.if = c.parts.if ? effectivePart(c.parts.if, r) : true;
  for (const part of ["then", "ldapsWarning"] as const) if (c.parts[part]) doc[part] = effectivePart(c.parts[part]!, r);
  return doc;
}

/** Each part as it is evaluated (its effective copy), with the document its $refs resolve in and where it was written. */
function lintParts(effectiveId: string, c: MergedControl, parts: PartName[] = ["if", "then", "ldapsWarning"]): Array<[unknown, string, string]> {
  const doc = getAjv().schemas[effectiveId]?.schema as Json;
  return parts.filter((p) => c.parts[p]).map((p) => [doc[p], effectiveId, c.parts[p]!]);
}

function messagesOf(meta: ControlMetadata): string[] {
  return Object.values(meta.messages ?? {}).filter((m): m is string => typeof m === "string");
}

function compilePart(effectiveId: string, part: PartName, c: MergedControl, defs: Record<string, string>): ControlPart {
  const validate = getAjv().getSchema(`${effectiveId}#/${part}`);
  if (!validate) throw new InputError(`control ${c.meta.id}: cannot compile its "${part}"`);
  return { validate, location: c.parts[part]!, defs };
}

/**
 * Where each `#/$defs/<name>` an error of this control can name was stated: its own parameters, and those
 * of the controls it applies (ajv's schemaPath does not say which document; a name two of them share,
 * with different sources, is left out).
 */
function parameterSources(c: MergedControl, uses: Control["uses"]): Record<string, string> {
  const sources = new Map<string, Set<string>>();
  const add = (name: string, loc: string) => sources.set(name, (sources.get(name) ?? new Set()).add(loc));
  for (const [name, p] of Object.entries(c.params)) add(name, p.location);
  for (const u of uses) for (const [name, loc] of Object.entries(u.control.requirement.defs ?? {})) add(name, loc);
  return Object.fromEntries([...sources].filter(([, locs]) => locs.size === 1).map(([name, locs]) => [name, [...locs][0]]));
}

/** Where a profile's effective control documents are registered with ajv. */
function effectiveBase(profileId: string): string {
  const key = createHash("sha256").update(profileId).digest("hex").slice(0, 16);
  return `${SCHEMA_BASE}effective/${key}/controls/`;
}

/** The ajv reference of one compiled part of a profile's effective control (scripts/build-validators.js exports it). */
export function effectivePartRef(profileId: string, controlId: string, part: PartName): string {
  return `${effectiveBase(profileId)}${controlId}.json#/${part}`;
}

export interface EffectiveControls {
  selected: Control[];
  /** Text that changes whenever any control, as this profile applies it, changes (for the profile digest). */
  digestMaterial: string;
}

/**
 * Build, lint and compile the effective controls of a profile. `merged` are the profile's own (selected)
 * controls; `defaults` every shipped control file, for the references that reach a control the profile
 * does not select.
 */
export function buildEffectiveControls(profileId: string, merged: MergedControl[], defaults: MergedControl[]): EffectiveControls {
  const ajv = getAjv();
  const base = effectiveBase(profileId);
  const all = new Map<string, MergedControl>(defaults.map((c) => [c.meta.id, c]));
  for (const c of merged) all.set(c.meta.id, c);
  const docs = new Map<string, Json>();
  for (const [id, c] of all) {
    const effectiveId = `${base}${id}.json`;
    const doc = effectiveDocument(effectiveId, c, { control: c, all, base });
    docs.set(id, doc);
    if (!ajv.schemas[effectiveId]) ajv.addSchema(doc);
  }

  const built = new Map<string, Control>();
  const building = new Set<string>();
  const build = (id: string): Control => {
    const hit = built.get(id);
    if (hit) return hit;
    const c = all.get(id)!;
    if (building.has(id)) throw new InputError(`control ${id} applies itself through references between controls`);
    building.add(id);
    const effectiveId = `${base}${id}.json`;
    let walk: ReturnType<typeof walkControl>;
    try {
      walk = walkControl(c.meta.scope, lintParts(effectiveId, c), messagesOf(c.meta));
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`control ${id} (${c.location}) ${e.message}`);
      throw e;
    }
    if (walk.problems.length) throw new InputError(`control ${id} (${c.location}) ${walk.problems.slice(0, 3).join("; ")}`);
    if (c.meta.reads && JSON.stringify([...c.meta.reads].sort()) !== JSON.stringify(walk.reads)) {
      throw new InputError(`control ${id} (${c.location}) declares it reads ${c.meta.reads.join(", ")}, but its schemas read ${walk.reads.join(", ")}`);
    }
    const uses = walk.uses.map((u) => {
      const usedId = [...all.keys()].find((k) => u.controlDoc === `${base}${k}.json` || u.controlDoc === `${CONTROLS}${k}.json`);
      if (!usedId) throw new InputError(`control ${id} refers to ${u.controlDoc}, which is not a control`);
      return { path: u.path, control: build(usedId) };
    });
    const defs = parameterSources(c, uses);
    let control: Control;
    try {
      control = {
        meta: c.meta,
        location: c.location,
        applies: c.parts.if ? compilePart(effectiveId, "if", c, defs) : null,
        requirement: compilePart(effectiveId, "then", c, defs),
        warning: c.parts.ldapsWarning ? compilePart(effectiveId, "ldapsWarning", c, defs) : null,
        parameters: Object.fromEntries(Object.entries(c.params).map(([n, p]) => [n, p.schema])),
        uses,
        judges: c.parts.then ? walkControl(c.meta.scope, lintParts(effectiveId, c, ["then"])).reads : [],
        warns: c.parts.ldapsWarning ? walkControl(c.meta.scope, lintParts(effectiveId, c, ["ldapsWarning"])).reads : [],
      };
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`control ${id} (${c.location}): its schema does not compile: ${shortText((e as Error).message, 600)}`);
    }
    building.delete(id);
    built.set(id, control);
    return control;
  };

  const selected = merged.map((c) => build(c.meta.id));
  const digestMaterial = [...docs.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([id, d]) => `\n${id}\n${JSON.stringify({ ...d, $id: undefined, $comment: undefined })}\n${JSON.stringify(all.get(id)!.meta)}`)
    .join("");
  return { selected, digestMaterial };
}

