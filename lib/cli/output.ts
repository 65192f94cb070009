// Writing results: atomically to a file (temp + rename, so a crash never leaves half a report) or to stdout.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors";

export function writeFileAtomic(path: string, content: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, "w", 0o644);
  } catch (e) {
    throw new InputError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    writeSync(fd, typeof content === "string" ? Buffer.from(content, "utf8") : content);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      /* already gone */
    }
    throw new InputError(`cannot write ${path}: ${(e as Error).message}`);
  }
}

/** Write to --output when given, else stdout. Text gets a final newline; bytes (PDF) are written as they are. */
export function emit(content: string | Uint8Array, output?: string): void {
  const text = typeof content !== "string" || content.endsWith("\n") ? content : content + "\n";
  if (output && output !== "-") writeFileAtomic(output, text);
  else process.stdout.write(text);
}
