// Offline revocation checking against CRLs the caller supplies (RFC 5280 5 and 6.3, the parts a
// complete CRL from the certificate's own issuer needs). No CRL is fetched: on a DC Windows' own chain
// result carries revocation. Reached through the chain builder's `crls` option (certificateFacts'
// `offline.crls`); snapshots and preflight carry no CRLs yet.
//
// Rules, per non-anchor certificate of a candidate path (its issuer is the next certificate):
// - a CRL is "for" the certificate when its issuer name is the certificate's issuer name;
// - such a CRL is usable when it is well formed, has no critical extension this module does not
//   process, carries a non-critical CRL Number, is signed by the issuer's key (cRLSign set when the
//   issuer has Key Usage) and is current (thisUpdate <= now, nextUpdate absent or >= now);
// - listed in a usable CRL: Revoked. CRLs for it exist but none is usable: RevocationStatusUnknown,
//   fail closed (a CRL that claims to speak for the issuer and cannot be relied on may hide a
//   revocation; x509-limbo crl::crlnumber-* and crl::issuer-missing-crlsign expect failure);
// - no CRL for its issuer among those supplied: not checked (offline there is nothing to fetch).
// A CRL that cannot be read at all cannot be matched to an issuer, so it fails every path closed.
import "reflect-metadata";
import { constants, verify as cryptoVerify, X509Certificate, type KeyObject } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import { CertificateList, CRLNumber, CRLReason, CRLReasons, Extension } from "@peculiar/asn1-x509";
import { RsaSaPssParams } from "@peculiar/asn1-rsa";
import { MAX_ASN1_DEPTH, MAX_CRL_BYTES, MAX_CRLS } from "../limits";
import type { CertificateInfo } from "./certificate";
import { nameToString } from "./certificate-reference";
import { SIGNATURE_ALGORITHMS } from "./oids";

export interface RevocationProblem {
  /** Windows-like status name (X509ChainStatusFlags): Revoked or RevocationStatusUnknown. */
  status: "Revoked" | "RevocationStatusUnknown";
  detail: string;
}

export interface CrlInfo {
  /** Position in the caller's list, 1-based, to name the CRL in reasons. */
  number: number;
  issuer: string;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** The CRL Number extension's value, when present and readable. */
  crlNumber: string | null;
  /** Why the CRL must not be used whatever the certificate (RFC 5280 5.2, 5.3); empty when it may. */
  unusable: string[];
  /** Revoked serial numbers (upper-case hex of the INTEGER's octets, as CertificateInfo.serialNumber). */
  revoked: Map<string, { date: Date; reason: string | null }>;
  tbs: Buffer;
  signature: Buffer;
  signatureOid: string;
  signatureParams: Buffer | null;
}

export type CrlReadResult = { crls: CrlInfo[]; unreadable: RevocationProblem[] };

const ID_CRL_NUMBER = "2.5.29.20";
const ID_REASON_CODE = "2.5.29.21";
/** CRL extensions this module processes or may ignore (RFC 5280 5.2): AKI, issuerAltName, CRL Number, freshestCRL, AIA. */
const CRL_EXTENSIONS_HANDLED = new Set(["2.5.29.35", "2.5.29.18", ID_CRL_NUMBER, "2.5.29.46", "1.3.6.1.5.5.7.1.1"]);
/**
 * Entry extensions that do not change which certificate an entry names: reasonCode, holdInstructionCode,
 * invalidityDate. certificateIssuer (2.5.29.29, indirect CRLs) does, and is critical, so a CRL carrying
 * it is refused below like any critical extension not handled here.
 */
const ENTRY_EXTENSIONS_HANDLED = new Set([ID_REASON_CODE, "2.5.29.23", "2.5.29.24"]);
/**
 * CRL extensions named in reasons. The two critical ones change what the CRL covers, which this module
 * does not evaluate, so RFC 5280 5.2 ("MUST NOT use that CRL") applies: an issuingDistributionPoint
 * scopes the CRL (to user certificates, some reasons, one distribution point) and a deltaCRLIndicator
 * makes it a delta that only completes a base CRL. Using either as a complete CRL could miss
 * revocations, so both are unusable: the status is unknown unless another CRL for the issuer is usable.
 */
const CRL_EXTENSION_NAMES: Record<string, string> = { "2.5.29.28": "Issuing Distribution Point", "2.5.29.27": "Delta CRL Indicator", [ID_CRL_NUMBER]: "CRL Number" };

const BER_OPTIONS = { berOptions: { maxNodes: MAX_CRL_BYTES / 2, maxDepth: MAX_ASN1_DEPTH, maxContentLength: MAX_CRL_BYTES } };

const hex = (b: ArrayBuffer | Uint8Array) => Buffer.from(b instanceof Uint8Array ? b : new Uint8Array(b)).toString("hex").toUpperCase();
const extName = (oid: string) => CRL_EXTENSION_NAMES[oid] ?? oid;

/** Problems that make a CRL unusable for any certificate, read from its extensions and its entries'. */
function unusableBecause(list: CertificateList): string[] {
  const tbs = list.tbsCertList;
  const out: string[] = [];
  const exts: Extension[] = tbs.crlExtensions ?? [];
  const hasEntryExtensions = (tbs.revokedCertificates ?? []).some((r) => (r.crlEntryExtensions ?? []).length > 0);
  // Extensions need a v2 CRL (RFC 5280 5.1.2.1).
  if ((exts.length > 0 || hasEntryExtensions) && tbs.version !== 1) out.push("it has extensions but is not a version 2 CRL");
  if (!Buffer.from(AsnConvert.serialize(list.signatureAlgorithm)).equals(Buffer.from(AsnConvert.serialize(tbs.signature)))) out.push("its outer and inner signature algorithms differ");
  const seen = new Set<string>();
  for (const e of exts) {
    if (seen.has(e.extnID)) out.push(`the ${extName(e.extnID)} extension appears more than once`);
    seen.add(e.extnID);
    // RFC 5280 5.2: a CRL with a critical extension the application cannot process MUST NOT be used to
    // determine any certificate's status (see CRL_EXTENSION_NAMES for the ones met in practice).
    if (e.critical && !CRL_EXTENSIONS_HANDLED.has(e.extnID)) out.push(`it has a critical ${extName(e.extnID)} extension, which this check does not process`);
  }
  // RFC 5280 5.2.3: conforming CRL issuers MUST include the CRL Number and MUST mark it non-critical.
  // Both are refused (x509-limbo crl::crlnumber-missing and crl::crlnumber-critical expect failure): a CRL
  // that breaks a MUST of its issuer's profile is not evidence to rely on.
  const number = exts.find((e) => e.extnID === ID_CRL_NUMBER);
  if (!number) out.push("it has no CRL Number extension (RFC 5280 5.2.3)");
  else if (number.critical) out.push("its CRL Number extension is marked critical (RFC 5280 5.2.3)");
  else if (crlNumberText(list) === null) out.push("its CRL Number extension is malformed");
  for (const r of tbs.revokedCertificates ?? []) {
    const critical = (r.crlEntryExtensions ?? []).find((e) => e.critical && !ENTRY_EXTENSIONS_HANDLED.has(e.extnID));
    if (critical) {
      out.push(`the entry for serial ${hex(r.userCertificate)} has a critical ${critical.extnID === "2.5.29.29" ? "Certificate Issuer (indirect CRL)" : critical.extnID} extension, which this check does not process`);
      break;
    }
  }
  return out;
}

function crlNumberText(list: CertificateList): string | null {
  const e = list.tbsCertList.crlExtensions?.find((x) => x.extnID === ID_CRL_NUMBER);
  if (!e) return null;
  try {
    return String(AsnConvert.parse(e.extnValue.buffer, CRLNumber).value);
  } catch {
    return null;
  }
}

function reasonText(ext: Extension[] | undefined): string | null {
  const e = ext?.find((x) => x.extnID === ID_REASON_CODE);
  if (!e) return null;
  try {
    const code = AsnConvert.parse(e.extnValue.buffer, CRLReason).reason;
    return CRLReasons[code] ?? String(code);
  } catch {
    return "unreadable reason code";
  }
}

/** One CRL, DER. Throws on anything that is not a CertificateList (the caller turns it into a reason). */
function readCrl(der: Buffer, number: number): CrlInfo {
  if (der.length > MAX_CRL_BYTES) throw new Error(`it is ${der.length} bytes, above the ${MAX_CRL_BYTES}-byte limit (MAX_CRL_BYTES)`);
  const list = AsnConvert.parse(der, CertificateList, BER_OPTIONS);
  const tbs = list.tbsCertList;
  if (!list.tbsCertListRaw) throw new Error("its TBSCertList could not be located");
  const revoked = new Map<string, { date: Date; reason: string | null }>();
  for (const r of tbs.revokedCertificates ?? []) revoked.set(hex(r.userCertificate), { date: r.revocationDate.getTime(), reason: reasonText(r.crlEntryExtensions) });
  return {
    number,
    issuer: nameToString(tbs.issuer),
    thisUpdate: tbs.thisUpdate.getTime(),
    nextUpdate: tbs.nextUpdate ? tbs.nextUpdate.getTime() : null,
    crlNumber: crlNumberText(list),
    unusable: unusableBecause(list),
    revoked,
    tbs: Buffer.from(list.tbsCertListRaw),
    signature: Buffer.from(list.signature),
    signatureOid: list.signatureAlgorithm.algorithm,
    signatureParams: list.signatureAlgorithm.parameters ? Buffer.from(list.signatureAlgorithm.parameters) : null,
  };
}

/**
 * Read the caller's CRLs once per chain build. Over MAX_CRLS, or one that cannot be read, is a
 * RevocationStatusUnknown problem for every path: never an exception.
 */
export function readCrls(ders: Buffer[]): CrlReadResult {
  if (ders.length > MAX_CRLS) {
    return { crls: [], unreadable: [{ status: "RevocationStatusUnknown", detail: `${ders.length} CRLs were supplied, above the limit of ${MAX_CRLS} (MAX_CRLS): none was read` }] };
  }
  const crls: CrlInfo[] = [];
  const unreadable: RevocationProblem[] = [];
  ders.forEach((der, i) => {
    try {
      crls.push(readCrl(der, i + 1));
    } catch (e) {
      unreadable.push({ status: "RevocationStatusUnknown", detail: `CRL #${i + 1} cannot be read, so no certificate's revocation can be ruled out: ${(e as Error).message}` });
    }
  });
  return { crls, unreadable };
}

/** node:crypto digest names for the hash OIDs RSASSA-PSS parameters name. */
const PSS_HASHES: Record<string, string> = {
  "1.3.14.3.2.26": "sha1",
  "2.16.840.1.101.3.4.2.1": "sha256",
  "2.16.840.1.101.3.4.2.2": "sha384",
  "2.16.840.1.101.3.4.2.3": "sha512",
  "2.16.840.1.101.3.4.2.4": "sha224",
};

const keys = new WeakMap<CertificateInfo, KeyObject>();
function issuerKey(issuer: CertificateInfo): KeyObject {
  let key = keys.get(issuer);
  if (!key) keys.set(issuer, (key = new X509Certificate(issuer.der).publicKey));
  return key;
}

/** Does `issuer`'s public key verify the CRL's signature? False for any algorithm node:crypto cannot check. */
export function verifyCrlSignature(crl: CrlInfo, issuer: CertificateInfo): boolean {
  try {
    const key = issuerKey(issuer);
    if (crl.signatureOid === "1.2.840.113549.1.1.10") {
      const params = crl.signatureParams ? AsnConvert.parse(crl.signatureParams, RsaSaPssParams) : new RsaSaPssParams();
      const hash = PSS_HASHES[params.hashAlgorithm.algorithm];
      if (!hash) return false;
      return cryptoVerify(hash, crl.tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength }, crl.signature);
    }
    const known = SIGNATURE_ALGORITHMS[crl.signatureOid];
    if (!known) return false;
    const hash = known[1] === null ? null : known[1].replace("-", "").toLowerCase();
    return cryptoVerify(hash, crl.tbs, key, crl.signature);
  } catch {
    return false;
  }
}

/** CRL times have whole-second precision, like certificate validity (lib/x509/chain.ts). */
function current(crl: CrlInfo, now: Date): string | null {
  const t = Math.floor(now.getTime() / 1000) * 1000;
  if (crl.thisUpdate.getTime() > t) return `it is not yet in effect (thisUpdate ${crl.thisUpdate.toISOString()})`;
  if (crl.nextUpdate && crl.nextUpdate.getTime() < t) return `it expired (nextUpdate ${crl.nextUpdate.toISOString()})`;
  return null;
}

const who = (c: CertificateInfo) => `"${c.subject}"`;
const named = (crl: CrlInfo) => `CRL #${crl.number} from "${crl.issuer}"${crl.crlNumber !== null ? ` (CRL Number ${crl.crlNumber})` : ""}`;

/**
 * Revocation problems of one candidate path (leaf first, anchor last). `signs(crl, issuer)` verifies a
 * CRL's signature; the chain builder passes one that caches and counts against its signature budget, and
 * answers null when the budget ran out first (the CRL is then unusable as unchecked, not as forged).
 */
export function revocationProblems(path: CertificateInfo[], read: CrlReadResult, now: Date, signs: (crl: CrlInfo, issuer: CertificateInfo) => boolean | null): RevocationProblem[] {
  const problems: RevocationProblem[] = [...read.unreadable];
  for (let i = 0; i + 1 < path.length; i++) {
    const cert = path[i];
    const issuer = path[i + 1];
    const forIssuer = read.crls.filter((c) => c.issuer === cert.issuer);
    if (forIssuer.length === 0) continue;
    const refused: string[] = [];
    const usable: CrlInfo[] = [];
    for (const crl of forIssuer) {
      const why = [...crl.unusable];
      // RFC 5280 6.3.3(f): cRLSign is required only when the issuer has a Key Usage extension.
      if (issuer.keyUsage.present && !issuer.keyUsage.usages.includes("cRLSign")) why.push(`its issuer ${who(issuer)} lacks cRLSign in Key Usage`);
      const late = current(crl, now);
      if (late) why.push(late);
      if (why.length === 0) {
        const ok = signs(crl, issuer);
        if (ok === null) why.push("its signature was not checked: the chain's signature budget ran out first");
        else if (!ok) why.push(`its signature does not verify with the key of ${who(issuer)}`);
      }
      if (why.length > 0) refused.push(`${named(crl)}: ${why.join("; ")}`);
      else usable.push(crl);
    }
    const listing = usable.find((crl) => crl.revoked.has(cert.serialNumber));
    if (listing) {
      const entry = listing.revoked.get(cert.serialNumber)!;
      problems.push({
        status: "Revoked",
        detail: `${who(cert)} (serial ${cert.serialNumber}) is revoked by ${named(listing)} since ${entry.date.toISOString()}${entry.reason ? ` (reason: ${entry.reason})` : ""}`,
      });
    } else if (usable.length === 0) {
      problems.push({ status: "RevocationStatusUnknown", detail: `the revocation status of ${who(cert)} is unknown: no usable CRL from "${cert.issuer}" (${refused.join("; ")})` });
    }
  }
  return problems;
}
