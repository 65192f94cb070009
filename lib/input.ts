// Reading input files: size limit, JSON/YAML parsing, and schema validation, with one-line errors.
import { readFileSync, statSync } from "node:fs";
import YAML from "yaml";
import { InputError } from "./errors";

/** Inputs above this are refused before reading (snapshots of a whole DC stay far below it). */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

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
  if (!m) return "";
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split("\n").length;
  const col = pos - before.lastIndexOf("\n");
  return ` at line ${line}, column ${col}`;
}

export function parseJsonText(text: string, source: string): unknown {
  if (text.trim() === "") throw new InputError(`${source}: file is empty, expected JSON`);
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new InputError(`${source}: not valid JSON${position(text, e as Error)}`);
  }
}

/** JSON or YAML (by extension; YAML is a superset of JSON so .yaml/.yml files may hold either), parsed from text already read. */
export function parseJsonOrYaml(text: string, path: string): unknown {
  if (!/\.ya?ml$/i.test(path)) return parseJsonText(text, path);
  if (text.trim() === "") throw new InputError(`${path}: file is empty, expected YAML`);
  try {
    return YAML.parse(text, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new InputError(`${path}: not valid YAML: ${(e as Error).message.split("\n")[0]}`);
  }
}
