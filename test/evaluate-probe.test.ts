// evaluate --probe: the certificate on the wire against the one the stores predict (LDAPS-N03),
// the seed's "renewed but still serving the old certificate" case.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { evaluateFiles, evaluateSnapshots, readSnapshot } from "../lib/audit";
import { sameHost } from "../lib/hosts";
import { mergeNetworkEvidence } from "../lib/probe";
import type { Snapshot } from "../lib/snapshot";
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

test("the library's evaluateSnapshots merges options.probes too (one audit entry for every caller)", () => {
  const { snapshot } = readSnapshot(healthy);
  const report = evaluateSnapshots([{ snapshot, source: "dc1" }], { now: NOW, probes: [probeFile("dc1-renewed")] });
  expect(status(report, "LDAPS-N03")).toBe("fail");
  expect(report.inputs.map((i) => i.kind)).toEqual(["snapshot", "profile"]);
  expect(() => evaluateSnapshots([{ snapshot, source: "dc1" }], { now: NOW, probes: [probeFile("dc1", "dc9.corp.example.test")] })).toThrow(/matches no snapshot's host/);
});

describe("one host-matching rule for probe evidence (FQDN, short name, address)", () => {
  const collector = (fqdn: string, computerName?: string): Snapshot => ({ schemaVersion: 1, collector: { name: "t" }, host: { fqdn, ...(computerName ? { computerName } : {}) } });
  const probe = (host: string, dnsHostName?: string): Snapshot => ({
    schemaVersion: 1,
    collector: { name: "ldaps-audit-probe" },
    host: { fqdn: host },
    network: { endpoints: [{ host, port: 636, mode: "ldaps", failure: null, tls: null, ldap: dnsHostName ? { rootDse: { dnsHostName } } : null }] },
  });
  test.each([
    ["same FQDN, other case and a trailing dot", collector("dc1.corp.example.test"), probe("DC1.Corp.Example.Test."), true],
    ["probe by short name", collector("dc1.corp.example.test"), probe("dc1"), true],
    ["collector knows only its computer name", collector("dc1", "DC1"), probe("dc1.corp.example.test"), true],
    ["probe by address, rootDSE names the host", collector("dc1.corp.example.test"), probe("192.0.2.10", "dc1.corp.example.test"), true],
    ["probe by address, nothing names the host", collector("dc1.corp.example.test"), probe("192.0.2.10"), false],
    ["another host in the same domain", collector("dc1.corp.example.test"), probe("dc2.corp.example.test"), false],
    ["a probe named dc2 whose rootDSE says dc1: its own name wins", collector("dc1.corp.example.test"), probe("dc2.corp.example.test", "dc1.corp.example.test"), false],
    ["same first label, other domain", collector("dc1.corp.example.test"), probe("dc1.other.example.test"), false],
    ["same computer name DC1, other domain: short names never decide when both sides know an FQDN", collector("dc1.corp.example.test", "DC1"), probe("dc1.fabrikam.test"), false],
    ["same computer name DC1, a child domain", collector("dc1.corp.example.test", "DC1"), probe("dc1.emea.corp.example.test"), false],
    ["probe by address whose rootDSE names DC1 in another domain", collector("dc1.corp.example.test", "DC1"), probe("192.0.2.10", "DC1.evil.test"), false],
    ["both sides know only short names", collector("dc1", "DC1"), probe("DC1"), true],
    ["probe by short name whose rootDSE says it reached dc1 in another domain", collector("dc1.fabrikam.test", "DC1"), probe("dc1", "dc1.corp.example.test"), false],
    ["probe by short name whose rootDSE names this host", collector("dc1.corp.example.test", "DC1"), probe("dc1", "dc1.corp.example.test"), true],
  ] as const)("%s", (_name, a, b, same) => {
    expect(sameHost(a, b)).toBe(same);
    if (same) expect(mergeNetworkEvidence(a, b).network?.endpoints).toHaveLength(1);
    else expect(() => mergeNetworkEvidence(a, b)).toThrow(/the probe snapshot is for/);
  });
});

test("waivers are read once: the digest in the report is of the bytes applied", () => {
  const input = require("../lib/input") as typeof import("../lib/input");
  const spy = jest.spyOn(input, "readInputFile");
  const waivers = join(root, "waivers.yaml");
  const report = evaluateFiles([join(root, "two-qualifying.snapshot.json")], { now: NOW, waivers });
  expect(spy.mock.calls.filter(([p]) => p === waivers)).toHaveLength(1);
  spy.mockRestore();
  expect(report.inputs.find((i) => i.kind === "waivers")?.sha256).toBe(createHash("sha256").update(readFileSync(waivers)).digest("hex"));
  expect(report.targets[0].controls.find((c) => c.id === "LDAPS-S02")?.status).toBe("waived");
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

describe("a probe is merged into one host only, and each host takes one probe", () => {
  test("a short-name probe that fits two hosts of a fleet is refused", () => {
    const probes = [probeFile("dc1", "dc1")];
    const other = join(mkdtempSync(join(tmpdir(), "ldaps-hosts-")), "dc1-fabrikam.snapshot.json");
    const snap = readSnapshot(healthy).snapshot;
    writeFileSync(other, JSON.stringify({ ...snap, host: { ...snap.host, fqdn: "dc1.fabrikam.test" } }));
    expect(() => evaluateFiles([healthy, other], { now: NOW, probes })).toThrow(/matches both dc1\.corp\.example\.test and dc1\.fabrikam\.test; probe each host by its FQDN/);
  });

  test("two probes for one host are refused, whichever names it more surely", () => {
    expect(() => evaluateFiles([healthy], { now: NOW, probes: [probeFile("dc1"), probeFile("dc1-renewed")] })).toThrow(/both match dc1\.corp\.example\.test; give one probe per host/);
    expect(() => evaluateFiles([healthy], { now: NOW, probes: [probeFile("dc1-renewed", "dc1"), probeFile("dc1")] })).toThrow(/both match dc1\.corp\.example\.test; give one probe per host/);
  });
});
