// The report contract (schemas/report.schema.json): what other tools and auditors parse.
import type { ControlResult, Status } from "../profile/types";
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
    /** The TLS surface (lib/facts/tlsSurface.ts); absent in older reports and until the report builder passes it. */
    tlsSurface?: TargetFacts["tlsSurface"] | null;
  };
}

export type StatusCounts = Record<Status, number>;

export interface Report {
  $schema: string;
  reportVersion: 1;
  tool: { name: string; version: string };
  profile: { id: string; title: string; sha256: string; source: string };
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
