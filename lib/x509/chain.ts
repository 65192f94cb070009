// Offline chain building and validation (RFC 5280 essentials) for preflight and for snapshots that carry
// trust anchors but no chain result of their own. On a DC the collector ships Windows' own X509Chain
// result instead, which always wins (lib/facts/certificate.ts).
import { X509Certificate as NodeX509 } from "node:crypto";
import type { CertificateInfo } from "./certificate";

export interface ChainOutcome {
  trusted: boolean;
  /** Windows-like status names: PartialChain, UntrustedRoot, NotTimeValid, InvalidBasicConstraints, NotValidForUsage, NotSignatureValid. */
  status: string[];
  /** Leaf first, anchor last (empty when nothing was built). */
  path: CertificateInfo[];
  reason: string;
}

const MAX_DEPTH = 10;
const nodeCache = new WeakMap<CertificateInfo, NodeX509 | null>();

function nodeCert(c: CertificateInfo): NodeX509 | null {
  if (!nodeCache.has(c)) {
    try {
      nodeCache.set(c, new NodeX509(c.der));
    } catch {
      nodeCache.set(c, null);
    }
  }
  return nodeCache.get(c) ?? null;
}

/** Is `child` signed by `issuer`'s key (and named by it)? */
export function issuedBy(child: CertificateInfo, issuer: CertificateInfo): boolean {
  if (child.issuer !== issuer.subject) return false;
  const c = nodeCert(child);
  const i = nodeCert(issuer);
  if (!c || !i) return false;
  try {
    return c.verify(i.publicKey);
  } catch {
    return false;
  }
}

/** Certificate times have whole-second precision; a certificate is valid through its notAfter second. */
function timeValid(c: CertificateInfo, now: Date): boolean {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  return c.notBefore.getTime() <= t && t <= c.notAfter.getTime();
}

/** Problems with a certificate whatever its place in the path. */
function ownProblems(c: CertificateInfo): string[] {
  const problems: string[] = [];
  if (c.signatureAlgorithmMismatch) problems.push("NotSignatureValid");
  // An extension that cannot be decoded cannot be enforced (CERT_TRUST_INVALID_EXTENSION).
  if (c.extensionErrors.length) problems.push("InvalidExtension");
  // keyCertSign is only for CA certificates (RFC 5280 4.2.1.3).
  if (c.keyUsage.usages.includes("keyCertSign") && !c.basicConstraints.isCA) problems.push("InvalidExtension");
  return problems;
}

/**
 * Problems with `ca` acting as an issuer at a point where `below` non-self-issued CAs sit under it.
 * Like Windows, an EKU on a CA certificate restricts what it may issue for (purpose = an EKU OID).
 */
function issuerProblems(ca: CertificateInfo, below: number, purpose: string | undefined): string[] {
  const problems: string[] = ownProblems(ca);
  if (ca.version >= 3 && !(ca.basicConstraints.present && ca.basicConstraints.isCA)) problems.push("InvalidBasicConstraints");
  if (ca.basicConstraints.pathLength !== null && below > ca.basicConstraints.pathLength) problems.push("InvalidBasicConstraints");
  if (ca.keyUsage.present && !ca.keyUsage.usages.includes("keyCertSign")) problems.push("NotValidForUsage");
  if (purpose && ca.eku.present && !ca.eku.anyPurpose && !ca.eku.oids.includes(purpose)) problems.push("NotValidForUsage");
  return problems;
}

/** Is `name` inside the dNSName subtree `base` (RFC 5280 4.2.1.10: base itself or any subdomain)? */
function inSubtree(name: string, base: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, "");
  const b = base.toLowerCase().replace(/^\./, "");
  return b === "" || n === b || n.endsWith(`.${b}`);
}

/**
 * Could some host this SAN entry matches fall inside `base`? A wildcard "*.example.com" matches
 * "bar.example.com", so it meets an exclusion of "bar.example.com" (CVE-2025-61727): judge defensively.
 */
function mayReach(name: string, base: string): boolean {
  if (!name.startsWith("*.")) return inSubtree(name, base);
  const parent = name.slice(2);
  return inSubtree(parent, base) || inSubtree(base, parent);
}

/** dNSName constraints of the CAs in `path` applied to the names of every certificate below each CA. */
function nameConstraintProblems(path: CertificateInfo[]): string[] {
  for (let i = 1; i < path.length; i++) {
    const nc = path[i].nameConstraints;
    if (!nc) continue;
    for (const below of path.slice(0, i)) {
      if (below !== path[0] && below.selfIssued) continue;
      const names = below.san.dns.length ? below.san.dns : below === path[0] ? below.subjectCommonNames : [];
      for (const n of names) {
        if (nc.excludedDns.some((b) => mayReach(n, b))) return ["CannotBeValidatedForNameConstraints"];
        // A wildcard "*.P" matches only hosts below P, so it is permitted when P is inside a permitted subtree.
        const permitted = (b: string) => inSubtree(n.startsWith("*.") ? n.slice(2) : n, b);
        if (nc.permittedDns.length && !nc.permittedDns.some(permitted)) return ["CannotBeValidatedForNameConstraints"];
      }
    }
  }
  return [];
}

interface Attempt {
  path: CertificateInfo[];
  anchored: boolean;
  problems: string[];
}

/**
 * Depth-first path building from the leaf through intermediates to a trust anchor. Prefers a clean
 * anchored path; otherwise returns the most informative failure (anchored with problems, else partial).
 */
export function buildChain(
  leaf: CertificateInfo,
  intermediates: CertificateInfo[],
  anchors: CertificateInfo[],
  now: Date,
  options: { purpose?: string } = {},
): ChainOutcome {
  const isAnchor = (c: CertificateInfo) => anchors.some((a) => a.sha256 === c.sha256);
  let best: Attempt | null = null;
  const consider = (a: Attempt) => {
    const score = (x: Attempt) => (x.anchored ? 2 : 0) + (x.problems.length === 0 ? 1 : 0);
    if (!best || score(a) > score(best) || (score(a) === score(best) && a.path.length > best.path.length && !a.anchored)) best = a;
  };

  const walk = (path: CertificateInfo[], problems: string[]): boolean => {
    const current = path[path.length - 1];
    if (!timeValid(current, now)) problems = [...problems, "NotTimeValid"];
    if (isAnchor(current)) {
      const all = [...problems, ...nameConstraintProblems(path)];
      consider({ path, anchored: true, problems: all });
      return all.length === 0;
    }
    if (path.length >= MAX_DEPTH) {
      consider({ path, anchored: false, problems });
      return false;
    }
    const issuers = [...anchors, ...intermediates].filter((c) => !path.some((p) => p.sha256 === c.sha256) && issuedBy(current, c));
    if (issuers.length === 0) {
      consider({ path, anchored: false, problems });
      return false;
    }
    // Non-self-issued CA certificates that would sit between the next issuer and the leaf (pathLenConstraint).
    const below = path.slice(1).filter((c) => !c.selfIssued).length;
    for (const issuer of issuers) {
      if (walk([...path, issuer], [...problems, ...issuerProblems(issuer, below, options.purpose)])) return true;
    }
    return false;
  };

  walk([leaf], ownProblems(leaf));
  const outcome = best as Attempt | null;
  if (!outcome) return { trusted: false, status: ["PartialChain"], path: [leaf], reason: "no chain could be built" };
  const status = [...new Set(outcome.anchored ? outcome.problems : ["PartialChain", ...outcome.problems])];
  const trusted = outcome.anchored && outcome.problems.length === 0;
  const last = outcome.path[outcome.path.length - 1];
  let reason: string;
  if (trusted) reason = `chain builds to the trusted root "${last.subject}"`;
  else if (!outcome.anchored) {
    reason = last.selfIssued && issuedBy(last, last)
      ? `the chain ends at "${last.subject}", which is not a trusted root`
      : `the chain stops at "${last.subject}": its issuer "${last.issuer}" was not supplied (missing intermediate or root)`;
  } else reason = `chain to "${last.subject}" has problems: ${status.join(", ")}`;
  return { trusted, status, path: outcome.path, reason };
}
