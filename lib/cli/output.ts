// Writing results: atomically to a file (temp + rename, so a crash never leaves half a report) or to stdout.
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors";

export function writeFileAtomic(path: string, content: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, "w", 0o644);
  } catch (e) {
    throw new InputError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    writeSync(fd, content);
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

/** Write to --output when given, else stdout. */
export function emit(content: string, output?: string): void {
  const text = content.endsWith("\n") ? content : content + "\n";
  if (output && output !== "-") writeFileAtomic(output, text);
  else process.stdout.write(text);
}
