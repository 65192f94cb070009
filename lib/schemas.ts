// One ajv (JSON Schema 2020-12, strict) for the whole run: every shipped schema is added once and
// each validator is compiled once and cached. Also turns ajv errors into one readable line.
// The shipped schemas' validators are compiled at build time (lib/precompiled.ts); ajv itself is loaded
// only when something needs it at run time (a user profile, lint, a build without the generated code).
import type Ajv2020 from "ajv/dist/2020";
import type { ErrorObject, Options, ValidateFunction } from "ajv/dist/2020";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "./errors";
import { packageRoot } from "./paths";
import { precompiledValidator } from "./precompiled";

export const SCHEMA_BASE = "https://ldaps-audit.dev/schemas/";
export const SNAPSHOT_SCHEMA_ID = `${SCHEMA_BASE}snapshot.schema.json`;
export const FACTS_SCHEMA_ID = `${SCHEMA_BASE}facts.schema.json`;
export const REPORT_SCHEMA_ID = `${SCHEMA_BASE}report.schema.json`;
export const PROFILE_META_ID = `${SCHEMA_BASE}profile.meta.json`;
export const WAIVERS_SCHEMA_ID = `${SCHEMA_BASE}waivers.schema.json`;

let shared: Ajv2020 | undefined;

/** Keywords profiles add to JSON Schema. Registered so strict mode stays on. */
function addProfileKeywords(ajv: Ajv2020): void {
  // Annotations: control and profile metadata. Their shape is checked by profile.meta.json.
  ajv.addKeyword({ keyword: "ldapsControl", schemaType: "object" });
  ajv.addKeyword({ keyword: "ldapsProfile", schemaType: "object" });
  // A subschema evaluated on its own by lib/profile (warn level); ignored when the profile is used as a plain schema.
  ajv.addKeyword({ keyword: "ldapsWarning", schemaType: ["object", "boolean"] });
}

function schemaFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...schemaFiles(p));
    else if (entry.name.endsWith(".json")) out.push(p);
  }
  return out.sort();
}

/** The options of the shared ajv (and so of the standalone code generated from it). */
const AJV_OPTIONS: Options = { strict: true, strictTypes: false, strictRequired: false, allErrors: true, allowUnionTypes: true };

let keepSource = false;
/** For scripts/build-validators.js: the shared ajv keeps each validator's source for standalone code. */
export function keepValidatorSource(): void {
  if (shared) throw new Error("keepValidatorSource() must come before the first getAjv()");
  keepSource = true;
}

export function getAjv(): Ajv2020 {
  if (shared) return shared;
  // Loaded here, not at the top: runs that only use precompiled validators never load ajv (~70 ms).
  const Ajv = (require("ajv/dist/2020") as typeof import("ajv/dist/2020")).default;
  const addFormats = (require("ajv-formats") as typeof import("ajv-formats")).default;
  // Strict about unknown keywords and formats (typos in profiles fail loudly); not about "type" next to
  // "properties"/"required", which profile authors should not have to repeat.
  // Standalone code names the formats by the module it will require them from at run time.
  const code = keepSource ? { code: { source: true, formats: (require("ajv") as typeof import("ajv"))._`require("ajv-formats/dist/formats").fullFormats` } } : {};
  const ajv = new Ajv({ ...AJV_OPTIONS, ...code });
  addFormats(ajv);
  addProfileKeywords(ajv);
  for (const file of schemaFiles(join(packageRoot(), "schemas"))) {
    ajv.addSchema(JSON.parse(readFileSync(file, "utf8")));
  }
  shared = ajv;
  return ajv;
}

const compiled = new Map<string, ValidateFunction>();

export function validatorFor(id: string): ValidateFunction {
  let v = compiled.get(id);
  if (!v) {
    v = precompiledValidator(id) ?? getAjv().getSchema(id);
    if (!v) throw new Error(`schema ${id} is not registered`);
    compiled.set(id, v);
  }
  return v;
}

/** "at /stores/0/certificates/1/der: must match pattern ..." — the most specific errors first, at most three. */
export function describeErrors(errors: ErrorObject[] | null | undefined, max = 3): string {
  if (!errors || errors.length === 0) return "invalid";
  // anyOf/oneOf wrappers are less helpful than the concrete failures below them.
  const concrete = errors.filter((e) => !["anyOf", "oneOf", "if"].includes(e.keyword));
  const list = (concrete.length ? concrete : errors).slice(0, max).map((e) => {
    const where = e.instancePath || "/";
    let what = e.message ?? "is invalid";
    if (e.keyword === "additionalProperties") what = `unexpected property "${(e.params as { additionalProperty: string }).additionalProperty}"`;
    if (e.keyword === "enum") what += ` (${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")})`;
    if (e.keyword === "const") what += ` ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
    return `at ${where}: ${what}`;
  });
  const more = errors.length > max ? ` (and ${errors.length - max} more)` : "";
  return list.join("; ") + more;
}

/** Validate a parsed input document; throws InputError naming the file and the JSON pointer. */
export function assertValid<T>(id: string, data: unknown, source: string, kind: string): T {
  const v = validatorFor(id);
  if (!v(data)) throw new InputError(`${source}: not a valid ${kind}: ${describeErrors(v.errors)}`);
  return data as T;
}
