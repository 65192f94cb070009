// x509-limbo harness: feeds each testcase to the code behind LDAPS-C01/C02/C06/C08/C10 (the certificate
// facts of lib/facts, which build the chain and match the name with lib/x509) and writes a LimboResult.
// Nothing is re-implemented here: the verdict is read off the same facts the controls read.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { certificateFacts } from "../../lib/facts/certificate";
import type { CertificateFacts } from "../../lib/facts/types";
import { parseCertificate, CertificateInfo } from "../../lib/x509/certificate";
import { buildChain } from "../../lib/x509/chain";
import { parsePem } from "../../lib/x509/encoding";
import { loadProfile } from "../../lib/profile/load";

/** The project root, whether this runs from the source tree (jest) or compiled (npm run conformance). */
function projectRoot(dir: string): string {
  while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}
export const PROJECT_ROOT = projectRoot(__dirname);
export const LIMBO_DIR = join(PROJECT_ROOT, "..", "shared", "reference", "x509-limbo");
export const LIMBO_FULL_DIR = join(PROJECT_ROOT, "..", "shared", "reference", "x509-limbo-full");

export interface LimboCase {
  id: string;
  description: string;
  validation_kind: string;
  trusted_certs: string[];
  untrusted_intermediates: string[];
  peer_certificate: string;
  validation_time: string | null;
  expected_result: "SUCCESS" | "FAILURE";
  expected_peer_name: { kind: string; value: string } | null;
  extended_key_usage: string[];
  max_chain_depth: number | null;
  /** PEM CRLs: revocation is checked by the chain builder itself (lib/x509/crl.ts). */
  crls: string[];
  features: string[];
}

export interface Outcome {
  id: string;
  actual_result: "SUCCESS" | "FAILURE" | "SKIPPED";
  context: string;
}

export function loadLimbo(file: string): LimboCase[] {
  return JSON.parse(readFileSync(join(LIMBO_DIR, file), "utf8")).testcases;
}

/** The whole suite, gunzipped in memory from the shared reference (never copied into the project). */
export function loadLimboFull(): LimboCase[] {
  return JSON.parse(gunzipSync(readFileSync(join(LIMBO_FULL_DIR, "limbo-full.json.gz"))).toString("utf8")).testcases;
}

/** Other validators' verdicts on the full suite (see ../shared/reference/x509-limbo-full/SOURCES.md). */
export interface Anchors {
  harnesses: Record<string, Record<string, "SUCCESS" | "FAILURE" | "SKIPPED">>;
  go_tip_allowlists: { source: string; allowedUnexpectedVerifications: string[]; allowedUnexpectedFailures: string[] };
}
export function loadAnchors(): Anchors {
  return JSON.parse(gunzipSync(readFileSync(join(LIMBO_FULL_DIR, "anchors.json.gz"))).toString("utf8"));
}

const certs = (pems: string[]): CertificateInfo[] => pems.flatMap((p) => parsePem(p, "limbo").map((b) => parseCertificate(b.der)));
/** A case's CRL as DER: the chain builder reads it (a CRL it cannot read is its reason, not the harness's). */
const crlDers = (pem: string): Buffer[] => parsePem(pem, "limbo CRL").map((b) => b.der);

/** The baseline profile's own controls (schemas/controls/<id>.json): the policy is not restated here. */
const control = (id: string) => loadProfile("baseline").controls.find((c) => c.meta.id === id)!;
/** LDAPS-C09's requirement, for every certificate in the path. */
const keyStrong = (k: CertificateInfo["publicKey"]): boolean => control("LDAPS-C09").requirement.validate({ publicKey: k }) as boolean;
/** LDAPS-C10's requirement (no MD5/SHA-1 signature), for the leaf and, as C13 asks, each issuing CA. */
const signatureStrong = (s: { algorithm: string; hash: string | null } | null): boolean => s !== null && (control("LDAPS-C10").requirement.validate({ signature: s }) as boolean);

const EKU_OIDS: Record<string, string> = {
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
  codeSigning: "1.3.6.1.5.5.7.3.3",
  emailProtection: "1.3.6.1.5.5.7.3.4",
  timeStamping: "1.3.6.1.5.5.7.3.8",
  OCSPSigning: "1.3.6.1.5.5.7.3.9",
  anyExtendedKeyUsage: "2.5.29.37.0",
};

/** Facts of the peer certificate as LDAPS-C01..C10 see them, with the limbo case's roots, intermediates and CRLs as the offline chain material. */
function serverFacts(tc: LimboCase, leaf: CertificateInfo, anchors: CertificateInfo[], intermediates: CertificateInfo[], crls: Buffer[], now: Date): CertificateFacts {
  return certificateFacts(leaf, {
    now,
    // With no expected name the name check is not part of the case; the leaf's own name stands in.
    fqdn: tc.expected_peer_name?.value ?? leaf.san.dns[0] ?? leaf.subjectCommonNames[0] ?? "",
    account: "NT AUTHORITY\\SYSTEM",
    source: "file",
    store: null,
    storeRole: null,
    offline: { anchors, intermediates, crls },
  });
}

export function evaluateLimboCase(tc: LimboCase): Outcome {
  const result = (actual_result: Outcome["actual_result"], context: string): Outcome => ({ id: tc.id, actual_result, context });
  const fail = (context: string) => result("FAILURE", context);
  let leaf: CertificateInfo;
  let anchors: CertificateInfo[];
  let intermediates: CertificateInfo[];
  let crls: Buffer[];
  try {
    [leaf] = certs([tc.peer_certificate]);
    anchors = certs(tc.trusted_certs);
    intermediates = certs(tc.untrusted_intermediates);
    crls = tc.crls.flatMap(crlDers);
  } catch (e) {
    return fail(`unparseable: ${(e as Error).message}`);
  }
  const now = tc.validation_time ? new Date(tc.validation_time) : new Date();
  const name = tc.expected_peer_name;
  if (name && name.kind !== "DNS" && name.kind !== "IP") return result("SKIPPED", `peer name kind ${name.kind} is not used by LDAPS`);

  let path: CertificateInfo[];
  if (tc.validation_kind === "SERVER") {
    const f = serverFacts(tc, leaf, anchors, intermediates, crls, now);
    if (name && !f.name.matches) return fail(`C02: ${f.name.reason}`);
    if (!f.eku.serverAuth) return fail(`C01: EKU ${f.eku.present ? f.eku.oids.join(",") || "(empty)" : "absent"} lacks serverAuth`);
    if (!signatureStrong(f.signature)) return fail(`C10: ${f.signature.algorithm}`);
    if (f.chain.trusted !== true) return fail(`C08: ${f.chain.reason}`);
    // LDAPS-C13's rule, read off the chain facts: a weak signature on an issuing CA (the anchor's own is not relied on).
    const weakCa = f.chain.path.slice(1, -1).find((p) => !signatureStrong(p.signature));
    if (weakCa) return fail(`C13: "${weakCa.subject}" is signed with ${weakCa.signature?.algorithm ?? "an unknown algorithm"}`);
    const byThumbprint = new Map([leaf, ...intermediates, ...anchors].map((c) => [c.thumbprint, c]));
    path = f.chain.path.map((p) => byThumbprint.get(p.thumbprint) as CertificateInfo);
  } else {
    // A client certificate (LDAP SASL EXTERNAL): the same chain builder, for the case's EKU.
    const purposes = tc.extended_key_usage.map((u) => EKU_OIDS[u] ?? u);
    for (const p of purposes) if (leaf.eku.present && !leaf.eku.anyPurpose && !leaf.eku.oids.includes(p)) return fail(`EKU lacks ${p}`);
    const chain = buildChain(leaf, intermediates, anchors, now, { purpose: purposes[0], crls });
    if (!chain.trusted) return fail(`chain: ${chain.reason}`);
    path = chain.path;
  }
  // limbo's max_chain_depth counts logical intermediates: not the leaf, not the anchor, not self-issued ones.
  const depth = path.slice(1, -1).filter((c) => !c.selfIssued).length;
  if (tc.max_chain_depth !== null && depth > tc.max_chain_depth) return fail(`${depth} intermediates, max_chain_depth is ${tc.max_chain_depth}`);
  const weakKey = path.find((c) => !keyStrong(c.publicKey));
  if (weakKey) return fail(`C09: "${weakKey.subject}": ${weakKey.publicKey.algorithm} ${weakKey.publicKey.bits ?? ""} ${weakKey.publicKey.curve ?? ""}`.trim());
  return result("SUCCESS", `chain builds to "${path[path.length - 1].subject}"`);
}

/** id -> family, e.g. webpki::san::exact-dns-san -> webpki::san. */
export function family(id: string): string {
  const parts = id.split("::");
  return parts.length > 2 ? parts.slice(0, 2).join("::") : parts[0];
}
