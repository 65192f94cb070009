// What makes one certificate unusable in a path whatever its place (RFC 5280 section 4): extensions a
// validator must not accept (duplicates, unknown critical ones, AKI/SKI/AIA marked critical, malformed
// AIA or name constraints, name constraints on a non-CA) and fields outside the profile (serial number,
// a CA without a subject). Each defect is a sentence naming the rule; the chain builder reports them as
// InvalidExtension / InvalidSubject problems. Issuance-only rules that Windows does not enforce (a
// missing AKI or SKI, CA/B Forum limits) are deliberately not here: see test/conformance/limbo-overrides.json.
import type { CertificateInfo } from "./certificate";
import { children, context, readOnly, TAG } from "./der";
import { readGeneralName } from "./generalNames";
import { nameConstraintsOf, OID_NAME_CONSTRAINTS } from "./nameConstraints";

const OID = {
  subjectDirectoryAttributes: "2.5.29.9",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  issuerAltName: "2.5.29.18",
  basicConstraints: "2.5.29.19",
  nameConstraints: OID_NAME_CONSTRAINTS,
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  policyMappings: "2.5.29.33",
  authorityKeyIdentifier: "2.5.29.35",
  policyConstraints: "2.5.29.36",
  extKeyUsage: "2.5.29.37",
  freshestCrl: "2.5.29.46",
  inhibitAnyPolicy: "2.5.29.54",
  authorityInfoAccess: "1.3.6.1.5.5.7.1.1",
  subjectInfoAccess: "1.3.6.1.5.5.7.1.11",
  tlsFeature: "1.3.6.1.5.5.7.1.24",
  ocspNoCheck: "1.3.6.1.5.5.7.48.1.5",
  ctPrecertPoison: "1.3.6.1.4.1.11129.2.4.3",
  ctSctList: "1.3.6.1.4.1.11129.2.4.2",
  msCertificateTemplateName: "1.3.6.1.4.1.311.20.2",
  msCaVersion: "1.3.6.1.4.1.311.21.1",
  msPreviousCaHash: "1.3.6.1.4.1.311.21.2",
  msCertificateTemplate: "1.3.6.1.4.1.311.21.7",
  msApplicationPolicies: "1.3.6.1.4.1.311.21.10",
  msNtdsCaSecurity: "1.3.6.1.4.1.311.25.2",
} as const;

/**
 * Extensions this validator (or Windows, for the Microsoft ones) understands. A critical extension not
 * listed here makes the certificate unusable (RFC 5280 4.2: "MUST reject the certificate if it
 * encounters a critical extension it does not recognize"). The policy extensions are recognized as
 * Windows processes them; the audit does not evaluate certificate policies.
 */
const RECOGNIZED = new Set<string>(Object.values(OID).filter((o) => o !== OID.ctPrecertPoison));

/** RFC 5280 says these MUST be non-critical. */
const MUST_BE_NONCRITICAL: Array<[string, string]> = [
  [OID.authorityKeyIdentifier, "AuthorityKeyIdentifier"],
  [OID.subjectKeyIdentifier, "SubjectKeyIdentifier"],
  [OID.authorityInfoAccess, "AuthorityInfoAccess"],
  [OID.subjectInfoAccess, "SubjectInfoAccess"],
];

/** AuthorityInfoAccessSyntax ::= SEQUENCE SIZE (1..MAX) OF AccessDescription { accessMethod OID, accessLocation GeneralName }. */
function aiaDefect(value: Buffer): string | null {
  try {
    const seq = readOnly(value, TAG.SEQUENCE, "AuthorityInfoAccess");
    const items = children(seq.value);
    if (items.length === 0) return "AuthorityInfoAccess is empty";
    for (const d of items) {
      const [method, location, ...rest] = d.tag === TAG.SEQUENCE ? children(d.value) : [];
      if (!method || method.tag !== TAG.OID || !location || rest.length) return "AuthorityInfoAccess has a malformed AccessDescription";
      readGeneralName(location);
    }
    return null;
  } catch (e) {
    return `malformed AuthorityInfoAccess (${(e as Error).message})`;
  }
}

/** AuthorityKeyIdentifier: the keyIdentifier MUST be there (4.2.1.1); it is how issuers are found. */
function akiDefect(value: Buffer): string | null {
  try {
    const parts = children(readOnly(value, TAG.SEQUENCE, "AuthorityKeyIdentifier").value);
    return parts.some((p) => p.tag === context(0, false)) ? null : "AuthorityKeyIdentifier has no keyIdentifier";
  } catch (e) {
    return `malformed AuthorityKeyIdentifier (${(e as Error).message})`;
  }
}

/** Serial numbers are positive and at most 20 octets (4.1.2.2). */
function serialDefect(cert: CertificateInfo): string | null {
  const octets = Buffer.from(cert.serialNumber, "hex");
  if (octets.length > 20) return `serial number is ${octets.length} octets (at most 20)`;
  if (octets[0] & 0x80) return "serial number is negative";
  if (octets.every((b) => b === 0)) return "serial number is zero";
  return null;
}

/**
 * Every RFC 5280 defect of one certificate, as sentences (empty when there is none). A trust anchor's
 * serial number is not judged: anchors are trusted as configured (6.1.1 d), and real roots in the
 * Windows and Mozilla stores have serial 0 (Starfield Root Certificate Authority - G2).
 */
export function certificateDefects(cert: CertificateInfo, options: { anchor?: boolean } = {}): string[] {
  const defects: string[] = [];
  const seen = new Set<string>();
  for (const e of cert.extensions) {
    if (seen.has(e.oid)) defects.push(`extension ${e.oid} appears more than once`);
    seen.add(e.oid);
    if (e.critical && !RECOGNIZED.has(e.oid)) defects.push(`unrecognized critical extension ${e.oid}`);
  }
  for (const [oid, name] of MUST_BE_NONCRITICAL) {
    if (cert.extensions.some((e) => e.oid === oid && e.critical)) defects.push(`${name} is marked critical (RFC 5280: MUST be non-critical)`);
  }
  const aia = cert.extensions.find((e) => e.oid === OID.authorityInfoAccess);
  const aiaProblem = aia ? aiaDefect(aia.value) : null;
  if (aiaProblem) defects.push(aiaProblem);
  const aki = cert.extensions.find((e) => e.oid === OID.authorityKeyIdentifier);
  const akiProblem = aki ? akiDefect(aki.value) : null;
  if (akiProblem) defects.push(akiProblem);
  const bc = cert.extensions.find((e) => e.oid === OID.basicConstraints);
  if (cert.basicConstraints.isCA && bc && !bc.critical) defects.push("CA certificate whose BasicConstraints is not critical (4.2.1.9)");
  const pc = cert.extensions.find((e) => e.oid === OID.policyConstraints);
  if (pc && !pc.critical) defects.push("PolicyConstraints is not critical (4.2.1.11)");
  if (cert.extensions.some((e) => e.oid === OID.nameConstraints)) {
    if (!cert.basicConstraints.isCA) defects.push("NameConstraints on a certificate that is not a CA (4.2.1.10)");
    try {
      nameConstraintsOf(cert);
    } catch (e) {
      defects.push((e as Error).message);
    }
  }
  if (cert.basicConstraints.isCA && cert.subjectDer.equals(Buffer.from([0x30, 0x00]))) defects.push("CA certificate with an empty subject (4.1.2.6)");
  const serial = options.anchor ? null : serialDefect(cert);
  if (serial) defects.push(serial);
  return defects;
}
