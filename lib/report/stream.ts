// Writing a report while it is being produced, for fleets: targets go to a temporary file as they are
// judged, and the file is renamed into place only when the run has finished (stdout, a FIFO or a device
// get it from a spool then: lib/output/spool.ts).
// A failure in the middle leaves nothing behind: never half a report.
import { basename, dirname } from "node:path";
import { Spool } from "../output/spool";
import { OutputTarget, resolveOutput } from "../output/target";
import { TempFile } from "../output/write";
import type { ReportHeader } from "./build";
import { documentTarget, JsonStyle, targetJson } from "./document";
import type { TextOptions } from "./text";
import type { Report, ReportControl, ReportTarget } from "./types";

export type StreamFormat = "json" | "text";

/** The text renderer, loaded only for text reports (it brings the HTML helpers along; JSON runs never need it). */
const textRenderer = () => require("./text") as typeof import("./text");

/** How a streamed report is written: its format, and for JSON pretty (2-space indent) or compact (one line). */
export interface StreamStyle {
  format: StreamFormat;
  json: JsonStyle;
  text: TextOptions;
}

/**
 * The text one target is written as inside the streamed report, without the separators around it. A pure
 * function of the target, the report's controls and the style, so a worker thread (lib/report/parallel.ts)
 * gives the very bytes the writer would.
 */
export function targetText(t: ReportTarget, controls: Record<string, ReportControl>, style: StreamStyle): string {
  if (style.format === "text") return textRenderer().textTarget(t, style.text);
  if (style.json === "compact") return targetJson(t, controls, "compact");
  // Indented, a target stands two levels deep (report -> targets -> target): every line of its own
  // indented text is 4 spaces further in. JSON.stringify writes it so when the target is itself two levels
  // deep ([[target]]): the same text as indenting its own text after each newline (a JSON text has no raw
  // newline but the ones between its elements), without a second pass over ~90 KB per host (issue 17).
  const nested = JSON.stringify([[documentTarget(t, controls)]], null, 2);
  return nested.slice(NESTED_HEAD.length, nested.length - NESTED_TAIL.length);
}

const NESTED_HEAD = "[\n  [\n    ";
const NESTED_TAIL = "\n  ]\n]";

export class ReportStreamWriter {
  private readonly destination: OutputTarget;
  /** A file destination is built next to itself (and renamed onto it); any other waits in a spool. */
  private readonly tmp: TempFile | undefined;
  private readonly spool: Spool | undefined;
  private count = 0;
  private begun = false;
  private controls: Record<string, ReportControl> | null = null;
  private readonly style: StreamStyle;

  /** `destination`: a path, "-" or undefined for stdout; resolved (and refused if a directory) now, before any work. */
  constructor(
    destination: string | undefined,
    private readonly format: StreamFormat,
    private readonly text: TextOptions = {},
    json: JsonStyle = "pretty",
  ) {
    this.style = { format, json, text };
    this.destination = resolveOutput(destination ?? "-");
    // A file is built next to itself and renamed onto it; stdout, a FIFO or a device get the report
    // from a spool (memory, then a private temp file; lib/output/spool.ts) once it is complete.
    if (this.destination.kind === "file") this.tmp = new TempFile(dirname(this.destination.path), basename(this.destination.path), this.destination.name);
    else this.spool = new Spool(this.destination.name);
  }

  private write(s: string): void {
    if (this.tmp) this.tmp.write(s);
    else this.spool!.write(s);
  }

  /** Header fields known before any target (everything but inputs and summary). */
  begin(header: Omit<ReportHeader, "inputs">): void {
    this.begun = true;
    this.controls = header.controls;
    if (this.format === "text") {
      this.write(textRenderer().textHeader(header));
      return;
    }
    if (this.style.json === "compact") {
      const head = JSON.stringify(header);
      this.write(`${head.slice(0, -1)},"targets":[`);
      return;
    }
    const head = JSON.stringify(header, null, 2);
    this.write(`${head.slice(0, head.lastIndexOf("}")).trimEnd()},\n  "targets": [`);
  }

  /** The style targets must be written in (for callers that produce targetText elsewhere). */
  get targetStyle(): StreamStyle {
    return this.style;
  }

  target(t: ReportTarget): void {
    if (!this.controls) throw new Error("ReportStreamWriter.target before begin");
    this.targetTextWritten(targetText(t, this.controls, this.style));
  }

  /** A target already turned into text by targetText (same controls and style), e.g. in a worker thread. */
  targetTextWritten(body: string): void {
    if (this.format === "text") this.write(body);
    else if (this.style.json === "compact") this.write(this.count === 0 ? body : `,${body}`);
    else this.write(`${this.count === 0 ? "\n    " : ",\n    "}${body}`);
    this.count++;
  }

  /** Close the document, then move it into place; resolves once stdout has it all. */
  async finish(rest: { inputs: Report["inputs"]; summary: Report["summary"] }): Promise<void> {
    if (!this.begun) throw new Error("ReportStreamWriter.finish before begin");
    if (this.format === "text") this.write(textRenderer().textSummary(rest.summary, this.text));
    else if (this.style.json === "compact") {
      this.write(`],${JSON.stringify({ inputs: rest.inputs, summary: rest.summary }).slice(1)}\n`);
    } else {
      const tail = JSON.stringify({ inputs: rest.inputs, summary: rest.summary }, null, 2);
      this.write(`${this.count ? "\n  " : ""}],\n  ${tail.slice(1).trimStart()}\n`);
    }
    if (this.destination.kind === "file") {
      this.tmp!.renameOnto(this.destination.path, this.destination.mode);
      return;
    }
    await this.spool!.deliver(this.destination);
  }

  /** Drop everything written so far. */
  abort(): void {
    this.tmp?.remove();
    this.spool?.discard();
  }
}
