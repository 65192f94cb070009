// What a loaded profile is made of. Kept apart from the loader so evaluation and reports can name these
// types without importing the loading machinery.
import type { ValidateFunction } from "ajv";

export type Severity = "critical" | "high" | "medium" | "low" | "info";

export interface ControlMetadata {
  id: string;
  title: string;
  severity: Severity;
  scope: "host" | "certificate";
  advisory?: boolean;
  rationale?: string;
  remediation?: string;
  references?: Array<{ id: string; url?: string }>;
  messages?: { pass?: string; fail?: string; warn?: string; skip?: string };
  /** The fact paths the control's schemas read (dotted, relative to its instance); checked at load. */
  reads?: string[];
}

/** One compiled part of a control (`if`, `then` or `ldapsWarning`) and where its schema text lives. */
export interface ControlPart {
  validate: ValidateFunction;
  /** "<schema id>#<JSON pointer>" of the part's source, the root of evidence schemaPaths. */
  location: string;
  /** Where each parameter it reaches as `#/$defs/<name>` was last stated ("<schema id>#<JSON pointer>"). */
  defs?: Record<string, string>;
}

/** Another control this one applies by `$ref` to a sub-instance (N02: the certificate controls on the presented certificate). */
export interface ControlUse {
  /** Property names from this control's instance down to the sub-instance the referenced control judges. */
  path: string[];
  control: Control;
}

export interface Control {
  meta: ControlMetadata;
  /** Where the control was last defined or restated, as "<schema id>#<JSON pointer>". */
  location: string;
  applies: ControlPart | null;
  requirement: ControlPart;
  warning: ControlPart | null;
  /** Effective parameter values ($defs of the control, after the profile's restatements). */
  parameters: Record<string, unknown>;
  uses: ControlUse[];
  /** The fact paths its requirement (`then`) reads: what it judges (maps Windows-model obstacles to controls). */
  judges: string[];
  /** The fact paths its warning level (`ldapsWarning`) reads (the fix planner matches steps to warnings by them). */
  warns: string[];
}

export interface LoadedProfile {
  id: string;
  title: string;
  schemaId: string;
  source: string;
  sha256: string;
  /** The controls the profile selects, in profile order. */
  controls: Control[];
}

export type Status = "pass" | "fail" | "warn" | "skip" | "error" | "waived";

export interface Evidence {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message: string;
  value?: unknown;
}

/** One control's verdict on one instance (a target, or one certificate); the unit of every report. */
export interface ControlResult {
  id: string;
  status: Status;
  title: string;
  severity: ControlMetadata["severity"];
  message: string;
  evidence: Evidence[];
  remediation?: string;
  references?: ControlMetadata["references"];
  /** For host-level verdicts taken from one certificate: its thumbprint (waivers can be scoped to it). */
  thumbprint?: string;
  waiver?: { justification: string; approver: string; expires: string; expired: boolean; originalStatus: Status };
}

export interface TargetEvaluation {
  controls: ControlResult[];
  /** Per-certificate control results (certificate-scope controls), aligned with facts.certificates. */
  certificateControls: ControlResult[][];
  /** Per certificate, why Schannel would pass it over, each obstacle named by the control that judges it. */
  disqualifiedBy: Array<Array<{ control: string; reason: string }>>;
}
