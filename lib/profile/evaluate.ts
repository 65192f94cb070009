// Evaluating facts against a loaded profile, control by control.
// A control yields: skip (its `if` does not hold), fail (its `then` does not hold; warn when advisory),
// warn (its `ldapsWarning` does not hold), pass, or error (it could not be evaluated).
import type { ErrorObject } from "ajv";
import { describeExtensionError } from "../facts/certificate";
import type { CertificateFacts, TargetFacts } from "../facts/types";
import { pointerGet, unescapePointerPart } from "./pointer";
import type { Control, ControlPart, ControlResult, Evidence, Status, TargetEvaluation } from "./types";

export type { ControlResult, Evidence, Status, TargetEvaluation } from "./types";

const MAX_EVIDENCE = 10;

/** A message template cut once into literal text and {{path|fallback}} slots (see interpolate). */
type TemplatePiece = string | { parts: string[]; fallback: string | undefined };

const TEMPLATE_SLOT = /\{\{\s*([\w.$-]+)\s*(?:\|([^}]*))?\}\}/g;
/** Templates come from the loaded profiles (a bounded set); the cap only keeps a pathological caller bounded. */
const MAX_CACHED_TEMPLATES = 1000;
const compiledTemplates = new Map<string, TemplatePiece[]>();

/**
 * The template's pieces, cut once per template instead of once per certificate and control (a fleet of
 * 1,000 hosts x 20 certificates interpolates the same ~30 templates 400,000 times: issue 17). A slot's path
 * is split on "." as interpolate did through a JSON pointer: its characters ([\w.$-]) hold no "/" or "~",
 * so the pointer's unescaping never changed a part.
 */
function compileTemplate(template: string): TemplatePiece[] {
  let pieces = compiledTemplates.get(template);
  if (pieces) return pieces;
  pieces = [];
  let last = 0;
  for (const m of template.matchAll(TEMPLATE_SLOT)) {
    if (m.index! > last) pieces.push(template.slice(last, m.index));
    pieces.push({ parts: m[1].split("."), fallback: m[2] });
    last = m.index! + m[0].length;
  }
  if (last < template.length) pieces.push(template.slice(last));
  if (compiledTemplates.size >= MAX_CACHED_TEMPLATES) compiledTemplates.clear();
  compiledTemplates.set(template, pieces);
  return pieces;
}

function slotText(instance: unknown, parts: string[], fallback: string | undefined): string {
  let v: unknown = instance;
  for (const part of parts) {
    if (v === null || typeof v !== "object") {
      v = undefined;
      break;
    }
    v = (v as Record<string, unknown>)[part];
  }
  if (v === undefined || v === null) return fallback ?? "?";
  if (Array.isArray(v)) return v.length ? v.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(", ") : "none";
  return typeof v === "object" ? JSON.stringify(v) : String(v);
}

/** Replace {{dotted.path}} (or {{dotted.path|fallback text}}) with values from the instance; arrays are joined. */
export function interpolate(template: string, instance: unknown): string {
  let out = "";
  for (const piece of compileTemplate(template)) out += typeof piece === "string" ? piece : slotText(instance, piece.parts, piece.fallback);
  return out;
}

/** ajv's schemaPath is relative to the compiled part, or to its document's root once it went through a $ref. */
function schemaPathOf(e: ErrorObject, part: ControlPart): string {
  if (/^[a-z][\w+.-]*:/i.test(e.schemaPath)) return e.schemaPath;
  // A parameter: where the profile (or the control file) stated the value in force.
  const param = /^#\/\$defs\/([^/]+)(.*)$/.exec(e.schemaPath);
  const stated = param ? part.defs?.[unescapePointerPart(param[1])] : undefined;
  if (param && stated) return `${stated}${param[2]}`;
  if (e.schemaPath.startsWith("#/$defs/")) return `${part.location.slice(0, part.location.indexOf("#"))}${e.schemaPath}`;
  return `${part.location}/${e.schemaPath.replace(/^#\/?/, "")}`.replace(/\/$/, "");
}

function evidenceFrom(part: ControlPart, instance: unknown, prefix: string): Evidence[] {
  const errors = part.validate.errors;
  return (errors ?? [])
    .filter((e) => !["if", "allOf", "anyOf", "oneOf"].includes(e.keyword) || (errors ?? []).length === 1)
    .slice(0, MAX_EVIDENCE)
    .map((e) => ({
      instancePath: prefix + e.instancePath,
      schemaPath: schemaPathOf(e, part),
      keyword: e.keyword,
      message: e.message ?? "invalid",
      value: pointerGet(instance, e.instancePath),
    }));
}

function result(control: Control, status: Status, message: string, evidence: Evidence[] = []): ControlResult {
  const m = control.meta;
  // Keys in this order (reports and their digests depend on it); built without spreads, as this runs
  // once per certificate and control of a fleet.
  const r: ControlResult = { id: m.id, status, title: m.title, severity: m.severity, message, evidence };
  if (m.remediation && (status === "fail" || status === "warn")) r.remediation = m.remediation;
  if (m.references) r.references = m.references;
  return r;
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

function run(part: ControlPart, instance: unknown): boolean {
  return part.validate(instance) as boolean;
}

/**
 * For a control that applies other controls by $ref (N02: the certificate controls on the presented
 * certificate): each applied control whose requirement does not hold there, with its own message.
 */
function usedFailures(control: Control, instance: unknown): string[] {
  return control.uses.flatMap((u) => {
    const sub = pointerGet(instance, u.path.map((p) => `/${p}`).join(""));
    if (sub === undefined || sub === null) return [];
    // Judged as not advisory: the applied control says what is checked, the applying control's own
    // severity how much it matters (baseline's C09 warns on a weak key in the store; N02 fails when a
    // client is handed one, because clients refuse it).
    const r = evaluateControl({ ...u.control, meta: { ...u.control.meta, advisory: false } }, sub);
    return r.status === "fail" ? [`${u.control.meta.id} ${r.message}`] : [];
  });
}

/** Evaluate one control against one instance (the facts document, or one certificate's facts). */
export function evaluateControl(control: Control, instance: unknown, prefix = ""): ControlResult {
  const msgs = control.meta.messages ?? {};
  const say = (kind: "pass" | "fail" | "warn" | "skip", fallback: string) => (msgs[kind] ? interpolate(msgs[kind]!, instance) : fallback);
  try {
    if (control.applies && !run(control.applies, instance)) {
      // The `if`'s errors name the facts that were missing (e.g. /network): reports group skips by them.
      // Values only when they are scalars (null, false): an `if` that fails at the root must not copy the facts document.
      const ev = evidenceFrom(control.applies, instance, prefix).map(({ value, ...e }) =>
        value === null || typeof value !== "object" ? { ...e, value } : e,
      );
      return result(control, "skip", say("skip", "not applicable: the evidence this control needs was not collected"), ev);
    }
    if (!run(control.requirement, instance)) {
      const ev = evidenceFrom(control.requirement, instance, prefix);
      // A check that failed only because a malformed extension set its facts could not be made: error, not fail.
      const broken = extensionErrorBehind(instance, control.requirement.validate.errors);
      if (broken) return result(control, "error", `could not evaluate: ${describeExtensionError(broken)}`, ev);
      const applied = usedFailures(control, instance);
      const where = applied.length ? `: ${applied.join("; ")}` : ev.length ? ` (${ev.map((e) => `${e.instancePath || "/"} ${e.message}`).slice(0, 3).join("; ")})` : "";
      // The applied controls' own messages say what is wrong; the template says where.
      const failMessage = (kind: "fail" | "warn") => (msgs[kind] && applied.length ? `${say(kind, "")}: ${applied.join("; ")}` : say(kind, `${control.meta.title}: not met${where}`));
      return control.meta.advisory ? result(control, "warn", msgs.warn ? failMessage("warn") : failMessage("fail"), ev) : result(control, "fail", failMessage("fail"), ev);
    }
    if (control.warning && !run(control.warning, instance)) {
      const ev = evidenceFrom(control.warning, instance, prefix);
      const broken = extensionErrorBehind(instance, control.warning.validate.errors);
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

/** The control that judges a Windows-model requirement (the one whose requirement reads that fact), else the fact's name. */
function judgeOf(requirement: string, controls: Control[]): string {
  return controls.find((c) => c.meta.scope === "certificate" && c.judges.includes(requirement))?.meta.id ?? requirement;
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
      // evaluateControl returns a new object: the thumbprint is added to it (last key) rather than copied.
      const r = evaluateControl(control, c, `/certificates/${i}`);
      r.thumbprint = c.thumbprint;
      certificateControls[i].push(r);
      return r;
    });
    out.push(aggregate(control, facts, perCert));
  }
  const disqualifiedBy = facts.certificates.map((c) => c.schannel.obstacles.map((o) => ({ control: judgeOf(o.requirement, controls), reason: o.reason })));
  return { controls: out, certificateControls, disqualifiedBy };
}
