// The TLS surface section of the text and HTML reports: per endpoint and version, the suites the server
// accepted (probe --ciphers), the weak ones, what could not be tested, the Schannel registry's protocol
// states, and where registry and wire disagree. Every string may come from a snapshot: the text lines go
// through lib/terminal.ts, the HTML through esc().
import type { TlsSurfaceFacts } from "../facts/tlsSurface";
import type { TermLine } from "../terminal";
import { esc } from "./html";

export type { TlsSurfaceFacts };

/** The facts a report target carries, if its report was built with them (older reports have none). */
export function surfaceOf(facts: unknown): TlsSurfaceFacts | null {
  const s = (facts as { tlsSurface?: TlsSurfaceFacts | null } | undefined)?.tlsSurface;
  return s ?? null;
}

const endpointName = (e: { port: number; mode: string }) => `${e.port}/${e.mode === "starttls" ? "StartTLS" : "LDAPS"}`;

export function tlsSurfaceText(s: TlsSurfaceFacts): TermLine[] {
  const lines: TermLine[] = ["  TLS surface:"];
  if (s.wire) {
    for (const e of s.wire.endpoints) {
      for (const v of e.versions) {
        lines.push(`    ${endpointName(e)} ${v.version}: ${v.accepted.length ? v.accepted.join(", ") : "no suite accepted"}${v.stopped ? ` (stopped: ${v.stopped})` : ""}`);
      }
    }
    if (!s.wire.enumerated) lines.push(`    cipher suites not enumerated (probe --ciphers); versions accepted: ${s.wire.acceptedVersions.join(", ") || "none"}`);
    for (const d of s.wire.weaknessDetails) lines.push(`    weak: ${d}`);
    for (const u of s.wire.untested) lines.push(`    not ruled out: ${u}`);
  }
  if (s.registry) {
    const p = Object.entries(s.registry.protocols).map(([name, st]) => `${name} ${st.enabled === null ? "?" : st.enabled ? "on" : "off"}${st.source === "default" ? " (default)" : ""}`);
    lines.push(`    Schannel registry${s.registry.windowsBuild ? ` (build ${s.registry.windowsBuild})` : ""}: ${p.join(", ")}`);
    if (s.registry.disabledCiphers.length) lines.push(`    ciphers off: ${s.registry.disabledCiphers.join(", ")}`);
    if (s.registry.disabledKeyExchanges.length) lines.push(`    key exchanges off: ${s.registry.disabledKeyExchanges.join(", ")}`);
    if (s.registry.disabledHashes.length) lines.push(`    hashes off: ${s.registry.disabledHashes.join(", ")}`);
    if (s.registry.cipherSuitePolicy) lines.push(`    cipher-suite order policy: ${s.registry.cipherSuitePolicy.join(", ") || "(empty)"}`);
  }
  for (const m of s.contradictionMessages) lines.push(`    registry vs wire: ${m}`);
  return lines;
}

export function tlsSurfaceHtml(s: TlsSurfaceFacts, label: string): string {
  const parts = [`<h3>TLS surface</h3>`];
  if (s.wire?.endpoints.length) {
    const rows = s.wire.endpoints.flatMap((e) =>
      e.versions.map(
        (v) =>
          `<tr><th scope="row">${esc(endpointName(e))} ${esc(v.version)}</th><td>${esc(v.accepted.join(", ") || "none")}</td><td>${esc(v.refused.length)}</td><td>${esc(v.untestable.join(", ") || "—")}</td><td>${esc(v.stopped ?? (v.notTested.length ? `${v.notTested.length} not asked` : "complete"))}</td></tr>`,
      ),
    );
    parts.push(
      `<table><caption>Cipher suites accepted on the wire, in the server's order, for ${esc(label)}</caption><thead><tr><th scope="col">Endpoint and version</th><th scope="col">Accepted</th><th scope="col">Refused</th><th scope="col">Untestable by the prober</th><th scope="col">Enumeration</th></tr></thead><tbody>${rows.join("")}</tbody></table>`,
    );
  } else if (s.wire) parts.push(`<p>Cipher suites not enumerated (probe --ciphers). Versions accepted: ${esc(s.wire.acceptedVersions.join(", ") || "none")}.</p>`);
  if (s.wire?.weaknessDetails.length) parts.push(`<ul>${s.wire.weaknessDetails.map((d) => `<li>${esc(d)}</li>`).join("")}</ul>`);
  if (s.wire?.untested.length) parts.push(`<p class="muted">Not ruled out: ${esc(s.wire.untested.join("; "))}</p>`);
  if (s.registry) {
    const rows = Object.entries(s.registry.protocols).map(
      ([name, st]) => `<tr><th scope="row">${esc(name)}</th><td>${esc(st.enabled === null ? "unknown" : st.enabled ? "on" : "off")}</td><td>${esc(st.source)}</td><td>${esc(st.reason)}</td></tr>`,
    );
    parts.push(`<table><caption>Schannel protocols (server side) for ${esc(label)}</caption><thead><tr><th scope="col">Protocol</th><th scope="col">State</th><th scope="col">From</th><th scope="col">Why</th></tr></thead><tbody>${rows.join("")}</tbody></table>`);
    const off = [...s.registry.disabledCiphers, ...s.registry.disabledKeyExchanges, ...s.registry.disabledHashes];
    if (off.length) parts.push(`<p>Turned off in the registry: ${esc(off.join(", "))}</p>`);
  }
  if (s.contradictionMessages.length) parts.push(`<p><strong>Registry vs wire:</strong></p><ul>${s.contradictionMessages.map((m) => `<li>${esc(m)}</li>`).join("")}</ul>`);
  return parts.join("\n");
}
