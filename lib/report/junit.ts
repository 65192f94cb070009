// JUnit XML for CI systems (Jenkins, GitLab, Azure DevOps, GitHub test reporters): one <testsuite> per
// target, one <testcase> per target x control. fail -> <failure>, error -> <error>, skip -> <skipped/>,
// warn and waived -> a passing testcase with a <system-out> note (warnings do not fail a pipeline, the
// same as the exit code). The shape is the common Ant/Jenkins one (test/fixtures/junit/junit.xsd).
import type { ControlResult } from "../profile/types";
import { targetLabel } from "./common";
import type { Report, ReportTarget } from "./types";

/**
 * Text XML 1.0 can carry: C0 controls except tab/LF/CR, DEL and C1 controls, lone surrogates and
 * U+FFFE/U+FFFF are removed (they make a document not well-formed, or are discouraged).
 */
export function xmlText(value: unknown): string {
  const s = value === null || value === undefined ? "" : String(value);
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]/g, "")
      .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, "")
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
  );
}

/** For attribute values: also quotes, and keep line breaks and tabs as character references. */
export function xmlAttr(value: unknown): string {
  return xmlText(value).replace(/"/g, "&quot;").replace(/'/g, "&apos;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;").replace(/\t/g, "&#9;");
}

function detail(c: ControlResult): string {
  const lines = [`${c.id} ${c.title} [${c.severity}]`, c.message];
  for (const e of c.evidence) lines.push(`evidence ${e.instancePath || "/"}: ${e.message}${e.value === undefined ? "" : ` (value: ${JSON.stringify(e.value)})`}`);
  if (c.remediation) lines.push(`Fix: ${c.remediation}`);
  for (const r of c.references ?? []) lines.push(`ref: ${r.id}${r.url ? ` ${r.url}` : ""}`);
  return lines.join("\n");
}

function testcase(t: ReportTarget, c: ControlResult): string {
  const classname = `${t.host}/${t.service ?? "host"}`;
  const open = `    <testcase classname="${xmlAttr(classname)}" name="${xmlAttr(`${c.id} ${c.title}`)}" time="0"`;
  switch (c.status) {
    case "fail":
      return `${open}>\n      <failure message="${xmlAttr(c.message)}" type="${xmlAttr(c.severity)}">${xmlText(detail(c))}</failure>\n    </testcase>`;
    case "error":
      return `${open}>\n      <error message="${xmlAttr(c.message)}" type="evaluation-error">${xmlText(detail(c))}</error>\n    </testcase>`;
    case "skip":
      return `${open}>\n      <skipped message="${xmlAttr(c.message)}"/>\n    </testcase>`;
    case "warn":
      return `${open}>\n      <system-out>${xmlText(`WARNING (advisory, does not fail the audit)\n${detail(c)}`)}</system-out>\n    </testcase>`;
    case "waived": {
      const w = c.waiver;
      const note = w
        ? `WAIVED: was ${w.originalStatus}; waiver until ${w.expires} approved by ${w.approver}: ${w.justification}`
        : "WAIVED";
      return `${open}>\n      <system-out>${xmlText(`${note}\n${detail(c)}`)}</system-out>\n    </testcase>`;
    }
    default:
      return `${open}/>`;
  }
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(controls: ControlResult[]): Counts {
  return {
    tests: controls.length,
    failures: controls.filter((c) => c.status === "fail").length,
    errors: controls.filter((c) => c.status === "error").length,
    skipped: controls.filter((c) => c.status === "skip").length,
  };
}

function suite(report: Report, t: ReportTarget): string {
  const n = count(t.controls);
  const timestamp = report.generatedAt.slice(0, 19); // Ant's pattern: no zone designator (UTC)
  const props: Array<[string, string]> = [
    ["profile", report.profile.id],
    ["profile.sha256", report.profile.sha256],
    ["now", report.now],
    ["tool.version", report.tool.version],
    ["target.status", t.status],
    ["target.kind", t.kind],
  ];
  if (t.rootCause) props.push(["rootCause", t.rootCause]);
  if (t.selection.predicted) props.push(["predictedCertificate", t.selection.predicted]);
  if (t.snapshot) props.push(["snapshot", t.snapshot]);
  const lines = [
    `  <testsuite name="${xmlAttr(`ldaps-audit ${targetLabel(t)}`)}" tests="${n.tests}" failures="${n.failures}" errors="${n.errors}" skipped="${n.skipped}" time="0" timestamp="${xmlAttr(timestamp)}" hostname="${xmlAttr(t.host)}">`,
    `    <properties>`,
    ...props.map(([k, v]) => `      <property name="${xmlAttr(k)}" value="${xmlAttr(v)}"/>`),
    `    </properties>`,
    ...t.controls.map((c) => testcase(t, c)),
  ];
  if (t.rootCause || t.collectionErrors.length) {
    const out = [t.rootCause ? `Root cause: ${t.rootCause}` : "", ...t.collectionErrors.map((e) => `Collection error in ${e.part}: ${e.message}`)].filter(Boolean).join("\n");
    lines.push(`    <system-out>${xmlText(out)}</system-out>`);
  }
  lines.push(`  </testsuite>`);
  return lines.join("\n");
}

/** One JUnit XML document for one or more reports (several reports: all their targets, in order). */
export function renderJunit(reports: Report | Report[]): string {
  const list = Array.isArray(reports) ? reports : [reports];
  const all = list.flatMap((r) => r.targets.map((t) => ({ r, t })));
  const total = count(all.flatMap(({ t }) => t.controls));
  const name = list.length === 1 ? `ldaps-audit ${list[0].profile.id}` : "ldaps-audit";
  return [
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites name="${xmlAttr(name)}" tests="${total.tests}" failures="${total.failures}" errors="${total.errors}" time="0">`,
    ...all.map(({ r, t }) => suite(r, t)),
    `</testsuites>`,
    "",
  ].join("\n");
}
