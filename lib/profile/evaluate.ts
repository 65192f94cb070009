// Evaluating facts against a loaded profile, control by control.
// A control yields: skip (its `if` does not hold), fail (its `then` does not hold; warn when advisory),
// warn (its `ldapsWarning` does not hold), pass, or error (it could not be evaluated).
import type { ErrorObject, ValidateFunction } from "ajv";
import { describeExtensionError } from "../facts/certificate";
import type { CertificateFacts, TargetFacts } from "../facts/types";
import type { Control, ControlMetadata } from "./load";

export type Status = "pass" | "fail" | "warn" | "skip" | "error" | "waived";

export interface Evidence {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message: string;
  value?: unknown;
}

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
}

const MAX_EVIDENCE = 10;

function pointerGet(doc: unknown, pointer: string): unknown {
  let node = doc;
  for (const part of pointer.split("/").slice(1)) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return node;
}

/** Replace {{dotted.path}} (or {{dotted.path|fallback text}}) with values from the instance; arrays are joined. */
export function interpolate(template: string, instance: unknown): string {
  return template.replace(/\{\{\s*([\w.$-]+)\s*(?:\|([^}]*))?\}\}/g, (_, path: string, fallback: string | undefined) => {
    const v = pointerGet(instance, "/" + path.split(".").join("/"));
    if (v === undefined || v === null) return fallback ?? "?";
    if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ") : "none";
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  });
}

function evidenceFrom(errors: ErrorObject[] | null | undefined, instance: unknown, location: string, prefix: string): Evidence[] {
  return (errors ?? [])
    .filter((e) => !["if", "allOf", "anyOf", "oneOf"].includes(e.keyword) || (errors ?? []).length === 1)
    .slice(0, MAX_EVIDENCE)
    .map((e) => ({
      instancePath: prefix + e.instancePath,
      schemaPath: `${location}/${e.schemaPath.replace(/^#\/?/, "")}`.replace(/\/$/, ""),
      keyword: e.keyword,
      message: e.message ?? "invalid",
      value: pointerGet(instance, e.instancePath),
    }));
}

function result(control: Control, status: Status, message: string, evidence: Evidence[] = []): ControlResult {
  const m = control.meta;
  return {
    id: m.id,
    status,
    title: m.title,
    severity: m.severity,
    message,
    evidence,
    ...(m.remediation && (status === "fail" || status === "warn") ? { remediation: m.remediation } : {}),
    ...(m.references ? { references: m.references } : {}),
  };
}

interface ExtensionErrorFact {
  oid: string;
  name: string;
  message: string;
  affects?: string[];
}

/**
 * The malformed extension behind a failed check, if any: an `extensionErrors` entry, on the instance or
 * on an object along a failing instance path (a certificate inside the host facts), whose `affects`
 * covers the rest of that path. Such a check did not fail on evidence; it could not be made.
 */
function extensionErrorBehind(instance: unknown, errors: ErrorObject[] | null | undefined): ExtensionErrorFact | null {
  for (const e of errors ?? []) {
    const parts = e.instancePath.split("/").slice(1);
    let node: unknown = instance;
    for (let i = 0; i <= parts.length && node !== null && typeof node === "object"; i++) {
      const list = (node as { extensionErrors?: unknown }).extensionErrors;
      if (Array.isArray(list)) {
        const rest = "/" + parts.slice(i).join("/");
        const hit = (list as ExtensionErrorFact[]).find((x) => (x.affects ?? []).some((a) => rest === a || rest.startsWith(`${a}/`)));
        if (hit) return hit;
      }
      if (i < parts.length) node = (node as Record<string, unknown>)[parts[i].replace(/~1/g, "/").replace(/~0/g, "~")];
    }
  }
  return null;
}

function run(v: ValidateFunction, instance: unknown): boolean {
  return v(instance) as boolean;
}

/** Evaluate one control against one instance (the facts document, or one certificate's facts). */
export function evaluateControl(control: Control, instance: unknown, prefix = ""): ControlResult {
  const msgs = control.meta.messages ?? {};
  const say = (kind: "pass" | "fail" | "warn" | "skip", fallback: string) => (msgs[kind] ? interpolate(msgs[kind]!, instance) : fallback);
  try {
    if (control.applies && !run(control.applies, instance)) {
      // The `if`'s errors name the facts that were missing (e.g. /network): reports group skips by them.
      // Values only when they are scalars (null, false): an `if` that fails at the root must not copy the facts document.
      const ev = evidenceFrom(control.applies.errors, instance, `${control.location}/if`, prefix).map(({ value, ...e }) =>
        value === null || typeof value !== "object" ? { ...e, value } : e,
      );
      return result(control, "skip", say("skip", "not applicable: the evidence this control needs was not collected"), ev);
    }
    if (!run(control.requirement, instance)) {
      const ev = evidenceFrom(control.requirement.errors, instance, `${control.location}/then`, prefix);
      const broken = extensionErrorBehind(instance, control.requirement.errors);
      if (broken) return result(control, "error", `could not evaluate: ${describeExtensionError(broken)}`, ev);
      const where = ev.length ? ` (${ev.map((e) => `${e.instancePath || "/"} ${e.message}`).slice(0, 3).join("; ")})` : "";
      return control.meta.advisory
        ? result(control, "warn", say("warn", say("fail", `${control.meta.title}: not met${where}`)), ev)
        : result(control, "fail", say("fail", `${control.meta.title}: not met${where}`), ev);
    }
    if (control.warning && !run(control.warning, instance)) {
      const ev = evidenceFrom(control.warning.errors, instance, `${control.location}/ldapsWarning`, prefix);
      const broken = extensionErrorBehind(instance, control.warning.errors);
      if (broken) return result(control, "error", `could not evaluate: ${describeExtensionError(broken)}`, ev);
      return result(control, "warn", say("warn", `${control.meta.title}: met, with a warning`), ev);
    }
    return result(control, "pass", say("pass", `${control.meta.title}: met`));
  } catch (e) {
    return result(control, "error", `could not evaluate: ${(e as Error).message}`);
  }
}

const SEVERITY_ORDER: Status[] = ["error", "fail", "warn", "pass", "skip"];

function certLabel(c: CertificateFacts): string {
  return `${c.subjectCommonNames[0] ?? c.san.dns[0] ?? c.subject} (${c.thumbprint.slice(0, 8)})`;
}

/** Host-level verdict of a certificate-scope control. */
function aggregate(control: Control, facts: TargetFacts, perCert: ControlResult[]): ControlResult {
  const indexed = facts.certificates.map((c, i) => ({ c, r: perCert[i] }));
  const candidates = indexed.filter(({ c }) => c.source !== "network");
  const predictedEntry = candidates.find(({ c }) => c.predicted);
  if (predictedEntry) {
    const { c: predicted, r } = predictedEntry;
    return { ...r, message: `LDAPS certificate ${certLabel(predicted)}: ${r.message}`, thumbprint: predicted.thumbprint };
  }
  if (candidates.length === 0) return result(control, "skip", "no certificate to check (see LDAPS-S01)");
  const results = candidates;
  const worst = SEVERITY_ORDER.find((s) => results.some(({ r }) => r.status === s)) ?? "skip";
  const hits = results.filter(({ r }) => r.status === worst);
  const message =
    candidates.length === 1
      ? `${certLabel(candidates[0].c)}: ${hits[0].r.message}`
      : worst === "pass" || worst === "skip"
        ? `${hits.length} of ${candidates.length} certificates: ${hits[0].r.message}`
        : `${hits.length} of ${candidates.length} certificates ${worst === "warn" ? "warn" : "fail"}: ${hits.map(({ c, r }) => `${certLabel(c)}: ${r.message}`).join(" | ")}`;
  return {
    ...result(control, worst, message, hits.flatMap(({ r }) => r.evidence).slice(0, MAX_EVIDENCE)),
    ...(hits.length === 1 && candidates.length === 1 ? { thumbprint: candidates[0].c.thumbprint } : {}),
  };
}

export function evaluateTarget(facts: TargetFacts, controls: Control[]): TargetEvaluation {
  const certificateControls: ControlResult[][] = facts.certificates.map(() => []);
  const out: ControlResult[] = [];
  for (const control of controls) {
    if (control.meta.scope === "host") {
      out.push(evaluateControl(control, facts));
      continue;
    }
    const perCert = facts.certificates.map((c, i) => {
      const r = { ...evaluateControl(control, c, `/certificates/${i}`), thumbprint: c.thumbprint };
      certificateControls[i].push(r);
      return r;
    });
    out.push(aggregate(control, facts, perCert));
  }
  return { controls: out, certificateControls };
}
