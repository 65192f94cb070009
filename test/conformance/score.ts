// Scoring a harness run against limbo's expected results and the documented LDAPS overrides, and the
// comparison with other validators' verdicts (anchors.json.gz). Shared by test/limbo.test.ts and
// `npm run conformance` so both count the same way.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { Anchors, evaluateLimboCase, family, LIMBO_DIR, LimboCase, Outcome, PROJECT_ROOT } from "./limbo";

export interface Override {
  expected: "SUCCESS" | "FAILURE";
  reason: string;
}

export function loadOverrides(): Record<string, Override> {
  return JSON.parse(readFileSync(join(PROJECT_ROOT, "test", "conformance", "limbo-overrides.json"), "utf8")).overrides;
}

export interface Row {
  passed: number;
  failed: number;
  skipped: number;
  overridden: number;
}

export interface Score {
  outcomes: Outcome[];
  rows: Map<string, Row>;
  total: Row & { cases: number };
  /** Cases where the harness disagrees with the expected result (limbo's, or the override's). */
  failures: string[];
  /** Overrides whose case the harness now decides as limbo expects: the override is no longer needed. */
  staleOverrides: string[];
}

export function score(cases: LimboCase[], overrides: Record<string, Override>, outcomes: Outcome[] = cases.map(evaluateLimboCase)): Score {
  const rows = new Map<string, Row>();
  const failures: string[] = [];
  const staleOverrides: string[] = [];
  cases.forEach((tc, i) => {
    const o = outcomes[i];
    const row = rows.get(family(tc.id)) ?? { passed: 0, failed: 0, skipped: 0, overridden: 0 };
    rows.set(family(tc.id), row);
    const override = overrides[tc.id];
    const expected = override?.expected ?? tc.expected_result;
    if (override && o.actual_result === tc.expected_result) staleOverrides.push(tc.id);
    if (o.actual_result === "SKIPPED") row.skipped++;
    else if (o.actual_result === expected) {
      row.passed++;
      if (override) row.overridden++;
    } else {
      row.failed++;
      failures.push(`${tc.id}: expected ${expected}, got ${o.actual_result} (${o.context})`);
    }
  });
  const total = [...rows.values()].reduce<Score["total"]>(
    (a, r) => ({ cases: a.cases, passed: a.passed + r.passed, failed: a.failed + r.failed, skipped: a.skipped + r.skipped, overridden: a.overridden + r.overridden }),
    { cases: cases.length, passed: 0, failed: 0, skipped: 0, overridden: 0 },
  );
  return { outcomes, rows, total, failures, staleOverrides };
}

/** The LimboResult document (../shared/reference/x509-limbo/limbo-result-schema.json) and its schema errors. */
export function limboResult(outcomes: Outcome[]): { document: unknown; errors: string[] } {
  const document = { version: 1, harness: "ldaps-audit", results: outcomes };
  const schema = JSON.parse(readFileSync(join(LIMBO_DIR, "limbo-result-schema.json"), "utf8"));
  // limbo's own schema, compiled on its own (it is not one of the project's schemas).
  const validate = new Ajv2020({ strict: false, allErrors: true }).compile({ ...schema, $schema: undefined });
  const ok = validate(document);
  return { document, errors: ok ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
}

export function familyLines(s: Score, label = ""): string[] {
  const lines = [...s.rows].sort(([a], [b]) => a.localeCompare(b)).map(([f, r]) => `${label}${f}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.overridden ? ` (${r.overridden} by LDAPS override)` : ""}`);
  lines.push(`${label}total: ${s.total.passed} passed, ${s.total.failed} failed, ${s.total.skipped} skipped of ${s.total.cases} (${s.total.overridden} by LDAPS override)`);
  return lines;
}

export interface ValidatorFigure {
  validator: string;
  agree: number;
  disagree: number;
  skipped: number;
  note: string;
}

/** How other validators did on the same cases (each counted against limbo's expected results, no overrides). */
export function otherValidators(cases: LimboCase[], anchors: Anchors): ValidatorFigure[] {
  const figures: ValidatorFigure[] = Object.entries(anchors.harnesses).map(([validator, verdicts]) => {
    const f = { validator, agree: 0, disagree: 0, skipped: 0, note: "x509-limbo's own harness" };
    for (const tc of cases) {
      const v = verdicts[tc.id] ?? "SKIPPED";
      if (v === "SKIPPED") f.skipped++;
      else if (v === tc.expected_result) f.agree++;
      else f.disagree++;
    }
    return f;
  });
  const ids = new Set(cases.map((c) => c.id));
  const go = anchors.go_tip_allowlists;
  const deviations = [...go.allowedUnexpectedVerifications, ...go.allowedUnexpectedFailures].filter((id) => ids.has(id)).length;
  figures.push({ validator: "go (crypto/x509)", agree: NaN, disagree: deviations, skipped: NaN, note: "allow-listed deviations only; Go skips CRL and max-chain-depth cases" });
  return figures;
}

export function comparisonTable(ours: Score, cases: LimboCase[], anchors: Anchors): string[] {
  const strict = ours.total.passed - ours.total.overridden;
  const rows: ValidatorFigure[] = [
    { validator: "ldaps-audit", agree: ours.total.passed, disagree: ours.total.failed, skipped: ours.total.skipped, note: `${ours.total.overridden} of the agreements by documented LDAPS override` },
    { validator: "ldaps-audit without overrides", agree: strict, disagree: ours.total.failed + ours.total.overridden, skipped: ours.total.skipped, note: "limbo's expected results taken literally" },
    ...otherValidators(cases, anchors),
  ];
  const n = (x: number) => (Number.isNaN(x) ? "-" : String(x));
  return [
    `| validator | agree | disagree | skipped | note |`,
    `|---|---|---|---|---|`,
    ...rows.map((r) => `| ${r.validator} | ${n(r.agree)} | ${n(r.disagree)} | ${n(r.skipped)} | ${r.note} |`),
  ];
}
