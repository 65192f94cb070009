// Refuse, before anything is read or written, a run whose output would replace one of its own inputs
// (`evaluate snap.json -o snap.json` once replaced the snapshot with the report) or whose two outputs
// are one file (`-o r.html --output-json ./r.html` kept only the last). Files are compared by what they
// are, not how they are spelled: an existing file by device and inode (symlinks and hard links
// included), a missing output by its physical path (its parent's realpath plus its name).
import { statSync } from "node:fs";
import { InputError } from "../errors";
import { OutputTarget, resolveOutput } from "./target";

export interface NamedPath {
  /** How the user named it, for the message: "--output", "--waivers", "snapshot". */
  label: string;
  path: string;
}

/** Identity of a regular file that exists, else undefined (readers report missing inputs themselves). */
function fileIdentity(path: string): string | undefined {
  try {
    const st = statSync(path);
    return st.isFile() ? `inode:${st.dev}:${st.ino}` : undefined;
  } catch {
    return undefined;
  }
}

/** Identity of an output, or undefined when writing twice to it loses nothing (/dev/null, a terminal). */
function outputIdentity(target: OutputTarget): string | undefined {
  switch (target.kind) {
    case "stdout":
      return "fd:1";
    case "descriptor":
      return `fd:${target.fd}`;
    case "special": {
      const st = statSync(target.path);
      return st.isFIFO() ? `inode:${st.dev}:${st.ino}` : undefined;
    }
    case "file":
      return target.exists ? fileIdentity(target.path) ?? `path:${target.path}` : `path:${target.path}`;
  }
}

/**
 * Throws InputError (exit 2) when an output is also an input or two outputs are the same file;
 * an output that cannot be written at all (a directory, a missing folder) is refused here too.
 */
export function refuseConflictingOutputs(inputs: Array<NamedPath | undefined>, outputs: Array<NamedPath | undefined>): void {
  const inputIds = new Map<string, NamedPath>();
  for (const input of inputs) {
    if (!input) continue;
    const id = fileIdentity(input.path);
    if (id && !inputIds.has(id)) inputIds.set(id, input);
  }
  const seen = new Map<string, NamedPath>();
  for (const output of outputs) {
    if (!output) continue;
    const id = outputIdentity(resolveOutput(output.path, output.label));
    if (!id) continue;
    const input = inputIds.get(id);
    if (input) throw new InputError(`${output.label} ${output.path}: is also an input (${input.label} ${input.path}); refusing to overwrite it, write the output elsewhere`);
    const other = seen.get(id);
    if (other) throw new InputError(`${output.label} ${output.path}: the same file as ${other.label} ${other.path}, named by more than one output option; give each output its own file`);
    seen.set(id, output);
  }
}

/** The inputs a list of paths stands for, all under one label. */
export function namedPaths(label: string, paths: Array<string | undefined> | string | undefined): NamedPath[] {
  const list = Array.isArray(paths) ? paths : [paths];
  return list.filter((p): p is string => typeof p === "string" && p !== "").map((path) => ({ label, path }));
}
