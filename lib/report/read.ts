// Reading report JSON files back (for report/diff/verify): size limit, JSON parsing and validation
// against schemas/report.schema.json, with one-line errors naming the file and JSON pointer.
// A version 2 file is resolved into the in-memory report (lib/report/document.ts); a version 1 file
// (each result carrying its control's constants) is upgraded to version 2 first, then validated as one.
import { InputError } from "../errors";
import { parseJsonText, readInputFile } from "../input";
import { assertValid, REPORT_SCHEMA_ID, SNAPSHOT_SCHEMA_ID } from "../schemas";
import { resolveDocument, UnknownControlError, upgradeV1, UpgradeConflictError } from "./document";
import type { Report, ReportDocument } from "./types";

export interface LoadedReport {
  report: Report;
  path: string;
  /** The reportVersion the file was written with (1 is upgraded on reading). */
  fileVersion: 1 | 2;
}

/** The report versions this version reads: 2, and 1 upgraded. */
export const READABLE_REPORT_VERSIONS = [1, 2] as const;

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
  const version = o.reportVersion;
  if (typeof version === "number" && !(READABLE_REPORT_VERSIONS as readonly number[]).includes(version)) {
    throw new InputError(`${path}: reportVersion ${version} is not one this ldaps-audit reads (${READABLE_REPORT_VERSIONS.join(" or ")}); use the version that wrote it, or a newer one`);
  }
  let doc: unknown = data;
  if (version === 1) {
    try {
      doc = upgradeV1(o);
    } catch (e) {
      if (e instanceof UpgradeConflictError) throw new InputError(`${path}: not a valid ldaps-audit report: ${e.message}`);
      throw e;
    }
  }
  const what = "ldaps-audit report";
  const valid = assertValid<ReportDocument>(REPORT_SCHEMA_ID, doc, path, what);
  try {
    return { report: resolveDocument(valid), path, fileVersion: version === 1 ? 1 : 2 };
  } catch (e) {
    if (e instanceof UnknownControlError) throw new InputError(`${path}: not a valid ${what}: ${e.message}`);
    throw e;
  }
}

/** All files are read and validated before any is used. */
export function readReportFiles(paths: string[]): LoadedReport[] {
  return paths.map(readReportFile);
}
