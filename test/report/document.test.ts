// The report file, version 2: each control's constants stated once (`controls`), results naming their
// control by id; read back into the same in-memory report; version 1 files upgraded on reading; compact
// and indented JSON both valid and the same document.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateFiles } from "../../lib/audit";
import { reportDocument, reportJson } from "../../lib/report/document";
import { readReportFile } from "../../lib/report/read";
import type { Report } from "../../lib/report/types";
import { describeErrors, REPORT_SCHEMA_ID, validatorFor } from "../../lib/schemas";
import { expectCleanError, runCli } from "../helpers/cli";
import { EXAMPLES, example, NOW, NOW_ARGS } from "./fleet";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-document-"));
const save = (name: string, text: string) => {
  const p = join(tmp, name);
  writeFileSync(p, text);
  return p;
};

/** A fleet-ish report: several examples, one waiver applied (a waived result keeps its remediation). */
function sample(): Report {
  const names = ["healthy-dc", "expired", "wrong-name", "two-qualifying", "adlds-instance"];
  return evaluateFiles(
    names.map((n) => example(n)),
    { now: NOW, waivers: join(EXAMPLES, "waivers.yaml") },
  );
}

/** A version 1 file of the same report: what the writer gave before version 2 (constants on every result). */
function v1Text(report: Report): string {
  const { controls: _lifted, ...rest } = report;
  return JSON.stringify({ ...rest, reportVersion: 1 }, null, 2);
}

const results = (doc: { targets: Array<{ controls: object[]; certificates: Array<{ controls: object[] }> }> }) =>
  doc.targets.flatMap((t) => [...t.controls, ...t.certificates.flatMap((c) => c.controls)]);

test("the file states each control's title, severity, remediation and references once, and validates", () => {
  const report = sample();
  const doc = JSON.parse(reportJson(report));
  const validate = validatorFor(REPORT_SCHEMA_ID);
  expect(validate(doc) ? "valid" : describeErrors(validate.errors)).toBe("valid");
  expect(doc.reportVersion).toBe(2);
  const all = results(doc);
  expect(all.length).toBeGreaterThan(100);
  for (const r of all) for (const k of ["title", "severity", "remediation", "references"]) expect(r).not.toHaveProperty(k);
  for (const r of all as Array<{ id: string }>) expect(doc.controls).toHaveProperty([r.id]);
  // Each reference list appears once per report, not once per certificate.
  const withRefs = Object.values(doc.controls as Record<string, { references?: unknown[] }>).filter((c) => c.references).length;
  expect(withRefs).toBeGreaterThan(0);
  expect(reportJson(report).match(/"references"/g)!.length).toBe(withRefs);
  // The map is the profile's controls, in profile order.
  expect(Object.keys(doc.controls)).toEqual(report.targets[0].controls.map((c) => c.id));
});

test("a version 2 file reads back into the very report it was written from", () => {
  const report = sample();
  expect(report.targets.some((t) => t.controls.some((c) => c.status === "waived" && c.remediation))).toBe(true);
  const back = readReportFile(save("v2.json", reportJson(report)));
  expect(back.fileVersion).toBe(2);
  expect(back.report).toEqual(report);
  const compact = readReportFile(save("v2-compact.json", reportJson(report, "compact")));
  expect(compact.report).toEqual(report);
});

test("a version 1 file is upgraded on reading: the same report, and the same rendering by report and diff", () => {
  const report = sample();
  const v1 = save("v1.json", v1Text(report));
  const v2 = save("v2-same.json", reportJson(report));
  const read = readReportFile(v1);
  expect(read.fileVersion).toBe(1);
  // Every result reads back the same. The one thing a version 1 file cannot tell is the remediation of a
  // control none of whose results failed or warned (it was stated only with those): nothing shows it.
  expect(read.report.targets).toEqual(report.targets);
  const { controls: upgraded, ...readRest } = read.report;
  const { controls: original, ...rest } = report;
  expect(readRest).toEqual(rest);
  expect(Object.keys(upgraded)).toEqual(Object.keys(original));
  for (const [id, c] of Object.entries(original)) {
    const shown = report.targets.some((t) => [...t.controls, ...t.certificates.flatMap((x) => x.controls)].some((r) => r.id === id && r.remediation));
    expect(upgraded[id]).toEqual(shown ? c : { ...c, remediation: undefined });
  }
  for (const format of ["text", "html", "junit", "nagios"]) {
    const a = runCli(["report", v1, "--format", format]);
    const b = runCli(["report", v2, "--format", format]);
    expect({ code: a.code, stderr: a.stderr }).toEqual({ code: b.code, stderr: "" });
    expect(a.code).not.toBe(0);
    expect(a.stdout).toBe(b.stdout);
  }
  // What `report --format json` writes for a version 1 file is version 2.
  expect(JSON.parse(runCli(["report", v1, "--format", "json"]).stdout).reportVersion).toBe(2);
  const d = runCli(["diff", v1, v2, "--format", "json"]);
  expect(d.code).toBe(0);
  expect(JSON.parse(d.stdout).targets.every((t: { changes: unknown[] }) => t.changes.length === 0)).toBe(true);
  const rolled = runCli(["report", v1, v2, "--rollup", "--format", "json"]);
  expect(rolled.stderr).toBe("");
});

test("a version 1 file whose results of one control disagree on a constant is refused, naming where", () => {
  const doc = JSON.parse(v1Text(sample()));
  doc.targets[1].controls[0].title = "Something else";
  const p = save("v1-conflict.json", JSON.stringify(doc));
  expectCleanError(runCli(["report", p]), 2, /v1-conflict\.json: not a valid ldaps-audit report: at \/targets\/1\/controls\/0\/title: control LDAPS-\S+ states a different title/);
});

test("a version 2 file with a result whose control is not described, or a version this does not read, is refused", () => {
  const doc = reportDocument(sample()) as unknown as { controls: Record<string, unknown>; targets: Array<{ controls: Array<{ id: string }> }> };
  const id = doc.targets[0].controls[2].id;
  delete doc.controls[id];
  const p = save("v2-unknown.json", JSON.stringify(doc));
  expectCleanError(runCli(["report", p]), 2, new RegExp(`v2-unknown\\.json: not a valid ldaps-audit report: at /targets/0/controls/2/id: control "${id}" is not described in /controls`));
  const future = save("v3.json", JSON.stringify({ ...doc, reportVersion: 3 }));
  expectCleanError(runCli(["report", future]), 2, /v3\.json: reportVersion 3 is not one this ldaps-audit reads \(1 or 2\)/);
  // A result stating its control's constants in a version 2 file is not the contract.
  const stated = reportDocument(sample()) as unknown as { targets: Array<{ controls: Array<Record<string, unknown>> }> };
  stated.targets[0].controls[0].title = "x";
  expectCleanError(runCli(["report", save("v2-stated.json", JSON.stringify(stated))]), 2, /at \/targets\/0\/controls\/0: unexpected property "title"/);
});

test("evaluate --compact writes one line; with or without it the same document, valid either way", () => {
  const args = ["evaluate", example("healthy-dc"), example("expired"), example("adlds-instance"), ...NOW_ARGS, "--format", "json"];
  const pretty = runCli([...args, "--no-compact"]);
  const compact = runCli([...args, "--compact"]);
  // Without either, a stdout that is not a terminal (here a pipe) gets the compact form; a file named by -o the indented one.
  expect(runCli(args).stdout.split("\n")).toHaveLength(2);
  const named = join(tmp, "named.json");
  expect(runCli([...args, "-o", named]).code).toBe(1);
  expect(readFileSync(named, "utf8").split("\n").length).toBeGreaterThan(100);
  expect(pretty.stdout.split("\n").length).toBeGreaterThan(100);
  expect(pretty.code).toBe(1);
  expect(compact.code).toBe(1);
  expect(compact.stdout.split("\n")).toHaveLength(2); // one line and the final newline
  const strip = (s: string) => JSON.parse(s, (k, v: unknown) => (k === "generatedAt" ? undefined : v));
  expect(strip(compact.stdout)).toEqual(strip(pretty.stdout));
  const validate = validatorFor(REPORT_SCHEMA_ID);
  expect(validate(JSON.parse(compact.stdout)) ? "valid" : describeErrors(validate.errors)).toBe("valid");
  // The streamed compact text is exactly JSON.stringify of the document it holds.
  expect(compact.stdout).toBe(`${JSON.stringify(JSON.parse(compact.stdout))}\n`);
  // And the streamed indented text is exactly the document indented by JSON.stringify (each target is
  // written on its own, already indented to its depth: lib/report/stream.ts targetText).
  expect(pretty.stdout).toBe(`${JSON.stringify(JSON.parse(pretty.stdout), null, 2)}\n`);
  // The whole-report path (several outputs) gives the compact form too.
  const file = join(tmp, "whole-compact.json");
  const whole = runCli([...args, "--compact", "--output-json", file, "-o", join(tmp, "main.json")]);
  expect(whole.code).toBe(1);
  expect(readFileSync(file, "utf8").trimEnd().split("\n")).toHaveLength(1);
});
