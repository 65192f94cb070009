// diff: newly failing, fixed, status changes, certificate replaced, runway shrinking; exit codes.
import { reportJson } from "../../lib/report/document";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { diffReports, renderDiffText } from "../../lib/report/diff";
import type { Report } from "../../lib/report/types";
import { expectCleanError, runCli } from "../helpers/cli";
import { Pki } from "../helpers/openssl";
import { hasCommand, requirePeer } from "../helpers/peers";
import { evaluateExample, fleetCerts, fleetPlan, fleetReport, NOW } from "./fleet";
import { evaluateSnapshots } from "../../lib/audit";
import type { Snapshot } from "../../lib/snapshot";

const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-diff-"));
const one = (report: Report, path = "r.json") => [{ report, path }];
const save = (name: string, report: Report) => {
  const p = join(tmp, name);
  writeFileSync(p, reportJson(report));
  return p;
};

test("healthy -> expired regresses; expired -> healthy is fixed, not a regression", () => {
  const healthy = evaluateExample("healthy-dc");
  const expired = evaluateExample("expired");
  const worse = diffReports(one(healthy, "before.json"), one(expired, "after.json"));
  expect(worse.regressed).toBe(true);
  const t = worse.targets[0];
  expect(t).toMatchObject({ host: "dc1.corp.example.test", service: "NTDS", change: "changed", from: "compliant", to: "noncompliant", regression: true });
  expect(t.changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: "newly-failing", control: "LDAPS-S01", from: "pass", to: "fail", regression: true }),
      expect.objectContaining({ kind: "newly-failing", control: "LDAPS-C06", from: "pass", to: "fail" }),
      expect.objectContaining({ kind: "status-changed", control: "LDAPS-C07", from: "pass", to: "skip", regression: false }),
      expect.objectContaining({ kind: "certificate-lost", from: "6AB384440534A15782E9C1B2E288323D50DD3DD1", to: null }),
    ]),
  );
  expect(renderDiffText(worse)).toMatch(/dc1\.corp\.example\.test \(NTDS\): compliant -> NON-COMPLIANT  \[REGRESSED\]\n  NEWLY FAILING/);

  const better = diffReports(one(expired), one(healthy));
  expect(better.regressed).toBe(false);
  expect(better.targets[0].changes).toEqual(expect.arrayContaining([expect.objectContaining({ kind: "fixed", control: "LDAPS-S01", from: "fail", to: "pass" })]));
  expect(better.summary.improvements).toBeGreaterThanOrEqual(2);
});

test("same report: nothing changed; pass -> warn is a regression (two qualifying certificates)", () => {
  const healthy = evaluateExample("healthy-dc");
  const same = diffReports(one(healthy), one(evaluateExample("healthy-dc")));
  expect(same).toMatchObject({ regressed: false, summary: { changes: 0, unchanged: 1 } });
  expect(renderDiffText(same)).toMatch(/Summary: 0 regression\(s\), 0 improvement\(s\), 0 change\(s\); targets: 0 changed, 0 added, 0 removed, 1 unchanged\n$/);

  const two = diffReports(one(healthy), one(evaluateExample("two-qualifying")));
  expect(two.regressed).toBe(true); // S02 pass -> warn; the verdict stays compliant
  expect(two.targets[0]).toMatchObject({ from: "compliant", to: "compliant" });
  expect(two.targets[0].changes).toEqual(
    expect.arrayContaining([
      expect.objectContaining({ kind: "worse", control: "LDAPS-S02", from: "pass", to: "warn", regression: true }),
      expect.objectContaining({ kind: "certificate-replaced", from: "6AB384440534A15782E9C1B2E288323D50DD3DD1", to: "06EBDDBED90CF9FB43A018B5B8380D7432D8F026" }),
    ]),
  );
});

test("runway shrinking is reported when a threshold is crossed, not on every run", () => {
  const far = evaluateExample("healthy-dc", new Date("2035-09-01T00:00:00Z")); // 122 days left
  const nearer = evaluateExample("healthy-dc", new Date("2035-09-10T00:00:00Z")); // 113 days: no mark crossed
  const close = evaluateExample("healthy-dc", new Date("2035-12-10T00:00:00Z")); // 22 days: inside 90, 60, 30
  expect(diffReports(one(far), one(nearer)).summary.changes).toBe(0);
  const d = diffReports(one(far), one(close));
  expect(d.targets[0].changes).toEqual(
    expect.arrayContaining([expect.objectContaining({ kind: "runway-shrinking", from: "122", to: "22", message: "runway 122 -> 22 days (now within 30 days)" })]),
  );
  expect(d.targets[0].changes).toEqual(expect.arrayContaining([expect.objectContaining({ control: "LDAPS-C07", kind: "worse", from: "pass", to: "warn" })]));
});

test("targets matched by host and service: added non-compliant regresses, removed does not", () => {
  const dc = evaluateExample("healthy-dc");
  const lds = evaluateExample("adlds-instance");
  const broken = evaluateExample("wrong-name");
  const removed = diffReports([{ report: dc, path: "a" }, { report: lds, path: "b" }], one(dc));
  expect(removed).toMatchObject({ regressed: false, summary: { removed: 1, unchanged: 1 } });
  const added = diffReports(one(lds), [{ report: lds, path: "a" }, { report: broken, path: "b" }]);
  expect(added.regressed).toBe(true);
  expect(added.targets[0]).toMatchObject({ host: "dc1.corp.example.test", change: "added", to: "noncompliant", regression: true });
  expect(renderDiffText(added)).toMatch(/dc1\.corp\.example\.test \(NTDS\): added, NON-COMPLIANT  \[REGRESSED\]/);
});

const hasOpenssl = requirePeer("openssl", hasCommand("openssl", ["version"]), "install the openssl package");
(hasOpenssl ? test : test.skip)("500-host fleet: a week later, exactly the hosts that crossed a mark change", () => {
  const pki = new Pki();
  try {
    const certs = fleetCerts(pki);
    const plan = fleetPlan(500);
    const before = fleetReport(plan, certs);
    const later = new Date(NOW.getTime() + 16 * 86_400_000); // runway 20 -> 4 (fails C07), 45 -> 29 (warn), 80 -> 64 (no mark crossed)
    const after = fleetReport(plan, certs, later);
    const d = diffReports(one(before), one(after));
    const count = (n: number) => plan.filter((h) => h.runway === n).length;
    expect(d.summary.unchanged).toBe(500 - count(20) - count(45));
    expect(d.summary.changed).toBe(count(20) + count(45));
    const failing = d.targets.filter((t) => t.changes.some((c) => c.control === "LDAPS-C07" && c.to === "fail"));
    expect(failing.length).toBe(count(20));
    expect(d.targets.filter((t) => t.regression).length).toBe(count(20) + count(45));
    expect(d.regressed).toBe(true);
  } finally {
    pki.cleanup();
  }
});

test("CLI: exit 1 on regression, 0 otherwise, 2 for bad input; JSON output", () => {
  const healthy = save("healthy.json", evaluateExample("healthy-dc"));
  const expired = save("expired.json", evaluateExample("expired"));
  const r = runCli(["diff", healthy, expired, "--format", "text"]);
  expect(r.code).toBe(1);
  expect(r.stdout).toMatch(/\[REGRESSED\]/);
  const back = runCli(["diff", expired, healthy, "--format", "json"]);
  expect(back.code).toBe(0);
  expect(JSON.parse(back.stdout)).toMatchObject({ regressed: false, summary: { regressions: 0 } });
  const bad = join(tmp, "bad.json");
  writeFileSync(bad, JSON.stringify({ reportVersion: 1, targets: "no" }));
  expectCleanError(runCli(["diff", healthy, bad]), 2, /bad\.json: not a valid ldaps-audit report: at \/: must have required property/);
  expectCleanError(runCli(["diff", healthy, join(tmp, "missing.json")]), 2, /missing\.json: no such file/);
  expectCleanError(runCli(["diff", healthy]), 2, /Not enough non-option arguments/);
});

(requirePeer("openssl", hasCommand("openssl", ["version"]), "apt-get install openssl") ? test : test.skip)(
  "two probes of one DC whose certificate comes from a new CA: NEW ISSUER, telling clients with a trust kit to re-export (not a regression)",
  () => {
    const pki = new Pki();
    try {
      const spec = { cn: "dc1.example.test", san: "DNS:dc1.example.test", eku: "serverAuth", keyUsage: "critical,digitalSignature,keyEncipherment" };
      const oldCa = pki.issue("old-ca", { cn: "Old Issuing CA", ca: true });
      const newCa = pki.issue("new-ca", { cn: "New Issuing CA", ca: true });
      const probe = (leaf: ReturnType<Pki["issue"]>, ca: ReturnType<Pki["issue"]>): Snapshot => ({
        schemaVersion: 1,
        collector: { name: "ldaps-audit-probe" },
        host: { fqdn: "dc1.example.test" },
        network: {
          endpoints: [
            {
              host: "dc1.example.test", address: "192.0.2.1", port: 636, mode: "ldaps", purpose: "ldap", servername: "dc1.example.test", failure: null, versions: null,
              tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: [leaf.der.toString("base64"), ca.der.toString("base64")], authorized: true, authorizationError: null, hostnameMatches: true },
              ldap: { rootDse: { dnsHostName: "dc1.example.test", isGlobalCatalogReady: null, supportedLDAPVersion: ["3"], defaultNamingContext: null, vendorName: null }, rootDseError: null, bind: null },
            },
          ],
        },
      });
      const now = new Date("2030-01-01T00:00:00Z");
      const before = evaluateSnapshots([{ snapshot: probe(pki.issue("before", spec, oldCa), oldCa), source: "before.probe.json" }], { now });
      const renewed = evaluateSnapshots([{ snapshot: probe(pki.issue("renewed", spec, oldCa), oldCa), source: "renewed.probe.json" }], { now });
      const moved = evaluateSnapshots([{ snapshot: probe(pki.issue("after", spec, newCa), newCa), source: "after.probe.json" }], { now });
      // A renewal by the same CA: no issuer change.
      expect(diffReports(one(before), one(renewed)).targets[0].changes.filter((c) => c.kind === "issuer-changed")).toEqual([]);
      const d = diffReports(one(before), one(moved));
      const change = d.targets[0].changes.find((c) => c.kind === "issuer-changed");
      expect(change).toMatchObject({ from: "CN=Old Issuing CA", to: "CN=New Issuing CA", regression: false });
      expect(change!.message).toMatch(/presented on port 636 is now issued by CN=New Issuing CA \(was CN=Old Issuing CA\): clients that trust only the old issuer .*export the trust again/);
      expect(renderDiffText(d)).toMatch(/\n  NEW ISSUER +the certificate presented on port 636/);
      // A report written before network.enforcement existed still reads (diff compares it with today's).
      const older = JSON.parse(JSON.stringify(before)) as Report;
      for (const t of older.targets) delete (t.facts.network as { enforcement?: unknown } | null)?.enforcement;
      expect(before.targets[0].facts.network).toHaveProperty("enforcement");
      const r = runCli(["diff", save("before-enforcement.json", older), save("moved.json", moved), "--format", "json"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout).targets[0].changes.map((c: { kind: string }) => c.kind)).toContain("issuer-changed");
    } finally {
      pki.cleanup();
    }
  },
);
