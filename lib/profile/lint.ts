// Control lint: every property a control's schemas (and message templates) read must exist in the facts
// schema. JSON Schema ignores properties an instance does not have, so a control testing
// `publicKye.bits >= 8192` would pass every certificate; here it is refused at load, naming the control,
// the path and the nearest known name. The walk also yields what the control reads (for the catalogue)
// and which other controls it applies by $ref (N02 applies the certificate controls to the presented one).
import { FACTS_SCHEMA_ID, getAjv } from "../schemas";
import { pointerGet, resolveRef } from "./pointer";

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

function typesOf(node: Json): string[] | null {
  return typeof node.type === "string" ? [node.type] : Array.isArray(node.type) ? (node.type as string[]) : null;
}

function childOf(position: FactsPosition, key: string): FactsPosition | undefined {
  if (position === "open") return "open";
  const nodes = expand(position);
  const found: Located[] = [];
  let open = false;
  for (const n of nodes) {
    const node = n.node as Json;
    const props = node.properties;
    if (isObject(props) && key in props) found.push({ doc: n.doc, node: props[key] });
    else if (isObject(node.additionalProperties)) found.push({ doc: n.doc, node: node.additionalProperties });
    else if (!isObject(props) && node.additionalProperties !== false && !node.$ref && !node.anyOf && !node.oneOf && !node.allOf) {
      const types = typesOf(node);
      if (!types || types.includes("object")) open = true;
    }
  }
  if (found.length) return found;
  return open ? "open" : undefined;
}

function itemsOf(position: FactsPosition): FactsPosition {
  if (position === "open") return "open";
  const found = expand(position).flatMap((n) => (isObject((n.node as Json).items) || typeof (n.node as Json).items === "boolean" ? [{ doc: n.doc, node: (n.node as Json).items }] : []));
  return found.length ? found : "open";
}

function isArray(position: FactsPosition): boolean {
  return position !== "open" && expand(position).some((n) => typesOf(n.node as Json)?.includes("array"));
}

function knownKeys(position: FactsPosition): string[] {
  if (position === "open") return [];
  return [...new Set(expand(position).flatMap((n) => (isObject((n.node as Json).properties) ? Object.keys((n.node as Json).properties as Json) : [])))];
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

function nearest(key: string, candidates: string[]): string | null {
  let best: string | null = null;
  let score = Infinity;
  for (const c of candidates) {
    const s = distance(key, c);
    if (s < score) [best, score] = [c, s];
  }
  return best;
}

/** The first property path a subschema goes on to read, so the message names what the author wrote. */
function deeper(sub: unknown): string[] {
  if (!isObject(sub) || !isObject(sub.properties)) return [];
  const [first] = Object.keys(sub.properties);
  return first === undefined ? [] : [first, ...deeper(sub.properties[first])];
}

function unknown(path: string[], key: string, position: FactsPosition, sub?: unknown): string {
  const near = nearest(key, knownKeys(position));
  const at = path.length ? path.join(".") : "the top level";
  const full = [...path, key, ...deeper(sub)].join(".");
  return `reads ${full}, which the facts do not have: no "${key}" at ${at} (${near ? `nearest known name: ${[...path, near].join(".")}` : "nothing is known there"})`;
}

/** Where a control scope's instance sits in the facts schema. */
export function factsRoot(scope: "host" | "certificate"): FactsPosition {
  return scope === "host" ? [{ doc: FACTS_SCHEMA_ID, node: doc(FACTS_SCHEMA_ID) }] : [{ doc: FACTS_SCHEMA_ID, node: pointerGet(doc(FACTS_SCHEMA_ID), "/$defs/Certificate") }];
}

class Walker {
  readonly read = new Set<string>();
  readonly uses: ControlWalk["uses"] = [];
  readonly problems: string[] = [];
  private readonly active = new Set<string>();

  schema(schema: unknown, base: string, facts: FactsPosition, path: string[]): void {
    if (!isObject(schema)) return;
    if (typeof schema.$ref === "string") this.ref(schema.$ref, base, facts, path);
    const props = schema.properties;
    if (isObject(props)) {
      for (const [key, sub] of Object.entries(props)) {
        const child = childOf(facts, key);
        if (!child) {
          this.problems.push(unknown(path, key, facts, sub));
          continue;
        }
        this.read.add([...path, key].join("."));
        this.schema(sub, base, child, [...path, key]);
      }
    }
    if (Array.isArray(schema.required)) {
      for (const key of schema.required as string[]) {
        if (!childOf(facts, key)) this.problems.push(unknown(path, key, facts));
        else this.read.add([...path, key].join("."));
      }
    }
    for (const k of ["items", "contains", "additionalItems"]) if (k in schema) this.schema(schema[k], base, itemsOf(facts), path);
    if (Array.isArray(schema.prefixItems)) for (const s of schema.prefixItems) this.schema(s, base, itemsOf(facts), path);
    for (const k of ["allOf", "anyOf", "oneOf"]) if (Array.isArray(schema[k])) for (const s of schema[k] as unknown[]) this.schema(s, base, facts, path);
    for (const k of ["not", "if", "then", "else"]) if (k in schema) this.schema(schema[k], base, facts, path);
  }

  private ref(ref: string, base: string, facts: FactsPosition, path: string[]): void {
    const [d, ptr] = resolveRef(base, ref);
    const target = doc(d);
    const key = `${d}#${ptr}@${path.join(".")}`;
    if (!target || this.active.has(key)) return;
    this.active.add(key);
    if (ptr === "" && isObject(target.ldapsControl)) {
      // A whole control applied to a sub-instance: judged (and linted) as that control, on what sits here.
      // Its own reads are its own (linted here, listed in its file), not this control's.
      this.uses.push({ path, controlDoc: d });
      const before = new Set(this.read);
      for (const part of ["if", "then", "ldapsWarning"]) if (part in target) this.schema(target[part], d, facts, path);
      this.read.clear();
      for (const r of before) this.read.add(r);
      if (path.length) this.read.add(path.join("."));
    } else {
      this.schema(pointerGet(target, ptr), d, facts, path);
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
          this.problems.push(`message template {{${m[1]}}} ${unknown(walked, key, position ?? "open")}`);
          break;
        }
        walked.push(key);
        position = child;
      }
    }
  }
}

/** Walk one control's parts (given as [schema, base document] pairs) and message templates. */
export function walkControl(scope: "host" | "certificate", parts: Array<[unknown, string]>, messages: string[] = []): ControlWalk {
  const w = new Walker();
  const root = factsRoot(scope);
  for (const [schema, base] of parts) w.schema(schema, base, root, []);
  for (const m of messages) w.template(m, root);
  const all = [...w.read].sort();
  const reads = all.filter((p) => !all.some((q) => q.startsWith(`${p}.`)));
  return { reads, uses: w.uses, problems: [...new Set(w.problems)] };
}
