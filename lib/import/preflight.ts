// Preflight: "will this certificate work for LDAPS on that DC?" before anyone imports it.
// Builds a snapshot from files (as if the certificate sat in the chosen store) and evaluates it.
import { KeyObject, X509Certificate as NodeX509 } from "node:crypto";
import { auditReport, sha256, AuditOptions } from "../audit";
import { InputError } from "../errors";
import { readInputFile } from "../input";
import type { Report } from "../report/types";
import type { Snapshot, StoreCertificate } from "../snapshot";
import { toolVersion } from "../version";
import { keyMatchesCertificate, readMaterial } from "./files";

export interface PreflightOptions extends AuditOptions {
  fqdn: string;
  certificateFiles: string[];
  keyFiles?: string[];
  rootFiles?: string[];
  /** Environment variable holding the PFX / key password (never a command-line value). */
  password?: string;
  store?: "ntds" | "my";
  /**
   * Judge it for this AD LDS instance instead of AD DS (its account and its ADAM_<instance>\My store for
   * store "ntds"): the fix planner preflights a PFX for the service the snapshot describes.
   */
  instance?: { name: string; serviceName?: string; serviceAccount?: string | null; serviceAccountSid?: string | null };
}

function isCa(der: Buffer): boolean {
  try {
    return new NodeX509(der).ca;
  } catch {
    return false;
  }
}

/** Build the snapshot preflight evaluates (exported for tests and for `--emit-snapshot`). */
export function preflightSnapshot(opts: PreflightOptions): { snapshot: Snapshot; inputs: Report["inputs"] } {
  if (!/^[A-Za-z0-9.-]+$/.test(opts.fqdn) || !opts.fqdn.includes(".")) {
    throw new InputError(`--fqdn ${JSON.stringify(opts.fqdn)}: expected the DC's fully qualified DNS name, e.g. dc1.example.test`);
  }
  const inputs: Report["inputs"] = [];
  const certs: Buffer[] = [];
  const keys: KeyObject[] = [];
  for (const f of opts.certificateFiles) {
    const m = readMaterial(f, opts.password);
    certs.push(...m.certificates);
    keys.push(...m.keys);
    inputs.push({ kind: "certificate", path: f, sha256: sha256(readInputFile(f)) });
  }
  for (const f of opts.keyFiles ?? []) {
    const m = readMaterial(f, opts.password);
    if (m.keys.length === 0) throw new InputError(`${f}: --key file holds no private key`);
    keys.push(...m.keys);
    inputs.push({ kind: "key", path: f, sha256: sha256(readInputFile(f)) });
  }
  const roots: Buffer[] = [];
  for (const f of opts.rootFiles ?? []) {
    const m = readMaterial(f, opts.password);
    if (m.certificates.length === 0) throw new InputError(`${f}: --roots file holds no certificate`);
    roots.push(...m.certificates);
    inputs.push({ kind: "roots", path: f, sha256: sha256(readInputFile(f)) });
  }
  if (certs.length === 0) throw new InputError(`${opts.certificateFiles.join(", ")}: no certificate found (only keys)`);
  // End-entity certificates are the candidates; CA certificates in the files are chain material.
  const leaves = certs.filter((c) => !isCa(c));
  const candidates = leaves.length > 0 ? leaves : certs.slice(0, 1);
  const intermediates = certs.filter((c) => !candidates.includes(c));
  const keyKnown = keys.length > 0;
  const storeCerts: StoreCertificate[] = candidates.map((der) => {
    const entry: StoreCertificate = { der: der.toString("base64") };
    if (keyKnown) {
      const match = keys.some((k) => keyMatchesCertificate(k, der));
      // A supplied key that belongs to another certificate is what an import would associate: none.
      entry.privateKey = { present: match, matchesCertificate: match, strongProtection: null };
    }
    return entry;
  });
  const snapshot: Snapshot = {
    schemaVersion: 1,
    collectedAt: new Date().toISOString(),
    collector: { name: "ldaps-audit-preflight", version: toolVersion(), note: "built from files; no Windows evidence" },
    host: opts.instance
      ? { fqdn: opts.fqdn, isDomainController: false, adldsInstances: [{ ...opts.instance }] }
      : { fqdn: opts.fqdn, isDomainController: true },
    stores: [{ name: opts.store === "ntds" ? serviceStoreName(opts) : "LocalMachine\\My", certificates: storeCerts }],
    trustAnchors: roots.map((r) => r.toString("base64")),
    intermediates: intermediates.map((r) => r.toString("base64")),
  };
  return { snapshot, inputs };
}

function serviceStoreName(opts: PreflightOptions): string {
  return opts.instance ? `${opts.instance.serviceName ?? `ADAM_${opts.instance.name}`}\\My` : "NTDS\\My";
}

export function preflight(opts: PreflightOptions): Report {
  const { snapshot, inputs } = preflightSnapshot(opts);
  return auditReport({ profile: opts.profile, waivers: opts.waivers, now: opts.now, probes: opts.probes, snapshots: [{ snapshot, source: null }], extraInputs: inputs });
}
