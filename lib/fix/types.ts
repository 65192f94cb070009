// The plan contract (schemas/plan.schema.json): what `ldaps-audit fix --plan` prints and what a later
// `--apply` will execute step by step.
import type { StateDigest } from "./digest";

export const PLAN_ACTIONS = ["obtain-certificate", "place-certificate", "grant-key-read", "remove-competing-certificate", "reload-certificate", "verify"] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

/**
 * When a step's precondition no longer holds, judged on facts re-derived right before the step (after the
 * steps before it ran). Without it: when the value at the pointer differs from the one observed.
 */
export type DoneWhen =
  /** The value at the pointer equals this. */
  | { equals: unknown }
  /** The array at the pointer no longer contains this (a removed certificate; robust to other removals). */
  | { excludes: unknown }
  /** The value at the pointer is the intended certificate's thumbprint (known once obtain-certificate ran). */
  | { equalsIntended: true };

/** The fact that makes a step needed; apply re-reads it and skips the step when it no longer holds. */
export interface Precondition {
  /** JSON pointer into the target's facts document (schemas/facts.schema.json). */
  pointer: string;
  /** The value observed at that pointer when the plan was made (null where the facts hold none, e.g. not probed). */
  observed: unknown;
  sentence: string;
  doneWhen?: DoneWhen;
}

/** One concrete change a step makes (or, for verify, checks). */
export interface PlanChange {
  operation: "enrol" | "write-request" | "import" | "copy" | "grant-read" | "export" | "delete" | "ldap-modify" | "restart-service" | "probe";
  store?: string;
  thumbprint?: string | null;
  account?: string;
  path?: string;
  template?: string;
  names?: string[];
  attribute?: string;
  service?: string;
  port?: number;
  description: string;
}

export interface PlanStep {
  id: string;
  action: PlanAction;
  /** The directory service the step is for (NTDS, ADAM_<instance>). */
  service: string;
  controls: string[];
  optional: boolean;
  precondition: Precondition;
  changes: PlanChange[];
  undo: string;
  reason: string;
  /** What an administrator would type to do this by hand (apply does the same). */
  commands: string[];
}

export interface IntendedCertificate {
  /** null until the certificate exists (enrolment, a CSR, or no source given yet). */
  thumbprint: string | null;
  subject: string | null;
  notAfter: string | null;
  source: "existing" | "pfx" | "enroll" | "request" | "none";
  store: string;
  storeReason: string;
}

export interface PlanTarget {
  service: string;
  kind: "adds" | "adlds";
  serviceStore: string;
  serviceAccount: string;
  /** null when nothing needs doing and nothing qualifies is not the case: the healthy certificate stays as it is. */
  intendedCertificate: IntendedCertificate | null;
  /** Failing or warning controls no step of this plan addresses (other remedies, or evidence that ages out). */
  unaddressed: Array<{ control: string; status: string; remediation: string | null }>;
}

export interface Plan {
  $schema: string;
  planVersion: 1;
  tool: { name: string; version: string };
  mode: "plan";
  host: string;
  snapshot: { path: string; sha256: string };
  /** The host state the steps depend on (lib/fix/digest.ts): apply refuses when the host's differs. */
  stateDigest: StateDigest;
  profile: { id: string; sha256: string };
  now: string;
  /** The plan ends early (a CSR for an external CA, or no certificate source given): what to do next. */
  stopped: { after: PlanAction; next: string } | null;
  targets: PlanTarget[];
  steps: PlanStep[];
}
