// evaluate --probe: the certificate on the wire against the one the stores predict (LDAPS-N03),
// the seed's "renewed but still serving the old certificate" case.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { evaluateFiles, evaluateSnapshots, readSnapshot } from "../lib/audit";
import { expectCleanError, runCli } from "./helpers/cli";

const root = join(__dirname, "..", "examples");
const healthy = join(root, "healthy-dc.snapshot.json");
const tmp = mkdtempSync(join(tmpdir(), "ldaps-audit-evalprobe-"));
const der = (name: string) => readFileSync(join(root, "certs", `${name}.pem`), "utf8").replace(/-----[^-]+-----|\s/g, "");
const NOW = new Date("2026-11-24T00:00:00Z");

/** A probe result shaped like `ldaps-audit probe` output, presenting the named certificate on 636. */
function probeFile(name: string, fqdn = "dc1.corp.example.test"): string {
  const path = join(tmp, `${name}-${fqdn}.probe.json`);
  writeFileSync(
    path,
    JSON.stringify({
      schemaVersion: 1,
      collector: { name: "ldaps-audit-probe" },
      host: { fqdn },
      network: {
        probedAt: "2026-11-24T00:00:00.000Z",
        endpoints: [
          {
            host: fqdn,
            port: 636,
            mode: "ldaps",
            purpose: "ldap",
            servername: fqdn,
            failure: null,
            tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", chain: [der(name), der("issuing")], authorized: true, authorizationError: null, hostnameMatches: true },
            ldap: { rootDse: { dnsHostName: fqdn, isGlobalCatalogReady: true, supportedLDAPVersion: ["3"], defaultNamingContext: "DC=corp,DC=example,DC=test" } },
          },
        ],
      },
    }),
  );
  return path;
}

const status = (report: ReturnType<typeof evaluateFiles>, id: string) => report.targets[0].controls.find((c) => c.id === id)?.status;

test("the predicted certificate on the wire: N01, N02, N03 pass", () => {
  const report = evaluateFiles([healthy], { now: NOW, probes: [probeFile("dc1")] });
  expect([status(report, "LDAPS-N01"), status(report, "LDAPS-N02"), status(report, "LDAPS-N03")]).toEqual(["pass", "pass", "pass"]);
  expect(report.inputs.filter((i) => i.kind === "snapshot")).toHaveLength(2);
  const presented = report.targets[0].certificates.find((c) => c.source === "network");
  expect(presented?.presentedOn).toEqual([636]);
});

test("another certificate on the wire than the stores predict: N03 fails and names both", () => {
  const report = evaluateFiles([healthy], { now: NOW, probes: [probeFile("dc1-renewed")] });
  expect(status(report, "LDAPS-N03")).toBe("fail");
  const t = report.targets[0];
  const predicted = t.certificates.find((c) => c.predicted)!.thumbprint;
  const onWire = t.certificates.find((c) => c.source === "network")!.thumbprint;
  expect(predicted).not.toBe(onWire);
  const message = t.controls.find((c) => c.id === "LDAPS-N03")!.message;
  expect(message).toContain(predicted);
  expect(message).toContain(onWire);
  expect(t.status).toBe("noncompliant");
});

test("a probe for another host is refused, cleanly", () => {
  expectCleanError(runCli(["evaluate", healthy, "--probe", probeFile("dc1", "dc9.corp.example.test")]), 2, /--probe for dc9\.corp\.example\.test matches no snapshot's host\.fqdn/);
  expectCleanError(runCli(["evaluate", healthy, "--probe", healthy]), 2, /--probe expects a snapshot from ldaps-audit probe/);
});

test("the library's evaluateSnapshots merges probes as evaluateFiles does", () => {
  const probes = [probeFile("dc1-renewed")];
  const viaFiles = evaluateFiles([healthy], { now: NOW, probes });
  const viaSnapshots = evaluateSnapshots([{ snapshot: readSnapshot(healthy).snapshot, source: healthy, sha256: readSnapshot(healthy).sha256 }], { now: NOW, probes });
  const ids = ["LDAPS-N01", "LDAPS-N02", "LDAPS-N03"];
  expect(ids.map((id) => status(viaSnapshots, id))).toEqual(["pass", "pass", "fail"]);
  expect(ids.map((id) => status(viaSnapshots, id))).toEqual(ids.map((id) => status(viaFiles, id)));
  expect(viaSnapshots.inputs.filter((i) => i.kind === "snapshot")).toHaveLength(2);
  expect(() => evaluateSnapshots([{ snapshot: readSnapshot(healthy).snapshot, source: healthy }], { now: NOW, probes: [probeFile("dc1", "dc9.corp.example.test")] })).toThrow(/matches no snapshot's host\.fqdn/);
});
