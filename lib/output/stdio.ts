// Standard output and error when the reader goes away (`ldaps-audit ... | head -c 1`, `| true`).
// Node reports a write to a closed pipe as an 'error' event on the stream; with no listener that is an
// uncaught exception: a stack trace, and an exit code that has nothing to do with the verdict. Like any
// Unix filter, the tool stops writing quietly and exits with the code the run earned.
import { EXIT } from "../errors";
import { stderrLine } from "../terminal";

/** The reader of a pipe (or FIFO, or socket) is gone. */
export function isClosedPipe(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === "EPIPE" || code === "ERR_STREAM_DESTROYED" || code === "ECONNRESET";
}

let guarded = false;
let failure: string | undefined;

/** True once guardStandardStreams runs: a stdout error is then reported (and turned into exit 3) by it. */
export function standardStreamsGuarded(): boolean {
  return guarded;
}

/**
 * Install, once, the listeners that turn a closed stdout/stderr into a quiet end of output. Any other
 * write error on stdout (e.g. ENOSPC when redirected to a full disk) loses the report: it gets one
 * line on stderr and exit 3, whatever the verdict, since a pipeline must not trust a report it never got.
 */
export function guardStandardStreams(): void {
  if (guarded) return;
  guarded = true;
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (isClosedPipe(e) || failure) return;
    failure = e.code ?? e.message;
    try {
      stderrLine(`cannot write to stdout: ${failure}`);
    } catch {
      /* stderr is gone too */
    }
  });
  process.stderr.on("error", () => {
    /* nowhere left to say anything */
  });
  // Runs after the command set its exit code, so a failed stdout always wins.
  process.on("exit", () => {
    if (failure) process.exitCode = EXIT.runtime;
  });
}
