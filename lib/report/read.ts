// Reading report JSON files back (for report/diff/verify): size limit, JSON parsing and validation
// against schemas/report.schema.json, with one-line errors naming the file and JSON pointer.
import { InputError } from "../errors";
import { parseJsonText, readInputFile } from "../input";
import { assertValid, REPORT_SCHEMA_ID, SNAPSHOT_SCHEMA_ID } from "../schemas";
import type { Report } from "./types";

export interface LoadedReport {
  report: Report;
  path: string;
}

export function readReportFile(path: string): LoadedReport {
  const data = parseJsonText(readInputFile(path).toString("utf8"), path);
  const declared = typeof data === "object" && data !== null ? (data as { $schema?: unknown }).$schema : undefined;
  if (typeof declared === "string" && declared !== REPORT_SCHEMA_ID) {
    if (declared.endsWith("/rollup.schema.json")) throw new InputError(`${path}: is a fleet roll-up, not a report; give the host reports it was made from`);
  }
  const o = (typeof data === "object" && data !== null ? data : {}) as Record<string, unknown>;
  if (declared === SNAPSHOT_SCHEMA_ID || ("schemaVersion" in o && "host" in o && !("reportVersion" in o))) {
    throw new InputError(`${path}: is a snapshot, not a report; run "ldaps-audit evaluate ${path}" first`);
  }
  if (Array.isArray(data)) throw new InputError(`${path}: not a valid ldaps-audit report: at /: must be object (one report per file)`);
  return { report: assertValid<Report>(REPORT_SCHEMA_ID, data, path, "ldaps-audit report"), path };
}

/** All files are read and validated before any is used. */
export function readReportFiles(paths: string[]): LoadedReport[] {
  return paths.map(readReportFile);
}
