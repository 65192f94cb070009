// Control lint: every property a control's schemas (and message templates) read must exist in the facts
// schema. JSON Schema ignores properties an instance does not have, so a control testing
// `publicKye.bits >= 8192` would pass every certificate; here it is refused at load, naming the control,
// the path and the nearest known name. The walk also yields what the control reads (for the catalogue)
// and which other controls it applies by $ref (N02 applies the certificate controls to the presented one).
import { InputError } from "../errors";
import { MAX_LINT_STEPS } from "../limits";
import { FACTS_SCHEMA_ID, getAjv } from "../schemas";
import { shortText } from "../terminal";
import { groupThousands } from "../text-order";
import { escapePointerPart, pointerGet, resolveRef } from "./pointer";

type Json = Record<string, unknown>;
interface Located {
  doc: string;
  node: unknown;
}
/** The facts schema nodes a control position may stand on ("open": the facts say nothing below here). */
type FactsPosition = Located[] | "open";

export interface ControlWalk {
  /** Dotted fact paths read (leaves only), relative to the control's instance. */
  reads: string[];
  /** $refs to whole control documents, with the property path to the sub-instance they judge. */
  uses: Array<{ path: string[]; controlDoc: string }>;
  /** One message per unknown fact path. */
  problems: string[];
}

function doc(id: string): Json | undefined {
  return getAjv().schemas[id]?.schema as Json | undefined;
}

function isObject(x: unknown): x is Json {
  return x !== null && typeof x === "object" && !Array.isArray(x);
}

/** A schema node with its $refs and combinators unfolded into the alternatives it allows. */
function expand(position: Located[], depth = 0): Located[] {
  const out: Located[] = [];
  for (const p of position) {
    if (!isObject(p.node) || depth > 20) continue;
    out.push(p);
    if (typeof p.node.$ref === "string") {
      const [d, ptr] = resolveRef(p.doc, p.node.$ref);
      out.push(...expand([{ doc: d, node: pointerGet(doc(d), ptr) }], depth + 1));
    }
    for (const k of ["anyOf", "oneOf", "allOf"]) {
      const list = p.node[k];
      if (Array.isArray(list)) out.push(...expand(list.map((node) => ({ doc: p.doc, node })), depth + 1));
    }
  }
  return out;
}

const JSON_TYPES = ["null", "boolean", "object", "array", "number", "string", "integer"];

function typeOfValue(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : Number.isInteger(v) ? "integer" : typeof v;
}

/** The JSON types a facts node allows: its `type`, else inferred from `enum`/`const`, else null (anything). */
function typesOf(node: Json): string[] | null {
  if (typeof node.type === "string") return [node.type];
  if (Array.isArray(node.type)) return node.type as string[];
  if (Array.isArray(node.enum)) return [...new Set(node.enum.map(typeOfValue))];
  if ("const" in node) return [typeOfValue(node.const)];
  return null;
}

/** A facts node that only points elsewhere (its alternatives are expanded separately). */
function isWrapper(node: Json): boolean {
  return !!(node.$ref || node.anyOf || node.oneOf || node.allOf);
}

/** Whether a facts position may hold a value of this JSON type (no type known counts as yes). */
function mayBe(position: Located[], type: "object" | "array"): boolean {
  return expand(position).some((n) => {
    const node = n.node as Json;
    const types = typesOf(node);
    if (types) return types.includes(type) || (type === "object" && types.length === 0);
    if (type === "object" && isObject(node.properties)) return true;
    if (type === "array" && ("items" in node || "prefixItems" in node)) return true;
    return !isWrapper(node) && !isObject(node.properties) && !("items" in node);
  });
}

function childOf(position: FactsPosition, key: string): FactsPosition | undefined {
  if (position === "open") return "open";
  const nodes = expand(position);
  const found: Located[] = [];
  let open = false;
  for (const n of nodes) {
    const node = n.node as Json;
    const props = node.properties;
    if (isObject(props) && Object.hasOwn(props, key)) found.push({ doc: n.doc, node: props[key] });
    else if (isObject(node.additionalProperties)) found.push({ doc: n.doc, node: node.additionalProperties });
    else if (!isObject(props) && node.additionalProperties !== false && !isWrapper(node)) {
      const types = typesOf(node);
      if (!types || types.includes("object")) open = true;
    }
  }
  if (found.length) return found;
  return open ? "open" : undefined;
}

/** The facts nodes of an array position's items; "open" when unknown; undefined when the position is no array. */
function itemsOf(position: FactsPosition): FactsPosition | undefined {
  if (position === "open") return "open";
  const found = expand(position).flatMap((n) => (isObject((n.node as Json).items) || typeof (n.node as Json).items === "boolean" ? [{ doc: n.doc, node: (n.node as Json).items }] : []));
  if (found.length) return found;
  return mayBe(position, "array") ? "open" : undefined;
}

function isArray(position: FactsPosition): boolean {
  return position !== "open" && expand(position).some((n) => typesOf(n.node as Json)?.includes("array"));
}

function knownKeys(position: FactsPosition): string[] {
  if (position === "open") return [];
  return [...new Set(expand(position).flatMap((n) => (isObject((n.node as Json).properties) ? Object.keys((n.node as Json).properties as Json) : [])))];
}

/** Edit distance (case-insensitive), two rows; only called for names of similar length. */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const row = [i];
    for (let j = 1; j <= y.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[y.length];
}

/**
 * The nearest known name: by edit distance among names whose length differs by at most 3 (others cost
 * nothing, so a 200 KB name is cheap), else a known name the key starts with or that starts with the key
 * (serverAuthentication -> serverAuth).
 */
function nearest(key: string, candidates: string[]): string | null {
  let best: string | null = null;
  let score = Infinity;
  for (const c of candidates) {
    if (Math.abs(c.length - key.length) > 3) continue;
    const s = distance(key, c);
    if (s < score) [best, score] = [c, s];
  }
  if (best !== null) return best;
  const k = key.toLowerCase();
  return candidates.find((c) => k.startsWith(c.toLowerCase()) || c.toLowerCase().startsWith(k)) ?? null;
}

/** A name from a profile, cut for a message (a 200 KB property name stays one short line). */
const shortName = (name: string) => shortText(name, 80);

/** The first property path a subschema goes on to read, so the message names what the author wrote. */
function deeper(sub: unknown): string[] {
  if (!isObject(sub) || !isObject(sub.properties)) return [];
  const [first] = Object.keys(sub.properties);
  return first === undefined ? [] : [first, ...deeper(sub.properties[first])];
}

function unknown(path: string[], key: string, position: FactsPosition, sub?: unknown): string {
  const near = nearest(key, knownKeys(position));
  const at = path.length ? path.join(".") : "the top level";
  const full = shortName([...path, key, ...deeper(sub)].join("."));
  return `reads ${full}, which the facts do not have: no "${shortName(key)}" at ${at} (${near ? `nearest known name: ${[...path, near].join(".")}` : "nothing is known there"})`;
}

/** Where a control scope's instance sits in the facts schema. */
export function factsRoot(scope: "host" | "certificate"): FactsPosition {
  return scope === "host" ? [{ doc: FACTS_SCHEMA_ID, node: doc(FACTS_SCHEMA_ID) }] : [{ doc: FACTS_SCHEMA_ID, node: pointerGet(doc(FACTS_SCHEMA_ID), "/$defs/Certificate") }];
}

/** JSON Pointer of a child of a schema node, for messages. */
function at(pointer: string, ...keys: Array<string | number>): string {
  return pointer + keys.map((k) => `/${escapePointerPart(String(k))}`).join("");
}

/** Keywords the lint cannot follow: a control using them is refused rather than trusted. */
const UNCHECKABLE: Record<string, string> = {
  $dynamicRef: "its target depends on the evaluation path, so the facts it reads cannot be checked; use $ref",
  $recursiveRef: "it is not JSON Schema 2020-12; use $ref",
  propertyNames: "it constrains property names, not facts, and cannot be checked against the facts schema; use properties, required or patternProperties",
};

class Walker {
  readonly read = new Set<string>();
  readonly uses: ControlWalk["uses"] = [];
  readonly problems: string[] = [];
  private readonly active = new Set<string>();
  private steps = 0;

  /** `where` is the node's location, "<document>#<pointer>", for messages. */
  schema(schema: unknown, base: string, facts: FactsPosition, path: string[], where: string): void {
    if (!isObject(schema)) return;
    if (++this.steps > MAX_LINT_STEPS) throw new InputError(`its schemas take more than ${groupThousands(MAX_LINT_STEPS)} steps to check against the facts schema (a recursive or very large control), at ${shortText(where, 300)}`);
    for (const [k, why] of Object.entries(UNCHECKABLE)) if (k in schema) this.problems.push(`uses ${k} at ${at(where, k)}: ${why}`);
    if (typeof schema.$ref === "string") this.ref(schema.$ref, base, facts, path, at(where, "$ref"));
    const props = schema.properties;
    if (isObject(props)) {
      for (const [key, sub] of Object.entries(props)) this.property(key, sub, base, facts, path, at(where, "properties", key));
    }
    // Names a schema requires, or makes other names or subschemas depend on, must exist too.
    const names = (k: string, list: unknown) => {
      if (!Array.isArray(list)) return;
      for (const key of list) {
        if (typeof key !== "string") continue;
        if (!childOf(facts, key)) this.problems.push(`${unknown(path, key, facts)} (${k} at ${where})`);
        else this.read.add([...path, key].join("."));
      }
    };
    names("required", schema.required);
    if (isObject(schema.dependentRequired)) {
      for (const [key, list] of Object.entries(schema.dependentRequired)) {
        names("dependentRequired", [key]);
        names("dependentRequired", list);
      }
    }
    if (isObject(schema.dependentSchemas)) {
      for (const [key, sub] of Object.entries(schema.dependentSchemas)) {
        names("dependentSchemas", [key]);
        this.schema(sub, base, facts, path, at(where, "dependentSchemas", key));
      }
    }
    if (isObject(schema.patternProperties)) {
      for (const [pattern, sub] of Object.entries(schema.patternProperties)) this.pattern(pattern, sub, base, facts, path, at(where, "patternProperties", pattern));
    }
    // additionalProperties/unevaluatedProperties judge every property not named in `properties`.
    for (const k of ["additionalProperties", "unevaluatedProperties"]) {
      if (!isObject(schema[k])) continue;
      const named = isObject(props) ? props : {};
      if (facts === "open") {
        this.schema(schema[k], base, "open", path, at(where, k));
        continue;
      }
      const rest = knownKeys(facts).filter((key) => !Object.hasOwn(named, key));
      for (const key of rest) this.property(key, schema[k], base, facts, path, at(where, k));
    }
    for (const k of ["items", "contains", "additionalItems", "unevaluatedItems", "prefixItems"]) {
      if (!(k in schema)) continue;
      const items = itemsOf(facts);
      if (!items) {
        this.problems.push(`applies ${k} to ${path.length ? path.join(".") : "the top level"}, which is not an array in the facts (at ${at(where, k)})`);
        continue;
      }
      if (k === "prefixItems" && Array.isArray(schema.prefixItems)) schema.prefixItems.forEach((s, i) => this.schema(s, base, items, path, at(where, k, i)));
      else this.schema(schema[k], base, items, path, at(where, k));
    }
    for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(schema[k])) (schema[k] as unknown[]).forEach((s, i) => this.schema(s, base, facts, path, at(where, k, i)));
    for (const k of ["not", "if", "then", "else"]) if (k in schema) this.schema(schema[k], base, facts, path, at(where, k));
  }

  private property(key: string, sub: unknown, base: string, facts: FactsPosition, path: string[], where: string): void {
    const child = childOf(facts, key);
    if (!child) {
      this.problems.push(unknown(path, key, facts, sub));
      return;
    }
    this.read.add([...path, key].join("."));
    this.schema(sub, base, child, [...path, key], where);
  }

  /** A patternProperties regex must match a name the facts have there; its subschema is walked on each. */
  private pattern(pattern: string, sub: unknown, base: string, facts: FactsPosition, path: string[], where: string): void {
    if (facts === "open") {
      this.schema(sub, base, "open", path, where);
      return;
    }
    let keys: string[];
    try {
      // V8 may refuse a pattern (too large) only when it runs it.
      const re = new RegExp(pattern, "u");
      keys = knownKeys(facts).filter((k) => re.test(k));
    } catch (e) {
      this.problems.push(`has patternProperties ${JSON.stringify(shortName(pattern))}, which is not a usable regular expression (${shortName((e as Error).message)}) (at ${where})`);
      return;
    }
    if (!keys.length) {
      const known = knownKeys(facts);
      this.problems.push(`has patternProperties ${JSON.stringify(shortName(pattern))} at ${path.length ? path.join(".") : "the top level"}, which matches no name the facts have there (${known.length ? `known: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", ..." : ""}` : "nothing is known there"}) (at ${where})`);
      return;
    }
    for (const key of keys) this.property(key, sub, base, facts, path, where);
  }

  private ref(ref: string, base: string, facts: FactsPosition, path: string[], where: string): void {
    let d: string;
    let ptr: string;
    try {
      [d, ptr] = resolveRef(base, ref);
    } catch (e) {
      this.problems.push(`${(e as Error).message} (at ${where})`);
      return;
    }
    const target = doc(d);
    if (ptr !== "" && !ptr.startsWith("/")) {
      this.problems.push(`has $ref ${shortName(JSON.stringify(ref))} to an anchor, which cannot be checked; refer by JSON pointer (at ${where})`);
      return;
    }
    // Recursion: in a position the facts describe, the path grows with the facts schema (finite); in an
    // open position it would grow for ever, so there a reference is followed once whatever the path.
    const key = facts === "open" ? `${d}#${ptr}@open` : `${d}#${ptr}@${path.join(".")}`;
    if (!target || this.active.has(key)) return;
    this.active.add(key);
    if (ptr === "" && isObject(target.ldapsControl)) {
      // A whole control applied to a sub-instance: judged (and linted) as that control, on what sits here.
      // Its own reads are its own (linted here, listed in its file), not this control's.
      this.uses.push({ path, controlDoc: d });
      const before = new Set(this.read);
      for (const part of ["if", "then", "ldapsWarning"]) if (part in target) this.schema(target[part], d, facts, path, `${d}#/${part}`);
      this.read.clear();
      for (const r of before) this.read.add(r);
      if (path.length) this.read.add(path.join("."));
    } else {
      this.schema(pointerGet(target, ptr), d, facts, path, `${d}#${ptr}`);
    }
    this.active.delete(key);
  }

  template(text: string, facts: FactsPosition): void {
    for (const m of text.matchAll(/\{\{\s*([\w.$-]+)\s*(?:\|[^}]*)?\}\}/g)) {
      let position: FactsPosition | undefined = facts;
      const walked: string[] = [];
      for (const key of m[1].split(".")) {
        if (key === "length" && position && isArray(position)) break;
        const child: FactsPosition | undefined = position ? childOf(position, key) : undefined;
        if (!child) {
          this.problems.push(`message template {{${shortName(m[1])}}} ${unknown(walked, key, position ?? "open")}`);
          break;
        }
        walked.push(key);
        position = child;
      }
    }
  }
}

/** Walk one control's parts (given as [schema, base document] pairs) and message templates. */
export function walkControl(scope: "host" | "certificate", parts: Array<[unknown, string, string?]>, messages: string[] = []): ControlWalk {
  const w = new Walker();
  const root = factsRoot(scope);
  for (const [schema, base, where] of parts) w.schema(schema, base, root, [], where ?? base);
  for (const m of messages) w.template(m, root);
  const all = [...w.read].sort();
  const reads = all.filter((p) => !all.some((q) => q.startsWith(`${p}.`)));
  // Pointers in messages carry the profile's own names and patterns: each problem stays a short line.
  return { reads, uses: w.uses, problems: [...new Set(w.problems)].map((p) => shortText(p, 600)) };
}
