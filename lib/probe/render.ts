// Text rendering of probe snapshots, and the probe's exit code.
import { X509Certificate } from "node:crypto";
import type { EndpointEvidence, Snapshot } from "../snapshot";
import { terminalText } from "../terminal";
import { enforcementFacts } from "../facts/enforcement";
import { wireFacts } from "../facts/tlsSurface";

function leafLine(b64: string | undefined): string {
  if (!b64) return "no certificate";
  try {
    const c = new X509Certificate(Buffer.from(b64, "base64"));
    return `${c.subject.replace(/\n/g, ", ")}; SHA-1 ${c.fingerprint.replace(/:/g, "")}; valid to ${new Date(c.validTo).toISOString().slice(0, 10)}`;
  } catch {
    return "unparsable certificate";
  }
}

/** Did this endpoint give a client a working, verified TLS connection? */
export function endpointHealthy(e: EndpointEvidence): boolean {
  return !e.failure && e.tls?.authorized === true && e.tls?.hostnameMatches !== false;
}

export function renderProbeText(snapshots: Snapshot[]): string {
  const lines: string[] = [];
  for (const s of snapshots) {
    lines.push(`${s.host.fqdn}`);
    for (const e of s.network?.endpoints ?? []) {
      const where = `  ${e.port}/${e.mode === "starttls" ? "StartTLS" : "LDAPS"}${e.purpose === "gc" ? " (GC)" : ""}`;
      if (e.failure) {
        lines.push(`${where}: FAILED ${e.failure.kind} at ${e.failure.stage ?? "?"}: ${e.failure.message}`);
        continue;
      }
      const t = e.tls!;
      const trust = t.authorized ? "chain trusted" : `chain NOT trusted (${t.authorizationError})`;
      const name = t.hostnameMatches === null ? "name not checked" : t.hostnameMatches ? "name matches" : `name does NOT match ${e.servername ?? e.host}`;
      lines.push(`${where}: ${t.protocol} ${t.cipher}; ${trust}; ${name}`);
      lines.push(`    certificate: ${leafLine(t.chain?.[0])}; chain of ${t.chain?.length ?? 0}`);
      if (e.versions) {
        const v = Object.entries(e.versions).map(([k, ok]) => `${k} ${ok === null ? "?" : ok ? "yes" : "no"}`);
        lines.push(`    versions accepted: ${v.join(", ")}`);
      }
      lines.push(...cipherLines(e));
      const l = e.ldap;
      if (l) {
        if (l.rootDse) {
          const r = l.rootDse;
          lines.push(`    rootDSE: dnsHostName=${r.dnsHostName ?? "-"} defaultNamingContext=${r.defaultNamingContext ?? "-"} GC=${r.isGlobalCatalogReady ?? "-"} LDAPv${r.supportedLDAPVersion?.join("/") || "?"}${r.vendorName ? ` vendor=${r.vendorName}` : ""}`);
        } else lines.push(`    rootDSE: not read: ${l.rootDseError ?? "unknown"}`);
        if (l.bind) {
          lines.push(
            `    bind as ${l.bind.dn}: ${l.bind.attempted ? (l.bind.ok ? "ok" : `FAILED: ${l.bind.error}`) : `skipped: ${l.bind.skippedReason}`}`,
          );
        }
      }
    }
    lines.push(...enforcementLines(s));
  }
  // Subjects, rootDSE values and error messages come from the server: lib/terminal.ts escapes them.
  return terminalText(lines);
}

/** probe --ciphers: the accepted suites per version (the server's order), judged the way the facts judge them. */
function cipherLines(e: EndpointEvidence): string[] {
  if (!e.ciphers) return [];
  const out: string[] = [];
  for (const [version, v] of Object.entries(e.ciphers.versions)) {
    if (!v) continue;
    out.push(`    ${version} suites: ${v.accepted.length ? v.accepted.join(", ") : "none accepted"}${v.stopped ? ` (stopped: ${v.stopped}; ${v.notTested.length} not asked)` : ""}`);
    if (v.untestable.length) out.push(`    ${version} untestable here: ${v.untestable.length} suites this prober's ${e.ciphers.library ?? "TLS library"} cannot offer (${v.untestable.join(", ")})`);
  }
  const f = wireFacts({ schemaVersion: 1, host: { fqdn: e.host }, network: { endpoints: [e] } } as Snapshot);
  if (f?.weaknessDetails.length) for (const d of f.weaknessDetails) out.push(`    weak: ${d}`);
  out.push(`    cipher handshakes: ${e.ciphers.handshakes} of at most ${e.ciphers.maxHandshakes}`);
  return out;
}

/** The enforcement checks (probe --enforcement), judged the way the facts judge them. */
function enforcementLines(s: Snapshot): string[] {
  const e = s.network?.enforcement;
  if (!e) return [];
  const f = enforcementFacts(e);
  const out: string[] = [];
  if (f.signing.tested) {
    const v = f.signing.required === null ? "could not tell" : f.signing.required ? "REQUIRED" : "not required";
    out.push(`  LDAP signing on ${f.signing.port}: ${v} (${f.signing.reason})`);
  }
  if (f.channelBinding.tested) {
    const v = f.channelBinding.setting === null ? "could not tell" : f.channelBinding.setting === "always" ? "ALWAYS required" : f.channelBinding.setting === "when-supported" ? "checked when supported (not required)" : "never checked";
    out.push(`  LDAPS channel binding on ${f.channelBinding.port}: ${v} (${f.channelBinding.reason})`);
  }
  return out;
}

