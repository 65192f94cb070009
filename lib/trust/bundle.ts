// The client trust kit (issue 16 item 4): from what a probe saw, the CA certificates a client must trust so
// that the presented chain verifies, as a PEM bundle. Pure: probe snapshots, trust anchors and `now` in,
// certificates and warnings out (the CLI writes the file, atomically).
//
// What goes in, and why:
// - the presented intermediates that the verified path uses, and the trust anchor that ends it (a root from
//   --ca or from the probe's default store): a client given only the root fails when a server forgets its
//   intermediate, and one given only the intermediate (OpenSSL without PARTIAL_CHAIN) fails anyway;
// - never the leaf, unless the leaf is self-signed (or the only anchor given was the leaf itself): then the
//   client pins that one certificate and will break when it is renewed, which the warnings say.
// - nothing for an endpoint whose chain does not end at an anchor the user vouched for: exporting what the
//   server presented would be trust on first use of whoever answered.
import { X509Certificate } from "node:crypto";
import type { Snapshot } from "../snapshot";
import { buildChain, verifySignature } from "../x509/chain";
import { CertificateInfo, CertificateParseError, parseCertificate } from "../x509/certificate";
import { OID_SERVER_AUTH } from "../x509/oids";

export type TrustRole = "root" | "intermediate" | "pinned-leaf";

export interface TrustCertificate {
  der: Buffer;
  subject: string;
  issuer: string;
  sha256: string;
  notAfter: string;
  role: TrustRole;
  /** Where the certificate came from: presented by the server, or the anchor source (e.g. "--ca"). */
  source: string;
  /** "host:port" of the endpoints whose chain needs it. */
  endpoints: string[];
}

export interface TrustBundle {
  certificates: TrustCertificate[];
  /** One line each: pinning, endpoints left out and why, chain problems seen on the way. */
  warnings: string[];
  /** Endpoints whose chain is covered by the bundle. */
  covered: string[];
  /** Endpoints that completed a handshake but whose chain the bundle cannot vouch for. */
  uncovered: Array<{ endpoint: string; reason: string }>;
}

export interface TrustAnchors {
  /** PEM or DER certificates the user trusts (the probe's --ca, or the default root store). */
  certificates: Array<string | Buffer>;
  /** Said in the bundle and in messages, e.g. "--ca" or "Node's root store". */
  source: string;
}

function toDer(c: string | Buffer): Buffer | null {
  try {
    return Buffer.isBuffer(c) ? c : Buffer.from(new X509Certificate(c).raw);
  } catch {
    return null;
  }
}

function parsed(der: Buffer): CertificateInfo | null {
  try {
    return parseCertificate(der);
  } catch (e) {
    if (e instanceof CertificateParseError) return null;
    throw e;
  }
}

const selfSignedCache = new WeakMap<CertificateInfo, boolean>();

/** Self-issued and verified by its own key: a root, or a self-signed leaf (memoized: the default store has ~150 roots). */
export function selfSigned(c: CertificateInfo): boolean {
  let v = selfSignedCache.get(c);
  if (v === undefined) selfSignedCache.set(c, (v = c.selfIssued && verifySignature(c, c)));
  return v;
}

/** The anchors, parsed once (unparsable entries are skipped: node:tls would not use them either). */
function parseAnchors(anchors: TrustAnchors): CertificateInfo[] {
  const out: CertificateInfo[] = [];
  const seen = new Set<string>();
  for (const a of anchors.certificates) {
    const der = toDer(a);
    const info = der && parsed(der);
    if (info && !seen.has(info.sha256)) {
      seen.add(info.sha256);
      out.push(info);
    }
  }
  return out;
}

/**
 * The verified path of one presented chain: leaf first, anchor last, or a reason. Self-signed anchors are
 * tried first with the user's other certificates as intermediates, so that a client gets the real root even
 * when --ca also holds the issuing CA; a path to a non-self-signed anchor is the fallback.
 */
function anchoredPath(leaf: CertificateInfo, presented: CertificateInfo[], anchors: CertificateInfo[], now: Date): { path: CertificateInfo[]; problems: string[] } | { reason: string } {
  const others = anchors.filter((a) => a.sha256 !== leaf.sha256);
  const roots = others.filter(selfSigned);
  const attempts: Array<[CertificateInfo[], CertificateInfo[]]> = [
    [roots, [...presented, ...others.filter((a) => !roots.includes(a))]],
    [others, presented],
  ];
  let last = "";
  for (const [anchorSet, intermediates] of attempts) {
    if (!anchorSet.length) continue;
    const out = buildChain(leaf, intermediates, anchorSet, now, { purpose: OID_SERVER_AUTH });
    const end = out.path[out.path.length - 1];
    if (out.path.length > 1 && end && anchorSet.some((a) => a.sha256 === end.sha256)) return { path: out.path, problems: out.problems.map((p) => p.detail) };
    last = out.reason;
  }
  return { reason: last || "no trust anchor was given" };
}

/**
 * The bundle for every endpoint of the snapshots that completed a TLS handshake. Certificates appear once
 * (by SHA-256), intermediates before the roots they chain to.
 */
export function trustBundle(snapshots: Snapshot[], anchors: TrustAnchors, now: Date): TrustBundle {
  const anchorInfos = parseAnchors(anchors);
  const byHash = new Map<string, TrustCertificate>();
  const warnings: string[] = [];
  const covered: string[] = [];
  const uncovered: TrustBundle["uncovered"] = [];
  const add = (c: CertificateInfo, role: TrustRole, source: string, endpoint: string) => {
    const have = byHash.get(c.sha256);
    if (have) {
      if (!have.endpoints.includes(endpoint)) have.endpoints.push(endpoint);
      return;
    }
    byHash.set(c.sha256, { der: c.der, subject: c.subject, issuer: c.issuer, sha256: c.sha256, notAfter: c.notAfter.toISOString(), role, source, endpoints: [endpoint] });
  };
  for (const s of snapshots) {
    for (const e of s.network?.endpoints ?? []) {
      const endpoint = `${e.host}:${e.port}`;
      const chain = (e.tls?.chain ?? []).map((b) => parsed(Buffer.from(b, "base64")));
      if (e.failure || !e.tls) continue;
      const leaf = chain[0];
      if (!leaf) {
        uncovered.push({ endpoint, reason: "the server presented no certificate that could be read" });
        continue;
      }
      const presented = chain.slice(1).filter((c): c is CertificateInfo => c !== null);
      if (selfSigned(leaf)) {
        add(leaf, "pinned-leaf", "presented", endpoint);
        covered.push(endpoint);
        warnings.push(
          `${endpoint} presents a self-signed certificate (${leaf.subject}, SHA-256 ${leaf.sha256}): the bundle holds that leaf itself, so clients pin it and will fail when it is renewed; compare the fingerprint out of band, and issue the DC a certificate from a CA`,
        );
        continue;
      }
      const found = anchoredPath(leaf, presented, anchorInfos, now);
      if ("reason" in found) {
        if (anchorInfos.some((a) => a.sha256 === leaf.sha256)) {
          add(leaf, "pinned-leaf", anchors.source, endpoint);
          covered.push(endpoint);
          warnings.push(
            `${endpoint}: the only trust anchor for its certificate (${leaf.subject}, SHA-256 ${leaf.sha256}) is that leaf itself, given with ${anchors.source}: clients pin it and will fail when it is renewed; give the issuing root instead`,
          );
          continue;
        }
        uncovered.push({ endpoint, reason: `its chain does not end at a certificate from ${anchors.source}: ${found.reason}` });
        continue;
      }
      covered.push(endpoint);
      const cas = found.path.slice(1);
      cas.forEach((c, i) => {
        const isAnchor = i === cas.length - 1;
        add(c, selfSigned(c) ? "root" : "intermediate", isAnchor || !presented.some((p) => p.sha256 === c.sha256) ? anchors.source : "presented", endpoint);
      });
      for (const p of found.problems) warnings.push(`${endpoint}: the chain verifies to a trusted root but has a problem: ${p}`);
    }
  }
  for (const u of uncovered) warnings.push(`${u.endpoint} is not covered by the bundle: ${u.reason}`);
  // Intermediates first, then roots, then pinned leaves: the order a reader checks them in.
  const rank: Record<TrustRole, number> = { intermediate: 0, root: 1, "pinned-leaf": 2 };
  const certificates = [...byHash.values()].sort((a, b) => rank[a.role] - rank[b.role]);
  return { certificates, warnings, covered, uncovered };
}

/** PEM of one certificate, 64 characters a line. */
export function pemOf(der: Buffer): string {
  const b64 = der.toString("base64").replace(/.{1,64}/g, "$&\n");
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

/**
 * The bundle file: each certificate with comment lines saying what it is (OpenSSL, GnuTLS, Java and .NET skip
 * text outside the PEM blocks). Subjects come from the server: anything but printable ASCII is written as
 * \xNN / \uNNNN so a name cannot start a line of its own.
 */
export function renderBundle(bundle: TrustBundle, generatedBy: string): string {
  const safe = (s: string) => s.replace(/[^\x20-\x7e]/g, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
  const lines = [`# ldaps-audit trust bundle (${safe(generatedBy)}): the CA certificates LDAP clients need to verify ${safe(bundle.covered.join(", "))}`];
  for (const c of bundle.certificates) {
    const what = c.role === "pinned-leaf" ? "PINNED LEAF (self-signed or given as its own anchor): clients break when it is renewed" : c.role === "root" ? "root CA" : "intermediate CA";
    lines.push("#", `# ${what}, from ${safe(c.source)}`, `# subject: ${safe(c.subject)}`, `# issuer: ${safe(c.issuer)}`, `# SHA-256: ${c.sha256}`, `# not after: ${c.notAfter}`, `# needed by: ${safe(c.endpoints.join(", "))}`);
    lines.push(pemOf(c.der).trimEnd());
  }
  return lines.join("\n") + "\n";
}
