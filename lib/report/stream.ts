// Writing a report while it is being produced, for fleets: targets go to a temporary file as they are
// judged, and the file is renamed into place (or copied to stdout) only when the run has finished.
// A failure in the middle leaves nothing behind: never half a report.
import { closeSync, createReadStream, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import { InputError } from "../errors";
import type { ReportHeader } from "./build";
import { textHeader, textSummary, textTarget, TextOptions } from "./text";
import type { Report, ReportTarget } from "./types";

export type StreamFormat = "json" | "text";

export class ReportStreamWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private count = 0;
  private begun = false;

  constructor(
    private readonly destination: string | undefined,
    private readonly format: StreamFormat,
    private readonly text: TextOptions = {},
  ) {
    const dir = destination ? dirname(destination) : tmpdir();
    this.tmp = join(dir, `.${destination ? basename(destination) : "ldaps-audit-report"}.${process.pid}.${Date.now()}.tmp`);
    try {
      // Private until published: a fleet report is not for other local users to read from /tmp.
      this.fd = openSync(this.tmp, "w", 0o600);
    } catch (e) {
      throw new InputError(`cannot write ${destination ?? "the report"}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }

  private write(s: string): void {
    writeSync(this.fd, s);
  }

  /** Header fields known before any target (everything but inputs and summary). */
  begin(header: Omit<ReportHeader, "inputs">): void {
    this.begun = true;
    if (this.format === "text") {
      this.write(textHeader(header));
      return;
    }
    const head = JSON.stringify(header, null, 2);
    this.write(`${head.slice(0, head.lastIndexOf("}")).trimEnd()},\n  "targets": [`);
  }

  target(t: ReportTarget): void {
    if (this.format === "text") {
      this.write(textTarget(t, this.text));
    } else {
      const body = JSON.stringify(t, null, 2).replace(/\n/g, "\n    ");
      this.write(`${this.count === 0 ? "\n    " : ",\n    "}${body}`);
    }
    this.count++;
  }

  /** Close the document, then move it into place; resolves once stdout has it all. */
  async finish(rest: { inputs: Report["inputs"]; summary: Report["summary"] }): Promise<void> {
    if (!this.begun) throw new Error("ReportStreamWriter.finish before begin");
    if (this.format === "text") this.write(textSummary(rest.summary, this.text));
    else {
      const tail = JSON.stringify({ inputs: rest.inputs, summary: rest.summary }, null, 2);
      this.write(`${this.count ? "\n  " : ""}],\n  ${tail.slice(1).trimStart()}\n`);
    }
    fsyncSync(this.fd);
    closeSync(this.fd);
    if (this.destination) {
      renameSync(this.tmp, this.destination);
      return;
    }
    try {
      await new Promise<void>((resolve, reject) => {
        const rs = createReadStream(this.tmp);
        // The reader went away (e.g. `| head`): stop quietly, like any Unix filter.
        const onStdoutError = (e: NodeJS.ErrnoException) => {
          rs.destroy();
          if (e.code === "EPIPE") resolve();
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
    } finally {
      unlinkSync(this.tmp);
    }
  }

  /** Drop everything written so far. */
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(this.tmp);
    } catch {
      /* already gone */
    }
  }
}
