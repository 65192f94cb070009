// Writing a document to where resolveOutput says it goes. A regular file is replaced atomically (temp
// file in the same folder, fsync, rename), so a crash or kill -9 leaves the old file or the new one,
// never half of one; a FIFO or device is written through; stdout is written with the closed-pipe guard.
import { randomBytes } from "node:crypto";
import { closeSync, constants, createReadStream, fchmodSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors";
import { isClosedPipe, standardStreamsGuarded } from "./stdio";
import { OutputTarget, resolveOutput } from "./target";

function cannotWrite(name: string, e: unknown): InputError {
  return new InputError(`cannot write ${name}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
}

/** The mode a newly created report gets: what the earlier writers gave (0644 less the umask). */
function newFileMode(): number {
  return 0o644 & ~process.umask();
}

/**
 * A private (0600) temp file, created exclusively (a name planted by someone else is never
 * followed) and removed on every failure path. `renameOnto` publishes it; `remove` drops it.
 */
export class TempFile {
  readonly path: string;
  private fd: number | undefined;

  constructor(dir: string, stem: string, private readonly name: string) {
    this.path = join(dir, `.${stem}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      this.fd = openSync(this.path, "wx", 0o600);
    } catch (e) {
      throw cannotWrite(name, e);
    }
  }

  write(data: string | Buffer): void {
    try {
      writeSync(this.fd!, typeof data === "string" ? Buffer.from(data, "utf8") : data);
    } catch (e) {
      this.remove();
      throw cannotWrite(this.name, e);
    }
  }

  /**
   * Flush to disk and close; the file stays until renameOnto or remove. `durable: false` skips the fsync,
   * for a file that is read back and removed within the run (a spool), never published.
   */
  close(mode?: number, { durable = true }: { durable?: boolean } = {}): void {
    if (this.fd === undefined) return;
    try {
      if (mode !== undefined) fchmodSync(this.fd, mode);
      if (durable) fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
    } catch (e) {
      this.remove();
      throw cannotWrite(this.name, e);
    }
  }

  /** Replace `path` with this file in one step; `mode` is kept from the file replaced, else the default. */
  renameOnto(path: string, mode: number | undefined): void {
    this.close(mode ?? newFileMode());
    try {
      renameSync(this.path, path);
    } catch (e) {
      this.remove();
      throw cannotWrite(this.name, e);
    }
  }

  remove(): void {
    if (this.fd !== undefined) {
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
      this.fd = undefined;
    }
    try {
      unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }
}

/**
 * Write all of `bytes` to an open descriptor. A reader that went away (EPIPE) ends it quietly, like
 * any Unix filter: returns false then.
 */
function writeAllSync(fd: number, bytes: Buffer, name: string): boolean {
  let off = 0;
  try {
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    return true;
  } catch (e) {
    if (isClosedPipe(e)) return false;
    throw cannotWrite(name, e);
  }
}

/**
 * Open a FIFO or device for writing. No O_CREAT: a special file that vanished is never replaced by
 * a regular one. Opening a FIFO waits for its reader, as `cat > fifo` does.
 */
function openSpecial(path: string, name: string): number {
  try {
    return openSync(path, constants.O_WRONLY | (constants.O_NOCTTY ?? 0));
  } catch (e) {
    throw cannotWrite(name, e);
  }
}

/** Run `write` on the target's descriptor (opened and closed here for a FIFO or device). */
function withDescriptor(target: Extract<OutputTarget, { kind: "descriptor" | "special" }>, write: (fd: number) => void): void {
  if (target.kind === "descriptor") return write(target.fd);
  const fd = openSpecial(target.path, target.name);
  try {
    write(fd);
  } finally {
    closeSync(fd);
  }
}

/** Write `content` to the output named `name` (a path, "-" or /dev/stdout); `option` names it in errors. */
export function writeOutput(name: string, content: string | Uint8Array, option = "--output"): void {
  writeToTarget(resolveOutput(name, option), content);
}

export function writeToTarget(target: OutputTarget, content: string | Uint8Array): void {
  // Text is written as UTF-8; bytes (a PDF) as they are.
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
  switch (target.kind) {
    case "stdout":
      process.stdout.write(bytes);
      return;
    case "descriptor":
    case "special":
      withDescriptor(target, (fd) => writeAllSync(fd, bytes, target.name));
      return;
    case "file": {
      const tmp = new TempFile(dirname(target.path), basename(target.path), target.name);
      tmp.write(bytes);
      tmp.renameOnto(target.path, target.mode);
    }
  }
}

/** writeToTarget for a target that is not a file, resolved once stdout has taken the bytes (or failed: the guard's to report). */
export function writeToTargetAndWait(target: Exclude<OutputTarget, { kind: "file" }>, bytes: Buffer): Promise<void> {
  if (target.kind !== "stdout") return Promise.resolve(writeToTarget(target, bytes));
  return new Promise<void>((resolve) => process.stdout.write(bytes, () => resolve()));
}

/**
 * Copy a finished temp file (closed) to a target that cannot be renamed onto: stdout, a descriptor,
 * a FIFO or a device. Resolves once the target has it all, or the reader went away.
 */
export async function copyFileToTarget(file: string, target: Exclude<OutputTarget, { kind: "file" }>): Promise<void> {
  if (target.kind === "stdout") {
    await new Promise<void>((resolve, reject) => {
      const rs = createReadStream(file);
      // The reader went away (e.g. `| head`): stop quietly, like any Unix filter. Any other error
      // (a full disk) is the guard's to report, with exit 3.
      const onStdoutError = (e: NodeJS.ErrnoException) => {
        rs.destroy();
        if (isClosedPipe(e) || standardStreamsGuarded()) resolve();
        else reject(e);
      };
      process.stdout.once("error", onStdoutError);
      rs.on("error", reject);
      rs.on("end", () => {
        process.stdout.off("error", onStdoutError);
        resolve();
      });
      rs.pipe(process.stdout, { end: false });
    });
    return;
  }
  const input = openSync(file, "r");
  try {
    const chunk = Buffer.alloc(1 << 16);
    withDescriptor(target, (out) => {
      for (let n; (n = readSync(input, chunk, 0, chunk.length, null)) > 0; ) if (!writeAllSync(out, chunk.subarray(0, n), target.name)) return;
    });
  } finally {
    closeSync(input);
  }
}
