// Parse one DER certificate into the plain facts the audit needs. Pure: no clock, no policy.
//
// A small strict DER reader over lib/x509/der.ts (issue 17 item 2): one pass over the bytes, only the
// fields CertificateInfo holds, no schema library. It was the @peculiar/asn1-x509 parse (asn1js, with
// reflect-metadata and tsyringe at load), kept as lib/x509/certificate-reference.ts; the differential test
// test/x509-der-differential.test.ts proves this reader gives the same CertificateInfo (or rejects with it)
// on every x509-limbo certificate, the real registry Blobs and fast-check generated and mutated DER.
// Where the two differ by design this reader is the stricter one, and each case is argued there with the
// RFC (RFC 5280 4.1: a certificate is DER; X.690 10 and 11 say what DER allows): framing (shortest-form
// lengths, no constructed strings, no partial elements), the SEQUENCE/SET tags, RFC 5280 validity times.
// It keeps the reference's leniency where facts would otherwise change for certificates seen in the wild:
// a BOOLEAN is TRUE for any non-zero octet, INTEGERs need not be minimal, SET OF order is not checked.
//
// Bounds (lib/limits.ts): MAX_CERTIFICATE_BYTES before anything is read, MAX_ASN1_DEPTH and MAX_ASN1_NODES
// for the one walk over every element (an explicit stack, no recursion), and every field reader descends
// a fixed number of levels, so the work is linear in the certificate's size.
import * as nodeCrypto from "node:crypto";
import { createHash, X509Certificate as NodeX509 } from "node:crypto";
import { MAX_ASN1_DEPTH, MAX_ASN1_NODES, MAX_CERTIFICATE_BYTES } from "../limits";
import { children, DerError, dottedOid, readHeader, readTlv, type Tlv, type TlvHeader } from "./der";
import { formatName, commonNamesOf } from "./dn";
import { CURVES, HASH_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, SIGNATURE_ALGORITHMS, WEAK_HASHES, ekuName, OID_ANY_EKU, OID_SERVER_AUTH } from "./oids";

export interface CertificateInfo {
  der: Buffer;
  thumbprint: string; // SHA-1, upper-case hex, as Windows shows it
  sha256: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  version: number;
  subjectCommonNames: string[];
  san: { dns: string[]; ip: string[]; other: string[] };
  eku: { present: boolean; critical: boolean; oids: string[]; names: string[]; serverAuth: boolean; anyPurpose: boolean };
  keyUsage: { present: boolean; critical: boolean; usages: string[] };
  basicConstraints: { present: boolean; isCA: boolean; pathLength: number | null };
  /** Every extension as encoded, in order (duplicates kept): name constraints and RFC 5280 checks read them (lib/x509/rfc5280.ts). */
  extensions: Array<{ oid: string; critical: boolean; value: Buffer }>;
  /** The subject Name's DER, compared RDN by RDN by directoryName constraints. */
  subjectDer: Buffer;
  publicKey: { algorithm: string; oid: string; bits: number | null; curve: string | null; rsaExponent: number | null };
  signature: { algorithm: string; oid: string; hash: string | null; weak: boolean };
  /** The outer signatureAlgorithm differs from the one inside the signed TBSCertificate (RFC 5280 4.1.1.2). */
  signatureAlgorithmMismatch: boolean;
  notBefore: Date;
  notAfter: Date;
  selfIssued: boolean;
  /**
   * Extensions present but not decodable (or present more than once). Evidence, not a parse failure: a
   * server can present such a certificate, and the facts derived from the extension say so.
   */
  extensionErrors: ExtensionError[];
}

export interface ExtensionError {
  oid: string;
  name: string;
  /** Completes "the <name> extension (<oid>) ...": "is malformed: <why>" or "appears more than once". */
  message: string;
}

export class CertificateParseError extends Error {}

const OID = {
  subjectAltName: "2.5.29.17",
  extKeyUsage: "2.5.29.37",
  keyUsage: "2.5.29.15",
  basicConstraints: "2.5.29.19",
  nameConstraints: "2.5.29.30",
  authorityKeyIdentifier: "2.5.29.35",
  subjectKeyIdentifier: "2.5.29.14",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  cRLDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
} as const;

/** Extensions the audit decodes (or checks are well-formed), with the names certutil and the MMC show. */
const KNOWN_EXTENSIONS: Record<string, { name: string; read: (value: Buffer) => unknown }> = {
  [OID.subjectAltName]: { name: "Subject Alternative Name", read: (v) => generalNames(only(v, T.SEQUENCE)) },
  [OID.extKeyUsage]: { name: "Enhanced Key Usage", read: (v) => seqOf(only(v, T.SEQUENCE), (t) => oidOf(t)) },
  [OID.keyUsage]: { name: "Key Usage", read: (v) => keyUsageBits(only(v, T.BIT_STRING)) },
  [OID.basicConstraints]: { name: "Basic Constraints", read: (v) => basicConstraints(only(v, T.SEQUENCE)) },
  [OID.nameConstraints]: { name: "Name Constraints", read: (v) => nameConstraints(only(v, T.SEQUENCE)) },
  [OID.authorityKeyIdentifier]: { name: "Authority Key Identifier", read: (v) => authorityKeyIdentifier(only(v, T.SEQUENCE)) },
  [OID.subjectKeyIdentifier]: { name: "Subject Key Identifier", read: (v) => only(v, T.OCTET_STRING) },
  [OID.authorityInfoAccess]: { name: "Authority Information Access", read: (v) => seqOf(only(v, T.SEQUENCE), accessDescription) },
  [OID.cRLDistributionPoints]: { name: "CRL Distribution Points", read: (v) => seqOf(only(v, T.SEQUENCE), distributionPoint) },
  [OID.certificatePolicies]: { name: "Certificate Policies", read: (v) => seqOf(only(v, T.SEQUENCE), policyInformation) },
};

export function extensionName(oid: string): string {
  return Object.prototype.hasOwnProperty.call(KNOWN_EXTENSIONS, oid) ? KNOWN_EXTENSIONS[oid].name : oid;
}

/** Identifier octets this reader meets (universal class unless said). */
const T = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8String: 0x0c,
  PrintableString: 0x13,
  TeletexString: 0x14,
  IA5String: 0x16,
  UTCTime: 0x17,
  GeneralizedTime: 0x18,
  UniversalString: 0x1c,
  BMPString: 0x1e,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;
const ctx = (n: number, constructed: boolean): number => 0x80 | (constructed ? 0x20 : 0) | n;

// ---- The one bounded walk: every element of a DER value is well framed ---------------------------

/**
 * Check every element of `der` (one value filling it) once, with an explicit stack: lengths in shortest
 * form and inside their parent (der.ts readTlv), nesting at most MAX_ASN1_DEPTH, at most MAX_ASN1_NODES
 * elements, and the universal types well formed as far as any reading of them depends on it:
 * - only SEQUENCE and SET are constructed (DER encodes every string primitive, X.690 10.2);
 * - no end-of-contents octets and no reserved universal tags (indefinite lengths do not exist in DER);
 * - a BIT STRING's unused-bits count is 0-7 (X.690 8.6.2.2), a BMPString is whole UTF-16 code units and a
 *   UniversalString whole 4-octet characters (X.690 8.23.7, 8.23.8): a reader cannot decode them otherwise;
 * - an OBJECT IDENTIFIER's last subidentifier is complete (X.690 8.19.2).
 * OCTET STRING and BIT STRING contents are not entered: an extension value is read (and judged) on its own.
 */
export function checkDer(der: Buffer): Tlv {
  const top = readTlv(der, 0);
  if (top.end !== der.length) throw new DerError(`${der.length - top.end} unexpected bytes after the value`);
  let nodes = 0;
  // The elements still to check, four numbers each (tag, contents start, end, depth; offsets in `der`):
  // the walk makes no object per element. Same order as a stack of elements: last pushed, first checked.
  const stack: number[] = [top.tag, top.end - top.value.length, top.end, 0];
  const h: TlvHeader = { tag: 0, valueStart: 0, end: 0 };
  while (stack.length > 0) {
    const depth = stack.pop()!;
    const end = stack.pop()!;
    const valueStart = stack.pop()!;
    const tag = stack.pop()!;
    if (++nodes > MAX_ASN1_NODES) throw new DerError(`more than ${MAX_ASN1_NODES} ASN.1 elements`);
    checkElement(der, tag, valueStart, end);
    if (tag & 0x20) {
      if (depth + 1 > MAX_ASN1_DEPTH && end > valueStart) throw new DerError(`nested deeper than ${MAX_ASN1_DEPTH}`);
      let off = valueStart;
      while (off < end) {
        readHeader(der, off, end, h);
        stack.push(h.tag, h.valueStart, h.end, depth + 1);
        off = h.end;
      }
    }
  }
  return top;
}

/** The element with identifier `tag` and contents der[valueStart, end). */
function checkElement(der: Buffer, tag: number, valueStart: number, end: number): void {
  if ((tag & 0xc0) !== 0) return; // context, application, private: contents are whatever the schema says
  const n = tag & 0x1f;
  const constructed = (tag & 0x20) !== 0;
  if (n === 0) throw new DerError("end-of-contents octets (indefinite length is not DER)");
  if (n === 0x10 || n === 0x11) {
    if (!constructed) throw new DerError("a SEQUENCE or SET encoded as primitive");
    return;
  }
  if (constructed) throw new DerError(`universal type ${n} encoded as constructed (not DER)`);
  const length = end - valueStart;
  if (tag === T.BIT_STRING && length > 0 && der[valueStart] > 7) throw new DerError("BIT STRING with more than 7 unused bits");
  if (tag === T.BMPString && length % 2 !== 0) throw new DerError("BMPString of an odd number of octets");
  if (tag === T.UniversalString && length % 4 !== 0) throw new DerError("UniversalString not a multiple of 4 octets");
  if (tag === T.OID && length > 0 && der[end - 1] & 0x80) throw new DerError("OBJECT IDENTIFIER ends inside a subidentifier");
}

// ---- Small typed readers (the walk has already checked framing) -----------------------------------

function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) throw new DerError(`${what} is missing`);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)}`);
  return t;
}

/** Exactly one checked DER value filling `buf`, with the expected tag. */
function only(buf: Buffer, tag: number): Tlv {
  if (buf.length === 0) throw new DerError("empty value");
  const t = checkDer(buf);
  return expect(t, tag, "value");
}

/**
 * A SEQUENCE's fields against a fixed list of expected tags, each optional or not, in order; nothing
 * may be left over. Returns the field found for each slot (undefined when an optional one is absent).
 */
function fields(t: Tlv, slots: Array<{ tag: number | ((tag: number) => boolean); optional?: boolean; what: string }>): Array<Tlv | undefined> {
  const cs = children(t.value);
  const out: Array<Tlv | undefined> = [];
  let i = 0;
  for (const slot of slots) {
    const c = cs[i];
    const fits = c !== undefined && (typeof slot.tag === "number" ? c.tag === slot.tag : slot.tag(c.tag));
    if (fits) {
      out.push(c);
      i++;
    } else if (slot.optional) {
      out.push(undefined);
    } else {
      const wanted = typeof slot.tag === "number" ? `expected tag 0x${slot.tag.toString(16)}, found` : "unexpected";
      throw new DerError(c ? `${slot.what}: ${wanted} tag 0x${c.tag.toString(16)}` : `${slot.what} is missing`);
    }
  }
  if (i < cs.length) throw new DerError(`unexpected element (tag 0x${cs[i].tag.toString(16)}) after the last field`);
  return out;
}

function seqOf<R>(t: Tlv, read: (c: Tlv) => R): R[] {
  return children(t.value).map(read);
}

/** Dotted text of an OBJECT IDENTIFIER element (der.ts dottedOid). */
export function oidOf(t: Tlv): string {
  if (t.tag !== T.OID) throw new DerError(`expected an OBJECT IDENTIFIER, found tag 0x${t.tag.toString(16)}`);
  return dottedOid(t.value);
}

/** An INTEGER's value as asn1js gives small ones (1-3 octets, two's complement); null when longer. */
function smallInt(t: Tlv): number | null {
  const v = t.value;
  if (v.length === 0 || v.length >= 4) return null;
  let n = v[0] & 0x80 ? -1 : 0;
  for (const b of v) n = n * 256 + b;
  return n;
}

function bigIntOf(v: Buffer): bigint {
  if (v.length === 0) return 0n;
  const u = BigInt(`0x${v.toString("hex")}`);
  return v[0] & 0x80 ? u - (1n << BigInt(v.length * 8)) : u;
}

// ---- Certificate structure -------------------------------------------------------------------------

interface AlgorithmIdentifier {
  oid: string;
  /** The parameters' whole TLV, when present. */
  params: Buffer | null;
}

function algorithmIdentifier(t: Tlv | undefined, what: string): AlgorithmIdentifier {
  const [oid, params] = fields(expect(t, T.SEQUENCE, what), [{ tag: T.OID, what: `${what} algorithm` }, { tag: () => true, optional: true, what: `${what} parameters` }]);
  return { oid: oidOf(oid!), params: params ? tlvBytes(t!, params) : null };
}

/** The whole encoding (identifier to last contents octet) of a child read from its parent's value. */
function tlvBytes(parent: Tlv, child: Tlv): Buffer {
  return parent.value.subarray(child.start, child.end);
}

/**
 * A validity time in the only forms RFC 5280 4.1.2.5.1-2 allows: UTCTime YYMMDDHHMMSSZ (YY >= 50 is 19YY)
 * and GeneralizedTime YYYYMMDDHHMMSSZ, each field in range. Anything else is refused: a time read
 * leniently (the reference took the first match anywhere in the string, or month 13 as next January)
 * would be a validity period the certificate does not state.
 * Read octet by octet (the contents are exactly 12 or 14 ASCII digits and "Z"), not through a string
 * and a regex: every certificate of a fleet has two of them.
 */
function time(t: Tlv | undefined, what: string): Date {
  if (!t || (t.tag !== T.UTCTime && t.tag !== T.GeneralizedTime)) throw new DerError(`${what} is not a UTCTime or GeneralizedTime`);
  const v = t.value;
  const yearDigits = t.tag === T.UTCTime ? 2 : 4;
  let wellFormed = v.length === yearDigits + 11 && v[v.length - 1] === 0x5a; // "Z"
  for (let i = 0; wellFormed && i < v.length - 1; i++) wellFormed = v[i] >= 0x30 && v[i] <= 0x39;
  if (!wellFormed) throw new DerError(`${what} is not in the form RFC 5280 4.1.2.5 requires`);
  const num = (at: number, n: number): number => {
    let x = 0;
    for (let i = at; i < at + n; i++) x = x * 10 + (v[i] - 0x30);
    return x;
  };
  let year = num(0, yearDigits);
  if (t.tag === T.UTCTime) year += year >= 50 ? 1900 : 2000;
  const month = num(yearDigits, 2);
  const day = num(yearDigits + 2, 2);
  const hour = num(yearDigits + 4, 2);
  const minute = num(yearDigits + 6, 2);
  const second = num(yearDigits + 8, 2);
  const ms = Date.UTC(year, month - 1, day, hour, minute, second);
  const d = new Date(ms);
  // Date.UTC maps years 0-99 to 1900-1999; setUTCFullYear keeps a GeneralizedTime year as written.
  if (year < 100) d.setUTCFullYear(year);
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new DerError(`${what} is not a valid date and time`);
  }
  return d;
}

const OID_RSASSA_PSS = "1.2.840.113549.1.1.10";
const OID_SHA1 = "1.3.14.3.2.26";

/**
 * [display name, hash] of a signature algorithm. RSASSA-PSS carries its hash in its parameters, and absent
 * parameters mean SHA-1 (RFC 4055 3.1), so "RSASSA-PSS" alone says nothing about strength; unreadable
 * parameters and unknown OIDs give hash "unknown".
 */
function signatureAlgorithm(alg: AlgorithmIdentifier): [string, string | null] {
  if (alg.oid === OID_RSASSA_PSS) {
    let hashOid = OID_SHA1;
    if (alg.params && alg.params.length > 0) {
      try {
        hashOid = pssHashOid(alg.params);
      } catch {
        return ["RSASSA-PSS", "unknown"];
      }
    }
    const hash = Object.prototype.hasOwnProperty.call(HASH_ALGORITHMS, hashOid) ? HASH_ALGORITHMS[hashOid] : "unknown";
    return [`RSASSA-PSS with ${hash}`, hash];
  }
  return Object.prototype.hasOwnProperty.call(SIGNATURE_ALGORITHMS, alg.oid) ? SIGNATURE_ALGORITHMS[alg.oid] : [alg.oid, "unknown"];
}

/** RSASSA-PSS-params (RFC 4055 3.1): the hash is [0] EXPLICIT AlgorithmIdentifier DEFAULT sha1. */
function pssHashOid(params: Buffer): string {
  const seq = only(params, T.SEQUENCE);
  const explicit = (n: number) => (tag: number) => tag === ctx(n, true);
  const [hash, mgf, salt, trailer] = fields(seq, [
    { tag: explicit(0), optional: true, what: "hashAlgorithm" },
    { tag: explicit(1), optional: true, what: "maskGenAlgorithm" },
    { tag: explicit(2), optional: true, what: "saltLength" },
    { tag: explicit(3), optional: true, what: "trailerField" },
  ]);
  if (mgf) algorithmIdentifier(fields(mgf, [{ tag: T.SEQUENCE, what: "maskGenAlgorithm" }])[0], "maskGenAlgorithm");
  if (salt) fields(salt, [{ tag: T.INTEGER, what: "saltLength" }]);
  if (trailer) fields(trailer, [{ tag: T.INTEGER, what: "trailerField" }]);
  if (!hash) return OID_SHA1;
  return algorithmIdentifier(fields(hash, [{ tag: T.SEQUENCE, what: "hashAlgorithm" }])[0], "hashAlgorithm").oid;
}

function publicKeyFacts(alg: AlgorithmIdentifier, key: Buffer, der: Buffer): CertificateInfo["publicKey"] {
  const oid = alg.oid;
  const algorithm = Object.prototype.hasOwnProperty.call(PUBLIC_KEY_ALGORITHMS, oid) ? PUBLIC_KEY_ALGORITHMS[oid] : oid;
  let bits: number | null = null;
  let curve: string | null = null;
  let rsaExponent: number | null = null;
  if (algorithm === "EC" && alg.params) {
    // namedCurve parameters are an OBJECT IDENTIFIER; explicit curves are a SEQUENCE (left unnamed).
    if (alg.params[0] === T.OID) {
      const curveOid = oidOf(readTlv(alg.params, 0));
      const known = Object.prototype.hasOwnProperty.call(CURVES, curveOid) ? CURVES[curveOid] : undefined;
      curve = known ? known[0] : curveOid;
      bits = known ? known[1] : null;
    } else {
      curve = "explicit";
    }
  }
  if (algorithm === "RSA" || algorithm === "RSA-PSS") {
    try {
      const [modulus, exponent] = fields(only(key, T.SEQUENCE), [{ tag: T.INTEGER, what: "modulus" }, { tag: T.INTEGER, what: "publicExponent" }]);
      bits = bitLength(modulus!.value);
      rsaExponent = Number(BigInt(`0x${exponent!.value.toString("hex") || "0"}`));
    } catch {
      // A malformed RSA key stays without a size; LDAPS-C09 then fails it.
    }
  } else if (algorithm === "DSA") {
    try {
      bits = new NodeX509(der).publicKey.asymmetricKeyDetails?.modulusLength ?? null;
    } catch {
      // Node cannot load every DSA key; the size stays unknown.
    }
  }
  if (algorithm === "Ed25519") bits = 256;
  if (algorithm === "Ed448") bits = 456;
  return { algorithm, oid, bits, curve, rsaExponent };
}

/** Bit length of an unsigned big-endian integer (leading zero bytes ignored). */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]));
}

// ---- Extensions ----------------------------------------------------------------------------------

interface RawExtension {
  oid: string;
  critical: boolean;
  value: Buffer;
}

function extension(t: Tlv): RawExtension {
  const [oid, critical, value] = fields(expect(t, T.SEQUENCE, "Extension"), [
    { tag: T.OID, what: "extnID" },
    { tag: T.BOOLEAN, optional: true, what: "critical" },
    { tag: T.OCTET_STRING, what: "extnValue" },
  ]);
  // A BOOLEAN is true when any octet is non-zero (X.690 8.2.2; DER's 0xFF is one such value).
  return { oid: oidOf(oid!), critical: critical ? critical.value.some((b) => b !== 0) : false, value: value!.value };
}

type GeneralName =
  | { kind: "dns" | "email" | "uri"; text: string }
  | { kind: "ip"; text: string }
  | { kind: "otherName"; typeId: string }
  | { kind: "dirName"; name: string }
  | { kind: "other" };

/** GeneralName (RFC 5280 4.2.1.6), as far as the facts name it. */
function generalName(t: Tlv): GeneralName {
  switch (t.tag) {
    case ctx(0, true): {
      const [typeId] = fields(t, [{ tag: T.OID, what: "otherName type-id" }, { tag: ctx(0, true), what: "otherName value" }]);
      return { kind: "otherName", typeId: oidOf(typeId!) };
    }
    case ctx(1, false):
      return { kind: "email", text: t.value.toString("latin1") };
    case ctx(2, false):
      return { kind: "dns", text: t.value.toString("latin1") };
    case ctx(3, true):
      return { kind: "other" };
    case ctx(4, true): {
      const [name] = fields(t, [{ tag: T.SEQUENCE, what: "directoryName" }]);
      return { kind: "dirName", name: formatName(name!) };
    }
    case ctx(5, true): {
      const [, party] = fields(t, [
        { tag: ctx(0, true), optional: true, what: "nameAssigner" },
        { tag: ctx(1, true), what: "partyName" },
      ]);
      fields(party!, [{ tag: isDirectoryString, what: "partyName" }]);
      return { kind: "other" };
    }
    case ctx(6, false):
      return { kind: "uri", text: t.value.toString("latin1") };
    case ctx(7, false):
      return { kind: "ip", text: ipText(t.value) };
    case ctx(8, false):
      dottedOid(t.value);
      return { kind: "other" };
    default:
      throw new DerError(`GeneralName: unexpected tag 0x${t.tag.toString(16)}`);
  }
}

const isDirectoryString = (tag: number) => tag === T.TeletexString || tag === T.PrintableString || tag === T.UniversalString || tag === T.UTF8String || tag === T.BMPString;

function generalNames(t: Tlv): GeneralName[] {
  return children(t.value).map(generalName);
}

/**
 * An iPAddress as the reference writes it: 4 octets dotted, 16 as compressed IPv6, 8 and 32 as
 * address/prefix (name constraints), anything else as lower-case hex.
 */
function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join(".");
  if (b.length === 16) return ipv6(b);
  if (b.length === 8 || b.length === 32) {
    if (b.every((x) => x === 0)) return b.length === 8 ? "0.0.0.0/0" : "::/0";
    const half = b.length / 2;
    let prefix = 0;
    for (const x of b.subarray(half)) for (let v = x; v; v >>= 1) prefix += v & 1;
    return `${b.length === 8 ? [...b.subarray(0, half)].join(".") : ipv6(b.subarray(0, half))}/${prefix}`;
  }
  return b.toString("hex");
}

function ipv6(b: Buffer): string {
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(((b[i] << 8) | b[i + 1]).toString(16));
  // The longest run of two or more "0" groups (the first of equal runs) becomes "::".
  let bestStart = -1;
  let bestLen = 0;
  let runStart = -1;
  let runLen = 0;
  for (let i = 0; i <= parts.length; i++) {
    if (i < parts.length && parts[i] === "0") {
      if (runStart === -1) runStart = i;
      runLen++;
    } else {
      if (runLen > bestLen) {
        bestStart = runStart;
        bestLen = runLen;
      }
      runStart = -1;
      runLen = 0;
    }
  }
  if (bestLen > 1) return `${parts.slice(0, bestStart).join(":")}::${parts.slice(bestStart + bestLen).join(":")}`;
  return parts.join(":");
}

const KEY_USAGE_NAMES = ["digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"];

/**
 * KeyUsage flags as a number, bit i of the BIT STRING (i = 0 the first octet's high bit) being 2^i, the
 * way the reference computes it (a binary string through parseInt, so more than 53 bits round alike).
 */
function keyUsageBits(t: Tlv): number {
  const v = t.value;
  const unused = v.length > 0 ? v[0] : 0;
  let bits = "";
  for (const octet of v.subarray(1)) bits += octet.toString(2).padStart(8, "0");
  let res = bits.split("").reverse().join("");
  if (unused) res = res.slice(unused).padStart(unused, "0");
  return parseInt(res, 2);
}

function basicConstraints(t: Tlv): { cA: boolean; pathLen: number | null } {
  const [ca, pathLen] = fields(t, [
    { tag: T.BOOLEAN, optional: true, what: "cA" },
    { tag: T.INTEGER, optional: true, what: "pathLenConstraint" },
  ]);
  let n: number | null = null;
  if (pathLen) {
    n = smallInt(pathLen);
    // Four octets and more: the value itself (the reference returned it as a decimal string).
    if (n === null) n = Number(bigIntOf(pathLen.value));
  }
  return { cA: ca ? ca.value.some((b) => b !== 0) : false, pathLen: n };
}

function generalSubtree(t: Tlv): void {
  const [base, minimum, maximum] = fields(expect(t, T.SEQUENCE, "GeneralSubtree"), [
    { tag: () => true, what: "base" },
    { tag: ctx(0, false), optional: true, what: "minimum" },
    { tag: ctx(1, false), optional: true, what: "maximum" },
  ]);
  generalName(base!);
  void minimum;
  void maximum;
}

function nameConstraints(t: Tlv): void {
  const [permitted, excluded] = fields(t, [
    { tag: ctx(0, true), optional: true, what: "permittedSubtrees" },
    { tag: ctx(1, true), optional: true, what: "excludedSubtrees" },
  ]);
  if (permitted) children(permitted.value).forEach(generalSubtree);
  if (excluded) children(excluded.value).forEach(generalSubtree);
}

function authorityKeyIdentifier(t: Tlv): void {
  const [, issuer] = fields(t, [
    { tag: ctx(0, false), optional: true, what: "keyIdentifier" },
    { tag: ctx(1, true), optional: true, what: "authorityCertIssuer" },
    { tag: ctx(2, false), optional: true, what: "authorityCertSerialNumber" },
  ]);
  if (issuer) generalNames(issuer);
}

function accessDescription(t: Tlv): void {
  const [method, location] = fields(expect(t, T.SEQUENCE, "AccessDescription"), [
    { tag: T.OID, what: "accessMethod" },
    { tag: () => true, what: "accessLocation" },
  ]);
  oidOf(method!);
  generalName(location!);
}

function distributionPoint(t: Tlv): void {
  const [name, , issuer] = fields(expect(t, T.SEQUENCE, "DistributionPoint"), [
    { tag: ctx(0, true), optional: true, what: "distributionPoint" },
    { tag: ctx(1, false), optional: true, what: "reasons" },
    { tag: ctx(2, true), optional: true, what: "cRLIssuer" },
  ]);
  if (name) {
    const [choice] = fields(name, [{ tag: (tag) => tag === ctx(0, true) || tag === ctx(1, true), what: "DistributionPointName" }]);
    if (choice!.tag === ctx(0, true)) generalNames(choice!);
    else children(choice!.value).forEach(attributeTypeAndValue);
  }
  if (issuer) generalNames(issuer);
}

function attributeTypeAndValue(t: Tlv): void {
  const [type] = fields(expect(t, T.SEQUENCE, "AttributeTypeAndValue"), [
    { tag: T.OID, what: "type" },
    { tag: () => true, what: "value" },
  ]);
  oidOf(type!);
}

function policyInformation(t: Tlv): void {
  const [policy, qualifiers] = fields(expect(t, T.SEQUENCE, "PolicyInformation"), [
    { tag: T.OID, what: "policyIdentifier" },
    { tag: T.SEQUENCE, optional: true, what: "policyQualifiers" },
  ]);
  oidOf(policy!);
  if (qualifiers) {
    for (const q of children(qualifiers.value)) {
      const [id] = fields(expect(q, T.SEQUENCE, "PolicyQualifierInfo"), [
        { tag: T.OID, what: "policyQualifierId" },
        { tag: () => true, what: "qualifier" },
      ]);
      oidOf(id!);
    }
  }
}

/**
 * Decode every known extension once. A malformed one (bad DER, wrong type, trailing bytes, or a second
 * copy, which RFC 5280 4.2 forbids) becomes an ExtensionError and decodes to nothing.
 */
function decodeExtensions(extensions: RawExtension[]): { decoded: Map<string, unknown>; present: Set<string>; errors: ExtensionError[] } {
  const decoded = new Map<string, unknown>();
  const present = new Set<string>();
  const errors: ExtensionError[] = [];
  // The OIDs that already have an error, as a Set (not a search of `errors`): thousands of copies stay linear.
  const errored = new Set<string>();
  for (const ext of extensions) {
    const name = extensionName(ext.oid);
    if (present.has(ext.oid)) {
      if (!errored.has(ext.oid)) {
        errored.add(ext.oid);
        errors.push({ oid: ext.oid, name, message: "appears more than once" });
      }
      decoded.delete(ext.oid);
      continue;
    }
    present.add(ext.oid);
    if (!Object.prototype.hasOwnProperty.call(KNOWN_EXTENSIONS, ext.oid)) continue;
    try {
      decoded.set(ext.oid, KNOWN_EXTENSIONS[ext.oid].read(ext.value));
    } catch (e) {
      if (!(e instanceof DerError)) throw e;
      errored.add(ext.oid);
      errors.push({ oid: ext.oid, name, message: `is malformed: ${e.message}` });
    }
  }
  return { decoded, present, errors };
}

// ---- The certificate -----------------------------------------------------------------------------

export function parseCertificate(input: Buffer | Uint8Array): CertificateInfo {
  const der = Buffer.from(input);
  if (der.length > MAX_CERTIFICATE_BYTES) throw new CertificateParseError(`${der.length} bytes is larger than the ${MAX_CERTIFICATE_BYTES}-byte limit for one certificate`);
  const declared = outerDerLength(der);
  if (declared < 0 || declared > der.length) throw new CertificateParseError("truncated or not DER (bad outer length)");
  if (declared < der.length) throw new CertificateParseError(`${der.length - declared} unexpected bytes after the certificate`);
  try {
    return certificateInfo(der);
  } catch (e) {
    if (e instanceof DerError) throw new CertificateParseError(`not a DER X.509 certificate (${e.message})`);
    throw e;
  }
}

/** Length of the outer DER TLV of a SEQUENCE, or -1 when the header itself is malformed. */
function outerDerLength(der: Buffer): number {
  if (der.length < 2 || der[0] !== 0x30) return -1;
  const first = der[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
  return 2 + n + len;
}

function certificateInfo(der: Buffer): CertificateInfo {
  const cert = checkDer(der);
  const [tbsTlv, sigAlgTlv] = fields(expect(cert, T.SEQUENCE, "Certificate"), [
    { tag: T.SEQUENCE, what: "tbsCertificate" },
    { tag: T.SEQUENCE, what: "signatureAlgorithm" },
    { tag: T.BIT_STRING, what: "signatureValue" },
  ]);
  const [versionTlv, serial, innerSigTlv, issuerTlv, validity, subjectTlv, spkiTlv, , , extsTlv] = fields(tbsTlv!, [
    { tag: ctx(0, true), optional: true, what: "version" },
    { tag: T.INTEGER, what: "serialNumber" },
    { tag: T.SEQUENCE, what: "signature" },
    { tag: T.SEQUENCE, what: "issuer" },
    { tag: T.SEQUENCE, what: "validity" },
    { tag: T.SEQUENCE, what: "subject" },
    { tag: T.SEQUENCE, what: "subjectPublicKeyInfo" },
    { tag: ctx(1, false), optional: true, what: "issuerUniqueID" },
    { tag: ctx(2, false), optional: true, what: "subjectUniqueID" },
    { tag: ctx(3, true), optional: true, what: "extensions" },
  ]);

  let version = 0;
  if (versionTlv) {
    const [v] = fields(versionTlv, [{ tag: T.INTEGER, what: "version" }]);
    const n = smallInt(v!);
    // RFC 5280 4.1.2.1 knows v1-v3; a version of four octets and more is no certificate this reads.
    if (n === null) throw new DerError("version is not a small INTEGER");
    version = n;
  }
  const [notBeforeTlv, notAfterTlv] = fields(validity!, [
    { tag: (t) => t === T.UTCTime || t === T.GeneralizedTime, what: "notBefore" },
    { tag: (t) => t === T.UTCTime || t === T.GeneralizedTime, what: "notAfter" },
  ]);
  const [keyAlgTlv, keyBits] = fields(spkiTlv!, [
    { tag: T.SEQUENCE, what: "algorithm" },
    { tag: T.BIT_STRING, what: "subjectPublicKey" },
  ]);
  const outerAlg = algorithmIdentifier(sigAlgTlv, "signatureAlgorithm");
  const innerAlg = algorithmIdentifier(innerSigTlv, "signature");
  const keyAlg = algorithmIdentifier(keyAlgTlv, "subjectPublicKeyInfo algorithm");
  const notBefore = time(notBeforeTlv, "notBefore");
  const notAfter = time(notAfterTlv, "notAfter");
  const subject = formatName(subjectTlv!);
  const issuer = formatName(issuerTlv!);
  const subjectCommonNames = commonNamesOf(subjectTlv!);

  let raw: RawExtension[] = [];
  if (extsTlv) {
    const [list] = fields(extsTlv, [{ tag: T.SEQUENCE, what: "Extensions" }]);
    raw = children(list!.value).map(extension);
  }
  const { decoded, present, errors: extensionErrors } = decodeExtensions(raw);
  const get = <R>(oid: string) => decoded.get(oid) as R | undefined;

  const san = { dns: [] as string[], ip: [] as string[], other: [] as string[] };
  for (const gn of get<GeneralName[]>(OID.subjectAltName) ?? []) {
    if (gn.kind === "dns") san.dns.push(gn.text);
    else if (gn.kind === "ip") san.ip.push(gn.text);
    else if (gn.kind === "email") san.other.push(`email:${gn.text}`);
    else if (gn.kind === "uri") san.other.push(`uri:${gn.text}`);
    else if (gn.kind === "otherName") san.other.push(`otherName:${gn.typeId}`);
    else if (gn.kind === "dirName") san.other.push(`dirName:${gn.name}`);
    else san.other.push("other");
  }
  const ekuOids = get<string[]>(OID.extKeyUsage) ?? [];
  const usages: string[] = [];
  const kuFlags = get<number>(OID.keyUsage);
  if (kuFlags !== undefined) KEY_USAGE_NAMES.forEach((name, i) => (kuFlags & (1 << i) ? usages.push(name) : undefined));
  const bc = get<{ cA: boolean; pathLen: number | null }>(OID.basicConstraints) ?? null;
  const criticalOf = (oid: string) => Boolean(raw.find((e) => e.oid === oid)?.critical);

  const [sigName, hash] = signatureAlgorithm(outerAlg);
  return {
    der,
    thumbprint: hexDigest("sha1", der).toUpperCase(),
    sha256: hexDigest("sha256", der).toUpperCase(),
    subject,
    issuer,
    serialNumber: serial!.value.toString("hex").toUpperCase(),
    version: version + 1,
    subjectCommonNames,
    san,
    eku: {
      present: present.has(OID.extKeyUsage),
      critical: criticalOf(OID.extKeyUsage),
      oids: ekuOids,
      names: ekuOids.map(ekuName),
      serverAuth: ekuOids.includes(OID_SERVER_AUTH),
      anyPurpose: ekuOids.includes(OID_ANY_EKU),
    },
    keyUsage: { present: present.has(OID.keyUsage), critical: criticalOf(OID.keyUsage), usages },
    basicConstraints: { present: present.has(OID.basicConstraints), isCA: Boolean(bc?.cA), pathLength: bc?.pathLen ?? null },
    extensions: raw.map((e) => ({ oid: e.oid, critical: e.critical, value: Buffer.from(e.value) })),
    subjectDer: Buffer.from(tlvBytes(tbsTlv!, subjectTlv!)),
    publicKey: publicKeyFacts(keyAlg, keyBits!.value.subarray(1), der),
    signature: { algorithm: sigName, oid: outerAlg.oid, hash, weak: hash !== null && WEAK_HASHES.has(hash) },
    signatureAlgorithmMismatch: !sameAlgorithm(outerAlg, innerAlg),
    notBefore,
    notAfter,
    selfIssued: subject === issuer,
    extensionErrors,
  };
}

/**
 * Hex digest of `data`: node's one-shot crypto.hash where it exists (node >= 20.12; no Hash object per
 * call, and a fleet hashes every certificate twice), else through a Hash object. The same digest either way.
 */
const hexDigest: (algorithm: string, data: Buffer) => string =
  typeof nodeCrypto.hash === "function" ? (algorithm, data) => nodeCrypto.hash(algorithm, data, "hex") : (algorithm, data) => createHash(algorithm).update(data).digest("hex");

/** RFC 5280 4.1.1.2: the two AlgorithmIdentifiers must be the same (OID and parameters, as encoded). */
function sameAlgorithm(a: AlgorithmIdentifier, b: AlgorithmIdentifier): boolean {
  if (a.oid !== b.oid) return false;
  if (a.params === null || b.params === null) return a.params === b.params;
  return a.params.equals(b.params);
}
