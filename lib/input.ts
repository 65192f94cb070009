// Reading input files: size limit, JSON/YAML parsing, and schema validation, with one-line errors.
// Every JSON or YAML input goes through parseJsonText / parseJsonOrYaml: duplicate keys are refused in
// both (naming file and pointer), and nesting is bounded (lib/limits.ts) so no consumer overflows the stack.
import { readFileSync, statSync } from "node:fs";
// `yaml` is required where a YAML file is parsed (waivers may be YAML): every other run, JSON-only,
// would pay its ~40 ms load for nothing.
import type * as YamlModule from "yaml";
import { InputError } from "./errors";
import { jsonStructureProblem, valueDepthProblem } from "./json-structure";
import { MAX_INPUT_BYTES, MAX_JSON_DEPTH } from "./limits";

export { MAX_INPUT_BYTES };

export function readInputFile(path: string, maxBytes = MAX_INPUT_BYTES): Buffer {
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) throw new InputError(`${path}: is a directory, expected a file`);
    size = st.size;
  } catch (e) {
    if (e instanceof InputError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(`${path}: ${code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : (e as Error).message}`);
  }
  if (size > maxBytes) throw new InputError(`${path}: ${size} bytes is larger than the ${maxBytes}-byte limit for input files`);
  try {
    return readFileSync(path);
  } catch (e) {
    throw new InputError(`${path}: cannot read: ${(e as Error).message}`);
  }
}

function position(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message);
  return m ? lineAndColumn(text, Number(m[1])) : "";
}

function lineAndColumn(text: string, pos: number, form: "at" | "paren" = "at"): string {
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const col = pos - before.lastIndexOf("\n");
  return form === "at" ? ` at line ${line}, column ${col}` : ` (line ${line}, column ${col})`;
}

/** A pointer short enough for one line (a too-deep document has a very long one). */
function shortPointer(pointer: string): string {
  return pointer.length <= 80 ? pointer || "/" : `${pointer.slice(0, 40)}...${pointer.slice(-30)}`;
}

function tooDeep(source: string, pointer: string, where = ""): InputError {
  return new InputError(`${source}: nested deeper than ${MAX_JSON_DEPTH} levels (the limit for JSON and YAML inputs) at ${shortPointer(pointer)}${where}`);
}

export function parseJsonText(text: string, source: string): unknown {
  if (text.trim() === "") throw new InputError(`${source}: file is empty, expected JSON`);
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (e) {
    if (e instanceof RangeError) throw new InputError(`${source}: too large or too deeply nested to read as JSON`);
    throw new InputError(`${source}: not valid JSON${position(body, e as Error)}`);
  }
  const problem = jsonStructureProblem(body, MAX_JSON_DEPTH);
  if (problem?.kind === "duplicate") {
    throw new InputError(`${source}: duplicate key ${JSON.stringify(problem.key)} at ${shortPointer(problem.pointer)}${lineAndColumn(body, problem.offset, "paren")}; readers disagree on which value wins, so give each key once`);
  }
  if (problem?.kind === "depth") throw tooDeep(source, problem.pointer, lineAndColumn(body, problem.offset, "paren"));
  return value;
}

/** JSON or YAML (by extension; YAML is a superset of JSON so .yaml/.yml files may hold either), parsed from text already read. */
export function parseJsonOrYaml(text: string, path: string): unknown {
  if (!/\.ya?ml$/i.test(path)) return parseJsonText(text, path);
  if (text.trim() === "") throw new InputError(`${path}: file is empty, expected YAML`);
  let value: unknown;
  try {
    value = (require("yaml") as typeof YamlModule).parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    // The yaml parser recurses per nesting level and reports a stack overflow as a parse error.
    if (e instanceof RangeError || /Maximum call stack size exceeded/.test((e as Error).message)) throw tooDeep(path, "/");
    throw new InputError(`${path}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
  const deep = valueDepthProblem(value, MAX_JSON_DEPTH);
  if (deep !== null) throw tooDeep(path, deep);
  return value;
}
