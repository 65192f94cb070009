// What an output path really is, decided before anything is written. A report may only replace a
// regular file (or create a missing one) by temp-file-and-rename; everything else must be written
// through or refused, or the rename would turn a FIFO, a device or a symlink into a plain file.
import { lstatSync, readlinkSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { InputError } from "../errors";

export type OutputTarget =
  /** "-", /dev/stdout, /dev/fd/1, /proc/self/fd/1: the process's standard output. */
  | { kind: "stdout"; name: string }
  /** /dev/stderr, /dev/fd/N, /proc/self/fd/N: an open descriptor, written to as is (reopening it would lose O_APPEND). */
  | { kind: "descriptor"; name: string; fd: number }
  /**
   * A regular file or a missing one: written to a temp file next to `path` and renamed onto it.
   * `path` is the physical path (symlinks followed, so the link stays a link); `mode` is the mode of
   * the file being replaced, kept for the new one.
   */
  | { kind: "file"; name: string; path: string; mode?: number; exists: boolean }
  /** A FIFO or a character device (/dev/null, a terminal): opened and written through, never replaced. */
  | { kind: "special"; name: string; path: string };

/** More links than this is a loop (Linux gives up at 40 as well). */
const MAX_LINK_HOPS = 40;

/** The descriptor behind /dev/stdout, /dev/fd/N and /proc/self/fd/N (POSIX only), else undefined. */
function descriptorPath(path: string): number | undefined {
  if (process.platform === "win32") return undefined;
  const named: Record<string, number> = { "/dev/stdin": 0, "/dev/stdout": 1, "/dev/stderr": 2 };
  if (path in named) return named[path];
  const m = /^(?:\/dev\/fd|\/proc\/(?:self|thread-self|(\d+))\/fd)\/(\d+)$/.exec(path);
  if (!m || (m[1] !== undefined && Number(m[1]) !== process.pid)) return undefined;
  return Number(m[2]);
}

function cannotWrite(name: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException).code;
  return new InputError(`cannot write ${name}: ${code ?? (e as Error).message}`);
}

/**
 * Resolve `name` (as the user gave it to `option`) to where the bytes will go. Throws InputError for
 * a directory, a block device, a socket, a symlink loop or a missing parent folder.
 */
export function resolveOutput(name: string, option = "--output"): OutputTarget {
  if (name === "-") return { kind: "stdout", name };
  let path = resolve(name);
  for (let hop = 0; ; hop++) {
    const fd = descriptorPath(path);
    if (fd === 1) return { kind: "stdout", name };
    if (fd !== undefined) return { kind: "descriptor", name, fd };
    if (hop > MAX_LINK_HOPS) throw new InputError(`${option} ${name}: too many levels of symbolic links`);
    try {
      // The parent's physical path, so that a link target like "../x" is read the way the kernel reads it.
      path = join(realpathSync(dirname(path)), basename(path));
    } catch (e) {
      throw cannotWrite(name, e);
    }
    let link: string;
    try {
      if (!lstatSync(path).isSymbolicLink()) break;
      link = readlinkSync(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return { kind: "file", name, path, exists: false };
      throw cannotWrite(name, e);
    }
    path = resolve(dirname(path), link);
  }
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw cannotWrite(name, e);
  }
  if (st.isDirectory()) throw new InputError(`${option} ${name}: is a directory; give a file name (e.g. ${join(name, "report.json")})`);
  if (st.isFile()) return { kind: "file", name, path, mode: st.mode & 0o7777, exists: true };
  if (st.isFIFO() || st.isCharacterDevice()) return { kind: "special", name, path };
  if (st.isBlockDevice()) throw new InputError(`${option} ${name}: is a block device; refusing to write a report onto a disk`);
  throw new InputError(`${option} ${name}: is a socket or other special file that cannot be written to`);
}
