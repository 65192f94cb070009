// Build snapshots around test certificates, the way the collector would report them.
import type { Snapshot, StoreCertificate } from "../../lib/snapshot";
import type { Issued } from "./openssl";

export const FQDN = "dc1.example.test";

export const READABLE_KEY = {
  present: true,
  providerName: "Microsoft Software Key Storage Provider",
  providerType: 0,
  providerKind: "ksp" as const,
  acl: [{ identity: "NT AUTHORITY\\SYSTEM", sid: "S-1-5-18", rights: "FullControl", type: "Allow" as const }],
  strongProtection: false,
};

export function storeCert(cert: Issued, extra: Partial<StoreCertificate> = {}): StoreCertificate {
  return { der: cert.der.toString("base64"), privateKey: READABLE_KEY, ...extra };
}

/** A DC snapshot; certificates go to LocalMachine\My unless `ntds` is given. */
export function dcSnapshot(opts: { machine?: StoreCertificate[]; ntds?: StoreCertificate[]; roots?: Issued[]; intermediates?: Issued[]; fqdn?: string }): Snapshot {
  return {
    schemaVersion: 1,
    collector: { name: "test" },
    host: { fqdn: opts.fqdn ?? FQDN, isDomainController: true },
    stores: [
      { name: "NTDS\\My", certificates: opts.ntds ?? [] },
      { name: "LocalMachine\\My", certificates: opts.machine ?? [] },
    ],
    trustAnchors: (opts.roots ?? []).map((r) => r.der.toString("base64")),
    intermediates: (opts.intermediates ?? []).map((r) => r.der.toString("base64")),
  };
}
