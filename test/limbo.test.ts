// Conformance over x509-limbo (../shared/reference, used as data, never copied). The subsets (tiers 1-3)
// and a deterministic sample of the full suite must agree with limbo except documented overrides, and
// every override must still be needed. The full suite (9,780 cases) runs in `npm run conformance`
// (minutes on a loaded 2-core machine, so not in `npm test`; see README "Conformance").
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { family, LimboCase, loadLimbo, loadLimboFull } from "./conformance/limbo";
import { familyLines, limboResult, loadOverrides, score } from "./conformance/score";
import { termSafe } from "../lib/terminal";

/** A disagreement quotes certificate and CRL contents: each line escaped for the terminal. */
const termSafeLines = (lines: string[]) => lines.map(termSafe).join("\n");

const overrides = loadOverrides();
const outDir = join(__dirname, "..", "test-output");
const full = loadLimboFull();

function run(cases: LimboCase[], tier: string) {
  const s = score(cases, overrides);
  const { document, errors } = limboResult(s.outcomes);
  expect(errors).toEqual([]);
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `limbo-${tier}.json`), JSON.stringify(document, null, 2));
  // eslint-disable-next-line no-console
  console.log(termSafeLines([...familyLines(s, `${tier} `), ...s.failures.map((f) => `  disagree ${f}`)]));
  return s;
}

/**
 * Every family except bettertls::nameconstraints in full, and every 4th of those 9,491 by id order:
 * about 2,660 cases, the same ones on every run.
 */
function sample(cases: LimboCase[]): LimboCase[] {
  let n = 0;
  return cases.filter((tc) => family(tc.id) !== "bettertls::nameconstraints" || n++ % 4 === 0);
}

test("every override names a real testcase and gives a reason", () => {
  const ids = new Set(full.map((t) => t.id));
  for (const [id, o] of Object.entries(overrides)) {
    expect({ id, known: ids.has(id) }).toEqual({ id, known: true });
    expect(o.reason.length).toBeGreaterThan(20);
  }
});

test.each([
  ["tier1", "subset-tier1-name-eku.json"],
  ["tier2", "subset-tier2-validity-key-chain.json"],
  ["tier3", "subset-tier3-bettertls-pathbuilding.json"],
])("%s subset: all agree except documented overrides", (tier, file) => {
  const s = run(loadLimbo(file), tier);
  expect(s.failures).toEqual([]);
  expect(s.total.skipped).toBe(0);
});

test("deterministic sample of the full suite: no disagreement without an override, no stale override", () => {
  const cases = sample(full);
  expect(cases.length).toBeGreaterThanOrEqual(2000);
  const s = run(cases, "sample");
  expect(s.failures).toEqual([]);
  expect(s.staleOverrides).toEqual([]);
  // Every case gets a verdict, the crl family's included (revocation against the case's CRLs, lib/x509/crl.ts).
  expect(cases.filter((c) => c.crls.length > 0).map((c) => family(c.id))).toEqual(Array(8).fill("crl"));
  expect(s.outcomes.filter((o) => o.actual_result === "SKIPPED").map((o) => o.id)).toEqual([]);
}, 15 * 60_000);
