// The controls of one profile as that profile applies them. Every control gets an effective copy,
// <profile key>/controls/<id>.json: the control file's parts with the profile's parameter values in its
// `$defs`, or, for a part the profile restates, a $ref to the restating subschema. Relative references
// between controls (N02's `$ref: "LDAPS-C09.json"`) therefore reach the profile's C09, not the default,
// so overriding C09 changes N02 too. Each copy is linted against the facts schema before it is compiled.
import { createHash } from "node:crypto";
import { InputError } from "../errors";
import { getAjv, SCHEMA_BASE } from "../schemas";
import { walkControl } from "./lint";
import { pointerGet } from "./pointer";
import type { Control, ControlMetadata, ControlPart } from "./types";

type Json = Record<string, unknown>;
type PartName = "if" | "then" | "ldapsWarning";

export interface MergedControl {
  meta: ControlMetadata;
  location: string;
  /** Each part as "<schema id>#<pointer>" of the subschema that last stated it. */
  parts: Partial<Record<PartName, string>>;
  params: Record<string, { schema: unknown; location: string }>;
}

const CONTROLS = `${SCHEMA_BASE}controls/`;

function source(location: string): { doc: string; pointer: string; schema: unknown } {
  const hash = location.indexOf("#");
  const doc = location.slice(0, hash);
  const pointer = location.slice(hash + 1);
  return { doc, pointer, schema: pointerGet(getAjv().schemas[doc]?.schema, pointer) };
}

/** A part written in a shipped control file is copied (so its `#/$defs/...` see the profile's values); any other is referenced. */
function effectivePart(location: string): unknown {
  const { doc, schema } = source(location);
  return doc.startsWith(CONTROLS) ? structuredClone(schema) : { $ref: location };
}

function effectiveDocument(id: string, c: MergedControl): Json {
  const doc: Json = { $schema: "https://json-schema.org/draft/2020-12/schema", $id: id, $comment: `effective ${c.meta.id}, from ${c.location}`, ldapsControl: { id: c.meta.id } };
  const params = Object.entries(c.params);
  if (params.length) doc.$defs = Object.fromEntries(params.map(([name, p]) => [name, structuredClone(p.schema)]));
  // A control document is also a plain schema ("where it applies, the requirement holds"), which is how
  // another control applies it by $ref; `then` without `if` is refused by strict mode.
  doc.if = c.parts.if ? effectivePart(c.parts.if) : true;
  for (const part of ["then", "ldapsWarning"] as const) if (c.parts[part]) doc[part] = effectivePart(c.parts[part]!);
  return doc;
}

/** The schema each part was written as, with the document its relative $refs resolve against. */
function lintParts(effectiveId: string, c: MergedControl): Array<[unknown, string]> {
  return (["if", "then", "ldapsWarning"] as const)
    .filter((p) => c.parts[p])
    .map((p) => {
      const { doc, schema } = source(c.parts[p]!);
      return [schema, doc.startsWith(CONTROLS) ? effectiveId : doc];
    });
}

function messagesOf(meta: ControlMetadata): string[] {
  return Object.values(meta.messages ?? {}).filter((m): m is string => typeof m === "string");
}

function compilePart(effectiveId: string, part: PartName, c: MergedControl): ControlPart {
  const validate = getAjv().getSchema(`${effectiveId}#/${part}`);
  if (!validate) throw new InputError(`control ${c.meta.id}: cannot compile its "${part}"`);
  return { validate, location: c.parts[part]! };
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
  const key = createHash("sha256").update(profileId).digest("hex").slice(0, 16);
  const base = `${SCHEMA_BASE}effective/${key}/controls/`;
  const all = new Map<string, MergedControl>(defaults.map((c) => [c.meta.id, c]));
  for (const c of merged) all.set(c.meta.id, c);
  const docs = new Map<string, Json>();
  for (const [id, c] of all) {
    const effectiveId = `${base}${id}.json`;
    const doc = effectiveDocument(effectiveId, c);
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
    const walk = walkControl(c.meta.scope, lintParts(effectiveId, c), messagesOf(c.meta));
    if (walk.problems.length) throw new InputError(`control ${id} (${c.location}) ${walk.problems.slice(0, 3).join("; ")}`);
    if (c.meta.reads && JSON.stringify([...c.meta.reads].sort()) !== JSON.stringify(walk.reads)) {
      throw new InputError(`control ${id} (${c.location}) declares it reads ${c.meta.reads.join(", ")}, but its schemas read ${walk.reads.join(", ")}`);
    }
    const uses = walk.uses.map((u) => {
      const usedId = [...all.keys()].find((k) => u.controlDoc === `${base}${k}.json` || u.controlDoc === `${CONTROLS}${k}.json`);
      if (!usedId) throw new InputError(`control ${id} refers to ${u.controlDoc}, which is not a control`);
      return { path: u.path, control: build(usedId) };
    });
    let control: Control;
    try {
      control = {
        meta: c.meta,
        location: c.location,
        applies: c.parts.if ? compilePart(effectiveId, "if", c) : null,
        requirement: compilePart(effectiveId, "then", c),
        warning: c.parts.ldapsWarning ? compilePart(effectiveId, "ldapsWarning", c) : null,
        parameters: Object.fromEntries(Object.entries(c.params).map(([n, p]) => [n, p.schema])),
        uses,
        judges: c.parts.then ? walkControl(c.meta.scope, lintParts(effectiveId, { ...c, parts: { then: c.parts.then } })).reads : [],
        warns: c.parts.ldapsWarning ? walkControl(c.meta.scope, lintParts(effectiveId, { ...c, parts: { ldapsWarning: c.parts.ldapsWarning } })).reads : [],
      };
    } catch (e) {
      if (e instanceof InputError) throw e;
      throw new InputError(`control ${id} (${c.location}): its schema does not compile: ${(e as Error).message}`);
    }
    building.delete(id);
    built.set(id, control);
    return control;
  };

  const selected = merged.map((c) => build(c.meta.id));
  const digestMaterial = [...docs.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([id, d]) => `\n${id}\n${JSON.stringify({ ...d, $id: undefined, $comment: undefined })}\n${JSON.stringify(all.get(id)!.meta)}`)
    .join("");
  return { selected, digestMaterial };
}

