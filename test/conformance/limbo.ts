// x509-limbo harness: feeds each testcase to the same logic LDAPS-C01/C02/C06/C08/C09/C10 use
// (lib/x509 + the certificate facts' rules) and writes a LimboResult document.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCertificate, CertificateInfo } from "../../lib/x509/certificate";
import { buildChain } from "../../lib/x509/chain";
import { parsePem } from "../../lib/x509/encoding";
import { matchFqdn, matchIp } from "../../lib/x509/names";
import { OID_SERVER_AUTH } from "../../lib/x509/oids";

export const LIMBO_DIR = join(__dirname, "..", "..", "..", "shared", "reference", "x509-limbo");

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
  crls: unknown[];
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

const certs = (pems: string[]): CertificateInfo[] => pems.flatMap((p) => parsePem(p, "limbo").map((b) => parseCertificate(b.der)));

/** Baseline key strength (LDAPS-C09): RSA >= 2048, EC on P-256/384/521; applied to every certificate in the path. */
function keyStrong(c: CertificateInfo): boolean {
  if (c.publicKey.algorithm === "RSA") return (c.publicKey.bits ?? 0) >= 2048;
  if (c.publicKey.algorithm === "EC") return ["P-256", "P-384", "P-521"].includes(c.publicKey.curve ?? "");
  return false;
}

export function evaluateLimboCase(tc: LimboCase): Outcome {
  const fail = (context: string): Outcome => ({ id: tc.id, actual_result: "FAILURE", context });
  if (tc.validation_kind !== "SERVER") return { id: tc.id, actual_result: "SKIPPED", context: "only SERVER validation applies to LDAPS" };
  if (tc.crls.length > 0) return { id: tc.id, actual_result: "SKIPPED", context: "CRL checking is not part of the audit" };
  let leaf: CertificateInfo;
  let anchors: CertificateInfo[];
  let intermediates: CertificateInfo[];
  try {
    [leaf] = certs([tc.peer_certificate]);
    anchors = certs(tc.trusted_certs);
    intermediates = certs(tc.untrusted_intermediates);
  } catch (e) {
    return fail(`unparseable: ${(e as Error).message}`);
  }
  const now = tc.validation_time ? new Date(tc.validation_time) : new Date();
  const name = tc.expected_peer_name;
  if (name?.kind === "DNS") {
    const m = matchFqdn(name.value, leaf.san.dns, leaf.subjectCommonNames);
    if (!m.matches) return fail(`C02: ${m.reason}`);
  } else if (name?.kind === "IP") {
    if (!matchIp(name.value, leaf.san.ip)) return fail(`C02: no SAN iPAddress equals ${name.value}`);
  } else if (name) {
    return { id: tc.id, actual_result: "SKIPPED", context: `peer name kind ${name.kind} is not used by LDAPS` };
  }
  if (!leaf.eku.serverAuth) return fail(`C01: EKU ${leaf.eku.present ? leaf.eku.oids.join(",") || "(empty)" : "absent"} lacks serverAuth`);
  if (leaf.signature.weak) return fail(`C10: ${leaf.signature.algorithm}`);
  const chain = buildChain(leaf, intermediates, anchors, now, { purpose: OID_SERVER_AUTH });
  if (!chain.trusted) return fail(`C06/C08: ${chain.reason}`);
  if (tc.max_chain_depth !== null && chain.path.length - 1 > tc.max_chain_depth) return fail("chain longer than max_chain_depth");
  const weak = chain.path.find((c) => !keyStrong(c));
  if (weak) return fail(`C09: ${weak.subject}: ${weak.publicKey.algorithm} ${weak.publicKey.bits ?? ""} ${weak.publicKey.curve ?? ""}`.trim());
  return { id: tc.id, actual_result: "SUCCESS", context: chain.reason };
}

/** id -> family, e.g. webpki::san::exact-dns-san -> webpki::san. */
export function family(id: string): string {
  const parts = id.split("::");
  return parts.length > 2 ? parts.slice(0, 2).join("::") : parts[0];
}
