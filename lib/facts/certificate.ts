// Facts about one certificate in the context of one directory service: name, usage, key, validity, chain,
// and whether Schannel could use it (lib/facts/schannel.ts). Facts describe; the controls judge.
// Pure: everything time-dependent is measured against the injected `now`.
import { instantMs } from "../dates";
import { parseCertificate, type CertificateInfo } from "../x509/certificate";
import { buildChain } from "../x509/chain";
import { matchFqdn } from "../x509/names";
import { OID_SERVER_AUTH } from "../x509/oids";
import type { ChainEvidence, PrivateKeyEvidence } from "../snapshot";
import { privateKeyFacts } from "./privateKey";
import { schannelFacts } from "./schannel";
import type { CertificateFacts, ChainElementFacts } from "./types";

const DAY_MS = 86_400_000;

/**
 * The facts (pointers into one certificate's facts) each extension feeds. A control that fails on one
 * of them when the extension is malformed errors instead, with the extension's message (lib/profile/evaluate.ts).
 */
const FACTS_FROM_EXTENSION: Record<string, string[]> = {
  "2.5.29.17": ["/san", "/name"],
  "2.5.29.37": ["/eku"],
  "2.5.29.15": ["/keyUsage"],
  "2.5.29.19": ["/isCA"],
};

function extensionErrorFacts(info: CertificateInfo): CertificateFacts["extensionErrors"] {
  return info.extensionErrors.map((e) => ({ ...e, affects: FACTS_FROM_EXTENSION[e.oid] ?? [] }));
}

/** "the Subject Alternative Name extension (2.5.29.17) is malformed: ..." */
export function describeExtensionError(e: { oid: string; name: string; message: string }): string {
  return `the ${e.name} extension (${e.oid}) ${e.message}`;
}

export interface CertificateContext {
  now: Date;
  fqdn: string;
  account: string;
  accountSid?: string | null;
  source: CertificateFacts["source"];
  store: string | null;
  storeRole: CertificateFacts["storeRole"];
  friendlyName?: string | null;
  privateKey?: PrivateKeyEvidence;
  /** Windows' own chain result, when collected on the host. */
  chainEvidence?: ChainEvidence;
  /**
   * Material for an offline chain build when there is no Windows result. `crls` (DER), when given, turns
   * on revocation checking for the built path (lib/x509/crl.ts).
   */
  offline?: { intermediates: CertificateInfo[]; anchors: CertificateInfo[]; crls?: Buffer[] };
  /** A client's verdict (network probe): authorized against its CAs or not, and the chain it was sent. */
  clientTrust?: { authorized: boolean; error: string | null; presented: CertificateInfo[] };
  /** Certificates known from the snapshot by thumbprint, to describe chain elements Windows names only by thumbprint. */
  known?: Map<string, CertificateInfo>;
}

export function daysUntil(date: Date, now: Date): number {
  return Math.floor((date.getTime() - now.getTime()) / DAY_MS);
}

/** Key Usage bits Schannel needs on a TLS server certificate of this key type. */
function requiredKeyUsages(algorithm: string): string[] {
  return algorithm === "RSA" ? ["digitalSignature", "keyEncipherment"] : ["digitalSignature"];
}

/** A chain element before its place in the path is known (trustAnchor is set by `pathFacts`). */
interface Described {
  facts: Omit<ChainElementFacts, "trustAnchor">;
  info: CertificateInfo | undefined;
}

function element(c: { thumbprint: string; subject: string; notAfter: string | null }, info: CertificateInfo | undefined): Described {
  return { facts: { ...c, signature: info ? { algorithm: info.signature.algorithm, hash: info.signature.hash } : null }, info };
}

function elementOf(info: CertificateInfo): Described {
  return element({ thumbprint: info.thumbprint, subject: info.subject, notAfter: info.notAfter.toISOString() }, info);
}

/**
 * The path as facts. The last element is the trust anchor when it is self-issued (known from its DER), or,
 * without its DER, when the chain is trusted (Windows ends a trusted chain at a root of its Root store).
 * Verifiers do not check an anchor's own signature (RFC 5280 6.1.1 d; OpenSSL checks the signature
 * algorithm of "all certificates except those of the trust anchor"), which is why C13 exempts it.
 */
function pathFacts(path: Described[], trusted: boolean | null): ChainElementFacts[] {
  return path.map(({ facts, info }, i) => ({ ...facts, trustAnchor: i === path.length - 1 && (info ? info.selfIssued : trusted === true) }));
}

/** The chain element Windows reported, described from its DER when collected, else from a certificate we know. */
function windowsElement(e: NonNullable<ChainEvidence["elements"]>[number], ctx: CertificateContext): Described {
  const thumbprint = e.thumbprint.toUpperCase();
  let info = ctx.known?.get(thumbprint);
  if (!info && e.der) {
    try {
      info = parseCertificate(Buffer.from(e.der, "base64"));
    } catch {
      info = undefined; // an undecodable element stays undescribed; the chain result itself is Windows'
    }
  }
  return element({ thumbprint, subject: e.subject ?? "", notAfter: e.notAfter ?? null }, info);
}

function chainFacts(info: CertificateInfo, ctx: CertificateContext): CertificateFacts["chain"] {
  const finish = (
    source: CertificateFacts["chain"]["source"],
    trusted: boolean | null,
    status: string[],
    path: CertificateFacts["chain"]["path"],
    reason: string,
  ): CertificateFacts["chain"] => {
    const issuerDates = path.slice(1).map((p) => p.notAfter).filter((d): d is string => Boolean(d)).sort((a, b) => instantMs(a) - instantMs(b));
    const issuersNotAfter = issuerDates[0] ?? null;
    return {
      source,
      trusted,
      status,
      path,
      issuersNotAfter,
      issuersDaysToExpiry: issuersNotAfter ? daysUntil(new Date(instantMs(issuersNotAfter)), ctx.now) : null,
      issuerExpiresBeforeLeaf: issuersNotAfter ? instantMs(issuersNotAfter) < info.notAfter.getTime() : null,
      reason,
    };
  };
  const ev = ctx.chainEvidence;
  if (ev) {
    const status = (ev.status ?? []).map((s) => s.status).filter((s) => s !== "NoError");
    // "Revocation could not be checked" makes X509Chain.Build return false, yet the chain itself is
    // sound; the DC does not check its own certificate's revocation when it picks it.
    const blocking = status.filter((s) => !/^(RevocationStatusUnknown|OfflineRevocation)$/.test(s));
    const trusted = blocking.length === 0 && (ev.built || status.length > 0);
    const path = pathFacts((ev.elements ?? []).map((e) => windowsElement(e, ctx)), trusted);
    const reason = trusted
      ? `the DC built a trusted chain${path.length ? ` to "${path[path.length - 1].subject}"` : ""}`
      : `the DC's chain build failed: ${(ev.status ?? []).map((s) => s.information?.trim() || s.status).join("; ") || "no status given"}`;
    return finish("windows", trusted, status, path, reason);
  }
  if (ctx.clientTrust) {
    const path = pathFacts([info, ...ctx.clientTrust.presented].map(elementOf), ctx.clientTrust.authorized);
    return finish("client", ctx.clientTrust.authorized, ctx.clientTrust.authorized ? [] : ["ClientRejected"], path,
      ctx.clientTrust.authorized ? "the probing client verified the presented chain" : `the probing client rejected the chain: ${ctx.clientTrust.error ?? "unknown reason"}`);
  }
  if (ctx.offline && ctx.offline.anchors.length > 0) {
    // Unlike the DC's own result above, RevocationStatusUnknown blocks here: CRLs are only checked when the
    // caller supplied them, and a CRL for the issuer that cannot be relied on may be hiding a revocation.
    const out = buildChain(info, ctx.offline.intermediates, ctx.offline.anchors, ctx.now, { purpose: OID_SERVER_AUTH, crls: ctx.offline.crls });
    const path = pathFacts(out.path.map(elementOf), out.trusted);
    return finish("offline", out.trusted, out.status, path, out.reason);
  }
  return finish("none", null, [], [], "no chain evidence (collect on the DC, or supply trusted roots)");
}

export function certificateFacts(info: CertificateInfo, ctx: CertificateContext): CertificateFacts {
  const now = ctx.now.getTime();
  const extensionErrors = extensionErrorFacts(info);
  const sanError = extensionErrors.find((e) => e.oid === "2.5.29.17");
  // Without a readable SAN the subject CN must not stand in for it: the name cannot be checked.
  const name = sanError
    ? { fqdn: ctx.fqdn, matches: false, matchedBy: null, matchedEntry: null, fqdnIsFirstSan: null, reason: `${describeExtensionError(sanError)}, so the name cannot be checked` }
    : matchFqdn(ctx.fqdn, info.san.dns, info.subjectCommonNames, info.san.ip);
  const required = requiredKeyUsages(info.publicKey.algorithm);
  const missing = info.keyUsage.present ? required.filter((u) => !info.keyUsage.usages.includes(u)) : [];
  const privateKey = privateKeyFacts(ctx.privateKey, ctx.account, ctx.accountSid);
  const chain = chainFacts(info, ctx);
  const notYetValid = now < info.notBefore.getTime();
  const expired = now > info.notAfter.getTime();

  const facts: Omit<CertificateFacts, "schannel" | "predicted" | "presentedOn"> = {
    thumbprint: info.thumbprint,
    sha256: info.sha256,
    source: ctx.source,
    store: ctx.store,
    storeRole: ctx.storeRole,
    friendlyName: ctx.friendlyName ?? null,
    subject: info.subject,
    issuer: info.issuer,
    serialNumber: info.serialNumber,
    subjectCommonNames: info.subjectCommonNames,
    san: info.san,
    eku: { present: info.eku.present, oids: info.eku.oids, names: info.eku.names, serverAuth: info.eku.serverAuth, anyPurpose: info.eku.anyPurpose },
    keyUsage: { present: info.keyUsage.present, usages: info.keyUsage.usages, missing },
    publicKey: { algorithm: info.publicKey.algorithm, bits: info.publicKey.bits, curve: info.publicKey.curve },
    signature: { algorithm: info.signature.algorithm, hash: info.signature.hash },
    validity: {
      notBefore: info.notBefore.toISOString(),
      notAfter: info.notAfter.toISOString(),
      validNow: !notYetValid && !expired,
      notYetValid,
      expired,
      daysToExpiry: daysUntil(info.notAfter, ctx.now),
    },
    isCA: info.basicConstraints.isCA,
    selfSigned: info.selfIssued,
    extensionErrors,
    name,
    privateKey,
    chain,
  };
  // The last three keys are added to `facts` itself (same key order as a copy, without copying 22 keys per certificate).
  const full = facts as CertificateFacts;
  full.schannel = schannelFacts(facts);
  full.predicted = false;
  full.presentedOn = [];
  return full;
}
