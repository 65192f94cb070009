// Shared fixtures for the report tests: the example snapshots evaluated at a fixed "now", and a
// synthetic fleet built in memory (never written to the repo) from the examples plus openssl-made
// wildcard certificates with chosen expiry dates.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluateFiles, evaluateSnapshots, SnapshotInput } from "../../lib/audit";
import type { Report } from "../../lib/report/types";
import type { Snapshot } from "../../lib/snapshot";
import type { Issued, Pki } from "../helpers/openssl";
import { dcSnapshot, storeCert } from "../helpers/snapshot";

export const NOW = new Date("2026-11-24T00:00:00Z");
export const NOW_ARGS = ["--now", NOW.toISOString()];
export const EXAMPLES = join(__dirname, "..", "..", "examples");
export const example = (name: string) => join(EXAMPLES, `${name}.snapshot.json`);

export function evaluateExample(name: string, now: Date = NOW, options: { waivers?: string } = {}): Report {
  return evaluateFiles([example(name)], { now, ...options });
}

export function loadExampleSnapshot(name: string): Snapshot {
  return JSON.parse(readFileSync(example(name), "utf8")) as Snapshot;
}

/** "20261214000000Z" for openssl -enddate, `days` after NOW. */
export function opensslDate(days: number): string {
  return new Date(NOW.getTime() + days * 86_400_000).toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";
}

export interface FleetCerts {
  root: Issued;
  intermediate: Issued;
  /** Wildcard *.fleet.example.test leaves expiring this many days after NOW. */
  byRunway: Map<number, Issued>;
}

export const RUNWAYS = [20, 45, 80, 400] as const;
export const BROKEN_EXAMPLES = ["wrong-name", "no-server-auth-eku", "key-not-readable", "expired", "event-1220-no-certificate"] as const;

export function fleetCerts(pki: Pki): FleetCerts {
  const { root, intermediate } = pki.hierarchy();
  const byRunway = new Map<number, Issued>();
  for (const d of RUNWAYS) {
    byRunway.set(d, pki.issue(`fleet-${d}`, { cn: "*.fleet.example.test", san: "DNS:*.fleet.example.test", eku: "serverAuth", start: "20260101000000Z", end: opensslDate(d) }, intermediate));
  }
  return { root, intermediate, byRunway };
}

export interface FleetHost {
  fqdn: string;
  kind: "healthy" | (typeof BROKEN_EXAMPLES)[number];
  runway?: number;
}

/** The plan for an n-host fleet: every 5th host broken (cycling through the broken examples), the rest healthy with cycling runways. */
export function fleetPlan(n: number): FleetHost[] {
  const plan: FleetHost[] = [];
  for (let i = 0; i < n; i++) {
    const fqdn = `dc${String(i + 1).padStart(3, "0")}.fleet.example.test`;
    if (i % 5 === 4) plan.push({ fqdn, kind: BROKEN_EXAMPLES[Math.floor(i / 5) % BROKEN_EXAMPLES.length] });
    else plan.push({ fqdn, kind: "healthy", runway: RUNWAYS[i % RUNWAYS.length] });
  }
  return plan;
}

export function fleetSnapshots(plan: FleetHost[], certs: FleetCerts): SnapshotInput[] {
  const broken = new Map(BROKEN_EXAMPLES.map((n) => [n, loadExampleSnapshot(n)]));
  return plan.map((h) => {
    let snapshot: Snapshot;
    if (h.kind === "healthy") {
      snapshot = dcSnapshot({ fqdn: h.fqdn, machine: [storeCert(certs.byRunway.get(h.runway!)!)], roots: [certs.root], intermediates: [certs.intermediate] });
    } else {
      snapshot = JSON.parse(JSON.stringify(broken.get(h.kind)!)) as Snapshot;
      snapshot.host.fqdn = h.fqdn;
    }
    return { snapshot, source: `${h.fqdn}.snapshot.json` };
  });
}

export function fleetReport(plan: FleetHost[], certs: FleetCerts, now: Date = NOW): Report {
  return evaluateSnapshots(fleetSnapshots(plan, certs), { now });
}
