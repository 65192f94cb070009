// Network facts (LDAPS-N01..N07): what clients saw on 636 (LDAPS), 3269 (GC) and 389 (StartTLS), derived
// from snapshot `network` evidence (lib/probe) and the presented certificates' facts (source "network").
// Pure: same snapshot, same facts; `now` only reaches us through the certificate facts.
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import type { EndpointEvidence, Snapshot } from "../snapshot";
import type { CertificateFacts, TargetInfo } from "./types";

export type PresentedCertificateFacts = {
  thumbprint: string;
  subject: string;
  notAfter: string;
  serverAuth: boolean;
  nameMatches: boolean;
  validNow: boolean;
  /** The probing client verified the chain (tls.authorized); null when the probe did not say. */
  trusted: boolean | null;
  keyStrong: boolean;
  signatureStrong: boolean;
  /** N02: every check above holds. */
  ok: boolean;
  problems: string[];
};

export type EndpointFacts = {
  host: string;
  port: number;
  mode: "ldaps" | "starttls";
  purpose: "ldap" | "gc";
  servername: string | null;
  /** The TLS handshake completed (N01). */
  handshake: boolean;
  failure: { kind: string; stage: string | null; message: string; code: string | null } | null;
  protocol: string | null;
  cipher: string | null;
  /** Negotiated TLS 1.2 or newer (null without a handshake). */
  modernProtocol: boolean | null;
  versionsTested: boolean;
  versions: Record<string, boolean | null> | null;
  /** Versions older than TLS 1.2 the server accepted when offered alone. */
  legacyAccepted: string[];
  /** TLS 1.0 and 1.1 were both offered alone and refused (null: not tested or undetermined). */
  legacyRefused: boolean | null;
  hostnameMatches: boolean | null;
  chainLength: number;
  certificate: PresentedCertificateFacts | null;
  /** For 3269 and StartTLS: presents the same certificate as the LDAPS endpoint (null when either is unknown). */
  sameCertificateAsLdaps: boolean | null;
  ldap: {
    rootDseRead: boolean | null;
    rootDseError: string | null;
    dnsHostName: string | null;
    isGlobalCatalogReady: boolean | null;
    defaultNamingContext: string | null;
    bindAttempted: boolean;
    bindOk: boolean | null;
    bindDn: string | null;
    bindError: string | null;
    bindSkippedReason: string | null;
  };
  /** N05: rootDSE read over TLS, and the bind succeeded when one was attempted. */
  ldapOk: boolean | null;
};

export type NetworkFacts = {
  probedAt: string | null;
  prober: string | null;
  endpoints: EndpointFacts[];
  ldaps: EndpointFacts | null;
  gc: EndpointFacts | null;
  starttls: EndpointFacts | null;
  /** The target is a Global Catalog: from the host evidence, else the rootDSE's isGlobalCatalogReady. */
  isGlobalCatalog: boolean | null;
  /** N03: the certificate on the LDAPS endpoint vs the one the store evidence predicts. */
  store: {
    evidence: boolean;
    predicted: string | null;
    presented: string | null;
    matches: boolean | null;
    reason: string;
  };
};

const LEGACY = ["SSLv3", "TLSv1", "TLSv1.1"];
const MODERN = new Set(["TLSv1.2", "TLSv1.3"]);

function sha1(b64: string): string | null {
  try {
    return createHash("sha1").update(Buffer.from(b64, "base64")).digest("hex").toUpperCase();
  } catch {
    return null;
  }
}

function keyStrong(c: CertificateFacts): boolean {
  const alg = c.publicKey.algorithm.toUpperCase();
  if (alg === "RSA" || alg === "RSASSA-PSS") return (c.publicKey.bits ?? 0) >= 2048;
  if (alg === "EC" || alg === "ECDSA") return ["P-256", "P-384", "P-521"].includes(c.publicKey.curve ?? "");
  if (alg === "ED25519" || alg === "ED448") return true;
  return false;
}

function presented(c: CertificateFacts, ep: EndpointEvidence, target: TargetInfo): PresentedCertificateFacts {
  const trusted = typeof ep.tls?.authorized === "boolean" ? ep.tls.authorized : null;
  // Probing by IP address: the certificate must name that address, as node:tls checked.
  const nameMatches = c.name.matches || (isIP(target.fqdn) !== 0 && ep.tls?.hostnameMatches === true);
  const strongKey = keyStrong(c);
  const problems: string[] = [];
  if (!c.eku.serverAuth) problems.push(c.eku.present ? "EKU lacks Server Authentication" : "no EKU extension (Server Authentication required)");
  if (!nameMatches) problems.push(`name does not match ${target.fqdn}: ${c.name.reason}`);
  if (!c.validity.validNow) problems.push(c.validity.expired ? `expired ${c.validity.notAfter.slice(0, 10)}` : `not valid before ${c.validity.notBefore.slice(0, 10)}`);
  if (trusted === false) problems.push(`chain not trusted by the client: ${ep.tls?.authorizationError ?? "unknown reason"}`);
  if (!strongKey) problems.push(`weak key (${c.publicKey.algorithm}${c.publicKey.bits ? ` ${c.publicKey.bits}` : ""}${c.publicKey.curve ? ` ${c.publicKey.curve}` : ""})`);
  if (c.signature.weak) problems.push(`weak signature (${c.signature.algorithm})`);
  return {
    thumbprint: c.thumbprint,
    subject: c.subject,
    notAfter: c.validity.notAfter,
    serverAuth: c.eku.serverAuth,
    nameMatches,
    validNow: c.validity.validNow,
    trusted,
    keyStrong: strongKey,
    signatureStrong: !c.signature.weak,
    ok: problems.length === 0,
    problems,
  };
}

function endpointFacts(ep: EndpointEvidence, target: TargetInfo, certs: Map<string, CertificateFacts>): EndpointFacts {
  const handshake = !ep.failure && Boolean(ep.tls);
  const protocol = ep.tls?.protocol ?? null;
  const versions = ep.versions ?? null;
  const legacyAccepted = versions ? LEGACY.filter((v) => (versions as Record<string, boolean | null>)[v] === true) : [];
  const legacyRefused = versions ? (versions.TLSv1 === false && versions["TLSv1.1"] === false ? true : legacyAccepted.length ? false : null) : null;
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
    modernProtocol: handshake && protocol ? MODERN.has(protocol) : null,
    versionsTested: Boolean(versions),
    versions: versions ? { ...versions } : null,
    legacyAccepted,
    legacyRefused,
    hostnameMatches: ep.tls?.hostnameMatches ?? null,
    chainLength: ep.tls?.chain?.length ?? 0,
    certificate: cf ? presented(cf, ep, target) : null,
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
  const endpoints = net.endpoints.map((ep) => endpointFacts(ep, target, certs));
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
  };
}
