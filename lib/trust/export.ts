// `probe --export-trust FILE`: the trust bundle of what was just probed, written atomically, with its
// warnings on stderr. The anchors are the ones the probe verified with: --ca, else Node's root store (the
// same store node:tls used for the handshake, plus NODE_EXTRA_CA_CERTS as Node adds it).
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Snapshot } from "../snapshot";
import { writeOutput } from "../output/write";
import { stderrLine } from "../terminal";
import { toolVersion } from "../version";
import { renderBundle, TrustAnchors, trustBundle } from "./bundle";

/** Node's default trust: its bundled roots, and the extra file Node reads at start-up when it is set. */
export function defaultAnchors(): TrustAnchors {
  const certificates: string[] = [...rootCertificates];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      certificates.push(...(readFileSync(extra, "latin1").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []));
    } catch {
      // Node itself only warns when the file cannot be read; the bundle then has only the bundled roots.
    }
  }
  return { certificates, source: extra ? "Node's root store and NODE_EXTRA_CA_CERTS" : "Node's root store" };
}

/**
 * Write the bundle to `file` (nothing is written when no endpoint could be covered). Returns true when every
 * endpoint that completed a handshake is covered by what was written.
 */
export function exportTrust(snapshots: Snapshot[], file: string, ca: string[] | undefined, now = new Date()): boolean {
  const anchors: TrustAnchors = ca ? { certificates: ca, source: "--ca" } : defaultAnchors();
  const bundle = trustBundle(snapshots, anchors, now);
  for (const w of bundle.warnings) stderrLine(`--export-trust: warning: ${w}`);
  if (!bundle.certificates.length) {
    stderrLine(`--export-trust ${file}: not written: no presented chain verified against ${anchors.source}${ca ? "" : " (give the issuing root with --ca)"}`);
    return false;
  }
  writeOutput(file, renderBundle(bundle, `ldaps-audit ${toolVersion()}, ${now.toISOString()}`), "--export-trust");
  const roles = bundle.certificates.map((c) => (c.role === "pinned-leaf" ? "pinned leaf" : c.role));
  stderrLine(`--export-trust: wrote ${bundle.certificates.length} certificate(s) (${roles.join(", ")}) to ${file}; next: ldaps-audit trust ${file} --for openldap|sssd|java|python|dotnet|windows`);
  return bundle.uncovered.length === 0;
}
