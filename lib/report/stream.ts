// Writing a report while it is being produced, for fleets: targets go to a temporary file as they are
// judged, and the file is renamed into place (or copied to stdout, a FIFO or a device) only when the
// run has finished.
// A failure in the middle leaves nothing behind: never half a report.
import { tmpdir } from "node:os";
import { basename, dirname } from "node:path";
import { OutputTarget, resolveOutput } from "../output/target";
import { copyFileToTarget, TempFile } from "../output/write";
import type { ReportHeader } from "./build";
import { textHeader, textSummary, textTarget, TextOptions } from "./text";
import type { Report, ReportTarget } from "./types";

export type StreamFormat = "json" | "text";

export class ReportStreamWriter {
  private readonly destination: OutputTarget;
  private readonly tmp: TempFile;
  private count = 0;
  private begun = false;

  /** `destination`: a path, "-" or undefined for stdout; resolved (and refused if a directory) now, before any work. */
  constructor(
    destination: string | undefined,
    private readonly format: StreamFormat,
    private readonly text: TextOptions = {},
  ) {
    this.destination = resolveOutput(destination ?? "-");
    // A file is built next to itself and renamed onto it; stdout, a FIFO or a device get a copy of a
    // private (0600) spool file in the temp folder, which is not for other local users to read.
    this.tmp =
      this.destination.kind === "file"
        ? new TempFile(dirname(this.destination.path), basename(this.destination.path), this.destination.name)
        : new TempFile(tmpdir(), "ldaps-audit-report", this.destination.name);
  }

  private write(s: string): void {
    this.tmp.write(s);
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
    if (this.destination.kind === "file") {
      this.tmp.renameOnto(this.destination.path, this.destination.mode);
      return;
    }
    this.tmp.close();
    try {
      await copyFileToTarget(this.tmp.path, this.destination);
    } finally {
      this.tmp.remove();
    }
  }

  /** Drop everything written so far. */
  abort(): void {
    this.tmp.remove();
  }
}
