// Where a streamed report waits until it is complete, when its destination cannot be built in place and
// renamed (stdout, a descriptor, a FIFO, a device): nothing reaches the reader before every target has
// been judged, so a failure or a kill never leaves half a report there. Up to SPOOL_MEMORY_BYTES it waits
// in memory (a single DC's report is a few KB: no temp file, no fsync, no read-back; issue 17's cold
// start); beyond that it moves to a private (0600) temp file, so a fleet's report never sits in memory.
import { tmpdir } from "node:os";
import { copyFileToTarget, TempFile, writeToTargetAndWait } from "./write";
import type { OutputTarget } from "./target";

/** Bytes held in memory before a spool moves to a temp file. */
export const SPOOL_MEMORY_BYTES = 8 * 1024 * 1024;

export class Spool {
  private chunks: Buffer[] = [];
  private held = 0;
  private file: TempFile | undefined;

  /** `name` names the destination in errors; `memoryBytes` is there for tests of the temp-file path. */
  constructor(
    private readonly name: string,
    private readonly memoryBytes = SPOOL_MEMORY_BYTES,
  ) {}

  /** The temp file's path once the spool has moved to one (tests look for it). */
  get path(): string | undefined {
    return this.file?.path;
  }

  write(text: string): void {
    const bytes = Buffer.from(text, "utf8");
    if (this.file) return this.file.write(bytes);
    this.chunks.push(bytes);
    this.held += bytes.length;
    if (this.held <= this.memoryBytes) return;
    const file = new TempFile(tmpdir(), "ldaps-audit-report", this.name);
    this.file = file;
    for (const c of this.chunks) file.write(c);
    this.chunks = [];
    this.held = 0;
  }

  /** Give the whole document to `target`; resolves once it has it all (or its reader went away). */
  async deliver(target: Exclude<OutputTarget, { kind: "file" }>): Promise<void> {
    if (!this.file) {
      const bytes = Buffer.concat(this.chunks);
      this.chunks = [];
      // A reader that went away is the standard streams guard's to end quietly (lib/output/stdio.ts).
      return writeToTargetAndWait(target, bytes);
    }
    // A spool is read back once and removed: no fsync, it never outlives the run.
    this.file.close(undefined, { durable: false });
    try {
      await copyFileToTarget(this.file.path, target);
    } finally {
      this.file.remove();
    }
  }

  /** Drop everything written so far. */
  discard(): void {
    this.chunks = [];
    this.held = 0;
    this.file?.remove();
  }
}
