// Offline chain building and validation (RFC 5280 essentials) for preflight and for snapshots that carry
// trust anchors but no chain result of their own. On a DC the collector ships Windows' own X509Chain
// result instead, which always wins (lib/facts/certificate.ts).
//
// The work is bounded whatever the input: a path holds at most `maxDepth` certificates, each step looks
// at no more than `maxCandidates` issuers, and the whole build makes at most `maxSignatureChecks`
// signature verifications and `maxAttempts` path extensions. A hostile set of intermediates (x509-limbo
// pathological-chain-*) therefore costs a fixed amount, and the result says that path building gave up.
//
// With CRLs (options.crls) every anchored candidate path is also checked for revocation (lib/x509/crl.ts),
// so a path through a revoked CA gives way to another path when there is one. CRL signature checks are
// cached and count against the same signature budget.
import { createHash, X509Certificate as NodeX509 } from "node:crypto";
import { MAX_CHAIN_ATTEMPTS, MAX_CHAIN_CANDIDATES, MAX_CHAIN_DEPTH, MAX_CHAIN_SIGNATURE_CHECKS } from "../limits";
import type { CertificateInfo } from "./certificate";
import type { CrlInfo, CrlReadResult } from "./crl";
import { tbsFields } from "./der";
import { nameConstraintViolations } from "./nameConstraints";
import { certificateDefects } from "./rfc5280";

export interface ChainProblem {
  /** Windows-like status name: PartialChain, UntrustedRoot, NotTimeValid, InvalidBasicConstraints, NotValidForUsage, NotSignatureValid, InvalidExtension, CannotBeValidatedForNameConstraints, Revoked, RevocationStatusUnknown, PathBuildingGaveUp. */
  status: string;
  /** What is wrong, naming the certificate. */
  detail: string;
}

export interface ChainOutcome {
  trusted: boolean;
  /** Distinct status names of the problems (see ChainProblem). */
  status: string[];
  problems: ChainProblem[];
  /**
   * Leaf first, anchor last (empty when nothing was built). Each element carries its own signature facts
   * (`signature.algorithm/hash/weak`): MD5/SHA-1 on an intermediate is reported, not judged, here.
   */
  path: CertificateInfo[];
  reason: string;
  /** Path building stopped at a limit before it had tried every candidate. */
  gaveUp: boolean;
  /** Path extensions tried and signatures verified (bounded by ChainBudget). */
  attempts: number;
  signatureChecks: number;
}

export interface ChainBudget {
  /** Certificates in one path, leaf and anchor included. */
  maxDepth: number;
  /** Issuer candidates looked at for one certificate. */
  maxCandidates: number;
  /** Signature verifications for the whole build. */
  maxSignatureChecks: number;
  /** Path extensions (one candidate tried at one position) for the whole build. */
  maxAttempts: number;
}

/** Far above what a real PKI needs (a DC chain is 2-4 certificates with one or two candidates per step). */
export const CHAIN_BUDGET: ChainBudget = { maxDepth: MAX_CHAIN_DEPTH, maxCandidates: MAX_CHAIN_CANDIDATES, maxSignatureChecks: MAX_CHAIN_SIGNATURE_CHECKS, maxAttempts: MAX_CHAIN_ATTEMPTS };

export interface ChainOptions {
  /** EKU OID the chain must be valid for (an EKU on a CA restricts it, as Windows does). */
  purpose?: string;
  budget?: Partial<ChainBudget>;
  /** Signature verification; injectable so tests can count checks. Default: node:crypto. */
  verifySignature?: (child: CertificateInfo, issuer: CertificateInfo) => boolean;
  /**
   * CRLs (DER) to check every non-anchor certificate of the path against (lib/x509/crl.ts). Absent or
   * empty: no revocation checking, as before.
   */
  crls?: Buffer[];
}

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

/** Does `issuer`'s public key verify `child`'s signature? */
export function verifySignature(child: CertificateInfo, issuer: CertificateInfo): boolean {
  const c = nodeCert(child);
  const i = nodeCert(issuer);
  if (!c || !i) return false;
  try {
    return c.verify(i.publicKey);
  } catch {
    return false;
  }
}

/** The SubjectPublicKeyInfo octets. */
function subjectPublicKeyInfo(der: Buffer): Buffer | null {
  try {
    return tbsFields(der).at("spki")?.value ?? null;
  } catch {
    return null;
  }
}

const keyCache = new WeakMap<CertificateInfo, string>();
/** Identity of a certificate's public key: two certificates with the same key verify the same signatures. */
function keyId(c: CertificateInfo): string {
  let id = keyCache.get(c);
  if (id === undefined) {
    const key = subjectPublicKeyInfo(c.der);
    id = key ? createHash("sha256").update(key).digest("hex") : `unreadable:${c.sha256}`;
    keyCache.set(c, id);
  }
  return id;
}

/** Certificate times have whole-second precision; a certificate is valid through its notAfter second. */
function timeValid(c: CertificateInfo, now: Date): boolean {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  return c.notBefore.getTime() <= t && t <= c.notAfter.getTime();
}

const who = (c: CertificateInfo) => `"${c.subject}"`;

/** Extensions lib/x509/rfc5280.ts decodes and judges itself (so their decoding errors are not reported twice). */
const DECODED_BY_DEFECTS = new Set(["1.3.6.1.5.5.7.1.1", "2.5.29.35", "2.5.29.30"]);

/** Problems with a certificate whatever its place in the path. */
function ownProblems(c: CertificateInfo, anchor: boolean): ChainProblem[] {
  const problems: ChainProblem[] = [];
  if (c.signatureAlgorithmMismatch) problems.push({ status: "NotSignatureValid", detail: `${who(c)}: outer and inner signature algorithms differ` });
  // An extension the parser could not decode cannot be enforced (CERT_TRUST_INVALID_EXTENSION). The ones
  // certificateDefects reads itself (AIA, AKI, name constraints, duplicates) are reported there once.
  for (const e of c.extensionErrors) {
    if (DECODED_BY_DEFECTS.has(e.oid) || c.extensions.filter((x) => x.oid === e.oid).length > 1) continue;
    problems.push({ status: "InvalidExtension", detail: `${who(c)}: the ${e.name} extension (${e.oid}) ${e.message}` });
  }
  // keyCertSign is only for CA certificates (RFC 5280 4.2.1.3).
  if (c.keyUsage.usages.includes("keyCertSign") && !c.basicConstraints.isCA) problems.push({ status: "InvalidExtension", detail: `${who(c)}: keyCertSign without cA` });
  for (const d of certificateDefects(c, { anchor })) problems.push({ status: "InvalidExtension", detail: `${who(c)}: ${d}` });
  return problems;
}

/**
 * Problems with `ca` acting as an issuer at a point where `below` non-self-issued CAs sit under it.
 * Like Windows, an EKU on a CA certificate restricts what it may issue for (purpose = an EKU OID).
 */
function issuerProblems(ca: CertificateInfo, anchor: boolean, below: number, purpose: string | undefined): ChainProblem[] {
  const problems = ownProblems(ca, anchor);
  const bc = ca.basicConstraints;
  if (ca.version >= 3 && !(bc.present && bc.isCA)) problems.push({ status: "InvalidBasicConstraints", detail: `${who(ca)} is not a CA` });
  if (bc.pathLength !== null && below > bc.pathLength) problems.push({ status: "InvalidBasicConstraints", detail: `${who(ca)} allows ${bc.pathLength} CAs below it, the path has ${below}` });
  if (ca.keyUsage.present && !ca.keyUsage.usages.includes("keyCertSign")) problems.push({ status: "NotValidForUsage", detail: `${who(ca)}: Key Usage lacks keyCertSign` });
  if (purpose && ca.eku.present && !ca.eku.anyPurpose && !ca.eku.oids.includes(purpose)) problems.push({ status: "NotValidForUsage", detail: `${who(ca)}: its EKU does not allow ${purpose}` });
  return problems;
}

interface Attempt {
  path: CertificateInfo[];
  anchored: boolean;
  problems: ChainProblem[];
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
  options: ChainOptions = {},
): ChainOutcome {
  const budget = { ...CHAIN_BUDGET, ...options.budget };
  const verify = options.verifySignature ?? verifySignature;
  const anchorIds = new Set(anchors.map((a) => a.sha256));
  const isAnchor = (c: CertificateInfo) => anchorIds.has(c.sha256);
  // Anchors first (the shortest way home), then intermediates, each certificate once.
  const pool = [...anchors, ...intermediates].filter((c, i, all) => all.findIndex((x) => x.sha256 === c.sha256) === i);
  const verified = new Map<string, boolean>();
  let attempts = 0;
  let signatureChecks = 0;
  let gaveUp = false;

  /**
   * One signature check within the budget, memoized by `key`: a result depends only on what was signed
   * and the issuer's key, so each pair is verified once. Over the budget: false, and the build gave up.
   */
  const budgeted = (key: string, check: () => boolean): boolean => budgetedOrUnchecked(key, check) === true;
  /** As budgeted, but null when the budget ran out before this pair was checked (not a bad signature). */
  const budgetedOrUnchecked = (key: string, check: () => boolean): boolean | null => {
    let ok = verified.get(key);
    if (ok === undefined) {
      if (signatureChecks >= budget.maxSignatureChecks) {
        gaveUp = true;
        return null;
      }
      signatureChecks++;
      ok = check();
      verified.set(key, ok);
    }
    return ok;
  };
  const signs = (issuer: CertificateInfo, child: CertificateInfo): boolean => budgeted(`cert ${child.sha256}|${keyId(issuer)}`, () => verify(child, issuer));

  // CRLs are parsed with @peculiar (lib/x509/crl.ts): loaded only when some are supplied, so the evaluate
  // path (snapshots carry no CRLs) does not load asn1js, reflect-metadata and tsyringe (issue 17).
  const crlModule = options.crls && options.crls.length > 0 ? (require("./crl") as typeof import("./crl")) : null;
  const crls: CrlReadResult | null = crlModule && options.crls ? crlModule.readCrls(options.crls) : null;
  const signsCrl = (crl: CrlInfo, issuer: CertificateInfo): boolean | null => budgetedOrUnchecked(`crl ${crl.number}|${keyId(issuer)}`, () => crlModule!.verifyCrlSignature(crl, issuer));

  let best: Attempt | null = null;
  // Anchored beats partial, clean beats flawed, and among clean paths one whose issuing CAs are not
  // signed with MD5/SHA-1 beats one that is (Windows prefers it too); a weak path is still reported.
  const strong = (x: Attempt) => x.path.slice(1, -1).every((c) => !c.signature.weak);
  const score = (x: Attempt) => (x.anchored ? 4 : 0) + (x.problems.length === 0 ? 2 : 0) + (strong(x) ? 1 : 0);
  const consider = (a: Attempt) => {
    if (!best || score(a) > score(best) || (score(a) === score(best) && a.path.length > best.path.length && !a.anchored)) best = a;
  };

  const walk = (path: CertificateInfo[], problems: ChainProblem[]): boolean => {
    const current = path[path.length - 1];
    if (!timeValid(current, now)) problems = [...problems, { status: "NotTimeValid", detail: `${who(current)} is not valid at ${now.toISOString()}` }];
    if (isAnchor(current)) {
      const nc = nameConstraintViolations(path).map((detail) => ({ status: "CannotBeValidatedForNameConstraints", detail }));
      const revocation = crls && crlModule ? crlModule.revocationProblems(path, crls, now, signsCrl) : [];
      const all = [...problems, ...nc, ...revocation];
      const attempt = { path, anchored: true, problems: all };
      consider(attempt);
      return all.length === 0 && strong(attempt);
    }
    if (path.length >= budget.maxDepth) {
      consider({ path, anchored: false, problems });
      return false;
    }
    // RFC 4158 loop detection: a certificate, or the same subject with the same key, appears once per path.
    const inPath = (c: CertificateInfo) => path.some((p) => p.sha256 === c.sha256 || (p.subject === c.subject && keyId(p) === keyId(c)));
    const named = pool.filter((c) => c.subject === current.issuer && !inPath(c)).slice(0, budget.maxCandidates);
    // Non-self-issued CA certificates that would sit between the next issuer and the leaf (pathLenConstraint).
    const below = path.slice(1).filter((c) => !c.selfIssued).length;
    let extended = false;
    for (const issuer of named) {
      if (attempts >= budget.maxAttempts) gaveUp = true;
      if (gaveUp) break;
      attempts++;
      if (!signs(issuer, current)) continue;
      extended = true;
      if (walk([...path, issuer], [...problems, ...issuerProblems(issuer, isAnchor(issuer), below, options.purpose)])) return true;
    }
    if (!extended) consider({ path, anchored: false, problems });
    return false;
  };

  // The leaf is judged as an end entity even when it is itself trusted.
  walk([leaf], ownProblems(leaf, false));
  const outcome = best as Attempt | null;
  if (!outcome) return { trusted: false, status: ["PartialChain"], problems: [], path: [leaf], reason: "no chain could be built", gaveUp, attempts, signatureChecks };
  const trusted = outcome.anchored && outcome.problems.length === 0;
  const problems = outcome.anchored ? outcome.problems : [{ status: "PartialChain", detail: "no path reaches a trusted root" }, ...outcome.problems];
  const status = [...new Set(problems.map((p) => p.status))];
  const last = outcome.path[outcome.path.length - 1];
  let reason: string;
  if (trusted) reason = `chain builds to the trusted root "${last.subject}"`;
  else if (gaveUp) {
    reason = `path building gave up after ${attempts} attempts (${signatureChecks} signature checks; limits ${budget.maxAttempts} and ${budget.maxSignatureChecks}) without reaching a trusted root`;
  } else if (!outcome.anchored) {
    reason = last.selfIssued && signs(last, last)
      ? `the chain ends at "${last.subject}", which is not a trusted root`
      : `the chain stops at "${last.subject}": its issuer "${last.issuer}" was not supplied (missing intermediate or root)`;
  } else reason = `chain to "${last.subject}" has problems: ${outcome.problems.map((p) => `${p.status} (${p.detail})`).join("; ")}`;
  return { trusted, status: gaveUp ? [...new Set([...status, "PathBuildingGaveUp"])] : status, problems, path: outcome.path, reason, gaveUp, attempts, signatureChecks };
}
