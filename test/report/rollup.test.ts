// Fleet roll-up: per-control counts, failing targets, expiry timeline; a 500-host synthetic fleet
// evaluated in memory; the JSON validates against schemas/rollup.schema.json; text and HTML render.
import { buildRollup, renderRollupHtml, renderRollupText, ROLLUP_SCHEMA_ID } from "../../lib/report/rollup";
import type { Report } from "../../lib/report/types";
import { validatorFor, describeErrors } from "../../lib/schemas";
import { Pki } from "../helpers/openssl";
import { requirePeer, hasCommand } from "../helpers/peers";
import { evaluateExample, fleetCerts, FleetCerts, fleetPlan, fleetReport, NOW } from "./fleet";

const hasOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "install the openssl package");
const d = hasOpenssl ? describe : describe.skip;

function expectValidRollup(value: unknown): void {
  const v = validatorFor(ROLLUP_SCHEMA_ID);
  const ok = v(value);
  if (!ok) throw new Error(describeErrors(v.errors));
}

test("examples: a target seen in several reports counts once, from the newest report", () => {
  const older = evaluateExample("healthy-dc", new Date("2026-06-01T00:00:00Z"));
  const newer = evaluateExample("expired");
  const lds = evaluateExample("adlds-instance");
  const r = buildRollup([
    { report: newer, path: "new.json" },
    { report: older, path: "old.json" },
    { report: lds, path: "lds.json" },
  ]);
  expectValidRollup(r);
  expect(r.summary).toMatchObject({ reports: 3, targets: 2, compliant: 1, noncompliant: 1, superseded: 1 });
  const dc = r.targets.find((t) => t.host === "dc1.corp.example.test")!;
  expect(dc).toMatchObject({ status: "noncompliant", report: 0 });
  const c06 = r.controls.find((c) => c.id === "LDAPS-C06")!;
  expect(c06.failing).toEqual([expect.objectContaining({ host: "dc1.corp.example.test", service: "NTDS", status: "fail" })]);
  expect(c06.counts.fail + c06.counts.pass).toBe(2);
  expect(r.expiry.noPredicted).toEqual([{ host: "dc1.corp.example.test", service: "NTDS" }]);
  // Failing controls sort first.
  expect(r.controls[0].counts.fail + r.controls[0].counts.error).toBeGreaterThan(0);
});

test("expiry is measured from each report's own now", () => {
  // The healthy DC's certificate expires 2036-01-01: 30 days before that it is inside the 30-day window.
  const late = evaluateExample("healthy-dc", new Date("2035-12-02T00:00:00Z"));
  const r = buildRollup([{ report: late, path: "late.json" }]);
  expect(r.expiry.timeline).toEqual([expect.objectContaining({ host: "dc1.corp.example.test", daysToExpiry: 30, band: "30" })]);
  expect(r.expiry.counts).toEqual({ expired: 0, within30: 1, within60: 1, within90: 1, noPredicted: 0 });
  expectValidRollup(r);
});

d("500-host synthetic fleet", () => {
  let pki: Pki;
  let certs: FleetCerts;
  let report: Report;
  const plan = fleetPlan(500);

  beforeAll(() => {
    pki = new Pki();
    certs = fleetCerts(pki);
    report = fleetReport(plan, certs);
  });
  afterAll(() => pki?.cleanup());

  test("counts, failing targets and the 30/60/90-day timeline", () => {
    const r = buildRollup([{ report, path: "fleet.json" }]);
    expectValidRollup(r);
    const healthy = plan.filter((h) => h.kind === "healthy");
    const broken = plan.filter((h) => h.kind !== "healthy");
    expect(r.summary.targets).toBe(500);
    expect(r.summary.noncompliant).toBe(broken.length);
    expect(r.summary.compliant).toBe(healthy.length);
    // Every broken host fails S01 (nothing qualifies), and only those.
    const s01 = r.controls.find((c) => c.id === "LDAPS-S01")!;
    expect(s01.failing.map((f) => f.host).sort()).toEqual(broken.map((h) => h.fqdn).sort());
    expect(s01.counts.pass).toBe(healthy.length);
    // Per-control counts add up to the number of targets that ran the control.
    for (const c of r.controls) expect(Object.values(c.counts).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(500);
    expect(Object.values(r.summary.controls).reduce((a, b) => a + b, 0)).toBe(report.targets.reduce((n, t) => n + t.controls.length, 0));
    // Expiry: runways 20, 45, 80 fall in the 30/60/90 windows; 400 does not.
    const runway = (n: number) => healthy.filter((h) => h.runway === n).length;
    expect(r.expiry.counts.within30).toBe(runway(20));
    expect(r.expiry.counts.within60).toBe(runway(20) + runway(45));
    expect(r.expiry.counts.within90).toBe(runway(20) + runway(45) + runway(80));
    expect(r.expiry.timeline.length).toBe(r.expiry.counts.within90 + r.expiry.counts.expired);
    expect(r.expiry.timeline[0]).toMatchObject({ daysToExpiry: 20, band: "30" });
    expect(r.expiry.timeline.at(-1)).toMatchObject({ daysToExpiry: 80, band: "90" });
    expect(r.expiry.noPredicted.length).toBe(broken.length);
    // C07 warns inside 30 days (baseline), naming exactly those hosts.
    const c07 = r.controls.find((c) => c.id === "LDAPS-C07")!;
    expect(c07.warning.length).toBe(runway(20));

    const text = renderRollupText(r);
    expect(text).toMatch(/Targets: 500 \(400 compliant, 100 non-compliant\)/);
    expect(text).toMatch(/LDAPS-S01\s+100 fail\/error/);
    expect(text).toMatch(/and 90 more/);
    const html = renderRollupHtml(r);
    expect(html).toContain("<caption>Certificates expiring within 90 days, soonest first</caption>");
    expect(html).not.toMatch(/<script/i);
  });

  test("the same fleet split over 50 reports rolls up identically", () => {
    const chunks: Array<{ report: Report; path: string }> = [];
    for (let i = 0; i < 500; i += 10) {
      chunks.push({ report: { ...report, targets: report.targets.slice(i, i + 10) }, path: `part-${i}.json` });
    }
    const whole = buildRollup([{ report, path: "fleet.json" }], NOW);
    const parts = buildRollup(chunks, NOW);
    expect(parts.summary).toEqual({ ...whole.summary, reports: 50 });
    expect(parts.controls).toEqual(whole.controls);
    expect(parts.expiry).toEqual(whole.expiry);
  });
});
