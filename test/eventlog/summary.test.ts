// The summary event of a `check` run (lib/eventlog/summary.ts): one stable id per outcome, the failing control ids
// in the message, and no way for host-controlled text to add a line (forge a verdict) or smuggle control characters.
import { join } from "node:path";
import { evaluateFiles } from "../../lib/audit";
import { EVENT_IDS, eventText, failureEvent, MAX_MESSAGE, reportEvent, reportOutcome } from "../../lib/eventlog/summary";
import { InputError, RuntimeFailure } from "../../lib/errors";
import type { Report } from "../../lib/report/types";

const EXAMPLES = join(__dirname, "..", "..", "examples");
const NOW = new Date("2026-11-24T00:00:00Z");
const report = (name: string): Report => evaluateFiles([join(EXAMPLES, `${name}.snapshot.json`)], { now: NOW });

describe("event id and entry type per outcome", () => {
  test("the ids are the documented ones and never change", () => {
    expect(EVENT_IDS).toEqual({ compliant: 1000, warnings: 1001, noncompliant: 1002, failed: 1003 });
  });

  test.each([
    ["healthy-dc", "compliant", 1000, "Information", /^ldaps-audit check: COMPLIANT with profile baseline \(1 of 1 target\(s\) compliant\)$/m],
    ["two-qualifying", "warnings", 1001, "Warning", /^ldaps-audit check: COMPLIANT WITH WARNINGS with profile baseline/m],
    ["wrong-name", "noncompliant", 1002, "Error", /^ldaps-audit check: NON-COMPLIANT with profile baseline \(0 of 1 target\(s\) compliant\)$/m],
  ])("%s: %s, event %d (%s)", (name, outcome, id, type, headline) => {
    const r = report(name);
    const e = reportEvent(r);
    expect(e).toMatchObject({ log: "Application", source: "ldaps-audit", outcome, eventId: id, entryType: type });
    expect(e.message).toMatch(headline);
  });

  test("a control in error (could not be evaluated) makes the run non-compliant, like the report and the exit code", () => {
    const r = report("healthy-dc");
    r.targets[0].controls[0] = { ...r.targets[0].controls[0], status: "error" };
    r.targets[0].status = "noncompliant";
    r.summary = { ...r.summary, compliant: 0, noncompliant: 1 };
    expect(reportOutcome(r)).toBe("noncompliant");
    expect(reportEvent(r).message).toContain(`Failing controls: ${r.targets[0].controls[0].id}`);
  });

  test("a failed run: event 1003 (Error) with the exit code and the error on one line", () => {
    expect(failureEvent(new RuntimeFailure("collect failed in PowerShell: boom\n  at line 3"), { exitCode: 3 })).toMatchObject({
      eventId: 1003, entryType: "Error", outcome: "failed",
      message: "ldaps-audit check: FAILED (exit 3): no compliance verdict for this run\nError: collect failed in PowerShell: boom at line 3",
    });
    expect(failureEvent(new InputError("profile nope.json: no such file"), { exitCode: 2 }).message).toMatch(/^ldaps-audit check: FAILED \(exit 2\)/);
  });
});

describe("the message names the failing and warning controls", () => {
  test("every failing control of every target, and per target with its root cause", () => {
    const r = report("wrong-name");
    const failing = r.targets[0].controls.filter((c) => c.status === "fail").map((c) => c.id).sort();
    expect(failing.length).toBeGreaterThan(1);
    const e = reportEvent(r, { reportFile: "C:\\LdapsAudit\\ldaps-audit-dc1-20261124T000000000Z.json" });
    const lines = e.message.split("\n");
    expect(lines).toContain(`Failing controls: ${failing.join(", ")}`);
    expect(lines).toContain("Warning controls: none");
    const target = lines.find((l) => l.startsWith(`Target ${r.targets[0].host}`))!;
    expect(target).toContain(`NON-COMPLIANT; fail: ${r.targets[0].controls.filter((c) => c.status === "fail").map((c) => c.id).join(", ")}`);
    expect(target).toContain(`root cause: ${r.targets[0].rootCause}`);
    expect(lines).toContain("Report: C:\\LdapsAudit\\ldaps-audit-dc1-20261124T000000000Z.json");
    expect(lines).toContain(`Controls: ${r.summary.controls.pass} pass, ${r.summary.controls.fail} fail, ${r.summary.controls.warn} warn, ${r.summary.controls.skip} skip, 0 error, 0 waived`);
  });

  test("warnings are listed on a compliant run", () => {
    const r = report("two-qualifying");
    const warn = r.targets[0].controls.filter((c) => c.status === "warn").map((c) => c.id);
    expect(reportEvent(r).message.split("\n")).toContain(`Warning controls: ${warn.join(", ")}`);
  });

  test("a huge fleet report is cut below Write-EventLog's limit, and says so", () => {
    const r = report("wrong-name");
    r.targets = Array.from({ length: 2000 }, () => r.targets[0]);
    const e = reportEvent(r);
    expect(e.message.length).toBeLessThanOrEqual(MAX_MESSAGE);
    expect(e.message).toMatch(/message truncated; the report has every control\)$/);
    expect(e.message.split("\n")[1]).toMatch(/^Failing controls: LDAPS-/);
  });
});

describe("host-controlled text cannot forge lines or carry control characters", () => {
  const forged = "FORGED ldaps-audit check: COMPLIANT";
  // Every kind of line break a viewer or SIEM parser may honour, plus terminal controls, bidi overrides and '%%n'.
  const payloads: Array<[string, string, string]> = [
    ["LF", `dc1\n${forged}`, `dc1\\x0a${forged}`],
    ["CR LF", `dc1\r\n${forged}`, `dc1\\x0d\\x0a${forged}`],
    ["CR", `dc1\r${forged}`, `dc1\\x0d${forged}`],
    ["NEL", `dc1\u0085${forged}`, `dc1\\x85${forged}`],
    ["LINE SEPARATOR", `dc1\u2028${forged}`, `dc1\\u2028${forged}`],
    ["PARAGRAPH SEPARATOR", `dc1\u2029${forged}`, `dc1\\u2029${forged}`],
    ["vertical tab and form feed", "dc1\u000b\u000c", "dc1\\x0b\\x0c"],
    ["tab", "dc1\tx", "dc1\\x09x"],
    ["ESC sequence", "dc1\u001b]0;pwned\u0007", "dc1\\x1b]0;pwned\\x07"],
    ["bidi override", "dc1\u202egnp.exe", "dc1\\u202egnp.exe"],
    ["parameter insertion %%1", "dc1 %%1936 %1", "dc1 \\x25\\x251936 \\x251"],
  ];

  test.each(payloads)("eventText: %s", (_kind, input, expected) => {
    expect(eventText(input)).toBe(expected);
  });

  type Field = (r: Report, value: string) => void;
  const fields: Array<[string, Field]> = [
    ["host", (r, v) => (r.targets[0].host = v)],
    ["service", (r, v) => (r.targets[0].service = v)],
    ["root cause", (r, v) => (r.targets[0].rootCause = v)],
    ["control id (user profile)", (r, v) => (r.targets[0].controls.find((c) => c.status === "fail")!.id = v)],
    ["profile id", (r, v) => (r.profile.id = v)],
    ["tool version", (r, v) => (r.tool.version = v)],
  ];

  test.each(fields.flatMap(([name, set]) => payloads.slice(0, 6).map(([kind, value]) => [name, kind, set, value] as const)))(
    "%s with %s: the message keeps its own lines only",
    (_name, _kind, set, value) => {
      const clean = reportEvent(report("wrong-name"));
      const r = report("wrong-name");
      set(r, value);
      const e = reportEvent(r, { reportFile: "C:\\r.json" });
      const lines = e.message.split(/\r\n|\r|\n|\u0085|\u2028|\u2029/);
      expect(lines).toHaveLength(clean.message.split("\n").length + 1); // + the Report: line
      expect(lines.filter((l) => l.startsWith(forged))).toEqual([]);
      expect(e.message).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
      expect(e.eventId).toBe(1002);
    },
  );

  test("the report file path and a failure's error message are escaped too", () => {
    const r = reportEvent(report("healthy-dc"), { reportFile: `C:\\x\n${forged}` });
    expect(r.message.split("\n").filter((l) => l.startsWith(forged))).toEqual([]);
    const f = failureEvent(new Error(`bad\u2028${forged}\u0085${forged}`), { exitCode: 3 });
    expect(f.message.split(/\n|\u2028|\u0085/)).toHaveLength(2);
  });
});
