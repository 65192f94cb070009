// Every bound the tool puts on its input, in one place. The README's "Input limits" table is generated
// from LIMITS (test/limits.test.ts keeps them in step). Each bound sits far above what real evidence
// carries, and crossing one is an input error (exit 2) with a line that names the limit, never a crash.
import { groupThousands } from "./text-order";

/** Any input file (snapshot, profile, waivers, report, certificate file): refused before reading above this. */
export const MAX_INPUT_BYTES = 64 * 1024 * 1024;

/** A PEM or DER certificate/key file (preflight files, probe --ca): real bundles are a few hundred KB. */
export const MAX_CERTIFICATE_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Nesting of JSON and YAML documents (objects and arrays). A whole-DC snapshot nests about 8 deep and
 * the shipped profiles about 12; deeper documents would overflow the stack of the schema compiler.
 */
export const MAX_JSON_DEPTH = 128;

/** One DER certificate. A certificate with 10,000 SAN entries is about 250 KB. */
export const MAX_CERTIFICATE_BYTES = 1024 * 1024;

/** ASN.1 nodes in one certificate or extension (every node takes at least 2 bytes of DER). */
export const MAX_ASN1_NODES = MAX_CERTIFICATE_BYTES / 2;

/** ASN.1 nesting inside a certificate (real ones nest under 15 deep). */
export const MAX_ASN1_DEPTH = 64;

/** Longest presented chain the probe records from a peer (a loop or a hostile peer cannot make it grow further). */
export const MAX_PRESENTED_CHAIN = 16;

/** Largest LDAP response to StartTLS the probe buffers before calling the peer broken. */
export const MAX_STARTTLS_RESPONSE = 64 * 1024;

/** Certificate path building (lib/x509/chain.ts): far above a real PKI (a DC chain is 2-4 certificates with one or two candidates per step). */
export const MAX_CHAIN_DEPTH = 10;
export const MAX_CHAIN_CANDIDATES = 32;
export const MAX_CHAIN_SIGNATURE_CHECKS = 128;
export const MAX_CHAIN_ATTEMPTS = 512;

/**
 * Name-against-subtree comparisons allowed for one path (lib/x509/nameConstraints.ts). Real PKIs need a
 * few hundred; the x509-limbo nc-dos cases need millions.
 */
export const MAX_NAME_CONSTRAINT_CHECKS = 1 << 18;

/**
 * CRLs supplied for one offline chain build (lib/x509/crl.ts), and the size of one. A DC's chain needs
 * two or three; a large enterprise CA's CRL is a few MB. Over either, revocation is "unknown" (fail closed).
 */
export const MAX_CRLS = 64;
export const MAX_CRL_BYTES = 16 * 1024 * 1024;

/**
 * Schema nodes the control lint (lib/profile/lint.ts) visits for one control. The shipped controls need a
 * few hundred; a recursive or combinatorially large user control is refused instead of hanging the load.
 */
export const MAX_LINT_STEPS = 100_000;

export interface LimitRow {
  what: string;
  limit: string;
  constant: string;
}

const mib = (n: number) => `${n / (1024 * 1024)} MiB`;

/** The table the README shows (order as printed). */
export const LIMITS: LimitRow[] = [
  { what: "Size of any input file (snapshot, profile, waivers, report)", limit: mib(MAX_INPUT_BYTES), constant: "MAX_INPUT_BYTES" },
  { what: "Size of a certificate, key or CA file (preflight, probe --ca)", limit: mib(MAX_CERTIFICATE_FILE_BYTES), constant: "MAX_CERTIFICATE_FILE_BYTES" },
  { what: "Nesting depth of a JSON or YAML document", limit: String(MAX_JSON_DEPTH), constant: "MAX_JSON_DEPTH" },
  { what: "Size of one DER certificate", limit: mib(MAX_CERTIFICATE_BYTES), constant: "MAX_CERTIFICATE_BYTES" },
  { what: "ASN.1 nodes in one certificate or extension", limit: groupThousands(MAX_ASN1_NODES), constant: "MAX_ASN1_NODES" },
  { what: "ASN.1 nesting depth in a certificate", limit: String(MAX_ASN1_DEPTH), constant: "MAX_ASN1_DEPTH" },
  { what: "Certificates recorded from one presented chain (probe)", limit: String(MAX_PRESENTED_CHAIN), constant: "MAX_PRESENTED_CHAIN" },
  { what: "Answer to StartTLS buffered from a peer (probe)", limit: `${MAX_STARTTLS_RESPONSE / 1024} KiB`, constant: "MAX_STARTTLS_RESPONSE" },
  { what: "Certificates in one candidate path, leaf and anchor included", limit: String(MAX_CHAIN_DEPTH), constant: "MAX_CHAIN_DEPTH" },
  { what: "Issuer candidates looked at for one certificate", limit: String(MAX_CHAIN_CANDIDATES), constant: "MAX_CHAIN_CANDIDATES" },
  { what: "Signature verifications for one chain build", limit: String(MAX_CHAIN_SIGNATURE_CHECKS), constant: "MAX_CHAIN_SIGNATURE_CHECKS" },
  { what: "Path extensions tried for one chain build", limit: String(MAX_CHAIN_ATTEMPTS), constant: "MAX_CHAIN_ATTEMPTS" },
  { what: "CRLs supplied for one offline chain build", limit: String(MAX_CRLS), constant: "MAX_CRLS" },
  { what: "Size of one CRL", limit: mib(MAX_CRL_BYTES), constant: "MAX_CRL_BYTES" },
  { what: "Schema nodes checked against the facts schema for one control (profile lint)", limit: groupThousands(MAX_LINT_STEPS), constant: "MAX_LINT_STEPS" },
  { what: "Name-constraint comparisons for one path", limit: groupThousands(MAX_NAME_CONSTRAINT_CHECKS), constant: "MAX_NAME_CONSTRAINT_CHECKS" },
];

/** The README table, as markdown. */
export function limitsMarkdown(): string {
  return ["| Input | Limit | Constant (lib/limits.ts) |", "| --- | --- | --- |", ...LIMITS.map((r) => `| ${r.what} | ${r.limit} | \`${r.constant}\` |`)].join("\n");
}
