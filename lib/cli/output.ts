// Printing a document to stdout or writing it to --output (see lib/output/write.ts for how each kind of
// destination is written: atomically for a regular file, through for a FIFO or device).
import { writeOutput } from "../output/write";

export function ensureNewline(text: string): string {
  return text.endsWith("\n") ? text : text + "\n";
}

/** Write to `output` when given ("-" is stdout), else stdout; `option` names it in errors. */
export function emit(content: string, output?: string, option = "--output"): void {
  writeOutput(output || "-", ensureNewline(content), option);
}
