// Human-readable report for terminals and logs. Colour only when asked (a TTY).
import type { Status } from "../profile/evaluate";
import type { Report, ReportTarget } from "./types";

const COLOURS: Record<Status, string> = { pass: "32", fail: "31;1", warn: "33", skip: "2", error: "35;1", waived: "36" };

export function renderText(report: Report, options: { colour?: boolean; verbose?: boolean } = {}): string {
  const paint = (s: Status, text: string) => (options.colour ? `\x1b[${COLOURS[s]}m${text}\x1b[0m` : text);
  const bold = (text: string) => (options.colour ? `\x1b[1m${text}\x1b[0m` : text);
  const lines: string[] = [];
  lines.push(`ldaps-audit ${report.tool.version} | profile ${report.profile.id} | now ${report.now}`);
  for (const t of report.targets) lines.push("", ...renderTarget(t, paint, bold, options.verbose ?? false));
  const c = report.summary.controls;
  lines.push(
    "",
    bold(`Summary: ${report.summary.compliant} of ${report.summary.targets} target(s) compliant`) +
      ` | controls: ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skip} skip, ${c.error} error, ${c.waived} waived`,
  );
  return lines.join("\n") + "\n";
}

function renderTarget(t: ReportTarget, paint: (s: Status, x: string) => string, bold: (x: string) => string, verbose: boolean): string[] {
  const lines: string[] = [];
  const verdict = t.status === "compliant" ? paint("pass", "COMPLIANT") : paint("fail", "NON-COMPLIANT");
  lines.push(bold(`${t.host}${t.service ? ` (${t.service})` : ""}: `) + verdict);
  if (t.rootCause) lines.push(`  Root cause: ${t.rootCause}`);
  for (const e of t.collectionErrors) lines.push(`  Collection error in ${e.part}: ${e.message}`);
  const idWidth = Math.max(...t.controls.map((c) => c.id.length), 2);
  for (const c of t.controls) {
    if (!verbose && c.status === "pass") continue;
    lines.push(`  ${paint(c.status, c.status.toUpperCase().padEnd(6))} ${c.id.padEnd(idWidth)}  ${c.title}`);
    lines.push(`         ${c.message}`);
    if (c.remediation && (c.status === "fail" || c.status === "warn")) lines.push(`         Fix: ${c.remediation}`);
  }
  const passed = t.controls.filter((c) => c.status === "pass").length;
  if (!verbose && passed) lines.push(`  ${paint("pass", "PASS".padEnd(6))} ${passed} more control(s) passed (--verbose lists them)`);
  if (t.certificates.length) lines.push("  Certificates:");
  for (const cert of t.certificates) {
    const mark = cert.predicted ? "*" : " ";
    const where = cert.source === "network" ? `presented on ${cert.presentedOn.join(", ")}` : (cert.store ?? cert.source);
    lines.push(`   ${mark} ${cert.thumbprint}  ${cert.subject || "(empty subject)"}`);
    lines.push(`      ${where}; expires ${cert.notAfter.slice(0, 10)} (${cert.daysToExpiry} days); SAN ${cert.san.join(", ") || "none"}; EKU ${cert.eku.join(", ") || "none"}`);
    if (cert.source !== "network") {
      lines.push(cert.qualifies ? `      qualifies${cert.predicted ? "; the service is predicted to use it" : ""}` : `      does not qualify: ${cert.disqualifiedBy.map((d) => `${d.control} ${d.reason}`).join("; ")}`);
    }
  }
  return lines;
}
