// The reference (oracle) certificate parse: @peculiar/asn1-x509 over asn1js, as the audit parsed every
// certificate before lib/x509/certificate.ts read DER itself. Kept for two uses only: the differential
// test (test/x509-der-differential.test.ts) proves the DER reader equal to it, and lib/x509/crl.ts formats
// CRL issuer names with nameToString (CRLs are parsed with @peculiar, and only when CRLs are supplied).
// Do not import it from the evaluate path: loading it loads asn1js, reflect-metadata and tsyringe.
import "reflect-metadata";
import { createHash, X509Certificate as NodeX509 } from "node:crypto";
import { AsnConvert } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  Certificate,
  CertificatePolicies,
  CRLDistributionPoints,
  ExtendedKeyUsage,
  Extension,
  KeyUsage,
  KeyUsageFlags,
  Name,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
  id_ce_authorityKeyIdentifier,
  id_ce_basicConstraints,
  id_ce_certificatePolicies,
  id_ce_cRLDistributionPoints,
  id_ce_extKeyUsage,
  id_ce_keyUsage,
  id_ce_nameConstraints,
  id_ce_subjectKeyIdentifier,
  id_pe_authorityInfoAccess,
  NameConstraints,
  id_ce_subjectAltName,
} from "@peculiar/asn1-x509";
import { ECParameters } from "@peculiar/asn1-ecc";
import { RSAPublicKey, RsaSaPssParams } from "@peculiar/asn1-rsa";
import { Name as X509Name } from "@peculiar/x509";
import { MAX_ASN1_DEPTH, MAX_ASN1_NODES, MAX_CERTIFICATE_BYTES } from "../limits";
import { tbsFields } from "./der";
import { CertificateParseError, type CertificateInfo, type ExtensionError } from "./certificate";
import { CURVES, HASH_ALGORITHMS, PUBLIC_KEY_ALGORITHMS, SIGNATURE_ALGORITHMS, WEAK_HASHES, ekuName, OID_ANY_EKU, OID_SERVER_AUTH } from "./oids";

/** ASN.1 reader bounds (lib/limits.ts): far above real certificates (10,000 SAN entries fit), below what exhausts memory. */
const BER_OPTIONS = { berOptions: { maxNodes: MAX_ASN1_NODES, maxDepth: MAX_ASN1_DEPTH, maxContentLength: MAX_CERTIFICATE_BYTES } };

/** Extensions the audit decodes (or checks are well-formed), with the names certutil and the MMC show. */
type Schema = Parameters<typeof AsnConvert.parse>[1];
const KNOWN_EXTENSIONS: Record<string, { name: string; schema: Schema }> = {
  [id_ce_subjectAltName]: { name: "Subject Alternative Name", schema: SubjectAlternativeName },
  [id_ce_extKeyUsage]: { name: "Enhanced Key Usage", schema: ExtendedKeyUsage },
  [id_ce_keyUsage]: { name: "Key Usage", schema: KeyUsage },
  [id_ce_basicConstraints]: { name: "Basic Constraints", schema: BasicConstraints },
  [id_ce_nameConstraints]: { name: "Name Constraints", schema: NameConstraints },
  [id_ce_authorityKeyIdentifier]: { name: "Authority Key Identifier", schema: AuthorityKeyIdentifier },
  [id_ce_subjectKeyIdentifier]: { name: "Subject Key Identifier", schema: SubjectKeyIdentifier },
  [id_pe_authorityInfoAccess]: { name: "Authority Information Access", schema: AuthorityInfoAccessSyntax },
  [id_ce_cRLDistributionPoints]: { name: "CRL Distribution Points", schema: CRLDistributionPoints },
  [id_ce_certificatePolicies]: { name: "Certificate Policies", schema: CertificatePolicies },
};

function extensionName(oid: string): string {
  return KNOWN_EXTENSIONS[oid]?.name ?? oid;
}

/**
 * Decode every known extension once. A malformed one (bad DER, wrong type, trailing bytes, or a second
 * copy, which RFC 5280 4.2 forbids) becomes an ExtensionError and decodes to nothing.
 */
function decodeExtensions(extensions: Extension[]): { decoded: Map<string, unknown>; present: Set<string>; errors: ExtensionError[] } {
  const decoded = new Map<string, unknown>();
  const present = new Set<string>();
  const errors: ExtensionError[] = [];
  for (const ext of extensions) {
    const known = KNOWN_EXTENSIONS[ext.extnID];
    const name = extensionName(ext.extnID);
    if (present.has(ext.extnID)) {
      if (!errors.some((e) => e.oid === ext.extnID)) errors.push({ oid: ext.extnID, name, message: "appears more than once" });
      decoded.delete(ext.extnID);
      continue;
    }
    present.add(ext.extnID);
    if (!known) continue;
    try {
      const bytes = Buffer.from(ext.extnValue.buffer);
      const value = AsnConvert.parse(bytes, known.schema, BER_OPTIONS);
      // The extension value must be exactly one DER value: trailing bytes are how parsers are told apart.
      const used = outerLength(bytes);
      if (used !== bytes.length) throw new Error(used < 0 ? "not DER" : `${bytes.length - used} unexpected bytes after the value`);
      decoded.set(ext.extnID, value);
    } catch (e) {
      errors.push({ oid: ext.extnID, name, message: `is malformed: ${oneLine((e as Error).message)}` });
    }
  }
  return { decoded, present, errors };
}

function oneLine(text: string): string {
  const line = text.split("\n")[0].trim().replace(/\.$/, "");
  return line.length > 200 ? `${line.slice(0, 200)}...` : line || "cannot be decoded";
}

const KEY_USAGE_NAMES: Array<[KeyUsageFlags, string]> = [
  [KeyUsageFlags.digitalSignature, "digitalSignature"],
  [KeyUsageFlags.nonRepudiation, "nonRepudiation"],
  [KeyUsageFlags.keyEncipherment, "keyEncipherment"],
  [KeyUsageFlags.dataEncipherment, "dataEncipherment"],
  [KeyUsageFlags.keyAgreement, "keyAgreement"],
  [KeyUsageFlags.keyCertSign, "keyCertSign"],
  [KeyUsageFlags.cRLSign, "cRLSign"],
  [KeyUsageFlags.encipherOnly, "encipherOnly"],
  [KeyUsageFlags.decipherOnly, "decipherOnly"],
];

const CN_OID = "2.5.4.3";

/** A Name as the chain builder compares it (certificate issuer to subject, CRL issuer to certificate issuer). */
export function nameToString(name: Name): string {
  return new X509Name(name).toString();
}

function commonNames(name: Name): string[] {
  const out: string[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      if (atv.type === CN_OID) out.push(atv.value.toString());
    }
  }
  return out;
}

function publicKeyFacts(cert: Certificate, der: Buffer): CertificateInfo["publicKey"] {
  const spki = cert.tbsCertificate.subjectPublicKeyInfo;
  const oid = spki.algorithm.algorithm;
  const algorithm = PUBLIC_KEY_ALGORITHMS[oid] ?? oid;
  let bits: number | null = null;
  let curve: string | null = null;
  let rsaExponent: number | null = null;
  if (algorithm === "EC" && spki.algorithm.parameters) {
    // namedCurve parameters are an OBJECT IDENTIFIER; explicit curves are a SEQUENCE (left unnamed).
    const params = Buffer.from(spki.algorithm.parameters);
    if (params[0] === 0x06) {
      const curveOid = AsnConvert.parse(params, ECParameters).namedCurve ?? "";
      const known = CURVES[curveOid];
      curve = known ? known[0] : curveOid;
      bits = known ? known[1] : null;
    } else {
      curve = "explicit";
    }
  }
  if (algorithm === "RSA" || algorithm === "RSA-PSS") {
    try {
      const key = AsnConvert.parse(spki.subjectPublicKey, RSAPublicKey);
      bits = bitLength(new Uint8Array(key.modulus));
      rsaExponent = Number(BigInt(`0x${Buffer.from(key.publicExponent).toString("hex") || "0"}`));
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

/** The subject Name exactly as encoded (re-serializing the parsed Name could normalize it). */
function subjectDer(der: Buffer): Buffer {
  const { tbs, at } = tbsFields(der);
  const subject = at("subject");
  if (!subject) throw new CertificateParseError("TBSCertificate has no subject");
  return Buffer.from(tbs.subarray(subject.start, subject.end));
}

/** Length of the outer DER TLV of a SEQUENCE, or -1 when the header itself is malformed. */
function outerDerLength(der: Buffer): number {
  if (der.length < 2 || der[0] !== 0x30) return -1;
  return outerLength(der);
}

/** Length of the outer DER TLV (any tag with a one-byte identifier), or -1 when the header is malformed. */
function outerLength(der: Buffer): number {
  if (der.length < 2 || (der[0] & 0x1f) === 0x1f) return -1;
  const first = der[1];
  if (first < 0x80) return 2 + first;
  const n = first & 0x7f;
  if (n === 0 || n > 4 || der.length < 2 + n) return -1;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[2 + i];
  return 2 + n + len;
}

const OID_RSASSA_PSS = "1.2.840.113549.1.1.10";

/**
 * [display name, hash] of a signature algorithm. RSASSA-PSS carries its hash in its parameters, and absent
 * parameters mean SHA-1 (RFC 4055 3.1), so "RSASSA-PSS" alone says nothing about strength; unreadable
 * parameters and unknown OIDs give hash "unknown".
 */
function signatureAlgorithm(alg: AlgorithmIdentifier): [string, string | null] {
  if (alg.algorithm === OID_RSASSA_PSS) {
    let hashOid = "1.3.14.3.2.26";
    if (alg.parameters && alg.parameters.byteLength > 0) {
      try {
        hashOid = AsnConvert.parse(alg.parameters, RsaSaPssParams).hashAlgorithm.algorithm;
      } catch {
        return ["RSASSA-PSS", "unknown"];
      }
    }
    const hash = HASH_ALGORITHMS[hashOid] ?? "unknown";
    return [`RSASSA-PSS with ${hash}`, hash];
  }
  return SIGNATURE_ALGORITHMS[alg.algorithm] ?? [alg.algorithm, "unknown"];
}

export function parseCertificateReference(input: Buffer | Uint8Array): CertificateInfo {
  const der = Buffer.from(input);
  if (der.length > MAX_CERTIFICATE_BYTES) throw new CertificateParseError(`${der.length} bytes is larger than the ${MAX_CERTIFICATE_BYTES}-byte limit for one certificate`);
  const declared = outerDerLength(der);
  if (declared < 0 || declared > der.length) throw new CertificateParseError("truncated or not DER (bad outer length)");
  if (declared < der.length) throw new CertificateParseError(`${der.length - declared} unexpected bytes after the certificate`);
  let cert: Certificate;
  try {
    cert = AsnConvert.parse(der, Certificate, BER_OPTIONS);
  } catch (e) {
    throw new CertificateParseError(`not a DER X.509 certificate (${oneLine((e as Error).message)})`);
  }
  try {
    return certificateInfo(der, cert);
  } catch (e) {
    // Parts outside the extensions (names, key, validity) that the schema let through but cannot be read.
    if (e instanceof CertificateParseError) throw e;
    throw new CertificateParseError(`not a readable X.509 certificate (${oneLine((e as Error).message)})`);
  }
}

function certificateInfo(der: Buffer, cert: Certificate): CertificateInfo {
  const tbs = cert.tbsCertificate;
  const { decoded, present, errors: extensionErrors } = decodeExtensions(tbs.extensions ?? []);
  const get = <T>(oid: string) => decoded.get(oid) as T | undefined;

  const san = { dns: [] as string[], ip: [] as string[], other: [] as string[] };
  for (const gn of get<SubjectAlternativeName>(id_ce_subjectAltName) ?? []) {
    if (gn.dNSName !== undefined) san.dns.push(gn.dNSName);
    else if (gn.iPAddress !== undefined) san.ip.push(gn.iPAddress);
    else if (gn.rfc822Name !== undefined) san.other.push(`email:${gn.rfc822Name}`);
    else if (gn.uniformResourceIdentifier !== undefined) san.other.push(`uri:${gn.uniformResourceIdentifier}`);
    else if (gn.otherName) san.other.push(`otherName:${gn.otherName.typeId}`);
    else if (gn.directoryName) san.other.push(`dirName:${nameToString(gn.directoryName)}`);
    else san.other.push("other");
  }

  const ekuOids = [...(get<ExtendedKeyUsage>(id_ce_extKeyUsage) ?? [])].map(String);
  const usages: string[] = [];
  const ku = get<KeyUsage>(id_ce_keyUsage);
  if (ku) {
    const flags = ku.toNumber();
    for (const [flag, name] of KEY_USAGE_NAMES) if (flags & flag) usages.push(name);
  }
  const bc = get<BasicConstraints>(id_ce_basicConstraints) ?? null;
  const extensions = tbs.extensions ?? [];
  const ekuPresent = present.has(id_ce_extKeyUsage);
  const ekuCritical = Boolean(extensions.find((e) => e.extnID === id_ce_extKeyUsage)?.critical);
  const kuCritical = Boolean(extensions.find((e) => e.extnID === id_ce_keyUsage)?.critical);

  const sigOid = cert.signatureAlgorithm.algorithm;
  const [sigName, hash] = signatureAlgorithm(cert.signatureAlgorithm);

  const subject = nameToString(tbs.subject);
  const issuer = nameToString(tbs.issuer);
  return {
    der,
    thumbprint: createHash("sha1").update(der).digest("hex").toUpperCase(),
    sha256: createHash("sha256").update(der).digest("hex").toUpperCase(),
    subject,
    issuer,
    serialNumber: Buffer.from(tbs.serialNumber).toString("hex").toUpperCase(),
    version: tbs.version + 1,
    subjectCommonNames: commonNames(tbs.subject),
    san,
    eku: {
      present: ekuPresent,
      critical: ekuCritical,
      oids: ekuOids,
      names: ekuOids.map(ekuName),
      serverAuth: ekuOids.includes(OID_SERVER_AUTH),
      anyPurpose: ekuOids.includes(OID_ANY_EKU),
    },
    keyUsage: { present: present.has(id_ce_keyUsage), critical: kuCritical, usages },
    basicConstraints: {
      present: present.has(id_ce_basicConstraints),
      isCA: Boolean(bc?.cA),
      pathLength: bc?.pathLenConstraint ?? null,
    },
    extensions: extensions.map((e) => ({ oid: e.extnID, critical: Boolean(e.critical), value: Buffer.from(e.extnValue.buffer) })),
    subjectDer: subjectDer(der),
    publicKey: publicKeyFacts(cert, der),
    signature: { algorithm: sigName, oid: sigOid, hash, weak: hash !== null && WEAK_HASHES.has(hash) },
    signatureAlgorithmMismatch: !Buffer.from(AsnConvert.serialize(cert.signatureAlgorithm)).equals(Buffer.from(AsnConvert.serialize(tbs.signature))),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    selfIssued: subject === issuer,
    extensionErrors,
  };
}
