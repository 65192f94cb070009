// Network facts: what clients saw on 636 (LDAPS), 3269 (GC) and 389 (StartTLS), derived
// from snapshot `network` evidence (lib/probe) and the presented certificates' facts (source "network").
// Pure: same snapshot, same facts; `now` only reaches us through the certificate facts.
import { createHash } from "node:crypto";
import type { EndpointEvidence, Snapshot } from "../snapshot";
import type { CertificateFacts, EndpointFacts, NetworkFacts, TargetInfo } from "./types";
import { enforcementFacts } from "./enforcement";
export type { EndpointFacts, NetworkFacts };

// Which versions are acceptable is policy (a parameter of the profile's protocol control); the facts only say which
// versions the server accepted or refused when each was offered alone.
const VERSIONS = ["SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;

function sha1(b64: string): string | null {
  try {
    return createHash("sha1").update(Buffer.from(b64, "base64")).digest("hex").toUpperCase();
  } catch {
    return null;
  }
}

function endpointFacts(ep: EndpointEvidence, certs: Map<string, CertificateFacts>): EndpointFacts {
  const handshake = !ep.failure && Boolean(ep.tls);
  const protocol = ep.tls?.protocol ?? null;
  const versions = ep.versions ?? null;
  const answered = (value: boolean) => (versions ? VERSIONS.filter((v) => (versions as Record<string, boolean | null | undefined>)[v] === value) : []);
  const leaf = ep.tls?.chain?.[0];
  const thumb = leaf ? sha1(leaf) : null;
  const cf = thumb ? certs.get(thumb) : undefined;
  const l = ep.ldap ?? null;
  const rootDseRead = handshake ? Boolean(l?.rootDse) : null;
  const bind = l?.bind ?? null;
  return {
    host: ep.host,
    port: ep.port,
    mode: ep.mode,
    purpose: ep.purpose ?? (ep.port === 3268 || ep.port === 3269 ? "gc" : "ldap"),
    servername: ep.servername ?? null,
    handshake,
    failure: ep.failure ? { kind: ep.failure.kind, stage: ep.failure.stage ?? null, message: ep.failure.message, code: ep.failure.code ?? null } : null,
    protocol,
    cipher: ep.tls?.cipher ?? null,
    versionsTested: Boolean(versions),
    versions: versions ? { ...versions } : null,
    acceptedVersions: answered(true),
    refusedVersions: answered(false),
    hostnameMatches: ep.tls?.hostnameMatches ?? null,
    chainLength: ep.tls?.chain?.length ?? 0,
    certificate: cf ?? null,
    sameCertificateAsLdaps: null,
    ldap: {
      rootDseRead,
      rootDseError: l?.rootDseError ?? null,
      dnsHostName: l?.rootDse?.dnsHostName ?? null,
      isGlobalCatalogReady: l?.rootDse?.isGlobalCatalogReady ?? null,
      defaultNamingContext: l?.rootDse?.defaultNamingContext ?? null,
      bindAttempted: bind?.attempted ?? false,
      bindOk: bind?.attempted ? bind.ok ?? null : null,
      bindDn: bind?.dn ?? null,
      bindError: bind?.error ?? null,
      bindSkippedReason: bind?.skippedReason ?? null,
    },
    ldapOk: handshake ? Boolean(l?.rootDse) && (!bind?.attempted || bind.ok === true) : null,
  };
}

/** The endpoint of a kind, preferring the standard port, and among equals the first that completed a handshake. */
function pick(all: EndpointFacts[], mode: "ldaps" | "starttls", purpose: "ldap" | "gc", port: number): EndpointFacts | null {
  const of = all.filter((e) => e.mode === mode && e.purpose === purpose);
  return of.find((e) => e.port === port && e.handshake) ?? of.find((e) => e.port === port) ?? of.find((e) => e.handshake) ?? of[0] ?? null;
}

export function networkFacts(snapshot: Snapshot, target: TargetInfo, certificates: CertificateFacts[], _now: Date): NetworkFacts | null {
  const net = snapshot.network;
  if (!net || net.endpoints.length === 0) return null;
  const certs = new Map(certificates.filter((c) => c.source === "network").map((c) => [c.thumbprint, c]));
  const endpoints = net.endpoints.map((ep) => endpointFacts(ep, certs));
  const ldaps = pick(endpoints, "ldaps", "ldap", 636);
  const gc = pick(endpoints, "ldaps", "gc", 3269);
  const starttls = pick(endpoints, "starttls", "ldap", 389);
  const ldapsThumb = ldaps?.certificate?.thumbprint ?? null;
  for (const e of endpoints) {
    if (e === ldaps) continue;
    e.sameCertificateAsLdaps = ldapsThumb && e.certificate ? e.certificate.thumbprint === ldapsThumb : null;
  }
  const rootDseGc = endpoints.map((e) => e.ldap.isGlobalCatalogReady).find((v) => v !== null) ?? null;
  const isGlobalCatalog = target.isGlobalCatalog ?? rootDseGc;

  const storeEvidence = (snapshot.stores ?? []).some((s) => !s.error);
  const predicted = certificates.find((c) => c.source !== "network" && c.predicted)?.thumbprint ?? null;
  const presentedThumb = ldaps?.handshake ? ldapsThumb : null;
  let matches: boolean | null = null;
  let reason: string;
  if (!storeEvidence) reason = "no certificate store evidence to compare with";
  else if (!presentedThumb) reason = `port ${ldaps?.port ?? 636} presented no certificate`;
  else if (!predicted) {
    matches = false;
    reason = `the store evidence predicts no certificate (nothing qualifies), yet port ${ldaps!.port} presents ${presentedThumb}`;
  } else {
    matches = predicted === presentedThumb;
    reason = matches
      ? `port ${ldaps!.port} presents the predicted certificate ${predicted}`
      : `port ${ldaps!.port} presents ${presentedThumb}, but the store evidence predicts ${predicted}: the service has not picked up the current certificate (or another one wins)`;
  }
  return {
    probedAt: net.probedAt ?? null,
    prober: net.prober ?? null,
    endpoints,
    ldaps,
    gc,
    starttls,
    isGlobalCatalog,
    store: { evidence: storeEvidence, predicted, presented: presentedThumb, matches, reason },
    enforcement: enforcementFacts(net.enforcement),
  };
}
