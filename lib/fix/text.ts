// The plan as terminal text. Host names, subjects, services and file names come from evidence or the
// command line: every line goes through lib/terminal.ts, which shows control characters as \xNN.
import { styled, terminalText, TermLine } from "../terminal";
import type { Plan } from "./types";

export function renderPlanText(plan: Plan, options: { colour?: boolean } = {}): string {
  const lines: TermLine[] = [];
  const n = plan.steps.length;
  lines.push([styled("bold", `ldaps-audit fix --plan: ${plan.host}`), ` (profile ${plan.profile.id}, snapshot ${plan.snapshot.path})`]);
  lines.push(`  snapshot sha256 ${plan.snapshot.sha256}; state digest ${plan.stateDigest.sha256}: fix --apply refuses if the host's stores, identity or LDAP policy changed`);
  for (const t of plan.targets) {
    const ic = t.intendedCertificate;
    lines.push(`${t.service} (${t.kind}, service store ${t.serviceStore}, account ${t.serviceAccount})`);
    if (ic) {
      lines.push(`  intended certificate: ${ic.thumbprint ?? `a new certificate (${ic.source === "none" ? "source needed" : ic.source})`}${ic.subject ? ` ${ic.subject}` : ""}${ic.notAfter ? `, expires ${ic.notAfter.slice(0, 10)}` : ""} in ${ic.store}`);
      lines.push(`    why there: ${ic.storeReason}`);
    }
    for (const u of t.unaddressed) lines.push([`  not addressed by this plan: `, styled(u.status === "warn" ? "warn" : "fail", `${u.status.toUpperCase()} ${u.control}`), u.remediation ? ` — ${u.remediation}` : ""]);
  }
  if (n === 0) {
    lines.push([styled("pass", "Nothing to do"), ": no step is needed for LDAPS on this host."]);
  } else {
    lines.push(`${n} step(s), in order:`);
    plan.steps.forEach((s, i) => {
      lines.push([`${i + 1}. `, styled("bold", s.action), ` [${s.service}]${s.optional ? " (optional)" : ""}${s.controls.length ? ` addresses ${s.controls.join(", ")}` : ""}`]);
      lines.push(`   why: ${s.reason}`);
      const d = s.precondition.doneWhen;
      const done = !d ? "" : "equals" in d ? `; done when it is ${JSON.stringify(d.equals)}` : "excludes" in d ? `; done when it no longer lists ${JSON.stringify(d.excludes)}` : "; done when it is the intended certificate";
      lines.push(`   needed because: ${s.precondition.sentence} (${s.precondition.pointer} = ${JSON.stringify(s.precondition.observed)}${done})`);
      for (const c of s.changes) lines.push(`   change: ${c.description}`);
      for (const c of s.commands) lines.push(`   by hand: ${c}`);
      lines.push(`   undo: ${s.undo}`);
    });
  }
  if (plan.stopped) lines.push([styled("warn", `The plan stops after ${plan.stopped.after}`), `: ${plan.stopped.next}`]);
  lines.push("Plan only: nothing was changed. Carry it out on the host with fix --apply (--what-if first).");
  return terminalText(lines, options);
}
