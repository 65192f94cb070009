// The state digest of a plan: sha256 over a canonical form of the host state the plan's steps depend on (the
// stores and their certificates with key facts, the host's identity and services, the registry policy), so
// `fix --apply` can refuse a plan made for a host that has changed since. Time-bound evidence is left out on
// purpose: events, chain results (they age with the clock), collection times, probes and collection errors
// change on every run without the host changing, and a digest over them would refuse every plan.
import { createHash } from "node:crypto";
import type { Snapshot, StoreCertificate } from "../snapshot";
import { compareText } from "../text-order";

/**
 * The canonical form this code digests in. Form 2 sorts every list by code unit (lib/text-order.ts). Form 1
 * (plans without `form`, made before 2026-12-03) sorted them with the machine's locale collation, so the
 * same host could digest differently on two machines, and a form-1 digest cannot be compared with this
 * one: `fix --apply` refuses such a plan before touching anything (lib/fix/apply.ts). Any change to what
 * is digested, or how, is a new form (test/fix/lock-digest.test.ts pins this form's digest of an example).
 */
export const STATE_DIGEST_FORM = 2;

export interface StateDigest {
  /** STATE_DIGEST_FORM when the digest was taken (absent: form 1). */
  form?: number;
  sha256: string;
  /** One digest per part, so a refusal can say which part of the host changed. */
  parts: { host: string; stores: string; registry: string };
}

/** JSON with object keys sorted at every level: the same value always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`)
    .join(",")}}`;
}

const hash = (v: unknown) => createHash("sha256").update(canonicalJson(v), "utf8").digest("hex");

function certificateState(c: StoreCertificate): unknown {
  const k = c.privateKey;
  return {
    thumbprint: (c.thumbprint ?? "").toUpperCase(),
    der: c.der ?? null,
    // The Blob carries the key link (KEY_PROV_INFO) of a service-store certificate.
    registryBlob: c.registryBlob ?? null,
    friendlyName: c.friendlyName ?? null,
    privateKey: k
      ? {
          present: k.present,
          providerKind: k.providerKind ?? null,
          containerName: k.containerName ?? null,
          uniqueName: k.uniqueName ?? null,
          keyFilePath: k.keyFilePath ?? null,
          // ACL order is not meaning: sort the entries.
          acl: k.acl ? k.acl.map((r) => canonicalJson({ identity: r.identity, sid: r.sid ?? null, rights: String(r.rights), type: r.type, inherited: r.inherited ?? false })).sort() : null,
        }
      : null,
  };
}

/** The digest of the host state a plan depends on. */
export function stateDigest(snapshot: Snapshot): StateDigest {
  const stores = (snapshot.stores ?? [])
    .map((s) => ({ name: s.name.toLowerCase(), read: !s.error, certificates: s.certificates.map(certificateState).sort((a, b) => compareText(canonicalJson(a), canonicalJson(b))) }))
    .sort((a, b) => compareText(a.name, b.name));
  const h = snapshot.host;
  const host = {
    fqdn: h.fqdn.toLowerCase(),
    domain: h.domain ?? null,
    isDomainController: h.isDomainController ?? null,
    isGlobalCatalog: h.isGlobalCatalog ?? null,
    adldsInstances: (h.adldsInstances ?? [])
      .map((i) => ({ name: i.name, serviceName: i.serviceName ?? null, serviceAccount: i.serviceAccount ?? null, serviceAccountSid: i.serviceAccountSid ?? null, ldapPort: i.ldapPort ?? null, sslPort: i.sslPort ?? null }))
      .sort((a, b) => compareText(a.name, b.name)),
  };
  const parts = { host: hash(host), stores: hash(stores), registry: hash(snapshot.registry ?? null) };
  return { form: STATE_DIGEST_FORM, sha256: hash(parts), parts };
}

/** The one line that says what differs between the plan's digest and the host's now; null when they match. */
export function digestDifference(planned: StateDigest, now: StateDigest): string | null {
  if (planned.sha256 === now.sha256) return null;
  const names: Record<keyof StateDigest["parts"], string> = { host: "the host's identity or AD LDS instances", stores: "the certificate stores (certificates, key links or key ACLs)", registry: "the LDAP policy registry values" };
  const changed = (Object.keys(names) as Array<keyof StateDigest["parts"]>).filter((k) => planned.parts[k] !== now.parts[k]);
  return changed.length ? changed.map((k) => names[k]).join(" and ") : "the state digest";
}
