// The report contract (schemas/report.schema.json): what other tools and auditors parse.
//
// Two forms of one report. `ReportDocument` is the file (reportVersion 2): each control's constants
// (title, severity, remediation, references) are stated once, in `controls`, and every result names its
// control by id. `Report` is the same report in memory, as the renderers use it: each result carries its
// control's constants again (shared objects, not copies). lib/report/document.ts converts between them;
// nothing else writes or reads the file form.
import type { ControlMetadata, ControlResult, Status } from "../profile/types";
import type { ClientFacts, TargetFacts } from "../facts/types";

export interface ReportCertificate {
  thumbprint: string;
  subject: string;
  issuer: string;
  notBefore: string;
  notAfter: string;
  daysToExpiry: number;
  store: string | null;
  source: "store" | "file" | "network";
  san: string[];
  eku: string[];
  keyAlgorithm: string;
  qualifies: boolean;
  predicted: boolean;
  presentedOn: number[];
  disqualifiedBy: Array<{ control: string; reason: string }>;
  /** Extensions that cannot be decoded (facts extensionErrors); absent when there are none. */
  extensionErrors?: Array<{ oid: string; name: string; message: string }>;
  controls: ControlResult[];
}

export interface ReportTarget {
  host: string;
  service: string | null;
  kind: "adds" | "adlds" | "unknown";
  snapshot: string | null;
  status: "compliant" | "noncompliant";
  rootCause: string | null;
  controls: ControlResult[];
  certificates: ReportCertificate[];
  selection: { effectiveStore: string | null; predicted: string | null; ambiguous: boolean; qualifying: string[] };
  collectionErrors: Array<{ part: string; message: string; code?: string }>;
  /** Parts of the facts the HTML and client reports show (events, config, network), as derived. */
  facts: {
    events: TargetFacts["events"];
    config: TargetFacts["config"];
    network: TargetFacts["network"];
    /** Which clients try LDAPS, and which settings would show more (lib/facts/clients.ts); absent in older reports. */
    clients?: ClientFacts | null;
    /** The TLS surface (lib/facts/tlsSurface.ts); absent in reports written before it existed. */
    tlsSurface?: TargetFacts["tlsSurface"] | null;
  };
}

export type StatusCounts = Record<Status, number>;

/** A control's constants, stated once per report (the file's `controls`, keyed by control id). */
export interface ReportControl {
  title: string;
  severity: ControlMetadata["severity"];
  /** Shown with results that fail or warn (or did, before a waiver). */
  remediation?: string;
  references?: ControlMetadata["references"];
}

export interface Report {
  $schema: string;
  reportVersion: 2;
  tool: { name: string; version: string };
  profile: { id: string; title: string; sha256: string; source: string };
  /** Every control of the profile, by id: what a result's id stands for. */
  controls: Record<string, ReportControl>;
  generatedAt: string;
  now: string;
  inputs: Array<{ kind: "snapshot" | "profile" | "waivers" | "certificate" | "key" | "roots"; path: string; sha256: string }>;
  waivers: Array<{ control: string; host?: string; thumbprint?: string; justification: string; approver: string; expires: string; expired: boolean }>;
  targets: ReportTarget[];
  summary: {
    targets: number;
    compliant: number;
    noncompliant: number;
    controls: StatusCounts;
  };
}

/** A result as the file states it: its control's constants are in the report's `controls`. */
export type ReportControlResult = Omit<ControlResult, "title" | "severity" | "remediation" | "references">;

export type ReportDocumentCertificate = Omit<ReportCertificate, "controls"> & { controls: ReportControlResult[] };

export type ReportDocumentTarget = Omit<ReportTarget, "controls" | "certificates"> & {
  controls: ReportControlResult[];
  certificates: ReportDocumentCertificate[];
};

/** The report file (schemas/report.schema.json, reportVersion 2). */
export type ReportDocument = Omit<Report, "targets"> & { targets: ReportDocumentTarget[] };
