// Printing a document to stdout or writing it to --output (see lib/output/write.ts for how each kind of
// destination is written: atomically for a regular file, through for a FIFO or device).
import { writeOutput } from "../output/write";

/** Text gets a final newline; bytes (a PDF) are left as they are. */
export function ensureNewline<T extends string | Uint8Array>(content: T): T {
  return (typeof content !== "string" || content.endsWith("\n") ? content : content + "\n") as T;
}

/** Write to `output` when given ("-" is stdout), else stdout; `option` names it in errors. */
export function emit(content: string | Uint8Array, output?: string, option = "--output"): void {
  writeOutput(output || "-", ensureNewline(content), option);
}
